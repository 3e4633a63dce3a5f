package eventstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/eventstore/storetest"
	"github.com/nats-io/nats.go"
)

// startEmbedded starts an embedded JetStream of cfg (on a random port, its
// files in a temporary directory, unless cfg says otherwise) and connects to
// it as the service; both stop with the test.
func startEmbedded(t testing.TB, cfg eventstore.EmbeddedConfig) (*eventstore.Embedded, *nats.Conn) {
	t.Helper()
	if cfg.StoreDir == "" {
		cfg.StoreDir = t.TempDir()
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	ns, err := eventstore.StartEmbedded(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	nc, err := ns.Connect()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return ns, nc
}

// startStore starts an embedded JetStream and opens the stream on it.
func startStore(t testing.TB) (*eventstore.Store, *nats.Conn) {
	t.Helper()
	_, nc := startEmbedded(t, eventstore.EmbeddedConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := eventstore.Open(ctx, nc, eventstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return s, nc
}

// TestConformance holds the JetStream store to what every store promises
// (eventstore/storetest); the in-memory store runs the same suite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s, _ := startStore(t)
		return s
	})
}
