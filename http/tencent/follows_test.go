package tencent_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/internal/testenv"
)

var tcFollow = &tencent.App{App: &domain.App{Name: "tcf"}, SDKAppID: 1400000005, SecretKey: "tcf-key", Admins: []string{"administrator"},
	QPS: 1_000_000, Follow: true}

// tcSurface serves the Tencent surface of tcApp (follows off) and tcFollow
// (follows on) on an in-memory core, with the accounts given imported in
// both.
func tcSurface(t *testing.T, accounts ...string) (*testenv.Core, *tencent.Client, *tencent.Client) {
	t.Helper()
	core := testenv.Start(t)
	srv := httptest.NewServer(tencent.New(core.Deps(), tcApp, tcFollow).Routes().Handler())
	t.Cleanup(srv.Close)
	off := &tencent.Client{BaseURL: srv.URL, SDKAppID: tcApp.SDKAppID, Identifier: "administrator", SecretKey: tcApp.SecretKey}
	on := &tencent.Client{BaseURL: srv.URL, SDKAppID: tcFollow.SDKAppID, Identifier: "administrator", SecretKey: tcFollow.SecretKey}
	for _, c := range []*tencent.Client{off, on} {
		if r := tcCall(t, c, "/v4/im_open_login_svc/multiaccount_import", map[string]any{"Accounts": accounts}); r.ErrorCode != 0 {
			t.Fatalf("import: %+v", r)
		}
	}
	return core, off, on
}

type resultItems struct {
	answer
	ResultItem []struct {
		To_Account string //nolint:revive // the wire name
		ResultCode int
		ResultInfo string
		FollowType int
	}
	Fail_Account []string //nolint:revive // the wire name
}

func (r resultItems) codes() string {
	var out []string
	for _, it := range r.ResultItem {
		out = append(out, fmt.Sprintf("%s:%d", it.To_Account, it.ResultCode))
	}
	return fmt.Sprint(out)
}

