package domain

import (
	"errors"
	"fmt"

	"github.com/amity-im/amity/domain/jsonscan"
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
	// Every record's every event passes here: a pair is read without
	// making a slice.
	if a, b, ok := ev.Parties(); ok {
		return a != "" && b != ""
	}
	users := ev.Users()
	for _, u := range users {
		if u == "" {
			return false
		}
	}
	return len(users) > 0
}

// EventsAt returns the events at places at (ascending) of the commit stored
// in r, a commit the read models applied. Where the commit is in the form
// MarshalCommit writes, it decodes only those events, skips the ones
// before them and reads no further than the last: a history read picks a
// user's few events out of big commits. Any other commit is decoded whole
// (DecodeRecord).
func EventsAt(r Record, at []int) ([]Event, error) {
	evs, _, err := EventsAtRaw(r, at)
	return evs, err
}

// EventsAtRaw is EventsAt, also returning each event's JSON: as stored,
// where the commit is in the form MarshalCommit writes (Commit.Raw), else
// as AppendEvent writes the event decoded.
func EventsAtRaw(r Record, at []int) ([]Event, [][]byte, error) {
	if evs, raw, ok := eventsAtFast(r, at); ok {
		return evs, raw, nil
	}
	c, err := DecodeRecord(r)
	if err != nil {
		return nil, nil, err
	}
	out, raw := make([]Event, 0, len(at)), make([][]byte, 0, len(at))
	for _, i := range at {
		if i < 0 || i >= len(c.Events) {
			return nil, nil, fmt.Errorf("%w: commit %s has no event %d", ErrBadRecord, c.ID, i)
		}
		b, err := c.RawEvent(i)
		if err != nil {
			return nil, nil, err
		}
		out, raw = append(out, c.Events[i]), append(raw, b)
	}
	return out, raw, nil
}

// RawEvent is event i's JSON: Raw's, or as AppendEvent writes it.
func (c Commit) RawEvent(i int) ([]byte, error) {
	if i < len(c.Raw) && c.Raw[i] != nil {
		return c.Raw[i], nil
	}
	return AppendEvent(nil, c.Events[i])
}

func eventsAtFast(r Record, at []int) ([]Event, [][]byte, bool) {
	app, ok := SubjectApp(r.Subject)
	if !ok || len(at) == 0 {
		return nil, nil, false
	}
	m := &memo{app: [1]string{app}}
	s := jsonscan.Scanner{B: r.Data}
	out, raw := make([]Event, 0, len(at)), make([][]byte, 0, len(at))
	var seen uint8
	read := false // every event asked for is read: the scan stops there
	s.Object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return jsonscan.Once(&seen, 1) && s.Skip()
		case "app":
			var a string
			return jsonscan.Once(&seen, 2) && s.Str(&a) && a == app
		case "events":
			if !jsonscan.Once(&seen, 4) || seen&2 == 0 {
				return false
			}
			i := 0
			s.Array(func() bool {
				switch {
				case len(out) == len(at):
					read = true
					return false
				case i == at[len(out)]:
					start := s.I
					e, ok := event(&s, m)
					if !ok || e.App != app || !namesItsUsers(e) || r.Data[start] != '{' {
						return false
					}
					out, raw = append(out, e), append(raw, r.Data[start:s.I:s.I])
				case !s.SkipContainer(): // checked when it was applied
					return false
				}
				i++
				return true
			})
			read = read || len(out) == len(at)
			return false // nothing after the events is read
		}
		return false
	})
	return out, raw, read
}
