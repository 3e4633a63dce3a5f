package writer_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// TestWaitingRequestsAreCapped: one user's waiting requests, sent and
// received each, stop at the app's cap, also when they come at once from
// many callers over every partition; a request answered or expired makes
// room, and sending again to a user already asked takes none.
func TestWaitingRequestsAreCapped(t *testing.T) {
	for _, parts := range []int{1, domain.LegacyPartitions} {
		t.Run(fmt.Sprint(parts, " partitions"), func(t *testing.T) {
			const limit, many = 5, 40
			core := testenv.Start(t)
			ctx := context.Background()
			app := &domain.App{Name: "demo", MaxPendingRequests: limit, Partitions: parts}
			users := []domain.Command{domain.RegisterUser{User: "hub"}}
			for i := range many {
				users = append(users, domain.RegisterUser{User: fmt.Sprint("u", i)})
			}
			for _, r := range core.Writer.Execute(ctx, app, domain.Meta{}, users...) {
				if r.Err != nil {
					t.Fatal(r.Err)
				}
			}
			count := func(cmds []domain.Command) (ok, capped int) {
				t.Helper()
				var wg sync.WaitGroup
				var mu sync.Mutex
				for _, c := range cmds {
					wg.Add(1)
					go func() {
						defer wg.Done()
						r := core.Writer.Execute(ctx, app, domain.Meta{}, c)[0]
						mu.Lock()
						defer mu.Unlock()
						switch {
						case r.Err == nil:
							ok++
						case errors.Is(r.Err, domain.ErrRequestLimit):
							capped++
						default:
							t.Errorf("%+v: %v", c, r.Err)
						}
					}()
				}
				wg.Wait()
				return ok, capped
			}
			// Sent: hub asks all of them at once.
			var sent, received []domain.Command
			for i := range many {
				sent = append(sent, domain.SendRequest{User: "hub", Target: fmt.Sprint("u", i)})
				received = append(received, domain.SendRequest{User: fmt.Sprint("u", i), Target: "hub"})
			}
			if ok, capped := count(sent); ok != limit || capped != many-limit {
				t.Errorf("hub sending %d at once: %d sent, %d capped; want %d and %d", many, ok, capped, limit, many-limit)
			}
			// Asking again one already asked takes no room.
			waiting := core.Model.Requests("demo", "hub", true)
			if len(waiting) != limit {
				t.Fatalf("hub has %d waiting requests, want %d", len(waiting), limit)
			}
			if ok, _ := count([]domain.Command{domain.SendRequest{User: "hub", Target: waiting[0].To}}); ok != 1 {
				t.Errorf("sending again to %s was refused", waiting[0].To)
			}
			// An answer makes room for one more: the four still waiting are
			// sent again, one new one takes the room.
			if ok, _ := count([]domain.Command{domain.RejectRequest{User: waiting[0].To, From: "hub"}}); ok != 1 {
				t.Fatal("reject failed")
			}
			if ok, capped := count(sent); ok != limit || capped != many-limit {
				t.Errorf("after one answer: %d sent, %d capped; want %d (4 again, 1 new) and %d", ok, capped, limit, many-limit)
			}
			// Received: everyone asks hub at once.
			if ok, capped := count(received); ok != limit || capped != many-limit {
				t.Errorf("%d asking hub at once: %d sent, %d capped; want %d and %d", many, ok, capped, limit, many-limit)
			}
			// Expired requests wait no more.
			core.Advance(domain.DefaultRequestExpiry + time.Minute)
			if ok, capped := count(received); ok != limit || capped != many-limit {
				t.Errorf("after the requests expired: %d sent, %d capped; want %d and %d", ok, capped, limit, many-limit)
			}
		})
	}
}
