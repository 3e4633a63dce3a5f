package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event type names. They are stored data: never rename one, and never derive
// one from a Go type name. docs/events.md is the catalogue.
const (
	TypeUserRegistered = "UserRegistered"
	TypeFriendAdded    = "FriendAdded"
	TypeFriendDeleted  = "FriendDeleted"
	TypeFriendUpdated  = "FriendUpdated"
	TypeUserDeleted    = "UserDeleted"
	TypeGroupsAdded    = "FriendGroupsAdded"
	TypeGroupsDeleted  = "FriendGroupsDeleted"
	TypeUserBlocked    = "UserBlocked"
	TypeUserUnblocked  = "UserUnblocked"

	TypeRequestSent     = "FriendRequestSent"
	TypeRequestAccepted = "FriendRequestAccepted"
	TypeRequestRejected = "FriendRequestRejected"
	TypeRequestDeleted  = "FriendRequestDeleted"
	TypeUserFollowed    = "UserFollowed"
	TypeUserUnfollowed  = "UserUnfollowed"
	TypeProfileUpdated  = "UserProfileUpdated"
)

// SchemaVersion is the version written into every new event.
const SchemaVersion = 1

// Payload is an event's data: one of the payload types below, each of which
// names its event type. Only this package makes payload types, so a switch
// over them sees them all.
type Payload interface {
	// Type is the stable name of the event that carries the payload.
	Type() string
	payload()
}

// Event is one recorded fact. Data holds exactly one of the payload types
// below, selected by Type.
type Event struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Version   int       `json:"version"`
	App       string    `json:"app"`
	Time      time.Time `json:"time"`
	RequestID string    `json:"request_id,omitempty"`
	Surface   string    `json:"surface,omitempty"`
	Data      Payload   `json:"data"`
}

// UserRegistered records a new user.
type UserRegistered struct {
	User   string `json:"user"`
	Name   string `json:"name,omitempty"`
	Avatar string `json:"avatar,omitempty"`
}

// UserDeleted records that a user's account was deleted. Their friendships
// stay in the graph; the user can be registered again.
type UserDeleted struct {
	User string `json:"user"`
}

// FriendGroupsAdded records friend groups (lists) created for User.
type FriendGroupsAdded struct {
	User   string   `json:"user"`
	Groups []string `json:"groups"`
}

// FriendGroupsDeleted records friend groups removed from User. The entries
// that named them are changed by their own FriendUpdated events.
type FriendGroupsDeleted struct {
	User   string   `json:"user"`
	Groups []string `json:"groups"`
}

// UserBlocked records that User put Target in their blocklist. With
// Unfriended set, the same step removed the friendship in both directions
// (Tencent's meaning of a block), so no reader sees a blocked pair that is
// still friends.
type UserBlocked struct {
	User       string `json:"user"`
	Target     string `json:"target"`
	Unfriended bool   `json:"unfriended,omitempty"`
	// Since is when the block began (Unix ms) when it was copied from a
	// vendor that kept it; 0: the event's time.
	Since int64 `json:"since,omitempty"`
}

// UserUnblocked records that User took Target out of their blocklist.
type UserUnblocked struct {
	User   string `json:"user"`
	Target string `json:"target"`
}

// FriendAdded records that User's list gained Friend (Entry set), that
// Friend's list gained User (Reverse set), or both at once.
type FriendAdded struct {
	User    string `json:"user"`
	Friend  string `json:"friend"`
	Entry   *Entry `json:"entry,omitempty"`
	Reverse *Entry `json:"reverse,omitempty"`
	// Imported marks a migration import, which sends no callbacks.
	Imported bool `json:"imported,omitempty"`
}

// FriendDeleted records that Friend left User's list and, when Both is set,
// that User left Friend's list in the same step.
type FriendDeleted struct {
	User   string `json:"user"`
	Friend string `json:"friend"`
	Both   bool   `json:"both"`
	// KeptAlias is User's alias for Friend that outlives the delete
	// (Yunxin's isDeleteAlias=false): the entry User makes for Friend next
	// starts with it, unless that add gives an alias of its own.
	KeptAlias string `json:"kept_alias,omitempty"`
}

