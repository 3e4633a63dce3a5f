package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv/apitest"
)

// socialConfig is an app on both surfaces with follows on, its webhooks
// going to hook, and a Tencent app without follows.
func socialConfig(hook string) string {
	return `{"apps":[
 {"name":"social","zim":{"app_id":3333,"server_secret":"social-secret","qps":1000000},
  "tencent":{"sdkappid":1400000007,"secret_key":"social-key","admins":["administrator"],"qps":1000000,"follow":true},
  "callback":{"url":"` + hook + `","style":"tencent"}},
 {"name":"nofollow","tencent":{"sdkappid":1400000008,"secret_key":"nf-key","admins":["administrator"],"qps":1000000}}
]}`
}

// v1Checked is the /v1 validator of each service, so that a scenario can
// see which routes its calls covered.
var v1Checked sync.Map // *service -> *apitest.Validator

// v1 calls Amity's own API signed as app 3333's ZIM calls are, validated
// against the /v1 OpenAPI description, and decodes the answer into out;
// it returns the HTTP status.
func (s *service) v1(t *testing.T, method, path string, q url.Values, body, out any) int {
	t.Helper()
	vt, _ := v1Checked.LoadOrStore(s, apitest.V1Validator(t, s.httpURL))
	sq := zim.SignedQuery("", 3333, "social-secret", fmt.Sprint(time.Now().UnixNano()), time.Now())
	for k, v := range q {
		sq[k] = v
	}
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, s.httpURL+path+"?"+sq.Encode(), bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Transport: vt.(*apitest.Validator)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode
}

type v1Requests struct {
	Requests []struct{ From, To, Wording, Alias, State string }
}

// applicationLine renders a request notification for comparison.
func applicationLine(n delivery.Notification) string {
	var who []string
	for _, a := range n.ApplicationList {
		who = append(who, fmt.Sprintf("%s/type%d/state%d", a.ApplyUser.UserID, a.Type, a.State))
	}
	return fmt.Sprintf("%s %s %s %v", n.User, n.Event, n.Action, who)
}

