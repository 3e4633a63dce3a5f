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
func TestHistoryIndexHoldsEachUsersCommits(t *testing.T) {
	m := NewModel()
	rng := rand.New(rand.NewPCG(3, 4))
	people := []string{"a", "b", "c", "d", "e"}
	want := map[string][]uint64{}
	type commit struct {
		subject string
		seq     uint64
		c       domain.Commit
	}
	var commits []commit
	for seq := uint64(1); seq <= 400; seq++ {
		var evs []domain.Event
		named := map[string]bool{}
		for range 1 + rng.IntN(3) {
			x, y := people[rng.IntN(5)], people[rng.IntN(5)]
			if x == y {
				continue
			}
			evs = append(evs, domain.Event{ID: fmt.Sprint(seq, x, y), Type: domain.TypeFriendAdded, App: "demo",
				Data: domain.FriendAdded{User: x, Friend: y, Entry: &domain.Entry{CreateTime: 1}}})
			named[x], named[y] = true, true
		}
		for u := range named {
			want[u] = append(want[u], seq)
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
		if got := m.UserCommits("demo", u, 0, math.MaxUint64, 0); !slices.Equal(got, want[u]) {
			t.Errorf("%s's commits %v\nwant %v", u, got, want[u])
		}
		if got, w := m.UserCommits("demo", u, 100, 200, 5), clip(want[u], 100, 200, 5); !slices.Equal(got, w) {
			t.Errorf("%s's commits 100..200, 5 at most: %v, want %v", u, got, w)
		}
	}
	var pair []uint64
	for _, s := range want["a"] {
		if slices.Contains(want["b"], s) {
			pair = append(pair, s)
		}
	}
	if got := m.PairCommits("demo", "b", "a"); !slices.Equal(got, pair) {
		t.Errorf("pair a-b commits %v, want %v", got, pair)
	}
	if m.UserCommits("demo", "nobody", 0, math.MaxUint64, 0) != nil || m.UserCommits("other", "a", 0, math.MaxUint64, 0) != nil {
		t.Error("commits of an unknown user or app")
	}
	if m.HistoryBytes() == 0 {
		t.Error("the index holds no bytes")
	}
}

func clip(seqs []uint64, from, to uint64, limit int) []uint64 {
	var out []uint64
	for _, s := range seqs {
		if s >= from && s <= to && len(out) < limit {
			out = append(out, s)
		}
	}
	return out
}