// FriendUpdated records a change to User's entry for Friend: a new alias
// (when Alias is set; RemarkTime becomes UpdateTime), attribute and custom
// field values (the keys present are set), and the entry's whole group list
// (when Groups is set).
type FriendUpdated struct {
	User       string                 `json:"user"`
	Friend     string                 `json:"friend"`
	Alias      *string                `json:"alias,omitempty"`
	Attributes map[string]string      `json:"attributes,omitempty"`
	Custom     map[string]CustomValue `json:"custom,omitempty"`
	Groups     *[]string              `json:"groups,omitempty"`
	UpdateTime int64                  `json:"update_time"`
}

// Parties returns the two users a relation event is about (user and
// friend, or blocker and target); ok is false for user events.
func (e Event) Parties() (a, b string, ok bool) {
	switch d := e.Data.(type) {
	case FriendAdded:
		return d.User, d.Friend, true
	case FriendDeleted:
		return d.User, d.Friend, true
	case FriendUpdated:
		return d.User, d.Friend, true
	case UserBlocked:
		return d.User, d.Target, true
	case UserUnblocked:
		return d.User, d.Target, true
	case FriendRequestSent:
		return d.User, d.Target, true
	case FriendRequestAccepted:
		return d.User, d.From, true
	case FriendRequestRejected:
		return d.User, d.From, true
	case FriendRequestDeleted:
		return d.User, d.From, true
	case UserFollowed:
		return d.User, d.Target, true
	case UserUnfollowed:
		return d.User, d.Target, true
	case UserMuted:
		return d.User, d.Target, true
	case UserUnmuted:
		return d.User, d.Target, true
	}
	return "", "", false
}

// Users returns the users e is about: the pair of a relation event, or the
// one user of a user event.
func (e Event) Users() []string {
	if a, b, ok := e.Parties(); ok {
		return []string{a, b}
	}
	switch d := e.Data.(type) {
	case UserRegistered:
		return []string{d.User}
	case UserDeleted:
		return []string{d.User}
	case FriendGroupsAdded:
		return []string{d.User}
	case FriendGroupsDeleted:
		return []string{d.User}
	case UserProfileUpdated:
		return []string{d.User}
	}
	return nil
}

// Key is the aggregate e changed: the key of the command that made it.
func (e Event) Key() (Key, bool) {
	if a, b, ok := e.Parties(); ok {
		return PairKey(a, b), true
	}
	if u := e.Users(); len(u) == 1 {
		return UserKey(u[0]), true
	}
	return Key{}, false
}

// Each payload names its event.
func (UserRegistered) Type() string { return TypeUserRegistered }
func (UserRegistered) payload()     {}

func (UserDeleted) Type() string { return TypeUserDeleted }
func (UserDeleted) payload()     {}

func (FriendGroupsAdded) Type() string { return TypeGroupsAdded }
func (FriendGroupsAdded) payload()     {}

func (FriendGroupsDeleted) Type() string { return TypeGroupsDeleted }
func (FriendGroupsDeleted) payload()     {}

func (UserBlocked) Type() string { return TypeUserBlocked }
func (UserBlocked) payload()     {}

func (UserUnblocked) Type() string { return TypeUserUnblocked }
func (UserUnblocked) payload()     {}

func (FriendAdded) Type() string { return TypeFriendAdded }
func (FriendAdded) payload()     {}

func (FriendDeleted) Type() string { return TypeFriendDeleted }
func (FriendDeleted) payload()     {}

func (FriendUpdated) Type() string { return TypeFriendUpdated }
func (FriendUpdated) payload()     {}

