package projections

import (
	"slices"

	"github.com/amity-im/amity/domain"
)

// Slot reservations: a commit being decided takes its slots in friend
// lists, blocklists and group sets before it is written, under the lock that
// counts them, so caps hold under concurrent commands.

// reserveLocked takes a slot in a friend list or blocklist for commit while
// the list plus reserved slots stay under max.
func (m *Model) reserveLocked(ref slotRef, commit string, max int) bool {
	n := m.reserved[ref]
	if u := m.userLocked(ref.app, ref.user); u != nil {
		switch ref.list {
		case blockSlot:
			n += len(u.more().blocked)
		case followSlot:
			n += len(u.soc().Following)
		case muteSlot:
			n += len(u.soc().Muted)
		default:
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

// reservePendingLocked takes room for one more waiting request from from
// to to, for commit: failing when the requests from waits for answers to,
// or those waiting for to's answer, number max at now (Unix ms), with
// those the commits under way took.
func (m *Model) reservePendingLocked(app, from, to, commit string, now int64, max int) bool {
	sentRef, receivedRef := slotRef{userRef{app, from}, sentSlot}, slotRef{userRef{app, to}, receivedSlot}
	sent, received := m.reserved[sentRef], m.reserved[receivedRef]
	if u := m.userLocked(app, from); u != nil {
		for target := range u.soc().SentTo {
			if r := m.userLocked(app, target).soc().Requests[from]; r != nil && r.StateAt(now) == domain.RequestWaiting {
				sent++
			}
		}
	}
	if u := m.userLocked(app, to); u != nil {
		for _, r := range u.soc().Requests {
			if r.StateAt(now) == domain.RequestWaiting {
				received++
			}
		}
	}
	if sent >= max || received >= max {
		return false
	}
	m.reserved[sentRef]++
	m.reserved[receivedRef]++
	m.byCommit[commit] = append(m.byCommit[commit], sentRef, receivedRef)
	return true
}

// unreserveLocked returns one friend-list slot of user's taken for commit.
func (m *Model) unreserveLocked(app, user, commit string) {
	ref := slotRef{userRef{app, user}, friendSlot}
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

// reserveGroupsLocked reserves, for commit, the groups in names that user
// does not have, while the user's groups and the names reserved for them
// stay within max.
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

// Decide runs fn with a View of app under the model's write lock, whose
// reservations are taken for commit. It implements domain.State.
func (m *Model) Decide(app *domain.App, commit string, fn func(domain.View)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fn(lockedView{m: m, app: app, commit: commit})
}

// lockedView is one app's state, for one commit, under a lock its holder
// took: the read interface commands decide against (domain.View).
type lockedView struct {
	m      *Model
	app    *domain.App
	commit string
}

func (v lockedView) Entry(owner, friend string) (domain.Entry, bool) {
	return v.m.entryLocked(v.app.Name, owner, friend)
}
func (v lockedView) Registered(user string) bool { return v.m.registeredLocked(v.app.Name, user) }
func (v lockedView) Reserve(user string) bool {
	return v.m.reserveLocked(slotRef{userRef{v.app.Name, user}, friendSlot}, v.commit, v.app.FriendCap())
}
func (v lockedView) Unreserve(user string) { v.m.unreserveLocked(v.app.Name, user, v.commit) }
func (v lockedView) HasGroup(user, name string) bool {
	return v.m.hasGroupLocked(v.app.Name, user, name)
}
func (v lockedView) Blocked(user, target string) (bool, bool) {
	return v.m.blockedLocked(v.app.Name, user, target)
}
func (v lockedView) ReserveBlock(user string) bool {
	return v.m.reserveLocked(slotRef{userRef{v.app.Name, user}, blockSlot}, v.commit, v.app.BlockCap())
}
func (v lockedView) ReserveFollow(user string) bool {
	return v.m.reserveLocked(slotRef{userRef{v.app.Name, user}, followSlot}, v.commit, domain.MaxFollowing)
}
func (v lockedView) ReserveMute(user string) bool {
	return v.m.reserveLocked(slotRef{userRef{v.app.Name, user}, muteSlot}, v.commit, domain.MaxMuted)
}
func (v lockedView) KeptAlias(owner, friend string) string {
	return v.m.userLocked(v.app.Name, owner).soc().KeptAliases[friend]
}
func (v lockedView) Muted(user, target string) bool {
	_, ok := v.m.userLocked(v.app.Name, user).soc().Muted[target]
	return ok
}
func (v lockedView) ReserveRequest(from, to string, now int64) bool {
	return v.m.reservePendingLocked(v.app.Name, from, to, v.commit, now, v.app.PendingCap())
}
func (v lockedView) Request(from, to string) (domain.Request, bool) {
	return v.m.requestLocked(v.app.Name, from, to)
}
func (v lockedView) Follows(user, target string) bool {
	_, ok := v.m.userLocked(v.app.Name, user).soc().Following[target]
	return ok
}
func (v lockedView) AllowType(user string) string {
	return domain.AllowTypeOf(v.m.userLocked(v.app.Name, user).soc().AllowType)
}
func (v lockedView) ReserveGroups(user string, names []string) bool {
	return v.m.reserveGroupsLocked(v.app.Name, user, v.commit, names, domain.MaxFriendGroups)
}

// The model is the whole state events are applied to.
var (
	_ domain.State   = (*Model)(nil)
	_ domain.Mutator = (*Model)(nil)
)
