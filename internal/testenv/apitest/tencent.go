package apitest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/amity-im/amity/http/tencent"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// Answer holds every field a Tencent answer of the served APIs may carry.
type Answer struct {
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

// Item is one account's result in an answer's ResultItem.
type Item struct {
	To_Account    string //nolint:revive // the wire name
	UserID        string
	ResultCode    int
	ResultInfo    string
	AccountStatus string
}

// Items decodes ResultItem as per-account results.
func (r Answer) Items(t testing.TB) map[string]Item {
	t.Helper()
	var list []Item
	if len(r.ResultItem) > 0 {
		if err := json.Unmarshal(r.ResultItem, &list); err != nil {
			t.Fatalf("ResultItem %s: %v", r.ResultItem, err)
		}
	}
	m := map[string]Item{}
	for _, it := range list {
		id := it.To_Account
		if id == "" {
			id = it.UserID
		}
		m[id] = it
	}
	return m
}

// Codes maps each account of an answer's items to its ResultCode.
func (r Answer) Codes(t testing.TB) map[string]int {
	t.Helper()
	m := map[string]int{}
	for id, it := range r.Items(t) {
		m[id] = it.ResultCode
	}
	for _, it := range r.InfoItem {
		m[it.To_Account] = it.ResultCode
	}
	return m
}

// Relations maps each account of a check's InfoItem to its relation.
func (r Answer) Relations() map[string]string {
	m := map[string]string{}
	for _, it := range r.InfoItem {
		m[it.To_Account] = it.Relation
	}
	return m
}

// Tencent calls the Tencent surface as one app, each call validated
// against Tencent's description.
type Tencent struct {
	t testing.TB
	C *tencent.Client
	V *Validator
}

// OfficialSig makes an admin UserSig with Tencent's own library.
func OfficialSig(t testing.TB, sdkappid int, key, identifier string) string {
	t.Helper()
	sig, err := tencentyun.GenUserSig(sdkappid, key, identifier, 3600)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// NewTencent calls the Tencent surface at baseURL as app sdkappid's
// administrator, with a UserSig made by Tencent's own library.
func NewTencent(t testing.TB, baseURL string, sdkappid int, key string) *Tencent {
	t.Helper()
	v := TencentValidator(t, baseURL)
	return &Tencent{t: t, V: v, C: &tencent.Client{BaseURL: baseURL, SDKAppID: uint64(sdkappid), Identifier: "administrator",
		UserSig: OfficialSig(t, sdkappid, key, "administrator"), HTTP: &http.Client{Transport: v}}}
}

// CallCtx calls path with ctx, which may mark a gap of the description
// (WithRequestGap, WithResponseGap).
func (tc *Tencent) CallCtx(ctx context.Context, path string, body any) Answer {
	tc.t.Helper()
	var r Answer
	if err := tc.C.Call(ctx, path, body, &r); err != nil {
		tc.t.Fatal(err)
	}
	return r
}

// Check is friend_check's relation of from to each of to, for check type
// typ.
func (tc *Tencent) Check(from, typ string, to ...string) map[string]string {
	tc.t.Helper()
	return tc.Call("/v4/sns/friend_check", Obj{"From_Account": from, "To_Account": to, "CheckType": typ}).Relations()
}

// Into calls path with body and decodes the answer into out.
func (tc *Tencent) Into(path string, body, out any) {
	tc.t.Helper()
	if err := tc.C.Call(context.Background(), path, body, out); err != nil {
		tc.t.Fatal(err)
	}
}

// Call calls path with body.
func (tc *Tencent) Call(path string, body any) Answer {
	tc.t.Helper()
	return tc.CallCtx(context.Background(), path, body)
}

// WantTC fails t unless r is OK with code 0, or FAIL with code.
func WantTC(t testing.TB, what string, r Answer, code int) {
	t.Helper()
	status := "OK"
	if code != 0 {
		status = "FAIL"
	}
	if r.ErrorCode != code || r.ActionStatus != status {
		t.Errorf("%s: ActionStatus %s ErrorCode %d (%s), want %s %d", what, r.ActionStatus, r.ErrorCode, r.ErrorInfo, status, code)
	}
}

// WantItems checks the ResultCode of each named account (the last item of
// a repeated account) and that Fail_Account lists exactly the failed items.
func WantItems(t testing.TB, what string, r Answer, want map[string]int) {
	t.Helper()
	got := r.Codes(t)
	for id, code := range want {
		if c, ok := got[id]; !ok || c != code {
			t.Errorf("%s: ResultCode of %q = %d (present %v), want %d (all: %v)", what, id, c, ok, code, got)
		}
	}
	var list []Item
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

// Accounts is a body naming ids as Accounts.
func Accounts(ids ...string) map[string]any {
	return map[string]any{"Accounts": ids}
}
