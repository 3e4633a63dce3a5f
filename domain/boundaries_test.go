package domain_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/amity-im/amity/domain"
	"github.com/google/go-cmp/cmp"
)

// TestDecideAtEachBoundary decides each command on both sides of every
// limit it checks: a time at now and a millisecond after, an attribute size
// at the cap and a byte over, group changes of each kind.
func TestDecideAtEachBoundary(t *testing.T) {
	nowMs := now.UnixMilli()
	friends := append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b",
		Entry: &domain.Entry{CreateTime: nowMs - 1, Attributes: map[string]string{"k0": "123456"}, Groups: []string{"g1", "g2"}}}))
	groups := func(gs ...string) *[]string { return &gs }
	many := make([]string, domain.MaxFriendGroups+1)
	for i := range many {
		many[i] = fmt.Sprint("g", i)
	}
	tests := []decideCase{
		{name: "add created now", given: registered("a", "b"),
			when: domain.AddFriend{User: "a", Friend: "b", Entry: domain.Entry{CreateTime: nowMs}},
			then: domain.FriendAdded{User: "a", Friend: "b", Entry: entry(nowMs)}},
		{name: "two-way add whose reverse is created a millisecond ahead", given: registered("a", "b"),
			when: domain.AddFriend{User: "a", Friend: "b", Entry: domain.Entry{CreateTime: nowMs}, Reverse: &domain.Entry{CreateTime: nowMs + 1}},
			err:  domain.ErrFutureTime},
		{name: "two-way add whose reverse is created now", given: registered("a", "b"),
			when: domain.AddFriend{User: "a", Friend: "b", Entry: domain.Entry{CreateTime: nowMs}, Reverse: &domain.Entry{CreateTime: nowMs}},
			then: domain.FriendAdded{User: "a", Friend: "b", Entry: entry(nowMs), Reverse: entry(nowMs)}},
		{name: "add into more groups than a user may have", given: registered("a", "b"),
			when: domain.AddFriend{User: "a", Friend: "b", Entry: domain.Entry{Groups: many}},
			err:  domain.ErrGroupLimit},
		{name: "import created now", given: registered("a", "b"),
			when: domain.ImportFriend{User: "a", Friend: "b", Entry: domain.Entry{CreateTime: nowMs, RemarkTime: nowMs}},
			then: domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{CreateTime: nowMs, RemarkTime: nowMs}, Imported: true}},
		{name: "import created a millisecond ahead", given: registered("a", "b"),
			when: domain.ImportFriend{User: "a", Friend: "b", Entry: domain.Entry{CreateTime: nowMs + 1}},
			err:  domain.ErrFutureTime},
		{name: "import remarked a millisecond ahead", given: registered("a", "b"),
			when: domain.ImportFriend{User: "a", Friend: "b", Entry: domain.Entry{CreateTime: nowMs, RemarkTime: nowMs + 1}},
			err:  domain.ErrFutureTime},
		{name: "import into more groups than a user may have", given: registered("a", "b"),
			when: domain.ImportFriend{User: "a", Friend: "b", Entry: domain.Entry{Groups: many}},
			err:  domain.ErrGroupLimit},
		{name: "update to exactly the attribute cap", given: friends,
			when: domain.UpdateFriend{User: "a", Friend: "b", Attributes: map[string]string{"k1": "1234567"}, MaxAttributeBytes: 17},
			then: domain.FriendUpdated{User: "a", Friend: "b", Attributes: map[string]string{"k1": "1234567"}, UpdateTime: nowMs}},
		{name: "update a byte over the attribute cap", given: friends,
			when: domain.UpdateFriend{User: "a", Friend: "b", Attributes: map[string]string{"k1": "12345678"}, MaxAttributeBytes: 17},
			err:  domain.ErrAttributesTooLarge},
		{name: "update replacing a value within the cap", given: friends,
			when: domain.UpdateFriend{User: "a", Friend: "b", Attributes: map[string]string{"k0": "123456789012345"}, MaxAttributeBytes: 17},
			then: domain.FriendUpdated{User: "a", Friend: "b", Attributes: map[string]string{"k0": "123456789012345"}, UpdateTime: nowMs}},
		{name: "update with no cap", given: friends,
			when: domain.UpdateFriend{User: "a", Friend: "b", Attributes: map[string]string{"k1": strings.Repeat("x", 5000)}},
			then: domain.FriendUpdated{User: "a", Friend: "b", Attributes: map[string]string{"k1": strings.Repeat("x", 5000)}, UpdateTime: nowMs}},
		{name: "update of the alias alone leaves the groups", given: friends,
			when: domain.UpdateFriend{User: "a", Friend: "b", Alias: new(string)},
			then: domain.FriendUpdated{User: "a", Friend: "b", Alias: new(string), UpdateTime: nowMs}},
		{name: "update setting groups, repeated names once", given: friends,
			when: domain.UpdateFriend{User: "a", Friend: "b", Groups: groups("x", "x", "y")},
			then: domain.FriendUpdated{User: "a", Friend: "b", Groups: groups("x", "y"), UpdateTime: nowMs}},
		{name: "update adding a group", given: friends,
			when: domain.UpdateFriend{User: "a", Friend: "b", AddGroups: []string{"g3", "g1"}},
			then: domain.FriendUpdated{User: "a", Friend: "b", Groups: groups("g1", "g2", "g3"), UpdateTime: nowMs}},
		{name: "update removing a group", given: friends,
			when: domain.UpdateFriend{User: "a", Friend: "b", RemoveGroups: []string{"g1"}},
			then: domain.FriendUpdated{User: "a", Friend: "b", Groups: groups("g2"), UpdateTime: nowMs}},
		{name: "update removing every group", given: friends,
			when: domain.UpdateFriend{User: "a", Friend: "b", RemoveGroups: []string{"g1", "g2"}},
			then: domain.FriendUpdated{User: "a", Friend: "b", Groups: &[]string{}, UpdateTime: nowMs}},
		{name: "update adding more groups than a user may have", given: friends,
			when: domain.UpdateFriend{User: "a", Friend: "b", AddGroups: many},
			err:  domain.ErrGroupLimit},
	}
	runDecide(t, tests)
}

