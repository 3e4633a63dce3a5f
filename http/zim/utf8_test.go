package zim

import (
	"context"
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

// countingWriter counts the commands that reach it and refuses them.
type countingWriter struct{ n int }

func (w *countingWriter) Execute(_ context.Context, _ *domain.App, _ domain.Meta, cmds ...domain.Command) []domain.Result {
	w.n += len(cmds)
	return refusingWriter{}.Execute(context.Background(), nil, domain.Meta{}, cmds...)
}

// TestInvalidUTF8IsAParameterError: a body with a byte that is not UTF-8
// (here in a friend alias) is refused before any command, instead of being
// stored with U+FFFD in its place.
func TestInvalidUTF8IsAParameterError(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	app := &domain.App{Name: "a", ZIM: &domain.ZIMApp{AppID: 1, ServerSecret: "s", QPS: 1 << 30}}
	w := &countingWriter{}
	srv := New(amityhttp.Deps{Apps: []*domain.App{app}, Writer: w, Read: projections.NewModel(),
		Now: func() time.Time { return now }, NewID: func() string { return "r" }})
	for name, tc := range map[string]struct {
		body string
		code int
	}{
		"invalid byte in an alias": {`{"FromUserId":"alice","FriendInfos":[{"UserId":"bob","FriendAlias":"b\xffb"}]}`, codeInvalidParam},
		"valid UTF-8 alias":        {`{"FromUserId":"alice","FriendInfos":[{"UserId":"bob","FriendAlias":"bøb"}]}`, codeOperatorUnregistered},
	} {
		w.n = 0
		q := SignedQuery("AddFriends", 1, "s", "nonce-"+name, now)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/?"+q.Encode(), strings.NewReader(tc.body)))
		var r struct{ Code int }
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || r.Code != tc.code {
			t.Errorf("%s: HTTP %d %s, want Code %d", name, rec.Code, rec.Body, tc.code)
		}
		if refused := tc.code == codeInvalidParam; refused && w.n != 0 {
			t.Errorf("%s: %d commands reached the writer", name, w.n)
		}
	}
}
