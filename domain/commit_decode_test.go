package domain

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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
			ev(TypeFriendDeleted, FriendDeleted{User: "a", Friend: "c", KeptAlias: alias}),
			ev(TypeFriendUpdated, FriendUpdated{User: "a", Friend: "b", Alias: &alias, Groups: &groups, UpdateTime: 9}),
			ev(TypeUserBlocked, UserBlocked{User: "a", Target: "z", Unfriended: true}),
			ev(TypeUserUnblocked, UserUnblocked{User: "a", Target: "z"}),
		}},
		{ID: "c3", App: "app.one", Events: []Event{}},
		{ID: "c4", App: "app.one", Events: []Event{
			ev(TypeRequestSent, FriendRequestSent{User: "a", Target: "b", Entry: *full, ExpireTime: 1763790635000}),
			ev(TypeRequestAccepted, FriendRequestAccepted{User: "b", From: "a", Entry: &Entry{Alias: "x"}, Reverse: full}),
			ev(TypeRequestRejected, FriendRequestRejected{User: "b", From: "a"}),
			ev(TypeRequestDeleted, FriendRequestDeleted{User: "b", From: "a"}),
			ev(TypeUserFollowed, UserFollowed{User: "a", Target: "b", Since: 5}),
			ev(TypeUserUnfollowed, UserUnfollowed{User: "a", Target: "b"}),
			ev(TypeUserMuted, UserMuted{User: "a", Target: "b"}),
			ev(TypeUserUnmuted, UserUnmuted{User: "a", Target: "b"}),
			ev(TypeProfileUpdated, UserProfileUpdated{User: "a", Name: &alias, Extra: new(string), AllowType: &groups[0]}),
		}},
	}
}

// ignoreRaw compares commits by what they hold; Raw, the JSON they came
// from, is checked on its own.
var ignoreRaw = cmpopts.IgnoreFields(Commit{}, "Raw")

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
		if diff := cmp.Diff(want, fast, ignoreRaw); diff != "" {
			t.Errorf("decodeCommitFast(%s) differs from encoding/json (-json +fast):\n%s", b, diff)
		}
		if diff := cmp.Diff(c, fast, ignoreRaw); diff != "" {
			t.Errorf("decodeCommitFast round trip (-want +got):\n%s", diff)
		}
		// Each event's JSON in the commit is kept, as AppendEvent writes it.
		if len(fast.Raw) != len(fast.Events) {
			t.Fatalf("%d events, %d kept as JSON", len(fast.Events), len(fast.Raw))
		}
		for i, ev := range fast.Events {
			if want, _ := AppendEvent(nil, ev); string(fast.Raw[i]) != string(want) {
				t.Errorf("event %d kept as\n%s\nwant\n%s", i, fast.Raw[i], want)
			}
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
	if diff := cmp.Diff(want, fast, ignoreRaw); diff != "" {
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
		if diff := cmp.Diff(want, fast, ignoreRaw); diff != "" {
			t.Fatalf("decodeCommitFast(%q) differs from encoding/json (-json +fast):\n%s", b, diff)
		}
	})
}

// BenchmarkUnmarshalCommit decodes the sample commit of every friend event
// type, and a commit of 28 events as one batch request writes them: users
// registered and friends added, one time and request ID.
func BenchmarkUnmarshalCommit(b *testing.B) {
	for _, shape := range []struct {
		name   string
		commit Commit
	}{{"sample", sampleCommits()[1]}, {"batch", batchCommit(28)}} {
		data, err := MarshalCommit(shape.commit)
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
			b.Run(shape.name+"/"+d.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					if _, err := d.decode(data); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(shape.commit.Events)), "ns/event")
			})
		}
	}
}

// batchCommit is a commit of n events of one request: every other one a
// user registered, the others a friend added with both entries.
func batchCommit(n int) Commit {
	at := time.Date(2026, 11, 22, 5, 50, 35, 123456789, time.UTC)
	c := Commit{ID: "01KBZ6Q7X8Y9Z0A1B2C3D4E5F6", App: "bench"}
	for i := range n {
		var p Payload = UserRegistered{User: fmt.Sprintf("u%06d", i)}
		if i%2 == 1 {
			entry := func() *Entry { return &Entry{AddSource: "AddSource_Type_Web", CreateTime: 1763790635000} }
			p = FriendAdded{User: fmt.Sprintf("u%06d", i), Friend: fmt.Sprintf("u%06d", i+7), Entry: entry(), Reverse: entry()}
		}
		c.Events = append(c.Events, Event{ID: fmt.Sprintf("01KBZ6Q7X8Y9Z0A1B2C3D4E%03d", i), Type: p.Type(), Version: SchemaVersion,
			App: "bench", Time: at, RequestID: "01KBZ6Q7X8Y9Z0A1B2C3D4REQ1", Surface: "zim", Data: p})
	}
	return c
}

