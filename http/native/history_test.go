package native_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/native"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/projections"
	"github.com/google/go-cmp/cmp"
)

var (
	demo  = &zim.App{App: &domain.App{Name: "demo"}, AppID: 1234567, ServerSecret: "demo-secret", QPS: 1_000_000}
	other = &zim.App{App: &domain.App{Name: "other"}, AppID: 7654321, ServerSecret: "other-secret", QPS: 1_000_000}
)

type change struct {
	Seq   uint64
	Event struct {
		ID        string
		Type      string
		RequestID string `json:"request_id"`
		Time      time.Time
	}
}

type friendsAsOf struct {
	AsOfSeq uint64 `json:"as_of_seq"`
	Friends []struct {
		UserID string `json:"user_id"`
		Alias  string `json:"alias"`
	}
}

// server serves ZIM at / and /v1 beside it on an in-memory core.
func server(t *testing.T) (*testenv.Core, string) {
	t.Helper()
	core := testenv.Start(t)
	zimSrv := zim.New(core.Deps(), demo, other)
	r := amityhttp.NewHandler(zimSrv.Routes(), native.Routes(native.Config{Now: time.Now, History: core.Store, Index: core.Model, ZIM: zimSrv}))
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return core, srv.URL
}

func get(t *testing.T, base, path string, q url.Values, out any) int {
	t.Helper()
	resp, err := http.Get(base + path + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// signed is a /v1 call of app demo, signed as ZIM signs.
func signed(t *testing.T, base, path string, q url.Values, out any) int {
	t.Helper()
	s := zim.SignedQuery("", 1234567, "demo-secret", fmt.Sprint(time.Now().UnixNano()), time.Now())
	for k, v := range q {
		s[k] = v
	}
	return get(t, base, path, s, out)
}

// TestHistoryAPI is one scenario, told in order: each step builds on the
// state the steps before it left, so it stays one function.
func TestHistoryAPI(t *testing.T) {
	core, base := server(t)
	z := &zim.Client{BaseURL: base, AppID: 1234567, Secret: "demo-secret"}
	do := func(action string, body any) {
		t.Helper()
		var r struct{ Code int }
		if err := z.Call(context.Background(), http.MethodPost, action, nil, body, &r); err != nil || r.Code != 0 {
			t.Fatalf("%s: Code %d, %v", action, r.Code, err)
		}
	}
	type obj = map[string]any
	do("UserRegister", obj{"UserInfo": []obj{{"UserId": "alice"}, {"UserId": "bob"}, {"UserId": "carol"}}})
	var marks []uint64 // stream sequences after each step
	mark := func() { marks = append(marks, core.LastSeq()) }
	mark()
	do("AddFriends", obj{"FromUserId": "alice", "FriendInfos": []obj{{"UserId": "bob", "FriendAlias": "B"}}})
	mark()
	tMiddle := time.Now()
	testenv.WaitFor(t, time.Second, "a later millisecond", func() bool { return time.Since(tMiddle) > 5*time.Millisecond })
	do("AddFriends", obj{"FromUserId": "alice", "FriendInfos": []obj{{"UserId": "carol"}}})
	mark()
	do("UpdateFriendsAlias", obj{"FromUserId": "alice", "UserIds": []obj{{"UserId": "bob", "FriendAlias": "Bobby"}}})
	mark()
	do("AddUsersToBlacklist", obj{"FromUserId": "bob", "UserIds": []string{"alice"}})
	mark()
	do("DeleteFriends", obj{"FromUserId": "alice", "UserIds": []string{"bob"}, "DeleteType": 0})
	mark()

	// The history of a pair.
	var hist struct{ Events []change }
	if code := signed(t, base, "/v1/pairs/history", url.Values{"user_a": {"bob"}, "user_b": {"alice"}}, &hist); code != 200 {
		t.Fatalf("history: HTTP %d", code)
	}
	var types []string
	for _, c := range hist.Events {
		types = append(types, c.Event.Type)
		if c.Event.RequestID == "" || c.Event.ID == "" || c.Seq == 0 || c.Event.Time.IsZero() {
			t.Errorf("history entry lacks its time, event id or request: %+v", c)
		}
	}
	if want := []string{"FriendAdded", "FriendUpdated", "UserBlocked", "FriendDeleted"}; fmt.Sprint(types) != fmt.Sprint(want) {
		t.Errorf("history of alice-bob = %v, want %v", types, want)
	}

	// As-of answers agree with a replay stopped at the same sequence.
	for _, seq := range marks {
		var got friendsAsOf
		if code := signed(t, base, "/v1/friends", url.Values{"user": {"alice"}, "as_of_seq": {strconv.FormatUint(seq, 10)}}, &got); code != 200 {
			t.Fatalf("as of %d: HTTP %d", seq, code)
		}
		m, _, err := projections.Replay(context.Background(), core.Store, seq, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := m.Friends("demo", "alice", 0, 100)
		var want, have []string
		for _, f := range page {
			want = append(want, f.ID+"="+f.Alias)
		}
		for _, f := range got.Friends {
			have = append(have, f.UserID+"="+f.Alias)
		}
		if diff := cmp.Diff(want, have); diff != "" || got.AsOfSeq != seq {
			t.Errorf("alice's friends as of %d (answered as of %d) differ from a replay to it (-replay +api):\n%s", seq, got.AsOfSeq, diff)
		}
	}
	var atTime friendsAsOf
	signed(t, base, "/v1/friends", url.Values{"user": {"alice"}, "as_of_time": {tMiddle.Format(time.RFC3339Nano)}}, &atTime)
	if len(atTime.Friends) != 1 || atTime.Friends[0].UserID != "bob" || atTime.Friends[0].Alias != "B" {
		t.Errorf("alice's friends as of a time between the adds = %+v", atTime.Friends)
	}
	// as_of_seq names the last commit at or before the time: a client
	// continues from it with /v1/changes.
	if atTime.AsOfSeq != marks[1] {
		t.Errorf("as of a time between the adds: as_of_seq %d, want %d (the first add)", atTime.AsOfSeq, marks[1])
	}
	var before friendsAsOf
	signed(t, base, "/v1/friends", url.Values{"user": {"alice"}, "as_of_time": {"2020-01-01T00:00:00Z"}}, &before)
	if before.AsOfSeq != 0 || len(before.Friends) != 0 {
		t.Errorf("as of 2020: as_of_seq %d and %d friends, want 0 and none", before.AsOfSeq, len(before.Friends))
	}

	// Incremental sync: changes after a sequence, paged.
	var ch struct {
		Next     uint64
		Complete bool
		Events   []change
	}
	signed(t, base, "/v1/changes", url.Values{"user": {"alice"}, "since": {strconv.FormatUint(marks[1], 10)}, "limit": {"2"}}, &ch)
	if len(ch.Events) != 2 || ch.Complete || ch.Events[0].Event.Type != "FriendAdded" || ch.Events[1].Event.Type != "FriendUpdated" {
		t.Fatalf("changes page 1 = %+v", ch)
	}
	signed(t, base, "/v1/changes", url.Values{"user": {"alice"}, "since": {strconv.FormatUint(ch.Next, 10)}}, &ch)
	if len(ch.Events) != 2 || !ch.Complete || ch.Events[0].Event.Type != "UserBlocked" || ch.Events[1].Event.Type != "FriendDeleted" || ch.Next != marks[len(marks)-1] {
		t.Errorf("changes page 2 = %+v", ch)
	}

	// Credentials are required, bad input is a 400, and one app's
	// credentials read nothing of another's.
	var e struct{ Error struct{ Code string } }
	if code := get(t, base, "/v1/changes", url.Values{"user": {"alice"}, "since": {"0"}}, &e); code != 401 || e.Error.Code != "unauthorized" {
		t.Errorf("no credentials: HTTP %d %+v", code, e)
	}
	bad := zim.SignedQuery("", 1234567, "wrong-secret", "n1", time.Now())
	bad.Set("user", "alice")
	bad.Set("since", "0")
	if code := get(t, base, "/v1/changes", bad, &e); code != 401 {
		t.Errorf("bad signature: HTTP %d", code)
	}
	for name, q := range map[string]url.Values{
		"bad since":      {"user": {"alice"}, "since": {"x"}},
		"no user":        {"since": {"0"}},
		"a long user ID": {"user": {"0123456789012345678901234567890123"}, "since": {"0"}},
	} {
		if code := signed(t, base, "/v1/changes", q, &e); code != 400 || e.Error.Code != "bad_request" {
			t.Errorf("%s: HTTP %d %+v", name, code, e)
		}
	}
	var others struct{ Events []change }
	otherQ := zim.SignedQuery("", 7654321, "other-secret", "n2", time.Now())
	otherQ.Set("user_a", "alice")
	otherQ.Set("user_b", "bob")
	if code := get(t, base, "/v1/pairs/history", otherQ, &others); code != 200 || len(others.Events) != 0 {
		t.Errorf("another app's credentials read demo's history: HTTP %d, %d events", code, len(others.Events))
	}
}
