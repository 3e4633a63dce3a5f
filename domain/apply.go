package domain

import (
	"maps"
	"slices"
)

// The state an event is applied to comes in parts: the read models and
// the Writer's in-batch overlay hold all of them (Mutator), a friend list
// rebuilt as of a past moment holds friend entries only. Apply is the only
// code that gives events their meaning, whichever parts the state holds.

// EntryMutator holds friend entries: who is in whose list, and how.
type EntryMutator interface {
	PutEntry(app, owner, friend string, e Entry)
	DeleteEntry(app, owner, friend string)
	// UpdateEntry calls f on owner's entry for friend, if there is one.
	UpdateEntry(app, owner, friend string, f func(*Entry))
}

// AliasMutator holds the aliases kept past a delete
// (FriendDeleted.KeptAlias). PutEntry for the pair drops the kept alias:
// the new entry has taken it, or an alias of its own.
type AliasMutator interface {
	KeepAlias(app, owner, friend, alias string)
}

// UserMutator holds registered users and their profiles.
type UserMutator interface {
	// PutUser registers u, or replaces a registered user's profile.
	PutUser(app string, u User)
	DeleteUser(app, user string)
	// UpdateProfile changes the fields of user's profile p sets.
	UpdateProfile(app string, p UserProfileUpdated)
}

// GroupMutator holds users' friend groups.
type GroupMutator interface {
	PutGroups(app, user string, groups []string)
	DeleteGroups(app, user string, groups []string)
}

// BlockMutator holds blocklists.
type BlockMutator interface {
	// PutBlock records that user blocked target at (Unix ms).
	PutBlock(app, user, target string, at int64)
	DeleteBlock(app, user, target string)
}

// RequestMutator holds friend requests.
type RequestMutator interface {
	// PutRequest records r, replacing r.From's request to r.To.
	PutRequest(app string, r Request)
	// CloseRequest sets the state of from's request to to, at (Unix ms).
	CloseRequest(app, from, to string, state RequestState, at int64)
	DeleteRequest(app, from, to string)
}

// FollowMutator holds follows.
type FollowMutator interface {
	// PutFollow records that user follows target since at (Unix ms).
	PutFollow(app, user, target string, at int64)
	DeleteFollow(app, user, target string)
}

// Mutator is the whole state: every part.
type Mutator interface {
	EntryMutator
	UserMutator
	GroupMutator
	BlockMutator
	RequestMutator
	FollowMutator
	MuteMutator
	AliasMutator
}

// Apply applies ev to m. It cannot fail: an event on the stream is a fact.
// It is the replay path and the live path alike. m holds friend entries,
// and each other part it holds (UserMutator, ...) is applied too; the parts
// it does not hold are passed over.
func Apply(m EntryMutator, ev Event) {
	switch d := ev.Data.(type) {
	case UserRegistered:
		if u, ok := m.(UserMutator); ok {
			u.PutUser(ev.App, User{ID: d.User, Name: d.Name, Avatar: d.Avatar, RegisteredAt: ev.Time.UnixMilli()})
		}
	case UserDeleted:
		if u, ok := m.(UserMutator); ok {
			u.DeleteUser(ev.App, d.User)
		}
	case UserProfileUpdated:
		if u, ok := m.(UserMutator); ok {
			u.UpdateProfile(ev.App, d)
		}
	case FriendGroupsAdded:
		if g, ok := m.(GroupMutator); ok {
			g.PutGroups(ev.App, d.User, d.Groups)
		}
	case FriendGroupsDeleted:
		if g, ok := m.(GroupMutator); ok {
			g.DeleteGroups(ev.App, d.User, d.Groups)
		}
	case UserBlocked:
		if b, ok := m.(BlockMutator); ok {
			b.PutBlock(ev.App, d.User, d.Target, since(ev, d.Since))
		}
		if d.Unfriended {
			m.DeleteEntry(ev.App, d.User, d.Target)
			m.DeleteEntry(ev.App, d.Target, d.User)
		}
	case UserUnblocked:
		if b, ok := m.(BlockMutator); ok {
			b.DeleteBlock(ev.App, d.User, d.Target)
		}
	case FriendAdded:
		if d.Entry != nil {
			m.PutEntry(ev.App, d.User, d.Friend, d.Entry.Clone())
		}
		if d.Reverse != nil {
			m.PutEntry(ev.App, d.Friend, d.User, d.Reverse.Clone())
		}
	case FriendDeleted:
		m.DeleteEntry(ev.App, d.User, d.Friend)
		if d.Both {
			m.DeleteEntry(ev.App, d.Friend, d.User)
		}
		if a, ok := m.(AliasMutator); ok && d.KeptAlias != "" {
			a.KeepAlias(ev.App, d.User, d.Friend, d.KeptAlias)
		}
	case FriendUpdated:
		m.UpdateEntry(ev.App, d.User, d.Friend, func(e *Entry) { updateEntry(e, d) })
	default:
		applyRequestOrFollow(m, ev)
	}
}

