package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/chromedp/chromedp"
)

// browser finds Debian's chromium, which `make test-deps` (run by `make
// test`) installs. Without it the test fails in CI (CI set), where the
// Makefile must have installed it, and elsewhere is skipped saying why.
func browser(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	switch {
	case err == nil:
		return path
	case os.Getenv("CI") != "":
		t.Fatalf("no browser for the console test in CI: chromium is not installed (%v); make test-deps installs it", err)
	default:
		t.Skipf("no browser for the console test: chromium is not installed (%v); make test-deps installs it (as root, through apt-get)", err)
	}
	return ""
}

// screenshots is where the console test leaves its screenshots:
// $AMITY_TEST_OUTPUT/console, or test-output/console at the repository's
// root.
func screenshots(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("AMITY_TEST_OUTPUT")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-output")
	}
	dir = filepath.Join(dir, "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestConsoleLogins: only the apps file's admin NATS users enter, by the
// form or by HTTP Basic; other logins are refused.
func TestConsoleLogins(t *testing.T) {
	t.Parallel()
	cfg := `{"apps":[{"name":"demo","zim":{"app_id":1234567,"server_secret":"demo-secret"}}],
	 "nats_users":[{"user":"ops","password":"ops-secret","admin":true},{"user":"reader","password":"reader-secret","apps":["demo"]}]}`
	s := startService(t, cfg, "")
	s.natsURL = loginURL(s.natsURL, "ops", "ops-secret")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, user, password string) int {
		req, _ := http.NewRequest(http.MethodGet, s.httpURL+path, nil)
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		path, user, password string
		want                 int
	}{
		{"/console/api/apps", "ops", "ops-secret", 200},
		{"/console/", "ops", "ops-secret", 200},
		{"/console/api/apps", "ops", "wrong", 401},
		{"/console/api/apps", "reader", "reader-secret", 401},
		{"/console/api/apps", "", "", 401},
		{"/console/", "", "", http.StatusSeeOther},
		{"/console/api/user?app=nope&user=a", "ops", "ops-secret", 404},
	} {
		if got := get(c.path, c.user, c.password); got != c.want {
			t.Errorf("GET %s as %q/%q: HTTP %d, want %d", c.path, c.user, c.password, got, c.want)
		}
	}
	form := func(user, password string) string {
		resp, err := noRedirect.PostForm(s.httpURL+"/console/login", map[string][]string{"user": {user}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("Location") + " " + fmt.Sprint(len(resp.Cookies()))
	}
	if got := form("ops", "ops-secret"); got != "/console/ 1" {
		t.Errorf("the form with an admin's login: %s, want a cookie and /console/", got)
	}
	if got := form("reader", "reader-secret"); got != "/console/login?failed 0" {
		t.Errorf("the form with another login: %s", got)
	}
}

// TestConsoleInABrowser drives the console in Debian's chromium: log in,
// look up a user of a scripted scenario, see the friend list, open a
// pair's timeline, move the as-of control to before a delete and see the
// friend back, and watch a new add appear in the live feed. Screenshots of
// each step are left in test-output/console.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestConsoleInABrowser(t *testing.T) {
	t.Parallel()
	path := browser(t)
	out := screenshots(t)
	s := startService(t, testConfig, "")
	z := s.zim(t, 1234567, "demo-secret")
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("alice", "bob", "carol", "dave")), 0)
	apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": "alice", "FriendInfos": []fi{{"UserId": "bob", "FriendAlias": "Bobby"}, {"UserId": "carol"}}}), 0)
	beforeDelete := s.streamLastSeq(t)
	apitest.WantCode(t, "delete", z.Post("DeleteFriends", obj{"FromUserId": "alice", "UserIds": []string{"bob"}, "DeleteType": 0}), 0)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1400, 1000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(out, name+".png"), png, 0o644)
		})
	}
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))(ctx, tg)
			if err != nil {
				return fmt.Errorf("waiting for %s: %w", expr, err)
			}
			return nil
		})
	}
	has := func(sel, text string) chromedp.Action[chromedp.Void] {
		return poll(fmt.Sprintf(`document.querySelector(%q).innerText.includes(%q)`, sel, text))
	}
	lacks := func(sel, text string) chromedp.Action[chromedp.Void] {
		return poll(fmt.Sprintf(`!document.querySelector(%q).innerText.includes(%q)`, sel, text))
	}
	eval := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[any](expr)(ctx, tg)
			return err
		})
	}
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
			t.Fatalf("%s: %v\npage:\n%s", name, err, html)
		}
	}
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	step("log in",
		chromedp.Navigate(s.httpURL+"/console/"),
		chromedp.WaitVisible(css("#password")),
		shot("1-login"),
		chromedp.SendKeys(css("#user"), testAdmin),
		chromedp.SendKeys(css("#password"), testAdminPassword),
		chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css("#lookup")),
		has("#app", "demo"),
	)
	step("look up alice",
		chromedp.SendKeys(css("#lookup #user"), "alice"),
		chromedp.Click(css("#lookup button")),
		has("#friends", "carol"),
		lacks("#friends", "bob"),
		has("#figures", "directed edges"),
		shot("2-friends"),
	)
	step("open alice and carol's timeline",
		chromedp.Click(css(`#friends button.history`)),
		has("#timeline", "FriendAdded"),
		has("#pairName", "alice and carol"),
		shot("3-timeline"),
	)
	step("move the as-of control to before the delete",
		chromedp.SetValue(css("#asOfSeq"), fmt.Sprint(beforeDelete)),
		eval(`document.getElementById("asOfSeq").dispatchEvent(new Event("input"))`),
		has("#asOfAt", fmt.Sprint(beforeDelete)),
		has("#asOf", "bob"),
		has("#asOf", "Bobby"),
		shot("4-as-of"),
	)
	apitest.WantCode(t, "a new add", z.Post("AddFriends", obj{"FromUserId": "alice", "FriendInfos": []fi{{"UserId": "dave"}}}), 0)
	step("see the add in the live feed",
		has("#feed", "FriendAdded"),
		has("#feed", `"friend":"dave"`),
		shot("5-live-feed"),
	)
	for _, name := range []string{"1-login", "2-friends", "3-timeline", "4-as-of", "5-live-feed"} {
		if st, err := os.Stat(filepath.Join(out, name+".png")); err != nil || st.Size() == 0 {
			t.Errorf("screenshot %s: %v", name, err)
		}
	}
	t.Logf("screenshots in %s", strings.TrimPrefix(out, "../../"))
}
