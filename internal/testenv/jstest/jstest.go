// Package jstest starts what tests of the stream need: an embedded
// JetStream on loopback with the stream opened on it, and writer
// instances on it. It is apart from testenv so that only the tests that
// run a nats-server link one.
package jstest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/projections"
	"github.com/amity-im/amity/writer"
	"github.com/nats-io/nats.go"
)

// StartJetStream starts an embedded JetStream on a loopback port, opens
// the stream on it as the service does, and returns a context that ends
// with the test, the store and the service's connection; everything stops
// with the test.
func StartJetStream(t testing.TB) (context.Context, *eventstore.Store, *nats.Conn) {
	t.Helper()
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	nc, err := nats.Connect(ns.ServiceURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	store, err := eventstore.Open(ctx, nc, eventstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, store, nc
}

// Instance is one Writer with its own read model following a shared
// stream, as a second Amity process on the same cluster would be.
type Instance struct {
	Model  *projections.Model
	Writer *writer.Writer
}

// NewInstance starts an Instance on store: its model follows the stream
// and has caught up; the writer closes with the test.
func NewInstance(t testing.TB, ctx context.Context, store *eventstore.Store) *Instance {
	t.Helper()
	m := projections.NewModel()
	go func() { _ = projections.Follow(ctx, store, m, 1, slog.New(slog.DiscardHandler)) }()
	if err := projections.CatchUp(ctx, store, m); err != nil {
		t.Fatal(err)
	}
	w := writer.New(writer.Config{Log: store, State: m, NewID: testenv.UniqueID, Now: time.Now})
	t.Cleanup(w.Close)
	return &Instance{Model: m, Writer: w}
}
