package main

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/nats-io/nats.go/jetstream"
)

type fi = map[string]any // a FriendInfos item

func users(ids ...string) map[string]any {
	var infos []map[string]string
	for _, id := range ids {
		infos = append(infos, map[string]string{"UserId": id, "UserName": "name of " + id, "UserAvatar": "https://a/" + id})
	}
	return map[string]any{"UserInfo": infos}
}

func wantCode(t *testing.T, what string, r zimResp, code int) {
	t.Helper()
	if r.Code != code {
		t.Errorf("%s: Code = %d (%s), want %d", what, r.Code, r.Message, code)
	}
}

func wantSub(t *testing.T, what string, r zimResp, want map[string]int) {
	t.Helper()
	got := r.SubCodes()
	if len(got) != len(want) {
		t.Errorf("%s: failed items = %v, want %v", what, got, want)
		return
	}
	for id, code := range want {
		if got[id] != code {
			t.Errorf("%s: SubCode of %q = %d, want %d (all: %v)", what, id, got[id], code, got)
		}
	}
}

// TestZIMScenario is one scenario, told in order: each step builds on the
// state the steps before it left, so it stays one function.
func TestZIMScenario(t *testing.T) {
	t.Parallel()
	s := startService(t, testConfig, "")
	z := s.zim(t, 1234567, "demo-secret")
	odd := "x.y z>{|}" // IDs are data: '.', space, '>', '{', '|'

	// Users.
	wantCode(t, "register", z.post("UserRegister", users("alice", "bob", "carol", "dave", odd)), 0)
	r := z.post("UserRegister", users("alice", "erin"))
	wantCode(t, "register one existing", r, 0)
	wantSub(t, "register one existing", r, map[string]int{"alice": 660700002})
	wantCode(t, "register all existing", z.post("UserRegister", users("alice", "bob")), 660700002)
	r = z.post("UserRegister", map[string]any{"UserInfo": []fi{
		{"UserId": "fred", "UserName": strings.Repeat("n", 257)},
		{"UserId": "gina", "UserAvatar": strings.Repeat("a", 501)},
		{"UserId": strings.Repeat("h", 33)},
		{"UserId": "star*"},
	}})
	wantCode(t, "register invalid", r, 660700006)
	wantSub(t, "register invalid", r, map[string]int{"fred": 660700006, "gina": 660700007, strings.Repeat("h", 33): 660000012, "star*": 660000002})
	r = z.post("QueryUserInfos", map[string]any{"UserIds": []string{"alice", "nobody", odd}})
	wantCode(t, "query users", r, 0)
	wantSub(t, "query users", r, map[string]int{"nobody": 660700015})
	if len(r.Result) != 2 || r.Result[0].UserName != "name of alice" || r.Result[1].UserId != odd || r.Result[1].UserAvatar != "https://a/"+odd {
		t.Errorf("QueryUserInfos Result = %+v", r.Result)
	}

	// Add, check every relation code, delete one way.
	lowerKey := withRequestGap(context.Background(), "a key in lower case: taken, as encoding/json matches names without case; the description names Key")
	r = z.postCtx(lowerKey, "AddFriends", map[string]any{"FromUserId": "alice", "FriendInfos": []fi{
		{"UserId": "bob", "FriendAlias": "Bobby", "Wording": "hi bob", "Attributes": []fi{{"Key": "k0", "Value": "v0"}, {"key": "k1", "Value": "v1"}}},
		{"UserId": "carol"}, {"UserId": odd},
	}})
	wantCode(t, "add", r, 0)
	wantSub(t, "add", r, nil)
	r = z.post("CheckFriendsRelation", map[string]any{"FromUserId": "alice", "UserIds": []string{"bob", "dave"}, "CheckType": 0})
	if got := relations(r); got["bob"] != 6 || got["dave"] != 3 || len(r.Succ) != 2 {
		t.Errorf("two-way check after add = %v (Succ %v), want bob 6, dave 3", got, r.Succ)
	}
	r = z.post("CheckFriendsRelation", map[string]any{"FromUserId": "alice", "UserIds": []string{"bob", "dave"}, "CheckType": 1})
	if got := relations(r); got["bob"] != 2 || got["dave"] != 1 {
		t.Errorf("one-way check = %v, want bob 2, dave 1", got)
	}
	wantCode(t, "one-way delete", z.post("DeleteFriends", map[string]any{"FromUserId": "bob", "UserIds": []string{"alice"}, "DeleteType": 1}), 0)
	r = z.post("CheckFriendsRelation", map[string]any{"FromUserId": "alice", "UserIds": []string{"bob"}, "CheckType": 0})
	if got := relations(r); got["bob"] != 4 {
		t.Errorf("alice's two-way check of bob after bob's one-way delete = %v, want 4", got)
	}
	r = z.post("CheckFriendsRelation", map[string]any{"FromUserId": "bob", "UserIds": []string{"alice", "bad*id"}, "CheckType": 0})
	if got := relations(r); got["alice"] != 5 {
		t.Errorf("bob's two-way check of alice = %v, want 5", got)
	}
	wantSub(t, "check with a bad id", r, map[string]int{"bad*id": 660000002})

	// List with paging.
	page1 := z.get("QueryFriendList", url.Values{"FromUserId": {"alice"}, "Limit": {"2"}})
	page2 := z.get("QueryFriendList", url.Values{"FromUserId": {"alice"}, "Limit": {"2"}, "Next": {"2"}})
	if page1.TotalCount != 3 || page1.Next != 2 || len(page1.FriendInfos) != 2 || page2.Next != 0 || len(page2.FriendInfos) != 1 {
		t.Fatalf("pages = {total %d next %d n %d}, {next %d n %d}; want {3 2 2}, {0 1}",
			page1.TotalCount, page1.Next, len(page1.FriendInfos), page2.Next, len(page2.FriendInfos))
	}
	bob := page1.FriendInfos[0]
	if bob.UserId != "bob" || bob.FriendAlias != "Bobby" || bob.Wording != "hi bob" || bob.UserName != "name of bob" ||
		len(bob.Attributes) != 2 || bob.Attributes[1].Value != "v1" || time.Since(time.UnixMilli(bob.CreateTime)) > time.Minute {
		t.Errorf("alice's entry for bob = %+v", bob)
	}
	if page2.FriendInfos[0].UserId != odd {
		t.Errorf("last page holds %q, want %q", page2.FriendInfos[0].UserId, odd)
	}

	// Alias and attributes.
	r = z.post("UpdateFriendsAlias", map[string]any{"FromUserId": "alice", "UserIds": []fi{
		{"UserId": "bob", "FriendAlias": "B."}, {"UserId": "dave", "FriendAlias": "D"},
		{"UserId": "carol", "FriendAlias": strings.Repeat("é", 257)}, {"UserId": "alice"}, {"UserId": "bob"},
	}})
	wantCode(t, "alias", r, 0)
	wantSub(t, "alias", r, map[string]int{"dave": 660800034, "carol": 660800021, "alice": 660800033, "bob": 660800022})
	r = z.post("UpdateFriendAttributes", map[string]any{"FromUserId": "alice", "UserId": "bob", "Action": 0,
		"Attributes": []fi{{"Key": "k2", "Value": "v2"}, {"Key": "k9", "Value": "x"}, {"Key": "k2", "Value": "again"}}})
	wantCode(t, "attributes", r, 0)
	wantSub(t, "attributes", r, map[string]int{"k9": 660800023, "k2": 660800032})
	r = z.post("UpdateFriendAttributes", map[string]any{"FromUserId": "alice", "UserId": "bob",
		"Attributes": []fi{{"Key": "k3", "Value": strings.Repeat("v", 1020)}}})
	wantCode(t, "attributes over size", r, 660800024)
	wantSub(t, "attributes over size", r, map[string]int{"k3": 660800024})
	wantCode(t, "attributes of a non-friend", z.post("UpdateFriendAttributes", map[string]any{"FromUserId": "alice", "UserId": "dave",
		"Attributes": []fi{{"Key": "k0", "Value": "v"}}}), 660800034)
	page1 = z.get("QueryFriendList", url.Values{"FromUserId": {"alice"}, "Limit": {"1"}})
	if b := page1.FriendInfos[0]; b.FriendAlias != "B." || len(b.Attributes) != 3 || b.Attributes[2].Key != "k2" || b.Attributes[2].Value != "v2" {
		t.Errorf("bob after updates = %+v", b)
	}

	// Every AddFriends code from a real request.
	add := func(items ...fi) zimResp {
		t.Helper()
		return z.post("AddFriends", map[string]any{"FromUserId": "alice", "FriendInfos": items})
	}
	var many []fi
	for _, id := range ids("u", 21) {
		many = append(many, fi{"UserId": id})
	}
	wantCode(t, "21 targets", add(many...), 660800019)
	r = add(fi{"UserId": "alice"})
	wantCode(t, "self", r, 660800020)
	wantSub(t, "self", r, map[string]int{"alice": 660800020})
	r = add(fi{"UserId": "dave", "FriendAlias": strings.Repeat("a", 257)}, fi{"UserId": "erin", "Wording": strings.Repeat("w", 257)})
	wantCode(t, "long alias and wording", r, 660800021)
	wantSub(t, "long alias and wording", r, map[string]int{"dave": 660800021, "erin": 660800021})
	r = add(fi{"UserId": "dave", "Attributes": []fi{{"Key": "k5", "Value": "v"}}},
		fi{"UserId": "erin", "Attributes": []fi{{"Key": "k0", "Value": strings.Repeat("v", 1023)}}},
		fi{"UserId": "fred", "Attributes": []fi{{"Key": "k0", "Value": "1"}, {"Key": "k0", "Value": "2"}}})
	wantSub(t, "bad attributes", r, map[string]int{"dave": 660800023, "erin": 660800024, "fred": 660800032})
	r = add(fi{"UserId": "carol"})
	wantCode(t, "already friends", r, 660800027)
	wantSub(t, "already friends", r, map[string]int{"carol": 660800027})
	r = add(fi{"UserId": "nobody1"}, fi{"UserId": "nobody2"})
	wantCode(t, "none registered", r, 660800025)
	wantSub(t, "none registered", r, map[string]int{"nobody1": 660700015, "nobody2": 660700015})
	r = add(fi{"UserId": "dave"}, fi{"UserId": "dave"}, fi{"UserId": "nobody"}, fi{"UserId": "erin", "FriendTime": time.Now().Add(time.Hour).UnixMilli()},
		fi{"UserId": "bad*id"}, fi{"UserId": strings.Repeat("l", 33)})
	wantCode(t, "partial", r, 0)
	wantSub(t, "partial", r, map[string]int{"dave": 660800022, "nobody": 660700015, "erin": 660800046, "bad*id": 660000002, strings.Repeat("l", 33): 660000012})
	wantCode(t, "unregistered operator", z.post("AddFriends", map[string]any{"FromUserId": "nobody", "FriendInfos": []fi{{"UserId": "bob"}}}), 660500002)
	wantCode(t, "bad operator id", z.post("AddFriends", map[string]any{"FromUserId": "a*b", "FriendInfos": []fi{{"UserId": "bob"}}}), 660000002)
	wantCode(t, "long operator id", z.post("AddFriends", map[string]any{"FromUserId": strings.Repeat("o", 33), "FriendInfos": []fi{{"UserId": "bob"}}}), 660000012)
	migrated := time.Now().Add(-24 * time.Hour).UnixMilli()
	wantCode(t, "add with FriendTime", add(fi{"UserId": "erin", "FriendTime": migrated}), 0)

	// Deletes.
	del := func(typ int, targets ...string) zimResp {
		t.Helper()
		return z.post("DeleteFriends", map[string]any{"FromUserId": "alice", "UserIds": targets, "DeleteType": typ})
	}
	r = del(0, "alice")
	wantCode(t, "delete self", r, 660800033)
	r = del(1, "dave", "dave", "fred")
	wantCode(t, "delete partial", r, 0)
	wantSub(t, "delete partial", r, map[string]int{"dave": 660800022, "fred": 660800034})
	wantCode(t, "delete stranger", del(1, "fred"), 660800034)
	wantCode(t, "delete 21", del(1, ids("u", 21)...), 660800019)
	wantCode(t, "bad DeleteType", del(7, "bob"), 660000002)
	page1 = z.get("QueryFriendList", url.Values{"FromUserId": {"alice"}})
	if page1.TotalCount != 4 { // bob, carol, odd, erin
		t.Errorf("alice has %d friends before DeleteAllFriends, want 4", page1.TotalCount)
	}
	for _, f := range page1.FriendInfos {
		if f.UserId == "erin" && f.CreateTime != migrated {
			t.Errorf("erin's CreateTime = %d, want the given FriendTime %d", f.CreateTime, migrated)
		}
	}
	wantCode(t, "delete all", z.get("DeleteAllFriends", url.Values{"FromUserId": {"alice"}, "DeleteType": {"0"}}), 0)
	if n := z.get("QueryFriendList", url.Values{"FromUserId": {"alice"}}).TotalCount; n != 0 {
		t.Errorf("alice has %d friends after DeleteAllFriends, want 0", n)
	}
	r = z.post("CheckFriendsRelation", map[string]any{"FromUserId": "carol", "UserIds": []string{"alice"}, "CheckType": 0})
	if got := relations(r); got["alice"] != 3 {
		t.Errorf("carol-alice after two-way DeleteAllFriends = %v, want 3", got)
	}

	// Another app sees none of demo's data.
	other := s.zim(t, 7654321, "other-secret")
	wantCode(t, "other app reads demo's user", other.get("QueryFriendList", url.Values{"FromUserId": {"bob"}}), 660500002)

	// The stream holds readable JSON with the catalogued fields.
	checkStreamEvents(t, s, odd)
}

