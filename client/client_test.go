package client_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amity-im/amity/client"
	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/jstest"
	"github.com/nats-io/nats.go"
)

const (
	subscriber, subscriberPW = jstest.Subscriber, jstest.SubscriberPassword
	admin, adminPW           = jstest.Admin, jstest.AdminPassword
)

func connect(t *testing.T, url, user, password string) *client.Client {
	t.Helper()
	c, err := client.Connect(client.Config{URL: url, User: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// follower runs Follow in the background and collects what it passes.
type follower struct {
	mu       sync.Mutex
	seqs     []uint64
	events   int
	caughtUp chan uint64
	done     chan error
}

func follow(t *testing.T, c *client.Client, app string, after uint64) (*follower, context.CancelFunc) {
	t.Helper()
	f := &follower{caughtUp: make(chan uint64, 1), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() {
		f.done <- c.Follow(ctx, client.Follow{App: app, After: after,
			Commit: func(cm client.Commit) error {
				f.mu.Lock()
				f.seqs = append(f.seqs, cm.Seq)
				f.events += len(cm.Events)
				f.mu.Unlock()
				return nil
			},
			CaughtUp: func(seq uint64) { f.caughtUp <- seq }})
	}()
	return f, cancel
}

func (f *follower) got() []uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.seqs)
}

// inOrderOnce fails t unless seqs rise strictly: none repeated or
// reordered.
func inOrderOnce(t *testing.T, seqs []uint64) {
	t.Helper()
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Fatalf("commit %d came after %d", seqs[i], seqs[i-1])
		}
	}
}

// TestFollowCatchesUpThenGoesLive: a subscriber reads every commit of its
// app after the position it kept, in order, is told when it has caught
// up, then gets each new commit; from a later position it gets only what
// follows it.
func TestFollowCatchesUpThenGoesLive(t *testing.T) {
	t.Parallel()
	s := jstest.StartServer(t)
	s.Users(10)
	var stored uint64
	for i := range 9 {
		stored = s.Write(domain.AddFriend{User: fmt.Sprint("u", i), Friend: fmt.Sprint("u", i+1), Reverse: &domain.Entry{}})
	}
	c := connect(t, s.URL(), subscriber, subscriberPW)
	f, _ := follow(t, c, "demo", 0)
	var last uint64
	select {
	case last = <-f.caughtUp:
	case err := <-f.done:
		t.Fatalf("Follow ended: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("not caught up in 20s")
	}
	if got := f.got(); uint64(len(got)) != stored || last != stored {
		t.Fatalf("caught up at %d having read %v, want the %d commits stored", last, got, stored)
	}
	next := s.Write(domain.DeleteFriend{User: "u0", Friend: "u1", Both: true})
	testenv.WaitFor(t, 20*time.Second, "the new commit", func() bool { got := f.got(); return got[len(got)-1] == next })
	inOrderOnce(t, f.got())

	g, _ := follow(t, c, "demo", f.got()[5])
	<-g.caughtUp
	if got := g.got(); !slices.Equal(got, f.got()[6:]) {
		t.Errorf("from %d: %v, want %v", f.got()[5], got, f.got()[6:])
	}
	// An app the stream does not know is refused by name, to an admin who
	// may read the apps Amity records.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := connect(t, s.URL(), admin, adminPW).Follow(ctx, client.Follow{App: "demoo", Commit: func(client.Commit) error { return nil }})
	if !errors.Is(err, client.ErrNoApp) || !strings.Contains(err.Error(), `"demoo"`) {
		t.Errorf("a misspelt app: %v", err)
	}
}

// TestFollowRidesOutAServerRestart stops the server while a follower reads
// and starts it again on the same files: every commit is passed once, in
// order, the ones stored before the stop and after the restart alike.
func TestFollowRidesOutAServerRestart(t *testing.T) {
	t.Parallel()
	s := jstest.StartServer(t)
	s.Users(200)
	c := connect(t, s.URL(), subscriber, subscriberPW)
	f, _ := follow(t, c, "demo", 0)
	for i := range 60 {
		s.Write(domain.AddFriend{User: fmt.Sprint("u", i), Friend: fmt.Sprint("u", i+100), Reverse: &domain.Entry{}})
	}
	testenv.WaitFor(t, 20*time.Second, "some commits read", func() bool { return len(f.got()) > 20 })
	s = s.Restart()
	var last uint64
	for i := 60; i < 100; i++ {
		last = s.Write(domain.AddFriend{User: fmt.Sprint("u", i), Friend: fmt.Sprint("u", i+100), Reverse: &domain.Entry{}})
	}
	// The app's commits are every commit of the stream: 1 to last.
	if !testenv.Eventually(60*time.Second, func() bool { got := f.got(); return len(got) > 0 && got[len(got)-1] == last }) {
		got := f.got()
		t.Fatalf("read %d commits, the last %v; the stream ends at %d", len(got), got[max(0, len(got)-5):], last)
	}
	got := f.got()
	inOrderOnce(t, got)
	if got[0] != 1 || uint64(len(got)) != last {
		t.Errorf("read %d commits from %d to %d, want each of 1..%d once", len(got), got[0], got[len(got)-1], last)
	}
}

// TestConsumeKeepsThePositionAndRedelivers: a durable consumer goes on
// where it stood when a service stops and starts again; a commit whose
// handler failed comes again, marked redelivered.
func TestConsumeKeepsThePositionAndRedelivers(t *testing.T) {
	t.Parallel()
	s := jstest.StartServer(t)
	s.Users(20)
	c := connect(t, s.URL(), subscriber, subscriberPW)
	var mu sync.Mutex
	var seen []uint64
	redelivered := 0
	failOnce := true
	run := func(until int) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() {
			done <- c.Consume(ctx, client.Durable{App: "demo", Name: "counts-7f3a", AckWait: 300 * time.Millisecond, Commit: func(cm client.Commit) error {
				mu.Lock()
				defer mu.Unlock()
				if cm.Redelivered {
					redelivered++
				}
				if cm.Seq == 3 && failOnce {
					failOnce = false
					return errors.New("not now")
				}
				if !slices.Contains(seen, cm.Seq) {
					seen = append(seen, cm.Seq)
				}
				return nil
			}})
		}()
		testenv.WaitFor(t, 20*time.Second, fmt.Sprint(until, " commits consumed"), func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) >= until })
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	s.Write(domain.AddFriend{User: "u0", Friend: "u1"})
	s.Write(domain.AddFriend{User: "u2", Friend: "u3"})
	run(3)
	s.Write(domain.AddFriend{User: "u4", Friend: "u5"})
	run(4)
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(seen)
	if !slices.Equal(seen, []uint64{1, 2, 3, 4}) || redelivered == 0 {
		t.Errorf("consumed %v (%d redelivered), want 1..4 with commit 3 handed out again", seen, redelivered)
	}
	if err := c.Consume(context.Background(), client.Durable{App: "demo", Name: "amity_notifier", Commit: func(client.Commit) error { return nil }}); err == nil ||
		!strings.Contains(err.Error(), "amity_") {
		t.Errorf("a durable named as Amity's own: %v", err)
	}
}

