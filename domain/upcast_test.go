package domain

import (
	"encoding/json"
	"testing"
)

// TestUpcastChain upgrades data through each version in turn, as a future
// schema change will: here a version-1 FriendDeleted whose "both" was
// called "two_way", read by a build whose schema version is 3.
func TestUpcastChain(t *testing.T) {
	ups := map[string]map[int]upcaster{
		TypeFriendDeleted: {
			1: func(b json.RawMessage) (json.RawMessage, error) {
				var m map[string]any
				if err := json.Unmarshal(b, &m); err != nil {
					return nil, err
				}
				m["both"] = m["two_way"]
				delete(m, "two_way")
				return json.Marshal(m)
			},
			2: func(b json.RawMessage) (json.RawMessage, error) { return b, nil },
		},
	}
	got, err := upcast(TypeFriendDeleted, 1, json.RawMessage(`{"user":"a","friend":"b","two_way":true}`), 3, ups)
	if err != nil {
		t.Fatal(err)
	}
	d, err := decodeData(TypeFriendDeleted, got)
	if err != nil || d != (FriendDeleted{User: "a", Friend: "b", Both: true}) {
		t.Errorf("upcast v1 -> v3 = %s -> %+v, %v", got, d, err)
	}
	if _, err := upcast(TypeFriendAdded, 1, json.RawMessage(`{}`), 2, ups); err == nil {
		t.Error("a missing upcaster went unnoticed")
	}
	if got, err := upcast(TypeFriendAdded, SchemaVersion, json.RawMessage(`{"x":1}`), SchemaVersion, upcasters); err != nil || string(got) != `{"x":1}` {
		t.Errorf("current version changed on read: %s, %v", got, err)
	}
}
