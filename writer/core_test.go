package writer_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/internal/testenv/jstest"
	"github.com/amity-im/amity/projections"
	"github.com/amity-im/amity/writer"
)

// TestCoreIDsAreData drives the core (Writer, JetStream, projections) with
// IDs that would break NATS subjects, including '*', which the ZIM surface's
// charset refuses but other surfaces allow.
func TestCoreIDsAreData(t *testing.T) {
	t.Parallel()
	ctx, store, _ := jstest.StartJetStream(t)
	model := projections.NewModel()
	go func() { _ = projections.Follow(ctx, store, model, 1, slog.New(slog.DiscardHandler)) }()
	w := writer.New(writer.Config{Log: store, State: model, NewID: newID, Now: time.Now})
	defer w.Close()

	app := &domain.App{Name: "demo"}
	odd := []string{"star*", "dot.ted", "sp ace", "gt>", "br{ace", "pi|pe", "all .*>{|"}
	var cmds []domain.Command
	for _, id := range odd {
		cmds = append(cmds, domain.RegisterUser{User: id})
	}
	for i, r := range w.Execute(ctx, app, domain.Meta{}, cmds...) {
		if r.Err != nil {
			t.Fatalf("register %q: %v", odd[i], r.Err)
		}
	}
	cmds = cmds[:0]
	for i := range odd {
		for j := i + 1; j < len(odd); j++ {
			cmds = append(cmds, domain.AddFriend{User: odd[i], Friend: odd[j], Reverse: &domain.Entry{}})
		}
	}
	for _, r := range w.Execute(ctx, app, domain.Meta{}, cmds...) {
		if r.Err != nil {
			t.Fatalf("add: %v", r.Err)
		}
	}
	for _, id := range odd {
		if n := model.FriendCount("demo", id); n != len(odd)-1 {
			t.Errorf("FriendCount(%q) = %d, want %d", id, n, len(odd)-1)
		}
	}
	rebuilt := projections.NewModel()
	rctx, rcancel := context.WithCancel(ctx)
	go func() { _ = projections.Follow(rctx, store, rebuilt, 1, slog.New(slog.DiscardHandler)) }()
	if err := projections.CatchUp(ctx, store, rebuilt); err != nil {
		t.Fatal(err)
	}
	rcancel()
	for _, a := range odd {
		for _, b := range odd {
			if a == b {
				continue
			}
			ab, ba := rebuilt.Relation("demo", a, b)
			if !ab || !ba {
				t.Errorf("replayed Relation(%q, %q) = %v, %v, want true, true", a, b, ab, ba)
			}
		}
	}
}

// TestLostRacesAreDecidedAgain runs two writers on one app with one
// partition: they lose appends to each other constantly, and every
// command must still succeed exactly once.
func TestLostRacesAreDecidedAgain(t *testing.T) { lostRaces(t, domain.DefaultPartitions) }

// TestLostRacesOverLegacyPartitions does the same for an app spread over
// the partition count of apps that predate recorded counts.
func TestLostRacesOverLegacyPartitions(t *testing.T) { lostRaces(t, domain.LegacyPartitions) }

// lostRaces is one scenario, told in order: each step builds on the
// state the steps before it left, so it stays one function.
func lostRaces(t *testing.T, partitions int) {
	ctx, store, nc := jstest.StartJetStream(t)
	a, b := jstest.NewInstance(t, ctx, store), jstest.NewInstance(t, ctx, store)
	app := &domain.App{Name: "demo", Partitions: partitions}
	people := userIDs("r", 40)
	var reg []domain.Command
	for _, p := range people {
		reg = append(reg, domain.RegisterUser{User: p})
	}
	for _, r := range a.Writer.Execute(ctx, app, domain.Meta{}, reg...) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if err := projections.CatchUp(ctx, store, b.Model); err != nil {
		t.Fatal(err)
	}
	// Each jsInstance adds its own half of the pairs, one command per call,
	// from 8 goroutines each.
	var pairs [][2]string
	for i := range people {
		for j := i + 1; j < len(people); j++ {
			pairs = append(pairs, [2]string{people[i], people[j]})
		}
	}
	errs := make(chan error, len(pairs))
	var wg sync.WaitGroup
	for g := range 16 {
		inst := a
		if g%2 == 1 {
			inst = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := g; k < len(pairs); k += 16 {
				p := pairs[k]
				r := inst.Writer.Execute(ctx, app, domain.Meta{}, domain.AddFriend{User: p[0], Friend: p[1], Reverse: &domain.Entry{}})[0]
				if r.Err != nil {
					errs <- fmt.Errorf("add %v: %w", p, r.Err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	last, err := store.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, inst := range map[string]*jstest.Instance{"a": a, "b": b} {
		if err := inst.Model.WaitFollowed(ctx, last); err != nil {
			t.Fatal(err)
		}
		for _, p := range people {
			if n := inst.Model.FriendCount("demo", p); n != len(people)-1 {
				t.Errorf("jsInstance %s: FriendCount(%s) = %d, want %d", name, p, n, len(people)-1)
			}
		}
	}
	// Each pair was added once: one FriendAdded per pair on the stream.
	added := 0
	for seq := uint64(1); seq <= last; seq++ {
		msg, err := nc.Request("$JS.API.DIRECT.GET."+eventstore.StreamName, []byte(fmt.Sprintf(`{"seq":%d}`, seq)), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c, err := domain.UnmarshalCommit(msg.Data)
		if err != nil {
			t.Fatalf("seq %d: %v", seq, err)
		}
		for _, ev := range c.Events {
			if ev.Type == domain.TypeFriendAdded {
				added++
			}
		}
	}
	if added != len(pairs) {
		t.Errorf("%d FriendAdded events on the stream for %d pairs", added, len(pairs))
	}
}

// userIDs are n user IDs: prefix0, prefix1, ...
func userIDs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(prefix, i)
	}
	return out
}
