package domain

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sampleCommits holds a commit of every event type, with every field the
// fast decoder reads, and text that needs escapes or is not ASCII.
func sampleCommits() []Commit {
	at := time.Date(2026, 11, 22, 5, 50, 35, 123456789, time.UTC)
	alias := `quote " back \ <tag> & 好友 🙂`
	groups := []string{"work", "家人", ""}
	full := &Entry{Alias: alias, Wording: "hi\nthere\t\u2028", AddSource: "AddSource_Type_X", Groups: groups,
		CreateTime: 1763790635000, UpdateTime: -5, RemarkTime: 1}
	ev := func(typ string, data Payload) Event {
		return Event{ID: "01K" + typ, Type: typ, Version: SchemaVersion, App: "app.one", Time: at,
			RequestID: "req-1", Surface: "zim", Data: data}
	}
	return []Commit{
		{ID: "c1", App: "app.one", Events: []Event{
			ev(TypeUserRegistered, UserRegistered{User: "a.b c*>{|", Name: "Ann \"A\"", Avatar: "https://x/y?a=1&b=2"}),
			ev(TypeUserDeleted, UserDeleted{User: "gone"}),
			ev(TypeGroupsAdded, FriendGroupsAdded{User: "a", Groups: groups}),
			ev(TypeGroupsDeleted, FriendGroupsDeleted{User: "a", Groups: []string{}}),
		}},
		{ID: "c2", App: "app.one", Events: []Event{
			ev(TypeFriendAdded, FriendAdded{User: "a", Friend: "b", Entry: full, Reverse: &Entry{CreateTime: 7}, Imported: true}),
			ev(TypeFriendAdded, FriendAdded{User: "a", Friend: "c", Reverse: &Entry{}}),
			ev(TypeFriendDeleted, FriendDeleted{User: "a", Friend: "b", Both: true}),
			ev(TypeFriendDeleted, FriendDeleted{User: "a", Friend: "c"}),
			ev(TypeFriendUpdated, FriendUpdated{User: "a", Friend: "b", Alias: &alias, Groups: &groups, UpdateTime: 9}),
			ev(TypeUserBlocked, UserBlocked{User: "a", Target: "z", Unfriended: true}),
			ev(TypeUserUnblocked, UserUnblocked{User: "a", Target: "z"}),
		}},
		{ID: "c3", App: "app.one", Events: []Event{}},
	}
}

func TestFastDecoderTakesWhatMarshalCommitWrites(t *testing.T) {
	for _, c := range sampleCommits() {
		b, err := MarshalCommit(c)
		if err != nil {
			t.Fatal(err)
		}
		fast, ok := decodeCommitFast(b)
		if !ok {
			t.Fatalf("decodeCommitFast(%s) refused a commit MarshalCommit wrote", b)
		}
		want, err := unmarshalCommitJSON(b)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, fast); diff != "" {
			t.Errorf("decodeCommitFast(%s) differs from encoding/json (-json +fast):\n%s", b, diff)
		}
		if diff := cmp.Diff(c, fast); diff != "" {
			t.Errorf("decodeCommitFast round trip (-want +got):\n%s", diff)
		}
	}
}

func TestFastDecoderLeavesTheRestToEncodingJSON(t *testing.T) {
	for name, in := range map[string]string{
		"attributes":      `{"id":"c","app":"a","events":[{"type":"FriendUpdated","version":1,"data":{"user":"a","friend":"b","attributes":{"k0":"v"}}}]}`,
		"key in capitals": `{"ID":"c","app":"a","events":[]}`,
		"field twice":     `{"id":"c","app":"a","events":[{"type":"FriendAdded","version":1,"data":{"user":"a","entry":{"alias":"x"},"entry":{"wording":"y"}}}]}`,
		"null":            `{"id":"c","app":"a","events":[{"type":"FriendUpdated","version":1,"data":{"user":"a","groups":null}}]}`,
		"float":           `{"id":"c","app":"a","events":[{"type":"FriendUpdated","version":1.0,"data":{"user":"a"}}]}`,
		"unknown type":    `{"id":"c","app":"a","events":[{"type":"FriendPoked","version":1,"data":{}}]}`,
		"trailing":        `{"id":"c","app":"a","events":[]} x`,
		"no data":         `{"id":"c","app":"a","events":[{"type":"FriendAdded","version":1}]}`,
		"big number":      `{"id":"c","app":"a","events":[{"type":"FriendUpdated","version":1,"data":{"update_time":1234567890123456789}}]}`,
	} {
		if _, ok := decodeCommitFast([]byte(in)); ok {
			t.Errorf("%s: decodeCommitFast(%s) ok, want it left to encoding/json", name, in)
		}
	}
	// Escaped and non-ASCII strings are decoded by encoding/json one by one
	// and stay on the fast path.
	in := []byte(`{"id":"c","app":"a","events":[{"type":"UserRegistered","version":1,"data":{"user":"\u0041\ud83d\ude42","name":"\ud800 x","avatar":"` + "\xff" + `"}}]}`)
	fast, ok := decodeCommitFast(in)
	if !ok {
		t.Fatalf("decodeCommitFast(%s) refused", in)
	}
	want, err := unmarshalCommitJSON(in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, fast); diff != "" {
		t.Errorf("escaped strings differ (-json +fast):\n%s", diff)
	}
}

func FuzzCommitDecodersAgree(f *testing.F) {
	for _, c := range sampleCommits() {
		b, err := MarshalCommit(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(` { "id" : "c" , "app" : "a" , "events" : [ ] } `))
	f.Add([]byte(`{"id":"c","app":"a","events":[{"type":"FriendAdded","version":1,"data":{"user":"a","entry":{"create_time":-0}}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := decodeCommitFast(b)
		if !ok {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("decodeCommitFast(%q) took invalid JSON", b)
		}
		want, err := unmarshalCommitJSON(b)
		if err != nil {
			t.Fatalf("decodeCommitFast(%q) took what encoding/json refuses: %v", b, err)
		}
		if diff := cmp.Diff(want, fast); diff != "" {
			t.Fatalf("decodeCommitFast(%q) differs from encoding/json (-json +fast):\n%s", b, diff)
		}
	})
}

func BenchmarkUnmarshalCommit(b *testing.B) {
	c := sampleCommits()[1]
	data, err := MarshalCommit(c)
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range []struct {
		name   string
		decode func([]byte) (Commit, error)
	}{
		{"fast", func(b []byte) (Commit, error) { return UnmarshalCommit(b) }},
		{"encoding-json", unmarshalCommitJSON},
	} {
		b.Run(d.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := d.decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
