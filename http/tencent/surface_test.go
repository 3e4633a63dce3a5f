package tencent_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// answer is what every Tencent answer carries.
type answer struct {
	ActionStatus string
	ErrorCode    int
	ErrorInfo    string
	ErrorDisplay *string
}

var (
	tcApp   = &tencent.App{App: &domain.App{Name: "tc"}, SDKAppID: 1400000002, SecretKey: "tc-key", Admins: []string{"administrator"}, QPS: 1_000_000}
	tcSlow  = &tencent.App{App: &domain.App{Name: "slowtc"}, SDKAppID: 1400000004, SecretKey: "slow-key", Admins: []string{"administrator"}, QPS: 2}
	addBody = map[string]any{"From_Account": "alice", "AddFriendItem": []map[string]any{{"To_Account": "bob", "AddSource": "AddSource_Type_Web"}}}
)

// officialSig makes an admin UserSig with Tencent's own library.
func officialSig(t *testing.T, sdkappid int, key, identifier string) string {
	t.Helper()
	sig, err := tencentyun.GenUserSig(sdkappid, key, identifier, 3600)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// sigOf encodes raw bytes the way a UserSig is encoded.
func sigOf(raw []byte, deflate bool) string {
	if deflate {
		var buf bytes.Buffer
		w := zlib.NewWriter(&buf)
		_, _ = w.Write(raw)
		_ = w.Close()
		raw = buf.Bytes()
	}
	return strings.NewReplacer("+", "*", "/", "-", "=", "_").Replace(base64.StdEncoding.EncodeToString(raw))
}

func tcCall(t *testing.T, c *tencent.Client, path string, body any) answer {
	t.Helper()
	var r answer
	if err := c.Call(context.Background(), path, body, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestAuthAndBadInput: each fault of a request's UserSig or parameters
// gets its own Tencent code, in Tencent's answer, and changes nothing; a
// UserSig of Tencent's own library is taken; each app and API has its rate.
//
// Its length is its table of cases.
func TestAuthAndBadInput(t *testing.T) {
	core := testenv.Start(t)
	srv := httptest.NewServer(tencent.New(core.Deps(), tcApp, tcSlow).Routes().Handler())
	defer srv.Close()
	tc := &tencent.Client{BaseURL: srv.URL, SDKAppID: 1400000002, Identifier: "administrator", UserSig: officialSig(t, 1400000002, "tc-key", "administrator")}
	if r := tcCall(t, tc, "/v4/im_open_login_svc/multiaccount_import", map[string]any{"Accounts": []string{"alice", "bob"}}); r.ErrorCode != 0 {
		t.Fatalf("import: %+v", r)
	}
	before := core.LastSeq()

	past, _ := tencent.GenUserSig(1400000002, "tc-key", "administrator", time.Minute, time.Now().Add(-time.Hour))
	query := func(mut func(q url.Values)) url.Values {
		q := url.Values{"sdkappid": {"1400000002"}, "identifier": {"administrator"},
			"usersig": {officialSig(t, 1400000002, "tc-key", "administrator")}, "random": {"12345"}, "contenttype": {"json"}}
		mut(q)
		return q
	}
	for _, tt := range []struct {
		name string
		q    url.Values
		code int // 0: any of the 70003-70010 family
	}{
		{"expired", query(func(q url.Values) { q.Set("usersig", past) }), 70001},
		{"sig of another identifier", query(func(q url.Values) { q.Set("usersig", officialSig(t, 1400000002, "tc-key", "ops")) }), 70013},
		{"sig of another app", query(func(q url.Values) { q.Set("usersig", officialSig(t, 1400000003, "tc-key", "administrator")) }), 70014},
		{"sig made with another key", query(func(q url.Values) { q.Set("usersig", officialSig(t, 1400000002, "wrong-key", "administrator")) }), 70009},
		{"tampered sig", query(func(q url.Values) {
			sig := []byte(q.Get("usersig"))
			sig[len(sig)/2] ^= 0x01
			q.Set("usersig", string(sig))
		}), 0},
		{"sig not base64", query(func(q url.Values) { q.Set("usersig", "!!!") }), 70003},
		{"sig not zlib", query(func(q url.Values) { q.Set("usersig", sigOf([]byte("plain text"), false)) }), 70005},
		{"sig not JSON", query(func(q url.Values) { q.Set("usersig", sigOf([]byte("{nope"), true)) }), 70010},
		{"sig without version", query(func(q url.Values) { q.Set("usersig", sigOf([]byte(`{"TLS.identifier":"administrator"}`), true)) }), 70008},
		{"not an admin", query(func(q url.Values) {
			q.Set("identifier", "bob")
			q.Set("usersig", officialSig(t, 1400000002, "tc-key", "bob"))
		}), 70403},
		{"no sdkappid", query(func(q url.Values) { q.Del("sdkappid") }), 60012},
		{"bad sdkappid", query(func(q url.Values) { q.Set("sdkappid", "abc") }), 60006},
		{"unknown sdkappid", query(func(q url.Values) { q.Set("sdkappid", "1400009999") }), 60006},
		{"no identifier", query(func(q url.Values) { q.Del("identifier") }), 60004},
		{"no usersig", query(func(q url.Values) { q.Del("usersig") }), 70002},
		{"no random", query(func(q url.Values) { q.Del("random") }), 60002},
		{"random over uint32", query(func(q url.Values) { q.Set("random", "4294967296") }), 60002},
		{"contenttype xml", query(func(q url.Values) { q.Set("contenttype", "xml") }), 60002},
	} {
		var r answer
		if err := tc.Raw(context.Background(), http.MethodPost, "/v4/sns/friend_add", tt.q, addBody, &r); err != nil {
			t.Fatal(err)
		}
		if tt.code == 0 {
			if r.ErrorCode < 70003 || r.ErrorCode > 70010 {
				t.Errorf("%s: ErrorCode %d (%s), want one of 70003-70010", tt.name, r.ErrorCode, r.ErrorInfo)
			}
			continue
		}
		if r.ErrorCode != tt.code || r.ActionStatus != "FAIL" || r.ErrorDisplay == nil {
			t.Errorf("%s: %s %d (%s), ErrorDisplay %v; want FAIL %d", tt.name, r.ActionStatus, r.ErrorCode, r.ErrorInfo, r.ErrorDisplay, tt.code)
		}
	}

	for _, tt := range []struct {
		name, method, path string
		body               any
		code               int
	}{
		{"malformed JSON", http.MethodPost, "/v4/sns/friend_add", []byte(`{"From_Account":`), 60003},
		{"wrong type", http.MethodPost, "/v4/sns/friend_add", []byte(`{"From_Account":7,"AddFriendItem":[]}`), 60003},
		{"not UTF-8", http.MethodPost, "/v4/sns/friend_add", []byte("{\"From_Account\":\"alice\",\"AddFriendItem\":[{\"To_Account\":\"bob\",\"Remark\":\"\xff\"}]}"), 60003},
		{"wrong item type", http.MethodPost, "/v4/sns/friend_import", []byte(`{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddTime":"yesterday"}]}`), 60003},
		{"no items", http.MethodPost, "/v4/sns/friend_add", []byte(`{"From_Account":"alice"}`), 30001},
		{"no From_Account", http.MethodPost, "/v4/sns/friend_check", []byte(`{"To_Account":["bob"],"CheckType":"CheckResult_Type_Both"}`), 30001},
		{"bad CheckType", http.MethodPost, "/v4/sns/friend_check", []byte(`{"From_Account":"alice","To_Account":["bob"],"CheckType":"Both"}`), 30001},
		{"no StartIndex", http.MethodPost, "/v4/sns/friend_get", []byte(`{"From_Account":"alice"}`), 30001},
		{"account API without accounts", http.MethodPost, "/v4/im_open_login_svc/account_check", []byte(`{"CheckItem":[]}`), 70402},
		{"oversized body", http.MethodPost, "/v4/sns/friend_add", []byte(`{"x":"` + strings.Repeat("x", tencent.MaxBodyBytes) + `"}`), 60002},
		{"GET", http.MethodGet, "/v4/sns/friend_add", nil, 60002},
		{"unknown API", http.MethodPost, "/v4/sns/friend_poke", addBody, 60009},
	} {
		q, err := tc.Query()
		if err != nil {
			t.Fatal(err)
		}
		var r answer
		if err := tc.Raw(context.Background(), tt.method, tt.path, q, tt.body, &r); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if r.ErrorCode != tt.code || r.ActionStatus != "FAIL" {
			t.Errorf("%s: %s %d (%s), want FAIL %d", tt.name, r.ActionStatus, r.ErrorCode, r.ErrorInfo, tt.code)
		}
	}
	if after := core.LastSeq(); after != before {
		t.Errorf("refused requests wrote to the stream: last sequence %d -> %d", before, after)
	}

	// A UserSig made by Tencent's own library is taken.
	if r := tcCall(t, tc, "/v4/sns/friend_add", addBody); r.ErrorCode != 0 || core.LastSeq() == before {
		t.Errorf("add with an official usersig: %+v", r)
	}

	// Per-app, per-API call rate.
	slow := &tencent.Client{BaseURL: srv.URL, SDKAppID: 1400000004, Identifier: "administrator", UserSig: officialSig(t, 1400000004, "slow-key", "administrator")}
	var codes []int
	for range 4 {
		codes = append(codes, tcCall(t, slow, "/v4/im_open_login_svc/account_check", map[string]any{"CheckItem": []map[string]string{{"UserID": "x"}}}).ErrorCode)
	}
	if codes[3] != 60007 {
		t.Errorf("4 quick calls at 2/s: %v, want the last 60007", codes)
	}
	if c := tcCall(t, slow, "/v4/im_open_login_svc/multiaccount_import", map[string]any{"Accounts": []string{"x"}}).ErrorCode; c != 0 {
		t.Errorf("another API of the same app: ErrorCode %d, want 0 (limits are per API)", c)
	}
}
