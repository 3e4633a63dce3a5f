package projections

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
)

func commitOf(events ...domain.Event) domain.Commit {
	return domain.Commit{ID: "c", App: "a", Events: events}
}

func added(a, b string, both bool) domain.Event {
	ev := domain.FriendAdded{User: a, Friend: b, Entry: &domain.Entry{CreateTime: 1}}
	if both {
		ev.Reverse = &domain.Entry{CreateTime: 1}
	}
	return domain.Event{App: "a", Time: time.UnixMilli(1), Type: domain.TypeFriendAdded, Data: ev}
}

func TestApplyIsIdempotentPerSubject(t *testing.T) {
	m := NewModel()
	m.Apply("amity.a.rel.1", 5, commitOf(added("x", "y", true)))
	m.Apply("amity.a.rel.1", 5, commitOf(domain.Event{App: "a", Data: domain.FriendDeleted{User: "x", Friend: "y", Both: true}}))
	if ab, ba := m.Relation("a", "x", "y"); !ab || !ba {
		t.Errorf("a redelivered seq changed state: Relation = %v, %v", ab, ba)
	}
	// Another partition's older sequence still applies: partitions commute.
	m.Apply("amity.a.rel.2", 3, commitOf(added("p", "q", false)))
	if ab, ba := m.Relation("a", "p", "q"); !ab || ba {
		t.Errorf("Relation(p, q) = %v, %v, want true, false", ab, ba)
	}
	if m.Seq() != 5 || m.PartitionSeq("amity.a.rel.2") != 3 {
		t.Errorf("Seq = %d, PartitionSeq = %d, want 5, 3", m.Seq(), m.PartitionSeq("amity.a.rel.2"))
	}
}

func TestReservationsHoldTheCap(t *testing.T) {
	m := NewModel()
	m.Apply("s", 1, commitOf(added("u", "f0", false)))
	app := &domain.App{Name: "a", MaxFriends: 3}
	reserve := func(commit string) (ok bool) {
		m.Decide(app, commit, func(v domain.View) { ok = v.Reserve("u") })
		return ok
	}
	if !reserve("c1") || !reserve("c2") {
		t.Fatal("Reserve refused under the cap")
	}
	if reserve("c3") {
		t.Fatal("Reserve took a slot beyond the cap")
	}
	m.Release("c2")
	if !reserve("c3") {
		t.Fatal("Reserve refused after a release")
	}
	// Applying the commit turns its reservation into a friend: still at cap.
	m.Apply("s", 2, domain.Commit{ID: "c1", App: "a", Events: []domain.Event{added("u", "f1", false)}})
	if reserve("c4") {
		t.Error("Reserve took a slot beyond the cap after apply")
	}
	// A reservation given back within a decision frees its slot.
	var again bool
	m.Decide(app, "c5", func(v domain.View) {
		v.Unreserve("u")
		again = v.Reserve("u")
	})
	if again {
		t.Error("Unreserve of a commit with no slot freed one")
	}
}

func benchModel(b *testing.B, users, friends int) *Model { return benchModelOf(b, users, friends) }

func benchModelOf(b testing.TB, users, friends int) *Model {
	b.Helper()
	m := NewModel()
	seq := uint64(0)
	for u := range users {
		var evs []domain.Event
		for f := 1; f <= friends/2; f++ {
			evs = append(evs, added(fmt.Sprint("u", u), fmt.Sprint("u", (u+f)%users), true))
		}
		seq++
		m.Apply(fmt.Sprint("s", u), seq, commitOf(evs...))
	}
	return m
}

func BenchmarkRelation(b *testing.B) {
	m := benchModel(b, 10000, 20)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Relation("a", "u1", fmt.Sprint("u", i%10000))
		i++
	}
}

func BenchmarkApplyTwoWayAdd(b *testing.B) {
	m := NewModel()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		m.Apply("s", uint64(i), commitOf(added("hub", fmt.Sprint("u", i), true)))
	}
}

func BenchmarkFriendsPage(b *testing.B) {
	m := benchModel(b, 1000, 200)
	b.ReportAllocs()
	for b.Loop() {
		m.Friends("a", "u1", 100, 100)
	}
}

