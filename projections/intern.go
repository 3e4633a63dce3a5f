package projections

import (
	"hash/maphash"
	"slices"
)

// Every user ID an app's model holds is interned once: names[i] is the ID
// with interned ID i, and a user's state is users[i]. The table from name to
// ID is open addressing over positions in names (8 bytes a slot, at most
// three quarters full) instead of a map keyed by string, which would store
// every ID's string header a second time. A slot holds the interned ID + 1
// (0: empty) in its low half and the top half of the name's hash in its high
// half, so a probe compares strings only when the hashes agree.

type appState struct {
	names []string
	slots []uint64
	seed  maphash.Seed
	// users holds the state of users[id]; nil where an ID names only a
	// friend or a blocked user.
	users []*userState
	// hist is the history index (history.go).
	hist history
}

func newAppState() *appState { return &appState{seed: maphash.MakeSeed()} }

// lookup returns the interned ID of name.
func (a *appState) lookup(name string) (uint32, bool) {
	if len(a.slots) == 0 {
		return 0, false
	}
	h := maphash.String(a.seed, name)
	mask, tag := uint64(len(a.slots)-1), h>>32
	for i := h & mask; ; i = (i + 1) & mask {
		s := a.slots[i]
		if s == 0 {
			return 0, false
		}
		if id := uint32(s) - 1; s>>32 == tag && a.names[id] == name {
			return id, true
		}
	}
}

// noID marks a name that lookupAll did not find.
const noID = ^uint32(0)

// lookupAll appends the interned ID of each name to ids, noID where there
// is none. It looks the names up a step at a time for all of them — every
// first probe, then every candidate's name, then the compares — so the
// cache misses of different names overlap instead of following one
// another; a name whose first probe does not settle it goes through lookup.
func (a *appState) lookupAll(names []string, ids []uint32) []uint32 {
	start := len(ids)
	if len(a.slots) == 0 {
		for range names {
			ids = append(ids, noID)
		}
		return ids
	}
	mask := uint64(len(a.slots) - 1)
	for _, name := range names {
		h := maphash.String(a.seed, name)
		s := a.slots[h&mask]
		switch {
		case s == 0:
			ids = append(ids, noID)
		case s>>32 == h>>32:
			ids = append(ids, uint32(s)-1) // a candidate, compared below
		default:
			id, ok := a.lookup(name)
			if !ok {
				id = noID
			}
			ids = append(ids, id)
		}
	}
	out := ids[start:]
	for i, id := range out {
		if id != noID && a.names[id] != names[i] {
			if id, ok := a.lookup(names[i]); ok {
				out[i] = id
			} else {
				out[i] = noID
			}
		}
	}
	return ids
}

// intern returns the ID of name, adding it.
func (a *appState) intern(name string) uint32 {
	if id, ok := a.lookup(name); ok {
		return id
	}
	id := uint32(len(a.names))
	a.names = append(a.names, name)
	if 4*len(a.names) > 3*len(a.slots) {
		a.rehash(2 * len(a.names))
	} else {
		a.place(id)
	}
	return id
}

// reserve makes room for n names without rehashing.
func (a *appState) reserve(n int) {
	if n > cap(a.names) {
		names := make([]string, len(a.names), n)
		copy(names, a.names)
		a.names = names
	}
	if 4*n > 3*len(a.slots) {
		a.rehash(n)
	}
}

// rehash sizes the table for n names and places every name again.
func (a *appState) rehash(n int) {
	size := 16
	for 3*size < 4*n {
		size *= 2
	}
	a.slots = make([]uint64, size)
	for id := range a.names {
		a.place(uint32(id))
	}
}

func (a *appState) place(id uint32) {
	h := maphash.String(a.seed, a.names[id])
	mask := uint64(len(a.slots) - 1)
	i := h & mask
	for a.slots[i] != 0 {
		i = (i + 1) & mask
	}
	a.slots[i] = h>>32<<32 | uint64(id+1)
}

// user returns the state of user, nil if it has none.
func (a *appState) user(name string) *userState {
	id, ok := a.lookup(name)
	if !ok {
		return nil
	}
	return a.userAt(id)
}

// userAt returns the state of the user with interned ID id, nil if none.
func (a *appState) userAt(id uint32) *userState {
	if int(id) >= len(a.users) {
		return nil
	}
	return a.users[id]
}

// linked reports whether a's list holds b and b's holds a.
func (a *appState) linked(ia, ib uint32) (ab, ba bool) {
	if u := a.userAt(ia); u != nil {
		_, ab = u.friends.find(ib)
	}
	if u := a.userAt(ib); u != nil {
		_, ba = u.friends.find(ia)
	}
	return ab, ba
}

// linkedAll sets out[i] to linked(from, ids[i]) for every ids[i] that is
// not noID. It reads one level of the targets' state for all of them
// before the next level — the states, then their lists, then the lists'
// indexes, then the index slots or the edges — so that the cache misses of
// different targets overlap rather than follow one another.
func (a *appState) linkedAll(from uint32, ids []uint32, out [][2]bool) {
	type target struct {
		u     *userState
		more  *listMore
		edges []edge
		slots []indexSlot
	}
	var small [64]target // grown by append past 64
	ts := small[:0]
	for _, id := range ids {
		var t target
		if id != noID {
			t.u = a.userAt(id)
		}
		ts = append(ts, t)
	}
	for i := range ts {
		if u := ts[i].u; u != nil {
			ts[i].edges, ts[i].more = u.friends.edges, u.friends.more
		}
	}
	for i := range ts {
		if m := ts[i].more; m != nil {
			ts[i].slots = m.index.slots
		}
	}
	f := a.userAt(from)
	for i, id := range ids {
		if id == noID {
			continue
		}
		if f != nil {
			_, out[i][0] = f.friends.find(id)
		}
		switch t := &ts[i]; {
		case t.slots != nil:
			_, out[i][1] = (&listIndex{slots: t.slots}).get(from)
		default:
			out[i][1] = slices.ContainsFunc(t.edges, func(e edge) bool { return e.id == from })
		}
	}
}

// mutUser returns the state of user, making it.
func (a *appState) mutUser(name string) *userState {
	id := a.intern(name)
	if int(id) >= len(a.users) {
		a.users = append(a.users, make([]*userState, int(id)+1-len(a.users))...)
	}
	u := a.users[id]
	if u == nil {
		u = &userState{}
		a.users[id] = u
	}
	return u
}

// eachUser calls fn for every user with state, in ID order.
func (a *appState) eachUser(fn func(id uint32, name string, u *userState)) {
	for id, u := range a.users {
		if u != nil {
			fn(uint32(id), a.names[id], u)
		}
	}
}
