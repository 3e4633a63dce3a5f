package apitest

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/amity-im/amity/http/zim"
)

// Obj is a JSON object of a request body.
type Obj = map[string]any

// ZIM calls the ZIM surface as one app, each call validated against
// Amity's description of the surface.
type ZIM struct {
	t testing.TB
	C *zim.Client
	V *Validator
}

// NewZIM calls the ZIM surface at baseURL as app appID.
func NewZIM(t testing.TB, baseURL string, appID uint32, secret string) *ZIM {
	t.Helper()
	v := ZIMValidator(t, baseURL)
	return &ZIM{t: t, V: v, C: &zim.Client{BaseURL: baseURL, AppID: appID, Secret: secret, HTTP: &http.Client{Transport: v}}}
}

// Post posts action's body.
func (z *ZIM) Post(action string, body any) zim.Answer {
	z.t.Helper()
	return z.PostCtx(context.Background(), action, body)
}

// PostCtx posts with ctx, which may mark a gap of the OpenAPI description
// (WithRequestGap).
func (z *ZIM) PostCtx(ctx context.Context, action string, body any) zim.Answer {
	z.t.Helper()
	var r zim.Answer
	if err := z.C.Call(ctx, http.MethodPost, action, nil, body, &r); err != nil {
		z.t.Fatal(err)
	}
	return r
}

// Get calls action by GET with query q.
func (z *ZIM) Get(action string, q url.Values) zim.Answer {
	z.t.Helper()
	var r zim.Answer
	if err := z.C.Call(context.Background(), http.MethodGet, action, q, nil, &r); err != nil {
		z.t.Fatal(err)
	}
	return r
}

// Relations maps each user of a CheckFriendsRelation answer to its
// relation.
func Relations(r zim.Answer) map[string]int {
	m := map[string]int{}
	for _, s := range r.Successes {
		m[s.UserId] = s.Relation
	}
	return m
}

// Users is a UserRegister body for ids, each named "name of <id>" with
// the avatar https://a/<id>.
func Users(ids ...string) Obj {
	var infos []map[string]string
	for _, id := range ids {
		infos = append(infos, map[string]string{"UserId": id, "UserName": "name of " + id, "UserAvatar": "https://a/" + id})
	}
	return Obj{"UserInfo": infos}
}

// WantCode fails t unless r's Code is code.
func WantCode(t testing.TB, what string, r zim.Answer, code int) {
	t.Helper()
	if r.Code != code {
		t.Errorf("%s: Code = %d (%s), want %d", what, r.Code, r.Message, code)
	}
}

// WantSub fails t unless the failed items of r are exactly want, user to
// SubCode.
func WantSub(t testing.TB, what string, r zim.Answer, want map[string]int) {
	t.Helper()
	got := r.SubCodes()
	if len(got) != len(want) {
		t.Errorf("%s: failed items = %v, want %v", what, got, want)
		return
	}
	for id, code := range want {
		if got[id] != code {
			t.Errorf("%s: SubCode of %q = %d, want %d (all: %v)", what, id, got[id], code, got)
		}
	}
}

// IDs is n user IDs: prefix0, prefix1, ...
func IDs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}
