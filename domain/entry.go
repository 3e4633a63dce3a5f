package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Entry is one direction of a friendship: what the owner keeps about a friend.
// Times are Unix milliseconds. Alias is ZIM's FriendAlias and Tencent's
// Remark; Wording is ZIM's Wording and Tencent's AddWording.
type Entry struct {
	Alias      string                 `json:"alias,omitempty"`
	Wording    string                 `json:"wording,omitempty"`
	Attributes map[string]string      `json:"attributes,omitempty"`
	AddSource  string                 `json:"add_source,omitempty"`
	Groups     []string               `json:"groups,omitempty"`
	Custom     map[string]CustomValue `json:"custom,omitempty"`
	CreateTime int64                  `json:"create_time"`
	UpdateTime int64                  `json:"update_time,omitempty"`
	RemarkTime int64                  `json:"remark_time,omitempty"`
}

// Clone returns a deep copy of e.
func (e Entry) Clone() Entry {
	if e.Attributes != nil {
		e.Attributes = maps.Clone(e.Attributes)
	}
	if e.Groups != nil {
		e.Groups = slices.Clone(e.Groups)
	}
	if e.Custom != nil {
		e.Custom = maps.Clone(e.Custom)
	}
	return e
}

// CustomValue is the value of a custom friend field: a string or an integer.
type CustomValue struct {
	Str   string
	Int   int64
	IsInt bool
}

// StringValue returns a string CustomValue.
func StringValue(s string) CustomValue { return CustomValue{Str: s} }

// IntValue returns an integer CustomValue.
func IntValue(n int64) CustomValue { return CustomValue{Int: n, IsInt: true} }

// String returns the value as text.
func (v CustomValue) String() string {
	if v.IsInt {
		return strconv.FormatInt(v.Int, 10)
	}
	return v.Str
}

// MarshalJSON encodes the value as a JSON string or number.
func (v CustomValue) MarshalJSON() ([]byte, error) {
	if v.IsInt {
		return strconv.AppendInt(nil, v.Int, 10), nil
	}
	return json.Marshal(v.Str)
}

// UnmarshalJSON accepts a JSON string or integer.
func (v *CustomValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		*v = CustomValue{}
		return json.Unmarshal(b, &v.Str)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("custom value %s is neither a string nor an integer", b)
	}
	*v = IntValue(n)
	return nil
}

// AttributesSize is the total length in bytes of the keys and values of attrs.
func AttributesSize(attrs map[string]string) int {
	n := 0
	for k, v := range attrs {
		n += len(k) + len(v)
	}
	return n
}

// User is a registered user.
type User struct {
	ID           string `json:"user"`
	Name         string `json:"name,omitempty"`
	Avatar       string `json:"avatar,omitempty"`
	RegisteredAt int64  `json:"registered_at"`
	// Extra is ZIM's free-form profile field; AllowType Tencent's
	// Tag_Profile_IM_AllowType ("" when never set: AllowAny).
	Extra     string `json:"extra,omitempty"`
	AllowType string `json:"allow_type,omitempty"`
}

// Group is a user's friend group (a Tencent friend list) and its members.
type Group struct {
	Name    string
	Friends []string
}

// Friend is an entry together with the friend it describes.
type Friend struct {
	ID string
	Entry
}
