package projections

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/amity-im/amity/domain"
)

// Model is the users and relations read model of every app.
type Model struct {
	mu    sync.RWMutex
	apps  map[string]*appState
	parts map[string]uint64 // subject -> last applied sequence
	seq   uint64            // highest applied sequence
	cur   uint64            // sequence of the commit being applied
	// followed is the position of the ordered read of the stream: every
	// commit at or below it is applied.
	followed uint64
	applied  uint64        // commits applied
	changed  chan struct{} // closed and replaced on every apply

	// slot reservations for commits being decided
	reserved       map[slotRef]int
	byCommit       map[string][]slotRef
	groupsReserved map[userRef]map[string]int
	groupsByCommit map[string][]groupRef
}

type groupRef struct {
	userRef
	group string
}

type userRef struct{ app, user string }

// slotRef names a reserved slot: in a user's friend list or blocklist.
type slotRef struct {
	userRef
	blocks bool
}

type appState struct {
	users map[string]*userState
}

type userState struct {
	registered bool
	info       domain.User
	friends    map[string]*domain.Entry
	// groups counts, per friend group, the entries naming it plus one if
	// it was created on its own; a group exists while its count is above 0.
	groups   map[string]int
	explicit map[string]bool
	// stdSeq and customSeq are the stream sequences of the last change to
	// the user's standard and custom friend data (Tencent's sequences).
	stdSeq, customSeq uint64
	// blocked holds the blocklist (target -> Unix ms); unblocked the
	// targets that were in it and were taken out.
	blocked   map[string]int64
	unblocked map[string]bool
	blockSeq  uint64
}

// NewModel returns an empty model.
func NewModel() *Model {
	return &Model{
		apps:           map[string]*appState{},
		parts:          map[string]uint64{},
		changed:        make(chan struct{}),
		reserved:       map[slotRef]int{},
		byCommit:       map[string][]slotRef{},
		groupsReserved: map[userRef]map[string]int{},
		groupsByCommit: map[string][]groupRef{},
	}
}

// Apply applies commit c stored at seq on subject, unless the subject has
// already applied it.
func (m *Model) Apply(subject string, seq uint64, c domain.Commit) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.releaseLocked(c.ID)
	if seq <= m.parts[subject] {
		return
	}
	m.cur = seq
	for _, ev := range c.Events {
		domain.Apply(m, ev)
	}
	m.parts[subject] = seq
	m.applied++
	if seq > m.seq {
		m.seq = seq
	}
	close(m.changed)
	m.changed = make(chan struct{})
}

// ApplyRecord decodes and applies one record of the in-order read of the
// stream, and advances the read position.
func (m *Model) ApplyRecord(r domain.Record) error {
	_, err := m.applyCounted(r)
	return err
}

func (m *Model) applyCounted(r domain.Record) (uint64, error) {
	c, err := domain.UnmarshalCommit(r.Data)
	if err != nil {
		return 0, fmt.Errorf("record %d on %s: %w", r.Seq, r.Subject, err)
	}
	m.Apply(r.Subject, r.Seq, c)
	m.mu.Lock()
	if r.Seq > m.followed {
		m.followed = r.Seq
		close(m.changed)
		m.changed = make(chan struct{})
	}
	m.mu.Unlock()
	return uint64(len(c.Events)), nil
}

// WaitFollowed blocks until the in-order read reaches seq or ctx ends.
func (m *Model) WaitFollowed(ctx context.Context, seq uint64) error {
	return m.waitFor(ctx, func() bool { return m.followed >= seq })
}

// Followed is the position of the in-order read of the stream: every
// commit at or below it is applied.
func (m *Model) Followed() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.followed
}

// Applied is the number of commits applied since the model was made or
// loaded.
func (m *Model) Applied() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.applied
}

// Seq returns the highest stream sequence applied.
func (m *Model) Seq() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.seq
}

// PartitionSeq returns the last sequence applied on subject.
func (m *Model) PartitionSeq(subject string) uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.parts[subject]
}

// WaitSeq blocks until the model reflects stream sequence seq or ctx ends.
func (m *Model) WaitSeq(ctx context.Context, seq uint64) error {
	return m.waitFor(ctx, func() bool { return m.seq >= seq })
}