// TestEventsAtPicksWhatDecodeRecordHolds: the events at any places of a
// commit, read by EventsAt, are those DecodeRecord decodes there, for
// commits the fast path takes and for those it leaves to encoding/json.
func TestEventsAtPicksWhatDecodeRecordHolds(t *testing.T) {
	checked := 0
	for ci, c := range sampleCommits() {
		// An app name as a subject takes it.
		c.App = "appone"
		for i := range c.Events {
			c.Events[i].App = c.App
		}
		data, err := MarshalCommit(c)
		if err != nil {
			t.Fatal(err)
		}
		r := Record{Subject: "amity." + c.App + ".rel.0", Seq: 1, Data: data}
		whole, err := DecodeRecord(r)
		if err != nil {
			t.Fatalf("commit %d: %v", ci, err)
		}
		checked += len(whole.Events)
		n := len(whole.Events)
		for mask := 1; mask < 1<<min(n, 6); mask++ {
			var at []int
			for i := range min(n, 6) {
				if mask&(1<<i) != 0 {
					at = append(at, i)
				}
			}
			got, raw, err := EventsAtRaw(r, at)
			if err != nil {
				t.Fatalf("commit %d at %v: %v", ci, at, err)
			}
			for k, i := range at {
				if diff := cmp.Diff(whole.Events[i], got[k]); diff != "" {
					t.Fatalf("commit %d event %d (-decoded whole +picked):\n%s", ci, i, diff)
				}
				// Its JSON is what AppendEvent writes of it.
				if want, _ := AppendEvent(nil, whole.Events[i]); string(raw[k]) != string(want) {
					t.Fatalf("commit %d event %d: JSON\n%s\nwant\n%s", ci, i, raw[k], want)
				}
			}
		}
		if _, err := EventsAt(r, []int{n}); err == nil {
			t.Errorf("commit %d: an event past the last read without error", ci)
		}
	}
	if checked < 10 {
		t.Fatalf("only %d events checked", checked)
	}
	// The fast path takes the commits MarshalCommit writes, and stops at
	// the last event asked for.
	c := sampleCommits()[1]
	c.App = "appone"
	for i := range c.Events {
		c.Events[i].App = c.App
	}
	data, _ := MarshalCommit(c)
	if evs, _, ok := eventsAtFast(Record{Subject: "amity.appone.rel.0", Data: append(data[:len(data):len(data)], "garbage"...)}, []int{1, 2}); !ok || len(evs) != 2 {
		t.Errorf("fast path on events 1 and 2, with bytes after the commit: %d events, %v", len(evs), ok)
	}
	// Another app's subject, or damage, is refused as DecodeRecord refuses it.
	data, _ = MarshalCommit(Commit{ID: "c", App: "appone", Events: []Event{{ID: "e", Type: TypeUserDeleted, Version: SchemaVersion, App: "appone", Data: UserDeleted{User: "u"}}}})
	if _, err := EventsAt(Record{Subject: "amity.other.rel.0", Data: data}, []int{0}); !errors.Is(err, ErrBadRecord) {
		t.Errorf("a commit on another app's subject: %v", err)
	}
	if _, err := EventsAt(Record{Subject: "amity.appone.rel.0", Data: []byte(`{"id":`)}, []int{0}); !errors.Is(err, ErrBadRecord) {
		t.Errorf("a damaged commit: %v", err)
	}
}

