package zim_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv/apitest"
)

type fi = map[string]any // a FriendInfos item

// other is an app beside demo, which must see none of its data.
var other = &zim.App{App: &domain.App{Name: "other", MaxBlocked: 2}, AppID: 7654321, ServerSecret: "other-secret", QPS: 1_000_000}

// TestZIMScenario is one scenario, told in order: each step builds on the
// state the steps before it left, so it stays one function.
func TestZIMScenario(t *testing.T) {
	t.Parallel()
	_, base := surface(t, demo, other)
	z := apitest.NewZIM(t, base, 1234567, "demo-secret")
	odd := "x.y z>{|}" // IDs are data: '.', space, '>', '{', '|'

	// Users.
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("alice", "bob", "carol", "dave", odd)), 0)
	r := z.Post("UserRegister", apitest.Users("alice", "erin"))
	apitest.WantCode(t, "register one existing", r, 0)
	apitest.WantSub(t, "register one existing", r, map[string]int{"alice": 660700002})
	apitest.WantCode(t, "register all existing", z.Post("UserRegister", apitest.Users("alice", "bob")), 660700002)
	r = z.Post("UserRegister", map[string]any{"UserInfo": []fi{
		{"UserId": "fred", "UserName": strings.Repeat("n", 257)},
		{"UserId": "gina", "UserAvatar": strings.Repeat("a", 501)},
		{"UserId": strings.Repeat("h", 33)},
		{"UserId": "star*"},
	}})
	apitest.WantCode(t, "register invalid", r, 660700006)
	apitest.WantSub(t, "register invalid", r, map[string]int{"fred": 660700006, "gina": 660700007, strings.Repeat("h", 33): 660000012, "star*": 660000002})
	r = z.Post("QueryUserInfos", map[string]any{"UserIds": []string{"alice", "nobody", odd}})
	apitest.WantCode(t, "query users", r, 0)
	apitest.WantSub(t, "query users", r, map[string]int{"nobody": 660700015})
	if len(r.Result) != 2 || r.Result[0].UserName != "name of alice" || r.Result[1].UserId != odd || r.Result[1].UserAvatar != "https://a/"+odd {
		t.Errorf("QueryUserInfos Result = %+v", r.Result)
	}

	// Add, check every relation code, delete one way.
	lowerKey := apitest.WithRequestGap(context.Background(), "a key in lower case: taken, as encoding/json matches names without case; the description names Key")
	r = z.PostCtx(lowerKey, "AddFriends", map[string]any{"FromUserId": "alice", "FriendInfos": []fi{
		{"UserId": "bob", "FriendAlias": "Bobby", "Wording": "hi bob", "Attributes": []fi{{"Key": "k0", "Value": "v0"}, {"key": "k1", "Value": "v1"}}},
		{"UserId": "carol"}, {"UserId": odd},
	}})
	apitest.WantCode(t, "add", r, 0)
	apitest.WantSub(t, "add", r, nil)
	r = z.Post("CheckFriendsRelation", map[string]any{"FromUserId": "alice", "UserIds": []string{"bob", "dave"}, "CheckType": 0})
	if got := apitest.Relations(r); got["bob"] != 6 || got["dave"] != 3 || len(r.Succ) != 2 {
		t.Errorf("two-way check after add = %v (Succ %v), want bob 6, dave 3", got, r.Succ)
	}
	r = z.Post("CheckFriendsRelation", map[string]any{"FromUserId": "alice", "UserIds": []string{"bob", "dave"}, "CheckType": 1})
	if got := apitest.Relations(r); got["bob"] != 2 || got["dave"] != 1 {
		t.Errorf("one-way check = %v, want bob 2, dave 1", got)
	}
	apitest.WantCode(t, "one-way delete", z.Post("DeleteFriends", map[string]any{"FromUserId": "bob", "UserIds": []string{"alice"}, "DeleteType": 1}), 0)
	r = z.Post("CheckFriendsRelation", map[string]any{"FromUserId": "alice", "UserIds": []string{"bob"}, "CheckType": 0})
	if got := apitest.Relations(r); got["bob"] != 4 {
		t.Errorf("alice's two-way check of bob after bob's one-way delete = %v, want 4", got)
	}
	r = z.Post("CheckFriendsRelation", map[string]any{"FromUserId": "bob", "UserIds": []string{"alice", "bad*id"}, "CheckType": 0})
	if got := apitest.Relations(r); got["alice"] != 5 {
		t.Errorf("bob's two-way check of alice = %v, want 5", got)
	}
	apitest.WantSub(t, "check with a bad id", r, map[string]int{"bad*id": 660000002})

	// List with paging.
	page1 := z.Get("QueryFriendList", url.Values{"FromUserId": {"alice"}, "Limit": {"2"}})
	page2 := z.Get("QueryFriendList", url.Values{"FromUserId": {"alice"}, "Limit": {"2"}, "Next": {"2"}})
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
	r = z.Post("UpdateFriendsAlias", map[string]any{"FromUserId": "alice", "UserIds": []fi{
		{"UserId": "bob", "FriendAlias": "B."}, {"UserId": "dave", "FriendAlias": "D"},
		{"UserId": "carol", "FriendAlias": strings.Repeat("é", 257)}, {"UserId": "alice"}, {"UserId": "bob"},
	}})
	apitest.WantCode(t, "alias", r, 0)
	apitest.WantSub(t, "alias", r, map[string]int{"dave": 660800034, "carol": 660800021, "alice": 660800033, "bob": 660800022})
	r = z.Post("UpdateFriendAttributes", map[string]any{"FromUserId": "alice", "UserId": "bob", "Action": 0,
		"Attributes": []fi{{"Key": "k2", "Value": "v2"}, {"Key": "k9", "Value": "x"}, {"Key": "k2", "Value": "again"}}})
	apitest.WantCode(t, "attributes", r, 0)
	apitest.WantSub(t, "attributes", r, map[string]int{"k9": 660800023, "k2": 660800032})
	r = z.Post("UpdateFriendAttributes", map[string]any{"FromUserId": "alice", "UserId": "bob",
		"Attributes": []fi{{"Key": "k3", "Value": strings.Repeat("v", 1020)}}})
	apitest.WantCode(t, "attributes over size", r, 660800024)
	apitest.WantSub(t, "attributes over size", r, map[string]int{"k3": 660800024})
	apitest.WantCode(t, "attributes of a non-friend", z.Post("UpdateFriendAttributes", map[string]any{"FromUserId": "alice", "UserId": "dave",
		"Attributes": []fi{{"Key": "k0", "Value": "v"}}}), 660800034)
	page1 = z.Get("QueryFriendList", url.Values{"FromUserId": {"alice"}, "Limit": {"1"}})
	if b := page1.FriendInfos[0]; b.FriendAlias != "B." || len(b.Attributes) != 3 || b.Attributes[2].Key != "k2" || b.Attributes[2].Value != "v2" {
		t.Errorf("bob after updates = %+v", b)
	}

	// Every AddFriends code from a real request.
	add := func(items ...fi) zim.Answer {
		t.Helper()
		return z.Post("AddFriends", map[string]any{"FromUserId": "alice", "FriendInfos": items})
	}
	var many []fi
	for _, id := range apitest.IDs("u", 21) {
		many = append(many, fi{"UserId": id})
	}
	apitest.WantCode(t, "21 targets", add(many...), 660800019)
	r = add(fi{"UserId": "alice"})
	apitest.WantCode(t, "self", r, 660800020)
	apitest.WantSub(t, "self", r, map[string]int{"alice": 660800020})
	r = add(fi{"UserId": "dave", "FriendAlias": strings.Repeat("a", 257)}, fi{"UserId": "erin", "Wording": strings.Repeat("w", 257)})
	apitest.WantCode(t, "long alias and wording", r, 660800021)
	apitest.WantSub(t, "long alias and wording", r, map[string]int{"dave": 660800021, "erin": 660800021})
	r = add(fi{"UserId": "dave", "Attributes": []fi{{"Key": "k5", "Value": "v"}}},
		fi{"UserId": "erin", "Attributes": []fi{{"Key": "k0", "Value": strings.Repeat("v", 1023)}}},
		fi{"UserId": "fred", "Attributes": []fi{{"Key": "k0", "Value": "1"}, {"Key": "k0", "Value": "2"}}})
	apitest.WantSub(t, "bad attributes", r, map[string]int{"dave": 660800023, "erin": 660800024, "fred": 660800032})
	r = add(fi{"UserId": "carol"})
	apitest.WantCode(t, "already friends", r, 660800027)
	apitest.WantSub(t, "already friends", r, map[string]int{"carol": 660800027})
	r = add(fi{"UserId": "nobody1"}, fi{"UserId": "nobody2"})
	apitest.WantCode(t, "none registered", r, 660800025)
	apitest.WantSub(t, "none registered", r, map[string]int{"nobody1": 660700015, "nobody2": 660700015})
	r = add(fi{"UserId": "dave"}, fi{"UserId": "dave"}, fi{"UserId": "nobody"}, fi{"UserId": "erin", "FriendTime": time.Now().Add(time.Hour).UnixMilli()},
		fi{"UserId": "bad*id"}, fi{"UserId": strings.Repeat("l", 33)})
	apitest.WantCode(t, "partial", r, 0)
	apitest.WantSub(t, "partial", r, map[string]int{"dave": 660800022, "nobody": 660700015, "erin": 660800046, "bad*id": 660000002, strings.Repeat("l", 33): 660000012})
	apitest.WantCode(t, "unregistered operator", z.Post("AddFriends", map[string]any{"FromUserId": "nobody", "FriendInfos": []fi{{"UserId": "bob"}}}), 660500002)
	apitest.WantCode(t, "bad operator id", z.Post("AddFriends", map[string]any{"FromUserId": "a*b", "FriendInfos": []fi{{"UserId": "bob"}}}), 660000002)
	apitest.WantCode(t, "long operator id", z.Post("AddFriends", map[string]any{"FromUserId": strings.Repeat("o", 33), "FriendInfos": []fi{{"UserId": "bob"}}}), 660000012)
	migrated := time.Now().Add(-24 * time.Hour).UnixMilli()
	apitest.WantCode(t, "add with FriendTime", add(fi{"UserId": "erin", "FriendTime": migrated}), 0)

	// Deletes.
	del := func(typ int, targets ...string) zim.Answer {
		t.Helper()
		return z.Post("DeleteFriends", map[string]any{"FromUserId": "alice", "UserIds": targets, "DeleteType": typ})
	}
	r = del(0, "alice")
	apitest.WantCode(t, "delete self", r, 660800033)
	r = del(1, "dave", "dave", "fred")
	apitest.WantCode(t, "delete partial", r, 0)
	apitest.WantSub(t, "delete partial", r, map[string]int{"dave": 660800022, "fred": 660800034})
	apitest.WantCode(t, "delete stranger", del(1, "fred"), 660800034)
	apitest.WantCode(t, "delete 21", del(1, apitest.IDs("u", 21)...), 660800019)
	apitest.WantCode(t, "bad DeleteType", del(7, "bob"), 660000002)
	page1 = z.Get("QueryFriendList", url.Values{"FromUserId": {"alice"}})
	if page1.TotalCount != 4 { // bob, carol, odd, erin
		t.Errorf("alice has %d friends before DeleteAllFriends, want 4", page1.TotalCount)
	}
	for _, f := range page1.FriendInfos {
		if f.UserId == "erin" && f.CreateTime != migrated {
			t.Errorf("erin's CreateTime = %d, want the given FriendTime %d", f.CreateTime, migrated)
		}
	}
	apitest.WantCode(t, "delete all", z.Get("DeleteAllFriends", url.Values{"FromUserId": {"alice"}, "DeleteType": {"0"}}), 0)
	if n := z.Get("QueryFriendList", url.Values{"FromUserId": {"alice"}}).TotalCount; n != 0 {
		t.Errorf("alice has %d friends after DeleteAllFriends, want 0", n)
	}
	r = z.Post("CheckFriendsRelation", map[string]any{"FromUserId": "carol", "UserIds": []string{"alice"}, "CheckType": 0})
	if got := apitest.Relations(r); got["alice"] != 3 {
		t.Errorf("carol-alice after two-way DeleteAllFriends = %v, want 3", got)
	}

	// Another app sees none of demo's data.
	o := apitest.NewZIM(t, base, 7654321, "other-secret")
	apitest.WantCode(t, "other app reads demo's user", o.Get("QueryFriendList", url.Values{"FromUserId": {"bob"}}), 660500002)
}
