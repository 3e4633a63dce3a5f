package console_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/console"
	"github.com/amity-im/amity/projections"
	"golang.org/x/crypto/bcrypt"
)

// syncLog is a log the console writes while the test reads it.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *syncLog) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// consoleWith serves a console with admins and trusted proxies, and
// returns its URL and its log.
func consoleWith(t *testing.T, admins []console.Admin, proxies ...string) (string, *syncLog) {
	t.Helper()
	logs := &syncLog{}
	var trusted []netip.Prefix
	for _, p := range proxies {
		trusted = append(trusted, netip.MustParsePrefix(p))
	}
	h := amityhttp.NewHandler(console.Routes(console.Config{
		Apps: []*domain.App{{Name: "a"}}, Admins: admins, Read: projections.NewModel(), TrustedProxies: trusted,
		Status: func(context.Context) any { return map[string]any{"status": "ready"} },
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL, logs
}

func basic(t *testing.T, base, user, password string, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/console/api/status", nil)
	req.SetBasicAuth(user, password)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func formLogin(t *testing.T, base, user, password string, header map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/console/login", strings.NewReader(url.Values{"user": {user}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestBasicAuthGuessesAreLimitedAndLogged: wrong passwords through Basic
// auth are refused five times, then the name is refused with 429 however
// the next try goes; each failure is logged at warn with the name and
// the address.
func TestBasicAuthGuessesAreLimitedAndLogged(t *testing.T) {
	base, logs := consoleWith(t, []console.Admin{{User: "ops", Password: "pw"}})
	counts := map[int]int{}
	for range 200 {
		code, _ := basic(t, base, "ops", "guess", nil)
		counts[code]++
	}
	if counts[http.StatusUnauthorized] != 5 || counts[http.StatusTooManyRequests] != 195 {
		t.Errorf("200 wrong Basic logins answered %v, want 5 × 401 then 195 × 429", counts)
	}
	if code, _ := basic(t, base, "ops", "pw", nil); code != http.StatusTooManyRequests {
		t.Errorf("the right password while the name is refused: HTTP %d, want 429", code)
	}
	if n := strings.Count(logs.String(), `level=WARN msg="console: login refused" user=ops remote=127.0.0.1`); n != 5 {
		t.Errorf("%d warnings of a refused login naming the user and the address, want 5:\n%s", n, logs)
	}
}

// TestUnknownNamesAndWrongPasswordsLookAlike: both get the same answer.
func TestUnknownNamesAndWrongPasswordsLookAlike(t *testing.T) {
	base, _ := consoleWith(t, []console.Admin{{User: "ops", Password: "pw"}})
	c1, b1 := basic(t, base, "ops", "wrong", nil)
	c2, b2 := basic(t, base, "nobody", "wrong", nil)
	if c1 != c2 || b1 != b2 || c1 != http.StatusUnauthorized {
		t.Errorf("wrong password: %d %s; unknown name: %d %s; want the same 401", c1, b1, c2, b2)
	}
	r1, r2 := formLogin(t, base, "ops", "wrong", nil), formLogin(t, base, "nobody", "wrong", nil)
	if r1.StatusCode != r2.StatusCode || r1.Header.Get("Location") != r2.Header.Get("Location") || r1.Header.Get("Location") != "/console/login?failed" {
		t.Errorf("form: wrong password %d %s, unknown name %d %s", r1.StatusCode, r1.Header.Get("Location"), r2.StatusCode, r2.Header.Get("Location"))
	}
}

// TestBcryptLoginsAreCheckedAsBcrypt: an admin whose password the apps
// file holds as a bcrypt hash logs in with the password, and the hash
// itself is refused, by Basic auth and by the form.
func TestBcryptLoginsAreCheckedAsBcrypt(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := consoleWith(t, []console.Admin{{User: "ops", Password: string(hash)}})
	if code, body := basic(t, base, "ops", "s3cret", nil); code != http.StatusOK {
		t.Errorf("Basic with the password: HTTP %d %s", code, body)
	}
	if code, _ := basic(t, base, "ops", string(hash), nil); code != http.StatusUnauthorized {
		t.Errorf("Basic with the hash itself: HTTP %d, want 401", code)
	}
	if r := formLogin(t, base, "ops", string(hash), nil); r.Header.Get("Location") != "/console/login?failed" || len(r.Cookies()) > 0 {
		t.Errorf("the form with the hash itself: %d %s, cookies %v", r.StatusCode, r.Header.Get("Location"), r.Cookies())
	}
	if r := formLogin(t, base, "ops", "s3cret", nil); r.Header.Get("Location") != "/console/" || len(r.Cookies()) != 1 {
		t.Errorf("the form with the password: %d %s, cookies %v", r.StatusCode, r.Header.Get("Location"), r.Cookies())
	}
}

// TestConsoleAnswersCarryProtectiveHeaders: every page, file and API
// answer, logged in or not.
func TestConsoleAnswersCarryProtectiveHeaders(t *testing.T) {
	base, _ := consoleWith(t, []console.Admin{{User: "ops", Password: "pw"}})
	for _, c := range []struct{ path, user string }{
		{"/console/login", ""}, {"/console/", ""}, {"/console/", "ops"}, {"/console/static/console.js", "ops"},
		{"/console/api/status", ""}, {"/console/api/status", "ops"},
	} {
		req, _ := http.NewRequest(http.MethodGet, base+c.path, nil)
		if c.user != "" {
			req.SetBasicAuth(c.user, "pw")
		}
		resp, err := noRedirects.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s as %q (HTTP %d): headers %v", c.path, c.user, resp.StatusCode, h)
		}
	}
}

// TestSessionCookieIsSecureOverTLS: the cookie is Secure when a trusted
// proxy says the request came over TLS, and only then.
func TestSessionCookieIsSecureOverTLS(t *testing.T) {
	admins := []console.Admin{{User: "ops", Password: "pw"}}
	behind, _ := consoleWith(t, admins, "127.0.0.0/8")
	open, _ := consoleWith(t, admins)
	for _, c := range []struct {
		name   string
		base   string
		header map[string]string
		secure bool
	}{
		{"trusted proxy, https", behind, map[string]string{"X-Forwarded-Proto": "https"}, true},
		{"trusted proxy, http", behind, map[string]string{"X-Forwarded-Proto": "http"}, false},
		{"no trusted proxy, a header saying https", open, map[string]string{"X-Forwarded-Proto": "https"}, false},
	} {
		r := formLogin(t, c.base, "ops", "pw", c.header)
		if len(r.Cookies()) != 1 || r.Cookies()[0].Secure != c.secure {
			t.Errorf("%s: cookies %v, want one, Secure %v", c.name, r.Cookies(), c.secure)
		}
	}
}

// TestLoginLimitsCountTheForwardedClient: behind a trusted proxy, each
// client address has its own limit, taken from X-Forwarded-For; a
// client that is not trusted cannot pick an address of its own.
func TestLoginLimitsCountTheForwardedClient(t *testing.T) {
	admins := []console.Admin{{User: "ops", Password: "pw"}, {User: "dev", Password: "pw2"}}
	base, logs := consoleWith(t, admins, "127.0.0.1/32")
	for range 6 {
		basic(t, base, "guess", "x", map[string]string{"X-Forwarded-For": "203.0.113.9, 127.0.0.1"})
	}
	if code, _ := basic(t, base, "ops", "pw", map[string]string{"X-Forwarded-For": "203.0.113.9"}); code != http.StatusTooManyRequests {
		t.Errorf("the guessing client with a right login: HTTP %d, want 429", code)
	}
	if code, _ := basic(t, base, "dev", "pw2", map[string]string{"X-Forwarded-For": "198.51.100.4"}); code != http.StatusOK {
		t.Errorf("another client behind the same proxy: HTTP %d, want 200", code)
	}
	if !strings.Contains(logs.String(), "remote=203.0.113.9") {
		t.Errorf("the log does not name the forwarded client:\n%s", logs)
	}
	open, _ := consoleWith(t, admins)
	for range 6 {
		basic(t, open, "guess", "x", map[string]string{"X-Forwarded-For": "203.0.113.9"})
	}
	if code, _ := basic(t, open, "dev", "pw2", map[string]string{"X-Forwarded-For": "198.51.100.4"}); code != http.StatusTooManyRequests {
		t.Errorf("an untrusted client's own X-Forwarded-For was believed: HTTP %d, want 429 (its address is refused)", code)
	}
}
