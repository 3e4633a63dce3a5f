package writer_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/projections"
)

// TestAcceptsAndAddsAtTheCap races 100 accepts of requests to one user and
// 100 direct two-way adds of the same user, all at once, with room for 10
// more friends: exactly 10 succeed, the rest fail at the cap, and the final
// state equals a replay of the stream. It runs on one partition and on 64,
// where the pairs' commits are decided concurrently.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestAcceptsAndAddsAtTheCap(t *testing.T) {
	for _, parts := range []int{1, domain.LegacyPartitions} {
		t.Run(fmt.Sprint(parts, " partitions"), func(t *testing.T) {
			const max, have, each = 50, 40, 100
			core := testenv.Start(t)
			ctx := context.Background()
			app := &domain.App{Name: "demo", MaxFriends: max, Partitions: parts}
			run := func(cmds ...domain.Command) {
				t.Helper()
				for i, r := range core.Writer.Execute(ctx, app, domain.Meta{}, cmds...) {
					if r.Err != nil {
						t.Fatalf("setup command %d: %v", i, r.Err)
					}
				}
			}
			users := []domain.Command{domain.RegisterUser{User: "hub"}}
			for i := range each {
				users = append(users, domain.RegisterUser{User: fmt.Sprint("asker", i)}, domain.RegisterUser{User: fmt.Sprint("adder", i)})
			}
			for i := range have {
				users = append(users, domain.RegisterUser{User: fmt.Sprint("old", i)})
			}
			run(users...)
			var setup []domain.Command
			for i := range have {
				setup = append(setup, domain.AddFriend{User: "hub", Friend: fmt.Sprint("old", i), Reverse: &domain.Entry{}})
			}
			for i := range each {
				setup = append(setup, domain.SendRequest{User: fmt.Sprint("asker", i), Target: "hub"})
			}
			run(setup...)

			var ok, full atomic.Int64
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range each {
				for _, cmd := range []domain.Command{
					domain.AcceptRequest{User: "hub", From: fmt.Sprint("asker", i)},
					domain.AddFriend{User: fmt.Sprint("adder", i), Friend: "hub", Reverse: &domain.Entry{}},
				} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						switch err := core.Writer.Execute(ctx, app, domain.Meta{}, cmd)[0].Err; {
						case err == nil:
							ok.Add(1)
						case errors.Is(err, domain.ErrLimit):
							full.Add(1)
						default:
							t.Errorf("%T: %v", cmd, err)
						}
					}()
				}
			}
			close(start)
			wg.Wait()
			if ok.Load() != max-have || full.Load() != 2*each-(max-have) {
				t.Errorf("%d succeeded and %d met the cap, want %d and %d", ok.Load(), full.Load(), max-have, 2*each-(max-have))
			}
			if n := core.Model.FriendCount("demo", "hub"); n != max {
				t.Errorf("hub has %d friends, want exactly the cap %d", n, max)
			}
			waiting := 0
			for _, r := range core.Model.Requests("demo", "hub", false) {
				if r.State == domain.RequestWaiting {
					waiting++
				}
			}
			accepted := each - waiting
			if friendsOfAskers := countFriends(core.Model, "asker", each); friendsOfAskers != accepted {
				t.Errorf("%d askers are friends of hub, but %d requests were accepted", friendsOfAskers, accepted)
			}
			replayed, _, err := projections.Replay(ctx, core.Store, core.LastSeq(), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if replayed.Digest().Sum != core.Model.Digest().Sum {
				t.Error("a replay of the stream differs from the live state")
			}
		})
	}
}

// countFriends counts the users prefix0..prefix(n-1) who have any friend.
func countFriends(m *projections.Model, prefix string, n int) int {
	c := 0
	for i := range n {
		if m.FriendCount("demo", fmt.Sprint(prefix, i)) > 0 {
			c++
		}
	}
	return c
}
