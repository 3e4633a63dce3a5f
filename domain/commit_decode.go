package domain

import "github.com/amity-im/amity/domain/jsonscan"

// decodeCommitFast decodes a current-version commit in the form
// MarshalCommit writes, without reflection. It reports false for anything
// else — a field it does not know or meets twice, a null, a number that is
// not a plain integer, attributes or custom values, an older version, a
// payload its type refuses, invalid JSON — and the caller then decodes with
// encoding/json, whose result is the definition: wherever this returns
// true, it returns what encoding/json returns (FuzzCommitDecodersAgree).
func decodeCommitFast(b []byte) (Commit, bool) {
	s := jsonscan.Scanner{B: b}
	var c Commit
	var app [1]string // the commit's app, which its events repeat
	var seen uint8
	ok := s.Object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return jsonscan.Once(&seen, 1) && s.Str(&c.ID)
		case "app":
			if !jsonscan.Once(&seen, 2) || !s.Str(&c.App) {
				return false
			}
			app[0] = c.App
			return true
		case "events":
			return jsonscan.Once(&seen, 4) && events(&s, &c.Events, &c.Raw, app[:])
		}
		return false
	})
	if !ok || !s.End() || c.ID == "" || c.App == "" {
		return Commit{}, false
	}
	if c.Events == nil {
		c.Events = []Event{}
	}
	return c, true
}

// eventTypes and surfaces are the values most events repeat; known shares
// their strings (jsonscan.Scanner.Known) instead of allocating new ones.
var (
	eventTypes = [...]string{TypeFriendAdded, TypeFriendDeleted, TypeFriendUpdated, TypeUserRegistered, TypeUserDeleted,
		TypeGroupsAdded, TypeGroupsDeleted, TypeUserBlocked, TypeUserUnblocked, TypeUserFollowed, TypeUserUnfollowed}
	surfaces = [...]string{"zim", "tencent", "yunxin", SurfaceMigrate}
)

func events(s *jsonscan.Scanner, dst *[]Event, raw *[][]byte, app []string) bool {
	out, spans := []Event{}, [][]byte{}
	ok := s.Array(func() bool {
		start := s.I
		e, ok := event(s, app)
		out = append(out, e)
		spans = append(spans, s.B[start:s.I:s.I])
		return ok && s.B[start] == '{' // compact, as Amity writes
	})
	*dst, *raw = out, spans
	return ok
}

func event(s *jsonscan.Scanner, app []string) (Event, bool) {
	var e Event
	var d anyData
	var version int64
	var seen uint8
	ok := s.Object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return jsonscan.Once(&seen, 1) && s.Str(&e.ID)
		case "type":
			return jsonscan.Once(&seen, 2) && s.Known(&e.Type, eventTypes[:])
		case "version":
			return jsonscan.Once(&seen, 4) && s.Int(&version)
		case "app":
			return jsonscan.Once(&seen, 8) && s.Known(&e.App, app)
		case "time":
			return jsonscan.Once(&seen, 16) && s.Time(&e.Time)
		case "request_id":
			return jsonscan.Once(&seen, 32) && s.Str(&e.RequestID)
		case "surface":
			return jsonscan.Once(&seen, 64) && s.Known(&e.Surface, surfaces[:])
		case "data":
			return jsonscan.Once(&seen, 128) && data(s, &d)
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

func data(s *jsonscan.Scanner, d *anyData) bool {
	var seen uint16
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "user":
			return jsonscan.Once(&seen, 1) && s.Str(&d.User)
		case "friend":
			return jsonscan.Once(&seen, 2) && s.Str(&d.Friend)
		case "target":
			return jsonscan.Once(&seen, 4) && s.Str(&d.Target)
		case "name":
			d.Name = new(string)
			return jsonscan.Once(&seen, 8) && s.Str(d.Name)
		case "avatar":
			d.Avatar = new(string)
			return jsonscan.Once(&seen, 16) && s.Str(d.Avatar)
		case "entry":
			return jsonscan.Once(&seen, 32) && entry(s, &d.Entry)
		case "reverse":
			return jsonscan.Once(&seen, 64) && entry(s, &d.Reverse)
		case "imported":
			return jsonscan.Once(&seen, 128) && s.Bool(&d.Imported)
		case "both":
			return jsonscan.Once(&seen, 256) && s.Bool(&d.Both)
		case "unfriended":
			return jsonscan.Once(&seen, 512) && s.Bool(&d.Unfriended)
		case "alias":
			d.Alias = new(string)
			return jsonscan.Once(&seen, 1024) && s.Str(d.Alias)
		case "groups":
			d.Groups = new([]string)
			return jsonscan.Once(&seen, 2048) && s.Strs(d.Groups)
		case "update_time":
			return jsonscan.Once(&seen, 4096) && s.Int(&d.UpdateTime)
		case "since":
			return jsonscan.Once(&seen, 8192) && s.Int(&d.Since)
		}
		return false
	})
}

func entry(s *jsonscan.Scanner, dst **Entry) bool {
	e := &Entry{}
	*dst = e
	var seen uint8
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "alias":
			return jsonscan.Once(&seen, 1) && s.Str(&e.Alias)
		case "wording":
			return jsonscan.Once(&seen, 2) && s.Str(&e.Wording)
		case "add_source":
			return jsonscan.Once(&seen, 4) && s.Str(&e.AddSource)
		case "groups":
			return jsonscan.Once(&seen, 8) && s.Strs(&e.Groups)
		case "create_time":
			return jsonscan.Once(&seen, 16) && s.Int(&e.CreateTime)
		case "update_time":
			return jsonscan.Once(&seen, 32) && s.Int(&e.UpdateTime)
		case "remark_time":
			return jsonscan.Once(&seen, 64) && s.Int(&e.RemarkTime)
		}
		return false
	})
}