// Commit is the unit written to the stream: the events of one or more
// commands on one partition, applied all or nothing. Its ID is the message's
// Nats-Msg-Id.
type Commit struct {
	ID     string  `json:"id"`
	App    string  `json:"app"`
	Events []Event `json:"events"`
	// Raw holds each event's JSON as it is in the stored commit: set by
	// MarshalCommitRaw, and by UnmarshalCommit for a commit in the form
	// MarshalCommit writes (where it is AppendEvent's encoding of the
	// event); nil otherwise.
	Raw [][]byte `json:"-"`
}

// MarshalCommit encodes c as stored on the stream.
func MarshalCommit(c Commit) ([]byte, error) {
	b, _, err := appendCommit(make([]byte, 0, 512*len(c.Events)+64), c, false)
	if err != nil {
		return nil, fmt.Errorf("encode commit %s: %w", c.ID, err)
	}
	return b, nil
}

// MarshalCommitRaw is MarshalCommit, also returning each event's bytes in
// the result (Commit.Raw), or nil when the commit was encoded otherwise.
func MarshalCommitRaw(c Commit) ([]byte, [][]byte, error) {
	b, raw, err := appendCommit(make([]byte, 0, 512*len(c.Events)+64), c, true)
	if err != nil {
		return nil, nil, fmt.Errorf("encode commit %s: %w", c.ID, err)
	}
	return b, raw, nil
}

// UnmarshalCommit decodes a stored commit, checking every event's type and
// version and upcasting older versions. A current-version commit in the
// form MarshalCommit writes is decoded without reflection; any other is
// decoded by encoding/json in one pass, and a commit holding an older
// version again with each event's raw data, which the upcasters take.
func UnmarshalCommit(b []byte) (Commit, error) {
	if c, ok := decodeCommitFast(b); ok {
		return c, nil
	}
	return unmarshalCommitJSON(b)
}

// unmarshalCommitJSON is UnmarshalCommit by encoding/json.
func unmarshalCommitJSON(b []byte) (Commit, error) {
	var one struct {
		ID     string `json:"id"`
		App    string `json:"app"`
		Events []struct {
			ID        string    `json:"id"`
			Type      string    `json:"type"`
			Version   int       `json:"version"`
			App       string    `json:"app"`
			Time      time.Time `json:"time"`
			RequestID string    `json:"request_id"`
			Surface   string    `json:"surface"`
			Data      anyData   `json:"data"`
		} `json:"events"`
	}
	if err := json.Unmarshal(b, &one); err != nil {
		return Commit{}, fmt.Errorf("decode commit: %w", err)
	}
	if one.ID == "" || one.App == "" {
		return Commit{}, fmt.Errorf("decode commit: missing id or app")
	}
	c := Commit{ID: one.ID, App: one.App, Events: make([]Event, 0, len(one.Events))}
	for i, e := range one.Events {
		if e.Version != SchemaVersion {
			return unmarshalUpcasting(b)
		}
		data, err := e.Data.payload(e.Type)
		if err != nil {
			return Commit{}, fmt.Errorf("decode commit %s event %d: %w", one.ID, i, err)
		}
		c.Events = append(c.Events, Event{ID: e.ID, Type: e.Type, Version: e.Version, App: e.App, Time: e.Time,
			RequestID: e.RequestID, Surface: e.Surface, Data: data})
	}
	return c, nil
}

// anyData holds the fields of every payload type; one JSON pass fills it
// whatever the event's type.
type anyData struct {
	User       string                 `json:"user"`
	Friend     string                 `json:"friend"`
	Target     string                 `json:"target"`
	From       string                 `json:"from"`
	Name       *string                `json:"name"`
	Avatar     *string                `json:"avatar"`
	Extra      *string                `json:"extra"`
	AllowType  *string                `json:"allow_type"`
	ExpireTime int64                  `json:"expire_time"`
	Entry      *Entry                 `json:"entry"`
	Reverse    *Entry                 `json:"reverse"`
	Imported   bool                   `json:"imported"`
	Both       bool                   `json:"both"`
	Unfriended bool                   `json:"unfriended"`
	Alias      *string                `json:"alias"`
	Attributes map[string]string      `json:"attributes"`
	Custom     map[string]CustomValue `json:"custom"`
	Groups     *[]string              `json:"groups"`
	UpdateTime int64                  `json:"update_time"`
	Since      int64                  `json:"since"`
	KeptAlias  string                 `json:"kept_alias"`
}

