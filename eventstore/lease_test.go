package eventstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/nats-io/nats.go/jetstream"
)

// waitHolder waits until l sees want hold app's lease (mine: as its own).
func waitHolder(t *testing.T, l *eventstore.Leases, app, want string, mine bool) {
	t.Helper()
	if testenv.Eventually(10*time.Second, func() bool { h, m := l.Holder(app); return h == want && m == mine }) {
		return
	}
	h, m := l.Holder(app)
	t.Fatalf("%s sees holder %q (mine %v) of %s, want %q (%v)", l.ID(), h, m, app, want, mine)
}

// TestOneInstanceHoldsAnAppsLease: of two instances, one takes each app's
// lease and keeps it while it renews; the other sees it. The lease of one
// that stops renewing lapses to the other; one given back passes at once.
func TestOneInstanceHoldsAnAppsLease(t *testing.T) {
	s, _ := startStore(t)
	ctx := context.Background()
	a, err := s.Leases(ctx, "a", []string{"demo"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Leases(ctx, "b", []string{"demo"})
	if err != nil {
		t.Fatal(err)
	}
	actx, stopA := context.WithCancel(ctx)
	doneA := make(chan struct{})
	go func() { defer close(doneA); _ = a.Run(actx) }()
	waitHolder(t, a, "demo", "a", true)
	bctx, stopB := context.WithCancel(ctx)
	defer stopB()
	go func() { _ = b.Run(bctx) }()
	waitHolder(t, b, "demo", "a", false)
	// Renewed: still a's all through a lease's lifetime and more.
	if !testenv.Holds(eventstore.LeaseTTL+time.Second, func() bool {
		hb, mb := b.Holder("demo")
		ha, ma := a.Holder("demo")
		return hb == "a" && !mb && ha == "a" && ma
	}) {
		t.Fatal("a's renewed lease lapsed")
	}
	// Given back on a clean stop: b takes it at its next look.
	start := time.Now()
	stopA()
	<-doneA
	waitHolder(t, b, "demo", "b", true)
	t.Logf("taken %s after it was given back", time.Since(start).Round(time.Millisecond))
	if h, mine := a.Holder("demo"); mine {
		t.Errorf("a still holds the lease it gave back (%q)", h)
	}
}

// TestALapsedLeasePassesOn: an instance that dies without giving its lease
// back loses it LeaseTTL after its last renewal, and the other takes it.
func TestALapsedLeasePassesOn(t *testing.T) {
	ns, nc := startEmbedded(t, eventstore.EmbeddedConfig{})
	ctx := context.Background()
	s, err := eventstore.Open(ctx, nc, eventstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	// a has a connection of its own, which dies with it.
	ncA, err := ns.Connect()
	if err != nil {
		t.Fatal(err)
	}
	sA, err := eventstore.Open(ctx, ncA, eventstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := sA.Leases(ctx, "a", []string{"demo"})
	b, _ := s.Leases(ctx, "b", []string{"demo"})
	actx, stopA := context.WithCancel(ctx)
	defer stopA()
	go func() { _ = a.Run(actx) }()
	waitHolder(t, a, "demo", "a", true)
	bctx, stopB := context.WithCancel(ctx)
	defer stopB()
	go func() { _ = b.Run(bctx) }()
	waitHolder(t, b, "demo", "a", false)
	ncA.Close() // a dies: no renewal, nothing given back
	died := time.Now()
	waitHolder(t, b, "demo", "b", true)
	took := time.Since(died)
	t.Logf("taken %s after the holder died", took.Round(time.Millisecond))
	if took < eventstore.LeaseTTL-time.Second {
		t.Errorf("taken %s after the holder died, before its lease could lapse", took)
	}
	// a's own view: it stops deciding once its last renewal is too old.
	if !testenv.Eventually(5*time.Second, func() bool { _, mine := a.Holder("demo"); return !mine }) {
		t.Fatal("a, cut off, still takes itself for the holder")
	}
}

// TestCallsReachTheHolderOnly: a forwarded call reaches the instance it
// names and comes back with its answer; an instance without the lease says
// so; a call to an instance that is gone finds nobody.
func TestCallsReachTheHolderOnly(t *testing.T) {
	s, _ := startStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := s.Calls()
	go func() {
		_ = calls.Serve(ctx, "holder", func(_ context.Context, data []byte) ([]byte, error) {
			return append([]byte("ran "), data...), nil
		})
	}()
	go func() {
		_ = calls.Serve(ctx, "former", func(context.Context, []byte) ([]byte, error) { return nil, domain.ErrNotHolder })
	}()
	var answer []byte
	var err error
	testenv.Eventually(5*time.Second, func() bool {
		answer, err = calls.Forward(ctx, "holder", "demo", []byte("x"))
		return err == nil
	})
	if err != nil || string(answer) != "ran x" {
		t.Fatalf("Forward to the holder = %q, %v", answer, err)
	}
	if _, err := calls.Forward(ctx, "former", "demo", []byte("x")); !errors.Is(err, domain.ErrNotHolder) {
		t.Errorf("Forward to a former holder: %v, want domain.ErrNotHolder", err)
	}
	fctx, stop := context.WithTimeout(ctx, 2*time.Second)
	defer stop()
	if _, err := calls.Forward(fctx, "gone", "demo", []byte("x")); err == nil || errors.Is(err, domain.ErrNotHolder) {
		t.Errorf("Forward to nobody: %v", err)
	}
}

// TestRecentReadsAnAppsCommitsSinceATime: only the app's commits, from
// about the time given on.
func TestRecentReadsAnAppsCommitsSinceATime(t *testing.T) {
	s, _ := startStore(t)
	ctx := context.Background()
	if _, err := s.Append(ctx, "amity.demo.rel.0", 0, "old", []byte(`old`)); err != nil {
		t.Fatal(err)
	}
	// A moment that the stream's clock has passed after the old commit.
	old := time.Now()
	testenv.WaitFor(t, time.Second, "a later millisecond", func() bool { return time.Since(old) > 50*time.Millisecond })
	since := time.Now()
	var last uint64
	for _, c := range []string{"n1", "n2", "n3"} {
		seq, err := s.Append(ctx, "amity.demo.rel.0", max(last, 1), c, []byte(c))
		if err != nil {
			t.Fatal(err)
		}
		last = seq
	}
	if _, err := s.Append(ctx, "amity.other.rel.0", 0, "o", []byte(`other`)); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := s.Recent(ctx, "demo", since, func(r domain.Record) error {
		got = append(got, string(r.Data))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "n1,n2,n3" {
		t.Errorf("Recent(demo) = %v, want n1,n2,n3", got)
	}
}

// heldLease runs instance a's leases of app demo until the test ends and
// returns them once a holds demo's, with the lease bucket.
func heldLease(t *testing.T) (*eventstore.Leases, jetstream.KeyValue) {
	t.Helper()
	s, nc := startStore(t)
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	a, err := s.Leases(ctx, "a", []string{"demo"})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a.Run(ctx) }()
	waitHolder(t, a, "demo", "a", true)
	js, _ := jetstream.New(nc)
	kv, err := js.KeyValue(ctx, eventstore.LeasesBucket)
	if err != nil {
		t.Fatal(err)
	}
	return a, kv
}

// TestALeaseTakenOverIsSeen: a holder whose lease another instance took
// (it was paused past its lease) sees the new holder and stops writing.
func TestALeaseTakenOverIsSeen(t *testing.T) {
	ctx := context.Background()
	a, kv := heldLease(t)
	if _, err := kv.Put(ctx, "demo", []byte("b")); err != nil {
		t.Fatal(err)
	}
	waitHolder(t, a, "demo", "b", false)
}

// TestALostRenewalAnswerKeepsTheLease: a renewal that went through but
// whose answer was lost (here: the lease written again behind the
// holder's back, with its own ID) leaves the holder's revision stale; the
// holder sees its own ID at a later revision and renews from it, and never
// stops holding a valid lease meanwhile.
func TestALostRenewalAnswerKeepsTheLease(t *testing.T) {
	ctx := context.Background()
	a, kv := heldLease(t)
	for {
		e, err := kv.Get(ctx, "demo")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Update(ctx, "demo", []byte("a"), e.Revision()); err == nil {
			break
		}
	}
	if !testenv.Holds(2*time.Second, func() bool { holder, valid := a.Holder("demo"); return holder == "a" && valid }) {
		holder, valid := a.Holder("demo")
		t.Fatalf("after a renewal whose answer was lost: holder %q, valid %v", holder, valid)
	}
}
