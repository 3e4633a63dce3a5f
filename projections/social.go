package projections

import (
	"cmp"
	"maps"
	"slices"

	"github.com/amity-im/amity/domain"
)

// social is the part of a user's state few users have: the profile fields
// beyond name and avatar, the friend requests they received and sent, and
// their follows. Its JSON form is what the snapshot stores and the digest
// hashes.
type social struct {
	Extra     string `json:"extra,omitempty"`
	AllowType string `json:"allow_type,omitempty"`
	// Requests are the requests to the user, by requester; SentTo the
	// users the user's own requests went to (each kept in its target's
	// Requests).
	Requests map[string]*domain.Request `json:"requests,omitempty"`
	SentTo   map[string]bool            `json:"sent_to,omitempty"`
	// Following and Fans hold since when (Unix ms).
	Following map[string]int64 `json:"following,omitempty"`
	Fans      map[string]int64 `json:"fans,omitempty"`
	// Muted are the users the user muted, since when (Unix ms).
	Muted map[string]int64 `json:"muted,omitempty"`
	// KeptAliases are the aliases the user kept when deleting a friend,
	// by that friend, until the user adds them again.
	KeptAliases map[string]string `json:"kept_aliases,omitempty"`
}

func (s *social) empty() bool {
	return s.Extra == "" && s.AllowType == "" && len(s.Requests) == 0 && len(s.SentTo) == 0 && len(s.Following) == 0 && len(s.Fans) == 0 &&
		len(s.Muted) == 0 && len(s.KeptAliases) == 0
}

// noSocial is what soc returns for a user without social state; read only.
var noSocial social

// soc returns the user's social state for reading.
func (u *userState) soc() *social {
	if u == nil || u.x == nil || u.x.social == nil {
		return &noSocial
	}
	return u.x.social
}

// mutSoc returns the user's social state for changing it.
func (u *userState) mutSoc() *social {
	x := u.ext()
	if x.social == nil {
		x.social = &social{}
	}
	return x.social
}

// tidy drops the user's social state once nothing is left in it.
func (u *userState) tidy() {
	if u.x != nil && u.x.social != nil && u.x.social.empty() {
		u.x.social = nil
	}
}

// UpdateProfile implements domain.Mutator.
func (m *Model) UpdateProfile(app string, p domain.UserProfileUpdated) {
	s := m.mutUserLocked(app, p.User)
	if p.Name != nil || p.Avatar != nil {
		x := s.ext()
		if p.Name != nil {
			x.name = *p.Name
		}
		if p.Avatar != nil {
			x.avatar = *p.Avatar
		}
	}
	if p.Extra != nil || p.AllowType != nil {
		so := s.mutSoc()
		if p.Extra != nil {
			so.Extra = *p.Extra
		}
		if p.AllowType != nil {
			so.AllowType = *p.AllowType
		}
		s.tidy()
	}
}

// PutRequest implements domain.Mutator.
func (m *Model) PutRequest(app string, r domain.Request) {
	to := m.mutUserLocked(app, r.To).mutSoc()
	if to.Requests == nil {
		to.Requests = map[string]*domain.Request{}
	}
	to.Requests[r.From] = &r
	from := m.mutUserLocked(app, r.From).mutSoc()
	if from.SentTo == nil {
		from.SentTo = map[string]bool{}
	}
	from.SentTo[r.To] = true
}

// CloseRequest implements domain.Mutator.
func (m *Model) CloseRequest(app, from, to string, state domain.RequestState, at int64) {
	if r := m.userLocked(app, to).soc().Requests[from]; r != nil {
		r.State, r.UpdateTime = state, at
	}
}

// DeleteRequest implements domain.Mutator.
func (m *Model) DeleteRequest(app, from, to string) {
	if u := m.userLocked(app, to); u != nil && u.soc().Requests[from] != nil {
		delete(u.x.social.Requests, from)
		u.tidy()
	}
	if u := m.userLocked(app, from); u != nil && u.soc().SentTo[to] {
		delete(u.x.social.SentTo, to)
		u.tidy()
	}
}

// PutFollow implements domain.Mutator.
func (m *Model) PutFollow(app, user, target string, at int64) {
	f := m.mutUserLocked(app, user).mutSoc()
	if f.Following == nil {
		f.Following = map[string]int64{}
	}
	f.Following[target] = at
	t := m.mutUserLocked(app, target).mutSoc()
	if t.Fans == nil {
		t.Fans = map[string]int64{}
	}
	t.Fans[user] = at
}

// DeleteFollow implements domain.Mutator.
func (m *Model) DeleteFollow(app, user, target string) {
	if u := m.userLocked(app, user); u != nil && u.soc().Following != nil {
		delete(u.x.social.Following, target)
		u.tidy()
	}
	if u := m.userLocked(app, target); u != nil && u.soc().Fans != nil {
		delete(u.x.social.Fans, user)
		u.tidy()
	}
}

// PutMute implements domain.Mutator.
func (m *Model) PutMute(app, user, target string, at int64) {
	s := m.mutUserLocked(app, user).mutSoc()
	if s.Muted == nil {
		s.Muted = map[string]int64{}
	}
	s.Muted[target] = at
}

