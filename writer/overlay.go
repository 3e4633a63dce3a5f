package writer

import "github.com/amity-im/amity/domain"

// overlay lays the decisions of one commit over a View of the read model:
// each command of a group commit decides against the ones before it.
type overlay struct {
	s       domain.View
	entries map[[2]string]*domain.Entry // nil: deleted in this commit
	users   map[string]bool             // false: deleted in this commit
	groups  map[[2]string]bool          // {user, group}; false: deleted in this commit
	blocks  map[[2]string]bool          // {user, target}; false: unblocked in this commit
	// What few commits change is made on first use.
	requests map[[2]string]*domain.Request // {from, to}; nil: deleted in this commit
	follows  map[[2]string]bool            // {user, target}; false: unfollowed in this commit
	mutes    map[[2]string]bool            // {user, target}; false: unmuted in this commit
	kept     map[[2]string]string          // {owner, friend}; "": taken by a new entry in this commit
	allow    map[string]string
}

// An overlay holds every part of the state a command decides against.
var _ domain.Mutator = (*overlay)(nil)

func newOverlay(s domain.View) *overlay {
	return &overlay{s: s, entries: map[[2]string]*domain.Entry{}, users: map[string]bool{}, groups: map[[2]string]bool{}, blocks: map[[2]string]bool{}}
}

func (o *overlay) Request(from, to string) (domain.Request, bool) {
	if r, ok := o.requests[[2]string{from, to}]; ok {
		if r == nil {
			return domain.Request{}, false
		}
		return *r, true
	}
	return o.s.Request(from, to)
}

func (o *overlay) PutRequest(_ string, r domain.Request) {
	if o.requests == nil {
		o.requests = map[[2]string]*domain.Request{}
	}
	o.requests[[2]string{r.From, r.To}] = &r
}

func (o *overlay) CloseRequest(app, from, to string, state domain.RequestState, at int64) {
	if r, ok := o.Request(from, to); ok {
		r.State, r.UpdateTime = state, at
		o.PutRequest(app, r)
	}
}

func (o *overlay) DeleteRequest(_, from, to string) {
	if o.requests == nil {
		o.requests = map[[2]string]*domain.Request{}
	}
	o.requests[[2]string{from, to}] = nil
}

func (o *overlay) Follows(user, target string) bool {
	if f, ok := o.follows[[2]string{user, target}]; ok {
		return f
	}
	return o.s.Follows(user, target)
}

func (o *overlay) ReserveFollow(user string) bool { return o.s.ReserveFollow(user) }

func (o *overlay) Muted(user, target string) bool {
	if m, ok := o.mutes[[2]string{user, target}]; ok {
		return m
	}
	return o.s.Muted(user, target)
}

func (o *overlay) ReserveMute(user string) bool { return o.s.ReserveMute(user) }

func (o *overlay) setMute(user, target string, m bool) {
	if o.mutes == nil {
		o.mutes = map[[2]string]bool{}
	}
	o.mutes[[2]string{user, target}] = m
}

func (o *overlay) PutMute(_, user, target string, _ int64) { o.setMute(user, target, true) }

func (o *overlay) DeleteMute(_, user, target string) { o.setMute(user, target, false) }

func (o *overlay) ReserveRequest(from, to string, now int64) bool {
	return o.s.ReserveRequest(from, to, now)
}

func (o *overlay) setFollow(user, target string, f bool) {
	if o.follows == nil {
		o.follows = map[[2]string]bool{}
	}
	o.follows[[2]string{user, target}] = f
}

func (o *overlay) PutFollow(_, user, target string, _ int64) { o.setFollow(user, target, true) }

func (o *overlay) DeleteFollow(_, user, target string) { o.setFollow(user, target, false) }

func (o *overlay) AllowType(user string) string {
	if a, ok := o.allow[user]; ok {
		return a
	}
	return o.s.AllowType(user)
}

func (o *overlay) UpdateProfile(_ string, p domain.UserProfileUpdated) {
	if p.AllowType == nil {
		return
	}
	if o.allow == nil {
		o.allow = map[string]string{}
	}
	o.allow[p.User] = *p.AllowType
}

func (o *overlay) Entry(owner, friend string) (domain.Entry, bool) {
	if e, ok := o.entries[[2]string{owner, friend}]; ok {
		if e == nil {
			return domain.Entry{}, false
		}
		return *e, true
	}
	return o.s.Entry(owner, friend)
}

func (o *overlay) Registered(user string) bool {
	if r, ok := o.users[user]; ok {
		return r
	}
	return o.s.Registered(user)
}

func (o *overlay) HasGroup(user, name string) bool {
	if g, ok := o.groups[[2]string{user, name}]; ok {
		return g
	}
	return o.s.HasGroup(user, name)
}

func (o *overlay) ReserveGroups(user string, names []string) bool {
	return o.s.ReserveGroups(user, names)
}

func (o *overlay) Blocked(user, target string) (bool, bool) {
	if b, ok := o.blocks[[2]string{user, target}]; ok {
		return b, !b
	}
	return o.s.Blocked(user, target)
}

func (o *overlay) ReserveBlock(user string) bool {
	return o.s.ReserveBlock(user)
}

func (o *overlay) PutBlock(_, user, target string, _ int64) { o.blocks[[2]string{user, target}] = true }

func (o *overlay) DeleteBlock(_, user, target string) { o.blocks[[2]string{user, target}] = false }

func (o *overlay) DeleteUser(_, user string) { o.users[user] = false }

func (o *overlay) PutGroups(_, user string, groups []string) {
	for _, g := range groups {
		o.groups[[2]string{user, g}] = true
	}
}

func (o *overlay) DeleteGroups(_, user string, groups []string) {
	for _, g := range groups {
		o.groups[[2]string{user, g}] = false
	}
}

func (o *overlay) Reserve(user string) bool {
	return o.s.Reserve(user)
}

func (o *overlay) Unreserve(user string) { o.s.Unreserve(user) }

func (o *overlay) PutUser(_ string, u domain.User) { o.users[u.ID] = true }

func (o *overlay) PutEntry(_, owner, friend string, e domain.Entry) {
	o.entries[[2]string{owner, friend}] = &e
	if o.kept != nil || o.s.KeptAlias(owner, friend) != "" {
		o.KeepAlias("", owner, friend, "")
	}
}

func (o *overlay) KeptAlias(owner, friend string) string {
	if a, ok := o.kept[[2]string{owner, friend}]; ok {
		return a
	}
	return o.s.KeptAlias(owner, friend)
}

func (o *overlay) KeepAlias(_, owner, friend, alias string) {
	if o.kept == nil {
		o.kept = map[[2]string]string{}
	}
	o.kept[[2]string{owner, friend}] = alias
}

func (o *overlay) DeleteEntry(_, owner, friend string) {
	o.entries[[2]string{owner, friend}] = nil
}

func (o *overlay) UpdateEntry(_, owner, friend string, f func(*domain.Entry)) {
	e, ok := o.Entry(owner, friend)
	if !ok {
		return
	}
	e = e.Clone()
	f(&e)
	o.entries[[2]string{owner, friend}] = &e
}
