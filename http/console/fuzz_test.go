package console_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/console"
	"github.com/amity-im/amity/http/native"
	"github.com/amity-im/amity/internal/testenv"
)

// FuzzConsoleAPI calls every console API route that answers JSON with
// fuzzed parameters, logged in (the dead-letter replay as the page sends
// it, by POST): no answer is a 5xx, and none writes to the stream. The
// live feed, a stream of server-sent events, is left out.
func FuzzConsoleAPI(f *testing.F) {
	for _, s := range []struct{ route, app, user, p string }{
		{"user", "a", "u0", "0"}, {"user", "a", "", "-1"}, {"user", "nope", "u0", "99999999999999999999"},
		{"history/friends", "a", "u0", "9223372036854775807"}, {"history/friends", "a", "u0", "253402300800000"},
		{"history/changes", "a", "u0", "18446744073709551615"}, {"history/pairs/history", "a", "u0", "u1"},
		{"history/requests", "a", "u0", "received"}, {"history/nothing", "a", "u0", ""},
		{"deadletters", "a", "", ""}, {"deadletters", "a", "", "x"}, {"deadletters", "nope", "", "x"}, {"apps", "", "", ""}, {"status", "", "", ""},
		{"users", "a", "u", "1"}, {"users", "a", "", "u0"}, {"users", "a", "\xff", "501"}, {"neighbourhood", "a", "u0", ""}, {"neighbourhood", "a", "", ""},
		{"overview", "a", "", ""}, {"overview", "nope", "", ""},
	} {
		f.Add(s.route, s.app, s.user, s.p)
	}
	core := testenv.Start(f)
	app := &domain.App{Name: "a"}
	for _, cmds := range [][]domain.Command{
		{domain.RegisterUser{User: "u0"}, domain.RegisterUser{User: "u1"}},
		{domain.AddFriend{User: "u0", Friend: "u1", Reverse: &domain.Entry{}}},
	} {
		for _, r := range core.Writer.Execute(context.Background(), app, domain.Meta{}, cmds...) {
			if r.Err != nil {
				f.Fatal(r.Err)
			}
		}
	}
	nativeCfg := native.Config{Now: core.Now, History: core.Store, Index: core.Model, Writer: core.Writer, Requests: core.Model, NewID: core.NewID}
	srv := httptest.NewServer(amityhttp.NewHandler(console.Routes(console.Config{
		Apps: []*domain.App{app}, Admins: []console.Admin{{User: "ops", Password: "pw"}}, Read: core.Model, History: nativeCfg.Query,
		Status:      func(context.Context) any { return map[string]any{"status": "ready"} },
		DeadLetters: func(context.Context, string) ([]json.RawMessage, error) { return nil, nil },
		Replay:      func(context.Context, string) (int, int, error) { return 0, 0, nil },
	})))
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, route, appName, user, p string) {
		q := url.Values{"app": {appName}, "user": {user}, "offset": {p}, "limit": {p}, "as_of_seq": {p}, "as_of_time": {p}, "since": {p},
			"user_a": {user}, "user_b": {p}, "direction": {p}, "state": {p}, "prefix": {user}, "after": {p}}
		u, err := url.Parse(srv.URL + "/console/api/" + route)
		if err != nil {
			return // not a URL a client could send
		}
		u.RawQuery = q.Encode()
		before := core.LastSeq()
		method := http.MethodGet
		if route == "deadletters" && len(p)%2 == 1 {
			method = http.MethodPost
		}
		req, err := http.NewRequest(method, u.String(), nil)
		if err != nil {
			return
		}
		req.SetBasicAuth("ops", "pw")
		req.Header.Set("X-Amity-Console", "1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s: HTTP %d %s", method, u, resp.StatusCode, body)
		}
		if core.LastSeq() != before {
			t.Fatalf("%s %s wrote", method, u)
		}
	})
}