// TestErrorsSayWhatToDo: a wrong login and another app's commits are
// refused with what to do.
func TestErrorsSayWhatToDo(t *testing.T) {
	t.Parallel()
	s := jstest.StartServer(t)
	if _, err := client.Connect(client.Config{URL: s.URL(), User: subscriber, Password: "wrong"}); err == nil ||
		!strings.Contains(err.Error(), "nats_users") || !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("a wrong password: %v", err)
	}
	c := connect(t, s.URL(), subscriber, subscriberPW)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := c.Follow(ctx, client.Follow{App: "other", Commit: func(client.Commit) error { return nil }})
	if !errors.Is(err, client.ErrRefused) || !strings.Contains(err.Error(), `app "other"`) {
		t.Errorf("another app's commits: %v", err)
	}
}

// friendCounts is a projection: each user's friend count.
type friendCounts map[string]int

func (p friendCounts) Apply(_ uint64, ev domain.Event) {
	switch d := ev.Data.(type) {
	case domain.FriendAdded:
		if d.Entry != nil {
			p[d.User]++
		}
		if d.Reverse != nil {
			p[d.Friend]++
		}
	case domain.FriendDeleted:
		p[d.User]--
		if d.Both {
			p[d.Friend]--
		}
	}
}

// TestRebuildEqualsTheReadModel: a projection rebuilt from the stream
// counts what Amity's own read model holds.
func TestRebuildEqualsTheReadModel(t *testing.T) {
	t.Parallel()
	s := jstest.StartServer(t)
	s.Users(30)
	for i := range 29 {
		s.Write(domain.AddFriend{User: fmt.Sprint("u", i), Friend: fmt.Sprint("u", (i*7+1)%30), Reverse: &domain.Entry{}})
	}
	s.Write(domain.DeleteFriend{User: "u3", Friend: "u22", Both: true})
	c := connect(t, s.URL(), subscriber, subscriberPW)
	p := friendCounts{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	caught := make(chan uint64, 1)
	go func() { _ = c.Rebuild(ctx, "demo", p, func(seq uint64) { caught <- seq }) }()
	<-caught
	cancel()
	for i := range 30 {
		u := fmt.Sprint("u", i)
		if got, want := p[u], s.Inst.Model.FriendCount("demo", u); got != want {
			t.Errorf("%s: rebuilt %d friends, the read model %d", u, got, want)
		}
	}
}
