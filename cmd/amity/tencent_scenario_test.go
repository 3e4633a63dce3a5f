package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

const (
	pAccountImport = "/v4/im_open_login_svc/account_import"
	pMultiImport   = "/v4/im_open_login_svc/multiaccount_import"
	pAccountCheck  = "/v4/im_open_login_svc/account_check"
	pAccountDelete = "/v4/im_open_login_svc/account_delete"
	pFriendAdd     = "/v4/sns/friend_add"
	pFriendImport  = "/v4/sns/friend_import"
	pFriendUpdate  = "/v4/sns/friend_update"
	pFriendDelete  = "/v4/sns/friend_delete"
	pFriendDelAll  = "/v4/sns/friend_delete_all"
	pFriendCheck   = "/v4/sns/friend_check"
	pFriendGet     = "/v4/sns/friend_get"
	pFriendGetList = "/v4/sns/friend_get_list"
	pGroupAdd      = "/v4/sns/group_add"
	pGroupDelete   = "/v4/sns/group_delete"
	pGroupGet      = "/v4/sns/group_get"
)

var allTencentPaths = []string{pAccountImport, pMultiImport, pAccountCheck, pAccountDelete, pFriendAdd, pFriendImport,
	pFriendUpdate, pFriendDelete, pFriendDelAll, pFriendCheck, pFriendGet, pFriendGetList, pGroupAdd, pGroupDelete, pGroupGet}

func check(tc *tcCaller, from, typ string, to ...string) map[string]string {
	tc.t.Helper()
	return tc.call(pFriendCheck, obj{"From_Account": from, "To_Account": to, "CheckType": typ}).relations()
}

