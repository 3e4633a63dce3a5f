package projections

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/amity-im/amity/domain"
)

// User returns a registered user.
func (m *Model) User(app, id string) (domain.User, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if u := m.userLocked(app, id); u != nil && u.registered {
		return u.info(id), true
	}
	return domain.User{}, false
}

// Registered reports whether user is registered in app.
func (m *Model) Registered(app, user string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.registeredLocked(app, user)
}

func (m *Model) registeredLocked(app, user string) bool {
	u := m.userLocked(app, user)
	return u != nil && u.registered
}

// Entry returns a copy of owner's entry for friend.
func (m *Model) Entry(app, owner, friend string) (domain.Entry, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.entryLocked(app, owner, friend)
}

func (m *Model) entryLocked(app, owner, friend string) (domain.Entry, bool) {
	if u, id, ok := m.ownerAndFriend(app, owner, friend); ok {
		if e, ok := u.friends.entry(id); ok {
			return e.Clone(), true
		}
	}
	return domain.Entry{}, false
}

// Relation reports both directions of {a, b} as of one instant.
func (m *Model) Relation(app, a, b string) (ab, ba bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.relationLocked(app, a, b)
}

// Relations reports, as of one instant, both directions between user and
// each of others; user's ID is looked up once.
func (m *Model) Relations(app, user string, others []string) [][2]bool {
	out := make([][2]bool, len(others))
	m.mu.RLock()
	defer m.mu.RUnlock()
	as := m.apps[app]
	if as == nil {
		return out
	}
	iu, ok := as.lookup(user)
	if !ok {
		return out
	}
	var small [64]uint32 // grown by append past 64
	as.linkedAll(iu, as.lookupAll(others, small[:0]), out)
	return out
}

// relationLocked looks each ID up once for both directions.
func (m *Model) relationLocked(app, a, b string) (ab, ba bool) {
	as := m.apps[app]
	if as == nil {
		return false, false
	}
	ia, ok := as.lookup(a)
	if !ok {
		return false, false
	}
	ib, ok := as.lookup(b)
	if !ok {
		return false, false
	}
	return as.linked(ia, ib)
}

// FriendCount returns the size of user's friend list.
func (m *Model) FriendCount(app, user string) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if u := m.userLocked(app, user); u != nil {
		return u.friends.len()
	}
	return 0
}

// Friends returns a page of user's friends in ID order and the total.
func (m *Model) Friends(app, user string, offset, limit int) ([]domain.Friend, int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.friendsLocked(app, user, offset, limit)
}

// FriendsNow returns user's whole friend list in ID order and the stream
// position it is of: the in-order read's, when every commit applied has
// been read in order (ok). Otherwise (an instance's own commit applied
// ahead of its read) ok is false.
func (m *Model) FriendsNow(app, user string) (list []domain.Friend, seq uint64, ok bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.seq > m.followed {
		return nil, 0, false
	}
	list, _ = m.friendsLocked(app, user, 0, math.MaxInt)
	return list, m.followed, true
}

func (m *Model) friendsLocked(app, user string, offset, limit int) ([]domain.Friend, int) {
	u := m.userLocked(app, user)
	if u == nil || u.friends.len() == 0 {
		return nil, 0
	}
	a := m.apps[app]
	ids := make([]uint32, len(u.friends.edges))
	for i, ed := range u.friends.edges {
		ids[i] = ed.id
	}
	slices.SortFunc(ids, func(x, y uint32) int { return cmp.Compare(a.names[x], a.names[y]) })
	total := len(ids)
	if offset >= total {
		return nil, total
	}
	ids = ids[offset:min(total, offset+limit)]
	page := make([]domain.Friend, len(ids))
	for i, id := range ids {
		e, _ := u.friends.entry(id)
		page[i] = domain.Friend{ID: a.names[id], Entry: e.Clone()}
	}
	return page, total
}

// Users returns the IDs of app's registered users in order.
func (m *Model) Users(app string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a := m.apps[app]
	if a == nil {
		return nil
	}
	var ids []string
	a.eachUser(func(_ uint32, id string, u *userState) {
		if u.registered {
			ids = append(ids, id)
		}
	})
	slices.SortFunc(ids, cmp.Compare)
	return ids
}

// UserPage lists up to limit of app's registered users whose IDs start
// with prefix and sort after after, in ID order, and how many users match
// prefix in all (after aside). It walks the app's users once, keeping only
// the page: a console's search costs no sort of the whole app.
func (m *Model) UserPage(app, prefix, after string, limit int) (ids []string, matched int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a := m.apps[app]
	if a == nil || limit <= 0 {
		return nil, 0
	}
	page := make([]string, 0, limit)
	a.eachUser(func(_ uint32, id string, u *userState) {
		if !u.registered || !strings.HasPrefix(id, prefix) {
			return
		}
		matched++
		if id <= after || (len(page) == limit && id >= page[limit-1]) {
			return
		}
		at, _ := slices.BinarySearch(page, id)
		if len(page) == limit {
			page = page[:limit-1]
		}
		page = slices.Insert(page, at, id)
	})
	return page, matched
}

// pageOf returns up to limit of m's keys from offset, in order, and the
// number of keys.
func pageOf[V any](m map[string]V, offset, limit int) ([]string, int) {
	total := len(m)
	if offset >= total {
		return nil, total
	}
	ids := slices.Sorted(maps.Keys(m))
	return ids[offset:min(total, offset+limit)], total
}

// Size is what a model holds: registered users, directed friend edges (one
// per list entry), blocks.
type Size struct {
	Users, Edges, Blocks int
}

// Size returns what the model holds now.
func (m *Model) Size() Size {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.size
}
