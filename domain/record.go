package domain

import (
	"errors"
	"fmt"
)

// ErrBadRecord wraps every reason a stored message is not a commit the
// projections can apply: it does not decode, names an event type or
// version this build does not know, or breaks an invariant below. Every
// projection, replay and verify skips such a message the same way.
var ErrBadRecord = errors.New("bad record")

// DecodeRecord decodes the commit stored in r and checks what the read
// models rely on: the commit belongs to the app its subject names, every
// event to the commit's app, and every event names its users.
func DecodeRecord(r Record) (Commit, error) {
	c, err := UnmarshalCommit(r.Data)
	if err != nil {
		return Commit{}, fmt.Errorf("%w: %w", ErrBadRecord, err)
	}
	app, ok := SubjectApp(r.Subject)
	if !ok {
		return Commit{}, fmt.Errorf("%w: subject %q is not a commit subject", ErrBadRecord, r.Subject)
	}
	if c.App != app {
		return Commit{}, fmt.Errorf("%w: commit %s of app %q on app %q's subject", ErrBadRecord, c.ID, c.App, app)
	}
	for i, ev := range c.Events {
		if ev.App != app {
			return Commit{}, fmt.Errorf("%w: commit %s event %d of app %q in app %q's commit", ErrBadRecord, c.ID, i, ev.App, app)
		}
		if !namesItsUsers(ev) {
			return Commit{}, fmt.Errorf("%w: commit %s event %d (%s) names no user", ErrBadRecord, c.ID, i, ev.Type)
		}
	}
	return c, nil
}

// namesItsUsers reports whether an event names the users it is about,
// without the allocation of Users: it runs for every event of a replay.
func namesItsUsers(ev Event) bool {
	if a, b, ok := ev.Parties(); ok {
		return a != "" && b != ""
	}
	switch d := ev.Data.(type) {
	case UserRegistered:
		return d.User != ""
	case UserDeleted:
		return d.User != ""
	case FriendGroupsAdded:
		return d.User != ""
	case FriendGroupsDeleted:
		return d.User != ""
	}
	return false
}
