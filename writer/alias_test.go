package writer_test

import (
	"testing"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/testenv/jstest"
)

// TestAKeptAliasIsTakenOnceInACommit: the commands of one commit see the
// alias a delete before them kept, and an add before them that took it.
func TestAKeptAliasIsTakenOnceInACommit(t *testing.T) {
	t.Parallel()
	ctx, store, _ := jstest.StartJetStream(t)
	in := jstest.NewInstance(t, ctx, store)
	app := &domain.App{Name: "demo"}
	run := func(cmds ...domain.Command) {
		t.Helper()
		for i, r := range in.Writer.Execute(ctx, app, domain.Meta{}, cmds...) {
			if r.Err != nil {
				t.Fatalf("command %d (%T): %v", i, cmds[i], r.Err)
			}
		}
	}
	alias := func(owner, friend string) string {
		t.Helper()
		e, ok := in.Model.Entry("demo", owner, friend)
		if !ok {
			t.Fatalf("%s has no %s", owner, friend)
		}
		return e.Alias
	}
	run(domain.RegisterUser{User: "a"}, domain.RegisterUser{User: "b"}, domain.RegisterUser{User: "c"})
	run(domain.AddFriend{User: "a", Friend: "b", Entry: domain.Entry{Alias: "Bee"}, Reverse: &domain.Entry{}},
		domain.AddFriend{User: "a", Friend: "c", Entry: domain.Entry{Alias: "Sea"}, Reverse: &domain.Entry{}})

	// Kept and taken again in one commit.
	run(domain.DeleteFriend{User: "a", Friend: "b", KeepAlias: true}, domain.AddFriend{User: "a", Friend: "b"})
	if got := alias("a", "b"); got != "Bee" {
		t.Errorf("a's alias for b after a delete keeping it and an add = %q, want Bee", got)
	}
	// Kept in one commit, taken by an add, then gone: the next delete drops
	// it and the add after it starts bare.
	run(domain.DeleteFriend{User: "a", Friend: "c", KeepAlias: true})
	run(domain.AddFriend{User: "a", Friend: "c"}, domain.DeleteFriend{User: "a", Friend: "c"}, domain.AddFriend{User: "a", Friend: "c"})
	if got := alias("a", "c"); got != "" {
		t.Errorf("a's alias for c = %q: a kept alias was taken twice", got)
	}
}
