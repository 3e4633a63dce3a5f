package projections

import "math/bits"

// listIndex maps the friend IDs of a long list to their edges' positions.
// It is one flat table with open addressing and linear probing, at most
// half full, so a lookup usually reads a single slot: a check of many
// targets touches one cache line per target, where a Go map reads its
// header, its directory and a control group first.
type listIndex struct {
	slots []indexSlot // a power of two long
	n     int
}

// indexSlot holds a friend ID and its edge's position plus one; pos1 zero
// marks an empty slot.
type indexSlot struct {
	id   uint32
	pos1 int32
}

// newListIndex returns an index of the edges.
func newListIndex(edges []edge) listIndex {
	x := listIndex{slots: make([]indexSlot, tableSize(len(edges)))}
	for i, e := range edges {
		x.set(e.id, int32(i))
	}
	return x
}

// tableSize is the power of two that holds n entries at most half full.
func tableSize(n int) int {
	return 1 << max(bits.Len(uint(2*max(n, 1)-1)), 3)
}

// home is id's first slot: Fibonacci hashing onto the table's bits.
func (x *listIndex) home(id uint32) int {
	shift := 32 - bits.Len(uint(len(x.slots)-1))
	return int((id * 0x9E3779B1) >> shift)
}

func (x *listIndex) get(id uint32) (int, bool) {
	mask := len(x.slots) - 1
	for i := x.home(id); ; i = (i + 1) & mask {
		s := x.slots[i]
		if s.pos1 == 0 {
			return 0, false
		}
		if s.id == id {
			return int(s.pos1 - 1), true
		}
	}
}

// set records id at pos, replacing its earlier position.
func (x *listIndex) set(id uint32, pos int32) {
	if 2*(x.n+1) > len(x.slots) {
		old := x.slots
		x.slots, x.n = make([]indexSlot, 2*len(old)), 0
		for _, s := range old {
			if s.pos1 != 0 {
				x.set(s.id, s.pos1-1)
			}
		}
	}
	mask := len(x.slots) - 1
	for i := x.home(id); ; i = (i + 1) & mask {
		switch s := &x.slots[i]; {
		case s.pos1 == 0:
			*s = indexSlot{id: id, pos1: pos + 1}
			x.n++
			return
		case s.id == id:
			s.pos1 = pos + 1
			return
		}
	}
}

// del removes id, shifting back the entries that probed past its slot so
// that no lookup stops early at the hole.
func (x *listIndex) del(id uint32) {
	mask := len(x.slots) - 1
	i := x.home(id)
	for ; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s.pos1 == 0 {
			return
		}
		if s.id == id {
			break
		}
	}
	x.n--
	for j := (i + 1) & mask; ; j = (j + 1) & mask {
		s := x.slots[j]
		if s.pos1 == 0 {
			break
		}
		// s may move into the hole at i unless its home lies cyclically
		// in (i, j]: then the hole is before where its probe starts.
		if h := x.home(s.id); (j-h)&mask >= (j-i)&mask {
			x.slots[i] = s
			i = j
		}
	}
	x.slots[i] = indexSlot{}
}
