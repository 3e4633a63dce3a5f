package domain

import (
	"encoding/json"
	"time"
	"unicode/utf8"
)

// decodeCommitFast decodes a current-version commit in the form
// MarshalCommit writes, without reflection. It reports false for anything
// else — a field it does not know or meets twice, a null, a number that is
// not a plain integer, attributes or custom values, an older version, a
// payload its type refuses, invalid JSON — and the caller then decodes with
// encoding/json, whose result is the definition: wherever this returns
// true, it returns what encoding/json returns (FuzzCommitDecodersAgree).
func decodeCommitFast(b []byte) (Commit, bool) {
	s := scanner{b: b}
	var c Commit
	var seen uint8
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return s.once(&seen, 1) && s.str(&c.ID)
		case "app":
			if !s.once(&seen, 2) || !s.str(&c.App) {
				return false
			}
			s.app[0] = c.App
			return true
		case "events":
			return s.once(&seen, 4) && s.events(&c.Events)
		}
		return false
	})
	if !ok || !s.end() || c.ID == "" || c.App == "" {
		return Commit{}, false
	}
	if c.Events == nil {
		c.Events = []Event{}
	}
	return c, true
}

// scanner reads JSON from b at i.
type scanner struct {
	b   []byte
	i   int
	app [1]string // the commit's app, which its events repeat
}

// eventTypes and surfaces are the values most events repeat; known shares
// their strings instead of allocating new ones.
var (
	eventTypes = [...]string{TypeFriendAdded, TypeFriendDeleted, TypeFriendUpdated, TypeUserRegistered, TypeUserDeleted,
		TypeGroupsAdded, TypeGroupsDeleted, TypeUserBlocked, TypeUserUnblocked}
	surfaces = [...]string{"zim", "tencent"}
)

// known reads a string into dst, sharing the string of an equal value in
// values.
func (s *scanner) known(dst *string, values []string) bool {
	q, plain, ok := s.quoted()
	if !ok || !plain {
		s.i -= len(q)
		return ok && s.str(dst)
	}
	for _, v := range values {
		if string(q[1:len(q)-1]) == v {
			*dst = v
			return true
		}
	}
	*dst = string(q[1 : len(q)-1])
	return true
}

// once marks bit in seen and reports whether it was clear, so a field met
// twice sends the commit to encoding/json, which merges repeated objects.
func (s *scanner) once(seen *uint8, bit uint8) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next consumes c, after white space, if it comes next.
func (s *scanner) next(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

// object reads an object, calling field for each key with the scanner at
// the key's value; field reads the value or reports false.
func (s *scanner) object(field func(key []byte) bool) bool {
	if !s.next('{') {
		return false
	}
	if s.next('}') {
		return true
	}
	for {
		key, ok := s.key()
		if !ok || !s.next(':') || !field(key) {
			return false
		}
		if !s.next(',') {
			return s.next('}')
		}
	}
}

// array reads an array, calling elem with the scanner at each element.
func (s *scanner) array(elem func() bool) bool {
	if !s.next('[') {
		return false
	}
	if s.next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if !s.next(',') {
			return s.next(']')
		}
	}
}

// key reads an object key made of plain ASCII; anything else is left to
// encoding/json.
func (s *scanner) key() ([]byte, bool) {
	if !s.next('"') {
		return nil, false
	}
	start := s.i
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], true
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			return nil, false
		}
	}
	return nil, false
}

// quoted reads a string and returns it with its quotes, and whether it is
// plain: no escapes and valid UTF-8.
func (s *scanner) quoted() (q []byte, plain, ok bool) {
	if !s.next('"') {
		return nil, false, false
	}
	start, ascii, escaped := s.i-1, true, false
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			q = s.b[start:s.i]
			return q, !escaped && (ascii || utf8.Valid(q)), true
		case c == '\\':
			escaped = true
			s.i++ // the escaped byte cannot end the string
		case c < 0x20:
			return nil, false, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false, false
}

// str reads a string into dst. Escapes and invalid UTF-8 are decoded by
// encoding/json, so they mean exactly what they mean there.
func (s *scanner) str(dst *string) bool {
	q, plain, ok := s.quoted()
	if !ok {
		return false
	}
	if plain {
		*dst = string(q[1 : len(q)-1])
		return true
	}
	v, err := unquote(q)
	*dst = v
	return err == nil
}

func unquote(q []byte) (string, error) {
	var v string
	err := json.Unmarshal(q, &v)
	return v, err
}

