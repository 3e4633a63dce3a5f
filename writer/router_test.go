package writer_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore/memory"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/projections"
	"github.com/amity-im/amity/writer"
)

// lease is one switchable write lease shared by the test's instances.
type lease struct {
	mu     sync.Mutex
	holder string
}

func (l *lease) set(h string) { l.mu.Lock(); l.holder = h; l.mu.Unlock() }

type view struct {
	l  *lease
	id string
}

func (v view) Holder(string) (string, bool) {
	v.l.mu.Lock()
	defer v.l.mu.Unlock()
	return v.l.holder, v.l.holder == v.id
}

// wire carries calls between routers in process; drop makes the next
// forward lose its answer after the holder ran it.
type wire struct {
	routers   map[string]*writer.Router
	drop      atomic.Bool
	afterDrop func()
	sent      atomic.Int64
	// gate, when set, holds each forward until it is closed; inFlight and
	// most count the forwards held at once.
	gate           chan struct{}
	inFlight, most atomic.Int64
}

func (w *wire) Forward(ctx context.Context, holder, _ string, call []byte) ([]byte, error) {
	w.sent.Add(1)
	if w.gate != nil {
		n := w.inFlight.Add(1)
		defer w.inFlight.Add(-1)
		for m := w.most.Load(); n > m && !w.most.CompareAndSwap(m, n); m = w.most.Load() {
		}
		<-w.gate
	}
	r, ok := w.routers[holder]
	if !ok {
		return nil, errors.New("no responders")
	}
	answer, err := r.Handle(ctx, call)
	if err == nil && w.drop.CompareAndSwap(true, false) {
		if w.afterDrop != nil {
			w.afterDrop()
		}
		return nil, context.DeadlineExceeded
	}
	return answer, err
}

type instance struct {
	model  *projections.Model
	router *writer.Router
}

func twoInstances(t *testing.T, app *domain.App) (*memory.Store, *lease, *wire, map[string]*instance) {
	t.Helper()
	store := memory.New()
	l := &lease{holder: "a"}
	w := &wire{routers: map[string]*writer.Router{}}
	out := map[string]*instance{}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for _, id := range []string{"a", "b"} {
		m := projections.NewModel()
		go func() { _ = projections.Follow(ctx, store, m, 1, slog.New(slog.DiscardHandler)) }()
		local := writer.New(writer.Config{Log: store, State: m, NewID: newID, Now: time.Now})
		t.Cleanup(local.Close)
		r := writer.NewRouter(writer.RouterConfig{Local: local, Leases: view{l, id}, Transport: w, Apps: []*domain.App{app},
			Wait: m.WaitFollowed, Recent: func(ctx context.Context, _ string, _ time.Time, fn func(domain.Record) error) error {
				return store.Scan(ctx, []string{"amity.>"}, 1, ^uint64(0), fn)
			}, NewID: newID, Logger: slog.New(slog.DiscardHandler)})
		w.routers[id] = r
		out[id] = &instance{model: m, router: r}
	}
	return store, l, w, out
}

func register(t *testing.T, r *writer.Router, app *domain.App, users ...string) {
	t.Helper()
	var cmds []domain.Command
	for _, u := range users {
		cmds = append(cmds, domain.RegisterUser{User: u})
	}
	for _, res := range r.Execute(context.Background(), app, domain.Meta{RequestID: newID()}, cmds...) {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	}
}

// TestForwardedCallsRunOnTheHolder: a call through the instance without
// the lease runs on the holder, and its answer comes once the forwarding
// instance's own read model holds it; when the lease passes on, calls
// follow it.
func TestForwardedCallsRunOnTheHolder(t *testing.T) {
	app := &domain.App{Name: "demo"}
	_, l, w, in := twoInstances(t, app)
	register(t, in["b"].router, app, "x", "y", "z")
	if w.sent.Load() != 1 {
		t.Fatalf("%d forwards for one call through b", w.sent.Load())
	}
	res := in["b"].router.Execute(context.Background(), app, domain.Meta{RequestID: "r1"}, domain.AddFriend{User: "x", Friend: "y", Reverse: &domain.Entry{}})
	if res[0].Err != nil || res[0].Event == nil || res[0].Seq == 0 {
		t.Fatalf("forwarded add: %+v", res[0])
	}
	if !in["b"].model.Pair("demo", "x", "y").AHasB {
		t.Error("b answered before its read model held the add")
	}
	// Errors come back as the domain's own.
	res = in["b"].router.Execute(context.Background(), app, domain.Meta{RequestID: "r2"}, domain.AddFriend{User: "x", Friend: "y", Reverse: &domain.Entry{}})
	if !errors.Is(res[0].Err, domain.ErrAlreadyFriends) {
		t.Errorf("forwarded repeat add: %v, want ErrAlreadyFriends", res[0].Err)
	}
	l.set("b")
	before := w.sent.Load()
	if res := in["b"].router.Execute(context.Background(), app, domain.Meta{RequestID: "r3"}, domain.AddFriend{User: "x", Friend: "z"}); res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	if w.sent.Load() != before {
		t.Error("b forwarded a call of an app whose lease it holds")
	}
	answer, err := in["a"].router.Handle(context.Background(), domain.AppendFrame(nil, 0, mustCall(t, domain.Call{ID: "c", App: "demo"})))
	if kinds, _, ferr := domain.Frames(answer); err != nil || ferr != nil || len(kinds) != 1 || kinds[0] != 1 {
		t.Errorf("a former holder handled a call: %v, %v, %v", kinds, err, ferr)
	}
}