// applyRequestOrFollow applies the events of friend requests and follows.
func applyRequestOrFollow(m EntryMutator, ev Event) {
	r, _ := m.(RequestMutator)
	switch d := ev.Data.(type) {
	case FriendRequestSent:
		if r != nil {
			r.PutRequest(ev.App, Request{From: d.User, To: d.Target, Entry: d.Entry.Clone(), ExpireTime: d.ExpireTime,
				State: RequestWaiting, UpdateTime: d.Entry.UpdateTime})
		}
	case FriendRequestAccepted:
		if d.Entry != nil {
			m.PutEntry(ev.App, d.User, d.From, d.Entry.Clone())
		}
		if d.Reverse != nil {
			m.PutEntry(ev.App, d.From, d.User, d.Reverse.Clone())
		}
		if r != nil {
			r.CloseRequest(ev.App, d.From, d.User, RequestAccepted, ev.Time.UnixMilli())
		}
	case FriendRequestRejected:
		if r != nil {
			r.CloseRequest(ev.App, d.From, d.User, RequestRejected, ev.Time.UnixMilli())
		}
	case FriendRequestDeleted:
		if r != nil {
			r.DeleteRequest(ev.App, d.From, d.User)
		}
	case UserFollowed:
		if f, ok := m.(FollowMutator); ok {
			f.PutFollow(ev.App, d.User, d.Target, since(ev, d.Since))
		}
	case UserUnfollowed:
		if f, ok := m.(FollowMutator); ok {
			f.DeleteFollow(ev.App, d.User, d.Target)
		}
	case UserMuted:
		if mu, ok := m.(MuteMutator); ok {
			mu.PutMute(ev.App, d.User, d.Target, since(ev, d.Since))
		}
	case UserUnmuted:
		if mu, ok := m.(MuteMutator); ok {
			mu.DeleteMute(ev.App, d.User, d.Target)
		}
	}
}

// updateEntry applies a FriendUpdated to the entry it names.
func updateEntry(e *Entry, d FriendUpdated) {
	if d.Alias != nil {
		e.Alias = *d.Alias
		e.RemarkTime = d.UpdateTime
	}
	if d.Groups != nil {
		e.Groups = slices.Clone(*d.Groups)
	}
	if len(d.Custom) > 0 {
		if e.Custom == nil {
			e.Custom = make(map[string]CustomValue, len(d.Custom))
		}
		maps.Copy(e.Custom, d.Custom)
	}
	if len(d.Attributes) > 0 {
		if e.Attributes == nil {
			e.Attributes = make(map[string]string, len(d.Attributes))
		}
		maps.Copy(e.Attributes, d.Attributes)
	}
	e.UpdateTime = d.UpdateTime
}

// since is when a block or follow began: given (copied from a vendor), or
// the event's time.
func since(ev Event, given int64) int64 {
	if given != 0 {
		return given
	}
	return ev.Time.UnixMilli()
}
