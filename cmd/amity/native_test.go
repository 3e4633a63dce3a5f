package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/projections"
	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go"
)

type nativeChange struct {
	Seq   uint64
	Event struct {
		ID        string
		Type      string
		RequestID string `json:"request_id"`
		Time      time.Time
		Data      map[string]any
	}
}

func (s *service) native(t *testing.T, path string, q url.Values, out any) int {
	t.Helper()
	signed := zim.SignedQuery("", 1234567, "demo-secret", fmt.Sprint(time.Now().UnixNano()), time.Now())
	for k, v := range q {
		signed[k] = v
	}
	return s.nativeRaw(t, path, signed, out)
}

func (s *service) nativeRaw(t *testing.T, path string, q url.Values, out any) int {
	t.Helper()
	resp, err := http.Get(s.httpURL + path + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

type friendsAsOf struct {
	AsOfSeq uint64 `json:"as_of_seq"`
	Friends []struct {
		UserID string `json:"user_id"`
		Alias  string `json:"alias"`
	}
}

func TestNativeHistoryAPI(t *testing.T) {
	s := startService(t, testConfig, "")
	z := s.zim(t, 1234567, "demo-secret")
	wantCode(t, "register", z.post("UserRegister", users("alice", "bob", "carol")), 0)
	var marks []uint64 // stream sequences after each step
	mark := func() { marks = append(marks, s.streamLastSeq(t)) }
	mark()
	wantCode(t, "add bob", z.post("AddFriends", obj{"FromUserId": "alice", "FriendInfos": []fi{{"UserId": "bob", "FriendAlias": "B"}}}), 0)
	mark()
	tMiddle := time.Now()
	time.Sleep(5 * time.Millisecond)
	wantCode(t, "add carol", z.post("AddFriends", obj{"FromUserId": "alice", "FriendInfos": []fi{{"UserId": "carol"}}}), 0)
	mark()
	wantCode(t, "alias", z.post("UpdateFriendsAlias", obj{"FromUserId": "alice", "UserIds": []fi{{"UserId": "bob", "FriendAlias": "Bobby"}}}), 0)
	mark()
	wantCode(t, "block", z.post("AddUsersToBlacklist", obj{"FromUserId": "bob", "UserIds": []string{"alice"}}), 0)
	mark()
	wantCode(t, "delete", z.post("DeleteFriends", obj{"FromUserId": "alice", "UserIds": []string{"bob"}, "DeleteType": 0}), 0)
	mark()

	// The history of a pair.
	var hist struct{ Events []nativeChange }
	if code := s.native(t, "/v1/pairs/history", url.Values{"user_a": {"bob"}, "user_b": {"alice"}}, &hist); code != 200 {
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
	nc, err := nats.Connect(s.natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	store, err := eventstore.Lookup(context.Background(), nc, eventstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, seq := range marks {
		var got friendsAsOf
		if code := s.native(t, "/v1/friends", url.Values{"user": {"alice"}, "as_of_seq": {strconv.FormatUint(seq, 10)}}, &got); code != 200 {
			t.Fatalf("as of %d: HTTP %d", seq, code)
		}
		m, _, err := projections.Replay(context.Background(), store, seq, nil, nil)
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
	s.native(t, "/v1/friends", url.Values{"user": {"alice"}, "as_of_time": {tMiddle.Format(time.RFC3339Nano)}}, &atTime)
	if len(atTime.Friends) != 1 || atTime.Friends[0].UserID != "bob" || atTime.Friends[0].Alias != "B" {
		t.Errorf("alice's friends as of a time between the adds = %+v", atTime.Friends)
	}

	// Incremental sync: changes after a sequence, paged.
	var ch struct {
		Next     uint64
		Complete bool
		Events   []nativeChange
	}
	s.native(t, "/v1/changes", url.Values{"user": {"alice"}, "since": {strconv.FormatUint(marks[1], 10)}, "limit": {"2"}}, &ch)
	if len(ch.Events) != 2 || ch.Complete || ch.Events[0].Event.Type != "FriendAdded" || ch.Events[1].Event.Type != "FriendUpdated" {
		t.Fatalf("changes page 1 = %+v", ch)
	}
	s.native(t, "/v1/changes", url.Values{"user": {"alice"}, "since": {strconv.FormatUint(ch.Next, 10)}}, &ch)
	if len(ch.Events) != 2 || !ch.Complete || ch.Events[0].Event.Type != "UserBlocked" || ch.Events[1].Event.Type != "FriendDeleted" || ch.Next != marks[len(marks)-1] {
		t.Errorf("changes page 2 = %+v", ch)
	}

	// Credentials are required, and bad input is a 400.
	var e struct{ Error struct{ Code string } }
	if code := s.nativeRaw(t, "/v1/changes", url.Values{"user": {"alice"}, "since": {"0"}}, &e); code != 401 || e.Error.Code != "unauthorized" {
		t.Errorf("no credentials: HTTP %d %+v", code, e)
	}
	bad := zim.SignedQuery("", 1234567, "wrong-secret", "n1", time.Now())
	bad.Set("user", "alice")
	bad.Set("since", "0")
	if code := s.nativeRaw(t, "/v1/changes", bad, &e); code != 401 {
		t.Errorf("bad signature: HTTP %d", code)
	}
	if code := s.native(t, "/v1/changes", url.Values{"user": {"alice"}, "since": {"x"}}, &e); code != 400 || e.Error.Code != "bad_request" {
		t.Errorf("bad since: HTTP %d %+v", code, e)
	}
	var other struct{ Events []nativeChange }
	otherQ := zim.SignedQuery("", 7654321, "other-secret", "n2", time.Now())
	otherQ.Set("user_a", "alice")
	otherQ.Set("user_b", "bob")
	if code := s.nativeRaw(t, "/v1/pairs/history", otherQ, &other); code != 200 || len(other.Events) != 0 {
		t.Errorf("another app's credentials read demo's history: HTTP %d, %d events", code, len(other.Events))
	}
}
