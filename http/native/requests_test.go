package native_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/native"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
)

// requestsServer serves ZIM and /v1, request routes included, on an
// in-memory core whose clock the test moves.
func requestsServer(t testing.TB) (*testenv.Core, string) {
	t.Helper()
	core := testenv.Start(t)
	zimSrv := zim.New(core.Deps(), demo, other)
	r := amityhttp.NewHandler(zimSrv.Routes(), native.Routes(native.Config{Now: core.Now, History: core.Store, Index: core.Model, ZIM: zimSrv,
		Writer: core.Writer, Requests: core.Model, NewID: core.NewID}))
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return core, srv.URL
}

// v1 calls /v1 as app (demo or other), signed at the core's clock, and
// decodes the answer into out; it returns the HTTP status.
func v1(t testing.TB, core *testenv.Core, base string, app *zim.App, method, path string, q url.Values, body, out any) int {
	t.Helper()
	s := zim.SignedQuery("", app.AppID, app.ServerSecret, fmt.Sprint(time.Now().UnixNano()), core.Now())
	for k, v := range q {
		s[k] = v
	}
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		enc, _ := json.Marshal(b)
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, base+path+"?"+s.Encode(), rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("%s %s: decode: %v", method, path, err)
	}
	return resp.StatusCode
}

type requestList struct {
	Requests []struct {
		From, To, Wording, Alias, State string
		Attributes                      map[string]string
		CreateTime                      int64 `json:"create_time"`
		ExpireTime                      int64 `json:"expire_time"`
	}
	NextCursor string `json:"next_cursor"`
}

type apiErr struct {
	Error struct{ Code, Message string }
}

