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
	srv, asked, _ := consoleServerStopping(t)
	return srv, asked
}

// consoleServerStopping is consoleServer with the channel whose closing
// tells the console the server is shutting down.
func consoleServerStopping(t *testing.T) (*httptest.Server, *[]string, chan struct{}) {
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
		domain.Event{App: "a", Time: at, Data: domain.UserBlocked{User: "u0", Target: "f002"}},
		// f003 and f004 are friends of each other; f005 asks u0.
		domain.Event{App: "a", Time: at, Data: domain.FriendAdded{User: "f003", Friend: "f004", Entry: &domain.Entry{}, Reverse: &domain.Entry{}}},
		domain.Event{App: "a", Time: at, Data: domain.FriendRequestSent{User: "f005", Target: "u0", Entry: domain.Entry{Wording: "hello"}}},
		domain.Event{App: "a", Time: at, Data: domain.UserMuted{User: "u0", Target: "f006"}})
	m.Apply("amity.a.rel.0", 1, domain.Commit{ID: "c", App: "a", Events: evs})
	var asked []string
	stopping := make(chan struct{})
	r := amityhttp.NewHandler(console.Routes(console.Config{
		Stopping: stopping,
		Apps:     []*domain.App{{Name: "a"}, {Name: "b"}},
		Admins:   []console.Admin{{User: "ops", Password: "pw"}},
		Read:     m,
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
	return srv, &asked, stopping
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
		// The style and script hold no data: the login page uses them.
		{"/console/static/console.js", "", "", 200},
		{"/console/static/console.css", "", "", 200},
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

// get reads a console API answer as ops.
func get(t *testing.T, srv *httptest.Server, path string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.SetBasicAuth("ops", "pw")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: %v: %s", path, err, b)
		}
	}
	return resp.StatusCode
}

// TestLoginPageSaysWhyItIsBack: after a refused login the form says so;
// before one it does not.
func TestLoginPageSaysWhyItIsBack(t *testing.T) {
	srv, _ := consoleServer(t)
	for path, want := range map[string]bool{"/console/login": false, "/console/login?failed": true} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		said := strings.Contains(string(b), `<p id="failed" class="error" role="alert">`) && !strings.Contains(string(b), "hidden")
		if said != want || !strings.Contains(string(b), `href="/console/static/console.css"`) {
			t.Errorf("%s says the login failed: %v, want %v:\n%s", path, said, want, b)
		}
	}
}

// TestConsoleAPINamesAreSnakeCase: every key of the console's answers is
// snake_case, as the rest of its API (the vendors' own field names inside
// an entry's custom fields aside).
func TestConsoleAPINamesAreSnakeCase(t *testing.T) {
	srv, _ := consoleServer(t)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if strings.ToLower(k) != k || strings.Contains(k, "-") {
					t.Errorf("%s: key %q is not snake_case", path, k)
				}
				if k != "custom" && k != "attributes" {
					walk(path+"."+k, x)
				}
			}
		case []any:
			for _, x := range v {
				walk(path, x)
			}
		}
	}
	for _, path := range []string{"/console/api/user?app=a&user=u0", "/console/api/users?app=a", "/console/api/neighbourhood?app=a&user=u0",
		"/console/api/overview?app=a", "/console/api/apps", "/console/api/deadletters?app=a"} {
		var v any
		if code := get(t, srv, path, &v); code != 200 {
			t.Fatalf("%s: HTTP %d", path, code)
		}
		walk(path, v)
	}
}