// TestForwardsUnderWayAreBounded: at most four batches go to a holder at
// once, also when each call finds no other waiting; the calls that come
// meanwhile wait and leave together.
func TestForwardsUnderWayAreBounded(t *testing.T) {
	app := &domain.App{Name: "demo"}
	_, _, w, in := twoInstances(t, app)
	users := []string{"hub"}
	for i := range 12 {
		users = append(users, "u"+string(rune('a'+i)))
	}
	register(t, in["b"].router, app, users...)
	w.gate = make(chan struct{})
	before := w.sent.Load()
	var wg sync.WaitGroup
	errs := make(chan error, len(users))
	for i, u := range users[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := in["b"].router.Execute(context.Background(), app, domain.Meta{RequestID: "r" + u}, domain.AddFriend{User: "hub", Friend: u, Reverse: &domain.Entry{}})
			errs <- res[0].Err
		}()
		// The first four leave at once, each alone; the rest wait.
		want := int64(min(i+1, 4))
		testenv.Eventually(5*time.Second, func() bool { return w.inFlight.Load() >= want })
	}
	// A fifth forward would show within moments.
	if !testenv.Holds(50*time.Millisecond, func() bool { return w.most.Load() <= 4 }) || w.most.Load() != 4 {
		t.Errorf("%d forwards under way at once, want 4", w.most.Load())
	}
	close(w.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if sent := w.sent.Load() - before; sent < 5 || sent > 6 {
		t.Errorf("%d forwards for 12 calls, want the first 4 alone and the other 8 in one or two batches", sent)
	}
	if got := in["b"].model.FriendCount("demo", "hub"); got != 12 {
		t.Errorf("hub has %d friends, want 12", got)
	}
}

func mustCall(t *testing.T, c domain.Call) []byte {
	t.Helper()
	data, err := domain.MarshalCall(c)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestACallSentAgainRunsOnce: a forwarded call whose answer was lost is
// sent again; the holder (the same one, or the next) answers what the
// first run stored from the stream, and runs only the rest.
func TestACallSentAgainRunsOnce(t *testing.T) {
	app := &domain.App{Name: "demo"}
	store, l, w, in := twoInstances(t, app)
	register(t, in["a"].router, app, "x", "y", "z", "q")
	for _, next := range []string{"a", "b"} {
		l.set("a")
		// b forwards to a, whose answer is lost; b sends it again, to the
		// holder then: a again, or b itself.
		w.afterDrop = func() { l.set(next) }
		w.drop.Store(true)
		user := map[string]string{"a": "y", "b": "z"}[next]
		res := in["b"].router.Execute(context.Background(), app, domain.Meta{RequestID: "again-" + next},
			domain.AddFriend{User: "x", Friend: user, Reverse: &domain.Entry{}}, domain.AddFriend{User: "x", Friend: "x"})
		if res[0].Err != nil || res[0].Event == nil {
			t.Fatalf("holder %s: the add sent again answered %+v; the first run stored it", next, res[0])
		}
		if !errors.Is(res[1].Err, domain.ErrSelf) {
			t.Errorf("holder %s: the refused command sent again: %v", next, res[1].Err)
		}
	}
	adds := 0
	_ = store.Scan(context.Background(), []string{"amity.>"}, 1, ^uint64(0), func(r domain.Record) error {
		c, err := domain.DecodeRecord(r)
		if err != nil {
			return err
		}
		for _, ev := range c.Events {
			if ev.Type == domain.TypeFriendAdded {
				adds++
			}
		}
		return nil
	})
	if adds != 2 {
		t.Errorf("%d FriendAdded events stored for 2 adds", adds)
	}
}