func tcItems(t *testing.T, c *tencent.Client, path string, body any) resultItems {
	t.Helper()
	var r resultItems
	if err := c.Call(context.Background(), path, body, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFriendAddFollowsAllowType: without force, the target's AllowType
// decides: AllowAny adds, NeedConfirm answers 30539 and leaves a waiting
// request, DenyAny answers 30516; a forced add ignores it.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestFriendAddFollowsAllowType(t *testing.T) {
	core, tc, _ := tcSurface(t, "a", "any", "confirm", "deny")
	type obj = map[string]any
	set := func(user, allow string) answer {
		return tcCall(t, tc, "/v4/profile/portrait_set", obj{"From_Account": user, "ProfileItem": []obj{{"Tag": tencent.TagAllowType, "Value": allow}}})
	}
	if r := set("confirm", domain.NeedConfirm); r.ErrorCode != 0 {
		t.Fatalf("portrait_set: %+v", r)
	}
	set("deny", domain.DenyAny)
	set("any", domain.AllowAny)
	add := func(force int) resultItems {
		return tcItems(t, tc, "/v4/sns/friend_add", obj{"From_Account": "a", "ForceAddFlags": force, "AddFriendItem": []obj{
			{"To_Account": "any", "AddSource": "AddSource_Type_Web"}, {"To_Account": "confirm", "AddSource": "AddSource_Type_Web", "AddWording": "let me in", "Remark": "C"},
			{"To_Account": "deny", "AddSource": "AddSource_Type_Web"}}})
	}
	r := add(0)
	if got := r.codes(); got != "[any:0 confirm:30539 deny:30516]" {
		t.Errorf("friend_add without force = %s", got)
	}
	if ab, ba := core.Model.Relation("tc", "a", "any"); !ab || !ba {
		t.Error("an add to AllowAny made no friendship")
	}
	if ab, _ := core.Model.Relation("tc", "a", "confirm"); ab {
		t.Error("an add to NeedConfirm made a friendship")
	}
	if req, ok := core.Model.Request("tc", "a", "confirm"); !ok || req.Entry.Wording != "let me in" || req.Entry.Alias != "C" {
		t.Errorf("the request to NeedConfirm = %+v, %v", req, ok)
	}
	if _, ok := core.Model.Request("tc", "a", "deny"); ok {
		t.Error("an add to DenyAny left a request")
	}
	if got := add(1).codes(); got != "[any:30001 confirm:0 deny:0]" {
		t.Errorf("friend_add forced = %s, want the existing friend refused and the others added", got)
	}

	// portrait_get reads what portrait_set wrote; a user who never set
	// AllowType reads AllowAny.
	tcCall(t, tc, "/v4/profile/portrait_set", obj{"From_Account": "a", "ProfileItem": []obj{{"Tag": tencent.TagNick, "Value": "Ann"}}})
	var pg struct {
		answer
		UserProfileItem []struct {
			To_Account  string //nolint:revive // the wire name
			ProfileItem []struct{ Tag, Value string }
			ResultCode  int
		}
		Fail_Account []string //nolint:revive // the wire name
	}
	if err := tc.Call(context.Background(), "/v4/profile/portrait_get", obj{"To_Account": []string{"a", "confirm", "ghost"},
		"TagList": []string{tencent.TagNick, tencent.TagAllowType}}, &pg); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(pg.UserProfileItem)
	want := "[{a [{Tag_Profile_IM_Nick Ann} {Tag_Profile_IM_AllowType AllowType_Type_AllowAny}] 0} " +
		"{confirm [{Tag_Profile_IM_Nick } {Tag_Profile_IM_AllowType AllowType_Type_NeedConfirm}] 0} {ghost [] 40003}]"
	if pg.ErrorCode != 0 || got != want || fmt.Sprint(pg.Fail_Account) != "[ghost]" {
		t.Errorf("portrait_get = %d %s %v\nwant %s [ghost]", pg.ErrorCode, got, pg.Fail_Account, want)
	}

	// Bad profile input: its own 40xxx code, and nothing written.
	before := core.LastSeq()
	for name, tt := range map[string]struct {
		body any
		code int
	}{
		"an unknown tag":         {obj{"From_Account": "a", "ProfileItem": []obj{{"Tag": "Tag_Profile_IM_Mood", "Value": "x"}}}, 40009},
		"a bad AllowType":        {obj{"From_Account": "a", "ProfileItem": []obj{{"Tag": tencent.TagAllowType, "Value": "AllowType_Type_Maybe"}}}, 40605},
		"a number for a string":  {obj{"From_Account": "a", "ProfileItem": []obj{{"Tag": tencent.TagNick, "Value": 7}}}, 40610},
		"a nick over 500 bytes":  {obj{"From_Account": "a", "ProfileItem": []obj{{"Tag": tencent.TagNick, "Value": string(make([]byte, 501))}}}, 40601},
		"no items":               {obj{"From_Account": "a", "ProfileItem": []obj{}}, 40001},
		"an account not there":   {obj{"From_Account": "ghost", "ProfileItem": []obj{{"Tag": tencent.TagNick, "Value": "G"}}}, 40003},
		"portrait_get of no one": {obj{"To_Account": []string{}, "TagList": []string{tencent.TagNick}}, 40002},
	} {
		path := "/v4/profile/portrait_set"
		if _, ok := tt.body.(obj)["To_Account"]; ok {
			path = "/v4/profile/portrait_get"
		}
		if r := tcCall(t, tc, path, tt.body); r.ErrorCode != tt.code || r.ActionStatus != "FAIL" {
			t.Errorf("%s: %+v, want %d", name, r, tt.code)
		}
	}
	if after := core.LastSeq(); after != before {
		t.Errorf("bad profile input wrote to the stream: %d -> %d", before, after)
	}
}

// TestFollowAPIs: the five follow APIs with their limits and codes, on an
// app with follows on; an app without them answers 30005.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestFollowAPIs(t *testing.T) {
	users := []string{"a", "b", "c", "d", "e"}
	core, off, tc := tcSurface(t, users...)
	type obj = map[string]any
	follow := func(from string, to ...string) resultItems {
		items := make([]obj, len(to))
		for i, id := range to {
			items[i] = obj{"To_Account": id}
		}
		return tcItems(t, tc, "/v4/follow/follow_add", obj{"From_Account": from, "FollowItem": items})
	}
	// a follows b, c, d; b and c follow a back; e follows a.
	if r := follow("a", "b", "c", "d", "a", "ghost", "b"); r.ErrorCode != 0 || r.codes() != "[b:0 c:0 d:0 a:30001 ghost:30003 b:30001]" {
		t.Errorf("follow_add = %+v %s", r.answer, r.codes())
	}
	follow("b", "a")
	follow("c", "a")
	follow("e", "a")
	if r := follow("a", "b"); r.codes() != "[b:30001]" || r.ResultItem[0].ResultInfo != "Err_SNS_FollowAdd_Already_Follow" {
		t.Errorf("follow_add again = %+v", r.ResultItem)
	}

	// follow_check: each relation value.
	r := tcItems(t, tc, "/v4/follow/follow_check", obj{"From_Account": "a", "To_Account": []string{"b", "d", "e", "ghost"}})
	var types []string
	for _, it := range r.ResultItem {
		types = append(types, fmt.Sprintf("%s:%d/%d", it.To_Account, it.ResultCode, it.FollowType))
	}
	if fmt.Sprint(types) != "[b:0/3 d:0/2 e:0/1 ghost:30003/0]" {
		t.Errorf("follow_check = %v", types)
	}
	if r := tcItems(t, tc, "/v4/follow/follow_check", obj{"From_Account": "d", "To_Account": []string{"e"}}); r.ResultItem[0].FollowType != 0 {
		t.Errorf("follow_check of strangers = %+v", r.ResultItem)
	}

	// follow_get: fans, following, mutual, paged by cursor.
	type page struct {
		answer
		FollowItem []struct {
			To_Account string //nolint:revive // the wire name
			FollowTime int64
		}
		NextCursor string
	}
	list := func(user string, kind, want int) []string {
		var ids []string
		cursor := ""
		for range 10 {
			var p page
			if err := tc.Call(context.Background(), "/v4/follow/follow_get", obj{"From_Account": user, "FollowType": kind, "StartCursor": cursor, "WantNum": want}, &p); err != nil || p.ErrorCode != 0 {
				t.Fatalf("follow_get: %+v %v", p.answer, err)
			}
			for _, it := range p.FollowItem {
				if it.FollowTime == 0 {
					t.Errorf("follow_get item without FollowTime: %+v", it)
				}
				ids = append(ids, it.To_Account)
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		return ids
	}
	for _, tt := range []struct {
		kind int
		want string
	}{{1, "[b c e]"}, {2, "[b c d]"}, {3, "[b c]"}} {
		for _, n := range []int{1, 2, 100} {
			if got := fmt.Sprint(list("a", tt.kind, n)); got != tt.want {
				t.Errorf("follow_get(a, type %d, %d a page) = %s, want %s", tt.kind, n, got, tt.want)
			}
		}
	}

	// follow_get_info: counts.
	var info struct {
		answer
		FollowInfo []struct {
			To_Account                                                      string //nolint:revive // the wire name
			ResultCode, FollowerCount, FollowingCount, MutualFollowingCount int
		}
	}
	if err := tc.Call(context.Background(), "/v4/follow/follow_get_info", obj{"From_Account": "a", "To_Account": []string{"a", "b", "ghost"}}, &info); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(info.FollowInfo); got != "[{a 0 3 3 2} {b 0 1 1 1} {ghost 30003 0 0 0}]" {
		t.Errorf("follow_get_info = %s", got)
	}

	// follow_delete: the relation ends in one direction only.
	if r := tcItems(t, tc, "/v4/follow/follow_delete", obj{"From_Account": "a", "To_Account": []string{"b", "e"}}); r.codes() != "[b:0 e:30001]" {
		t.Errorf("follow_delete = %s", r.codes())
	}
	if ab, ba := core.Model.FollowRelation("tcf", "a", "b"); ab || !ba {
		t.Errorf("after a unfollows b: a→b %v, b→a %v", ab, ba)
	}

	// Whole-call faults.
	many := make([]obj, tencent.MaxFollowItems+1)
	for i := range many {
		many[i] = obj{"To_Account": fmt.Sprint("u", i)}
	}
	before := core.LastSeq()
	for name, tt := range map[string]struct {
		c    *tencent.Client
		path string
		body any
		code int
	}{
		"follows off":          {off, "/v4/follow/follow_add", obj{"From_Account": "a", "FollowItem": []obj{{"To_Account": "b"}}}, 30005},
		"follows off, a check": {off, "/v4/follow/follow_check", obj{"From_Account": "a", "To_Account": []string{"b"}}, 30005},
		"follows off, a list":  {off, "/v4/follow/follow_get", obj{"From_Account": "a", "FollowType": 1}, 30005},
		"too many to follow":   {tc, "/v4/follow/follow_add", obj{"From_Account": "a", "FollowItem": many}, 30001},
		"an unknown follower":  {tc, "/v4/follow/follow_add", obj{"From_Account": "ghost", "FollowItem": []obj{{"To_Account": "b"}}}, 30003},
		"a bad FollowType":     {tc, "/v4/follow/follow_get", obj{"From_Account": "a", "FollowType": 4}, 30001},
		"a bad WantNum":        {tc, "/v4/follow/follow_get", obj{"From_Account": "a", "FollowType": 1, "WantNum": 1001}, 30001},
		"a bad cursor":         {tc, "/v4/follow/follow_get", obj{"From_Account": "a", "FollowType": 1, "StartCursor": "!"}, 30001},
		"an empty delete":      {tc, "/v4/follow/follow_delete", obj{"From_Account": "a", "To_Account": []string{}}, 30001},
	} {
		if r := tcCall(t, tt.c, tt.path, tt.body); r.ErrorCode != tt.code {
			t.Errorf("%s: %+v, want %d", name, r, tt.code)
		}
	}
	if after := core.LastSeq(); after != before {
		t.Errorf("refused follow calls wrote to the stream: %d -> %d", before, after)
	}
}

// TestFollowCallbacks: follows and unfollows become Tencent's after-follow
// callbacks, one per follower and request, listing only what changed.
func TestFollowCallbacks(t *testing.T) {
	app := &domain.App{Name: "tcf", Callback: &domain.Callback{URL: "http://x", Style: "tencent"}}
	ev := func(id, req string, p domain.Payload) domain.Event {
		return domain.Event{ID: id, Type: p.Type(), App: "tcf", RequestID: req, Data: p}
	}
	c := domain.Commit{ID: "c", App: "tcf", Events: []domain.Event{
		ev("e1", "r1", domain.UserFollowed{User: "a", Target: "b"}),
		ev("e2", "r1", domain.UserFollowed{User: "a", Target: "c"}),
		ev("e3", "r2", domain.UserFollowed{User: "a", Target: "d"}),
		ev("e4", "r3", domain.UserUnfollowed{User: "a", Target: "b"}),
	}}
	var got []string
	for _, d := range (tencent.Callbacks{}).Deliveries(app, 9, c) {
		got = append(got, d.Command+" "+string(d.Body))
	}
	want := []string{
		`Follow.CallbackAfterFollowAdd {"CallbackCommand":"Follow.CallbackAfterFollowAdd","EventTime":-62135596800000,"FollowList":[{"To_Account":"b"},{"To_Account":"c"}],"From_Account":"a"}`,
		`Follow.CallbackAfterFollowAdd {"CallbackCommand":"Follow.CallbackAfterFollowAdd","EventTime":-62135596800000,"FollowList":[{"To_Account":"d"}],"From_Account":"a"}`,
		`Follow.CallbackAfterFollowDelete {"CallbackCommand":"Follow.CallbackAfterFollowDelete","EventTime":-62135596800000,"From_Account":"a","To_Account":["b"]}`,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("deliveries:\n%s\nwant\n%s", got, want)
	}
}