// DeleteMute implements domain.Mutator.
func (m *Model) DeleteMute(app, user, target string) {
	if u := m.userLocked(app, user); u != nil && u.soc().Muted != nil {
		delete(u.x.social.Muted, target)
		u.tidy()
	}
}

// KeepAlias implements domain.Mutator.
func (m *Model) KeepAlias(app, owner, friend, alias string) {
	s := m.mutUserLocked(app, owner).mutSoc()
	if s.KeptAliases == nil {
		s.KeptAliases = map[string]string{}
	}
	s.KeptAliases[friend] = alias
}

// dropKeptAlias forgets the alias u kept for friend: a new entry took it.
func dropKeptAlias(u *userState, friend string) {
	if u.soc().KeptAliases != nil {
		delete(u.x.social.KeptAliases, friend)
		u.tidy()
	}
}

// Mutes returns the users user muted, in ID order, with since when.
func (m *Model) Mutes(app, user string) []domain.Follow {
	m.mu.RLock()
	defer m.mu.RUnlock()
	muted := m.userLocked(app, user).soc().Muted
	out := make([]domain.Follow, 0, len(muted))
	for _, id := range slices.Sorted(maps.Keys(muted)) {
		out = append(out, domain.Follow{ID: id, Time: muted[id]})
	}
	return out
}

// Request returns from's request to to.
func (m *Model) Request(app, from, to string) (domain.Request, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.requestLocked(app, from, to)
}

func (m *Model) requestLocked(app, from, to string) (domain.Request, bool) {
	r := m.userLocked(app, to).soc().Requests[from]
	if r == nil {
		return domain.Request{}, false
	}
	out := *r
	out.Entry = r.Entry.Clone()
	return out, true
}

// Requests returns the requests user received (or, with sent, made),
// newest first (by creation, then the other user's ID).
func (m *Model) Requests(app, user string, sent bool) []domain.Request {
	m.mu.RLock()
	defer m.mu.RUnlock()
	so := m.userLocked(app, user).soc()
	var out []domain.Request
	if sent {
		for to := range so.SentTo {
			if r, ok := m.requestLocked(app, user, to); ok {
				out = append(out, r)
			}
		}
	} else {
		for from := range so.Requests {
			r, _ := m.requestLocked(app, from, user)
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b domain.Request) int {
		return cmp.Or(cmp.Compare(b.Entry.CreateTime, a.Entry.CreateTime), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out
}

// Follows reports whether user follows target.
func (m *Model) Follows(app, user, target string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.userLocked(app, user).soc().Following[target]
	return ok
}

// FollowRelation reports, read together, whether a follows b and b
// follows a.
func (m *Model) FollowRelation(app, a, b string) (ab, ba bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	so := m.userLocked(app, a).soc()
	_, ab = so.Following[b]
	_, ba = so.Fans[b]
	return ab, ba
}

// FollowList returns up to limit entries of user's follow list of kind
// whose IDs sort after after, in ID order, and whether more follow.
func (m *Model) FollowList(app, user string, kind domain.FollowKind, after string, limit int) ([]domain.Follow, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	so := m.userLocked(app, user).soc()
	var src map[string]int64
	switch kind {
	case domain.Fans:
		src = so.Fans
	case domain.Following, domain.Mutual:
		src = so.Following
	}
	ids := make([]string, 0, len(src))
	for id := range src {
		if id <= after && after != "" {
			continue
		}
		if _, fan := so.Fans[id]; kind == domain.Mutual && !fan {
			continue
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	more := len(ids) > limit
	ids = ids[:min(limit, len(ids))]
	out := make([]domain.Follow, len(ids))
	for i, id := range ids {
		at := src[id]
		if kind == domain.Mutual {
			at = max(at, so.Fans[id])
		}
		out[i] = domain.Follow{ID: id, Time: at}
	}
	return out, more
}

// FollowCounts returns user's fans, following and mutual counts.
func (m *Model) FollowCounts(app, user string) domain.FollowCounts {
	m.mu.RLock()
	defer m.mu.RUnlock()
	so := m.userLocked(app, user).soc()
	c := domain.FollowCounts{Fans: len(so.Fans), Following: len(so.Following)}
	for id := range so.Following {
		if _, ok := so.Fans[id]; ok {
			c.Mutual++
		}
	}
	return c
}

// clone returns a deep copy of s, for a snapshot or digest.
func (s *social) clone() *social {
	out := &social{Extra: s.Extra, AllowType: s.AllowType, SentTo: maps.Clone(s.SentTo),
		Following: maps.Clone(s.Following), Fans: maps.Clone(s.Fans), Muted: maps.Clone(s.Muted), KeptAliases: maps.Clone(s.KeptAliases)}
	if s.Requests != nil {
		out.Requests = make(map[string]*domain.Request, len(s.Requests))
		for k, r := range s.Requests {
			c := *r
			c.Entry = r.Entry.Clone()
			out.Requests[k] = &c
		}
	}
	return out
}
