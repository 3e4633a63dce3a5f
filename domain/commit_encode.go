package domain

import (
	"encoding/json"
	"strconv"

	"github.com/amity-im/amity/domain/jsonscan"
)

// appendCommit appends c as encoding/json encodes it, writing by hand the
// envelope and the payloads every add, delete and block makes: the writer
// encodes each commit in its one loop per partition, where encoding/json's
// reflection was a twentieth of the server's CPU at 20 000 adds/s. Other
// payloads, and times encoding/json would refuse, are left to encoding/json
// (an event's data, or the whole commit). FuzzMarshalCommitAsEncodingJSON
// holds the two to the same bytes.
func appendCommit(b []byte, c Commit, spans bool) ([]byte, [][]byte, error) {
	for _, ev := range c.Events {
		if !jsonscan.TimeEncodes(ev.Time) {
			out, err := json.Marshal(c)
			return append(b, out...), nil, err
		}
	}
	b = append(b, `{"id":`...)
	b = jsonscan.AppendString(b, c.ID)
	b = append(b, `,"app":`...)
	b = jsonscan.AppendString(b, c.App)
	b = append(b, `,"events":`...)
	if c.Events == nil {
		return append(b, "null}"...), nil, nil
	}
	b = append(b, '[')
	var at []int // where each event starts, and the last ends
	if spans {
		at = make([]int, 0, len(c.Events)+1)
	}
	for i := range c.Events {
		if i > 0 {
			b = append(b, ',')
		}
		if spans {
			at = append(at, len(b))
		}
		var err error
		if b, err = appendEvent(b, &c.Events[i]); err != nil {
			return b, nil, err
		}
	}
	if !spans {
		return append(b, "]}"...), nil, nil
	}
	at = append(at, len(b)+1) // as if another followed, after a comma
	b = append(b, "]}"...)
	raw := make([][]byte, len(c.Events))
	for i := range raw {
		raw[i] = b[at[i] : at[i+1]-1 : at[i+1]-1]
	}
	return b, raw, nil
}

func appendEvent(b []byte, ev *Event) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = jsonscan.AppendString(b, ev.ID)
	b = append(b, `,"type":`...)
	b = jsonscan.AppendString(b, ev.Type)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(ev.Version), 10)
	b = append(b, `,"app":`...)
	b = jsonscan.AppendString(b, ev.App)
	b = append(b, `,"time":`...)
	b, _ = jsonscan.AppendTime(b, ev.Time) // checked by appendCommit
	if ev.RequestID != "" {
		b = append(b, `,"request_id":`...)
		b = jsonscan.AppendString(b, ev.RequestID)
	}
	if ev.Surface != "" {
		b = append(b, `,"surface":`...)
		b = jsonscan.AppendString(b, ev.Surface)
	}
	b = append(b, `,"data":`...)
	switch d := ev.Data.(type) {
	case FriendAdded:
		// Every case returns; one that breaks leaves it to encoding/json.
		if entryNeedsJSON(d.Entry) || entryNeedsJSON(d.Reverse) {
			break
		}
		b = appendPair(b, "friend", d.User, d.Friend)
		if d.Entry != nil {
			b = appendEntry(append(b, `,"entry":`...), d.Entry)
		}
		if d.Reverse != nil {
			b = appendEntry(append(b, `,"reverse":`...), d.Reverse)
		}
		if d.Imported {
			b = append(b, `,"imported":true`...)
		}
		return append(b, "}}"...), nil
	case FriendDeleted:
		b = appendPair(b, "friend", d.User, d.Friend)
		b = strconv.AppendBool(append(b, `,"both":`...), d.Both)
		if d.KeptAlias != "" {
			b = jsonscan.AppendString(append(b, `,"kept_alias":`...), d.KeptAlias)
		}
		return append(b, "}}"...), nil
	case UserBlocked:
		b = appendPair(b, "target", d.User, d.Target)
		if d.Unfriended {
			b = append(b, `,"unfriended":true`...)
		}
		if d.Since != 0 {
			b = strconv.AppendInt(append(b, `,"since":`...), d.Since, 10)
		}
		return append(b, "}}"...), nil
	case UserUnblocked:
		return append(appendPair(b, "target", d.User, d.Target), "}}"...), nil
	}
	data, err := json.Marshal(ev.Data)
	if err != nil {
		return b, err
	}
	return append(append(b, data...), '}'), nil
}

// appendPair opens a payload object with its user and other party.
func appendPair(b []byte, otherKey, user, other string) []byte {
	b = append(b, `{"user":`...)
	b = jsonscan.AppendString(b, user)
	b = append(b, `,"`...)
	b = append(b, otherKey...)
	b = append(b, `":`...)
	return jsonscan.AppendString(b, other)
}

// entryNeedsJSON: an entry with custom fields is left to encoding/json.
func entryNeedsJSON(e *Entry) bool { return e != nil && len(e.Custom) > 0 }

// appendKey appends an object key, after a comma unless it is the first.
func appendKey(b []byte, first bool, k string) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, k...)
	return append(b, `":`...)
}

func appendEntry(b []byte, e *Entry) []byte {
	b = append(b, '{')
	first := true
	if e.Alias != "" {
		b = jsonscan.AppendString(appendKey(b, first, "alias"), e.Alias)
		first = false
	}
	if e.Wording != "" {
		b = jsonscan.AppendString(appendKey(b, first, "wording"), e.Wording)
		first = false
	}
	if len(e.Attributes) > 0 {
		b = jsonscan.AppendStringMap(appendKey(b, first, "attributes"), e.Attributes)
		first = false
	}
	if e.AddSource != "" {
		b = jsonscan.AppendString(appendKey(b, first, "add_source"), e.AddSource)
		first = false
	}
	if len(e.Groups) > 0 {
		b = jsonscan.AppendStrings(appendKey(b, first, "groups"), e.Groups)
		first = false
	}
	b = strconv.AppendInt(appendKey(b, first, "create_time"), e.CreateTime, 10)
	if e.UpdateTime != 0 {
		b = strconv.AppendInt(append(b, `,"update_time":`...), e.UpdateTime, 10)
	}
	if e.RemarkTime != 0 {
		b = strconv.AppendInt(append(b, `,"remark_time":`...), e.RemarkTime, 10)
	}
	return append(b, '}')
}
