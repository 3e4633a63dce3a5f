package domain

import (
	"maps"
	"slices"
)

// Mutator is the state an event is applied to: the read models and the
// Writer's in-batch overlay both implement it, so Apply is the only code that
// gives events their meaning.
type Mutator interface {
	// PutUser registers u, or replaces a registered user's profile.
	PutUser(app string, u User)
	DeleteUser(app, user string)
	PutGroups(app, user string, groups []string)
	DeleteGroups(app, user string, groups []string)
	// PutBlock records that user blocked target at (Unix ms).
	PutBlock(app, user, target string, at int64)
	DeleteBlock(app, user, target string)
	PutEntry(app, owner, friend string, e Entry)
	DeleteEntry(app, owner, friend string)
	// UpdateEntry calls f on owner's entry for friend, if there is one.
	UpdateEntry(app, owner, friend string, f func(*Entry))
	// UpdateProfile changes the fields of user's profile p sets.
	UpdateProfile(app string, p UserProfileUpdated)
	// PutRequest records r, replacing r.From's request to r.To.
	PutRequest(app string, r Request)
	// CloseRequest sets the state of from's request to to, at (Unix ms).
	CloseRequest(app, from, to string, state RequestState, at int64)
	DeleteRequest(app, from, to string)
	// PutFollow records that user follows target since at (Unix ms).
	PutFollow(app, user, target string, at int64)
	DeleteFollow(app, user, target string)
}

// Apply applies ev to m. It cannot fail: an event on the stream is a fact.
// It is the replay path and the live path alike.
func Apply(m Mutator, ev Event) {
	switch d := ev.Data.(type) {
	case UserRegistered:
		m.PutUser(ev.App, User{ID: d.User, Name: d.Name, Avatar: d.Avatar, RegisteredAt: ev.Time.UnixMilli()})
	case UserDeleted:
		m.DeleteUser(ev.App, d.User)
	case FriendGroupsAdded:
		m.PutGroups(ev.App, d.User, d.Groups)
	case FriendGroupsDeleted:
		m.DeleteGroups(ev.App, d.User, d.Groups)
	case UserBlocked:
		m.PutBlock(ev.App, d.User, d.Target, ev.Time.UnixMilli())
		if d.Unfriended {
			m.DeleteEntry(ev.App, d.User, d.Target)
			m.DeleteEntry(ev.App, d.Target, d.User)
		}
	case UserUnblocked:
		m.DeleteBlock(ev.App, d.User, d.Target)
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
	case UserProfileUpdated:
		m.UpdateProfile(ev.App, d)
	case FriendRequestSent:
		m.PutRequest(ev.App, Request{From: d.User, To: d.Target, Entry: d.Entry.Clone(), ExpireTime: d.ExpireTime,
			State: RequestWaiting, UpdateTime: d.Entry.UpdateTime})
	case FriendRequestAccepted:
		if d.Entry != nil {
			m.PutEntry(ev.App, d.User, d.From, d.Entry.Clone())
		}
		if d.Reverse != nil {
			m.PutEntry(ev.App, d.From, d.User, d.Reverse.Clone())
		}
		m.CloseRequest(ev.App, d.From, d.User, RequestAccepted, ev.Time.UnixMilli())
	case FriendRequestRejected:
		m.CloseRequest(ev.App, d.From, d.User, RequestRejected, ev.Time.UnixMilli())
	case FriendRequestDeleted:
		m.DeleteRequest(ev.App, d.From, d.User)
	case UserFollowed:
		m.PutFollow(ev.App, d.User, d.Target, ev.Time.UnixMilli())
	case UserUnfollowed:
		m.DeleteFollow(ev.App, d.User, d.Target)
	case FriendUpdated:
		m.UpdateEntry(ev.App, d.User, d.Friend, func(e *Entry) {
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
		})
	}
}
