package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/console"
	"github.com/amity-im/amity/projections"
)

// consoleServer serves the console over a model with user u0 and 120
// friends, two blocks and a group, for admin ops/pw.
func consoleServer(t *testing.T) (*httptest.Server, *[]string) {
	t.Helper()
	m := projections.NewModel()
	at := time.UnixMilli(1_700_000_000_000)
	evs := []domain.Event{{App: "a", Time: at, Data: domain.UserRegistered{User: "u0", Name: "Zero"}}}
	for i := 1; i <= 120; i++ {
		id := fmt.Sprintf("f%03d", i)
		evs = append(evs, domain.Event{App: "a", Time: at, Data: domain.UserRegistered{User: id}},
			domain.Event{App: "a", Time: at, Data: domain.FriendAdded{User: "u0", Friend: id, Entry: &domain.Entry{CreateTime: int64(i), Groups: []string{"g"}}}})
	}
	evs = append(evs, domain.Event{App: "a", Time: at, Data: domain.UserBlocked{User: "u0", Target: "f001"}},
		domain.Event{App: "a", Time: at, Data: domain.UserBlocked{User: "u0", Target: "f002"}})
	m.Apply("amity.a.rel.0", 1, domain.Commit{ID: "c", App: "a", Events: evs})
	var asked []string
	r := amityhttp.NewHandler(console.Routes(console.Config{
		Apps:   []*domain.App{{Name: "a"}, {Name: "b"}},
		Admins: []console.Admin{{User: "ops", Password: "pw"}},
		Read:   m,
		History: func(_ context.Context, app *domain.App, route string, q url.Values) (any, int) {
			asked = append(asked, app.Name+" "+route+" "+q.Get("user_a"))
			return map[string]any{"events": []any{}}, 200
		},
		Status:      func(context.Context) any { return map[string]any{"status": "ready"} },
		DeadLetters: func(context.Context, string) ([]json.RawMessage, error) { return nil, nil },
		Replay:      func(context.Context, string) (int, int, error) { return 2, 1, nil },
		Feed: func(ctx context.Context, app string, fn func(uint64, domain.Event)) error {
			fn(7, domain.Event{Type: domain.TypeFriendAdded, App: app, Data: domain.FriendAdded{User: "u0", Friend: "new", Entry: &domain.Entry{}}})
			<-ctx.Done()
			return nil
		},
	}))
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv, &asked
}

