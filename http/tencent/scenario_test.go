package tencent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/internal/testenv/apitest"
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

// TestTencentScenario is one scenario, told in order: each step builds on the
// state the steps before it left, so it stays one function.
func TestTencentScenario(t *testing.T) {
	t.Parallel()
	base := serveBoth(t)
	tc := apitest.NewTencent(t, base, 1400000002, "tc-key")
	odd := "x.y*z>{|}"

	// Accounts.
	apitest.WantTC(t, "import alice", tc.Call(pAccountImport, apitest.Obj{"UserID": "alice", "Nick": "Alice", "FaceUrl": "https://img/alice"}), 0)
	apitest.WantTC(t, "import alice again", tc.Call(pAccountImport, apitest.Obj{"UserID": "alice", "Nick": "Alice A.", "FaceUrl": "https://img/alice"}), 0)
	invalid := apitest.WithRequestGap(context.Background(), "invalid on purpose")
	apitest.WantTC(t, "import with the old key", tc.CallCtx(apitest.WithRequestGap(context.Background(), "Identifier: the key of old clients"), pAccountImport, apitest.Obj{"Identifier": "legacy"}), 0)
	apitest.WantTC(t, "import long id", tc.CallCtx(invalid, pAccountImport, apitest.Obj{"UserID": strings.Repeat("u", 33)}), 70402)
	apitest.WantTC(t, "import long nick", tc.Call(pAccountImport, apitest.Obj{"UserID": "nick", "Nick": strings.Repeat("n", 501)}), 40601)
	r := tc.CallCtx(invalid, pMultiImport, apitest.Accounts("bob", "carol", "dave", "erin", odd, strings.Repeat("v", 33)))
	apitest.WantTC(t, "multi import", r, 0)
	if !slices.Equal(r.FailAccounts, []string{strings.Repeat("v", 33)}) {
		t.Errorf("multi import FailAccounts = %v", r.FailAccounts)
	}
	r = tc.CallCtx(apitest.WithRequestGap(context.Background(), "AccountList: the description knows only the Accounts form"),
		pMultiImport, apitest.Obj{"AccountList": []apitest.Obj{{"UserID": "fred", "Nick": "Fred", "FaceUrl": "https://img/fred"}}})
	apitest.WantTC(t, "multi import, AccountList form", r, 0)
	r = tc.Call(pAccountCheck, apitest.Obj{"CheckItem": []apitest.Obj{{"UserID": "fred"}, {"UserID": "nobody"}}})
	if it := r.Items(t); it["fred"].AccountStatus != "Imported" || it["nobody"].AccountStatus != "NotImported" {
		t.Errorf("account_check = %s", r.ResultItem)
	}
	r = tc.Call(pAccountDelete, apitest.Obj{"DeleteItem": []apitest.Obj{{"UserID": "erin"}, {"UserID": "nobody"}}})
	apitest.WantItems(t, "account_delete", r, map[string]int{"erin": 0, "nobody": 70107})
	if it := tc.Call(pAccountCheck, apitest.Obj{"CheckItem": []apitest.Obj{{"UserID": "erin"}}}).Items(t); it["erin"].AccountStatus != "NotImported" {
		t.Errorf("erin after account_delete: %+v", it["erin"])
	}

	// Add both ways and one way; check all four results.
	r = tc.Call(pFriendAdd, apitest.Obj{"From_Account": "alice", "AddType": "Add_Type_Both", "ForceAddFlags": 1, "AddFriendItem": []apitest.Obj{
		{"To_Account": "bob", "Remark": "Bobby", "GroupName": "Classmates", "AddSource": "AddSource_Type_Android", "AddWording": "hi"},
		{"To_Account": "carol", "AddSource": "AddSource_Type_Web"},
	}})
	apitest.WantTC(t, "add both", r, 0)
	apitest.WantItems(t, "add both", r, map[string]int{"bob": 0, "carol": 0})
	if r.Fail_Account != nil {
		t.Errorf("Fail_Account present with no failure: %v", r.Fail_Account)
	}
	apitest.WantItems(t, "add single", tc.Call(pFriendAdd, apitest.Obj{"From_Account": "alice", "AddType": "Add_Type_Single",
		"AddFriendItem": []apitest.Obj{{"To_Account": "dave", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"dave": 0})
	if got := tc.Check("alice", "CheckResult_Type_Both", "bob", "dave", odd); got["bob"] != "CheckResult_Type_BothWay" ||
		got["dave"] != "CheckResult_Type_AWithB" || got[odd] != "CheckResult_Type_NoRelation" {
		t.Errorf("alice's both check = %v", got)
	}
	if got := tc.Check("dave", "CheckResult_Type_Both", "alice"); got["alice"] != "CheckResult_Type_BWithA" {
		t.Errorf("dave's both check of alice = %v", got)
	}
	if got := tc.Check("dave", "CheckResult_Type_Single", "alice"); got["alice"] != "CheckResult_Type_NoRelation" {
		t.Errorf("dave's single check of alice = %v", got)
	}

	// Per-item codes from real states.
	r = tc.Call(pFriendAdd, apitest.Obj{"From_Account": "alice", "AddFriendItem": []apitest.Obj{
		{"To_Account": "bob", "AddSource": "AddSource_Type_Web"},
		{"To_Account": "nobody", "AddSource": "AddSource_Type_Web"},
		{"To_Account": "alice", "AddSource": "AddSource_Type_Web"},
		{"To_Account": "fred", "AddSource": "Web"},
		{"To_Account": "fred", "AddSource": "AddSource_Type_Web", "Remark": strings.Repeat("r", 97)},
		{"To_Account": "erin", "AddSource": "AddSource_Type_Web"},
	}})
	apitest.WantTC(t, "add failures", r, 0)
	apitest.WantItems(t, "add failures", r, map[string]int{"bob": 30001, "nobody": 30003, "alice": 30001, "fred": 30001, "erin": 30003})
	if len(r.Fail_Account) != 6 {
		t.Errorf("Fail_Account = %v, want all six", r.Fail_Account)
	}
	apitest.WantTC(t, "unknown From_Account", tc.Call(pFriendAdd, apitest.Obj{"From_Account": "nobody", "AddFriendItem": []apitest.Obj{{"To_Account": "bob", "AddSource": "AddSource_Type_Web"}}}), 30003)
	apitest.WantTC(t, "bad AddType", tc.Call(pFriendAdd, apitest.Obj{"From_Account": "alice", "AddType": "Add_Type_Three", "AddFriendItem": []apitest.Obj{{"To_Account": "bob", "AddSource": "AddSource_Type_Web"}}}), 30001)

	// Import keeps the given times and custom fields.
	addTime := time.Now().Add(-48 * time.Hour).Unix()
	r = tc.Call(pFriendImport, apitest.Obj{"From_Account": "alice", "AddFriendItem": []apitest.Obj{{
		"To_Account": odd, "Remark": "odd one", "RemarkTime": addTime + 60, "GroupName": []string{"Imported", "Classmates"},
		"AddSource": "AddSource_Type_Import", "AddWording": "old friend", "AddTime": addTime,
		"CustomItem": []apitest.Obj{{"Tag": "Tag_SNS_Custom_Note", "Value": "from the old system"}, {"Tag": "Tag_SNS_Custom_Level", "Value": "gold"}},
	}, {"To_Account": "fred", "AddSource": "AddSource_Type_Import", "CustomItem": []apitest.Obj{{"Tag": "Tag_SNS_Custom_Undeclared", "Value": "x"}}}}})
	apitest.WantItems(t, "import", r, map[string]int{odd: 0, "fred": 30001})
	if got := tc.Check(odd, "CheckResult_Type_Single", "alice"); got["alice"] != "CheckResult_Type_NoRelation" {
		t.Errorf("import is one-way, but %s has alice: %v", odd, got)
	}
	r = tc.CallCtx(apitest.WithRequestGap(context.Background(), "CustomItem integer value: the description types Value as string"),
		pFriendImport, apitest.Obj{"From_Account": "bob", "AddFriendItem": []apitest.Obj{{"To_Account": "carol", "AddSource": "AddSource_Type_Import",
			"CustomItem": []apitest.Obj{{"Tag": "Tag_SNS_Custom_Level", "Value": 7}}}}})
	apitest.WantItems(t, "import an integer custom field", r, map[string]int{"carol": 0})

	// Update remark, groups and custom fields.
	apitest.WantItems(t, "update remark and note", tc.Call(pFriendUpdate, apitest.Obj{"From_Account": "alice", "UpdateItem": []apitest.Obj{
		{"To_Account": "bob", "SnsItem": []apitest.Obj{{"Tag": "Tag_SNS_IM_Remark", "Value": "Bob B."}, {"Tag": "Tag_SNS_Custom_Note", "Value": "met at school"}}},
		{"To_Account": "nobody", "SnsItem": []apitest.Obj{{"Tag": "Tag_SNS_IM_Remark", "Value": "x"}}},
		{"To_Account": "fred", "SnsItem": []apitest.Obj{{"Tag": "Tag_SNS_IM_Remark", "Value": "x"}}},
		{"To_Account": "carol", "SnsItem": []apitest.Obj{{"Tag": "Tag_SNS_IM_AddSource", "Value": "x"}}},
	}}), map[string]int{"bob": 0, "nobody": 31704, "fred": 31704, "carol": 30001})
	apitest.WantItems(t, "update groups", tc.CallCtx(apitest.WithRequestGap(context.Background(), "Tag_SNS_IM_Group value: the description types Value as string"),
		pFriendUpdate, apitest.Obj{"From_Account": "alice", "UpdateItem": []apitest.Obj{
			{"To_Account": "bob", "SnsItem": []apitest.Obj{{"Tag": "Tag_SNS_IM_Group", "Value": []string{"Classmates", "Climbing"}}, {"Tag": "Tag_SNS_Custom_Level", "Value": 3}}},
		}}), map[string]int{"bob": 0})

	// Groups.
	r = tc.Call(pGroupAdd, apitest.Obj{"From_Account": "alice", "GroupName": []string{"Work"}, "To_Account": []string{"dave", "fred"}})
	apitest.WantTC(t, "group_add", r, 0)
	apitest.WantItems(t, "group_add", r, map[string]int{"dave": 0, "fred": 31704})
	if r.CurrentSequence == 0 {
		t.Error("group_add CurrentSequence = 0")
	}
	groups := groupGet(t, tc, "alice")
	if want := map[string][]string{"Classmates": {"bob", odd}, "Climbing": {"bob"}, "Imported": {odd}, "Work": {"dave"}}; fmt.Sprint(groups) != fmt.Sprint(want) {
		t.Errorf("group_get = %v, want %v", groups, want)
	}
	apitest.WantTC(t, "group_delete missing", tc.Call(pGroupDelete, apitest.Obj{"From_Account": "alice", "GroupName": []string{"Nope"}}), 30001)
	apitest.WantTC(t, "group_delete", tc.Call(pGroupDelete, apitest.Obj{"From_Account": "alice", "GroupName": []string{"Climbing", "Work"}}), 0)
	if groups := groupGet(t, tc, "alice"); len(groups) != 2 || groups["Climbing"] != nil || groups["Work"] != nil {
		t.Errorf("group_get after delete = %v", groups)
	}
	var many []string
	for i := range 30 {
		many = append(many, fmt.Sprint("g", i))
	}
	apitest.WantTC(t, "up to 32 groups", tc.Call(pGroupAdd, apitest.Obj{"From_Account": "alice", "GroupName": many}), 0)
	apitest.WantTC(t, "the 33rd group", tc.Call(pGroupAdd, apitest.Obj{"From_Account": "alice", "GroupName": []string{"one too many"}}), 30011)
	apitest.WantItems(t, "add into a 33rd group", tc.Call(pFriendAdd, apitest.Obj{"From_Account": "alice", "AddType": "Add_Type_Single",
		"AddFriendItem": []apitest.Obj{{"To_Account": "fred", "GroupName": "one too many", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"fred": 30011})

	// friend_get pages until CompleteFlag, with the sequences.
	var pals []string
	for i := range 150 {
		pals = append(pals, fmt.Sprintf("pal%03d", i))
	}
	for i := 0; i < len(pals); i += 100 {
		apitest.WantTC(t, "import pals", tc.Call(pMultiImport, apitest.Accounts(pals[i:min(len(pals), i+100)]...)), 0)
	}
	var items []apitest.Obj
	for _, p := range pals {
		items = append(items, apitest.Obj{"To_Account": p, "AddSource": "AddSource_Type_Bulk", "Remark": "pal " + p})
	}
	apitest.WantTC(t, "import 150 friends", tc.Call(pFriendImport, apitest.Obj{"From_Account": "fred", "AddFriendItem": items}), 0)
	var got []string
	start, pages := 0, 0
	var std, cust uint64
	for {
		page := tc.Call(pFriendGet, apitest.Obj{"From_Account": "fred", "StartIndex": start})
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
	page := tc.Call(pFriendGet, apitest.Obj{"From_Account": "fred", "StartIndex": 0, "StandardSequence": std, "CustomSequence": cust})
	if len(page.UserDataItem) != 100 || len(page.UserDataItem[0].ValueItem) != 0 {
		t.Errorf("friend_get with current sequences should omit the data: %d items, first %v", len(page.UserDataItem), page.UserDataItem[0].ValueItem)
	}
	page = tc.Call(pFriendGet, apitest.Obj{"From_Account": "alice", "StartIndex": 0})
	for _, u := range page.UserDataItem {
		if u.To_Account == odd && (!hasTag(u.ValueItem, "Tag_SNS_IM_AddTime", float64(addTime)) ||
			!hasTag(u.ValueItem, "Tag_SNS_Custom_Note", "from the old system") || !hasTag(u.ValueItem, "Tag_SNS_IM_RemarkTime", float64(addTime+60))) {
			t.Errorf("imported entry keeps its times and fields: %v", u.ValueItem)
		}
	}

	// friend_get_list with profile, standard and custom tags.
	r = tc.Call(pFriendGetList, apitest.Obj{"From_Account": "alice", "To_Account": []string{"bob", "fred"},
		"TagList": []string{"Tag_Profile_IM_Nick", "Tag_Profile_IM_Image", "Tag_SNS_IM_Remark", "Tag_SNS_Custom_Note", "Tag_Profile_IM_Gender"}})
	apitest.WantItems(t, "get_list", r, map[string]int{"bob": 0, "fred": 31211})
	if r.InfoItem[1].ResultInfo != "SNS_FRD_GET_LIST_FRD_NO_EXIST" || !slices.Equal(r.Fail_Account, []string{"fred"}) {
		t.Errorf("get_list of a non-friend: %+v, Fail_Account %v", r.InfoItem[1], r.Fail_Account)
	}
	r = tc.Call(pFriendGetList, apitest.Obj{"From_Account": "alice", "To_Account": []string{"alice"}, "TagList": []string{"Tag_SNS_IM_Remark"}})
	apitest.WantItems(t, "get_list of self", r, map[string]int{"alice": 31211})
	r = tc.Call(pFriendGetList, apitest.Obj{"From_Account": "bob", "To_Account": []string{"alice"}, "TagList": []string{"Tag_Profile_IM_Nick", "Tag_Profile_IM_Image"}})
	if p := r.InfoItem[0].SnsProfileItem; len(p) != 2 || p[0].Value != "Alice A." || p[1].Value != "https://img/alice" {
		t.Errorf("profile tags of alice = %+v", p)
	}
	r = tc.CallCtx(apitest.WithResponseGap(context.Background(), "SnsProfileItem integer and array values: the description types Value as string"),
		pFriendGetList, apitest.Obj{"From_Account": "alice", "To_Account": []string{"bob"}, "TagList": []string{"Tag_SNS_IM_Group", "Tag_SNS_IM_AddTime", "Tag_SNS_Custom_Level", "Tag_SNS_IM_Remark"}})
	if p := r.InfoItem[0].SnsProfileItem; len(p) != 4 || fmt.Sprint(p[0].Value) != "[Classmates]" || p[2].Value != float64(3) || p[3].Value != "Bob B." {
		t.Errorf("bob's standard and custom tags = %+v", p)
	}
	apitest.WantTC(t, "unknown tag", tc.Call(pFriendGetList, apitest.Obj{"From_Account": "alice", "To_Account": []string{"bob"}, "TagList": []string{"Tag_SNS_Custom_Undeclared"}}), 30001)

	// The friend cap, both sides (app "small": 2 friends each).
	small := apitest.NewTencent(t, base, 1400000003, "small-key")
	apitest.WantTC(t, "small accounts", small.Call(pMultiImport, apitest.Accounts("a", "b", "c", "d", "e")), 0)
	apitest.WantItems(t, "fill a", small.Call(pFriendAdd, apitest.Obj{"From_Account": "a", "AddType": "Add_Type_Single", "AddFriendItem": []apitest.Obj{
		{"To_Account": "b", "AddSource": "AddSource_Type_Web"}, {"To_Account": "c", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"b": 0, "c": 0})
	apitest.WantItems(t, "own list full", small.Call(pFriendAdd, apitest.Obj{"From_Account": "a", "AddType": "Add_Type_Single", "AddFriendItem": []apitest.Obj{
		{"To_Account": "d", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"d": 30010})
	apitest.WantItems(t, "their list full", small.Call(pFriendAdd, apitest.Obj{"From_Account": "e", "AddFriendItem": []apitest.Obj{
		{"To_Account": "a", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"a": 30014})
	apitest.WantItems(t, "import over the cap", small.Call(pFriendImport, apitest.Obj{"From_Account": "a", "AddFriendItem": []apitest.Obj{
		{"To_Account": "e", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"e": 30010})

	// Deletes.
	apitest.WantItems(t, "delete single", tc.Call(pFriendDelete, apitest.Obj{"From_Account": "alice", "To_Account": []string{"dave", "nobody", "fred"}, "DeleteType": "Delete_Type_Single"}),
		map[string]int{"dave": 0, "nobody": 31704, "fred": 31704})
	apitest.WantItems(t, "delete both", tc.Call(pFriendDelete, apitest.Obj{"From_Account": "alice", "To_Account": []string{"bob"}, "DeleteType": "Delete_Type_Both"}), map[string]int{"bob": 0})
	if got := tc.Check("alice", "CheckResult_Type_Both", "bob", "dave", "carol"); got["bob"] != "CheckResult_Type_NoRelation" ||
		got["dave"] != "CheckResult_Type_NoRelation" || got["carol"] != "CheckResult_Type_BothWay" {
		t.Errorf("after deletes = %v", got)
	}
	apitest.WantTC(t, "bad DeleteType", tc.Call(pFriendDelete, apitest.Obj{"From_Account": "alice", "To_Account": []string{"carol"}, "DeleteType": "Delete_Type_All"}), 30001)
	apitest.WantTC(t, "delete all", tc.Call(pFriendDelAll, apitest.Obj{"From_Account": "alice"}), 0)
	if n := tc.Call(pFriendGet, apitest.Obj{"From_Account": "alice", "StartIndex": 0}).FriendNum; n != 0 {
		t.Errorf("alice has %d friends after friend_delete_all", n)
	}
	if got := tc.Check("carol", "CheckResult_Type_Both", "alice"); got["alice"] != "CheckResult_Type_AWithB" {
		t.Errorf("friend_delete_all defaults to one-way, but carol-alice = %v", got)
	}
	apitest.WantTC(t, "delete all, both", tc.Call(pFriendDelAll, apitest.Obj{"From_Account": "carol", "DeleteType": "Delete_Type_Both"}), 0)

	for _, p := range allTencentPaths {
		if tc.V.Seen(p)+small.V.Seen(p) == 0 {
			t.Errorf("no validated call of %s", p)
		}
	}
	t.Logf("calls whose one side the OpenAPI description cannot express: %v", tc.V.Gaps())
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

func groupGet(t *testing.T, tc *apitest.Tencent, user string) map[string][]string {
	t.Helper()
	r := tc.Call(pGroupGet, apitest.Obj{"From_Account": user, "NeedFriend": "Need_Friend_Type_Yes"})
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
