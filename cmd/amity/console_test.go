package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/chromedp/cdproto/runtime"
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

// axeCore is the source of axe-core, the accessibility checker, which
// `make test-deps` installs from the npm registry into test-output/npm
// (AMITY_AXE_CORE names another copy). Without it the test fails in CI
// and elsewhere is skipped saying why.
func axeCore(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AMITY_AXE_CORE")
	if path == "" {
		path = filepath.Join("..", "..", "test-output", "npm", "node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(path)
	switch {
	case err == nil:
		return string(src)
	case os.Getenv("CI") != "":
		t.Fatalf("no axe-core for the console's accessibility check in CI (%v); make test-deps installs it from the npm registry", err)
	default:
		t.Skipf("no axe-core for the console's accessibility check (%v); make test-deps installs it from the npm registry (needs npm)", err)
	}
	return ""
}

// The widths every page of the console is checked at: a laptop's and a
// phone's.
var consoleWidths = []int64{1400, 420}

// TestConsoleInABrowser drives the console in Debian's chromium as an
// operator would: a wrong password, then the right one; the overview's
// charts; users found by the start of their ID; a user looked up, with
// their waiting requests, neighbourhood and friends; a pair's timeline; the
// list as of before a delete; a new add in the live feed; and the server
// stopped under it. Each page is checked at 1400 and 420 px: no horizontal
// scrolling, no accessibility violation (axe-core), and, at the end, no
// uncaught error in the page. Screenshots of each page at each width are
// left in test-output/console (make screenshots: docs/console).
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestConsoleInABrowser(t *testing.T) {
	t.Parallel()
	path := browser(t)
	axe := axeCore(t)
	out := screenshots(t)
	// Its callback goes nowhere, so its deliveries are parked: the dead
	// letters' errors name a long URL, which must wrap.
	nowhere := "http://127.0.0.1:1/" + strings.Repeat("a-long-callback-path-", 12)
	s := startService(t, `{"apps":[{"name":"demo","zim":{"app_id":1234567,"server_secret":"demo-secret","qps":1000000},
	  "callback":{"url":"`+nowhere+`","commands":["friend_added"],"backoff":"10ms","max_attempts":1}}]}`, "")
	z := s.zim(t, 1234567, "demo-secret")
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("alice", "alfred", "bob", "carol", "dave", "eve")), 0)
	apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": "alice", "FriendInfos": []fi{{"UserId": "bob", "FriendAlias": "Bobby"}, {"UserId": "carol"}, {"UserId": "alfred"}}}), 0)
	apitest.WantCode(t, "a tie among alice's friends", z.Post("AddFriends", obj{"FromUserId": "carol", "FriendInfos": []fi{{"UserId": "alfred"}}}), 0)
	beforeDelete := s.streamLastSeq(t)
	apitest.WantCode(t, "delete", z.Post("DeleteFriends", obj{"FromUserId": "alice", "UserIds": []string{"bob"}, "DeleteType": 0}), 0)
	apitest.WantCode(t, "block", z.Post("AddUsersToBlacklist", obj{"FromUserId": "alice", "UserIds": []string{"eve"}}), 0)
	apitest.WantCode(t, "request", z.Post("SendFriendApplication", obj{"FromUserId": "dave", "FriendInfos": []fi{{"UserId": "alice", "Wording": "we met at the climbing gym"}}}), 0)

	var mu sync.Mutex
	var pageErrors []string
	listen := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			pageErrors = append(pageErrors, "uncaught: "+e.ExceptionDetails.Text+" "+describeException(e.ExceptionDetails))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				pageErrors = append(pageErrors, "console.error from the page")
			}
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1400, 1000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(listen))
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	eval := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[any](expr)(ctx, tg)
			return err
		})
	}
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			var err error
			for range 5 { // a poll a page load cut short is polled again on the new page
				if _, err = chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))(ctx, tg); err == nil || !(strings.Contains(err.Error(), "navigated") || strings.Contains(err.Error(), "context with specified id")) {
					break
				}
			}
			if err != nil {
				return fmt.Errorf("waiting for %s: %w", expr, err)
			}
			return nil
		})
	}
	has := func(sel, text string) chromedp.Action[chromedp.Void] {
		return poll(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.offsetParent !== null && e.innerText.includes(%q); })()`, sel, text))
	}
	lacks := func(sel, text string) chromedp.Action[chromedp.Void] {
		return poll(fmt.Sprintf(`!document.querySelector(%q).innerText.includes(%q)`, sel, text))
	}
	// checked looks at the page as it is at each width: nothing wider than
	// the window, no accessibility violation, and a screenshot.
	checked := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			for _, w := range consoleWidths {
				if _, err := chromedp.EmulateViewport(w, 1000)(ctx, tg); err != nil {
					return err
				}
				// The charts are drawn again at the new width.
				if _, err := chromedp.Poll[bool](`[...document.querySelectorAll(".chart")].every((b) => !b.offsetParent ||
					Math.abs(b.querySelector("svg").viewBox.baseVal.width - Math.max(280, Math.round(b.clientWidth))) < 2)`, chromedp.WithPollingTimeout(10*time.Second))(ctx, tg); err != nil {
					return fmt.Errorf("%s at %d px: the charts are not drawn at the width: %w", name, w, err)
				}
				wide, err := chromedp.Evaluate[string](`(() => {
					if (document.documentElement.scrollWidth <= window.innerWidth) return "";
					const over = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && e.offsetParent !== null);
					return document.documentElement.scrollWidth + " px wide: " + over.slice(-3).map((e) => e.tagName + (e.id ? "#" + e.id : "") + "." + e.className).join(", ");
				})()`)(ctx, tg)
				if err != nil {
					return err
				}
				if wide != "" {
					t.Errorf("%s at %d px scrolls sideways: %s", name, w, wide)
				}
				if loaded, err := chromedp.Evaluate[bool](`typeof axe !== "undefined"`)(ctx, tg); err != nil || !loaded {
					if _, err := chromedp.Evaluate[*runtime.RemoteObject](axe)(ctx, tg); err != nil {
						return fmt.Errorf("load axe-core: %w", err)
					}
				}
				violations, err := chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then((r) => r.violations.map((v) =>
					v.id + " (" + v.impact + "): " + v.help + " at " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")))`, chromedp.EvalAwaitPromise)(ctx, tg)
				if err != nil {
					return fmt.Errorf("run axe-core: %w", err)
				}
				for _, v := range violations {
					t.Errorf("%s at %d px: %s", name, w, v)
				}
				png, err := chromedp.FullScreenshot(100)(ctx, tg)
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
					return err
				}
			}
			_, err := chromedp.EmulateViewport(consoleWidths[0], 1000)(ctx, tg)
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
	step("a wrong password is refused, saying so",
		chromedp.Navigate(s.httpURL+"/console/"),
		chromedp.WaitVisible(css("#password")),
		poll(`getComputedStyle(document.body).fontFamily.includes("system-ui")`), // styled before the login
		chromedp.SendKeys(css("#user"), testAdmin),
		chromedp.SendKeys(css("#password"), "not-the-password"),
		chromedp.Click(css("#submit")),
		has("#failed", "not an admin's login"),
		checked("1-login"),
	)
	step("the right one opens the overview",
		chromedp.SendKeys(css("#user"), testAdmin),
		chromedp.SendKeys(css("#password"), testAdminPassword),
		chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css("#lookup")),
		has("#app", "demo"),
		has("#status", "connected"),
		poll(`document.querySelectorAll("#activityChart svg path").length === 4`),
		has("#activityLegend", "friends added: 4"),
		has("#activityLegend", "friends deleted: 1"),
		has("#activityLegend", "requests sent: 1"),
		has("#activityLegend", "blocks: 1"),
		has("#recent", "dave"),
		has("#figures", "directed edges"),
		has("#deadCount", "parked"),
		has("#dead", "a-long-callback-path-"),
		poll(`!document.getElementById("replay").disabled`),
		checked("2-overview"),
	)
	step("users found by the start of their ID",
		chromedp.Click(css(`nav a[data-view=users]`)),
		chromedp.WaitVisible(css("#prefix")),
		chromedp.SendKeys(css("#prefix"), "al"),
		chromedp.Click(css("#search button")),
		has("#usersSummary", "2 users whose ID starts with “al”"),
		has("#userList", "alfred"),
		has("#userList", "alice"),
		lacks("#userList", "bob"),
		checked("3-users"),
	)
	step("a user looked up: waiting requests, neighbourhood, friends",
		chromedp.SendKeys(css("#lookup #user"), "alice"),
		chromedp.Click(css("#lookup button")),
		has("#userName", "alice"),
		has("#requests", "we met at the climbing gym"),
		has("#requests", "dave"),
		has("#friends", "carol"),
		lacks("#friends", "bob"),
		has("#blocks", "eve"),
		poll(`document.querySelectorAll("#graph a").length === 3 && document.querySelectorAll("#graph path.tie").length === 1 && document.querySelectorAll("#graph line.blocked").length === 1`),
		checked("4-user"),
	)
	step("an invalid ID is said on the page, not in a dialog",
		chromedp.SetValue(css("#lookup #user"), strings.Repeat("x", 65)),
		chromedp.Click(css("#lookup button")),
		has("#lookupError", "user must be a user ID"),
		has("#userName", "alice"),
	)
	step("a pair's timeline, readable",
		chromedp.Click(css(`#friends button[aria-label="History of alice and carol"]`)),
		has("#pairTitle", "History of alice and carol"),
		has("#timeline", "alice added carol as a friend"),
		has("#timeline", "through ZIM"),
		poll(`document.activeElement === document.getElementById("pairTitle")`),
		checked("5-timeline"),
	)
	step("the friend list as of before the delete",
		chromedp.SetValue(css("#asOfSeq"), fmt.Sprint(beforeDelete)),
		eval(`document.getElementById("asOfSeq").dispatchEvent(new Event("input"))`),
		has("#asOfAt", fmt.Sprint(beforeDelete)),
		has("#asOf", "Bobby"),
	)
	step("another user starts the pair history and the as-of control over",
		chromedp.Click(css(`#friends a[href$="user=carol"]`)),
		has("#userName", "carol"),
		poll(`document.getElementById("timeline").childElementCount === 0`),
		poll(`document.getElementById("asOfSeq").value === document.getElementById("asOfSeq").max`),
	)
	apitest.WantCode(t, "a new add", z.Post("AddFriends", obj{"FromUserId": "alice", "FriendInfos": []fi{{"UserId": "dave"}}}), 0)
	step("the add in the live feed",
		chromedp.Click(css(`nav a[data-view=overview]`)),
		has("#feed", "alice added dave as a friend"),
	)
	s.stop(t)
	step("the server stopped: the console says so",
		has("#banner", "cannot reach Amity"),
		has("#status", "unreachable"),
		checked("6-server-stopped"),
	)
	mu.Lock()
	for _, e := range pageErrors {
		t.Errorf("in the page: %s", e)
	}
	mu.Unlock()
	t.Logf("screenshots in %s", strings.TrimPrefix(out, "../../"))
}

// describeException is where an uncaught exception was thrown.
func describeException(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return fmt.Sprintf("%s:%d", d.URL, d.LineNumber)
}
