package zim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/zim"
)

// TestSendFriendApplicationCodes: each per-target fault has its SubCode,
// a batch whose every target failed has a Code, and only the good targets
// get requests.
func TestSendFriendApplicationCodes(t *testing.T) {
	core, base := surface(t, demo)
	z := &zim.Client{BaseURL: base, AppID: demo.AppID, Secret: demo.ServerSecret}
	type obj = map[string]any
	call(t, z, http.MethodPost, "UserRegister", nil, obj{"UserInfo": []obj{{"UserId": "a"}, {"UserId": "b"}, {"UserId": "c"}, {"UserId": "d"}, {"UserId": "e"}}})
	call(t, z, http.MethodPost, "AddFriends", nil, obj{"FromUserId": "a", "FriendInfos": []obj{{"UserId": "c"}}})
	call(t, z, http.MethodPost, "AddUsersToBlacklist", nil, obj{"FromUserId": "e", "UserIds": []string{"a"}})
	future := time.Now().Add(time.Hour).UnixMilli()
	r := call(t, z, http.MethodPost, "SendFriendApplication", nil, obj{"FromUserId": "a", "FriendInfos": []obj{
		{"UserId": "b", "Wording": "hi"},
		{"UserId": "a"},
		{"UserId": "b"},
		{"UserId": "c"},
		{"UserId": "nobody"},
		{"UserId": "d1", "Wording": strings.Repeat("w", zim.MaxTextRunes+1)},
		{"UserId": "d2", "Attributes": []obj{{"Key": "k5", "Value": "x"}}},
		{"UserId": "d3", "Attributes": []obj{{"Key": "k0", "Value": "x"}, {"Key": "k0", "Value": "y"}}},
		{"UserId": "d4", "Attributes": []obj{{"Key": "k0", "Value": strings.Repeat("x", 1023)}}},
		{"UserId": "d5", "CreateTime": future},
		{"UserId": "e"},
	}})
	want := map[string]int{"a": 660800020, "b": 660800022, "c": 660800027, "nobody": 660700015,
		"d1": 660800021, "d2": 660800023, "d3": 660800032, "d4": 660800024, "d5": 660800046, "e": 660800045}
	got := r.SubCodes()
	if r.Code != 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("SendFriendApplication: Code %d, SubCodes %v, want 0 and %v", r.Code, got, want)
	}
	if reqs := core.Model.Requests("demo", "a", true); len(reqs) != 1 || reqs[0].To != "b" || reqs[0].Entry.Wording != "hi" {
		t.Errorf("a's sent requests = %+v, want one to b", reqs)
	}
	// Every target failed: a Code, and the list.
	r = call(t, z, http.MethodPost, "SendFriendApplication", nil, obj{"FromUserId": "a", "FriendInfos": []obj{{"UserId": "a"}}})
	if r.Code != 660800020 || len(r.ErrorList) != 1 {
		t.Errorf("every target failed: %+v", r)
	}
	r = call(t, z, http.MethodPost, "SendFriendApplication", nil, obj{"FromUserId": "a", "FriendInfos": []obj{{"UserId": "x1"}, {"UserId": "x2"}}})
	if r.Code != 660800025 {
		t.Errorf("no target registered: Code %d, want 660800025", r.Code)
	}
	// Whole-call faults.
	many := make([]obj, zim.DefaultBatch+1)
	for i := range many {
		many[i] = obj{"UserId": fmt.Sprint("u", i)}
	}
	for name, tt := range map[string]struct {
		body any
		code int
	}{
		"an unregistered sender": {obj{"FromUserId": "zz", "FriendInfos": []obj{{"UserId": "b"}}}, 660500002},
		"no targets":             {obj{"FromUserId": "a", "FriendInfos": []obj{}}, 660000002},
		"too many targets":       {obj{"FromUserId": "a", "FriendInfos": many}, 660800019},
		"a mistyped field":       {obj{"FromUserId": "a", "FriendInfos": "b"}, 660000002},
	} {
		if r := call(t, z, http.MethodPost, "SendFriendApplication", nil, tt.body); r.Code != tt.code {
			t.Errorf("%s: Code %d, want %d", name, r.Code, tt.code)
		}
	}
	if r := call(t, z, http.MethodGet, "SendFriendApplication", nil, nil); r.Code != 660000002 {
		t.Errorf("GET: Code %d, want 660000002", r.Code)
	}
}