// TestEveryEventTypeRoundTrips writes a commit of each event type with
// every field set and reads it back through each decoder: UnmarshalCommit
// (whichever path takes it), encoding/json, and the per-event decoder the
// upcasting path uses. The fast decoder either agrees or leaves it.
func TestEveryEventTypeRoundTrips(t *testing.T) {
	at := time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)
	s := func(v string) *string { return &v }
	e := Entry{Alias: "a", Wording: "w", Attributes: map[string]string{"k0": "v"}, AddSource: "AddSource_Type_Web", Groups: []string{"g"},
		CreateTime: 5, UpdateTime: 6}
	payloads := []Payload{
		UserProfileUpdated{User: "u", Name: s("N"), Avatar: s(""), Extra: s(`{"x":1}`), AllowType: s(NeedConfirm)},
		UserProfileUpdated{User: "u", Name: s("only the name")},
		FriendRequestSent{User: "a", Target: "b", Entry: e, ExpireTime: 99},
		FriendRequestAccepted{User: "b", From: "a", Entry: &Entry{Alias: "x", CreateTime: 7}, Reverse: &e},
		FriendRequestAccepted{User: "b", From: "a"},
		FriendRequestRejected{User: "b", From: "a"},
		FriendRequestDeleted{User: "b", From: "a"},
		UserFollowed{User: "a", Target: "b"},
		UserUnfollowed{User: "a", Target: "b"},
		UserMuted{User: "a", Target: "b"},
		UserMuted{User: "a", Target: "b", Since: 1_700_000_000_000},
		UserUnmuted{User: "a", Target: "b"},
	}
	for _, p := range payloads {
		c := Commit{ID: "c", App: "app", Events: []Event{{ID: "e", Type: p.Type(), Version: SchemaVersion, App: "app", Time: at, Surface: "v1", Data: p}}}
		b, err := MarshalCommit(c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := UnmarshalCommit(b)
		if err != nil {
			t.Fatalf("UnmarshalCommit(%s): %v", b, err)
		}
		if diff := cmp.Diff(c, got, ignoreRaw); diff != "" {
			t.Errorf("%s round trip (-want +got):\n%s", p.Type(), diff)
		}
		viaJSON, err := unmarshalCommitJSON(b)
		if err != nil || !cmp.Equal(c, viaJSON, ignoreRaw) {
			t.Errorf("%s through encoding/json: %v\n%s", p.Type(), err, cmp.Diff(c, viaJSON, ignoreRaw))
		}
		if fast, ok := decodeCommitFast(b); ok && !cmp.Equal(c, fast, ignoreRaw) {
			t.Errorf("%s: the fast decoder took it and differs:\n%s", p.Type(), cmp.Diff(c, fast, ignoreRaw))
		}
		data, _ := json.Marshal(p)
		if d, err := decodeData(p.Type(), data); err != nil || !cmp.Equal(p, d) {
			t.Errorf("decodeData(%s, %s) = %+v, %v", p.Type(), data, d, err)
		}
		if users := c.Events[0].Users(); len(users) == 0 {
			t.Errorf("%s names no users", p.Type())
		}
		if _, err := DecodeRecord(Record{Subject: "amity.app.rel.0", Seq: 1, Data: b}); err != nil {
			t.Errorf("DecodeRecord of a %s: %v", p.Type(), err)
		}
	}
}

// TestMarshalCommitAsEncodingJSON: the commit encoder writes what
// encoding/json writes for commits of every event type, with custom
// fields, escapes, zones and times encoding/json refuses.
func TestMarshalCommitAsEncodingJSON(t *testing.T) {
	commits := sampleCommits()
	s := func(v string) *string { return &v }
	custom := &Entry{Custom: map[string]CustomValue{"Tag_SNS_Custom_X": IntValue(3), "Tag_SNS_Custom_Y": StringValue("<y>")}, CreateTime: 1}
	commits = append(commits, Commit{ID: "c4", App: "a", Events: []Event{
		{ID: "e", Type: TypeFriendAdded, Version: 1, App: "a", Data: FriendAdded{User: "a", Friend: "b", Entry: custom}},
		{ID: "e", Type: TypeFriendAdded, Version: 1, App: "a", Data: FriendAdded{User: "a", Friend: "b", Entry: &Entry{Attributes: map[string]string{}, Groups: []string{}}}},
		{ID: "e", Type: TypeProfileUpdated, Version: 1, App: "a", Data: UserProfileUpdated{User: "a", Extra: s("x")}},
		{ID: "e", Type: TypeRequestSent, Version: 1, App: "a", Data: FriendRequestSent{User: "a", Target: "b", ExpireTime: 9}},
		{ID: "e", Type: TypeUserFollowed, Version: 1, App: "a", Data: UserFollowed{User: "a", Target: "b"}},
		{ID: "e", Type: "Unknown", Version: 1, App: "a"},
	}}, Commit{ID: "c5", App: "a"})
	zones := []*time.Location{time.UTC, time.FixedZone("x", 5*3600+1800+15), time.FixedZone("far", 25*3600), time.FixedZone("west", -3600)}
	for _, c := range commits {
		for _, z := range zones {
			for _, at := range []time.Time{time.Date(2026, 11, 29, 8, 0, 0, 123456, z), time.Date(10000, 1, 1, 0, 0, 0, 0, z), {}} {
				cc := c
				cc.Events = slices.Clone(c.Events)
				for i := range cc.Events {
					cc.Events[i].Time = at
				}
				want, wantErr := json.Marshal(cc)
				got, err := MarshalCommit(cc)
				if (err != nil) != (wantErr != nil) {
					t.Fatalf("commit %s at %v: error %v, encoding/json's %v", c.ID, at, err, wantErr)
				}
				if err == nil && string(got) != string(want) {
					t.Errorf("commit %s at %v:\n got %s\nwant %s", c.ID, at, got, want)
				}
			}
		}
	}
}