func TestEntryCloneIsDeep(t *testing.T) {
	e := domain.Entry{Attributes: map[string]string{"k0": "v"}, Groups: []string{"g"}, Custom: map[string]domain.CustomValue{"Tag_SNS_Custom_X": domain.StringValue("s")}}
	c := e.Clone()
	c.Attributes["k0"], c.Groups[0], c.Custom["Tag_SNS_Custom_X"] = "changed", "changed", domain.IntValue(1)
	if e.Attributes["k0"] != "v" || e.Groups[0] != "g" || e.Custom["Tag_SNS_Custom_X"] != domain.StringValue("s") {
		t.Errorf("a change to a clone reached the entry: %+v", e)
	}
	if z := (domain.Entry{}).Clone(); z.Attributes != nil || z.Groups != nil || z.Custom != nil {
		t.Errorf("clone of an empty entry = %+v", z)
	}
}

func TestCustomValueRefusesWhatIsNeither(t *testing.T) {
	for _, in := range []string{"", " ", "1.5", "true", "{}"} {
		var v domain.CustomValue
		if err := v.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("UnmarshalJSON(%q) = %+v, nil error", in, v)
		}
	}
	var v domain.CustomValue
	if err := v.UnmarshalJSON([]byte(` -7 `)); err != nil || v != domain.IntValue(-7) || v.String() != "-7" {
		t.Errorf("UnmarshalJSON(-7) = %+v, %v", v, err)
	}
	if err := v.UnmarshalJSON([]byte(`"x"`)); err != nil || v != domain.StringValue("x") || v.String() != "x" {
		t.Errorf(`UnmarshalJSON("x") = %+v, %v`, v, err)
	}
}

func TestUnsupportedVersionsAreRefused(t *testing.T) {
	for _, version := range []int{0, -1, domain.SchemaVersion + 1} {
		b := fmt.Sprintf(`{"id":"c","app":"a","events":[{"id":"e","type":"UserDeleted","version":%d,"app":"a","time":"2026-01-01T00:00:00Z","data":{"user":"u"}}]}`, version)
		if _, err := domain.UnmarshalCommit([]byte(b)); err == nil {
			t.Errorf("version %d: UnmarshalCommit took it", version)
		}
	}
	b := fmt.Sprintf(`{"id":"c","app":"a","events":[{"id":"e","type":"UserDeleted","version":%d,"app":"a","time":"2026-01-01T00:00:00+08:00","data":{"user":"u"}}]}`, domain.SchemaVersion)
	if c, err := domain.UnmarshalCommit([]byte(b)); err != nil || len(c.Events) != 1 {
		t.Errorf("the current version: %+v, %v", c, err)
	}
}

