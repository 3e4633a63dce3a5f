package eventstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
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

func TestAppendBatchIsAllOrNothing(t *testing.T) {
	s, _ := startStore(t)
	ctx := context.Background()
	first, err := s.Append(ctx, "amity.demo.rel.1", 0, "c0", []byte(`0`))
	if err != nil {
		t.Fatal(err)
	}
	batch := []domain.Append{
		{Subject: "amity.demo.rel.1", Expect: first, MsgID: "c1", Data: []byte(`1`)},
		{Subject: "amity.demo.rel.2", Expect: 0, MsgID: "c2", Data: []byte(`2`)},
		{Subject: "amity.demo.user.3", Expect: 0, MsgID: "c3", Data: []byte(`3`)},
	}
	seqs, err := s.AppendBatch(ctx, batch)
	if err != nil {
		t.Fatalf("AppendBatch error = %v", err)
	}
	for i, a := range batch {
		recs, err := s.SubjectSince(ctx, a.Subject, 0)
		if err != nil {
			t.Fatal(err)
		}
		last := recs[len(recs)-1]
		if last.Seq != seqs[i] || string(last.Data) != string(a.Data) {
			t.Errorf("append %d: stored %q at %d, batch said %d", i, last.Data, last.Seq, seqs[i])
		}
	}
	// One stale expectation refuses the whole batch.
	stale := []domain.Append{
		{Subject: "amity.demo.rel.4", Expect: 0, MsgID: "c4", Data: []byte(`4`)},
		{Subject: "amity.demo.rel.2", Expect: 0, MsgID: "c5", Data: []byte(`5`)},
	}
	before, _ := s.LastSeq(ctx)
	if _, err := s.AppendBatch(ctx, stale); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("AppendBatch(stale) error = %v, want domain.ErrConflict", err)
	}
	if after, _ := s.LastSeq(ctx); after != before {
		t.Errorf("a refused batch stored %d messages", after-before)
	}
}

// TestConformance holds the JetStream store to what every store promises
// (eventstore/storetest); the in-memory store runs the same suite.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		s, _ := startStore(t)
		return s
	})
}