func FuzzMarshalCommitAsEncodingJSON(f *testing.F) {
	f.Add("Bobby", "hi", "k0", "v", int64(1_795_000_000_000), 0)
	f.Add(`<&>"\`, "\u2028", "\x00", "\xff", int64(-62135596800000), 90000)
	f.Fuzz(func(t *testing.T, alias, wording, key, value string, ms int64, zone int) {
		at := time.UnixMilli(ms).In(time.FixedZone("z", zone%(30*3600)))
		e := &Entry{Alias: alias, Wording: wording, Attributes: map[string]string{key: value}, AddSource: key, Groups: []string{value, alias},
			CreateTime: ms, UpdateTime: -ms, RemarkTime: int64(zone)}
		c := Commit{ID: alias, App: wording, Events: []Event{
			{ID: key, Type: TypeFriendAdded, Version: 1, App: wording, Time: at, RequestID: value, Surface: alias, Data: FriendAdded{User: alias, Friend: value, Entry: e, Reverse: e, Imported: ms%2 == 0}},
			{ID: key, Type: TypeFriendDeleted, Version: 1, App: wording, Time: at, Data: FriendDeleted{User: key, Friend: value, Both: ms%3 == 0}},
			{ID: key, Type: TypeUserBlocked, Version: 1, App: wording, Time: at, Data: UserBlocked{User: key, Target: value, Unfriended: ms%5 == 0}},
			{ID: key, Type: TypeUserUnblocked, Version: 1, App: wording, Time: at, Data: UserUnblocked{User: key, Target: value}},
		}}
		want, wantErr := json.Marshal(c)
		got, err := MarshalCommit(c)
		if (err != nil) != (wantErr != nil) || (err == nil && string(got) != string(want)) {
			t.Fatalf("MarshalCommit = %s, %v; encoding/json %s, %v", got, err, want, wantErr)
		}
		// MarshalCommitRaw writes the same, and each event's part of it
		// is what encoding/json writes for the event alone.
		got, raw, err := MarshalCommitRaw(c)
		if (err != nil) != (wantErr != nil) || (err == nil && string(got) != string(want)) {
			t.Fatalf("MarshalCommitRaw = %s, %v", got, err)
		}
		for i, ev := range c.Events {
			if w, _ := json.Marshal(ev); raw != nil && string(raw[i]) != string(w) {
				t.Fatalf("event %d in the commit\n%s\nalone\n%s", i, raw[i], w)
			}
		}
	})
}

// BenchmarkMarshalCommit encodes a commit of 32 single-pair two-way adds,
// as group commit makes them, by hand and by encoding/json.
func BenchmarkMarshalCommit(b *testing.B) {
	at := time.Date(2026, 11, 29, 8, 0, 0, 123456789, time.UTC)
	c := Commit{ID: "01KAM5R3V6Y1N4J7W9Q2B8C0DE", App: "bench"}
	for i := range 32 {
		c.Events = append(c.Events, Event{ID: "01KAM5R3V6Y1N4J7W9Q2B8C0DF", Type: TypeFriendAdded, Version: SchemaVersion, App: "bench", Time: at,
			RequestID: "01KAM5R3V6Y1N4J7W9Q2B8C0DG", Surface: "zim", Data: FriendAdded{User: fmt.Sprint("u", i), Friend: fmt.Sprint("f", i),
				Entry: &Entry{Alias: "alias", Wording: "hi", CreateTime: 1795000000000}, Reverse: &Entry{Wording: "hi", CreateTime: 1795000000000}}})
	}
	for _, e := range []struct {
		name   string
		encode func(Commit) ([]byte, error)
	}{
		{"fast", MarshalCommit},
		{"encoding-json", func(c Commit) ([]byte, error) { return json.Marshal(c) }},
	} {
		b.Run(e.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.encode(c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
