package projections

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/amity-im/amity/domain"
)

// TestHistoryIndexHoldsEachUsersCommits applies random commits of pairs,
// some ahead of others as an instance's own are, and finds each user's
// commits in the index in order, each once, as a scan of the commits
// would; a pair's are those naming both.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestHistoryIndexHoldsEachUsersCommits(t *testing.T) {
	m := NewModel()
	rng := rand.New(rand.NewPCG(3, 4))
	people := []string{"a", "b", "c", "d", "e"}
	want := map[string][]Hit{}
	type commit struct {
		subject string
		seq     uint64
		c       domain.Commit
	}
	var commits []commit
	for seq := uint64(1); seq <= 400; seq++ {
		var evs []domain.Event
		for range 1 + rng.IntN(3) {
			x, y := people[rng.IntN(5)], people[rng.IntN(5)]
			if x == y {
				evs = append(evs, domain.Event{ID: fmt.Sprint(seq, x), Type: domain.TypeUserRegistered, App: "demo",
					Data: domain.UserRegistered{User: x}})
				continue
			}
			want[x] = append(want[x], Hit{Seq: seq, Event: len(evs)})
			want[y] = append(want[y], Hit{Seq: seq, Event: len(evs)})
			evs = append(evs, domain.Event{ID: fmt.Sprint(seq, x, y), Type: domain.TypeFriendAdded, App: "demo",
				Data: domain.FriendAdded{User: x, Friend: y, Entry: &domain.Entry{CreateTime: 1}}})
		}
		// Two partitions: each in its own order, the two interleaved.
		commits = append(commits, commit{fmt.Sprint("amity.demo.rel.", seq%2), seq, domain.Commit{ID: fmt.Sprint("c", seq), App: "demo", Events: evs}})
	}
	// Apply partition 1 ahead by up to 20 commits, as a writer's own are.
	for i := 0; i < len(commits); i += 40 {
		block := commits[i:min(len(commits), i+40)]
		for _, c := range block {
			if c.seq%2 == 1 {
				m.Apply(c.subject, c.seq, c.c)
			}
		}
		for _, c := range block {
			if c.seq%2 == 0 {
				m.Apply(c.subject, c.seq, c.c)
			}
		}
	}
	// Applied again (the in-order read after the writer): nothing changes.
	for _, c := range commits {
		m.Apply(c.subject, c.seq, c.c)
	}
	for _, u := range people {
		if got := m.UserHistory("demo", u, 0, math.MaxUint64, 0); !slices.Equal(got, want[u]) {
			t.Errorf("%s's history %v\nwant %v", u, got, want[u])
		}
		if got, w := m.UserHistory("demo", u, 100, 200, 5), clip(want[u], 100, 200, 5); !slices.Equal(got, w) {
			t.Errorf("%s's history in commits 100..200, a page of 5: %v, want %v", u, got, w)
		}
		// Ranges from and to commits of the user's own (both included).
		for range 20 {
			from, to := want[u][rng.IntN(len(want[u]))].Seq, want[u][rng.IntN(len(want[u]))].Seq
			for _, limit := range []int{0, 1, 3} {
				if got, w := m.UserHistory("demo", u, from, to, limit), clip(want[u], from, to, limit); !slices.Equal(got, w) {
					t.Errorf("%s's history in commits %d..%d, a page of %d: %v, want %v", u, from, to, limit, got, w)
				}
			}
		}
	}
	// Every pair, both ways round.
	for _, a := range people {
		for _, b := range people {
			var pair []Hit
			for _, h := range want[a] {
				if a != b && slices.Contains(want[b], h) {
					pair = append(pair, h)
				}
			}
			if got := m.PairHistory("demo", a, b); a != b && !slices.Equal(got, pair) {
				t.Errorf("pair %s-%s history %v, want %v", a, b, got, pair)
			}
		}
	}
	if m.UserHistory("demo", "nobody", 0, math.MaxUint64, 0) != nil || m.UserHistory("other", "a", 0, math.MaxUint64, 0) != nil {
		t.Error("commits of an unknown user or app")
	}
	// A user known to the model, the last one interned, with no pair.
	m.Apply("amity.demo.user.0", 1000, domain.Commit{ID: "late", App: "demo", Events: []domain.Event{{ID: "late", Type: domain.TypeUserRegistered,
		App: "demo", Data: domain.UserRegistered{User: "late"}}}})
	if got := m.UserHistory("demo", "late", 0, math.MaxUint64, 0); got != nil {
		t.Errorf("a user with no pair has history %v", got)
	}
	if m.HistoryBytes() == 0 {
		t.Error("the index holds no bytes")
	}
}

// clip keeps the hits of commits from..to: those of the first commits
// holding limit hits or more, and the first hit of the commit after them.
func clip(hits []Hit, from, to uint64, limit int) []Hit {
	var out []Hit
	for _, h := range hits {
		if h.Seq < from || h.Seq > to {
			continue
		}
		if limit > 0 && len(out) > 0 && out[len(out)-1].Seq != h.Seq && len(out) >= limit {
			return append(out, h)
		}
		out = append(out, h)
	}
	return out
}
