package projections

import (
	"slices"

	"github.com/amity-im/amity/domain"
)

// A friend list is kept compact: a slice of 16-byte edges (the friend's
// interned ID and the create time), sorted by ID for binary search, and a
// full Entry only for the entries that carry more than a create time (an
// alias, attributes, groups, ...). A two-way add with no extra data costs two
// edges and nothing else.

type edge struct {
	id      uint32
	created int64
}

type friendList struct {
	edges []edge
	extra map[uint32]*domain.Entry
}

func (f *friendList) len() int { return len(f.edges) }

func (f *friendList) find(id uint32) (int, bool) {
	return slices.BinarySearchFunc(f.edges, id, func(e edge, id uint32) int {
		switch {
		case e.id < id:
			return -1
		case e.id > id:
			return 1
		}
		return 0
	})
}

// entry returns the entry for id; the caller must not keep its maps.
func (f *friendList) entry(id uint32) (domain.Entry, bool) {
	i, ok := f.find(id)
	if !ok {
		return domain.Entry{}, false
	}
	if e := f.extra[id]; e != nil {
		return *e, true
	}
	return domain.Entry{CreateTime: f.edges[i].created}, true
}

func plain(e *domain.Entry) bool {
	return e.Alias == "" && e.Wording == "" && len(e.Attributes) == 0 && e.AddSource == "" && len(e.Groups) == 0 &&
		len(e.Custom) == 0 && e.UpdateTime == 0 && e.RemarkTime == 0
}

// put stores e for id and returns the entry it replaced, if any.
func (f *friendList) put(id uint32, e domain.Entry) (old domain.Entry, had bool) {
	i, had := f.find(id)
	if had {
		old, _ = f.entry(id)
		f.edges[i].created = e.CreateTime
	} else {
		f.edges = slices.Insert(f.edges, i, edge{id: id, created: e.CreateTime})
	}
	if plain(&e) {
		delete(f.extra, id)
	} else {
		if f.extra == nil {
			f.extra = map[uint32]*domain.Entry{}
		}
		f.extra[id] = &e
	}
	return old, had
}

// del removes id and returns its entry, if there was one.
func (f *friendList) del(id uint32) (old domain.Entry, had bool) {
	i, had := f.find(id)
	if !had {
		return old, false
	}
	old, _ = f.entry(id)
	f.edges = slices.Delete(f.edges, i, i+1)
	delete(f.extra, id)
	if len(f.edges) == 0 {
		f.edges = nil
	}
	return old, true
}

// each calls fn for every entry, in ID order.
func (f *friendList) each(fn func(id uint32, e domain.Entry)) {
	for _, ed := range f.edges {
		if e := f.extra[ed.id]; e != nil {
			fn(ed.id, *e)
		} else {
			fn(ed.id, domain.Entry{CreateTime: ed.created})
		}
	}
}

// intern returns the ID of name in a, adding it.
func (a *appState) intern(name string) uint32 {
	if id, ok := a.ids[name]; ok {
		return id
	}
	id := uint32(len(a.names))
	a.ids[name] = id
	a.names = append(a.names, name)
	return id
}