// TestTencentScenario is one scenario, told in order: each step builds on the
// state the steps before it left, so it stays one function.
func TestTencentScenario(t *testing.T) {
	t.Parallel()
	s := startService(t, tencentConfig, "")
	tc := s.tencent(t, 1400000002, "tc-key")
	odd := "x.y*z>{|}"

	// Accounts.
	wantTC(t, "import alice", tc.call(pAccountImport, obj{"UserID": "alice", "Nick": "Alice", "FaceUrl": "https://img/alice"}), 0)
	wantTC(t, "import alice again", tc.call(pAccountImport, obj{"UserID": "alice", "Nick": "Alice A.", "FaceUrl": "https://img/alice"}), 0)
	invalid := withRequestGap(context.Background(), "invalid on purpose")
	wantTC(t, "import with the old key", tc.callCtx(withRequestGap(context.Background(), "Identifier: the key of old clients"), pAccountImport, obj{"Identifier": "legacy"}), 0)
	wantTC(t, "import long id", tc.callCtx(invalid, pAccountImport, obj{"UserID": strings.Repeat("u", 33)}), 70402)
	wantTC(t, "import long nick", tc.call(pAccountImport, obj{"UserID": "nick", "Nick": strings.Repeat("n", 501)}), 40601)
	r := tc.callCtx(invalid, pMultiImport, accounts("bob", "carol", "dave", "erin", odd, strings.Repeat("v", 33)))
	wantTC(t, "multi import", r, 0)
	if !slices.Equal(r.FailAccounts, []string{strings.Repeat("v", 33)}) {
		t.Errorf("multi import FailAccounts = %v", r.FailAccounts)
	}
	r = tc.callCtx(withRequestGap(context.Background(), "AccountList: the description knows only the Accounts form"),
		pMultiImport, obj{"AccountList": []obj{{"UserID": "fred", "Nick": "Fred", "FaceUrl": "https://img/fred"}}})
	wantTC(t, "multi import, AccountList form", r, 0)
	r = tc.call(pAccountCheck, obj{"CheckItem": []obj{{"UserID": "fred"}, {"UserID": "nobody"}}})
	if it := r.items(t); it["fred"].AccountStatus != "Imported" || it["nobody"].AccountStatus != "NotImported" {
		t.Errorf("account_check = %s", r.ResultItem)
	}
	r = tc.call(pAccountDelete, obj{"DeleteItem": []obj{{"UserID": "erin"}, {"UserID": "nobody"}}})
	wantItems(t, "account_delete", r, map[string]int{"erin": 0, "nobody": 70107})
	if it := tc.call(pAccountCheck, obj{"CheckItem": []obj{{"UserID": "erin"}}}).items(t); it["erin"].AccountStatus != "NotImported" {
		t.Errorf("erin after account_delete: %+v", it["erin"])
	}

	// Add both ways and one way; check all four results.
	r = tc.call(pFriendAdd, obj{"From_Account": "alice", "AddType": "Add_Type_Both", "ForceAddFlags": 1, "AddFriendItem": []obj{
		{"To_Account": "bob", "Remark": "Bobby", "GroupName": "Classmates", "AddSource": "AddSource_Type_Android", "AddWording": "hi"},
		{"To_Account": "carol", "AddSource": "AddSource_Type_Web"},
	}})
	wantTC(t, "add both", r, 0)
	wantItems(t, "add both", r, map[string]int{"bob": 0, "carol": 0})
	if r.Fail_Account != nil {
		t.Errorf("Fail_Account present with no failure: %v", r.Fail_Account)
	}
	wantItems(t, "add single", tc.call(pFriendAdd, obj{"From_Account": "alice", "AddType": "Add_Type_Single",
		"AddFriendItem": []obj{{"To_Account": "dave", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"dave": 0})
	if got := check(tc, "alice", "CheckResult_Type_Both", "bob", "dave", odd); got["bob"] != "CheckResult_Type_BothWay" ||
		got["dave"] != "CheckResult_Type_AWithB" || got[odd] != "CheckResult_Type_NoRelation" {
		t.Errorf("alice's both check = %v", got)
	}
	if got := check(tc, "dave", "CheckResult_Type_Both", "alice"); got["alice"] != "CheckResult_Type_BWithA" {
		t.Errorf("dave's both check of alice = %v", got)
	}
	if got := check(tc, "dave", "CheckResult_Type_Single", "alice"); got["alice"] != "CheckResult_Type_NoRelation" {
		t.Errorf("dave's single check of alice = %v", got)
	}

	// Per-item codes from real states.
	r = tc.call(pFriendAdd, obj{"From_Account": "alice", "AddFriendItem": []obj{
		{"To_Account": "bob", "AddSource": "AddSource_Type_Web"},
		{"To_Account": "nobody", "AddSource": "AddSource_Type_Web"},
		{"To_Account": "alice", "AddSource": "AddSource_Type_Web"},
		{"To_Account": "fred", "AddSource": "Web"},
		{"To_Account": "fred", "AddSource": "AddSource_Type_Web", "Remark": strings.Repeat("r", 97)},
		{"To_Account": "erin", "AddSource": "AddSource_Type_Web"},
	}})
	wantTC(t, "add failures", r, 0)
	wantItems(t, "add failures", r, map[string]int{"bob": 30001, "nobody": 30003, "alice": 30001, "fred": 30001, "erin": 30003})
	if len(r.Fail_Account) != 6 {
		t.Errorf("Fail_Account = %v, want all six", r.Fail_Account)
	}
	wantTC(t, "unknown From_Account", tc.call(pFriendAdd, obj{"From_Account": "nobody", "AddFriendItem": []obj{{"To_Account": "bob", "AddSource": "AddSource_Type_Web"}}}), 30003)
	wantTC(t, "bad AddType", tc.call(pFriendAdd, obj{"From_Account": "alice", "AddType": "Add_Type_Three", "AddFriendItem": []obj{{"To_Account": "bob", "AddSource": "AddSource_Type_Web"}}}), 30001)

	// Import keeps the given times and custom fields.
	addTime := time.Now().Add(-48 * time.Hour).Unix()
	r = tc.call(pFriendImport, obj{"From_Account": "alice", "AddFriendItem": []obj{{
		"To_Account": odd, "Remark": "odd one", "RemarkTime": addTime + 60, "GroupName": []string{"Imported", "Classmates"},
		"AddSource": "AddSource_Type_Import", "AddWording": "old friend", "AddTime": addTime,
		"CustomItem": []obj{{"Tag": "Tag_SNS_Custom_Note", "Value": "from the old system"}, {"Tag": "Tag_SNS_Custom_Level", "Value": "gold"}},
	}, {"To_Account": "fred", "AddSource": "AddSource_Type_Import", "CustomItem": []obj{{"Tag": "Tag_SNS_Custom_Undeclared", "Value": "x"}}}}})
	wantItems(t, "import", r, map[string]int{odd: 0, "fred": 30001})
	if got := check(tc, odd, "CheckResult_Type_Single", "alice"); got["alice"] != "CheckResult_Type_NoRelation" {
		t.Errorf("import is one-way, but %s has alice: %v", odd, got)
	}
	r = tc.callCtx(withRequestGap(context.Background(), "CustomItem integer value: the description types Value as string"),
		pFriendImport, obj{"From_Account": "bob", "AddFriendItem": []obj{{"To_Account": "carol", "AddSource": "AddSource_Type_Import",
			"CustomItem": []obj{{"Tag": "Tag_SNS_Custom_Level", "Value": 7}}}}})
	wantItems(t, "import an integer custom field", r, map[string]int{"carol": 0})

	// Update remark, groups and custom fields.
	wantItems(t, "update remark and note", tc.call(pFriendUpdate, obj{"From_Account": "alice", "UpdateItem": []obj{
		{"To_Account": "bob", "SnsItem": []obj{{"Tag": "Tag_SNS_IM_Remark", "Value": "Bob B."}, {"Tag": "Tag_SNS_Custom_Note", "Value": "met at school"}}},
		{"To_Account": "nobody", "SnsItem": []obj{{"Tag": "Tag_SNS_IM_Remark", "Value": "x"}}},
		{"To_Account": "fred", "SnsItem": []obj{{"Tag": "Tag_SNS_IM_Remark", "Value": "x"}}},
		{"To_Account": "carol", "SnsItem": []obj{{"Tag": "Tag_SNS_IM_AddSource", "Value": "x"}}},
	}}), map[string]int{"bob": 0, "nobody": 31704, "fred": 31704, "carol": 30001})
	wantItems(t, "update groups", tc.callCtx(withRequestGap(context.Background(), "Tag_SNS_IM_Group value: the description types Value as string"),
		pFriendUpdate, obj{"From_Account": "alice", "UpdateItem": []obj{
			{"To_Account": "bob", "SnsItem": []obj{{"Tag": "Tag_SNS_IM_Group", "Value": []string{"Classmates", "Climbing"}}, {"Tag": "Tag_SNS_Custom_Level", "Value": 3}}},
		}}), map[string]int{"bob": 0})

	// Groups.
	r = tc.call(pGroupAdd, obj{"From_Account": "alice", "GroupName": []string{"Work"}, "To_Account": []string{"dave", "fred"}})
	wantTC(t, "group_add", r, 0)
	wantItems(t, "group_add", r, map[string]int{"dave": 0, "fred": 31704})
	if r.CurrentSequence == 0 {
		t.Error("group_add CurrentSequence = 0")
	}
	groups := groupGet(t, tc, "alice")
	if want := map[string][]string{"Classmates": {"bob", odd}, "Climbing": {"bob"}, "Imported": {odd}, "Work": {"dave"}}; fmt.Sprint(groups) != fmt.Sprint(want) {
		t.Errorf("group_get = %v, want %v", groups, want)
	}
	wantTC(t, "group_delete missing", tc.call(pGroupDelete, obj{"From_Account": "alice", "GroupName": []string{"Nope"}}), 30001)
	wantTC(t, "group_delete", tc.call(pGroupDelete, obj{"From_Account": "alice", "GroupName": []string{"Climbing", "Work"}}), 0)
	if groups := groupGet(t, tc, "alice"); len(groups) != 2 || groups["Climbing"] != nil || groups["Work"] != nil {
		t.Errorf("group_get after delete = %v", groups)
	}
	var many []string
	for i := range 30 {
		many = append(many, fmt.Sprint("g", i))
	}
	wantTC(t, "up to 32 groups", tc.call(pGroupAdd, obj{"From_Account": "alice", "GroupName": many}), 0)
	wantTC(t, "the 33rd group", tc.call(pGroupAdd, obj{"From_Account": "alice", "GroupName": []string{"one too many"}}), 30011)
	wantItems(t, "add into a 33rd group", tc.call(pFriendAdd, obj{"From_Account": "alice", "AddType": "Add_Type_Single",
		"AddFriendItem": []obj{{"To_Account": "fred", "GroupName": "one too many", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"fred": 30011})

	// friend_get pages until CompleteFlag, with the sequences.
	var pals []string
	for i := range 150 {
		pals = append(pals, fmt.Sprintf("pal%03d", i))
	}
	for i := 0; i < len(pals); i += 100 {
		wantTC(t, "import pals", tc.call(pMultiImport, accounts(pals[i:min(len(pals), i+100)]...)), 0)
	}
	var items []obj
	for _, p := range pals {
		items = append(items, obj{"To_Account": p, "AddSource": "AddSource_Type_Bulk", "Remark": "pal " + p})
	}
	wantTC(t, "import 150 friends", tc.call(pFriendImport, obj{"From_Account": "fred", "AddFriendItem": items}), 0)
	var got []string
	start, pages := 0, 0
	var std, cust uint64
	for {
		page := tc.call(pFriendGet, obj{"From_Account": "fred", "StartIndex": start})
		pages++
		if page.FriendNum != 150 {
			t.Fatalf("FriendNum = %d, want 150", page.FriendNum)
		}
		for _, u := range page.UserDataItem {
			got = append(got, u.To_Account)
			if !hasTag(u.ValueItem, "Tag_SNS_IM_Remark", "pal "+u.To_Account) {
				t.Errorf("friend_get item %s = %v", u.To_Account, u.ValueItem)
			}
		}
		std, cust = page.StandardSequence, page.CustomSequence
		if page.CompleteFlag != 0 {
			break
		}
		start = page.NextStartIndex
	}
	if pages != 2 || !slices.Equal(got, pals) || std == 0 {
		t.Errorf("friend_get: %d pages, %d friends, StandardSequence %d; want 2, 150 in order, non-zero", pages, len(got), std)
	}
	page := tc.call(pFriendGet, obj{"From_Account": "fred", "StartIndex": 0, "StandardSequence": std, "CustomSequence": cust})
	if len(page.UserDataItem) != 100 || len(page.UserDataItem[0].ValueItem) != 0 {
		t.Errorf("friend_get with current sequences should omit the data: %d items, first %v", len(page.UserDataItem), page.UserDataItem[0].ValueItem)
	}
	page = tc.call(pFriendGet, obj{"From_Account": "alice", "StartIndex": 0})
	for _, u := range page.UserDataItem {
		if u.To_Account == odd && (!hasTag(u.ValueItem, "Tag_SNS_IM_AddTime", float64(addTime)) ||
			!hasTag(u.ValueItem, "Tag_SNS_Custom_Note", "from the old system") || !hasTag(u.ValueItem, "Tag_SNS_IM_RemarkTime", float64(addTime+60))) {
			t.Errorf("imported entry keeps its times and fields: %v", u.ValueItem)
		}
	}

	// friend_get_list with profile, standard and custom tags.
	r = tc.call(pFriendGetList, obj{"From_Account": "alice", "To_Account": []string{"bob", "fred"},
		"TagList": []string{"Tag_Profile_IM_Nick", "Tag_Profile_IM_Image", "Tag_SNS_IM_Remark", "Tag_SNS_Custom_Note", "Tag_Profile_IM_Gender"}})
	wantItems(t, "get_list", r, map[string]int{"bob": 0, "fred": 31211})
	if r.InfoItem[1].ResultInfo != "SNS_FRD_GET_LIST_FRD_NO_EXIST" || !slices.Equal(r.Fail_Account, []string{"fred"}) {
		t.Errorf("get_list of a non-friend: %+v, Fail_Account %v", r.InfoItem[1], r.Fail_Account)
	}
	r = tc.call(pFriendGetList, obj{"From_Account": "alice", "To_Account": []string{"alice"}, "TagList": []string{"Tag_SNS_IM_Remark"}})
	wantItems(t, "get_list of self", r, map[string]int{"alice": 31211})
	r = tc.call(pFriendGetList, obj{"From_Account": "bob", "To_Account": []string{"alice"}, "TagList": []string{"Tag_Profile_IM_Nick", "Tag_Profile_IM_Image"}})
	if p := r.InfoItem[0].SnsProfileItem; len(p) != 2 || p[0].Value != "Alice A." || p[1].Value != "https://img/alice" {
		t.Errorf("profile tags of alice = %+v", p)
	}
	r = tc.callCtx(withResponseGap(context.Background(), "SnsProfileItem integer and array values: the description types Value as string"),
		pFriendGetList, obj{"From_Account": "alice", "To_Account": []string{"bob"}, "TagList": []string{"Tag_SNS_IM_Group", "Tag_SNS_IM_AddTime", "Tag_SNS_Custom_Level", "Tag_SNS_IM_Remark"}})
	if p := r.InfoItem[0].SnsProfileItem; len(p) != 4 || fmt.Sprint(p[0].Value) != "[Classmates]" || p[2].Value != float64(3) || p[3].Value != "Bob B." {
		t.Errorf("bob's standard and custom tags = %+v", p)
	}
	wantTC(t, "unknown tag", tc.call(pFriendGetList, obj{"From_Account": "alice", "To_Account": []string{"bob"}, "TagList": []string{"Tag_SNS_Custom_Undeclared"}}), 30001)

	// The friend cap, both sides (app "small": 2 friends each).
	small := s.tencent(t, 1400000003, "small-key")
	wantTC(t, "small accounts", small.call(pMultiImport, accounts("a", "b", "c", "d", "e")), 0)
	wantItems(t, "fill a", small.call(pFriendAdd, obj{"From_Account": "a", "AddType": "Add_Type_Single", "AddFriendItem": []obj{
		{"To_Account": "b", "AddSource": "AddSource_Type_Web"}, {"To_Account": "c", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"b": 0, "c": 0})
	wantItems(t, "own list full", small.call(pFriendAdd, obj{"From_Account": "a", "AddType": "Add_Type_Single", "AddFriendItem": []obj{
		{"To_Account": "d", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"d": 30010})
	wantItems(t, "their list full", small.call(pFriendAdd, obj{"From_Account": "e", "AddFriendItem": []obj{
		{"To_Account": "a", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"a": 30014})
	wantItems(t, "import over the cap", small.call(pFriendImport, obj{"From_Account": "a", "AddFriendItem": []obj{
		{"To_Account": "e", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"e": 30010})

	// Deletes.
	wantItems(t, "delete single", tc.call(pFriendDelete, obj{"From_Account": "alice", "To_Account": []string{"dave", "nobody", "fred"}, "DeleteType": "Delete_Type_Single"}),
		map[string]int{"dave": 0, "nobody": 31704, "fred": 31704})
	wantItems(t, "delete both", tc.call(pFriendDelete, obj{"From_Account": "alice", "To_Account": []string{"bob"}, "DeleteType": "Delete_Type_Both"}), map[string]int{"bob": 0})
	if got := check(tc, "alice", "CheckResult_Type_Both", "bob", "dave", "carol"); got["bob"] != "CheckResult_Type_NoRelation" ||
		got["dave"] != "CheckResult_Type_NoRelation" || got["carol"] != "CheckResult_Type_BothWay" {
		t.Errorf("after deletes = %v", got)
	}
	wantTC(t, "bad DeleteType", tc.call(pFriendDelete, obj{"From_Account": "alice", "To_Account": []string{"carol"}, "DeleteType": "Delete_Type_All"}), 30001)
	wantTC(t, "delete all", tc.call(pFriendDelAll, obj{"From_Account": "alice"}), 0)
	if n := tc.call(pFriendGet, obj{"From_Account": "alice", "StartIndex": 0}).FriendNum; n != 0 {
		t.Errorf("alice has %d friends after friend_delete_all", n)
	}
	if got := check(tc, "carol", "CheckResult_Type_Both", "alice"); got["alice"] != "CheckResult_Type_AWithB" {
		t.Errorf("friend_delete_all defaults to one-way, but carol-alice = %v", got)
	}
	wantTC(t, "delete all, both", tc.call(pFriendDelAll, obj{"From_Account": "carol", "DeleteType": "Delete_Type_Both"}), 0)

	for _, p := range allTencentPaths {
		if tc.vt.seen[p]+small.vt.seen[p] == 0 {
			t.Errorf("no validated call of %s", p)
		}
	}
	t.Logf("calls whose one side the OpenAPI description cannot express: %v", keys(tc.vt.gaps))
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func hasTag(items []struct {
	Tag   string
	Value any
}, tag string, value any) bool {
	for _, it := range items {
		if it.Tag == tag && fmt.Sprint(it.Value) == fmt.Sprint(value) {
			return true
		}
	}
	return false
}

func groupGet(t *testing.T, tc *tcCaller, user string) map[string][]string {
	t.Helper()
	r := tc.call(pGroupGet, obj{"From_Account": user, "NeedFriend": "Need_Friend_Type_Yes"})
	var list []struct {
		GroupName    string
		FriendNumber int
		To_Account   []string //nolint:revive // the wire name
	}
	if err := json.Unmarshal(r.ResultItem, &list); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, g := range list {
		if g.FriendNumber != len(g.To_Account) {
			t.Errorf("group %s: FriendNumber %d, %d accounts", g.GroupName, g.FriendNumber, len(g.To_Account))
		}
		out[g.GroupName] = g.To_Account
	}
	return out
}
