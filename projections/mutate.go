package projections

import (
	"cmp"
	"maps"
	"slices"

	"github.com/amity-im/amity/domain"
)

// The model as the state events are applied to (domain.Mutator): users,
// groups and friend entries here, blocks in blocks.go, requests and follows
// in social.go.

// PutUser implements domain.Mutator. A user registered again keeps the
// time of the first registration.
func (m *Model) PutUser(app string, u domain.User) {
	s := m.mutUserLocked(app, u.ID)
	if !s.registered {
		s.registeredAt = u.RegisteredAt
		m.size.Users++
	}
	s.registered, s.profiled = true, true
	if u.Name != "" || u.Avatar != "" || s.x != nil {
		x := s.ext()
		x.name, x.avatar = u.Name, u.Avatar
	}
}

// DeleteUser implements domain.Mutator.
func (m *Model) DeleteUser(app, user string) {
	if s := m.userLocked(app, user); s != nil && s.registered {
		s.registered = false
		m.size.Users--
	}
}

// PutGroups implements domain.Mutator.
func (m *Model) PutGroups(app, user string, groups []string) {
	s := m.mutUserLocked(app, user)
	x := s.ext()
	if x.explicit == nil {
		x.explicit = map[string]bool{}
	}
	for _, g := range groups {
		if !x.explicit[g] {
			x.explicit[g] = true
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
		if s.more().explicit[g] {
			delete(s.x.explicit, g)
			s.refGroups([]string{g}, -1)
		}
	}
	s.stdSeq = max(s.stdSeq, m.cur)
}

func (s *userState) refGroups(groups []string, d int) {
	if len(groups) == 0 {
		return
	}
	x := s.ext()
	if x.groups == nil {
		x.groups = map[string]int{}
	}
	for _, g := range groups {
		if x.groups[g] += d; x.groups[g] <= 0 {
			delete(x.groups, g)
		}
	}
}

// touched records that the user's friend data changed at the current
// sequence; custom reports whether custom fields changed too.
func (m *Model) touched(s *userState, custom bool) {
	s.stdSeq = max(s.stdSeq, m.cur)
	if custom {
		s.ext().customSeq = max(s.x.customSeq, m.cur)
	}
}

// PutEntry implements domain.Mutator.
func (m *Model) PutEntry(app, owner, friend string, e domain.Entry) {
	s := m.mutUserLocked(app, owner)
	old, had := s.friends.put(m.apps[app].intern(friend), e)
	custom := len(e.Custom) > 0
	if !had {
		m.size.Edges++
	}
	if had {
		s.refGroups(old.Groups, -1)
		custom = custom || len(old.Custom) > 0
	}
	s.refGroups(e.Groups, 1)
	dropKeptAlias(s, friend)
	m.touched(s, custom)
}

// ownerAndFriend finds owner's state and friend's ID, when both exist.
func (m *Model) ownerAndFriend(app, owner, friend string) (*userState, uint32, bool) {
	s := m.userLocked(app, owner)
	if s == nil {
		return nil, 0, false
	}
	id, ok := m.apps[app].lookup(friend)
	return s, id, ok
}

// DeleteEntry implements domain.Mutator.
func (m *Model) DeleteEntry(app, owner, friend string) {
	s, id, ok := m.ownerAndFriend(app, owner, friend)
	if !ok {
		return
	}
	if old, had := s.friends.del(id); had {
		m.size.Edges--
		s.refGroups(old.Groups, -1)
		m.touched(s, len(old.Custom) > 0)
	}
}

// UpdateEntry implements domain.Mutator.
func (m *Model) UpdateEntry(app, owner, friend string, f func(*domain.Entry)) {
	s, id, ok := m.ownerAndFriend(app, owner, friend)
	if !ok {
		return
	}
	e, ok := s.friends.entry(id)
	if !ok {
		return
	}
	before := e
	e = e.Clone()
	f(&e)
	s.friends.put(id, e)
	s.refGroups(before.Groups, -1)
	s.refGroups(e.Groups, 1)
	m.touched(s, !maps.Equal(before.Custom, e.Custom))
}

// Sequences returns the stream sequences of the last change to user's
// standard and custom friend data.
func (m *Model) Sequences(app, user string) (standard, custom uint64) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if u := m.userLocked(app, user); u != nil {
		return u.stdSeq, u.more().customSeq
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
	groups := u.more().groups
	out := make([]domain.Group, 0, len(groups))
	idx := make(map[string]int, len(groups))
	for g := range groups {
		out = append(out, domain.Group{Name: g})
	}
	slices.SortFunc(out, func(a, b domain.Group) int { return cmp.Compare(a.Name, b.Name) })
	for i, g := range out {
		idx[g.Name] = i
	}
	names := m.apps[app].names
	for id, e := range u.friends.extra() {
		for _, g := range e.Groups {
			if i, ok := idx[g]; ok {
				out[i].Friends = append(out[i].Friends, names[id])
			}
		}
	}
	for i := range out {
		slices.Sort(out[i].Friends)
	}
	return out
}