// benchCommit is a commit of n two-way adds as the Writer stores it.
func benchCommit(b *testing.B, base, n int) domain.Record {
	b.Helper()
	c := domain.Commit{ID: fmt.Sprint("c", base), App: "a"}
	for i := range n {
		c.Events = append(c.Events, domain.Event{ID: fmt.Sprint("e", base, i), Type: domain.TypeFriendAdded, Version: 1, App: "a",
			Time: time.UnixMilli(1_700_000_000_000), RequestID: "r", Surface: "zim",
			Data: domain.FriendAdded{User: fmt.Sprint("u", base+i), Friend: fmt.Sprint("u", base+i+1),
				Entry: &domain.Entry{CreateTime: 1_700_000_000_000}, Reverse: &domain.Entry{CreateTime: 1_700_000_000_000}}})
	}
	data, err := domain.MarshalCommit(c)
	if err != nil {
		b.Fatal(err)
	}
	return domain.Record{Subject: "amity.a.rel.1", Data: data}
}

// BenchmarkApplyRecord is the replay path: decode a stored commit of 55
// two-way adds and apply it; ns/event is the cost per event.
func BenchmarkApplyRecord(b *testing.B) {
	b.Run("index", func(b *testing.B) { benchApplyRecord(b, NewModel()) })
	b.Run("index+event-log", func(b *testing.B) {
		l, err := CreateEventLog(filepath.Join(b.TempDir(), "events.log"), 1)
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		m := NewModel()
		if err := m.SetEventLog(l); err != nil {
			b.Fatal(err)
		}
		benchApplyRecord(b, m)
	})
}

func benchApplyRecord(b *testing.B, m *Model) {
	recs := make([]domain.Record, 64)
	for i := range recs {
		recs[i] = benchCommit(b, i*55, 55)
	}
	b.ReportAllocs()
	seq := uint64(0)
	for b.Loop() {
		seq++
		r := recs[seq%64]
		r.Seq = seq
		c, err := domain.DecodeRecord(r)
		if err != nil {
			b.Fatal(err)
		}
		m.applyFollowed(r, c, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*55), "ns/event")
}

