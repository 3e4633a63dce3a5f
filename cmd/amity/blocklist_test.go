package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/projections"
	"github.com/google/go-cmp/cmp"
)

func TestZIMBlocklist(t *testing.T) {
	s := startService(t, testConfig, "")
	z := s.zim(t, 1234567, "demo-secret")
	wantCode(t, "register", z.post("UserRegister", users("alice", "bob", "carol", "dave")), 0)
	wantCode(t, "friends", z.post("AddFriends", obj{"FromUserId": "alice", "FriendInfos": []fi{{"UserId": "bob"}}}), 0)
	block := func(action, from string, ids ...string) zimResp {
		t.Helper()
		return z.post(action, obj{"FromUserId": from, "UserIds": ids})
	}

	r := block("AddUsersToBlacklist", "alice", "bob", "carol", "alice", "nobody", "bad*id")
	wantCode(t, "block", r, 0)
	wantSub(t, "block", r, map[string]int{"alice": 660800038, "nobody": 660700015, "bad*id": 660000002})
	if len(r.ErrorList) != 0 {
		t.Errorf("blocklist answers use ErrList, not ErrorList: %+v", r)
	}
	r = block("AddUsersToBlacklist", "alice", "bob")
	wantCode(t, "block again", r, 660800041)
	wantSub(t, "block again", r, map[string]int{"bob": 660800037})
	if rel := z.post("CheckFriendsRelation", obj{"FromUserId": "alice", "UserIds": []string{"bob"}, "CheckType": 0}).relations(); rel["bob"] != 6 {
		t.Errorf("on ZIM a block keeps the friendship: relation %v, want 6", rel)
	}
	wantCode(t, "unregistered operator", block("AddUsersToBlacklist", "nobody", "bob"), 660800001)
	wantCode(t, "21 targets", block("AddUsersToBlacklist", "alice", ids("u", 21)...), 660800039)

	r = block("CheckUsersIsInBlacklist", "alice", "bob", "dave", "nobody")
	wantSub(t, "check", r, map[string]int{"nobody": 660700015})
	var check struct {
		Succ []struct {
			UserId string //nolint:revive // the wire name
			Result int
		}
	}
	if err := z.c.Call(context.Background(), "POST", "CheckUsersIsInBlacklist", nil, obj{"FromUserId": "bob", "UserIds": []string{"alice"}}, &check); err != nil {
		t.Fatal(err)
	}
	if len(check.Succ) != 1 || check.Succ[0].Result != 0 {
		t.Errorf("bob does not block alice, check = %+v", check.Succ)
	}
	if err := z.c.Call(context.Background(), "POST", "CheckUsersIsInBlacklist", nil, obj{"FromUserId": "alice", "UserIds": []string{"bob", "dave"}}, &check); err != nil {
		t.Fatal(err)
	}
	if len(check.Succ) != 2 || check.Succ[0].Result != 1 || check.Succ[1].Result != 0 {
		t.Errorf("alice blocks bob, not dave: check = %+v", check.Succ)
	}

	var page struct {
		Code       int
		TotalCount int
		Next       int
		Blacklist  []struct {
			UserId, UserName, Avatar string //nolint:revive // the wire name
			UpdateTime               int64
		}
	}
	if err := z.c.Call(context.Background(), "GET", "QueryBlacklist", url.Values{"FromUserId": {"alice"}, "Limit": {"1"}}, nil, &page); err != nil {
		t.Fatal(err)
	}
	if page.TotalCount != 2 || page.Next != 1 || len(page.Blacklist) != 1 || page.Blacklist[0].UserId != "bob" ||
		page.Blacklist[0].UserName != "name of bob" || time.Since(time.UnixMilli(page.Blacklist[0].UpdateTime)) > time.Minute {
		t.Errorf("QueryBlacklist page 1 = %+v", page)
	}
	if err := z.c.Call(context.Background(), "GET", "QueryBlacklist", url.Values{"FromUserId": {"alice"}, "Limit": {"1"}, "Next": {"1"}}, nil, &page); err != nil {
		t.Fatal(err)
	}
	if page.Next != 0 || len(page.Blacklist) != 1 || page.Blacklist[0].UserId != "carol" {
		t.Errorf("QueryBlacklist page 2 = %+v", page)
	}

	r = block("RemoveUsersFromBlacklist", "alice", "bob", "dave", "alice")
	wantCode(t, "unblock", r, 0)
	wantSub(t, "unblock", r, map[string]int{"dave": 660800044, "alice": 660800038})
	r = block("RemoveUsersFromBlacklist", "alice", "bob")
	wantCode(t, "unblock again", r, 660800042)
	wantSub(t, "unblock again", r, map[string]int{"bob": 660800043})

	// The cap ("other" app: 2 blocked per user).
	other := s.zim(t, 7654321, "other-secret")
	wantCode(t, "register", other.post("UserRegister", users("a", "b", "c", "d")), 0)
	r = other.post("AddUsersToBlacklist", obj{"FromUserId": "a", "UserIds": []string{"b", "c"}})
	wantCode(t, "fill", r, 0)
	r = other.post("AddUsersToBlacklist", obj{"FromUserId": "a", "UserIds": []string{"d"}})
	wantCode(t, "over the cap", r, 660800041)
	wantSub(t, "over the cap", r, map[string]int{"d": 660800040})
}

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

