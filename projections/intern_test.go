package projections

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
)

func TestInternIsDenseAndStable(t *testing.T) {
	a := newAppState()
	const n = 50000
	for i := range n {
		if id := a.intern(fmt.Sprint("user-", i)); id != uint32(i) {
			t.Fatalf("intern #%d = %d", i, id)
		}
	}
	for i := range n {
		name := fmt.Sprint("user-", i)
		if id, ok := a.lookup(name); !ok || id != uint32(i) {
			t.Fatalf("lookup(%s) = %d, %v", name, id, ok)
		}
		if id := a.intern(name); id != uint32(i) {
			t.Fatalf("intern again (%s) = %d", name, id)
		}
	}
	for _, absent := range []string{"", "user-", "user-50000", "USER-1"} {
		if id, ok := a.lookup(absent); ok {
			t.Errorf("lookup(%q) = %d, found", absent, id)
		}
	}
	if len(a.names) != n || 4*n > 3*len(a.slots) {
		t.Errorf("%d names in %d slots", len(a.names), len(a.slots))
	}
}

// TestSnapshotKeepsEveryField round-trips users with each kind of state
// and compares the answers as well as the digests.
func TestSnapshotKeepsEveryField(t *testing.T) {
	m := NewModel()
	seq := uint64(0)
	apply := func(data domain.Payload) {
		seq++
		ev := domain.Event{App: "a", Time: time.UnixMilli(int64(seq)), Data: data}
		m.Apply(fmt.Sprint("s", seq%3), seq, commitOf(ev))
	}
	alias := "bestie"
	groups := []string{"work"}
	apply(domain.UserRegistered{User: "ann", Name: "Ann", Avatar: "a.png"})
	apply(domain.UserRegistered{User: "bob"})
	apply(domain.UserRegistered{User: "gone", Name: "Gone"})
	apply(domain.UserDeleted{User: "gone"})
	apply(added("ann", "bob", true).Data)
	apply(added("carl", "ann", false).Data) // carl is never registered
	apply(domain.FriendUpdated{User: "ann", Friend: "bob", Alias: &alias, Groups: &groups, UpdateTime: 9,
		Custom: map[string]domain.CustomValue{"Tag_SNS_Custom_X": domain.StringValue("y")}})
	apply(domain.FriendGroupsAdded{User: "bob", Groups: []string{"empty"}})
	apply(domain.UserBlocked{User: "bob", Target: "dave"})
	apply(domain.UserBlocked{User: "bob", Target: "erin"})
	apply(domain.UserUnblocked{User: "bob", Target: "erin"})

	path := t.TempDir() + "/m.snap"
	if _, err := m.WriteSnapshot(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest().Sum != m.Digest().Sum {
		t.Fatal("digest changed by the round trip")
	}
	if u, ok := got.User("a", "ann"); !ok || u.ID != "ann" || u.Name != "Ann" || u.Avatar != "a.png" || u.RegisteredAt != 1 {
		t.Errorf("ann = %+v, %v", u, ok)
	}
	if _, ok := got.User("a", "gone"); ok || !got.Registered("a", "bob") || got.Registered("a", "carl") {
		t.Error("registrations changed")
	}
	if e, ok := got.Entry("a", "ann", "bob"); !ok || e.Alias != alias || len(e.Custom) != 1 || e.UpdateTime != 9 {
		t.Errorf("ann's entry for bob = %+v, %v", e, ok)
	}
	if ab, ba := got.Relation("a", "carl", "ann"); !ab || ba {
		t.Errorf("carl/ann relation = %v %v", ab, ba)
	}
	if g := got.Groups("a", "bob"); len(g) != 1 || g[0].Name != "empty" {
		t.Errorf("bob's groups = %+v", g)
	}
	if g := got.Groups("a", "ann"); len(g) != 1 || g[0].Name != "work" || len(g[0].Friends) != 1 {
		t.Errorf("ann's groups = %+v", g)
	}
	if b, _ := got.Blocked("a", "bob", "dave"); !b {
		t.Error("bob no longer blocks dave")
	}
	if b, was := got.Blocked("a", "bob", "erin"); b || !was {
		t.Errorf("bob/erin blocked %v, was %v", b, was)
	}
	std, custom := got.Sequences("a", "ann")
	if wstd, wcustom := m.Sequences("a", "ann"); std != wstd || custom != wcustom || custom == 0 {
		t.Errorf("sequences %d %d, want %d %d", std, custom, wstd, wcustom)
	}
	if got.BlockSequence("a", "bob") != m.BlockSequence("a", "bob") || got.BlockSequence("a", "bob") == 0 {
		t.Error("block sequence changed")
	}
}

// BenchmarkModelMemory loads a snapshot of 100 000 registered users with
// 10 friends each, on 64 partitions, and reports the live heap it takes per
// directed edge.
func BenchmarkModelMemory(b *testing.B) {
	const users, friends = 100000, 10
	m := NewModel()
	// With an event log, as the service keeps one: each entry holds an
	// offset into it.
	l, err := CreateEventLog(filepath.Join(b.TempDir(), "events.log"), 1)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	if err := m.SetEventLog(l); err != nil {
		b.Fatal(err)
	}
	for u := range users {
		evs := []domain.Event{{App: "a", Data: domain.UserRegistered{User: fmt.Sprint("user", u)}}}
		for f := 1; f <= friends/2; f++ {
			evs = append(evs, added(fmt.Sprint("user", u), fmt.Sprint("user", (u+f)%users), true))
		}
		m.Apply(fmt.Sprint("amity.a.rel.", u%64), uint64(u+1), commitOf(evs...))
	}
	path := b.TempDir() + "/model.snap"
	if _, err := m.WriteSnapshot(path); err != nil {
		b.Fatal(err)
	}
	var perEdge, index float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m, err := LoadSnapshot(path)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perEdge = float64(after.HeapAlloc-before.HeapAlloc) / (users * friends)
		index = float64(m.HistoryBytes()) / (users * friends)
		runtime.KeepAlive(m)
	}
	b.ReportMetric(perEdge, "B/edge")
	// The history index's part of it.
	b.ReportMetric(index, "index-B/edge")
}

