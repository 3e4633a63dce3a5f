package native_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/amity-im/amity/http/zim"
)

// FuzzV1Routes calls every /v1 route with fuzzed query values and bodies,
// signed as the app: no answer is a 5xx, and a refused call (any 4xx)
// writes nothing.
func FuzzV1Routes(f *testing.F) {
	for _, s := range []struct{ route, a, b, body string }{
		{"/v1/friends", "a", "9223372036854775807", ""},
		{"/v1/friends", "a", "-1", ""},
		{"/v1/friends", "", "2262-04-12T00:00:00Z", ""},
		{"/v1/changes", "a", "18446744073709551615", ""},
		{"/v1/changes", "a", "0", ""},
		{"/v1/pairs/history", "a", "b", ""},
		{"/v1/requests", "b", "received", ""},
		{"/v1/requests/accept", "", "", `{"user":"b","from":"a","alias":"x","attributes":{"k0":"v"}}`},
		{"/v1/requests/accept", "", "", `{"user":"b","from":"a"} GARBAGE`},
		{"/v1/requests/reject", "", "", "{\"user\":\"b\",\"from\":\"\xff\"}"},
		{"/v1/requests/delete", "", "", `[]`},
		{"/v1/requests/accept", "", "", `{"user":"b","from":"a","attributes":{"k9":"v"}}`},
	} {
		f.Add(s.route, s.a, s.b, s.body)
	}
	core, base := requestsServer(f)
	z := &zim.Client{BaseURL: base, AppID: demo.AppID, Secret: demo.ServerSecret, Now: core.Now}
	var reg zim.Answer
	if err := z.Call(f.Context(), http.MethodPost, "UserRegister", nil, map[string]any{"UserInfo": []map[string]string{{"UserId": "a"}, {"UserId": "b"}}}, &reg); err != nil {
		f.Fatal(err)
	}
	routes := map[string]string{
		"/v1/friends": http.MethodGet, "/v1/changes": http.MethodGet, "/v1/pairs/history": http.MethodGet, "/v1/requests": http.MethodGet,
		"/v1/requests/accept": http.MethodPost, "/v1/requests/reject": http.MethodPost, "/v1/requests/delete": http.MethodPost,
	}
	f.Fuzz(func(t *testing.T, route, a, b, body string) {
		method, ok := routes[route]
		if !ok {
			route, method = "/v1/friends", http.MethodGet
		}
		q := url.Values{"user": {a}, "user_a": {a}, "user_b": {b}, "as_of_time": {b}, "as_of_seq": {b}, "since": {b}, "limit": {b},
			"direction": {b}, "state": {b}, "cursor": {b}}
		if method == http.MethodGet && len(b)%2 == 0 {
			q.Del("as_of_time") // half the calls by sequence, half by time
		}
		before := core.LastSeq()
		var out any
		var bodyArg any
		if method == http.MethodPost {
			bodyArg = body
		}
		code := v1(t, core, base, demo, method, route, q, bodyArg, &out)
		if code >= 500 {
			t.Fatalf("%s %s %v %q: HTTP %d %v", method, route, q, body, code, out)
		}
		if code >= 400 && core.LastSeq() != before {
			t.Fatalf("%s %s %q refused with %d but wrote (stream %d -> %d)", method, route, body, code, before, core.LastSeq())
		}
	})
}