// TestUsersAreFoundByPrefixAndPaged: the users page lists by ID prefix in
// ID order, says how many match, and pages by a cursor.
func TestUsersAreFoundByPrefixAndPaged(t *testing.T) {
	srv, _ := consoleServer(t)
	type page struct {
		Users []struct {
			ID      string `json:"user_id"`
			Name    string `json:"name"`
			Friends int    `json:"friend_total"`
		} `json:"users"`
		Matched int    `json:"matched"`
		Next    string `json:"next"`
	}
	ids := func(p page) string {
		var out []string
		for _, u := range p.Users {
			out = append(out, u.ID)
		}
		return strings.Join(out, ",")
	}
	var p page
	get(t, srv, "/console/api/users?app=a&prefix=f00&limit=5", &p)
	if ids(p) != "f001,f002,f003,f004,f005" || p.Matched != 9 || p.Next != "f005" || p.Users[0].Friends != 0 || p.Users[2].Friends != 1 {
		t.Errorf("first page of f00: %s, %d matched, next %q, %+v", ids(p), p.Matched, p.Next, p.Users[0])
	}
	p = page{}
	get(t, srv, "/console/api/users?app=a&prefix=f00&limit=5&after=f005", &p)
	if ids(p) != "f006,f007,f008,f009" || p.Next != "" {
		t.Errorf("second page of f00: %s, next %q", ids(p), p.Next)
	}
	p = page{}
	get(t, srv, "/console/api/users?app=a&prefix=u", &p)
	if ids(p) != "u0" || p.Users[0].Name != "Zero" || p.Users[0].Friends != 120 {
		t.Errorf("prefix u: %+v", p)
	}
	p = page{}
	if get(t, srv, "/console/api/users?app=b", &p); p.Matched != 0 || len(p.Users) != 0 {
		t.Errorf("another app's users: %+v", p)
	}
	for q, want := range map[string]int{"app=a&limit=0": 400, "app=a&prefix=" + strings.Repeat("x", 65): 400, "app=zz": 404} {
		if code := get(t, srv, "/console/api/users?"+q, nil); code != want {
			t.Errorf("users?%s: HTTP %d, want %d", q, code, want)
		}
	}
}

// TestNeighbourhoodAndRequests: a user's neighbourhood names the first
// friends, the ties among them and the blocked; the user's answer lists
// the requests with their wording and state.
func TestNeighbourhoodAndRequests(t *testing.T) {
	srv, _ := consoleServer(t)
	var n struct {
		Friends     []string `json:"friends"`
		FriendTotal int      `json:"friend_total"`
		Links       [][2]int `json:"links"`
		Blocked     []string `json:"blocked"`
	}
	get(t, srv, "/console/api/neighbourhood?app=a&user=u0", &n)
	if len(n.Friends) != 40 || n.FriendTotal != 120 || n.Friends[2] != "f003" || len(n.Links) != 1 || n.Links[0] != [2]int{2, 3} ||
		strings.Join(n.Blocked, ",") != "f001,f002" {
		t.Errorf("neighbourhood of u0: %+v", n)
	}
	if code := get(t, srv, "/console/api/neighbourhood?app=a", nil); code != 400 {
		t.Errorf("a neighbourhood of no one: HTTP %d", code)
	}
	var u struct {
		Requests map[string][]struct {
			From, To, Wording, State string
			ExpireTime               int64 `json:"expire_time"`
		} `json:"requests"`
		Follows map[string]int `json:"follows"`
		Mutes   []struct {
			UserID string `json:"user_id"`
			Since  int64  `json:"since"`
		} `json:"mutes"`
	}
	get(t, srv, "/console/api/user?app=a&user=u0", &u)
	if r := u.Requests["received"]; len(r) != 1 || r[0].From != "f005" || r[0].Wording != "hello" || r[0].State != "waiting" || len(u.Requests["sent"]) != 0 {
		t.Errorf("u0's requests: %+v", u.Requests)
	}
	if _, ok := u.Follows["followers"]; !ok {
		t.Errorf("follows: %v", u.Follows)
	}
	if len(u.Mutes) != 1 || u.Mutes[0].UserID != "f006" || u.Mutes[0].Since != 1_700_000_000_000 {
		t.Errorf("u0's mutes: %+v", u.Mutes)
	}
}

// TestFeedEndsWhenTheServerStops: a live feed, which never goes idle,
// ends when the server shuts down, so that it does not hold the shutdown.
func TestFeedEndsWhenTheServerStops(t *testing.T) {
	srv, _, stopping := consoleServerStopping(t)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/console/api/feed?app=a", nil)
	req.SetBasicAuth("ops", "pw")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	ended := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, resp.Body); ended <- err }()
	close(stopping)
	select {
	case err := <-ended:
		if err != nil {
			t.Errorf("the feed ended with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the feed did not end when the server began to stop")
	}
}