// strs reads an array of strings; [] gives an empty, non-nil slice.
func (s *scanner) strs(dst *[]string) bool {
	out := []string{}
	ok := s.array(func() bool {
		var v string
		if !s.str(&v) {
			return false
		}
		out = append(out, v)
		return true
	})
	*dst = out
	return ok
}

// int reads a plain JSON integer of at most 18 digits.
func (s *scanner) int(dst *int64) bool {
	s.space()
	j, neg := s.i, false
	if j < len(s.b) && s.b[j] == '-' {
		neg = true
		j++
	}
	digits := j
	var n int64
	for ; j < len(s.b) && s.b[j] >= '0' && s.b[j] <= '9'; j++ {
		n = n*10 + int64(s.b[j]-'0')
	}
	if j == digits || j-digits > 18 || (s.b[digits] == '0' && j-digits > 1) {
		return false
	}
	if j < len(s.b) {
		switch s.b[j] {
		case '.', 'e', 'E':
			return false
		}
	}
	if neg {
		n = -n
	}
	s.i, *dst = j, n
	return true
}

func (s *scanner) bool(dst *bool) bool {
	s.space()
	for _, lit := range [...]string{"true", "false"} {
		if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
			s.i += len(lit)
			*dst = lit == "true"
			return true
		}
	}
	return false
}

// time reads a time as encoding/json does: time.Time's own UnmarshalJSON
// on the quoted text.
func (s *scanner) time(dst *time.Time) bool {
	q, plain, ok := s.quoted()
	return ok && plain && dst.UnmarshalJSON(q) == nil
}

func (s *scanner) events(dst *[]Event) bool {
	out := []Event{}
	ok := s.array(func() bool {
		e, ok := s.event()
		out = append(out, e)
		return ok
	})
	*dst = out
	return ok
}

func (s *scanner) event() (Event, bool) {
	var e Event
	var d anyData
	var version int64
	var seen uint8
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return s.once(&seen, 1) && s.str(&e.ID)
		case "type":
			return s.once(&seen, 2) && s.known(&e.Type, eventTypes[:])
		case "version":
			return s.once(&seen, 4) && s.int(&version)
		case "app":
			return s.once(&seen, 8) && s.known(&e.App, s.app[:])
		case "time":
			return s.once(&seen, 16) && s.time(&e.Time)
		case "request_id":
			return s.once(&seen, 32) && s.str(&e.RequestID)
		case "surface":
			return s.once(&seen, 64) && s.known(&e.Surface, surfaces[:])
		case "data":
			return s.once(&seen, 128) && s.data(&d)
		}
		return false
	})
	if !ok || version != SchemaVersion {
		return Event{}, false
	}
	e.Version = SchemaVersion
	data, err := d.payload(e.Type)
	if err != nil {
		return Event{}, false
	}
	e.Data = data
	return e, true
}

func (s *scanner) data(d *anyData) bool {
	var seen uint16
	once := func(bit uint16) bool {
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		return true
	}
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "user":
			return once(1) && s.str(&d.User)
		case "friend":
			return once(2) && s.str(&d.Friend)
		case "target":
			return once(4) && s.str(&d.Target)
		case "name":
			return once(8) && s.str(&d.Name)
		case "avatar":
			return once(16) && s.str(&d.Avatar)
		case "entry":
			return once(32) && s.entry(&d.Entry)
		case "reverse":
			return once(64) && s.entry(&d.Reverse)
		case "imported":
			return once(128) && s.bool(&d.Imported)
		case "both":
			return once(256) && s.bool(&d.Both)
		case "unfriended":
			return once(512) && s.bool(&d.Unfriended)
		case "alias":
			d.Alias = new(string)
			return once(1024) && s.str(d.Alias)
		case "groups":
			d.Groups = new([]string)
			return once(2048) && s.strs(d.Groups)
		case "update_time":
			return once(4096) && s.int(&d.UpdateTime)
		}
		return false
	})
}

func (s *scanner) entry(dst **Entry) bool {
	e := &Entry{}
	*dst = e
	var seen uint8
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "alias":
			return s.once(&seen, 1) && s.str(&e.Alias)
		case "wording":
			return s.once(&seen, 2) && s.str(&e.Wording)
		case "add_source":
			return s.once(&seen, 4) && s.str(&e.AddSource)
		case "groups":
			return s.once(&seen, 8) && s.strs(&e.Groups)
		case "create_time":
			return s.once(&seen, 16) && s.int(&e.CreateTime)
		case "update_time":
			return s.once(&seen, 32) && s.int(&e.UpdateTime)
		case "remark_time":
			return s.once(&seen, 64) && s.int(&e.RemarkTime)
		}
		return false
	})
}
