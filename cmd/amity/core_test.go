package main

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/projections"
	"github.com/amity-im/amity/writer"
	"github.com/nats-io/nats.go"
)

// startCore starts an embedded JetStream on a loopback port and opens the
// stream on it; everything stops with the test.
func startCore(t *testing.T) (context.Context, *eventstore.Store, *nats.Conn) {
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

// TestCoreIDsAreData drives the core (Writer, JetStream, projections) with
// IDs that would break NATS subjects, including '*', which the ZIM surface's
// charset refuses but other surfaces allow.
func TestCoreIDsAreData(t *testing.T) {
	t.Parallel()
	ctx, store, _ := startCore(t)
	model := projections.NewModel()
	go func() { _ = projections.Follow(ctx, store, model, 1, slog.New(slog.DiscardHandler)) }()
	w := writer.New(writer.Config{Log: store, State: model, NewID: newIDSource().New, Now: time.Now})
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

// TestImportGraph holds the layout: domain imports nothing but the standard
// library and its own subpackages (which import only the standard library
// too), the adapters do not import each other, and the read models send
// nothing over HTTP.
func TestImportGraph(t *testing.T) {
	t.Parallel()
	const mod = "github.com/amity-im/amity/"
	forbidden := map[string][]string{
		"domain":       {"eventstore", "projections", "http", "cmd", "writer", "delivery"},
		"eventstore":   {"projections", "http", "cmd", "writer", "delivery"},
		"projections":  {"eventstore", "http", "cmd", "writer", "delivery"},
		"writer":       {"eventstore", "projections", "http", "cmd", "delivery"},
		"delivery":     {"eventstore", "projections", "http", "cmd", "writer"},
		"http":         {"eventstore", "projections", "cmd", "http/zim", "http/tencent", "writer"},
		"http/zim":     {"eventstore", "projections", "cmd", "http/tencent", "writer"},
		"http/tencent": {"eventstore", "projections", "cmd", "http/zim", "writer"},
		"http/native":  {"eventstore", "projections", "cmd", "http/zim", "http/tencent", "writer"},
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if pkg == "projections" && dep == "net/http" {
				t.Errorf("projections imports net/http; read models send nothing (delivery does)")
			}
			if pkg == "domain" && dep != mod+"domain" && !strings.HasPrefix(dep, mod+"domain/") && strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") {
				t.Errorf("domain imports %s; it may use only the standard library", dep)
			}
			for _, b := range bad {
				if dep == mod+b || strings.HasPrefix(dep, mod+b+"/") {
					t.Errorf("%s imports %s", pkg, dep)
				}
			}
		}
	}
}

// instance is one Writer with its own read model following a shared stream,
// as a second Amity process on the same cluster would be.
type instance struct {
	model *projections.Model
	w     *writer.Writer
}

func newInstance(t *testing.T, ctx context.Context, store *eventstore.Store) *instance {
	t.Helper()
	m := projections.NewModel()
	go func() { _ = projections.Follow(ctx, store, m, 1, slog.New(slog.DiscardHandler)) }()
	if err := projections.CatchUp(ctx, store, m); err != nil {
		t.Fatal(err)
	}
	w := writer.New(writer.Config{Log: store, State: m, NewID: newIDSource().New, Now: time.Now})
	t.Cleanup(w.Close)
	return &instance{model: m, w: w}
}

// TestLostRacesAreDecidedAgain runs two writers on one app with one
// partition: they lose appends to each other constantly, and every
// command must still succeed exactly once.
func TestLostRacesAreDecidedAgain(t *testing.T) { lostRaces(t, domain.DefaultPartitions) }

// TestLostRacesOverLegacyPartitions does the same for an app spread over
// the partition count of apps that predate recorded counts.
func TestLostRacesOverLegacyPartitions(t *testing.T) { lostRaces(t, domain.LegacyPartitions) }

func lostRaces(t *testing.T, partitions int) {
	ctx, store, nc := startCore(t)
	a, b := newInstance(t, ctx, store), newInstance(t, ctx, store)
	app := &domain.App{Name: "demo", Partitions: partitions}
	people := ids("r", 40)
	var reg []domain.Command
	for _, p := range people {
		reg = append(reg, domain.RegisterUser{User: p})
	}
	for _, r := range a.w.Execute(ctx, app, domain.Meta{}, reg...) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if err := projections.CatchUp(ctx, store, b.model); err != nil {
		t.Fatal(err)
	}
	// Each instance adds its own half of the pairs, one command per call,
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
				r := inst.w.Execute(ctx, app, domain.Meta{}, domain.AddFriend{User: p[0], Friend: p[1], Reverse: &domain.Entry{}})[0]
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
	for name, inst := range map[string]*instance{"a": a, "b": b} {
		if err := inst.model.WaitFollowed(ctx, last); err != nil {
			t.Fatal(err)
		}
		for _, p := range people {
			if n := inst.model.FriendCount("demo", p); n != len(people)-1 {
				t.Errorf("instance %s: FriendCount(%s) = %d, want %d", name, p, n, len(people)-1)
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