// TestZIMRequestScenario runs a friend request through the whole binary in
// ZIM's wire format: the request, the target's notification, the list, the
// accept with an alias and attributes, both friend lists, the pair's
// history; a rejection; the one-way friend shortcut. (Expiry, on a clock a
// test moves, is TestRequestLifecycle in http/native.)
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestZIMRequestScenario(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	s := startService(t, socialConfig(rcv.srv.URL), "")
	sub := subscribe(t, s.natsURL, "amity.social.notify.>")
	z := s.zim(t, 3333, "social-secret")
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("ann", "ben", "cal")), 0)

	apitest.WantCode(t, "request", z.Post("SendFriendApplication", obj{"FromUserId": "ann", "FriendInfos": []fi{{"UserId": "ben", "Wording": "hi ben",
		"FriendAlias": "Benny", "Attributes": []obj{{"Key": "k0", "Value": "met at work"}}}}}), 0)
	var got v1Requests
	if code := s.v1(t, http.MethodGet, "/v1/requests", url.Values{"user": {"ben"}, "direction": {"received"}}, nil, &got); code != 200 ||
		len(got.Requests) != 1 || got.Requests[0].From != "ann" || got.Requests[0].Wording != "hi ben" || got.Requests[0].State != "waiting" {
		t.Fatalf("ben's requests: HTTP %d %+v", code, got)
	}
	var acc map[string]any
	if code := s.v1(t, http.MethodPost, "/v1/requests/accept", nil, obj{"user": "ben", "from": "ann", "alias": "Annie", "attributes": obj{"k1": "colleague"}}, &acc); code != 200 {
		t.Fatalf("accept: HTTP %d %v", code, acc)
	}
	list := func(user string) map[string]string {
		r := z.Get("QueryFriendList", url.Values{"FromUserId": {user}, "Limit": {"100"}, "Next": {"0"}})
		out := map[string]string{}
		for _, f := range r.FriendInfos {
			var attrs []string
			for _, a := range f.Attributes {
				attrs = append(attrs, a.Key+"="+a.Value)
			}
			out[f.UserId] = f.FriendAlias + " " + strings.Join(attrs, ",")
		}
		return out
	}
	if got := fmt.Sprint(list("ben")); got != "map[ann:Annie k1=colleague]" {
		t.Errorf("ben's list = %s", got)
	}
	if got := fmt.Sprint(list("ann")); got != "map[ben:Benny k0=met at work]" {
		t.Errorf("ann's list = %s", got)
	}
	var hist struct {
		Events []struct{ Event struct{ Type string } }
	}
	s.v1(t, http.MethodGet, "/v1/pairs/history", url.Values{"user_a": {"ann"}, "user_b": {"ben"}}, nil, &hist)
	var types []string
	for _, e := range hist.Events {
		types = append(types, e.Event.Type)
	}
	if fmt.Sprint(types) != "[FriendRequestSent FriendRequestAccepted]" {
		t.Errorf("ann-ben history = %v", types)
	}

	// A rejection, then the one-way shortcut: ann deletes ben one-way, ben
	// keeps her, and her request makes him her friend at once.
	apitest.WantCode(t, "request", z.Post("SendFriendApplication", obj{"FromUserId": "cal", "FriendInfos": []fi{{"UserId": "ben"}}}), 0)
	var e map[string]any
	if code := s.v1(t, http.MethodPost, "/v1/requests/reject", nil, obj{"user": "ben", "from": "cal"}, &e); code != 200 {
		t.Errorf("reject: HTTP %d %v", code, e)
	}
	if code := s.v1(t, http.MethodPost, "/v1/requests/accept", nil, obj{"user": "ben", "from": "cal"}, &e); code != 409 {
		t.Errorf("accept a rejected request: HTTP %d %v", code, e)
	}
	apitest.WantCode(t, "one-way delete", z.Post("DeleteFriends", obj{"FromUserId": "ann", "UserIds": []string{"ben"}, "DeleteType": 1}), 0)
	apitest.WantCode(t, "request to a friend who kept ann", z.Post("SendFriendApplication", obj{"FromUserId": "ann", "FriendInfos": []fi{{"UserId": "ben", "FriendAlias": "B"}}}), 0)
	if got := fmt.Sprint(list("ann")); got != "map[ben:B ]" {
		t.Errorf("ann's list after the shortcut = %s", got)
	}

	// The rest of /v1 and the profile actions, each call validated too.
	var asOf struct {
		AsOfSeq uint64 `json:"as_of_seq"`
		Friends []struct {
			UserID string `json:"user_id"`
		}
	}
	if code := s.v1(t, http.MethodGet, "/v1/friends", url.Values{"user": {"ben"}}, nil, &asOf); code != 200 || len(asOf.Friends) != 1 {
		t.Errorf("ben's friends now: HTTP %d %+v", code, asOf)
	}
	var ch struct{ Events []json.RawMessage }
	if code := s.v1(t, http.MethodGet, "/v1/changes", url.Values{"user": {"ben"}, "since": {"0"}}, nil, &ch); code != 200 || len(ch.Events) < 4 {
		t.Errorf("ben's changes: HTTP %d, %d events", code, len(ch.Events))
	}
	if code := s.v1(t, http.MethodPost, "/v1/requests/delete", nil, obj{"user": "ben", "from": "cal"}, &e); code != 200 {
		t.Errorf("delete: HTTP %d %v", code, e)
	}
	if code := s.v1(t, http.MethodPost, "/v1/requests/delete", nil, obj{"user": "ben", "from": "cal", "alias": "x"}, &e); code != 400 {
		t.Errorf("delete with an alias: HTTP %d %v", code, e)
	}
	apitest.WantCode(t, "profile", z.Post("ModifyUserInfo", obj{"UserInfo": []fi{{"UserId": "cal", "Extra": "vip"}}}), 0)
	if r := z.Post("QueryUserInfos", obj{"UserIds": []string{"cal"}}); len(r.Result) != 1 || r.Result[0].Extra != "vip" {
		t.Errorf("QueryUserInfos(cal) = %+v", r.Result)
	}
	vt, _ := v1Checked.Load(s)
	vt.(*apitest.Validator).Covered(t, "/v1/requests", "/v1/requests/accept", "/v1/requests/reject", "/v1/requests/delete",
		"/v1/pairs/history", "/v1/friends", "/v1/changes")
	z.V.Covered(t, "/zim/UserRegister", "/zim/SendFriendApplication", "/zim/QueryFriendList", "/zim/DeleteFriends",
		"/zim/ModifyUserInfo", "/zim/QueryUserInfos")

	want := []string{
		"ben onFriendApplicationListChanged Added [ann/type1/state1]",
		"ann onFriendApplicationListChanged Added [ben/type2/state1]",
		"ben onFriendApplicationUpdated  [ann/type1/state2]",
		"ann onFriendApplicationUpdated  [ben/type2/state2]",
		"ben onFriendListChanged Added []",
		"ann onFriendListChanged Added []",
		"ben onFriendApplicationListChanged Added [cal/type1/state1]",
		"cal onFriendApplicationListChanged Added [ben/type2/state1]",
		"ben onFriendApplicationUpdated  [cal/type1/state3]",
		"cal onFriendApplicationUpdated  [ben/type2/state3]",
		"ann onFriendListChanged Deleted []",
		"ann onFriendListChanged Added []",
		"ben onFriendApplicationListChanged Deleted [cal/type1/state0]",
		"cal onUserInfoUpdated  []",
	}
	var lines []string
	for _, n := range sub.wait(t, len(want)) {
		lines = append(lines, applicationLine(n))
	}
	if !slices.Equal(lines, want) {
		t.Errorf("notifications:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestTencentRequestsAndFollowsScenario runs the Tencent side through the
// whole binary: AllowType set by portrait_set decides friend_add
// (NeedConfirm answers 30539 and leaves a request, DenyAny 30516); the
// request is accepted on /v1 and the friendship checks both ways; follows
// with every check value, the three lists paged, the counts, the webhooks;
// an app without follows answers 30005. Then a replay of the stream, and a
// restart from the snapshot, give the live digest.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestTencentRequestsAndFollowsScenario(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	dataDir := t.TempDir()
	s := startService(t, socialConfig(rcv.srv.URL), dataDir, "--snapshot-interval", "0")
	tc := s.tencent(t, 1400000007, "social-key")
	apitest.WantTC(t, "import", tc.Call("/v4/im_open_login_svc/multiaccount_import", apitest.Accounts("ann", "ben", "cal", "dan")), 0)
	profile := func(user, tag, value string) apitest.Answer {
		return tc.Call("/v4/profile/portrait_set", obj{"From_Account": user, "ProfileItem": []obj{{"Tag": tag, "Value": value}}})
	}
	apitest.WantTC(t, "ben confirms", profile("ben", "Tag_Profile_IM_AllowType", "AllowType_Type_NeedConfirm"), 0)
	apitest.WantTC(t, "cal denies", profile("cal", "Tag_Profile_IM_AllowType", "AllowType_Type_DenyAny"), 0)
	apitest.WantTC(t, "a bad AllowType", profile("cal", "Tag_Profile_IM_AllowType", "AllowType_Type_Sometimes"), 40605)
	apitest.WantItems(t, "friend_add", tc.Call("/v4/sns/friend_add", obj{"From_Account": "ann", "AddFriendItem": []obj{
		{"To_Account": "ben", "AddSource": "AddSource_Type_Web", "AddWording": "hello"},
		{"To_Account": "cal", "AddSource": "AddSource_Type_Web"},
		{"To_Account": "dan", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"ben": 30539, "cal": 30516, "dan": 0})

	var got v1Requests
	s.v1(t, http.MethodGet, "/v1/requests", url.Values{"user": {"ann"}, "direction": {"sent"}}, nil, &got)
	if len(got.Requests) != 1 || got.Requests[0].To != "ben" || got.Requests[0].Wording != "hello" {
		t.Fatalf("ann's sent requests = %+v", got)
	}
	var acc map[string]any
	if code := s.v1(t, http.MethodPost, "/v1/requests/accept", nil, obj{"user": "ben", "from": "ann"}, &acc); code != 200 {
		t.Fatalf("accept: HTTP %d %v", code, acc)
	}
	check := tc.Call("/v4/sns/friend_check", obj{"From_Account": "ann", "To_Account": []string{"ben", "cal"}, "CheckType": "CheckResult_Type_Both"})
	if got := check.Relations(); got["ben"] != "CheckResult_Type_BothWay" || got["cal"] != "CheckResult_Type_NoRelation" {
		t.Errorf("friend_check after the accept = %v", got)
	}

	// Follows, validated against Amity's description of them.
	fctx := context.Background()
	follow := func(from string, to ...string) apitest.Answer {
		items := []obj{}
		for _, id := range to {
			items = append(items, obj{"To_Account": id})
		}
		return tc.CallCtx(fctx, "/v4/follow/follow_add", obj{"From_Account": from, "FollowItem": items})
	}
	apitest.WantItems(t, "follow", follow("ann", "ben", "cal", "dan"), map[string]int{"ben": 0, "cal": 0, "dan": 0})
	apitest.WantItems(t, "follow back", follow("ben", "ann"), map[string]int{"ann": 0})
	apitest.WantItems(t, "a fan", follow("cal", "ann"), map[string]int{"ann": 0})
	var fc struct {
		ResultItem []struct {
			To_Account string //nolint:revive // the wire name
			FollowType int
		}
	}
	if err := tc.C.Call(fctx, "/v4/follow/follow_check", obj{"From_Account": "ben", "To_Account": []string{"ann", "cal", "dan"}}, &fc); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(fc.ResultItem); got != "[{ann 3} {cal 0} {dan 0}]" {
		t.Errorf("follow_check(ben) = %s", got)
	}
	if err := tc.C.Call(fctx, "/v4/follow/follow_check", obj{"From_Account": "dan", "To_Account": []string{"ann", "cal"}}, &fc); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(fc.ResultItem); got != "[{ann 1} {cal 0}]" {
		t.Errorf("follow_check(dan) = %s", got)
	}
	if err := tc.C.Call(fctx, "/v4/follow/follow_check", obj{"From_Account": "ann", "To_Account": []string{"dan"}}, &fc); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(fc.ResultItem); got != "[{dan 2}]" {
		t.Errorf("follow_check(ann) = %s", got)
	}
	pages := func(kind int) string {
		var ids []string
		cursor := ""
		for range 10 {
			var p struct {
				ErrorCode  int
				FollowItem []struct {
					To_Account string //nolint:revive // the wire name
				}
				NextCursor string
			}
			if err := tc.C.Call(fctx, "/v4/follow/follow_get", obj{"From_Account": "ann", "FollowType": kind, "StartCursor": cursor, "WantNum": 1}, &p); err != nil || p.ErrorCode != 0 {
				t.Fatalf("follow_get: %d %v", p.ErrorCode, err)
			}
			for _, it := range p.FollowItem {
				ids = append(ids, it.To_Account)
			}
			if cursor = p.NextCursor; cursor == "" {
				break
			}
		}
		return fmt.Sprint(ids)
	}
	if got := pages(1) + pages(2) + pages(3); got != "[ben cal][ben cal dan][ben cal]" {
		t.Errorf("ann's fans, following, mutual = %s", got)
	}
	var info struct {
		FollowInfo []struct{ FollowerCount, FollowingCount, MutualFollowingCount int }
	}
	if err := tc.C.Call(fctx, "/v4/follow/follow_get_info", obj{"From_Account": "ann", "To_Account": []string{"ann"}}, &info); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(info.FollowInfo); got != "[{2 3 2}]" {
		t.Errorf("follow_get_info(ann) = %s", got)
	}
	apitest.WantItems(t, "unfollow", tc.CallCtx(fctx, "/v4/follow/follow_delete", obj{"From_Account": "ann", "To_Account": []string{"cal"}}), map[string]int{"cal": 0})
	off := s.tencent(t, 1400000008, "nf-key")
	apitest.WantTC(t, "import", off.Call("/v4/im_open_login_svc/multiaccount_import", apitest.Accounts("ann", "ben")), 0)
	apitest.WantTC(t, "follows off", off.CallCtx(fctx, "/v4/follow/follow_add", obj{"From_Account": "ann", "FollowItem": []obj{{"To_Account": "ben"}}}), 30005)

	// The webhooks: the accepted request's add, then the follows.
	var lines []string
	for _, c := range rcv.wait(t, 6, 30*time.Second) {
		line := c.Query.Get("CallbackCommand") + " " + pairs(c.Body)
		if strings.HasPrefix(line, "Follow.") {
			line += fmt.Sprintf("%v %v %v", c.Body["From_Account"], c.Body["FollowList"], c.Body["To_Account"])
		}
		lines = append(lines, line)
	}
	want := []string{
		"Sns.CallbackFriendAdd ann>dan,dan>ann",
		"Sns.CallbackFriendAdd ben>ann,ann>ben",
		"Follow.CallbackAfterFollowAdd ann [map[To_Account:ben] map[To_Account:cal] map[To_Account:dan]] <nil>",
		"Follow.CallbackAfterFollowAdd ben [map[To_Account:ann]] <nil>",
		"Follow.CallbackAfterFollowAdd cal [map[To_Account:ann]] <nil>",
		"Follow.CallbackAfterFollowDelete ann <nil> [cal]",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("callbacks:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	// Replay gives the live state, and so does a restart from the snapshot.
	live := liveDigest(t, s.natsURL)
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"replay", "--nats-url", s.natsURL}, func(string) string { return "" }, &out, &errb); err != nil ||
		!strings.Contains(out.String(), "digest "+live.Sum) {
		t.Errorf("replay: %v\n%s\n%s\nlive digest %s", err, out.String(), errb.String(), live.Sum)
	}
	s.stop(t)
	s = startService(t, socialConfig(rcv.srv.URL), dataDir, "--snapshot-interval", "0")
	if _, applied := readyLine(t, s); applied != 0 {
		t.Errorf("the restart applied %d commits, want all from the snapshot", applied)
	}
	if got := liveDigest(t, s.natsURL); got.Sum != live.Sum {
		t.Errorf("digest after a restart from the snapshot = %s, want %s", got.Sum, live.Sum)
	}
}