func (d anyData) payload(typ string) (Payload, error) {
	switch typ {
	case TypeUserRegistered:
		return UserRegistered{User: d.User, Name: deref(d.Name), Avatar: deref(d.Avatar)}, nil
	case TypeProfileUpdated:
		return UserProfileUpdated{User: d.User, Name: d.Name, Avatar: d.Avatar, Extra: d.Extra, AllowType: d.AllowType}, nil
	case TypeRequestSent:
		var e Entry
		if d.Entry != nil {
			e = *d.Entry
		}
		return FriendRequestSent{User: d.User, Target: d.Target, Entry: e, ExpireTime: d.ExpireTime}, nil
	case TypeRequestAccepted:
		return FriendRequestAccepted{User: d.User, From: d.From, Entry: d.Entry, Reverse: d.Reverse}, nil
	case TypeRequestRejected:
		return FriendRequestRejected{User: d.User, From: d.From}, nil
	case TypeRequestDeleted:
		return FriendRequestDeleted{User: d.User, From: d.From}, nil
	case TypeUserFollowed:
		return UserFollowed{User: d.User, Target: d.Target, Since: d.Since}, nil
	case TypeUserMuted:
		return UserMuted{User: d.User, Target: d.Target, Since: d.Since}, nil
	case TypeUserUnmuted:
		return UserUnmuted{User: d.User, Target: d.Target}, nil
	case TypeUserUnfollowed:
		return UserUnfollowed{User: d.User, Target: d.Target}, nil
	case TypeUserDeleted:
		return UserDeleted{User: d.User}, nil
	case TypeGroupsAdded, TypeGroupsDeleted:
		var groups []string
		if d.Groups != nil {
			groups = *d.Groups
		}
		if typ == TypeGroupsAdded {
			return FriendGroupsAdded{User: d.User, Groups: groups}, nil
		}
		return FriendGroupsDeleted{User: d.User, Groups: groups}, nil
	case TypeFriendAdded:
		if d.Entry == nil && d.Reverse == nil {
			return nil, fmt.Errorf("%s without entry or reverse", typ)
		}
		return FriendAdded{User: d.User, Friend: d.Friend, Entry: d.Entry, Reverse: d.Reverse, Imported: d.Imported}, nil
	case TypeFriendDeleted:
		return FriendDeleted{User: d.User, Friend: d.Friend, Both: d.Both, KeptAlias: d.KeptAlias}, nil
	case TypeFriendUpdated:
		return FriendUpdated{User: d.User, Friend: d.Friend, Alias: d.Alias, Attributes: d.Attributes, Custom: d.Custom,
			Groups: d.Groups, UpdateTime: d.UpdateTime}, nil
	case TypeUserBlocked:
		return UserBlocked{User: d.User, Target: d.Target, Unfriended: d.Unfriended, Since: d.Since}, nil
	case TypeUserUnblocked:
		return UserUnblocked{User: d.User, Target: d.Target}, nil
	}
	return nil, fmt.Errorf("unknown event type %q", typ)
}