// TestRelationsMatchRelation reads a batch of relations at once and pair by
// pair: unknown users, one-way, two-way and none must agree.
func TestRelationsMatchRelation(t *testing.T) {
	m := NewModel()
	m.Apply("s", 1, commitOf(added("u", "both", true), added("u", "mine", false), added("theirs", "u", false),
		added("x", "y", true)))
	others := []string{"both", "mine", "theirs", "x", "nobody", "u"}
	got := m.Relations("a", "u", others)
	for i, o := range others {
		ab, ba := m.Relation("a", "u", o)
		if got[i] != [2]bool{ab, ba} {
			t.Errorf("Relations(u)[%s] = %v, Relation = %v %v", o, got[i], ab, ba)
		}
	}
	if want := [][2]bool{{true, true}, {true, false}, {false, true}, {false, false}, {false, false}, {false, false}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Relations(u) = %v, want %v", got, want)
	}
	if got := m.Relations("a", "nobody", others); fmt.Sprint(got) != fmt.Sprint(make([][2]bool, len(others))) {
		t.Errorf("Relations(nobody) = %v", got)
	}
	if got := m.Relations("other-app", "u", others); len(got) != len(others) || got[0][0] {
		t.Errorf("Relations in another app = %v", got)
	}
}

// TestRelationsMatchRelationAtScale compares batches of every size up to
// 200 targets, known and unknown, over a table with long probe runs.
func TestRelationsMatchRelationAtScale(t *testing.T) {
	m := benchModelOf(t, 5000, 6)
	seen := map[[2]bool]int{}
	for n := 0; n <= 200; n += 13 {
		f := n * 17 % 5000
		from := fmt.Sprint("u", f)
		mine, theirs := fmt.Sprint("u", (f+100)%5000), fmt.Sprint("u", (f+200)%5000)
		m.Apply(fmt.Sprint("x", n), 1, commitOf(added(from, mine, false), added(theirs, from, false)))
		others := make([]string, n)
		for k := range others {
			others[k] = fmt.Sprint("u", (n*k*53+k)%5200) // u5000… are unknown
			switch k % 5 {
			case 0:
				others[k] = fmt.Sprint("u", (f+1+k%3)%5000) // friends of from
			case 1:
				others[k] = mine
			case 2:
				others[k] = theirs
			}
		}
		got := m.Relations("a", from, others)
		for k, o := range others {
			ab, ba := m.Relation("a", from, o)
			if got[k] != [2]bool{ab, ba} {
				t.Fatalf("Relations(%s)[%s] = %v, Relation = %v %v", from, o, got[k], ab, ba)
			}
			seen[got[k]]++
		}
	}
	if len(seen) != 4 {
		t.Errorf("relations met: %v; the batches should meet all four", seen)
	}
}
