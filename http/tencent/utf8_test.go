package tencent

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/projections"
)

// TestInvalidUTF8IsAJSONError: a body with a byte that is not UTF-8 (here
// in a remark) is refused as malformed JSON, instead of being stored with
// U+FFFD in its place.
func TestInvalidUTF8IsAJSONError(t *testing.T) {
	now := time.Now()
	app := &domain.App{Name: "a", Tencent: &domain.TencentApp{SDKAppID: 1, SecretKey: "k", Admins: []string{"admin"}, QPS: 1 << 30}}
	srv := New(amityhttp.Deps{Apps: []*domain.App{app}, Writer: refusingWriter{}, Read: projections.NewModel(),
		Now: func() time.Time { return now }, NewID: func() string { return "r" }})
	sig, err := GenUserSig(1, "k", "admin", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		body string
		bad  bool
	}{
		"invalid byte in a remark": {`{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","Remark":"b\xffb","AddSource":"AddSource_Type_Web"}]}`, true},
		"valid UTF-8 remark":       {`{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","Remark":"bøb","AddSource":"AddSource_Type_Web"}]}`, false},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/v4/sns/friend_add?sdkappid=1&identifier=admin&random=1&contenttype=json&usersig="+sig, strings.NewReader(tc.body))
		srv.ServeHTTP(rec, req)
		var r struct{ ErrorCode int }
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v: %s", name, err, rec.Body)
		}
		if got := r.ErrorCode == codeJSONParse; got != tc.bad {
			t.Errorf("%s: ErrorCode %d (%s), want 60003: %v", name, r.ErrorCode, rec.Body, tc.bad)
		}
	}
}
