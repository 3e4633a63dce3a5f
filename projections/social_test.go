package projections

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
)

func at(ms int64, p domain.Payload) domain.Event {
	return domain.Event{App: "a", Time: time.UnixMilli(ms), Type: p.Type(), Data: p}
}

// TestRequestsAndFollowsInTheModel applies requests, their answers,
// follows and profile changes, and reads them back through every query,
// through a snapshot, and after they are all undone (the user's social
// state then goes away).
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestRequestsAndFollowsInTheModel(t *testing.T) {
	m := NewModel()
	str := func(s string) *string { return &s }
	seq := uint64(0)
	apply := func(evs ...domain.Event) {
		seq++
		m.Apply("amity.a.rel.0", seq, domain.Commit{ID: fmt.Sprint("c", seq), App: "a", Events: evs})
	}
	for _, u := range []string{"x", "y", "z", "w"} {
		apply(at(1, domain.UserRegistered{User: u}))
	}
	apply(at(10, domain.FriendRequestSent{User: "x", Target: "y", Entry: domain.Entry{Wording: "hi", CreateTime: 10}, ExpireTime: 100}),
		at(11, domain.FriendRequestSent{User: "z", Target: "y", Entry: domain.Entry{CreateTime: 11}, ExpireTime: 100}),
		at(12, domain.FriendRequestSent{User: "x", Target: "w", Entry: domain.Entry{CreateTime: 12}, ExpireTime: 100}))
	apply(at(20, domain.FriendRequestAccepted{User: "y", From: "x", Entry: &domain.Entry{Alias: "ex", CreateTime: 20}, Reverse: &domain.Entry{CreateTime: 20}}))
	apply(at(21, domain.FriendRequestRejected{User: "y", From: "z"}))
	apply(at(30, domain.UserFollowed{User: "x", Target: "y"}), at(31, domain.UserFollowed{User: "y", Target: "x"}),
		at(32, domain.UserFollowed{User: "x", Target: "z"}), at(33, domain.UserFollowed{User: "w", Target: "x"}))
	apply(at(40, domain.UserProfileUpdated{User: "y", Name: str("Why"), Extra: str("e"), AllowType: str(domain.NeedConfirm)}))

	check := func(m *Model, when string) {
		t.Helper()
		var got []string
		for _, r := range m.Requests("a", "y", false) {
			got = append(got, fmt.Sprintf("%s>%s %d@%d", r.From, r.To, r.State, r.UpdateTime))
		}
		if fmt.Sprint(got) != "[z>y 3@21 x>y 2@20]" {
			t.Errorf("%s: y's received requests = %v", when, got)
		}
		got = nil
		for _, r := range m.Requests("a", "x", true) {
			got = append(got, r.To+" "+r.Entry.Wording)
		}
		if fmt.Sprint(got) != "[w  y hi]" {
			t.Errorf("%s: x's sent requests = %v", when, got)
		}
		if e, ok := m.Entry("a", "y", "x"); !ok || e.Alias != "ex" {
			t.Errorf("%s: y's entry for x = %+v, %v", when, e, ok)
		}
		if ab, ba := m.FollowRelation("a", "x", "y"); !ab || !ba {
			t.Errorf("%s: x and y do not follow each other", when)
		}
		if ab, ba := m.FollowRelation("a", "x", "w"); ab || !ba {
			t.Errorf("%s: FollowRelation(x, w) = %v, %v", when, ab, ba)
		}
		if c := m.FollowCounts("a", "x"); c != (domain.FollowCounts{Fans: 2, Following: 2, Mutual: 1}) {
			t.Errorf("%s: x's counts = %+v", when, c)
		}
		for _, tt := range []struct {
			kind  domain.FollowKind
			after string
			limit int
			want  string
			more  bool
		}{
			{domain.Fans, "", 10, "[{w 33} {y 31}]", false},
			{domain.Following, "", 1, "[{y 30}]", true},
			{domain.Following, "y", 1, "[{z 32}]", false},
			{domain.Mutual, "", 10, "[{y 31}]", false},
			{domain.Mutual, "y", 10, "[]", false},
		} {
			page, more := m.FollowList("a", "x", tt.kind, tt.after, tt.limit)
			if fmt.Sprint(page) != tt.want || more != tt.more {
				t.Errorf("%s: FollowList(x, %d, %q, %d) = %v, %v; want %s, %v", when, tt.kind, tt.after, tt.limit, page, more, tt.want, tt.more)
			}
		}
		if u, _ := m.User("a", "y"); u.Name != "Why" || u.Extra != "e" || u.AllowType != domain.NeedConfirm {
			t.Errorf("%s: y's profile = %+v", when, u)
		}
		app := &domain.App{Name: "a"}
		m.Decide(app, "probe", func(v domain.View) {
			if r, ok := v.Request("z", "y"); !ok || r.State != domain.RequestRejected {
				t.Errorf("%s: the view's request z>y = %+v, %v", when, r, ok)
			}
			if !v.Follows("w", "x") || v.Follows("x", "w") || v.AllowType("y") != domain.NeedConfirm || v.AllowType("x") != domain.AllowAny {
				t.Errorf("%s: the view's follows or AllowType differ", when)
			}
		})
		m.Release("probe")
	}
	check(m, "live")
	var buf bytes.Buffer
	m.encodeSnapshot(&buf)
	loaded, err := decodeSnapshot(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	check(loaded, "after a snapshot")
	if loaded.Digest().Sum != m.Digest().Sum {
		t.Error("the digest changed through a snapshot")
	}

	// Undo it all: no social state is left behind.
	before := m.Digest().Sum
	apply(at(50, domain.FriendRequestDeleted{User: "y", From: "x"}), at(50, domain.FriendRequestDeleted{User: "y", From: "z"}),
		at(50, domain.FriendRequestDeleted{User: "w", From: "x"}),
		at(50, domain.UserUnfollowed{User: "x", Target: "y"}), at(50, domain.UserUnfollowed{User: "y", Target: "x"}),
		at(50, domain.UserUnfollowed{User: "x", Target: "z"}), at(50, domain.UserUnfollowed{User: "w", Target: "x"}),
		at(50, domain.UserProfileUpdated{User: "y", Extra: str(""), AllowType: str("")}))
	if m.Digest().Sum == before {
		t.Error("undoing changed no digest")
	}
	for _, u := range []string{"x", "y", "z", "w"} {
		if s := m.userLocked("a", u); s.x != nil && s.x.social != nil {
			t.Errorf("%s keeps social state %+v", u, s.x.social)
		}
	}
	if len(m.Requests("a", "y", false)) != 0 || m.Follows("a", "x", "y") {
		t.Error("requests or follows remain after they were undone")
	}
}

// TestFollowSlotsHoldTheCap: follow reservations count against
// MaxFollowing like friend slots against the friend cap.
func TestFollowSlotsHoldTheCap(t *testing.T) {
	m := NewModel()
	evs := []domain.Event{at(1, domain.UserRegistered{User: "u"})}
	for i := range domain.MaxFollowing - 1 {
		evs = append(evs, at(2, domain.UserFollowed{User: "u", Target: fmt.Sprint("t", i)}))
	}
	m.Apply("s", 1, domain.Commit{ID: "c", App: "a", Events: evs})
	app := &domain.App{Name: "a"}
	var first, second bool
	m.Decide(app, "c1", func(v domain.View) { first, second = v.ReserveFollow("u"), v.ReserveFollow("u") })
	if !first || second {
		t.Errorf("ReserveFollow at one below the cap = %v then %v, want true then false", first, second)
	}
}

// TestSizeIsKeptAsTheModelChanges: the counts the mutators keep equal a
// count of the whole model after every change of a random run, and after a
// snapshot.
func TestSizeIsKeptAsTheModelChanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	m := NewModel()
	user := func() string { return fmt.Sprint("u", rng.IntN(12)) }
	for i := range 3000 {
		a, b := user(), user()
		var p domain.Payload
		switch rng.IntN(7) {
		case 0:
			p = domain.UserRegistered{User: a}
		case 1:
			p = domain.UserDeleted{User: a}
		case 2:
			p = domain.FriendAdded{User: a, Friend: b, Entry: &domain.Entry{CreateTime: 1}, Reverse: &domain.Entry{CreateTime: 1}}
		case 3:
			p = domain.FriendDeleted{User: a, Friend: b, Both: rng.IntN(2) == 0}
		case 4:
			p = domain.UserBlocked{User: a, Target: b, Unfriended: rng.IntN(2) == 0}
		case 5:
			p = domain.UserUnblocked{User: a, Target: b}
		case 6:
			p = domain.FriendRequestAccepted{User: a, From: b, Entry: &domain.Entry{}, Reverse: &domain.Entry{}}
		}
		m.Apply("s", uint64(i+1), domain.Commit{ID: "c", App: "a", Events: []domain.Event{at(1, p)}})
		if got, want := m.Size(), m.countSize(); got != want {
			t.Fatalf("after %d changes (the last %T): Size() = %+v, counted %+v", i+1, p, got, want)
		}
	}
	var buf bytes.Buffer
	m.encodeSnapshot(&buf)
	loaded, err := decodeSnapshot(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Size() != m.Size() || m.Size().Edges == 0 || m.Size().Blocks == 0 {
		t.Errorf("Size() after a snapshot = %+v, before %+v", loaded.Size(), m.Size())
	}
}

// countSize counts what the model holds, user by user, as the mutators
// and the snapshot decoder keep it.
func (m *Model) countSize() Size {
	var n Size
	for _, a := range m.apps {
		a.eachUser(func(_ uint32, _ string, u *userState) {
			if u.registered {
				n.Users++
			}
			n.Edges += u.friends.len()
			n.Blocks += len(u.more().blocked)
		})
	}
	return n
}

// TestMutesAreKeptApartFromFriendsAndBlocks: a mute changes neither the
// friendship nor the blocklist, is listed with since when, survives a
// snapshot, and leaves nothing behind once undone.
func TestMutesAreKeptApartFromFriendsAndBlocks(t *testing.T) {
	m := NewModel()
	apply := func(evs ...domain.Event) {
		for i, ev := range evs {
			m.Apply("amity.a.rel.0", m.Seq()+uint64(i)+1, domain.Commit{ID: "c", App: "a", Events: []domain.Event{ev}})
		}
	}
	apply(at(1, domain.UserRegistered{User: "x"}), at(1, domain.UserRegistered{User: "y"}),
		at(2, domain.FriendAdded{User: "x", Friend: "y", Entry: &domain.Entry{CreateTime: 2}, Reverse: &domain.Entry{CreateTime: 2}}))
	before := m.Digest().Sum
	apply(at(3, domain.UserMuted{User: "x", Target: "y"}), at(4, domain.UserMuted{User: "x", Target: "z", Since: 1}))
	if got := m.Mutes("a", "x"); len(got) != 2 || got[0] != (domain.Follow{ID: "y", Time: 3}) || got[1] != (domain.Follow{ID: "z", Time: 1}) {
		t.Errorf("x's mutes = %+v", got)
	}
	if ab, ba := m.Relation("a", "x", "y"); !ab || !ba {
		t.Error("a mute changed the friendship")
	}
	if blocked, _ := m.Blocked("a", "x", "y"); blocked {
		t.Error("a mute is a block")
	}
	if len(m.Mutes("a", "y")) != 0 {
		t.Error("a mute goes both ways")
	}
	var buf bytes.Buffer
	m.encodeSnapshot(&buf)
	loaded, err := decodeSnapshot(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Digest().Sum != m.Digest().Sum || len(loaded.Mutes("a", "x")) != 2 {
		t.Error("the mutes changed through a snapshot")
	}
	apply(at(5, domain.UserUnmuted{User: "x", Target: "y"}), at(5, domain.UserUnmuted{User: "x", Target: "z"}))
	if m.Digest().Sum != before {
		t.Error("undoing the mutes left state behind")
	}
}

// TestKeptAliasesLastUntilTheNextAdd: an alias kept by a delete is in the
// state (view, digest, snapshot) until an entry for the pair is made
// again, and the digest tells mutes and kept aliases from their absence.
func TestKeptAliasesLastUntilTheNextAdd(t *testing.T) {
	model := func(evs ...domain.Event) *Model {
		m := NewModel()
		for i, ev := range evs {
			m.Apply("amity.a.rel.0", uint64(i)+1, domain.Commit{ID: "c", App: "a", Events: []domain.Event{ev}})
		}
		return m
	}
	kept := func(m *Model) (alias string) {
		m.Decide(&domain.App{Name: "a"}, "probe", func(v domain.View) { alias = v.KeptAlias("x", "y") })
		return alias
	}
	friends := []domain.Event{at(1, domain.UserRegistered{User: "x"}), at(1, domain.UserRegistered{User: "y"}),
		at(2, domain.FriendAdded{User: "x", Friend: "y", Entry: &domain.Entry{Alias: "Why", CreateTime: 2}, Reverse: &domain.Entry{CreateTime: 2}})}
	keeping := model(append(friends, at(3, domain.FriendDeleted{User: "x", Friend: "y", KeptAlias: "Why"}))...)
	dropping := model(append(friends, at(3, domain.FriendDeleted{User: "x", Friend: "y"}))...)
	if got := kept(keeping); got != "Why" {
		t.Errorf("kept alias %q, want Why", got)
	}
	if got := kept(dropping); got != "" {
		t.Errorf("kept alias %q after a delete that dropped it", got)
	}
	other := model(append(friends, at(3, domain.FriendDeleted{User: "x", Friend: "y", KeptAlias: "Other"}))...)
	if keeping.Digest().Sum == dropping.Digest().Sum || keeping.Digest().Sum == other.Digest().Sum {
		t.Error("the digest does not see a kept alias")
	}
	var buf bytes.Buffer
	keeping.encodeSnapshot(&buf)
	loaded, err := decodeSnapshot(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Digest().Sum != keeping.Digest().Sum || kept(loaded) != "Why" {
		t.Error("the kept alias changed through a snapshot")
	}
	readded := model(append(friends, at(3, domain.FriendDeleted{User: "x", Friend: "y", KeptAlias: "Why"}),
		at(4, domain.FriendAdded{User: "x", Friend: "y", Entry: &domain.Entry{Alias: "Why", CreateTime: 4}}))...)
	if kept(readded) != "" {
		t.Error("a new entry left the kept alias behind")
	}
	mutedY := model(append(friends, at(3, domain.UserMuted{User: "x", Target: "y"}))...)
	mutedZ := model(append(friends, at(3, domain.UserMuted{User: "x", Target: "z"}))...)
	if mutedY.Digest().Sum == mutedZ.Digest().Sum {
		t.Error("the digest does not tell one mute from another")
	}
}
