package tencent_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/amity-im/amity/internal/testenv/apitest"
)

func blackCheck(tc *apitest.Tencent, from, typ string, to ...string) map[string]string {
	var r struct {
		BlackListCheckItem []struct {
			To_Account, Relation string //nolint:revive // the wire name
		}
	}
	tc.Into("/v4/sns/black_list_check", apitest.Obj{"From_Account": from, "To_Account": to, "CheckType": typ}, &r)
	m := map[string]string{}
	for _, it := range r.BlackListCheckItem {
		m[it.To_Account] = it.Relation
	}
	return m
}

type blackPage struct {
	ErrorCode     int
	BlackListItem []struct {
		To_Account        string //nolint:revive // the wire name
		AddBlackTimeStamp int64
	}
	StartIndex       int
	CurruentSequence uint64
}

// TestTencentBlocklist is one scenario, told in order: each step builds on the
// state the steps before it left, so it stays one function.
func TestTencentBlocklist(t *testing.T) {
	t.Parallel()
	base := serveBoth(t)
	tc := apitest.NewTencent(t, base, 1400000002, "tc-key")
	z := apitest.NewZIM(t, base, 2222, "zim-secret")
	apitest.WantTC(t, "import", tc.Call(pMultiImport, apitest.Accounts("alice", "bob", "carol", "dave")), 0)
	apitest.WantItems(t, "friends", tc.Call(pFriendAdd, apitest.Obj{"From_Account": "alice", "AddFriendItem": []apitest.Obj{
		{"To_Account": "bob", "AddSource": "AddSource_Type_Web"}, {"To_Account": "carol", "AddSource": "AddSource_Type_Web"}}}),
		map[string]int{"bob": 0, "carol": 0})

	r := tc.Call("/v4/sns/black_list_add", apitest.Obj{"From_Account": "alice", "To_Account": []string{"bob", "nobody", "alice"}})
	apitest.WantItems(t, "block", r, map[string]int{"bob": 0, "nobody": 30003, "alice": 30001})
	if got := tc.Check("alice", "CheckResult_Type_Both", "bob", "carol"); got["bob"] != "CheckResult_Type_NoRelation" || got["carol"] != "CheckResult_Type_BothWay" {
		t.Errorf("on Tencent a block ends the friendship both ways: %v", got)
	}
	r = tc.Call("/v4/sns/black_list_add", apitest.Obj{"From_Account": "alice", "To_Account": []string{"bob"}})
	apitest.WantItems(t, "block again", r, map[string]int{"bob": 30001})
	if it := r.Items(t)["bob"]; it.ResultInfo != "Err_SNS_BlackListAdd_Already_Exist" {
		t.Errorf("ResultInfo = %q", it.ResultInfo)
	}
	apitest.WantItems(t, "add someone I block", tc.Call(pFriendAdd, apitest.Obj{"From_Account": "alice", "AddFriendItem": []apitest.Obj{{"To_Account": "bob", "AddSource": "AddSource_Type_Web"}}}),
		map[string]int{"bob": 30515})
	apitest.WantItems(t, "add someone who blocks me", tc.Call(pFriendAdd, apitest.Obj{"From_Account": "bob", "AddFriendItem": []apitest.Obj{{"To_Account": "alice", "AddSource": "AddSource_Type_Web"}}}),
		map[string]int{"alice": 30525})

	apitest.WantItems(t, "bob blocks alice too", tc.Call("/v4/sns/black_list_add", apitest.Obj{"From_Account": "bob", "To_Account": []string{"alice"}}), map[string]int{"alice": 0})
	apitest.WantItems(t, "dave blocks alice", tc.Call("/v4/sns/black_list_add", apitest.Obj{"From_Account": "dave", "To_Account": []string{"alice"}}), map[string]int{"alice": 0})
	apitest.WantItems(t, "alice blocks carol", tc.Call("/v4/sns/black_list_add", apitest.Obj{"From_Account": "alice", "To_Account": []string{"carol"}}), map[string]int{"carol": 0})
	if got := blackCheck(tc, "alice", "BlackCheckResult_Type_Both", "bob", "carol", "dave", "nobody"); got["bob"] != "BlackCheckResult_Type_BothWay" ||
		got["carol"] != "BlackCheckResult_Type_AWithB" || got["dave"] != "BlackCheckResult_Type_BWithA" {
		t.Errorf("black_list_check Both = %v", got)
	}
	if got := blackCheck(tc, "alice", "BlackCheckResult_Type_Single", "bob", "dave"); got["bob"] != "BlackCheckResult_Type_AWithB" || got["dave"] != "BlackCheckResult_Type_NO" {
		t.Errorf("black_list_check Single = %v", got)
	}

	var page blackPage
	if err := tc.C.Call(context.Background(), "/v4/sns/black_list_get", apitest.Obj{"From_Account": "alice", "StartIndex": 0, "MaxLimited": 1, "LastSequence": 0}, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.BlackListItem) != 1 || page.BlackListItem[0].To_Account != "bob" || page.StartIndex != 1 || page.CurruentSequence == 0 ||
		time.Since(time.Unix(page.BlackListItem[0].AddBlackTimeStamp, 0)) > time.Minute {
		t.Errorf("black_list_get page 1 = %+v", page)
	}
	if err := tc.C.Call(context.Background(), "/v4/sns/black_list_get", apitest.Obj{"From_Account": "alice", "StartIndex": 1, "MaxLimited": 10, "LastSequence": 0}, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.BlackListItem) != 1 || page.BlackListItem[0].To_Account != "carol" || page.StartIndex != 0 {
		t.Errorf("black_list_get page 2 = %+v", page)
	}

	apitest.WantItems(t, "unblock", tc.Call("/v4/sns/black_list_delete", apitest.Obj{"From_Account": "alice", "To_Account": []string{"bob", "dave"}}),
		map[string]int{"bob": 0, "dave": 30001})
	if got := tc.Check("alice", "CheckResult_Type_Both", "bob"); got["bob"] != "CheckResult_Type_NoRelation" {
		t.Errorf("unblocking restores no friendship: %v", got)
	}

	// A block made through one surface is in the other's blocklist reads.
	apitest.WantCode(t, "zim block", z.Post("AddUsersToBlacklist", apitest.Obj{"FromUserId": "carol", "UserIds": []string{"dave"}}), 0)
	if err := tc.C.Call(context.Background(), "/v4/sns/black_list_get", apitest.Obj{"From_Account": "carol", "StartIndex": 0, "MaxLimited": 10, "LastSequence": 0}, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.BlackListItem) != 1 || page.BlackListItem[0].To_Account != "dave" {
		t.Errorf("Tencent read of a ZIM block = %+v", page)
	}
	var zq struct {
		TotalCount int
		Blacklist  []struct{ UserId string } //nolint:revive // the wire name
	}
	if err := z.C.Call(context.Background(), "GET", "QueryBlacklist", url.Values{"FromUserId": {"dave"}}, nil, &zq); err != nil {
		t.Fatal(err)
	}
	if zq.TotalCount != 1 || zq.Blacklist[0].UserId != "alice" {
		t.Errorf("ZIM read of a Tencent block = %+v", zq)
	}

	// The cap ("small": 2 blocked per user).
	small := apitest.NewTencent(t, base, 1400000003, "small-key")
	apitest.WantTC(t, "small import", small.Call(pMultiImport, apitest.Accounts("a", "b", "c", "d")), 0)
	// b, c and d sit in different partitions and race for the two slots:
	// exactly one of them is refused.
	codes := small.Call("/v4/sns/black_list_add", apitest.Obj{"From_Account": "a", "To_Account": []string{"b", "c", "d"}}).Codes(t)
	n := map[int]int{}
	for _, c := range codes {
		n[c]++
	}
	if n[0] != 2 || n[30013] != 1 {
		t.Errorf("3 blocks at max_blocked 2: %v, want two 0 and one 30013", codes)
	}

	for _, p := range []string{"/v4/sns/black_list_add", "/v4/sns/black_list_delete", "/v4/sns/black_list_get", "/v4/sns/black_list_check"} {
		if tc.V.Seen(p) == 0 {
			t.Errorf("no validated call of %s", p)
		}
	}
}