func TestTencentBlocklist(t *testing.T) {
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

// TestBlocklistCapUnderConcurrentBlockers has 20 clients fill one user's
// blocklist at once: exactly 1000 blocks are taken.
func TestBlocklistCapUnderConcurrentBlockers(t *testing.T) {
	s := startService(t, tencentConfig, "")
	tc := s.tencent(t, 1400000002, "tc-key")
	targets := ids("b", 1200)
	for i := 0; i < len(targets); i += 100 {
		wantTC(t, "import", tc.call(pMultiImport, accounts(targets[i:i+100]...)), 0)
	}
	wantTC(t, "import hub", tc.call(pMultiImport, accounts("hub")), 0)
	var ok, full, other atomic.Int64
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := targets[g*60 : (g+1)*60]
			for i := 0; i < len(mine); i += 10 {
				for _, code := range tc.call("/v4/sns/black_list_add", obj{"From_Account": "hub", "To_Account": mine[i : i+10]}).codes(t) {
					switch code {
					case 0:
						ok.Add(1)
					case 30013:
						full.Add(1)
					default:
						other.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	var page blackPage
	if err := tc.c.Call(context.Background(), "/v4/sns/black_list_get", obj{"From_Account": "hub", "StartIndex": 0, "MaxLimited": 1000, "LastSequence": 0}, &page); err != nil {
		t.Fatal(err)
	}
	if ok.Load() != 1000 || full.Load() != 200 || other.Load() != 0 || len(page.BlackListItem) != 1000 || page.StartIndex != 0 {
		t.Errorf("%d blocked, %d refused with 30013, %d other; blocklist holds %d (next %d); want 1000, 200, 0, 1000, 0",
			ok.Load(), full.Load(), other.Load(), len(page.BlackListItem), page.StartIndex)
	}
}

// TestBlocksAndAddsNeverLeaveBlockedFriends races Tencent-style blocks,
// unblocks and two-way adds on the same pairs while readers watch every
// pair: no reader sees a pair that is blocked and friends, and the final
// state equals a replay of the stream.
func TestBlocksAndAddsNeverLeaveBlockedFriends(t *testing.T) {
	ctx, store, _ := startCore(t)
	live := newInstance(t, ctx, store, 0)
	app := &domain.App{Name: "demo"}
	people := ids("p", 6)
	var reg []domain.Command
	for _, p := range people {
		reg = append(reg, domain.RegisterUser{User: p})
	}
	for _, r := range live.w.Execute(ctx, app, domain.Meta{}, reg...) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	stop := make(chan struct{})
	var bad, reads atomic.Int64
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i, a := range people {
					for _, b := range people[i+1:] {
						p := live.model.Pair("demo", a, b)
						reads.Add(1)
						if (p.ABlocksB || p.BBlocksA) && (p.AHasB || p.BHasA) {
							bad.Add(1)
						}
					}
				}
			}
		}()
	}
	var writers sync.WaitGroup
	var blocks, adds atomic.Int64
	for g := range 8 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 3))
			for range 150 {
				a, b := people[rng.IntN(len(people))], people[rng.IntN(len(people))]
				var cmd domain.Command
				switch rng.IntN(3) {
				case 0:
					cmd = domain.BlockUser{User: a, Target: b, EndFriendship: true}
				case 1:
					cmd = domain.UnblockUser{User: a, Target: b}
				default:
					cmd = domain.AddFriend{User: a, Friend: b, Reverse: &domain.Entry{}, RespectBlocks: true}
				}
				r := live.w.Execute(ctx, app, domain.Meta{}, cmd)[0]
				if r.Err == nil {
					if _, ok := cmd.(domain.AddFriend); ok {
						adds.Add(1)
					} else {
						blocks.Add(1)
					}
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	if bad.Load() != 0 {
		t.Errorf("%d of %d reads saw a blocked pair that was still friends", bad.Load(), reads.Load())
	}
	if adds.Load() == 0 || blocks.Load() == 0 {
		t.Fatalf("%d adds and %d blocks succeeded; the race needs both", adds.Load(), blocks.Load())
	}
	last, err := store.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rebuilt := projections.NewModel()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = projections.Follow(rctx, store, rebuilt, 1, slog.New(slog.DiscardHandler)) }()
	if err := rebuilt.WaitSeq(ctx, last); err != nil {
		t.Fatal(err)
	}
	got, want := map[string]projections.Pair{}, map[string]projections.Pair{}
	for i, a := range people {
		for _, b := range people[i+1:] {
			got[fmt.Sprint(a, "-", b)] = live.model.Pair("demo", a, b)
			want[fmt.Sprint(a, "-", b)] = rebuilt.Pair("demo", a, b)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("live pairs differ from a replay (-replay +live):\n%s", diff)
	}
}
