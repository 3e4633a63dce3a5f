package tencent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
)

// TestTencentCallbacksSignedWithTheAppToken: with a token, every
// Tencent-style callback carries RequestTime and Sign, the SHA-256 of the
// token and the time; without one, neither.
func TestTencentCallbacksSignedWithTheAppToken(t *testing.T) {
	got := make(chan url.Values, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.Query()
	}))
	defer backend.Close()
	now := time.Unix(1_767_225_600, 0)
	s := &delivery.Sender{Client: backend.Client(), Now: func() time.Time { return now }, Styles: map[string]delivery.Style{"tencent": Callbacks{Apps: map[string]*App{"a": {SDKAppID: 1400000001}}}}}
	d := delivery.Delivery{App: "a", Command: CmdFriendAdd, EventID: "e1", Seq: 7, Body: []byte(`{}`)}
	for _, token := range []string{"app-webhook-token", ""} {
		app := &domain.App{Name: "a",
			Callback: &domain.Callback{URL: backend.URL + "/cb?x=1", Style: "tencent", Token: token}}
		if err := s.Send(context.Background(), app, d); err != nil {
			t.Fatal(err)
		}
		q := <-got
		if token == "" {
			if q.Has("Sign") || q.Has("RequestTime") {
				t.Errorf("unsigned app: callback query %v carries a Sign", q)
			}
			continue
		}
		sum := sha256.Sum256([]byte(token + "1767225600"))
		if q.Get("RequestTime") != "1767225600" || q.Get("Sign") != hex.EncodeToString(sum[:]) {
			t.Errorf("callback query %v, want RequestTime 1767225600 and Sign %x", q, sum)
		}
		if q.Get("x") != "1" || q.Get("CallbackCommand") != CmdFriendAdd || q.Get("SdkAppid") != "1400000001" {
			t.Errorf("callback query %v lost the URL's own parameters or Tencent's", q)
		}
	}
}
