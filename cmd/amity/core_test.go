package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/projections"
	"github.com/nats-io/nats.go"
)

// TestCoreIDsAreData drives the core (Writer, JetStream, projections) with
// IDs that would break NATS subjects, including '*', which the ZIM surface's
// charset refuses but other surfaces allow.
func TestCoreIDsAreData(t *testing.T) {
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := eventstore.Open(ctx, nc, eventstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	model := projections.NewModel()
	go func() { _ = projections.Follow(ctx, store, model, 1) }()
	w := domain.NewWriter(domain.WriterConfig{Log: store, State: model, NewID: newIDSource().New, Now: time.Now})
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
	go func() { _ = projections.Follow(rctx, store, rebuilt, 1) }()
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

// TestImportGraph holds the layout: domain imports nothing of ours, and the
// adapters do not import each other.
func TestImportGraph(t *testing.T) {
	const mod = "github.com/amity-im/amity/"
	forbidden := map[string][]string{
		"domain":      {"eventstore", "projections", "http", "cmd"},
		"eventstore":  {"projections", "http", "cmd"},
		"projections": {"eventstore", "http", "cmd"},
		"http/zim":    {"eventstore", "projections", "cmd"},
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if pkg == "domain" && dep != mod+"domain" && strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") {
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
