package zim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/zim"
	"github.com/google/go-cmp/cmp"
)

func register(t *testing.T, z *zim.Client, ids ...string) {
	t.Helper()
	var infos []map[string]string
	for _, id := range ids {
		infos = append(infos, map[string]string{"UserId": id, "UserName": "name of " + id})
	}
	if r := call(t, z, http.MethodPost, "UserRegister", nil, map[string]any{"UserInfo": infos}); r.Code != 0 {
		t.Fatalf("register %v: %+v", ids, r)
	}
}

// TestBlocklist: ZIM's blocklist actions with their item codes, checks,
// pages and the app's cap; a block keeps the friendship, as on ZIM.
func TestBlocklist(t *testing.T) {
	capped := &zim.App{App: &domain.App{Name: "capped", MaxBlocked: 2}, AppID: 7654321, ServerSecret: "other-secret", QPS: 1_000_000}
	_, base := surface(t, demo, capped)
	z := &zim.Client{BaseURL: base, AppID: 1234567, Secret: "demo-secret"}
	register(t, z, "alice", "bob", "carol", "dave")
	if r := call(t, z, http.MethodPost, "AddFriends", nil, map[string]any{"FromUserId": "alice", "FriendInfos": []map[string]any{{"UserId": "bob"}}}); r.Code != 0 {
		t.Fatalf("friends: %+v", r)
	}
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprint("u", i)
	}
	type want struct {
		code int
		subs map[string]int
	}
	for _, step := range []struct {
		name, action, from string
		ids                []string
		want               want
	}{
		{"block, with self, a stranger and a bad id", "AddUsersToBlacklist", "alice", []string{"bob", "carol", "alice", "nobody", "bad*id"},
			want{0, map[string]int{"alice": 660800038, "nobody": 660700015, "bad*id": 660000002}}},
		{"block again", "AddUsersToBlacklist", "alice", []string{"bob"}, want{660800041, map[string]int{"bob": 660800037}}},
		{"an unregistered operator", "AddUsersToBlacklist", "nobody", []string{"bob"}, want{660800001, map[string]int{}}},
		{"21 targets", "AddUsersToBlacklist", "alice", many, want{660800039, map[string]int{}}},
		{"check with a stranger", "CheckUsersIsInBlacklist", "alice", []string{"bob", "dave", "nobody"}, want{0, map[string]int{"nobody": 660700015}}},
	} {
		r := call(t, z, http.MethodPost, step.action, nil, map[string]any{"FromUserId": step.from, "UserIds": step.ids})
		if r.Code != step.want.code || !cmp.Equal(r.SubCodes(), step.want.subs) {
			t.Errorf("%s: Code %d, items %v; want %d, %v", step.name, r.Code, r.SubCodes(), step.want.code, step.want.subs)
		}
		if len(r.ErrorList) != 0 {
			t.Errorf("%s: blocklist answers use ErrList, not ErrorList: %+v", step.name, r)
		}
	}
	r := call(t, z, http.MethodPost, "CheckFriendsRelation", nil, map[string]any{"FromUserId": "alice", "UserIds": []string{"bob"}, "CheckType": 0})
	if len(r.Successes) != 1 || r.Successes[0].Relation != 6 {
		t.Errorf("on ZIM a block keeps the friendship: %+v, want relation 6", r.Successes)
	}
	if r := call(t, z, http.MethodPost, "CheckUsersIsInBlacklist", nil, map[string]any{"FromUserId": "alice", "UserIds": []string{"bob", "dave"}}); len(r.Succ) != 2 || r.Succ[0].Result != 1 || r.Succ[1].Result != 0 {
		t.Errorf("alice blocks bob, not dave: %+v", r.Succ)
	}
	if r := call(t, z, http.MethodPost, "CheckUsersIsInBlacklist", nil, map[string]any{"FromUserId": "bob", "UserIds": []string{"alice"}}); len(r.Succ) != 1 || r.Succ[0].Result != 0 {
		t.Errorf("bob does not block alice: %+v", r.Succ)
	}

	page := call(t, z, http.MethodGet, "QueryBlacklist", url.Values{"FromUserId": {"alice"}, "Limit": {"1"}}, nil)
	if page.TotalCount != 2 || page.Next != 1 || len(page.Blacklist) != 1 || page.Blacklist[0].UserId != "bob" ||
		page.Blacklist[0].UserName != "name of bob" || time.Since(time.UnixMilli(page.Blacklist[0].UpdateTime)) > time.Minute {
		t.Errorf("QueryBlacklist page 1 = %+v", page)
	}
	page = call(t, z, http.MethodGet, "QueryBlacklist", url.Values{"FromUserId": {"alice"}, "Limit": {"1"}, "Next": {"1"}}, nil)
	if page.Next != 0 || len(page.Blacklist) != 1 || page.Blacklist[0].UserId != "carol" {
		t.Errorf("QueryBlacklist page 2 = %+v", page)
	}

	r = call(t, z, http.MethodPost, "RemoveUsersFromBlacklist", nil, map[string]any{"FromUserId": "alice", "UserIds": []string{"bob", "dave", "alice"}})
	if r.Code != 0 || !cmp.Equal(r.SubCodes(), map[string]int{"dave": 660800044, "alice": 660800038}) {
		t.Errorf("unblock: Code %d, items %v", r.Code, r.SubCodes())
	}
	r = call(t, z, http.MethodPost, "RemoveUsersFromBlacklist", nil, map[string]any{"FromUserId": "alice", "UserIds": []string{"bob"}})
	if r.Code != 660800042 || !cmp.Equal(r.SubCodes(), map[string]int{"bob": 660800043}) {
		t.Errorf("unblock again: Code %d, items %v", r.Code, r.SubCodes())
	}

	// The cap: 2 blocked per user in the capped app.
	o := &zim.Client{BaseURL: base, AppID: 7654321, Secret: "other-secret"}
	register(t, o, "a", "b", "c", "d")
	if r := call(t, o, http.MethodPost, "AddUsersToBlacklist", nil, map[string]any{"FromUserId": "a", "UserIds": []string{"b", "c"}}); r.Code != 0 {
		t.Errorf("fill: %+v", r)
	}
	r = call(t, o, http.MethodPost, "AddUsersToBlacklist", nil, map[string]any{"FromUserId": "a", "UserIds": []string{"d"}})
	if r.Code != 660800041 || !cmp.Equal(r.SubCodes(), map[string]int{"d": 660800040}) {
		t.Errorf("over the cap: Code %d, items %v", r.Code, r.SubCodes())
	}
}
