package projections

import (
	"math/rand/v2"
	"testing"
)

// TestListIndexMatchesMap drives a list index and a Go map through the same
// random sets and deletes, over IDs that crowd a few home slots as well as
// spread ones, and compares every lookup.
func TestListIndexMatchesMap(t *testing.T) {
	for _, spread := range []uint32{40, 1 << 31} {
		rng := rand.New(rand.NewPCG(1, uint64(spread)))
		x := newListIndex(nil)
		want := map[uint32]int32{}
		for step := range 20000 {
			id := rng.Uint32N(spread)
			switch rng.IntN(3) {
			case 0, 1:
				x.set(id, int32(step))
				want[id] = int32(step)
			case 2:
				x.del(id)
				delete(want, id)
			}
			if x.n != len(want) {
				t.Fatalf("spread %d, step %d: %d entries, want %d", spread, step, x.n, len(want))
			}
			if 2*x.n > len(x.slots) {
				t.Fatalf("spread %d, step %d: %d entries in %d slots", spread, step, x.n, len(x.slots))
			}
			probe := rng.Uint32N(spread)
			for _, q := range []uint32{id, probe} {
				pos, ok := x.get(q)
				if wpos, wok := want[q]; ok != wok || ok && int32(pos) != wpos {
					t.Fatalf("spread %d, step %d: get(%d) = %d, %v; want %d, %v", spread, step, q, pos, ok, wpos, wok)
				}
			}
		}
		for id, wpos := range want {
			if pos, ok := x.get(id); !ok || int32(pos) != wpos {
				t.Fatalf("spread %d: get(%d) = %d, %v; want %d", spread, id, pos, ok, wpos)
			}
		}
	}
}

// TestListIndexOfEdges builds an index of a list's edges.
func TestListIndexOfEdges(t *testing.T) {
	var edges []edge
	for i := range 100 {
		edges = append(edges, edge{id: uint32(7 * i)})
	}
	x := newListIndex(edges)
	for i, e := range edges {
		if pos, ok := x.get(e.id); !ok || pos != i {
			t.Fatalf("get(%d) = %d, %v; want %d", e.id, pos, ok, i)
		}
	}
	if _, ok := x.get(1); ok {
		t.Fatal("get(1) found an ID the list does not hold")
	}
}
