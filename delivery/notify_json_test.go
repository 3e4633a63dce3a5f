package delivery

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
)

// notificationsOf are the notifications of a commit of every event type,
// with the texts given.
func notificationsOf(alias, wording, key, value, id string, at time.Time) []Notification {
	groups := []string{alias, ""}
	ev := func(p domain.Payload) domain.Event {
		return domain.Event{ID: id, Type: p.Type(), App: "app\u2028", Time: at, Data: p}
	}
	c := domain.Commit{ID: "c", App: "app", Events: []domain.Event{
		ev(domain.FriendAdded{User: id, Friend: alias, Entry: &domain.Entry{Alias: alias, Wording: wording, CreateTime: -3,
			Attributes: map[string]string{key: value, "k0": alias}}, Reverse: &domain.Entry{}}),
		ev(domain.FriendDeleted{User: id, Friend: wording, Both: true}),
		ev(domain.FriendUpdated{User: id, Friend: alias, Alias: &alias, Attributes: map[string]string{key: value}, Groups: &groups}),
		ev(domain.FriendUpdated{User: id, Friend: alias, Groups: new([]string)}),
		ev(domain.FriendUpdated{User: id, Friend: alias, Custom: map[string]domain.CustomValue{"Tag_SNS_Custom_X": domain.IntValue(7)}}),
		ev(domain.UserBlocked{User: id, Target: value, Unfriended: true}),
		ev(domain.UserUnblocked{User: id, Target: key}),
		ev(domain.FriendRequestSent{User: id, Target: alias, Entry: domain.Entry{Wording: wording}}),
		ev(domain.UserFollowed{User: id, Target: alias}),
		ev(domain.UserProfileUpdated{User: id, Name: &alias}),
	}}
	return Notifications(1<<40, c)
}

// TestNotificationJSONAsEncodingJSON: the hand-written encoder writes what
// encoding/json writes, for every kind of notification and text that
// needs escapes, is not ASCII, or is not UTF-8.
func TestNotificationJSONAsEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 29, 7, 50, 1, 120000, time.UTC)
	for _, texts := range [][4]string{
		{"Bobby", "hi", "k1", "v"},
		{`quote " back \ <tag> & 好友 🙂`, "line\nbreak\t\u2028\u2029", "k\x01", "\xff\xfe"},
		{"", "", "", ""},
	} {
		for _, when := range []time.Time{at, at.In(time.FixedZone("x", 5*3600+1800+15)), at.In(time.FixedZone("far", -25*3600)), time.Time{}, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)} {
			for _, n := range notificationsOf(texts[0], texts[1], texts[2], texts[3], "u.1 *>", when) {
				want, wantErr := json.Marshal(&n)
				got, err := n.appendJSON([]byte("prefix"))
				if (err != nil) != (wantErr != nil) {
					t.Fatalf("%s %s: error %v, encoding/json's %v", n.Event, n.Action, err, wantErr)
				}
				if err == nil && string(got) != "prefix"+string(want) {
					t.Errorf("%s %s:\n got %s\nwant prefix%s", n.Event, n.Action, got, want)
				}
			}
		}
	}
}

func FuzzNotificationJSON(f *testing.F) {
	f.Add("Bobby", "hi", "k1", "v", int64(1_795_000_000_000))
	f.Add(`<&>"\`, "\u2028", "\x00", "\xff", int64(-1))
	f.Fuzz(func(t *testing.T, alias, wording, key, value string, ms int64) {
		for _, n := range notificationsOf(alias, wording, key, value, wording+alias, time.UnixMilli(ms).UTC()) {
			want, wantErr := json.Marshal(&n)
			got, err := n.appendJSON(nil)
			if (err != nil) != (wantErr != nil) || (err == nil && string(got) != string(want)) {
				t.Fatalf("appendJSON = %s, %v; encoding/json %s, %v", got, err, want, wantErr)
			}
		}
	})
}
