package zim

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/projections"
)

func FuzzZIMDecode(f *testing.F) {
	for _, s := range []string{
		`{"FromUserId":"alice","FriendInfos":[{"UserId":"bob","Attributes":[{"Key":"k0","Value":"v"}]}]}`,
		`{"FromUserId":"alice","UserIds":["bob"],"CheckType":0}`,
		`{"FromUserId":"alice","UserIds":[{"UserId":"bob","FriendAlias":"x"}]}`,
		`{"FromUserId":"alice","UserId":"bob","Attributes":[{"Key":"k9","Value":"v"}]}`,
		`{"UserInfo":[{"UserId":"a"}]}`, `{"UserIds":["a"]}`, `[]`, `{`,
	} {
		for _, a := range (&Server{}).actions() {
			action := a.name
			f.Add(action, s)
		}
	}
	now := time.Unix(1_700_000_000, 0)
	app := &App{App: &domain.App{Name: "a"}, AppID: 1, ServerSecret: "s", QPS: 1 << 30}
	read := projections.NewModel()
	read.Apply("amity.a.user.0", 1, domain.Commit{ID: "c", App: "a", Events: []domain.Event{
		{App: "a", Data: domain.UserRegistered{User: "alice"}}}})
	srv := New(amityhttp.Deps{Writer: testenv.RefusingWriter{}, Read: read,
		Now: func() time.Time { return now }, NewID: func() string { return "r" }}, app)
	h := srv.Routes().Handler()
	n := 0
	f.Fuzz(func(t *testing.T, action, body string) {
		n++
		q := SignedQuery(action, 1, "s", "n"+strings.Repeat("x", n%7)+string(rune('a'+n%26))+time.Duration(n).String(), now)
		q.Set("FromUserId", "alice")
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			q.Set("SignatureNonce", url.QueryEscape(method+q.Get("SignatureNonce")))
			q.Set("Signature", Sign(1, q.Get("SignatureNonce"), "s", now.Unix()))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(method, "/?"+q.Encode(), strings.NewReader(body)))
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"Code":`) {
				t.Fatalf("%s %s %q: HTTP %d %s", method, action, body, rec.Code, rec.Body)
			}
		}
	})
}
