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
