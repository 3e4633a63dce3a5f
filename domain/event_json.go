package domain

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/amity-im/amity/domain/jsonscan"
)

// AppendEvent appends ev as encoding/json encodes it (the form an event has
// inside a stored commit, and in every /v1 answer).
func AppendEvent(b []byte, ev Event) ([]byte, error) {
	if !jsonscan.TimeEncodes(ev.Time) {
		out, err := json.Marshal(ev)
		if err != nil {
			return b, fmt.Errorf("encode event %s: %w", ev.ID, err)
		}
		return append(b, out...), nil
	}
	return appendEvent(b, &ev)
}

// DecodeEvent decodes one event of app, as AppendEvent writes it or in any
// form a stored commit may hold it (an older version is upcast), and checks
// it as a stored commit's events are checked (DecodeRecord).
func DecodeEvent(b []byte, app string) (Event, error) {
	s := jsonscan.Scanner{B: b}
	if e, ok := event(&s, &memo{app: [1]string{app}}); ok && s.End() && e.App == app && namesItsUsers(e) {
		return e, nil
	}
	// Anything else is read as the one event of a commit.
	var c bytes.Buffer
	c.WriteString(`{"id":"event","app":`)
	c.Write(jsonscan.AppendString(nil, app))
	c.WriteString(`,"events":[`)
	c.Write(b)
	c.WriteString(`]}`)
	commit, err := DecodeRecord(Record{Subject: Subject(app, Key{Kind: KindRelation}, 1), Data: c.Bytes()})
	if err != nil {
		return Event{}, err
	}
	if len(commit.Events) != 1 {
		return Event{}, fmt.Errorf("%w: not one event", ErrBadRecord)
	}
	return commit.Events[0], nil
}
