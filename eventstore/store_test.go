package eventstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
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

func TestAppendExpectsTheSubjectsLastSequence(t *testing.T) {
	s, _ := startStore(t)
	ctx := context.Background()
	subj, other := "amity.demo.rel.1", "amity.demo.rel.2"

	seq1, err := s.Append(ctx, subj, 0, "c1", []byte(`1`))
	if err != nil {
		t.Fatalf("Append(expect 0) error = %v", err)
	}
	if _, err := s.Append(ctx, other, 0, "c2", []byte(`2`)); err != nil {
		t.Fatalf("Append on another subject error = %v", err)
	}
	_, err = s.Append(ctx, subj, 0, "c3", []byte(`3`))
	if !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("Append(stale expect 0) error = %v, want domain.ErrConflict", err)
	}
	seq4, err := s.Append(ctx, subj, seq1, "c4", []byte(`4`))
	if err != nil {
		t.Fatalf("Append(expect %d) error = %v", seq1, err)
	}
	last, err := s.LastSubjectSeq(ctx, subj)
	if err != nil || last != seq4 {
		t.Errorf("LastSubjectSeq = %d, %v, want %d", last, err, seq4)
	}
	if last, err := s.LastSubjectSeq(ctx, "amity.demo.rel.9"); err != nil || last != 0 {
		t.Errorf("LastSubjectSeq(empty subject) = %d, %v, want 0", last, err)
	}
	// A retried append with the same Nats-Msg-Id is stored once.
	dup, err := s.Append(ctx, subj, seq4, "c5", []byte(`5`))
	if err != nil {
		t.Fatal(err)
	}
	if again, err := s.Append(ctx, subj, seq4, "c5", []byte(`5`)); err == nil && again != dup {
		t.Errorf("duplicate append stored at %d, first at %d", again, dup)
	}
	if n, _ := s.LastSeq(ctx); n != dup {
		t.Errorf("LastSeq = %d, want %d (no second copy)", n, dup)
	}
}

func TestFollowDeliversInOrderThenLive(t *testing.T) {
	s, _ := startStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := range 5 {
		subj := fmt.Sprintf("amity.demo.user.%d", i%2)
		last, _ := s.LastSubjectSeq(ctx, subj)
		if _, err := s.Append(ctx, subj, last, fmt.Sprint("m", i), []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	got := make(chan domain.Record, 16)
	go func() {
		_ = s.Follow(ctx, 2, func(r domain.Record) error { got <- r; return nil })
	}()
	for want := uint64(2); want <= 5; want++ {
		select {
		case r := <-got:
			if r.Seq != want || string(r.Data) != fmt.Sprint(want-1) {
				t.Fatalf("Follow delivered seq %d %q, want seq %d %q", r.Seq, r.Data, want, fmt.Sprint(want-1))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Follow did not deliver seq %d", want)
		}
	}
	if _, err := s.Append(ctx, "amity.demo.rel.7", 0, "live", []byte(`live`)); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		if r.Seq != 6 || r.Subject != "amity.demo.rel.7" {
			t.Errorf("live record = seq %d on %s, want 6 on amity.demo.rel.7", r.Seq, r.Subject)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not deliver the live record")
	}
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
