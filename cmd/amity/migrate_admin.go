package main

// Both ends of a migration's requests to the running service: the tool
// asks for users' graphs and for its changes to be recorded; the service
// answers from its read model and records them through its writer.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/migrate"
	"github.com/amity-im/amity/projections"
	"github.com/nats-io/nats.go"
)

// migrateTimeout bounds the service's answer to one call of migrated
// changes.
const migrateTimeout = 30 * time.Second

// serviceWriter asks the running service to record migrated changes
// (domain.AdminMigrate): an admin login may, though it publishes no commit
// itself.
type serviceWriter struct {
	nc    *nats.Conn
	newID func() string
}

func (w serviceWriter) Execute(ctx context.Context, app *domain.App, meta domain.Meta, cmds ...domain.Command) []domain.Result {
	fail := func(err error) []domain.Result { return domain.FailAll(len(cmds), err) }
	data, err := domain.MarshalCall(domain.Call{ID: w.newID(), App: app.Name, Meta: meta, Commands: cmds})
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(ctx, migrateTimeout)
	defer cancel()
	reply, err := w.nc.RequestWithContext(ctx, domain.AdminMigrate, data)
	if err != nil {
		return fail(fmt.Errorf("ask the service to record migrated changes: %w", err))
	}
	rs, err := domain.UnmarshalResults(reply.Data)
	if err == nil && len(rs) != len(cmds) {
		err = fmt.Errorf("%d results for %d commands", len(rs), len(cmds))
	}
	if err != nil {
		return fail(fmt.Errorf("the service's answer: %s: %w", reply.Data, err))
	}
	return rs
}

// serviceView reads users' graphs as the running service holds them
// (domain.AdminGraph).
func serviceView(nc *nats.Conn) migrate.RemoteView {
	return migrate.RemoteView{Request: func(ctx context.Context, data []byte) ([]byte, error) {
		msg, err := nc.RequestWithContext(ctx, domain.AdminGraph, data)
		if err != nil {
			return nil, err
		}
		return msg.Data, nil
	}}
}

// migrateCalls bounds the migrated changes recorded at once.
const migrateCalls = 64

// serveMigrate answers a migrating admin tool: it records the migrated
// changes asked for (domain.AdminMigrate) — only the migration's commands,
// of the config's apps, marked as migrated, through the writer as any call
// of a surface — and tells a user's graph (domain.AdminGraph).
func serveMigrate(nc *nats.Conn, w amityhttp.Executor, m *projections.Model, apps []*domain.App) error {
	slots := make(chan struct{}, migrateCalls)
	answer := func(subject string, fn func([]byte) []byte) error {
		_, err := nc.QueueSubscribe(subject, "amity", func(msg *nats.Msg) {
			slots <- struct{}{}
			go func() {
				defer func() { <-slots }()
				_ = msg.Respond(fn(msg.Data))
			}()
		})
		if err != nil {
			return fmt.Errorf("subscribe %s: %w", subject, err)
		}
		return nil
	}
	known := func(app string) bool {
		return slices.ContainsFunc(apps, func(a *domain.App) bool { return a.Name == app })
	}
	view := migrate.ModelView{Model: m}
	return errors.Join(answer(domain.AdminMigrate, func(data []byte) []byte { return migrated(w, apps, data) }),
		answer(domain.AdminGraph, func(data []byte) []byte {
			ctx, cancel := context.WithTimeout(context.Background(), migrateTimeout)
			defer cancel()
			return migrate.AnswerView(ctx, view, known, data)
		}))
}

// migrated runs one call of migrated changes and encodes its results.
func migrated(w amityhttp.Executor, apps []*domain.App, data []byte) []byte {
	call, err := domain.UnmarshalCall(data)
	var app *domain.App
	if err == nil {
		if i := slices.IndexFunc(apps, func(a *domain.App) bool { return a.Name == call.App }); i >= 0 {
			app = apps[i]
		} else {
			err = domain.Errorf(domain.ErrNotFound, "no app %q", call.App)
		}
	}
	for _, c := range call.Commands {
		if err == nil && !domain.MigrationCommand(c) {
			err = domain.Errorf(domain.ErrForbidden, "%T is not a migration's change", c)
		}
	}
	rs := domain.FailAll(len(call.Commands), err)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), migrateTimeout)
		defer cancel()
		meta := domain.Meta{RequestID: call.Meta.RequestID, Surface: domain.SurfaceMigrate}
		rs = w.Execute(ctx, app, meta, call.Commands...)
	}
	b, merr := domain.MarshalResults(call.App, rs)
	if merr != nil {
		return []byte(merr.Error())
	}
	return b
}
