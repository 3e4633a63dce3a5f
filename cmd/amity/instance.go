package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/projections"
	"github.com/nats-io/nats.go"
)

// followedModel is a tool's own read model of a running service's stream:
// caught up, then following it until close.
type followedModel struct {
	*projections.Model
	close func()
}

// followStream builds a read model of the stream nc reaches.
func followStream(ctx context.Context, nc *nats.Conn, logger *slog.Logger) (*followedModel, error) {
	store, err := eventstore.Lookup(ctx, nc, eventstore.Config{Logger: logger})
	if err != nil {
		return nil, err
	}
	m := projections.NewModel()
	m.SetStream(store.StreamID())
	fctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		keepRunning(fctx, logger, "stream read", func(ctx context.Context) error {
			return projections.Follow(ctx, store, m, m.Followed()+1, logger)
		})
	})
	fm := &followedModel{Model: m, close: func() { cancel(); wg.Wait() }}
	if err := projections.CatchUp(ctx, store, m); err != nil {
		fm.close()
		return nil, err
	}
	return fm, nil
}

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
