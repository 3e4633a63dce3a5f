package domain

import (
	"sync"

	"github.com/amity-im/amity/domain/jsonscan"
)

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
	var m memo
	var seen uint8
	ok := s.Object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return jsonscan.Once(&seen, 1) && s.Str(&c.ID)
		case "app":
			if !jsonscan.Once(&seen, 2) || !s.Str(&c.App) {
				return false
			}
			m.app[0] = c.App
			return true
		case "events":
			return jsonscan.Once(&seen, 4) && events(&s, &c.Events, &c.Raw, &m)
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
		TypeGroupsAdded, TypeGroupsDeleted, TypeUserBlocked, TypeUserUnblocked, TypeUserFollowed, TypeUserUnfollowed,
		TypeRequestSent, TypeRequestAccepted, TypeRequestRejected, TypeRequestDeleted, TypeProfileUpdated,
		TypeUserMuted, TypeUserUnmuted}
	surfaces = [...]string{"zim", "tencent", "yunxin", SurfaceMigrate}
)

// memo holds what a commit's events repeat — the app, and the time,
// request ID and entry texts of the event before — so that an event
// repeating them shares the decoded value instead of making its own.
type memo struct {
	app       [1]string
	time      jsonscan.TimeMemo
	requestID [1]string
	addSource [1]string
	wording   [1]string
}

// scratch is what events collects a commit's events in before it copies
// them into a slice of their number: one allocation a commit, not one
// each time the slice grows.
type scratch struct {
	events []Event
	spans  [][]byte
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

func events(s *jsonscan.Scanner, dst *[]Event, raw *[][]byte, m *memo) bool {
	sc := scratches.Get().(*scratch)
	ok := s.Array(func() bool {
		start := s.I
		e, ok := event(s, m)
		sc.events = append(sc.events, e)
		sc.spans = append(sc.spans, s.B[start:s.I:s.I])
		return ok && s.B[start] == '{' // compact, as Amity writes
	})
	*dst, *raw = append([]Event{}, sc.events...), append([][]byte{}, sc.spans...)
	clear(sc.events)
	clear(sc.spans)
	sc.events, sc.spans = sc.events[:0], sc.spans[:0]
	scratches.Put(sc)
	return ok
}

func event(s *jsonscan.Scanner, m *memo) (Event, bool) {
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
			return jsonscan.Once(&seen, 8) && s.Known(&e.App, m.app[:])
		case "time":
			return jsonscan.Once(&seen, 16) && s.TimeMemo(&e.Time, &m.time)
		case "request_id":
			if !jsonscan.Once(&seen, 32) || !s.Known(&e.RequestID, m.requestID[:]) {
				return false
			}
			m.requestID[0] = e.RequestID
			return true
		case "surface":
			return jsonscan.Once(&seen, 64) && s.Known(&e.Surface, surfaces[:])
		case "data":
			return jsonscan.Once(&seen, 128) && data(s, &d, m)
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

func data(s *jsonscan.Scanner, d *anyData, m *memo) bool {
	var seen uint32
	var pair *[2]Entry // an event's entry and reverse, made together
	slot := func() *Entry {
		if pair == nil {
			pair = new([2]Entry)
			return &pair[0]
		}
		return &pair[1]
	}
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
			return jsonscan.Once(&seen, 32) && entry(s, &d.Entry, slot, m)
		case "reverse":
			return jsonscan.Once(&seen, 64) && entry(s, &d.Reverse, slot, m)
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
		case "from":
			return jsonscan.Once(&seen, 1<<14) && s.Str(&d.From)
		case "expire_time":
			return jsonscan.Once(&seen, 1<<15) && s.Int(&d.ExpireTime)
		case "extra":
			d.Extra = new(string)
			return jsonscan.Once(&seen, 1<<16) && s.Str(d.Extra)
		case "allow_type":
			d.AllowType = new(string)
			return jsonscan.Once(&seen, 1<<17) && s.Str(d.AllowType)
		case "kept_alias":
			return jsonscan.Once(&seen, 1<<18) && s.Str(&d.KeptAlias)
		}
		return false
	})
}

func entry(s *jsonscan.Scanner, dst **Entry, slot func() *Entry, m *memo) bool {
	e := slot()
	*dst = e
	var seen uint8
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "alias":
			return jsonscan.Once(&seen, 1) && s.Str(&e.Alias)
		case "wording":
			if !jsonscan.Once(&seen, 2) || !s.Known(&e.Wording, m.wording[:]) {
				return false
			}
			m.wording[0] = e.Wording
			return true
		case "add_source":
			if !jsonscan.Once(&seen, 4) || !s.Known(&e.AddSource, m.addSource[:]) {
				return false
			}
			m.addSource[0] = e.AddSource
			return true
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
