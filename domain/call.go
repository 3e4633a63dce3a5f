package domain

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// Call is one Execute call of an app's commands, as an instance that does
// not hold the app's write lease hands it to the one that does. A call
// sent again (after a lost answer, or to a new holder) carries the same
// ID, and its events name Meta.RequestID, so the writer can tell what of
// it is stored already.
type Call struct {
	ID       string
	App      string
	Meta     Meta
	Commands []Command
	// Again marks a call sent before, whose answer never came.
	Again bool
}

// commandTypes names every command on the wire: its Go type's name.
var commandTypes = map[string]reflect.Type{}

func init() {
	for _, c := range []Command{RegisterUser{}, DeleteUser{}, AddFriendGroups{}, DeleteFriendGroups{}, AddFriend{},
		ImportFriend{}, DeleteFriend{}, UpdateFriend{}, BlockUser{}, UnblockUser{}, SendRequest{}, AcceptRequest{},
		RejectRequest{}, DeleteRequest{}, FollowUser{}, UnfollowUser{}, UpdateProfile{}, MuteUser{}, UnmuteUser{}} {
		t := reflect.TypeOf(c)
		commandTypes[t.Name()] = t
	}
}

func commandType(c Command) (string, error) {
	name := reflect.TypeOf(c).Name()
	if _, ok := commandTypes[name]; !ok {
		return "", fmt.Errorf("%w: %T", ErrUnknownCommand, c)
	}
	return name, nil
}

type wireCall struct {
	ID       string        `json:"id"`
	App      string        `json:"app"`
	Request  string        `json:"request_id,omitempty"`
	Surface  string        `json:"surface,omitempty"`
	Commands []wireCommand `json:"commands"`
	Again    bool          `json:"again,omitempty"`
}

type wireCommand struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// MarshalCall encodes c.
func MarshalCall(c Call) ([]byte, error) {
	w := wireCall{ID: c.ID, App: c.App, Request: c.Meta.RequestID, Surface: c.Meta.Surface, Commands: make([]wireCommand, len(c.Commands)), Again: c.Again}
	for i, cmd := range c.Commands {
		typ, err := commandType(cmd)
		if err != nil {
			return nil, err
		}
		data, err := json.Marshal(cmd)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", typ, err)
		}
		w.Commands[i] = wireCommand{Type: typ, Data: data}
	}
	return json.Marshal(w)
}

// UnmarshalCall decodes a call MarshalCall encoded.
func UnmarshalCall(data []byte) (Call, error) {
	var w wireCall
	if err := json.Unmarshal(data, &w); err != nil {
		return Call{}, fmt.Errorf("%w: call: %w", ErrInvalid, err)
	}
	if w.ID == "" || w.App == "" {
		return Call{}, fmt.Errorf("%w: call without an id or app", ErrInvalid)
	}
	c := Call{ID: w.ID, App: w.App, Meta: Meta{RequestID: w.Request, Surface: w.Surface}, Commands: make([]Command, len(w.Commands)), Again: w.Again}
	for i, wc := range w.Commands {
		t, ok := commandTypes[wc.Type]
		if !ok {
			return Call{}, fmt.Errorf("%w: %q", ErrUnknownCommand, wc.Type)
		}
		p := reflect.New(t)
		if err := json.Unmarshal(wc.Data, p.Interface()); err != nil {
			return Call{}, fmt.Errorf("%w: %s: %w", ErrInvalid, wc.Type, err)
		}
		c.Commands[i] = p.Elem().Interface().(Command)
	}
	return c, nil
}

type wireResult struct {
	Seq   uint64 `json:"seq,omitempty"`
	Event int    `json:"event"` // index into the events; -1: none
	Code  string `json:"code,omitempty"`
	Msg   string `json:"msg,omitempty"`
}

// MarshalResults encodes the results of a call of app: the length of the
// results' JSON as a uvarint, that JSON, then a commit holding their
// events, in order (decoded without reflection).
func MarshalResults(app string, rs []Result) ([]byte, error) {
	w := make([]wireResult, len(rs))
	var evs []Event
	for i, r := range rs {
		w[i] = wireResult{Seq: r.Seq, Event: -1}
		if r.Event != nil {
			w[i].Event = len(evs)
			evs = append(evs, *r.Event)
		}
		if r.Err != nil {
			w[i].Code, w[i].Msg = ErrorCode(r.Err), r.Err.Error()
		}
	}
	head, err := json.Marshal(w)
	if err != nil {
		return nil, err
	}
	events, err := MarshalCommit(Commit{ID: "results", App: app, Events: evs})
	if err != nil {
		return nil, err
	}
	out := binary.AppendUvarint(make([]byte, 0, 10+len(head)+len(events)), uint64(len(head)))
	return append(append(out, head...), events...), nil
}

// UnmarshalResults decodes results MarshalResults encoded; each error
// wraps the domain error it was made from.
func UnmarshalResults(data []byte) ([]Result, error) {
	n, k := binary.Uvarint(data)
	if k <= 0 || uint64(len(data)-k) < n {
		return nil, errors.New("results: bad length")
	}
	var w []wireResult
	if err := json.Unmarshal(data[k:k+int(n)], &w); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	c, err := UnmarshalCommit(data[k+int(n):])
	if err != nil {
		return nil, fmt.Errorf("results' events: %w", err)
	}
	out := make([]Result, len(w))
	for i, r := range w {
		out[i].Seq = r.Seq
		if r.Event >= 0 {
			if r.Event >= len(c.Events) {
				return nil, fmt.Errorf("result %d names event %d of %d", i, r.Event, len(c.Events))
			}
			out[i].Event = &c.Events[r.Event]
		}
		if r.Code != "" {
			out[i].Err = ErrorOf(r.Code, r.Msg)
		}
	}
	return out, nil
}

// AppendFrame appends one length-prefixed frame of kind to b: a uvarint
// kind, a uvarint length, the data. Batches of forwarded calls and their
// answers are frames one after another.
func AppendFrame(b []byte, kind uint64, data []byte) []byte {
	b = binary.AppendUvarint(b, kind)
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

// Frames splits b into the frames AppendFrame wrote.
func Frames(b []byte) (kinds []uint64, datas [][]byte, err error) {
	for len(b) > 0 {
		kind, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, nil, errors.New("frames: bad kind")
		}
		b = b[k:]
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return nil, nil, errors.New("frames: bad length")
		}
		kinds, datas = append(kinds, kind), append(datas, b[k:k+int(n)])
		b = b[k+int(n):]
	}
	return kinds, datas, nil
}

// ErrorCode names err's domain error: the most specific one it wraps, or
// "internal".
func ErrorCode(err error) string {
	for _, c := range Errors {
		if errors.Is(err, c.Err) {
			return c.Code
		}
	}
	return "internal"
}

// ErrorOf makes the error code names, with message msg: errors.Is holds
// for it as for the error it was made from.
func ErrorOf(code, msg string) error {
	for _, c := range Errors {
		if c.Code == code {
			return &remoteError{err: c.Err, msg: msg}
		}
	}
	return &remoteError{err: ErrInternal, msg: msg}
}

type remoteError struct {
	err error
	msg string
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.err }