// BenchmarkWriteSnapshot writes a model of 10 000 users with 20 friends each.
func BenchmarkWriteSnapshot(b *testing.B) {
	m := benchModel(b, 10000, 20)
	path := b.TempDir() + "/model.snap"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.WriteSnapshot(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadSnapshot loads it back.
func BenchmarkLoadSnapshot(b *testing.B) {
	m := benchModel(b, 10000, 20)
	path := b.TempDir() + "/model.snap"
	if _, err := m.WriteSnapshot(path); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadSnapshot(path); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzLoadSnapshot feeds payloads with a valid checksum to the decoder: it
// must refuse what it cannot read, never panic.
func FuzzLoadSnapshot(f *testing.F) {
	m := benchModelOf(f, 20, 4)
	path := f.TempDir() + "/seed.snap"
	if _, err := m.WriteSnapshot(path); err != nil {
		f.Fatal(err)
	}
	seed, _ := os.ReadFile(path)
	f.Add(seed[len(snapshotMagic)+sha256.Size:])
	f.Add([]byte{2, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, payload []byte) {
		sum := sha256.Sum256(payload)
		p := t.TempDir() + "/x.snap"
		if err := os.WriteFile(p, append(append([]byte(snapshotMagic), sum[:]...), payload...), 0o600); err != nil {
			t.Fatal(err)
		}
		if m, err := LoadSnapshot(p); err == nil {
			m.Digest()
		}
	})
}

// TestHotUserList adds, updates and deletes past the index threshold and
// checks every answer against a plain map.
func TestHotUserList(t *testing.T) {
	m := NewModel()
	want := map[string]bool{}
	seq := uint64(0)
	apply := func(evs ...domain.Event) {
		seq++
		m.Apply("s", seq, commitOf(evs...))
	}
	for i := range 500 {
		apply(added("hub", fmt.Sprint("f", i), i%3 == 0))
		want[fmt.Sprint("f", i)] = true
	}
	for i := 0; i < 500; i += 7 {
		apply(domain.Event{App: "a", Data: domain.FriendDeleted{User: "hub", Friend: fmt.Sprint("f", i)}})
		delete(want, fmt.Sprint("f", i))
	}
	alias := "x"
	apply(domain.Event{App: "a", Data: domain.FriendUpdated{User: "hub", Friend: "f1", Alias: &alias}})
	if n := m.FriendCount("a", "hub"); n != len(want) {
		t.Fatalf("FriendCount = %d, want %d", n, len(want))
	}
	for i := range 500 {
		id := fmt.Sprint("f", i)
		if ab, _ := m.Relation("a", "hub", id); ab != want[id] {
			t.Errorf("Relation(hub, %s) = %v, want %v", id, ab, want[id])
		}
	}
	page, total := m.Friends("a", "hub", 0, 1000)
	if total != len(want) || len(page) != len(want) || !slices.IsSortedFunc(page, func(x, y domain.Friend) int { return strings.Compare(x.ID, y.ID) }) {
		t.Errorf("Friends: %d of %d, sorted %v", len(page), total, slices.IsSortedFunc(page, func(x, y domain.Friend) int { return strings.Compare(x.ID, y.ID) }))
	}
	if e, _ := m.Entry("a", "hub", "f1"); e.Alias != "x" {
		t.Errorf("updated entry = %+v", e)
	}
	path := t.TempDir() + "/m.snap"
	if _, err := m.WriteSnapshot(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Digest().Sum != m.Digest().Sum {
		t.Error("a snapshot round trip changed the hot user's list")
	}
}

// BenchmarkHotUserAdds adds 3000 friends to one user: constant cost per add.
func BenchmarkHotUserAdds(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m := NewModel()
		for i := range 3000 {
			m.Apply("s", uint64(i+1), commitOf(added("hub", fmt.Sprint("f", i), false)))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*3000), "ns/add")
}

// BenchmarkRelationsOf20 checks 20 random users against a random one in a
// model too big for the CPU's caches, as a two-way check of 20 does.
func BenchmarkRelationsOf20(b *testing.B) {
	// Short lists are searched end to end; lists past indexAbove keep an
	// index.
	for _, c := range []struct{ users, friends int }{{300000, 10}, {60000, 64}} {
		b.Run(fmt.Sprintf("friends=%d", c.friends), func(b *testing.B) {
			m := benchModelOf(b, c.users, c.friends)
			rng := rand.New(rand.NewPCG(1, 2))
			type req struct {
				from    string
				targets []string
			}
			reqs := make([]req, 4096)
			for i := range reqs {
				reqs[i].from = fmt.Sprint("u", rng.IntN(c.users))
				for range 20 {
					reqs[i].targets = append(reqs[i].targets, fmt.Sprint("u", rng.IntN(c.users)))
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r := reqs[i%len(reqs)]
				m.Relations("a", r.from, r.targets)
				i++
			}
		})
	}
}

// TestUserPage: a page of an app's users by ID prefix, after a cursor, is
// the brute-force answer: the sorted matches after the cursor, cut to the
// limit, with the count of every match.
func TestUserPage(t *testing.T) {
	m := NewModel()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		id := fmt.Sprintf("%c%d", "abc"[rng.IntN(3)], rng.IntN(1000))
		m.PutUser("app", domain.User{ID: id})
		if i%50 == 0 {
			m.PutEntry("app", id, "unregistered-friend", domain.Entry{})
		}
	}
	m.PutUser("other", domain.User{ID: "a1"})
	all := m.Users("app")
	for _, c := range []struct {
		prefix, after string
		limit         int
	}{{"", "", 10}, {"a", "", 25}, {"b1", "", 100}, {"a", "a5", 7}, {"c", "c999", 5}, {"zz", "", 5}, {"", all[len(all)-2], 10}} {
		var want []string
		matched := 0
		for _, id := range all {
			if strings.HasPrefix(id, c.prefix) {
				matched++
				if id > c.after && len(want) < c.limit {
					want = append(want, id)
				}
			}
		}
		got, n := m.UserPage("app", c.prefix, c.after, c.limit)
		if !slices.Equal(got, want) || n != matched {
			t.Errorf("UserPage(%q, after %q, %d) = %v (%d matched), want %v (%d)", c.prefix, c.after, c.limit, got, n, want, matched)
		}
	}
	if got, _ := m.UserPage("app", "unregistered", "", 10); len(got) != 0 {
		t.Errorf("a friend who never registered is listed: %v", got)
	}
}

// TestObserveSeesEachAppliedCommitOnce: the observer is told of each
// commit the model applies, and not of one a subject had applied already.
func TestObserveSeesEachAppliedCommitOnce(t *testing.T) {
	m := NewModel()
	var seen []uint64
	m.Observe(func(seq uint64, c domain.Commit) { seen = append(seen, seq) })
	at := time.UnixMilli(1_700_000_000_000)
	c := domain.Commit{ID: "c", App: "a", Events: []domain.Event{{App: "a", Time: at, Data: domain.UserRegistered{User: "u"}}}}
	m.Apply("amity.a.user.0", 1, c)
	m.Apply("amity.a.user.0", 1, c) // again: already applied
	m.Apply("amity.a.user.0", 2, c)
	if !slices.Equal(seen, []uint64{1, 2}) {
		t.Errorf("observed %v, want [1 2]", seen)
	}
}
