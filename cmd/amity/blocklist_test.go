package main

import (
	"context"
	"net/url"
	"testing"
	"time"
)

func blackCheck(tc *tcCaller, from, typ string, to ...string) map[string]string {
	tc.t.Helper()
	var r struct {
		BlackListCheckItem []struct {
			To_Account, Relation string //nolint:revive // the wire name
		}
	}
	if err := tc.c.Call(context.Background(), "/v4/sns/black_list_check", obj{"From_Account": from, "To_Account": to, "CheckType": typ}, &r); err != nil {
		tc.t.Fatal(err)
	}
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
	s := startService(t, tencentConfig, "")
	tc := s.tencent(t, 1400000002, "tc-key")
	z := s.zim(t, 2222, "zim-secret")
	wantTC(t, "import", tc.call(pMultiImport, accounts("alice", "bob", "carol", "dave")), 0)
	wantItems(t, "friends", tc.call(pFriendAdd, obj{"From_Account": "alice", "AddFriendItem": []obj{
		{"To_Account": "bob", "AddSource": "AddSource_Type_Web"}, {"To_Account": "carol", "AddSource": "AddSource_Type_Web"}}}),
		map[string]int{"bob": 0, "carol": 0})

	r := tc.call("/v4/sns/black_list_add", obj{"From_Account": "alice", "To_Account": []string{"bob", "nobody", "alice"}})
	wantItems(t, "block", r, map[string]int{"bob": 0, "nobody": 30003, "alice": 30001})
	if got := check(tc, "alice", "CheckResult_Type_Both", "bob", "carol"); got["bob"] != "CheckResult_Type_NoRelation" || got["carol"] != "CheckResult_Type_BothWay" {
		t.Errorf("on Tencent a block ends the friendship both ways: %v", got)
	}
	r = tc.call("/v4/sns/black_list_add", obj{"From_Account": "alice", "To_Account": []string{"bob"}})
	wantItems(t, "block again", r, map[string]int{"bob": 30001})
	if it := r.items(t)["bob"]; it.ResultInfo != "Err_SNS_BlackListAdd_Already_Exist" {
		t.Errorf("ResultInfo = %q", it.ResultInfo)
	}
	wantItems(t, "add someone I block", tc.call(pFriendAdd, obj{"From_Account": "alice", "AddFriendItem": []obj{{"To_Account": "bob", "AddSource": "AddSource_Type_Web"}}}),
		map[string]int{"bob": 30515})
	wantItems(t, "add someone who blocks me", tc.call(pFriendAdd, obj{"From_Account": "bob", "AddFriendItem": []obj{{"To_Account": "alice", "AddSource": "AddSource_Type_Web"}}}),
		map[string]int{"alice": 30525})

	wantItems(t, "bob blocks alice too", tc.call("/v4/sns/black_list_add", obj{"From_Account": "bob", "To_Account": []string{"alice"}}), map[string]int{"alice": 0})
	wantItems(t, "dave blocks alice", tc.call("/v4/sns/black_list_add", obj{"From_Account": "dave", "To_Account": []string{"alice"}}), map[string]int{"alice": 0})
	wantItems(t, "alice blocks carol", tc.call("/v4/sns/black_list_add", obj{"From_Account": "alice", "To_Account": []string{"carol"}}), map[string]int{"carol": 0})
	if got := blackCheck(tc, "alice", "BlackCheckResult_Type_Both", "bob", "carol", "dave", "nobody"); got["bob"] != "BlackCheckResult_Type_BothWay" ||
		got["carol"] != "BlackCheckResult_Type_AWithB" || got["dave"] != "BlackCheckResult_Type_BWithA" {
		t.Errorf("black_list_check Both = %v", got)
	}
	if got := blackCheck(tc, "alice", "BlackCheckResult_Type_Single", "bob", "dave"); got["bob"] != "BlackCheckResult_Type_AWithB" || got["dave"] != "BlackCheckResult_Type_NO" {
		t.Errorf("black_list_check Single = %v", got)
	}

	var page blackPage
	if err := tc.c.Call(context.Background(), "/v4/sns/black_list_get", obj{"From_Account": "alice", "StartIndex": 0, "MaxLimited": 1, "LastSequence": 0}, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.BlackListItem) != 1 || page.BlackListItem[0].To_Account != "bob" || page.StartIndex != 1 || page.CurruentSequence == 0 ||
		time.Since(time.Unix(page.BlackListItem[0].AddBlackTimeStamp, 0)) > time.Minute {
		t.Errorf("black_list_get page 1 = %+v", page)
	}
	if err := tc.c.Call(context.Background(), "/v4/sns/black_list_get", obj{"From_Account": "alice", "StartIndex": 1, "MaxLimited": 10, "LastSequence": 0}, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.BlackListItem) != 1 || page.BlackListItem[0].To_Account != "carol" || page.StartIndex != 0 {
		t.Errorf("black_list_get page 2 = %+v", page)
	}

	wantItems(t, "unblock", tc.call("/v4/sns/black_list_delete", obj{"From_Account": "alice", "To_Account": []string{"bob", "dave"}}),
		map[string]int{"bob": 0, "dave": 30001})
	if got := check(tc, "alice", "CheckResult_Type_Both", "bob"); got["bob"] != "CheckResult_Type_NoRelation" {
		t.Errorf("unblocking restores no friendship: %v", got)
	}

	// A block made through one surface is in the other's blocklist reads.
	wantCode(t, "zim block", z.post("AddUsersToBlacklist", obj{"FromUserId": "carol", "UserIds": []string{"dave"}}), 0)
	if err := tc.c.Call(context.Background(), "/v4/sns/black_list_get", obj{"From_Account": "carol", "StartIndex": 0, "MaxLimited": 10, "LastSequence": 0}, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.BlackListItem) != 1 || page.BlackListItem[0].To_Account != "dave" {
		t.Errorf("Tencent read of a ZIM block = %+v", page)
	}
	var zq struct {
		TotalCount int
		Blacklist  []struct{ UserId string } //nolint:revive // the wire name
	}
	if err := z.c.Call(context.Background(), "GET", "QueryBlacklist", url.Values{"FromUserId": {"dave"}}, nil, &zq); err != nil {
		t.Fatal(err)
	}
	if zq.TotalCount != 1 || zq.Blacklist[0].UserId != "alice" {
		t.Errorf("ZIM read of a Tencent block = %+v", zq)
	}

	// The cap ("small": 2 blocked per user).
	small := s.tencent(t, 1400000003, "small-key")
	wantTC(t, "small import", small.call(pMultiImport, accounts("a", "b", "c", "d")), 0)
	// b, c and d sit in different partitions and race for the two slots:
	// exactly one of them is refused.
	codes := small.call("/v4/sns/black_list_add", obj{"From_Account": "a", "To_Account": []string{"b", "c", "d"}}).codes(t)
	n := map[int]int{}
	for _, c := range codes {
		n[c]++
	}
	if n[0] != 2 || n[30013] != 1 {
		t.Errorf("3 blocks at max_blocked 2: %v, want two 0 and one 30013", codes)
	}

	for _, p := range []string{"/v4/sns/black_list_add", "/v4/sns/black_list_delete", "/v4/sns/black_list_get", "/v4/sns/black_list_check"} {
		if tc.vt.seen[p] == 0 {
			t.Errorf("no validated call of %s", p)
		}
	}
}
