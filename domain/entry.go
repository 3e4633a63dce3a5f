package domain

import "maps"

// Entry is one direction of a friendship: what the owner keeps about a friend.
// Times are Unix milliseconds.
type Entry struct {
	Alias      string            `json:"alias,omitempty"`
	Wording    string            `json:"wording,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	CreateTime int64             `json:"create_time"`
	UpdateTime int64             `json:"update_time,omitempty"`
}

// Clone returns a deep copy of e.
func (e Entry) Clone() Entry {
	if e.Attributes != nil {
		e.Attributes = maps.Clone(e.Attributes)
	}
	return e
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
}

// Friend is an entry together with the friend it describes.
type Friend struct {
	ID string
	Entry
}