// TestModifyUserInfo changes only the fields given, refuses each bad one
// per user, and QueryUserInfos reads the result.
func TestModifyUserInfo(t *testing.T) {
	core, base := surface(t, demo)
	z := &zim.Client{BaseURL: base, AppID: demo.AppID, Secret: demo.ServerSecret}
	type obj = map[string]any
	call(t, z, http.MethodPost, "UserRegister", nil, obj{"UserInfo": []obj{{"UserId": "a", "UserName": "Ann", "UserAvatar": "http://a"}, {"UserId": "b"}}})
	r := call(t, z, http.MethodPost, "ModifyUserInfo", nil, obj{"UserInfo": []obj{
		{"UserId": "a", "Extra": `{"level":3}`},
		{"UserId": "b", "UserName": "Bob"},
		{"UserId": "nobody", "UserName": "N"},
		{"UserId": "a", "UserName": strings.Repeat("n", zim.MaxUserNameBytes+1)},
		{"UserId": "c", "Extra": strings.Repeat("e", zim.MaxExtraBytes+1)},
	}})
	if want := map[string]int{"nobody": 660700012, "a": 660000002, "c": 660000002}; r.Code != 0 || fmt.Sprint(r.SubCodes()) != fmt.Sprint(want) {
		t.Errorf("ModifyUserInfo: Code %d, SubCodes %v, want 0 and %v", r.Code, r.SubCodes(), want)
	}
	if a, _ := core.Model.User("demo", "a"); a.Name != "Ann" || a.Avatar != "http://a" || a.Extra != `{"level":3}` {
		t.Errorf("a after changing Extra alone = %+v", a)
	}
	var q struct {
		zim.Answer
		Result []struct{ UserId, UserName, UserAvatar, Extra string } //nolint:revive // the wire name
	}
	if err := z.Call(t.Context(), http.MethodPost, "QueryUserInfos", nil, obj{"UserIds": []string{"a", "b"}}, &q); err != nil {
		t.Fatal(err)
	}
	if len(q.Result) != 2 || q.Result[0].Extra != `{"level":3}` || q.Result[1].UserName != "Bob" {
		t.Errorf("QueryUserInfos = %+v", q.Result)
	}
	if r := call(t, z, http.MethodPost, "ModifyUserInfo", nil, obj{"UserInfo": []obj{}}); r.Code != 660000002 {
		t.Errorf("no users: Code %d", r.Code)
	}
}

// TestAcceptedRequestCallback: an accepted request is a friend_added
// callback in ZIM style, from the requester.
func TestAcceptedRequestCallback(t *testing.T) {
	app := &domain.App{Name: "demo", Callback: &domain.Callback{URL: "http://x", Style: "zim"}}
	c := domain.Commit{ID: "c", App: "demo", Events: []domain.Event{
		{ID: "e1", App: "demo", Data: domain.FriendRequestAccepted{User: "b", From: "a", Entry: &domain.Entry{}, Reverse: &domain.Entry{}}},
		{ID: "e2", App: "demo", Data: domain.FriendRequestAccepted{User: "d", From: "c"}},
	}}
	var got []string
	for _, d := range (zim.Callbacks{}).Deliveries(app, 3, c) {
		got = append(got, d.Command+" "+string(d.Body))
	}
	want := `[friend_added {"event":"friend_added","event_id":"e1","event_time":-62135596800000,"from_user_id":"a","seq":3,"two_way":true,"user_id":"b"}]`
	if fmt.Sprint(got) != want {
		t.Errorf("deliveries = %v\nwant %s", got, want)
	}
}
