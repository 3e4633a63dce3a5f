package main

import (
	"context"
	"fmt"
	"time"

	"github.com/amity-im/amity/domain"
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
	fail := func(err error) []domain.Result {
		out := make([]domain.Result, len(cmds))
		for i := range out {
			out[i].Err = err
		}
		return out
	}
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
