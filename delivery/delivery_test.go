package delivery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
	"github.com/google/go-cmp/cmp"
)

func commit(payloads ...domain.Payload) domain.Commit {
	c := domain.Commit{ID: "c", App: "a"}
	for i, p := range payloads {
		c.Events = append(c.Events, domain.Event{ID: string(rune('1' + i)), Type: p.Type(), App: "a", Time: time.UnixMilli(5), Data: p})
	}
	return c
}

// TestNotificationsStandInForTheClientEvents: each change notifies each
// user it changes, as the client SDK's callbacks would.
func TestNotificationsStandInForTheClientEvents(t *testing.T) {
	alias := "B"
	got := delivery.Notifications(7, commit(
		domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{Alias: alias, CreateTime: 3}, Reverse: &domain.Entry{CreateTime: 3}},
		domain.FriendDeleted{User: "a", Friend: "c", Both: true},
		domain.FriendUpdated{User: "a", Friend: "b", Alias: &alias},
		domain.UserBlocked{User: "a", Target: "d", Unfriended: true},
		domain.UserUnblocked{User: "a", Target: "e"},
		domain.UserRegistered{User: "z"},
	))
	type line struct{ User, Event, Action, Friend string }
	var lines []line
	for _, n := range got {
		if n.Seq != 7 || n.App != "a" || n.EventID == "" || n.EventType == "" {
			t.Errorf("notification %+v lacks its commit's facts", n)
		}
		l := line{User: n.User, Event: n.Event, Action: n.Action}
		if len(n.FriendInfoList) > 0 {
			l.Friend = n.FriendInfoList[0].UserID
		}
		if len(n.UserList) > 0 {
			l.Friend = n.UserList[0].UserID
		}
		lines = append(lines, l)
	}
	want := []line{
		{"a", delivery.OnFriendListChanged, "Added", "b"}, {"b", delivery.OnFriendListChanged, "Added", "a"},
		{"a", delivery.OnFriendListChanged, "Deleted", "c"}, {"c", delivery.OnFriendListChanged, "Deleted", "a"},
		{"a", delivery.OnFriendInfoUpdated, "", "b"},
		{"a", delivery.OnBlacklistChanged, "Added", "d"}, {"a", delivery.OnFriendListChanged, "Deleted", "d"}, {"d", delivery.OnFriendListChanged, "Deleted", "a"},
		{"a", delivery.OnBlacklistChanged, "Removed", "e"},
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
}