// TestRequestLifecycle runs friend requests through ZIM's wire and /v1:
// send, list, accept with an alias and attributes, reject, delete, expiry
// on the core's clock, the one-way shortcut, paging, and bad input.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestRequestLifecycle(t *testing.T) {
	core, base := requestsServer(t)
	z := &zim.Client{BaseURL: base, AppID: demo.AppID, Secret: demo.ServerSecret, Now: core.Now}
	type obj = map[string]any
	zimCall := func(action string, body any) zim.Answer {
		t.Helper()
		var a zim.Answer
		if err := z.Call(context.Background(), http.MethodPost, action, nil, body, &a); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		return a
	}
	users := []obj{}
	for _, u := range []string{"a", "b", "c", "d", "e", "p1", "p2", "p3", "p4", "p5"} {
		users = append(users, obj{"UserId": u})
	}
	zimCall("UserRegister", obj{"UserInfo": users})
	list := func(app *zim.App, user, direction, state string, extra url.Values) (requestList, int) {
		t.Helper()
		q := url.Values{"user": {user}, "direction": {direction}}
		if state != "" {
			q.Set("state", state)
		}
		for k, v := range extra {
			q[k] = v
		}
		var l requestList
		return l, v1(t, core, base, app, http.MethodGet, "/v1/requests", q, nil, &l)
	}
	answer := func(verb string, body any) (int, apiErr) {
		t.Helper()
		var e apiErr
		return v1(t, core, base, demo, http.MethodPost, "/v1/requests/"+verb, nil, body, &e), e
	}

	// Send: the target has one waiting request, the sender one sent.
	if a := zimCall("SendFriendApplication", obj{"FromUserId": "a", "FriendInfos": []obj{{"UserId": "b", "Wording": "hi", "FriendAlias": "bee",
		"Attributes": []obj{{"Key": "k0", "Value": "v0"}}}}}); a.Code != 0 || len(a.ErrorList) != 0 {
		t.Fatalf("SendFriendApplication = %+v", a)
	}
	got, code := list(demo, "b", "received", "", nil)
	if code != 200 || len(got.Requests) != 1 || got.Requests[0].From != "a" || got.Requests[0].Wording != "hi" || got.Requests[0].State != "waiting" ||
		got.Requests[0].ExpireTime != got.Requests[0].CreateTime+domain.DefaultRequestExpiry.Milliseconds() {
		t.Fatalf("b's received requests = %d %+v", code, got)
	}
	if sent, _ := list(demo, "a", "sent", "", nil); len(sent.Requests) != 1 || sent.Requests[0].To != "b" || sent.Requests[0].Alias != "bee" {
		t.Errorf("a's sent requests = %+v", sent)
	}
	if ab, ba := core.Model.Relation("demo", "a", "b"); ab || ba {
		t.Errorf("a and b are related before the accept: %v, %v", ab, ba)
	}

	// Accept: both lists hold each other, with the accepted alias and
	// attributes on b's side and the request's on a's.
	if code, e := answer("accept", obj{"user": "b", "from": "a", "alias": "ay", "attributes": obj{"k1": "v1"}}); code != 200 {
		t.Fatalf("accept: HTTP %d %+v", code, e)
	}
	friend := func(owner, friend string) (domain.Entry, bool) {
		return core.Model.Entry("demo", owner, friend)
	}
	if e, ok := friend("b", "a"); !ok || e.Alias != "ay" || e.Attributes["k1"] != "v1" || e.Wording != "hi" {
		t.Errorf("b's entry for a = %+v, %v", e, ok)
	}
	if e, ok := friend("a", "b"); !ok || e.Alias != "bee" || e.Attributes["k0"] != "v0" {
		t.Errorf("a's entry for b = %+v, %v", e, ok)
	}
	var ql zim.Answer
	if err := z.Call(context.Background(), http.MethodGet, "QueryFriendList", url.Values{"FromUserId": {"b"}, "Limit": {"10"}, "Next": {"0"}}, nil, &ql); err != nil ||
		len(ql.FriendInfos) != 1 || ql.FriendInfos[0].UserId != "a" || ql.FriendInfos[0].FriendAlias != "ay" {
		t.Errorf("QueryFriendList(b) = %+v, %v", ql, err)
	}
	if w, _ := list(demo, "b", "received", "", nil); len(w.Requests) != 0 {
		t.Errorf("b's waiting requests after the accept = %+v", w)
	}
	if all, _ := list(demo, "b", "received", "all", nil); len(all.Requests) != 1 || all.Requests[0].State != "accepted" {
		t.Errorf("b's requests after the accept = %+v", all)
	}
	var hist struct{ Events []change }
	v1(t, core, base, demo, http.MethodGet, "/v1/pairs/history", url.Values{"user_a": {"a"}, "user_b": {"b"}}, nil, &hist)
	var types []string
	for _, c := range hist.Events {
		types = append(types, c.Event.Type)
	}
	if want := "[FriendRequestSent FriendRequestAccepted]"; fmt.Sprint(types) != want {
		t.Errorf("pair history of a-b = %v, want %s", types, want)
	}
	if code, e := answer("accept", obj{"user": "b", "from": "a"}); code != 409 || e.Error.Code != "conflict" {
		t.Errorf("accept twice: HTTP %d %+v", code, e)
	}
	if code, e := answer("accept", obj{"user": "a", "from": "b"}); code != 404 || e.Error.Code != "not_found" {
		t.Errorf("accept a request the other way: HTTP %d %+v", code, e)
	}

	// Reject, then delete.
	zimCall("SendFriendApplication", obj{"FromUserId": "c", "FriendInfos": []obj{{"UserId": "b"}}})
	if code, e := answer("reject", obj{"user": "b", "from": "c"}); code != 200 {
		t.Fatalf("reject: HTTP %d %+v", code, e)
	}
	if code, e := answer("reject", obj{"user": "b", "from": "c"}); code != 409 {
		t.Errorf("reject twice: HTTP %d %+v", code, e)
	}
	if sent, _ := list(demo, "c", "sent", "all", nil); len(sent.Requests) != 1 || sent.Requests[0].State != "rejected" {
		t.Errorf("c's sent requests after the reject = %+v", sent)
	}
	if _, ok := friend("b", "c"); ok {
		t.Error("a rejected request made a friendship")
	}
	if code, _ := answer("delete", obj{"user": "b", "from": "c"}); code != 200 {
		t.Errorf("delete: HTTP %d", code)
	}
	if code, e := answer("delete", obj{"user": "b", "from": "c"}); code != 404 {
		t.Errorf("delete twice: HTTP %d %+v", code, e)
	}
	if sent, _ := list(demo, "c", "sent", "all", nil); len(sent.Requests) != 0 {
		t.Errorf("c's sent requests after the delete = %+v", sent)
	}

	// Expiry: a request not answered within 7 days expires.
	zimCall("SendFriendApplication", obj{"FromUserId": "d", "FriendInfos": []obj{{"UserId": "b"}}})
	core.Advance(domain.DefaultRequestExpiry - time.Minute)
	if w, _ := list(demo, "b", "received", "", nil); len(w.Requests) != 1 || w.Requests[0].From != "d" {
		t.Errorf("d's request a minute before it expires = %+v", w)
	}
	core.Advance(time.Minute)
	if w, _ := list(demo, "b", "received", "", nil); len(w.Requests) != 0 {
		t.Errorf("b's waiting requests after 7 days = %+v", w)
	}
	if all, _ := list(demo, "b", "received", "all", nil); len(all.Requests) != 2 || all.Requests[0].From != "d" || all.Requests[0].State != "expired" {
		t.Errorf("b's requests after 7 days = %+v", all)
	}
	if code, e := answer("accept", obj{"user": "b", "from": "d"}); code != 409 || !strings.Contains(e.Error.Message, "expired") {
		t.Errorf("accept an expired request: HTTP %d %+v", code, e)
	}
	// Sending again starts a new request.
	zimCall("SendFriendApplication", obj{"FromUserId": "d", "FriendInfos": []obj{{"UserId": "b", "Wording": "again"}}})
	if w, _ := list(demo, "b", "received", "", nil); len(w.Requests) != 1 || w.Requests[0].Wording != "again" {
		t.Errorf("a request sent again after expiry = %+v", w)
	}

	// The one-way shortcut: a deletes b one-way; b keeps a; a's request to
	// b adds b to a's list at once, with nothing waiting.
	if r := zimCall("DeleteFriends", obj{"FromUserId": "a", "UserIds": []string{"b"}, "DeleteType": 1}); r.Code != 0 {
		t.Fatalf("one-way delete = %+v", r)
	}
	zimCall("SendFriendApplication", obj{"FromUserId": "a", "FriendInfos": []obj{{"UserId": "b", "FriendAlias": "again"}}})
	if e, ok := friend("a", "b"); !ok || e.Alias != "again" {
		t.Errorf("a's entry for b after the shortcut = %+v, %v", e, ok)
	}
	if sent, _ := list(demo, "a", "sent", "", nil); len(sent.Requests) != 0 {
		t.Errorf("the shortcut left a waiting request: %+v", sent)
	}

	// Paging, newest first.
	for i, p := range []string{"p1", "p2", "p3", "p4", "p5"} {
		core.Advance(time.Duration(i+1) * time.Millisecond)
		zimCall("SendFriendApplication", obj{"FromUserId": p, "FriendInfos": []obj{{"UserId": "e"}}})
	}
	var pages []string
	cursor := ""
	for range 5 {
		extra := url.Values{"limit": {"2"}}
		if cursor != "" {
			extra.Set("cursor", cursor)
		}
		page, code := list(demo, "e", "received", "", extra)
		if code != 200 {
			t.Fatalf("page: HTTP %d", code)
		}
		for _, r := range page.Requests {
			pages = append(pages, r.From)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if fmt.Sprint(pages) != "[p5 p4 p3 p2 p1]" {
		t.Errorf("e's requests paged by 2 = %v, want [p5 p4 p3 p2 p1]", pages)
	}

	// Bad input changes nothing; another app sees none of demo's requests.
	before := core.LastSeq()
	var e apiErr
	for name, q := range map[string]url.Values{
		"no direction": {"user": {"b"}},
		"bad state":    {"user": {"b"}, "direction": {"sent"}, "state": {"open"}},
		"bad limit":    {"user": {"b"}, "direction": {"sent"}, "limit": {"0"}},
		"bad cursor":   {"user": {"b"}, "direction": {"sent"}, "cursor": {"!!"}},
	} {
		if code := v1(t, core, base, demo, http.MethodGet, "/v1/requests", q, nil, &e); code != 400 || e.Error.Code != "bad_request" {
			t.Errorf("%s: HTTP %d %+v", name, code, e)
		}
	}
	for name, body := range map[string]any{
		"not JSON":          "{",
		"an unknown field":  obj{"user": "b", "from": "p1", "alis": "x"},
		"no from":           obj{"user": "b"},
		"a long alias":      obj{"user": "e", "from": "p1", "alias": strings.Repeat("x", 257)},
		"an attribute key":  obj{"user": "e", "from": "p1", "attributes": obj{"k9": "x"}},
		"large attributes":  obj{"user": "e", "from": "p1", "attributes": obj{"k0": strings.Repeat("x", 1023)}},
		"alias on a reject": obj{"user": "e", "from": "p1", "alias": "x", "verb": "reject"},
	} {
		verb := "accept"
		if m, ok := body.(obj); ok && m["verb"] != nil {
			verb = m["verb"].(string)
			delete(m, "verb")
		}
		if code, e := answer(verb, body); code != 400 || e.Error.Code != "bad_request" {
			t.Errorf("%s: HTTP %d %+v", name, code, e)
		}
	}
	if code := v1(t, core, base, demo, http.MethodGet, "/v1/requests/accept", nil, nil, &e); code != 405 {
		t.Errorf("GET accept: HTTP %d", code)
	}
	if after := core.LastSeq(); after != before {
		t.Errorf("bad input wrote to the stream: %d -> %d", before, after)
	}
	if theirs, _ := list(other, "e", "received", "all", nil); len(theirs.Requests) != 0 {
		t.Errorf("another app lists demo's requests: %+v", theirs)
	}
	var oe apiErr
	if code := v1(t, core, base, other, http.MethodPost, "/v1/requests/accept", nil, obj{"user": "e", "from": "p1"}, &oe); code != 404 {
		t.Errorf("another app accepts demo's request: HTTP %d %+v", code, oe)
	}
}
