package native_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/zim"
)

// TestCallerErrorsAreClientErrors: what the caller got wrong is a 400
// naming the parameter, never a 500, and changes nothing: times and
// sequences a stream cannot hold, a body with something after its JSON,
// a body that is not UTF-8.
func TestCallerErrorsAreClientErrors(t *testing.T) {
	core, base := requestsServer(t)
	z := &zim.Client{BaseURL: base, AppID: demo.AppID, Secret: demo.ServerSecret, Now: core.Now}
	type obj = map[string]any
	call := func(action string, body any) {
		t.Helper()
		var a zim.Answer
		if err := z.Call(context.Background(), http.MethodPost, action, nil, body, &a); err != nil || a.Code != 0 {
			t.Fatalf("%s: %v %+v", action, err, a)
		}
	}
	call("UserRegister", obj{"UserInfo": []obj{{"UserId": "a"}, {"UserId": "b"}, {"UserId": "c"}}})
	call("AddFriends", obj{"FromUserId": "a", "FriendInfos": []obj{{"UserId": "c"}}})
	call("SendFriendApplication", obj{"FromUserId": "a", "FriendInfos": []obj{{"UserId": "b"}}})
	seq := core.LastSeq()

	for _, c := range []struct {
		name, path, param string
		q                 url.Values
	}{
		{"the largest int64 time", "/v1/friends", "as_of_time", url.Values{"user": {"a"}, "as_of_time": {"9223372036854775807"}}},
		{"the smallest int64 time", "/v1/friends", "as_of_time", url.Values{"user": {"a"}, "as_of_time": {"-9223372036854775808"}}},
		{"year 10000", "/v1/friends", "as_of_time", url.Values{"user": {"a"}, "as_of_time": {"253402300800000"}}},
		{"after 2262-04-11", "/v1/friends", "as_of_time", url.Values{"user": {"a"}, "as_of_time": {"2300-01-01T00:00:00Z"}}},
		{"before 1970", "/v1/friends", "as_of_time", url.Values{"user": {"a"}, "as_of_time": {"1969-12-31T23:59:59Z"}}},
		{"a sequence past int64", "/v1/friends", "as_of_seq", url.Values{"user": {"a"}, "as_of_seq": {"18446744073709551615"}}},
		{"since the largest uint64", "/v1/changes", "since", url.Values{"user": {"a"}, "since": {"18446744073709551615"}}},
		{"a user ID not UTF-8", "/v1/friends", "user", url.Values{"user": {"\xff"}}},
		{"a user ID with a control character", "/v1/changes", "user", url.Values{"user": {"a\x00"}, "since": {"0"}}},
	} {
		var e apiErr
		code := v1(t, core, base, demo, http.MethodGet, c.path, c.q, nil, &e)
		if code != http.StatusBadRequest || e.Error.Code != "bad_request" || !strings.Contains(e.Error.Message, c.param) {
			t.Errorf("%s: HTTP %d %+v, want 400 bad_request naming %s", c.name, code, e, c.param)
		}
	}
	for _, c := range []struct{ name, body string }{
		{"trailing data", `{"user":"b","from":"a"} GARBAGE`},
		{"two objects", `{"user":"b","from":"a"}{"user":"b","from":"a"}`},
		{"bad UTF-8 in the alias", "{\"user\":\"b\",\"from\":\"a\",\"alias\":\"\xff\xfe\"}"},
		{"bad UTF-8 in an attribute", "{\"user\":\"b\",\"from\":\"a\",\"attributes\":{\"k0\":\"\xc3\"}}"},
		{"a control character in an ID", `{"user":"b\u0007","from":"a"}`},
	} {
		var e apiErr
		code := v1(t, core, base, demo, http.MethodPost, "/v1/requests/accept", nil, c.body, &e)
		if code != http.StatusBadRequest || e.Error.Code != "bad_request" {
			t.Errorf("accept with %s: HTTP %d %+v, want 400 bad_request", c.name, code, e)
		}
	}
	if after := core.LastSeq(); after != seq {
		t.Errorf("refused calls wrote: stream at %d, was %d", after, seq)
	}
	// The request is still there to accept.
	var ok map[string]any
	if code := v1(t, core, base, demo, http.MethodPost, "/v1/requests/accept", nil, `{"user":"b","from":"a"}`, &ok); code != http.StatusOK {
		t.Errorf("the accept after the refused ones: HTTP %d %v", code, ok)
	}
}

// TestAnAcceptPastTheGroupCapIsAClientError: accepting a request whose
// entry would give the requester a 33rd friend group is 409 group_limit,
// not a 500 that no retry could mend.
func TestAnAcceptPastTheGroupCapIsAClientError(t *testing.T) {
	core, base := requestsServer(t)
	ctx := context.Background()
	groups := make([]string, domain.MaxFriendGroups)
	for i := range groups {
		groups[i] = fmt.Sprint("g", i)
	}
	confirm := domain.NeedConfirm
	for _, cmds := range [][]domain.Command{
		{domain.RegisterUser{User: "a"}, domain.RegisterUser{User: "b"}},
		{domain.AddFriendGroups{User: "a", Groups: groups}, domain.UpdateProfile{User: "b", AllowType: &confirm}},
		{domain.AddFriend{User: "a", Friend: "b", Consent: true, Entry: domain.Entry{Groups: []string{"one-more"}}}},
	} {
		for _, r := range core.Writer.Execute(ctx, demo.App, domain.Meta{}, cmds...) {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
		}
	}
	seq := core.LastSeq()
	var e apiErr
	if code := v1(t, core, base, demo, http.MethodPost, "/v1/requests/accept", nil, `{"user":"b","from":"a"}`, &e); code != http.StatusConflict || e.Error.Code != "group_limit" {
		t.Errorf("accept past the group cap: HTTP %d %+v, want 409 group_limit", code, e)
	}
	if core.LastSeq() != seq {
		t.Errorf("the refused accept wrote")
	}
}