// TestConsoleAPI is one scenario, told in order: each step builds on the
// state the steps before it left, so it stays one function.
func TestConsoleAPI(t *testing.T) {
	srv, asked := consoleServer(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	call := func(method, path, user, password string, header map[string]string, cookie *http.Cookie) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	// Logins.
	for _, c := range []struct {
		path, user, password string
		want                 int
	}{
		{"/console/api/apps", "ops", "pw", 200},
		{"/console/api/apps", "ops", "PW", 401},
		{"/console/api/apps", "other", "pw", 401},
		{"/console/api/apps", "", "", 401},
		{"/console/", "", "", http.StatusSeeOther},
		{"/console/static/console.js", "", "", http.StatusSeeOther},
		{"/console/static/console.js", "ops", "pw", 200},
		{"/console/login", "", "", 200},
	} {
		if got, body := call(http.MethodGet, c.path, c.user, c.password, nil, nil); got != c.want {
			t.Errorf("GET %s as %q: HTTP %d, want %d: %s", c.path, c.user, got, c.want, body)
		}
	}
	resp, err := noRedirect.PostForm(srv.URL+"/console/login", url.Values{"user": {"ops"}, "password": {"pw"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		session = c
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || resp.Header.Get("Location") != "/console/" {
		t.Fatalf("login: %d %v %+v", resp.StatusCode, resp.Header, session)
	}
	if code, _ := call(http.MethodGet, "/console/", "", "", nil, session); code != 200 {
		t.Errorf("the page with the session: HTTP %d", code)
	}
	if code, _ := call(http.MethodPost, "/console/api/deadletters?app=a", "", "", nil, session); code != 403 {
		t.Errorf("a POST with the session but not from the page: HTTP %d", code)
	}
	if code, body := call(http.MethodPost, "/console/api/deadletters?app=a", "", "", map[string]string{"X-Amity-Console": "1"}, session); code != 200 || !strings.Contains(body, `"delivered":2`) {
		t.Errorf("replay from the page: HTTP %d %s", code, body)
	}
	if code, _ := call(http.MethodPost, "/console/api/deadletters?app=a", "ops", "pw", nil, nil); code != 403 {
		t.Errorf("a Basic POST without the header: HTTP %d", code)
	}
	if code, _ := call(http.MethodPost, "/console/api/deadletters?app=a", "ops", "pw", map[string]string{"X-Amity-Console": "1"}, nil); code != 200 {
		t.Errorf("a Basic POST with the header: HTTP %d", code)
	}
	resp, _ = noRedirect.Do(func() *http.Request {
		r, _ := http.NewRequest(http.MethodPost, srv.URL+"/console/logout", nil)
		r.AddCookie(session)
		return r
	}())
	resp.Body.Close()
	if code, _ := call(http.MethodGet, "/console/api/apps", "", "", nil, session); code != 401 {
		t.Errorf("after logout: HTTP %d", code)
	}

	// The user lookup pages the list and names the totals.
	var u struct {
		Registered bool
		Friends    []struct {
			UserID string `json:"user_id"`
		}
		FriendTotal int `json:"friend_total"`
		BlockTotal  int `json:"block_total"`
		Groups      []struct{ Name string }
	}
	code, body := call(http.MethodGet, "/console/api/user?app=a&user=u0&offset=100&limit=50", "ops", "pw", nil, nil)
	if err := json.Unmarshal([]byte(body), &u); err != nil || code != 200 {
		t.Fatalf("user: HTTP %d %s", code, body)
	}
	if !u.Registered || u.FriendTotal != 120 || len(u.Friends) != 20 || u.Friends[0].UserID != "f101" || u.BlockTotal != 2 || len(u.Groups) != 1 {
		t.Errorf("user page = %+v", u)
	}
	for q, want := range map[string]int{"app=zz&user=u0": 404, "app=a": 400, "app=a&user=u0&limit=0": 400, "app=a&user=u0&offset=-1": 400} {
		if code, body := call(http.MethodGet, "/console/api/user?"+q, "ops", "pw", nil, nil); code != want {
			t.Errorf("user?%s: HTTP %d, want %d: %s", q, code, want, body)
		}
	}
	// History goes to the native API, for the app named.
	if code, _ := call(http.MethodGet, "/console/api/history/pairs/history?app=b&user_a=x", "ops", "pw", nil, nil); code != 200 || len(*asked) != 1 || (*asked)[0] != "b /v1/pairs/history x" {
		t.Errorf("history: HTTP %d, asked %v", code, *asked)
	}

	// The feed sends each change as an event.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/console/api/feed?app=a", nil)
	req.SetBasicAuth("ops", "pw")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err = http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 4096)
	var got string
	for !strings.Contains(got, "\n\ndata: ") || !strings.HasSuffix(got, "\n\n") {
		n, err := resp.Body.Read(buf)
		if err != nil {
			t.Fatalf("feed: %v after %q", err, got)
		}
		got += string(buf[:n])
	}
	if resp.Header.Get("Content-Type") != "text/event-stream" || !strings.Contains(got, `"seq":7`) || !strings.Contains(got, `"friend":"new"`) {
		t.Errorf("feed: %s %q", resp.Header.Get("Content-Type"), got)
	}
	// A password is not guessed at line rate (last: the address and the
	// name are then refused for a while).
	limited := false
	for range 10 {
		resp, err := noRedirect.PostForm(srv.URL+"/console/login", url.Values{"user": {"ops"}, "password": {"guess"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		limited = limited || resp.StatusCode == http.StatusTooManyRequests
	}
	if !limited {
		t.Error("10 login attempts at once were all taken")
	}

}
