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
	"github.com/amity-im/amity/internal/testenv"
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
	if !testenv.Holds(300*time.Millisecond, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 0 }) {
		mu.Lock()
		t.Errorf("second consumer got %d messages while the first held its batch", len(got))
		mu.Unlock()
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

// TestPublishSendsLiveInOrderAndStoresNothing: a subscriber gets every
// message, in order, with its Nats-Msg-Id, by the time Publish returns;
// no stream stores any.
func TestPublishSendsLiveInOrderAndStoresNothing(t *testing.T) {
	s, nc := startStore(t)
	ctx := context.Background()
	sub, err := nc.SubscribeSync("amity.demo.notify.>")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	var msgs []eventstore.Outgoing
	for i := range 300 {
		msgs = append(msgs, eventstore.Outgoing{Subject: fmt.Sprint("amity.demo.notify.u", i%7), MsgID: fmt.Sprint("n", i), Data: []byte(fmt.Sprint(i))})
	}
	if err := s.Publish(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	for i, want := range msgs {
		m, err := sub.NextMsg(5 * time.Second)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if m.Subject != want.Subject || string(m.Data) != string(want.Data) || m.Header.Get(jetstream.MsgIDHeader) != want.MsgID {
			t.Fatalf("message %d: %s %s %v, want %s %s %s", i, m.Subject, m.Data, m.Header, want.Subject, want.Data, want.MsgID)
		}
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	for name := range js.StreamNames(ctx).Name() {
		st, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, subj := range st.CachedInfo().Config.Subjects {
			if subj == "amity.*.notify.*" || subj == "amity.>" {
				t.Errorf("stream %s stores notifications (%s)", name, subj)
			}
		}
	}
	if has, err := s.HasStream(ctx, eventstore.NotifyStream); err != nil || has {
		t.Errorf("HasStream(%s) = %v, %v; nothing makes it any more", eventstore.NotifyStream, has, err)
	}
}