// TestRequestFollowAndProfileNotifications: requests tell both sides, as
// ZIM's application events do; follows tell the follower and the followed;
// a profile change its user.
func TestRequestFollowAndProfileNotifications(t *testing.T) {
	name := "N"
	got := delivery.Notifications(8, commit(
		domain.FriendRequestSent{User: "a", Target: "b", Entry: domain.Entry{Wording: "hi", CreateTime: 2, UpdateTime: 3}},
		domain.FriendRequestAccepted{User: "b", From: "a", Entry: &domain.Entry{CreateTime: 5}},
		domain.FriendRequestRejected{User: "c", From: "a"},
		domain.FriendRequestDeleted{User: "c", From: "a"},
		domain.UserFollowed{User: "a", Target: "b"},
		domain.UserUnfollowed{User: "a", Target: "b"},
		domain.UserProfileUpdated{User: "a", Name: &name},
	))
	var lines []string
	for _, n := range got {
		l := n.User + " " + n.Event + " " + n.Action
		for _, a := range n.ApplicationList {
			l += " " + a.ApplyUser.UserID + "/" + a.Wording + "/" + string(rune('0'+a.Type)) + "/" + a.State.String()
		}
		for _, u := range n.UserList {
			l += " " + u.UserID
		}
		for _, f := range n.FriendInfoList {
			l += " " + f.UserID
		}
		if n.UserInfo != nil {
			l += " " + n.UserInfo.UserID + "=" + *n.UserInfo.UserName
		}
		lines = append(lines, l)
	}
	want := []string{
		"b onFriendApplicationListChanged Added a/hi/1/waiting",
		"a onFriendApplicationListChanged Added b/hi/2/waiting",
		"b onFriendApplicationUpdated  a//1/accepted",
		"a onFriendApplicationUpdated  b//2/accepted",
		"b onFriendListChanged Added a",
		"c onFriendApplicationUpdated  a//1/rejected",
		"a onFriendApplicationUpdated  c//2/rejected",
		"c onFriendApplicationListChanged Deleted a//1/unknown",
		"a onMyFollowingListChanged Added b",
		"b onMyFollowersListChanged Added a",
		"a onMyFollowingListChanged Deleted b",
		"b onMyFollowersListChanged Deleted a",
		"a onUserInfoUpdated  a=N",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
}

type style struct{}

func (style) Commands() []string { return []string{"x", "y"} }
func (style) Deliveries(app *domain.App, seq uint64, c domain.Commit) []delivery.Delivery {
	b := &delivery.Builder{App: app, Seq: seq}
	for _, ev := range c.Events {
		b.Add(ev, "x", map[string]string{"user": ev.Users()[0]})
		b.Add(ev, "y", nil)
	}
	return b.Out
}
func (style) Request(app *domain.App, d delivery.Delivery, _ time.Time) (string, []byte, error) {
	return app.Callback.URL, d.Body, nil
}

func TestBuilderKeepsTheConfiguredCommands(t *testing.T) {
	s := &delivery.Sender{Now: time.Now, Styles: map[string]delivery.Style{"s": style{}}}
	app := &domain.App{Name: "a", Callback: &domain.Callback{URL: "http://127.0.0.1:1/", Style: "s", Commands: []string{"x"}}}
	got := s.Deliveries(app, 9, commit(domain.UserDeleted{User: "u"}))
	if len(got) != 1 || got[0].Command != "x" || got[0].Seq != 9 || got[0].App != "a" || string(got[0].Body) != `{"user":"u"}` {
		t.Errorf("deliveries = %+v, want the x command alone", got)
	}
	app.Callback.Commands = nil
	if got := s.Deliveries(app, 9, commit(domain.UserDeleted{User: "u"})); len(got) != 2 {
		t.Errorf("with no command list: %d deliveries, want both", len(got))
	}
	app.Callback.Style = "unknown"
	if got := s.Deliveries(app, 9, commit(domain.UserDeleted{User: "u"})); got != nil {
		t.Errorf("an unknown style delivered %+v", got)
	}
	if err := s.Send(context.Background(), app, delivery.Delivery{}); err == nil || !strings.Contains(err.Error(), "style") {
		t.Errorf("Send in an unknown style = %v", err)
	}
}

// TestMigratedChangesSendNoWebhooks: what a migration copies was the
// vendor's change, whose callback the backend had from the vendor.
func TestMigratedChangesSendNoWebhooks(t *testing.T) {
	s := &delivery.Sender{Now: time.Now, Styles: map[string]delivery.Style{"s": style{}}}
	app := &domain.App{Name: "a", Callback: &domain.Callback{URL: "http://127.0.0.1:1/", Style: "s"}}
	c := commit(domain.UserBlocked{User: "u", Target: "v"})
	if got := s.Deliveries(app, 9, c); len(got) != 2 {
		t.Fatalf("a block: %d deliveries, want 2", len(got))
	}
	c.Events[0].Surface = domain.SurfaceMigrate
	if got := s.Deliveries(app, 9, c); len(got) != 0 {
		t.Errorf("a migrated block: %+v, want none", got)
	}
}

// TestYunxinNotices: the notifications of each friend change name the
// Yunxin SDK event they stand in for (addFriend, applyFriend,
// passFriendApply, rejectFriendApply, deleteFriend, updateFriend), with who
// acted, the other and the postscript; the friend of a one-way delete is
// told by a system message when the delete came through Yunxin (not
// through ZIM or Tencent, which tell no one); a mute tells the user who
// muted.
func TestYunxinNotices(t *testing.T) {
	alias := "A"
	c := commit(
		domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{Wording: "hi", CreateTime: 1}, Reverse: &domain.Entry{Wording: "hi", CreateTime: 1}},
		domain.FriendRequestSent{User: "c", Target: "a", Entry: domain.Entry{Wording: "hello"}},
		domain.FriendRequestAccepted{User: "a", From: "c", Entry: &domain.Entry{CreateTime: 2}, Reverse: &domain.Entry{CreateTime: 2}},
		domain.FriendRequestRejected{User: "a", From: "d"},
		domain.FriendUpdated{User: "a", Friend: "b", Alias: &alias},
		domain.FriendDeleted{User: "a", Friend: "c"},
		domain.FriendDeleted{User: "a", Friend: "f"},
		domain.UserMuted{User: "a", Target: "e"},
		domain.UserUnmuted{User: "a", Target: "e"},
		domain.UserFollowed{User: "a", Target: "e"},
	)
	c.Events[5].Surface = delivery.SurfaceYunxin
	got := delivery.Notifications(9, c)
	var lines []string
	for _, n := range got {
		l := n.User + " " + n.Event + " " + n.Action
		if y := n.Yunxin; y != nil {
			l += " | " + y.Type + " " + y.From + ">" + y.To + " " + y.Ps
		}
		lines = append(lines, l)
	}
	want := []string{
		"a onFriendListChanged Added | addFriend a>b hi",
		"b onFriendListChanged Added | addFriend a>b hi",
		"a onFriendApplicationListChanged Added | applyFriend c>a hello",
		"c onFriendApplicationListChanged Added | applyFriend c>a hello",
		"a onFriendApplicationUpdated  | passFriendApply a>c ",
		"c onFriendApplicationUpdated  | passFriendApply a>c ",
		"a onFriendListChanged Added | passFriendApply a>c ",
		"c onFriendListChanged Added | passFriendApply a>c ",
		"a onFriendApplicationUpdated  | rejectFriendApply a>d ",
		"d onFriendApplicationUpdated  | rejectFriendApply a>d ",
		"a onFriendInfoUpdated  | updateFriend a>b ",
		"a onFriendListChanged Deleted | deleteFriend a>c ",
		"c onSysMsg  | deleteFriend a>c ",
		"a onFriendListChanged Deleted | deleteFriend a>f ",
		"a onMuteListChanged Added",
		"a onMuteListChanged Removed",
		"a onMyFollowingListChanged Added",
		"e onMyFollowersListChanged Added",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
}