// unmarshalUpcasting decodes a commit event by event from raw data,
// upcasting older versions.
func unmarshalUpcasting(b []byte) (Commit, error) {
	var raw struct {
		ID     string `json:"id"`
		App    string `json:"app"`
		Events []struct {
			Event
			Data json.RawMessage `json:"data"`
		} `json:"events"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return Commit{}, fmt.Errorf("decode commit: %w", err)
	}
	c := Commit{ID: raw.ID, App: raw.App, Events: make([]Event, 0, len(raw.Events))}
	for i, re := range raw.Events {
		if re.Version < 1 || re.Version > SchemaVersion {
			return Commit{}, fmt.Errorf("decode commit %s event %d: unsupported version %d of %s", raw.ID, i, re.Version, re.Type)
		}
		current, err := upcast(re.Type, re.Version, re.Data, SchemaVersion, upcasters)
		if err != nil {
			return Commit{}, fmt.Errorf("decode commit %s event %d: %w", raw.ID, i, err)
		}
		data, err := decodeData(re.Type, current)
		if err != nil {
			return Commit{}, fmt.Errorf("decode commit %s event %d: %w", raw.ID, i, err)
		}
		ev := re.Event
		ev.Version = SchemaVersion
		ev.Data = data
		c.Events = append(c.Events, ev)
	}
	return c, nil
}

// An upcaster turns an event's data written as one schema version into the
// next version's. upcasters[type][v] upgrades version v to v+1; reading an
// event applies them in turn up to SchemaVersion, so old streams replay
// under new code. When a payload changes: bump SchemaVersion, add the
// upcaster from the old version, and keep the old testdata stream.
type upcaster func(json.RawMessage) (json.RawMessage, error)

// upcasters holds every upgrade; schema version 1 is the first, so none
// exist yet.
var upcasters = map[string]map[int]upcaster{}

func upcast(typ string, version int, data json.RawMessage, current int, ups map[string]map[int]upcaster) (json.RawMessage, error) {
	for v := version; v < current; v++ {
		up := ups[typ][v]
		if up == nil {
			return nil, fmt.Errorf("no upcaster for %s from version %d", typ, v)
		}
		var err error
		if data, err = up(data); err != nil {
			return nil, fmt.Errorf("upcast %s from version %d: %w", typ, v, err)
		}
	}
	return data, nil
}

func decodeData(typ string, b json.RawMessage) (Payload, error) {
	switch typ {
	case TypeUserRegistered:
		return decodeAs[UserRegistered](typ, b)
	case TypeFriendAdded:
		d, err := decodeAs[FriendAdded](typ, b)
		if err == nil && d.Entry == nil && d.Reverse == nil {
			err = fmt.Errorf("%s without entry or reverse", typ)
		}
		return d, err
	case TypeFriendDeleted:
		return decodeAs[FriendDeleted](typ, b)
	case TypeFriendUpdated:
		return decodeAs[FriendUpdated](typ, b)
	case TypeUserDeleted:
		return decodeAs[UserDeleted](typ, b)
	case TypeGroupsAdded:
		return decodeAs[FriendGroupsAdded](typ, b)
	case TypeGroupsDeleted:
		return decodeAs[FriendGroupsDeleted](typ, b)
	case TypeUserBlocked:
		return decodeAs[UserBlocked](typ, b)
	case TypeUserUnblocked:
		return decodeAs[UserUnblocked](typ, b)
	case TypeProfileUpdated:
		return decodeAs[UserProfileUpdated](typ, b)
	case TypeRequestSent:
		return decodeAs[FriendRequestSent](typ, b)
	case TypeRequestAccepted:
		return decodeAs[FriendRequestAccepted](typ, b)
	case TypeRequestRejected:
		return decodeAs[FriendRequestRejected](typ, b)
	case TypeRequestDeleted:
		return decodeAs[FriendRequestDeleted](typ, b)
	case TypeUserFollowed:
		return decodeAs[UserFollowed](typ, b)
	case TypeUserMuted:
		return decodeAs[UserMuted](typ, b)
	case TypeUserUnmuted:
		return decodeAs[UserUnmuted](typ, b)
	case TypeUserUnfollowed:
		return decodeAs[UserUnfollowed](typ, b)
	default:
		return nil, fmt.Errorf("unknown event type %q", typ)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func decodeAs[T any](typ string, b json.RawMessage) (T, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", typ, err)
	}
	return v, nil
}