func (m *Model) waitFor(ctx context.Context, done func() bool) error {
	for {
		m.mu.RLock()
		ok, ch := done(), m.changed
		m.mu.RUnlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

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
	n := m.reserved[ref]
	if u := m.userLocked(ref.app, ref.user); u != nil {
		if ref.blocks {
			n += len(u.blocked)
		} else {
			n += len(u.friends)
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
	u := m.userLocked(app, user)
	return u != nil && u.groups[name] > 0
}

// ReserveGroups reserves, for commit, the groups in names that user does not
// have, while the user's groups and the names reserved for them stay within
// max.
func (m *Model) ReserveGroups(app, user, commit string, names []string, max int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	ref := userRef{app, user}
	u := m.userLocked(app, user)
	have := func(g string) bool { return u != nil && u.groups[g] > 0 }
	reserved := m.groupsReserved[ref]
	total := len(reserved)
	if u != nil {
		total += len(u.groups)
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

func (m *Model) userLocked(app, user string) *userState {
	a := m.apps[app]
	if a == nil {
		return nil
	}
	return a.users[user]
}

func (m *Model) mutUserLocked(app, user string) *userState {
	a := m.apps[app]
	if a == nil {
		a = &appState{users: map[string]*userState{}}
		m.apps[app] = a
	}
	u := a.users[user]
	if u == nil {
		u = &userState{}
		a.users[user] = u
	}
	return u
}

// PutUser implements domain.Mutator. A user registered again keeps the
// time of the first registration.
func (m *Model) PutUser(app string, u domain.User) {
	s := m.mutUserLocked(app, u.ID)
	if s.registered {
		u.RegisteredAt = s.info.RegisteredAt
	}
	s.registered, s.info = true, u
}

// DeleteUser implements domain.Mutator.
func (m *Model) DeleteUser(app, user string) {
	if s := m.userLocked(app, user); s != nil {
		s.registered = false
	}
}

// PutBlock implements domain.Mutator.
func (m *Model) PutBlock(app, user, target string, at int64) {
	s := m.mutUserLocked(app, user)
	if s.blocked == nil {
		s.blocked = map[string]int64{}
	}
	s.blocked[target] = at
	delete(s.unblocked, target)
	s.blockSeq = max(s.blockSeq, m.cur)
}

// DeleteBlock implements domain.Mutator.
func (m *Model) DeleteBlock(app, user, target string) {
	s := m.userLocked(app, user)
	if s == nil {
		return
	}
	if _, ok := s.blocked[target]; ok {
		delete(s.blocked, target)
		if s.unblocked == nil {
			s.unblocked = map[string]bool{}
		}
		s.unblocked[target] = true
	}
	s.blockSeq = max(s.blockSeq, m.cur)
}

// Blocked reports whether user's blocklist holds target, and whether it
// held target once and no longer does.
func (m *Model) Blocked(app, user, target string) (blocked, wasBlocked bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if u := m.userLocked(app, user); u != nil {
		_, blocked = u.blocked[target]
		wasBlocked = u.unblocked[target]
	}
	return blocked, wasBlocked
}

// Blocklist returns a page of user's blocklist in ID order and its size.
func (m *Model) Blocklist(app, user string, offset, limit int) ([]domain.Block, int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	u := m.userLocked(app, user)
	if u == nil || len(u.blocked) == 0 {
		return nil, 0
	}
	ids, total := pageOf(u.blocked, offset, limit)
	page := make([]domain.Block, len(ids))
	for i, id := range ids {
		page[i] = domain.Block{ID: id, Time: u.blocked[id]}
	}
	return page, total
}

// BlockSequence is the stream sequence of the last change to user's
// blocklist.
func (m *Model) BlockSequence(app, user string) uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if u := m.userLocked(app, user); u != nil {
		return u.blockSeq
	}
	return 0
}

// Pair is both directions of a pair, read at one instant.
type Pair struct {
	AHasB, BHasA       bool
	ABlocksB, BBlocksA bool
}

// Pair reads the friendship and blocks of {a, b} at one instant.
func (m *Model) Pair(app, a, b string) Pair {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var p Pair
	if u := m.userLocked(app, a); u != nil {
		_, p.AHasB = u.friends[b]
		_, p.ABlocksB = u.blocked[b]
	}
	if u := m.userLocked(app, b); u != nil {
		_, p.BHasA = u.friends[a]
		_, p.BBlocksA = u.blocked[a]
	}
	return p
}

// PutGroups implements domain.Mutator.
func (m *Model) PutGroups(app, user string, groups []string) {
	s := m.mutUserLocked(app, user)
	if s.explicit == nil {
		s.explicit = map[string]bool{}
	}
	for _, g := range groups {
		if !s.explicit[g] {
			s.explicit[g] = true
			s.refGroups([]string{g}, 1)
		}
	}
	s.stdSeq = max(s.stdSeq, m.cur)
}

// DeleteGroups implements domain.Mutator.
func (m *Model) DeleteGroups(app, user string, groups []string) {
	s := m.userLocked(app, user)
	if s == nil {
		return
	}
	for _, g := range groups {
		if s.explicit[g] {
			delete(s.explicit, g)
			s.refGroups([]string{g}, -1)
		}
	}
	s.stdSeq = max(s.stdSeq, m.cur)
}

func (s *userState) refGroups(groups []string, d int) {
	if len(groups) == 0 {
		return
	}
	if s.groups == nil {
		s.groups = map[string]int{}
	}
	for _, g := range groups {
		if s.groups[g] += d; s.groups[g] <= 0 {
			delete(s.groups, g)
		}
	}
}

// touched records that the user's friend data changed at the current
// sequence; custom reports whether custom fields changed too.
func (m *Model) touched(s *userState, custom bool) {
	s.stdSeq = max(s.stdSeq, m.cur)
	if custom {
		s.customSeq = max(s.customSeq, m.cur)
	}
}

// PutEntry implements domain.Mutator.
func (m *Model) PutEntry(app, owner, friend string, e domain.Entry) {
	s := m.mutUserLocked(app, owner)
	if s.friends == nil {
		s.friends = map[string]*domain.Entry{}
	}
	custom := len(e.Custom) > 0
	if old := s.friends[friend]; old != nil {
		s.refGroups(old.Groups, -1)
		custom = custom || len(old.Custom) > 0
	}
	s.refGroups(e.Groups, 1)
	s.friends[friend] = &e
	m.touched(s, custom)
}

// DeleteEntry implements domain.Mutator.
func (m *Model) DeleteEntry(app, owner, friend string) {
	if s := m.userLocked(app, owner); s != nil {
		if old := s.friends[friend]; old != nil {
			s.refGroups(old.Groups, -1)
			delete(s.friends, friend)
			m.touched(s, len(old.Custom) > 0)
		}
	}
}

// UpdateEntry implements domain.Mutator.
func (m *Model) UpdateEntry(app, owner, friend string, f func(*domain.Entry)) {
	if s := m.userLocked(app, owner); s != nil {
		if e := s.friends[friend]; e != nil {
			groups, custom := slices.Clone(e.Groups), maps.Clone(e.Custom)
			f(e)
			s.refGroups(groups, -1)
			s.refGroups(e.Groups, 1)
			m.touched(s, !maps.Equal(custom, e.Custom))
		}
	}
}

// Sequences returns the stream sequences of the last change to user's
// standard and custom friend data.
func (m *Model) Sequences(app, user string) (standard, custom uint64) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if u := m.userLocked(app, user); u != nil {
		return u.stdSeq, u.customSeq
	}
	return 0, 0
}

// Groups returns user's friend groups in name order, each with the friends
// in it in ID order.
func (m *Model) Groups(app, user string) []domain.Group {
	m.mu.RLock()
	defer m.mu.RUnlock()
	u := m.userLocked(app, user)
	if u == nil {
		return nil
	}
	out := make([]domain.Group, 0, len(u.groups))
	idx := make(map[string]int, len(u.groups))
	for g := range u.groups {
		out = append(out, domain.Group{Name: g})
	}
	slices.SortFunc(out, func(a, b domain.Group) int { return cmp.Compare(a.Name, b.Name) })
	for i, g := range out {
		idx[g.Name] = i
	}
	for id, e := range u.friends {
		for _, g := range e.Groups {
			if i, ok := idx[g]; ok {
				out[i].Friends = append(out[i].Friends, id)
			}
		}
	}
	for i := range out {
		slices.Sort(out[i].Friends)
	}
	return out
}

// User returns a registered user.
func (m *Model) User(app, id string) (domain.User, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if u := m.userLocked(app, id); u != nil && u.registered {
		return u.info, true
	}
	return domain.User{}, false
}

// Registered reports whether user is registered in app.
func (m *Model) Registered(app, user string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	u := m.userLocked(app, user)
	return u != nil && u.registered
}

// Entry returns a copy of owner's entry for friend.
func (m *Model) Entry(app, owner, friend string) (domain.Entry, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if u := m.userLocked(app, owner); u != nil {
		if e := u.friends[friend]; e != nil {
			return e.Clone(), true
		}
	}
	return domain.Entry{}, false
}

// Relation reports both directions of {a, b} as of one instant.
func (m *Model) Relation(app, a, b string) (ab, ba bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if u := m.userLocked(app, a); u != nil {
		_, ab = u.friends[b]
	}
	if u := m.userLocked(app, b); u != nil {
		_, ba = u.friends[a]
	}
	return ab, ba
}

// FriendCount returns the size of user's friend list.
func (m *Model) FriendCount(app, user string) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if u := m.userLocked(app, user); u != nil {
		return len(u.friends)
	}
	return 0
}

// Friends returns a page of user's friends in ID order and the total.
func (m *Model) Friends(app, user string, offset, limit int) ([]domain.Friend, int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	u := m.userLocked(app, user)
	if u == nil || len(u.friends) == 0 {
		return nil, 0
	}
	ids, total := pageOf(u.friends, offset, limit)
	page := make([]domain.Friend, len(ids))
	for i, id := range ids {
		page[i] = domain.Friend{ID: id, Entry: u.friends[id].Clone()}
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
	for id, u := range a.users {
		if u.registered {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, cmp.Compare)
	return ids
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
