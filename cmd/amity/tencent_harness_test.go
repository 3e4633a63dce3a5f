package main

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/amity-im/amity/http/tencent"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

const tencentConfig = `{"apps":[
 {"name":"both","zim":{"app_id":2222,"server_secret":"zim-secret","qps":1000000},
  "tencent":{"sdkappid":1400000002,"secret_key":"tc-key","admins":["administrator","ops"],"qps":1000000,
   "custom_fields":["Tag_SNS_Custom_Note","Tag_SNS_Custom_Level"],"zim_attributes":{"Tag_SNS_Custom_Note":"k0"}}},
 {"name":"small","max_friends":2,"max_blocked":2,"tencent":{"sdkappid":1400000003,"secret_key":"small-key","admins":["administrator"],"qps":1000000}},
 {"name":"slow","tencent":{"sdkappid":1400000004,"secret_key":"slow-key","admins":["administrator"],"qps":2}}
]}`

// tcResp holds every field a Tencent answer of the served APIs may carry.
type tcResp struct {
	ActionStatus string
	ErrorCode    int
	ErrorInfo    string
	ErrorDisplay *string
	ResultItem   json.RawMessage
	Fail_Account []string //nolint:revive // the wire name
	FailAccounts []string
	InfoItem     []struct {
		To_Account     string //nolint:revive // the wire name
		Relation       string
		ResultCode     int
		ResultInfo     string
		SnsProfileItem []struct {
			Tag   string
			Value any
		}
	}
	UserDataItem []struct {
		To_Account string //nolint:revive // the wire name
		ValueItem  []struct {
			Tag   string
			Value any
		}
	}
	StandardSequence, CustomSequence uint64
	CurrentSequence                  uint64
	FriendNum, CompleteFlag          int
	NextStartIndex                   int
}

type tcItem struct {
	To_Account    string //nolint:revive // the wire name
	UserID        string
	ResultCode    int
	ResultInfo    string
	AccountStatus string
}

// items decodes ResultItem as per-account results.
func (r tcResp) items(t testing.TB) map[string]tcItem {
	t.Helper()
	var list []tcItem
	if len(r.ResultItem) > 0 {
		if err := json.Unmarshal(r.ResultItem, &list); err != nil {
			t.Fatalf("ResultItem %s: %v", r.ResultItem, err)
		}
	}
	m := map[string]tcItem{}
	for _, it := range list {
		id := it.To_Account
		if id == "" {
			id = it.UserID
		}
		m[id] = it
	}
	return m
}

func (r tcResp) codes(t testing.TB) map[string]int {
	t.Helper()
	m := map[string]int{}
	for id, it := range r.items(t) {
		m[id] = it.ResultCode
	}
	for _, it := range r.InfoItem {
		m[it.To_Account] = it.ResultCode
	}
	return m
}

func (r tcResp) relations() map[string]string {
	m := map[string]string{}
	for _, it := range r.InfoItem {
		m[it.To_Account] = it.Relation
	}
	return m
}

type tcCaller struct {
	t  testing.TB
	c  *tencent.Client
	vt *validatingTransport
}

// officialSig makes an admin UserSig with Tencent's own library.
func officialSig(t testing.TB, sdkappid int, key, identifier string) string {
	t.Helper()
	sig, err := tencentyun.GenUserSig(sdkappid, key, identifier, 3600)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func (s *service) tencent(t testing.TB, sdkappid int, key string) *tcCaller {
	vt := newValidatingTransport(t, s.httpURL)
	return &tcCaller{t: t, vt: vt, c: &tencent.Client{BaseURL: s.httpURL, SDKAppID: uint64(sdkappid), Identifier: "administrator",
		UserSig: officialSig(t, sdkappid, key, "administrator"), HTTP: &http.Client{Transport: vt}}}
}

func (tc *tcCaller) callCtx(ctx context.Context, path string, body any) tcResp {
	tc.t.Helper()
	var r tcResp
	if err := tc.c.Call(ctx, path, body, &r); err != nil {
		tc.t.Fatal(err)
	}
	return r
}

func (tc *tcCaller) call(path string, body any) tcResp {
	tc.t.Helper()
	return tc.callCtx(context.Background(), path, body)
}

func wantTC(t *testing.T, what string, r tcResp, code int) {
	t.Helper()
	status := "OK"
	if code != 0 {
		status = "FAIL"
	}
	if r.ErrorCode != code || r.ActionStatus != status {
		t.Errorf("%s: ActionStatus %s ErrorCode %d (%s), want %s %d", what, r.ActionStatus, r.ErrorCode, r.ErrorInfo, status, code)
	}
}

// wantItems checks the ResultCode of each named account (the last item of
// a repeated account) and that Fail_Account lists exactly the failed items.
func wantItems(t *testing.T, what string, r tcResp, want map[string]int) {
	t.Helper()
	got := r.codes(t)
	for id, code := range want {
		if c, ok := got[id]; !ok || c != code {
			t.Errorf("%s: ResultCode of %q = %d (present %v), want %d (all: %v)", what, id, c, ok, code, got)
		}
	}
	var list []tcItem
	_ = json.Unmarshal(r.ResultItem, &list)
	var failed []string
	for _, it := range list {
		if it.ResultCode != 0 {
			failed = append(failed, it.To_Account)
		}
	}
	for _, it := range r.InfoItem {
		if it.ResultCode != 0 {
			failed = append(failed, it.To_Account)
		}
	}
	if len(failed) != len(r.Fail_Account) && r.FailAccounts == nil && !slices.Contains(friendDeleteLike, what) {
		t.Errorf("%s: Fail_Account %v, failed items %v", what, r.Fail_Account, failed)
	}
}

// friendDeleteLike names checks of friend_delete and account_delete, whose answers have no
// Fail_Account.
var friendDeleteLike = []string{"delete single", "delete both", "account_delete"}

func accounts(ids ...string) map[string]any {
	return map[string]any{"Accounts": ids}
}

type obj = map[string]any