// checkStreamEvents reads every commit on the stream as plain JSON.
func checkStreamEvents(t *testing.T, s *service, odd string) {
	t.Helper()
	js := s.jetstream(t)
	ctx := context.Background()
	st, err := js.Stream(ctx, eventstore.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	last := s.streamLastSeq(t)
	types := map[string]int{}
	sawOdd := false
	for seq := uint64(1); seq <= last; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("GetMsg(%d): %v", seq, err)
		}
		var c struct {
			ID     string `json:"id"`
			App    string `json:"app"`
			Events []map[string]json.RawMessage
		}
		if err := json.Unmarshal(m.Data, &c); err != nil {
			t.Fatalf("message %d is not JSON: %v", seq, err)
		}
		if len(c.ID) != 26 || c.App != "demo" || len(c.Events) == 0 {
			t.Fatalf("commit %d = id %q app %q with %d events", seq, c.ID, c.App, len(c.Events))
		}
		if h := m.Header.Get(jetstreamMsgID); h != c.ID {
			t.Errorf("commit %d Nats-Msg-Id = %q, want the commit id %q", seq, h, c.ID)
		}
		for _, ev := range c.Events {
			for _, f := range []string{"id", "type", "version", "app", "time", "request_id", "surface", "data"} {
				if _, ok := ev[f]; !ok {
					t.Errorf("event in commit %d lacks %q: %s", seq, f, m.Data)
				}
			}
			var typ string
			_ = json.Unmarshal(ev["type"], &typ)
			types[typ]++
			if strings.Contains(string(ev["data"]), `"x.y z\u003e{|}"`) || strings.Contains(string(ev["data"]), `"x.y z>{|}"`) {
				sawOdd = true
			}
		}
	}
	for _, typ := range []string{"UserRegistered", "FriendAdded", "FriendDeleted", "FriendUpdated"} {
		if types[typ] == 0 {
			t.Errorf("no %s event on the stream (saw %v)", typ, types)
		}
	}
	if !sawOdd {
		t.Errorf("the raw id %q is not in any event payload", odd)
	}
}

const jetstreamMsgID = jetstream.MsgIDHeader
