package projections

import (
	"cmp"
	"slices"

	"github.com/amity-im/amity/domain"
)

// A friend list is kept compact: a slice of 16-byte edges (the friend's
// interned ID and the create time) and a full Entry only for the entries
// that carry more than a create time (an alias, attributes, groups, ...). A
// two-way add with no extra data costs two edges and nothing else. Edges are
// in no order; a short list is searched from end to end, and a list longer
// than indexAbove also keeps an index from ID to position, so a user with
// many friends costs O(1) per add, delete and lookup rather than O(n).

type edge struct {
	id      uint32
	created int64
}

// indexAbove is the list length past which a list keeps an index.
const indexAbove = 32

type friendList struct {
	edges []edge
	// more is nil while the list is short and its entries plain.
	more *listMore
}

type listMore struct {
	index listIndex // empty while the list is short
	extra map[uint32]*domain.Entry
}

func (f *friendList) len() int { return len(f.edges) }

// extra is the entries that carry more than a create time; nil if none.
func (f *friendList) extra() map[uint32]*domain.Entry {
	if f.more == nil {
		return nil
	}
	return f.more.extra
}

func (f *friendList) index() *listIndex {
	if f.more == nil || f.more.index.slots == nil {
		return nil
	}
	return &f.more.index
}

func (f *friendList) mustMore() *listMore {
	if f.more == nil {
		f.more = &listMore{}
	}
	return f.more
}

// tidy drops more once it holds nothing.
func (f *friendList) tidy() {
	if f.more != nil && f.more.index.slots == nil && len(f.more.extra) == 0 {
		f.more = nil
	}
}

func (f *friendList) find(id uint32) (int, bool) {
	if index := f.index(); index != nil {
		return index.get(id)
	}
	for i, e := range f.edges {
		if e.id == id {
			return i, true
		}
	}
	return 0, false
}

// entry returns the entry for id; the caller must not keep its maps.
func (f *friendList) entry(id uint32) (domain.Entry, bool) {
	i, ok := f.find(id)
	if !ok {
		return domain.Entry{}, false
	}
	if e := f.extra()[id]; e != nil {
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
		f.edges = append(f.edges, edge{id: id, created: e.CreateTime})
		switch index := f.index(); {
		case index != nil:
			index.set(id, int32(len(f.edges)-1))
		case len(f.edges) > indexAbove:
			f.mustMore().index = newListIndex(f.edges)
		}
	}
	if plain(&e) {
		delete(f.extra(), id)
		f.tidy()
	} else {
		more := f.mustMore()
		if more.extra == nil {
			more.extra = map[uint32]*domain.Entry{}
		}
		kept := e // only a kept entry goes to the heap
		more.extra[id] = &kept
	}
	return old, had
}

// del removes id and returns its entry, if there was one. The last edge
// takes the removed one's place.
func (f *friendList) del(id uint32) (old domain.Entry, had bool) {
	i, had := f.find(id)
	if !had {
		return old, false
	}
	old, _ = f.entry(id)
	last := len(f.edges) - 1
	f.edges[i] = f.edges[last]
	f.edges = f.edges[:last]
	if index := f.index(); index != nil {
		index.del(id)
		if i < last {
			index.set(f.edges[i].id, int32(i))
		}
	}
	delete(f.extra(), id)
	if len(f.edges) == 0 {
		f.edges = nil
		if f.more != nil {
			f.more.index = listIndex{}
		}
	}
	f.tidy()
	return old, true
}

// each calls fn for every entry, in no particular order.
func (f *friendList) each(fn func(id uint32, e domain.Entry)) {
	extra := f.extra()
	for _, ed := range f.edges {
		if e := extra[ed.id]; e != nil {
			fn(ed.id, *e)
		} else {
			fn(ed.id, domain.Entry{CreateTime: ed.created})
		}
	}
}

// sorted returns the edges in ID order (for the snapshot's delta coding).
func (f *friendList) sorted() []edge {
	out := slices.Clone(f.edges)
	slices.SortFunc(out, func(x, y edge) int { return cmp.Compare(x.id, y.id) })
	return out
}
