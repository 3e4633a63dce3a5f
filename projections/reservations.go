package projections

import (
	"slices"

	"github.com/amity-im/amity/domain"
)

// Slot reservations: a commit being decided takes its slots in friend
// lists, blocklists and group sets before it is written, under the lock that
// counts them, so caps hold under concurrent commands.

// Reserve takes a slot in user's friend list for commit while friends plus
// reserved slots stay under max.
func (m *Model) Reserve(app, user, commit string, max int) bool {
	return m.reserve(slotRef{userRef{app, user}, false}, commit, max)
}

// ReserveBlock takes a slot in user's blocklist for commit while the
// blocklist plus reserved slots stay under max.
func (m *Model) ReserveBlock(app, user, commit string, max int) bool {
	return m.reserve(slotRef{userRef{app, user}, true}, commit, max)
}

func (m *Model) reserve(ref slotRef, commit string, max int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reserveLocked(ref, commit, max)
}

func (m *Model) reserveLocked(ref slotRef, commit string, max int) bool {
	n := m.reserved[ref]
	if u := m.userLocked(ref.app, ref.user); u != nil {
		if ref.blocks {
			n += len(u.more().blocked)
		} else {
			n += u.friends.len()
		}
	}
	if n >= max {
		return false
	}
	m.reserved[ref]++
	m.byCommit[commit] = append(m.byCommit[commit], ref)
	return true
}

// Unreserve returns one friend-list slot of user's taken for commit.
func (m *Model) Unreserve(app, user, commit string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.unreserveLocked(app, user, commit)
}

func (m *Model) unreserveLocked(app, user, commit string) {
	ref := slotRef{userRef{app, user}, false}
	refs := m.byCommit[commit]
	if i := slices.Index(refs, ref); i >= 0 {
		m.byCommit[commit] = slices.Delete(refs, i, i+1)
		m.dropReservedLocked(ref)
	}
}

// Release returns every slot taken for commit.
func (m *Model) Release(commit string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.releaseLocked(commit)
}

func (m *Model) releaseLocked(commit string) {
	for _, ref := range m.byCommit[commit] {
		m.dropReservedLocked(ref)
	}
	delete(m.byCommit, commit)
	for _, ref := range m.groupsByCommit[commit] {
		names := m.groupsReserved[ref.userRef]
		if names[ref.group] <= 1 {
			delete(names, ref.group)
		} else {
			names[ref.group]--
		}
		if len(names) == 0 {
			delete(m.groupsReserved, ref.userRef)
		}
	}
	delete(m.groupsByCommit, commit)
}

// HasGroup reports whether user has the friend group name.
func (m *Model) HasGroup(app, user, name string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.hasGroupLocked(app, user, name)
}

func (m *Model) hasGroupLocked(app, user, name string) bool {
	u := m.userLocked(app, user)
	return u != nil && u.more().groups[name] > 0
}

// ReserveGroups reserves, for commit, the groups in names that user does not
// have, while the user's groups and the names reserved for them stay within
// max.
func (m *Model) ReserveGroups(app, user, commit string, names []string, max int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reserveGroupsLocked(app, user, commit, names, max)
}

func (m *Model) reserveGroupsLocked(app, user, commit string, names []string, max int) bool {
	ref := userRef{app, user}
	u := m.userLocked(app, user)
	have := func(g string) bool { return u != nil && u.more().groups[g] > 0 }
	reserved := m.groupsReserved[ref]
	total := len(reserved)
	if u != nil {
		total += len(u.more().groups)
		for g := range reserved {
			if have(g) {
				total--
			}
		}
	}
	var fresh []string
	for _, g := range names {
		if !have(g) && !slices.Contains(fresh, g) {
			fresh = append(fresh, g)
			if reserved[g] == 0 {
				total++
			}
		}
	}
	if total > max {
		return false
	}
	if len(fresh) > 0 && reserved == nil {
		reserved = map[string]int{}
		m.groupsReserved[ref] = reserved
	}
	for _, g := range fresh {
		reserved[g]++
		m.groupsByCommit[commit] = append(m.groupsByCommit[commit], groupRef{ref, g})
	}
	return true
}

func (m *Model) dropReservedLocked(ref slotRef) {
	if m.reserved[ref] <= 1 {
		delete(m.reserved, ref)
	} else {
		m.reserved[ref]--
	}
}

// Exclusive runs fn with the model locked for writing; fn's Decider reads
// and reserves without locking again. It implements domain.ExclusiveState.
func (m *Model) Exclusive(fn func(domain.Decider)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fn(lockedModel{m})
}

// lockedModel is the model under a lock its holder took.
type lockedModel struct{ m *Model }

func (l lockedModel) Entry(app, owner, friend string) (domain.Entry, bool) {
	return l.m.entryLocked(app, owner, friend)
}
func (l lockedModel) Registered(app, user string) bool { return l.m.registeredLocked(app, user) }
func (l lockedModel) Reserve(app, user, commit string, max int) bool {
	return l.m.reserveLocked(slotRef{userRef{app, user}, false}, commit, max)
}
func (l lockedModel) Unreserve(app, user, commit string) { l.m.unreserveLocked(app, user, commit) }
func (l lockedModel) HasGroup(app, user, name string) bool {
	return l.m.hasGroupLocked(app, user, name)
}
func (l lockedModel) Blocked(app, user, target string) (bool, bool) {
	return l.m.blockedLocked(app, user, target)
}
func (l lockedModel) ReserveBlock(app, user, commit string, max int) bool {
	return l.m.reserveLocked(slotRef{userRef{app, user}, true}, commit, max)
}
func (l lockedModel) ReserveGroups(app, user, commit string, names []string, max int) bool {
	return l.m.reserveGroupsLocked(app, user, commit, names, max)
}

var _ domain.ExclusiveState = (*Model)(nil)