func TestDecodeRecordChecksWhatTheReadModelsRelyOn(t *testing.T) {
	good := domain.Commit{ID: "c", App: "a", Events: []domain.Event{{ID: "e", Type: domain.TypeUserDeleted, Version: domain.SchemaVersion, App: "a", Time: now, Data: domain.UserDeleted{User: "u"}}}}
	data := func(c domain.Commit) []byte {
		b, err := domain.MarshalCommit(c)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	otherEvent := good
	otherEvent.Events = []domain.Event{good.Events[0]}
	otherEvent.Events[0].App = "b"
	noUser := good
	noUser.Events = []domain.Event{{ID: "e", Type: domain.TypeFriendDeleted, Version: domain.SchemaVersion, App: "a", Time: now, Data: domain.FriendDeleted{User: "u"}}}
	for _, tc := range []struct {
		name    string
		subject string
		data    []byte
		ok      bool
	}{
		{"a commit of its subject's app", "amity.a.user.3", data(good), true},
		{"no JSON", "amity.a.user.3", []byte("\x00"), false},
		{"another app's subject", "amity.b.user.3", data(good), false},
		{"an event of another app", "amity.a.user.3", data(otherEvent), false},
		{"an event naming no user", "amity.a.rel.3", data(noUser), false},
		{"not a commit subject", "amity.a.user", data(good), false},
		{"a subject of five tokens", "amity.a.user.3.4", data(good), false},
		{"not Amity's", "other.a.user.3", data(good), false},
		{"an empty app token", "amity..user.3", data(good), false},
	} {
		_, err := domain.DecodeRecord(domain.Record{Subject: tc.subject, Seq: 1, Data: tc.data})
		if (err == nil) != tc.ok || err != nil && !errors.Is(err, domain.ErrBadRecord) {
			t.Errorf("%s: DecodeRecord error = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

func TestEventUsersAndParties(t *testing.T) {
	for _, tc := range []struct {
		data domain.Payload
		want []string
	}{
		{domain.FriendAdded{User: "a", Friend: "b"}, []string{"a", "b"}},
		{domain.FriendDeleted{User: "a", Friend: "b"}, []string{"a", "b"}},
		{domain.FriendUpdated{User: "a", Friend: "b"}, []string{"a", "b"}},
		{domain.UserBlocked{User: "a", Target: "b"}, []string{"a", "b"}},
		{domain.UserUnblocked{User: "a", Target: "b"}, []string{"a", "b"}},
		{domain.UserRegistered{User: "a"}, []string{"a"}},
		{domain.UserDeleted{User: "a"}, []string{"a"}},
		{domain.FriendGroupsAdded{User: "a"}, []string{"a"}},
		{domain.FriendGroupsDeleted{User: "a"}, []string{"a"}},
		{nil, nil},
	} {
		if got := (domain.Event{Data: tc.data}).Users(); !cmp.Equal(got, tc.want) {
			t.Errorf("Users of %T = %v, want %v", tc.data, got, tc.want)
		}
	}
}

func TestApplyUpdatesAnEntry(t *testing.T) {
	alias, groups := "B", []string{"g"}
	s := given(append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{CreateTime: 1, Attributes: map[string]string{"k0": "x"}}}),
		ev(domain.FriendUpdated{User: "a", Friend: "b", Alias: &alias, Groups: &groups, Attributes: map[string]string{"k1": "y"},
			Custom: map[string]domain.CustomValue{"Tag_SNS_Custom_X": domain.IntValue(2)}, UpdateTime: 9}),
		ev(domain.FriendUpdated{User: "b", Friend: "a", Alias: &alias}))...)
	want := domain.Entry{Alias: "B", RemarkTime: 9, UpdateTime: 9, CreateTime: 1, Groups: []string{"g"},
		Attributes: map[string]string{"k0": "x", "k1": "y"}, Custom: map[string]domain.CustomValue{"Tag_SNS_Custom_X": domain.IntValue(2)}}
	if got, _ := s.Entry("a", "b"); !cmp.Equal(got, want) {
		t.Errorf("entry after an update: %s", cmp.Diff(want, got))
	}
	if _, ok := s.Entry("b", "a"); ok {
		t.Error("an update of a missing entry made one")
	}
}

func TestAppLimits(t *testing.T) {
	if a := (&domain.App{}); a.FriendCap() != domain.DefaultMaxFriends || a.BlockCap() != domain.DefaultMaxBlocked {
		t.Errorf("default caps %d, %d", a.FriendCap(), a.BlockCap())
	}
	if a := (&domain.App{MaxFriends: 5, MaxBlocked: 6}); a.FriendCap() != 5 || a.BlockCap() != 6 {
		t.Errorf("set caps %d, %d", a.FriendCap(), a.BlockCap())
	}
}

func TestDecodeRecordRefusesEveryEventNamingNoUser(t *testing.T) {
	for _, p := range []domain.Payload{
		domain.UserRegistered{}, domain.UserDeleted{}, domain.FriendGroupsAdded{}, domain.FriendGroupsDeleted{},
		domain.FriendAdded{User: "a", Entry: &domain.Entry{}}, domain.FriendDeleted{Friend: "b"},
		domain.FriendUpdated{User: "a"}, domain.UserBlocked{Target: "b"}, domain.UserUnblocked{User: "a"},
	} {
		c := domain.Commit{ID: "c", App: "a", Events: []domain.Event{{ID: "e", Type: p.Type(), Version: domain.SchemaVersion, App: "a", Time: now, Data: p}}}
		b, err := domain.MarshalCommit(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := domain.DecodeRecord(domain.Record{Subject: "amity.a.rel.0", Data: b}); !errors.Is(err, domain.ErrBadRecord) {
			t.Errorf("%s naming no user: DecodeRecord error = %v", p.Type(), err)
		}
	}
}
