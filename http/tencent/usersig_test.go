package tencent

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/projections"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

func TestVerifyUserSigOfTencentsLibrary(t *testing.T) {
	sig, err := tencentyun.GenUserSig(1400000001, "key", "administrator", 600)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tests := []struct {
		name       string
		sdkappid   uint64
		key, ident string
		at         time.Time
		code       int
	}{
		{"valid", 1400000001, "key", "administrator", now, 0},
		{"wrong key", 1400000001, "other", "administrator", now, codeSigMismatch},
		{"wrong app", 1400000002, "key", "administrator", now, codeSDKAppIDMismatch},
		{"wrong identifier", 1400000001, "key", "ops", now, codeIdentifierMismatch},
		{"expired", 1400000001, "key", "administrator", now.Add(11 * time.Minute), codeSigExpired},
		{"stamped ahead within the skew", 1400000001, "key", "administrator", now.Add(-MaxClockSkew + time.Second), 0},
		{"stamped ahead beyond the skew", 1400000001, "key", "administrator", now.Add(-MaxClockSkew - time.Second), codeSigMismatch},
		{"stamped 11 days ahead", 1400000001, "key", "administrator", now.Add(-11 * 24 * time.Hour), codeSigMismatch},
	}
	for _, tt := range tests {
		_, got := verifyUserSig(sig, tt.sdkappid, tt.key, tt.ident, tt.at)
		if (got == nil && tt.code != 0) || (got != nil && got.Code != tt.code) {
			t.Errorf("%s: verifyUserSig = %v, want code %d", tt.name, got, tt.code)
		}
	}
}

func TestGenUserSigVerifiesWithTencentsLibrary(t *testing.T) {
	now := time.Now()
	sig, err := GenUserSig(1400000002, "tc-key", "administrator", time.Hour, now)
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

// FuzzTencentDecode feeds any body to every API: each must answer HTTP 200
// with Tencent's envelope and never panic.
func FuzzTencentDecode(f *testing.F) {
	for path := range endpoints {
		for _, b := range []string{
			`{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddSource":"AddSource_Type_Web","GroupName":"g"}]}`,
			`{"From_Account":"alice","UpdateItem":[{"To_Account":"bob","SnsItem":[{"Tag":"Tag_SNS_IM_Group","Value":["a"]}]}]}`,
			`{"From_Account":"alice","To_Account":["bob"],"CheckType":"CheckResult_Type_Both","TagList":["Tag_SNS_IM_Remark"]}`,
			`{"From_Account":"alice","StartIndex":0,"GroupName":["g"]}`,
			`{"Accounts":["a"],"CheckItem":[{"UserID":"a"}]}`, `{`, `[]`, `null`,
		} {
			f.Add(path, b)
		}
	}
	now := time.Now()
	app := &App{App: &domain.App{Name: "a"}, SDKAppID: 1, SecretKey: "k", Admins: []string{"admin"}, QPS: 1 << 30,
		CustomFields: []string{"Tag_SNS_Custom_X"}}
	read := projections.NewModel()
	read.Apply("amity.a.user.0", 1, domain.Commit{ID: "c", App: "a", Events: []domain.Event{{App: "a", Data: domain.UserRegistered{User: "alice"}}}})
	srv := New(amityhttp.Deps{Writer: testenv.RefusingWriter{}, Read: read,
		Now: func() time.Time { return now }, NewID: func() string { return "r" }}, app)
	sig, err := GenUserSig(1, "k", "admin", time.Hour, now)
	if err != nil {
		f.Fatal(err)
	}
	// Each path straight to its route's handler, as the router hands it
	// over (a path it would clean first is not the surface's to answer).
	table := srv.Routes()
	handlers := map[string]http.Handler{}
	for _, rt := range table.Routes {
		handlers[rt.Path] = rt.Handler
	}
	f.Fuzz(func(t *testing.T, path, body string) {
		h := handlers[path]
		if h == nil {
			h = table.NotFound
		}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/?sdkappid=1&identifier=admin&random=1&contenttype=json&usersig="+sig, strings.NewReader(body))
		req.URL.Path = path
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"ErrorCode":`) {
			t.Fatalf("%s %q: HTTP %d %s", path, body, rec.Code, rec.Body)
		}
	})
}

// TestSigCacheChecksWhatVerifyChecks: a cached UserSig is still refused
// after it expires, for another identifier or app, and a bad one is never
// cached.
func TestSigCacheChecksWhatVerifyChecks(t *testing.T) {
	sig, err := tencentyun.GenUserSig(1400000001, "key", "administrator", 600)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var c sigCache
	for i := range 2 {
		if err := c.verify(sig, 1400000001, "key", "administrator", now); err != nil {
			t.Fatalf("verify #%d = %v", i, err)
		}
	}
	if len(c.m) != 1 {
		t.Errorf("%d cached signatures, want 1", len(c.m))
	}
	for _, tt := range []struct {
		name     string
		sdkappid uint64
		ident    string
		at       time.Time
		code     int
	}{
		{"expired", 1400000001, "administrator", now.Add(11 * time.Minute), codeSigExpired},
		{"wrong identifier", 1400000001, "ops", now, codeIdentifierMismatch},
		{"wrong app", 1400000002, "administrator", now, codeSDKAppIDMismatch},
	} {
		if got := c.verify(sig, tt.sdkappid, "key", tt.ident, tt.at); got == nil || got.Code != tt.code {
			t.Errorf("%s: verify = %v, want code %d", tt.name, got, tt.code)
		}
	}
	if got := c.verify(sig[:len(sig)-4]+"AAAA", 1400000001, "key", "administrator", now); got == nil {
		t.Error("a damaged signature verified")
	}
	if len(c.m) != 1 {
		t.Errorf("refused signatures were cached: %d entries", len(c.m))
	}
	for i := range maxCachedSigs - 1 {
		c.m[sigKey{1400000001, "administrator", fmt.Sprint("filler", i)}] = now.Unix() + 60
	}
	other, _ := GenUserSig(1400000001, "key", "administrator", time.Hour, now)
	if err := c.verify(other, 1400000001, "key", "administrator", now); err != nil {
		t.Fatal(err)
	}
	if len(c.m) != 1 {
		t.Errorf("a full cache holds %d signatures after one more, want 1 (started again)", len(c.m))
	}
}
