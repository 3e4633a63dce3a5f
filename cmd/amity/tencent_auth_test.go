package main

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/http/tencent"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// tencentSig encodes raw bytes the way a UserSig is encoded.
func tencentSig(raw []byte) string {
	return strings.NewReplacer("+", "*", "/", "-", "=", "_").Replace(base64.StdEncoding.EncodeToString(raw))
}

func zlibbed(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

func TestGenUserSigVerifiesWithTencentsLibrary(t *testing.T) {
	now := time.Now()
	sig, err := tencent.GenUserSig(1400000002, "tc-key", "administrator", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := tencentyun.VerifyUserSig(1400000002, "tc-key", "administrator", sig, now); err != nil {
		t.Errorf("tencentyun.VerifyUserSig(our sig) = %v", err)
	}
	if err := tencentyun.VerifyUserSig(1400000002, "other-key", "administrator", sig, now); err == nil {
		t.Error("tencentyun.VerifyUserSig accepted our sig under another key")
	}
}

func TestTencentAuthAndBadInput(t *testing.T) {
	s := startService(t, tencentConfig, "")
	tc := s.tencent(t, 1400000002, "tc-key")
	wantTC(t, "import", tc.call(pMultiImport, accounts("alice", "bob")), 0)
	before := s.streamLastSeq(t)
	body := obj{"From_Account": "alice", "AddFriendItem": []obj{{"To_Account": "bob", "AddSource": "AddSource_Type_Web"}}}

	past, _ := tencent.GenUserSig(1400000002, "tc-key", "administrator", time.Minute, time.Now().Add(-time.Hour))
	if err := tencentyun.VerifyUserSig(1400000002, "tc-key", "administrator", past, time.Now()); err != tencentyun.ErrExpired {
		t.Fatalf("tencentyun says the back-dated sig is %v, want expired", err)
	}
	query := func(mut func(q url.Values)) url.Values {
		q := url.Values{"sdkappid": {"1400000002"}, "identifier": {"administrator"},
			"usersig": {officialSig(t, 1400000002, "tc-key", "administrator")}, "random": {"12345"}, "contenttype": {"json"}}
		mut(q)
		return q
	}
	ctx := withRequestGap(context.Background(), "invalid on purpose")
	tests := []struct {
		name string
		q    url.Values
		code int
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
		{"sig not zlib", query(func(q url.Values) { q.Set("usersig", tencentSig([]byte("plain text"))) }), 70005},
		{"sig not JSON", query(func(q url.Values) { q.Set("usersig", tencentSig(zlibbed([]byte("{nope")))) }), 70010},
		{"sig without version", query(func(q url.Values) {
			q.Set("usersig", tencentSig(zlibbed([]byte(`{"TLS.identifier":"administrator"}`))))
		}), 70008},
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
	}
	for _, tt := range tests {
		var r tcResp
		if err := tc.c.Raw(ctx, http.MethodPost, pFriendAdd, tt.q, body, &r); err != nil {
			t.Fatal(err)
		}
		if tt.code == 0 { // any refusal of the 70003-70010 family
			if r.ErrorCode < 70003 || r.ErrorCode > 70010 {
				t.Errorf("%s: ErrorCode %d (%s), want one of 70003-70010", tt.name, r.ErrorCode, r.ErrorInfo)
			}
			continue
		}
		if r.ErrorCode != tt.code || r.ActionStatus != "FAIL" || r.ErrorDisplay == nil {
			t.Errorf("%s: %s %d (%s), ErrorDisplay %v; want FAIL %d", tt.name, r.ActionStatus, r.ErrorCode, r.ErrorInfo, r.ErrorDisplay, tt.code)
		}
	}

	// Bad input gets Tencent's error with HTTP 200 and writes nothing.
	for _, tt := range []struct {
		name   string
		method string
		path   string
		body   any
		code   int
	}{
		{"malformed JSON", http.MethodPost, pFriendAdd, []byte(`{"From_Account":`), 60003},
		{"wrong type", http.MethodPost, pFriendAdd, []byte(`{"From_Account":7,"AddFriendItem":[]}`), 60003},
		{"wrong item type", http.MethodPost, pFriendImport, []byte(`{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddTime":"yesterday"}]}`), 60003},
		{"no items", http.MethodPost, pFriendAdd, []byte(`{"From_Account":"alice"}`), 30001},
		{"no From_Account", http.MethodPost, pFriendCheck, []byte(`{"To_Account":["bob"],"CheckType":"CheckResult_Type_Both"}`), 30001},
		{"bad CheckType", http.MethodPost, pFriendCheck, []byte(`{"From_Account":"alice","To_Account":["bob"],"CheckType":"Both"}`), 30001},
		{"no StartIndex", http.MethodPost, pFriendGet, []byte(`{"From_Account":"alice"}`), 30001},
		{"account API without accounts", http.MethodPost, pAccountCheck, []byte(`{"CheckItem":[]}`), 70402},
		{"oversized body", http.MethodPost, pFriendAdd, []byte(`{"x":"` + strings.Repeat("x", tencent.MaxBodyBytes) + `"}`), 60002},
		{"GET", http.MethodGet, pFriendAdd, nil, 60002},
		{"unknown API", http.MethodPost, "/v4/sns/friend_poke", body, 60009},
	} {
		q, err := tc.c.Query()
		if err != nil {
			t.Fatal(err)
		}
		var r tcResp
		if err := tc.c.Raw(ctx, tt.method, tt.path, q, tt.body, &r); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if r.ErrorCode != tt.code || r.ActionStatus != "FAIL" {
			t.Errorf("%s: %s %d (%s), want FAIL %d", tt.name, r.ActionStatus, r.ErrorCode, r.ErrorInfo, tt.code)
		}
	}
	if after := s.streamLastSeq(t); after != before {
		t.Errorf("refused requests wrote to the stream: last sequence %d -> %d", before, after)
	}

	// A UserSig made by Tencent's own library is accepted.
	r := tc.call(pFriendAdd, body)
	wantItems(t, "add with an official usersig", r, map[string]int{"bob": 0})

	// Per-app, per-API call rate.
	slow := s.tencent(t, 1400000004, "slow-key")
	var codes []int
	for range 4 {
		codes = append(codes, slow.call(pAccountCheck, obj{"CheckItem": []obj{{"UserID": "x"}}}).ErrorCode)
	}
	if codes[3] != 60007 {
		t.Errorf("4 quick calls at 2/s: %v, want the last 60007", codes)
	}
	if c := slow.call(pMultiImport, accounts("x")).ErrorCode; c != 0 {
		t.Errorf("another API of the same app: ErrorCode %d, want 0 (limits are per API)", c)
	}
}
