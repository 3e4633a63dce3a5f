package eventstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// appendN appends n messages on one partition subject and returns their
// sequences.
func appendN(t *testing.T, s *eventstore.Store, n int) []uint64 {
	t.Helper()
	ctx := context.Background()
	var seqs []uint64
	var last uint64
	for i := range n {
		seq, err := s.Append(ctx, "amity.demo.rel.1", last, fmt.Sprint("m", i), []byte(fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		seqs, last = append(seqs, seq), seq
	}
	return seqs
}

func TestConsumeBatchesKeepsOrderThroughARetry(t *testing.T) {
	s, _ := startStore(t)
	want := appendN(t, s, 60)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []uint64
	var calls, failed int
	done := make(chan error, 1)
	go func() {
		done <- s.ConsumeBatches(ctx, "batches", []string{"amity.*.rel.*"}, 2*time.Second, 16, func(_ context.Context, rs []domain.Record) error {
			calls++
			if len(rs) > 16 {
				t.Errorf("batch of %d, want at most 16", len(rs))
			}
			if failed == 0 && slices.ContainsFunc(rs, func(r domain.Record) bool { return r.Seq == want[20] }) {
				failed++
				return errors.New("store unavailable")
			}
			for _, r := range rs {
				got = append(got, r.Seq)
			}
			if len(got) == len(want) {
				cancel()
			}
			return nil
		})
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("ConsumeBatches did not deliver every message")
	}
	if !slices.Equal(got, want) {
		t.Errorf("handled %v, want %v in order, each once", got, want)
	}
	if calls >= len(want) {
		t.Errorf("%d calls for %d messages already waiting, want them in batches", calls, len(want))
	}
}

func TestConsumeBatchesHandsOverWhatAStoppedConsumerHeld(t *testing.T) {
	s, _ := startStore(t)
	want := appendN(t, s, 30)
	const ackWait = time.Second

	// The first consumer takes a batch and stops without acknowledging it.
	ctxA, stopA := context.WithCancel(context.Background())
	held := make(chan []uint64, 1)
	errA := make(chan error, 1)
	go func() {
		errA <- s.ConsumeBatches(ctxA, "handover", []string{"amity.*.rel.*"}, ackWait, 8, func(ctx context.Context, rs []domain.Record) error {
			var seqs []uint64
			for _, r := range rs {
				seqs = append(seqs, r.Seq)
			}
			held <- seqs
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	first := <-held
	// A second consumer of the same name gets nothing while the first is
	// pinned, then everything from the first one's batch on, in order.
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	var mu sync.Mutex
	var got []uint64
	errB := make(chan error, 1)
	go func() {
		errB <- s.ConsumeBatches(ctxB, "handover", []string{"amity.*.rel.*"}, ackWait, 8, func(_ context.Context, rs []domain.Record) error {
			mu.Lock()
			defer mu.Unlock()
			for _, r := range rs {
				got = append(got, r.Seq)
			}
			if len(got) >= len(want) {
				stopB()
			}
			return nil
		})
	}()
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	early := len(got)
	mu.Unlock()
	if early != 0 {
		t.Errorf("second consumer got %d messages while the first held its batch", early)
	}
	stopA()
	<-errA
	select {
	case <-errB:
	case <-time.After(20 * time.Second):
		t.Fatal("second consumer did not take over")
	}
	if !slices.Equal(got, want) {
		t.Errorf("second consumer handled %v, want %v (the first one's batch %v first)", got, want, first)
	}
}

func TestPublishStoresABacklogAsOneBatchAndOnceAfterARepeat(t *testing.T) {
	s, nc := startStore(t)
	ctx := context.Background()
	if err := s.OpenNotify(ctx, time.Hour, 1); err != nil {
		t.Fatal(err)
	}
	msgs := func(from, to int) []eventstore.Outgoing {
		var out []eventstore.Outgoing
		for i := from; i < to; i++ {
			out = append(out, eventstore.Outgoing{Subject: fmt.Sprint("amity.demo.notify.u", i%7), MsgID: fmt.Sprint("n", i), Data: []byte(fmt.Sprint(i))})
		}
		return out
	}
	if err := s.Publish(ctx, msgs(0, 200)); err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, eventstore.NotifyStream)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Nats-Batch-Id") == "" {
		t.Errorf("200 messages were not stored as an atomic batch (headers %v)", m.Header)
	}
	// A repeat (a batch notified again after a crash) with new ones after
	// it: the server refuses the batch for its duplicates, and Publish
	// stores the new ones once each, in order.
	if err := s.Publish(ctx, msgs(100, 400)); err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 400 {
		t.Fatalf("stream holds %d messages, want 400", info.State.Msgs)
	}
	for seq := uint64(1); seq <= 400; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Data) != fmt.Sprint(seq-1) {
			t.Fatalf("message %d = %s, want %d", seq, m.Data, seq-1)
		}
	}
	_ = nats.ErrTimeout
}
