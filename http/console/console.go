// Package console serves Amity's web console at /console/: for an
// operator, per app, a user's friend list (paged), blocklist and groups;
// any pair's history as a timeline; a user's list as of any past moment;
// a live feed of events as they commit; and the service's figures —
// stream, read model, notifier lag, dead letters (with replay). Its pages
// are a static page and a small script, embedded in the binary (no build
// step, nothing fetched from elsewhere), over a JSON API under
// /console/api/ that reads the read model and the native API's history
// answers, so it costs what those cost.
//
// Only the admins of the apps file's NATS users may enter: by the login
// form (a session cookie) or HTTP Basic auth, for scripts.
package console

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/gorilla/mux"
)

// static holds the style and the script, served as they are; pages the
// HTML pages the handlers write.
//
//go:embed static pages
var static embed.FS

// Reader is the read model (projections.Model).
type Reader interface {
	User(app, id string) (domain.User, bool)
	UserPage(app, prefix, after string, limit int) ([]string, int)
	FriendCount(app, user string) int
	Relations(app, user string, others []string) [][2]bool
	Friends(app, user string, offset, limit int) ([]domain.Friend, int)
	Blocklist(app, user string, offset, limit int) ([]domain.Block, int)
	Groups(app, user string) []domain.Group
	FollowCounts(app, user string) domain.FollowCounts
	Requests(app, user string, sent bool) []domain.Request
	Mutes(app, user string) []domain.Follow
}

// Admin is a login that may enter.
type Admin struct{ User, Password string }

// Config holds the console's dependencies.
type Config struct {
	Apps   []*domain.App
	Admins []Admin
	Read   Reader
	// History answers the native API's GET routes for an app
	// (native.Config.Query).
	History func(ctx context.Context, app *domain.App, route string, q url.Values) (any, int)
	// Status is the service's figures: health, stream, model, notifier,
	// dead letters.
	Status func(ctx context.Context) any
	// DeadLetters lists an app's parked deliveries ("" every app's);
	// Replay sends them again, answering how many were delivered and how
	// many are still parked.
	DeadLetters func(ctx context.Context, app string) ([]json.RawMessage, error)
	Replay      func(ctx context.Context, app string) (delivered, parked int, err error)
	// Feed calls fn with each event of app as its commit is stored, until
	// ctx ends.
	Feed func(ctx context.Context, app string, fn func(seq uint64, ev domain.Event)) error
	// Stopping, closed when the server shuts down, ends the live feeds,
	// which would otherwise hold the shutdown until its deadline.
	Stopping <-chan struct{}
	// Activity is what the overview charts draw (nil: none yet).
	Activity *Activity
	Logger   *slog.Logger
	// TrustedProxies are the proxies in front of the console whose
	// X-Forwarded-For and X-Forwarded-Proto are believed: for the client
	// address the login limits count, and for the cookie's Secure flag.
	TrustedProxies []netip.Prefix
}

// Page limits.
const (
	DefaultPage = 50
	MaxPage     = 500
	sessionTTL  = 12 * time.Hour
)

type console struct {
	cfg      Config
	apps     map[string]*domain.App
	mu       sync.Mutex
	sessions map[string]session
	// logins checks every login, by the form or Basic auth.
	logins *authenticator
}

type session struct {
	user    string
	expires time.Time
}

const cookieName = "amity_console"

// Routes is the console's table: its pages, files and JSON API under
// /console/.
func Routes(cfg Config) amityhttp.Table {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &console{cfg: cfg, apps: map[string]*domain.App{}, sessions: map[string]session{},
		logins: newAuthenticator(cfg.Admins, cfg.TrustedProxies, cfg.Logger)}
	for _, a := range cfg.Apps {
		c.apps[a.Name] = a
	}
	files, _ := fs.Sub(static, "static")
	anyMethod := func(path string, h http.Handler) amityhttp.Route { return amityhttp.Route{Path: path, Handler: h} }
	t := amityhttp.Table{Name: "console", Routes: []amityhttp.Route{
		anyMethod("/console", http.RedirectHandler("/console/", http.StatusMovedPermanently)),
		{Method: http.MethodGet, Path: "/console/login", Handler: http.HandlerFunc(c.loginPage)},
		{Method: http.MethodPost, Path: "/console/login", Handler: http.HandlerFunc(c.login)},
		{Method: http.MethodPost, Path: "/console/logout", Handler: http.HandlerFunc(c.logout)},
		// The page's style and script hold no data: the login page needs
		// them before anyone has logged in.
		{Path: "/console/static/", Prefix: true, Handler: http.StripPrefix("/console/static/", http.FileServer(http.FS(files)))},
		anyMethod("/console/", c.auth(http.HandlerFunc(c.index))),
	}}
	api := func(path string, f func(*http.Request) (any, int)) {
		t.Routes = append(t.Routes, anyMethod("/console/api/"+path, c.auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, status := f(r)
			amityhttp.WriteJSON(w, status, body)
		}))))
	}
	api("apps", func(*http.Request) (any, int) {
		names := make([]string, len(cfg.Apps))
		for i, a := range cfg.Apps {
			names[i] = a.Name
		}
		return map[string]any{"apps": names}, http.StatusOK
	})
	api("status", func(r *http.Request) (any, int) { return cfg.Status(r.Context()), http.StatusOK })
	api("user", c.user)
	api("users", c.users)
	api("neighbourhood", c.neighbourhood)
	api("overview", c.overview)
	api("history/{route:.+}", c.history)
	api("deadletters", c.deadLetters)
	t.Routes = append(t.Routes, amityhttp.Route{Method: http.MethodGet, Path: "/console/api/feed", Handler: c.auth(http.HandlerFunc(c.feed))})
	for i := range t.Routes {
		t.Routes[i].Handler = secure(t.Routes[i].Handler)
	}
	return t
}

// index serves the console's page.
func (c *console) index(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/console/" {
		http.NotFound(w, r)
		return
	}
	page, _ := static.ReadFile("pages/index.html")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(page)
}

func apiError(status int, code, msg string) (any, int) {
	return map[string]any{"error": map[string]string{"code": code, "message": msg}}, status
}

// auth lets through a request with an admin's session cookie or Basic
// login; a page request without one goes to the login form, an API
// request gets 401.
func (c *console) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, basic := r.BasicAuth()
		ck, err := r.Cookie(cookieName)
		result := loginWrong
		switch {
		case basic:
			result = c.logins.check(r, u, p)
		case err == nil && c.valid(ck.Value):
			result = loginOK
		}
		if result == loginLimited {
			amityhttp.WriteJSON(w, http.StatusTooManyRequests, map[string]any{"error": map[string]string{"code": "too_many_attempts", "message": "too many failed logins; wait a minute"}})
			return
		}
		if result == loginOK {
			// A state-changing call carries a header no cross-site form
			// can send: the console's page and scripts add it.
			if r.Method == http.MethodPost && r.Header.Get("X-Amity-Console") != "1" {
				amityhttp.WriteJSON(w, http.StatusForbidden, map[string]any{"error": map[string]string{"code": "forbidden", "message": "a POST needs the header X-Amity-Console: 1"}})
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if len(r.URL.Path) >= len("/console/api/") && r.URL.Path[:len("/console/api/")] == "/console/api/" {
			w.Header().Set("WWW-Authenticate", `Basic realm="amity console"`)
			body, status := apiError(http.StatusUnauthorized, "unauthorized", "log in as an admin of the apps file's nats_users")
			amityhttp.WriteJSON(w, status, body)
			return
		}
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
	})
}

func (c *console) valid(token string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sessions[token]
	if ok && time.Now().After(s.expires) {
		delete(c.sessions, token)
		return false
	}
	return ok
}

// loginPage is the login form; after a refused login (?failed) it says so.
func (c *console) loginPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := loginForm.Execute(w, map[string]bool{"Failed": r.URL.Query().Has("failed")}); err != nil {
		c.cfg.Logger.Error("console: login page", "err", err)
	}
}

var loginForm = template.Must(template.ParseFS(static, "pages/login.html"))

func (c *console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	user, password := r.PostFormValue("user"), r.PostFormValue("password")
	switch c.logins.check(r, user, password) {
	case loginLimited:
		http.Error(w, "too many failed logins; wait a minute", http.StatusTooManyRequests)
		return
	case loginWrong:
		http.Redirect(w, r, "/console/login?failed", http.StatusSeeOther)
		return
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	c.mu.Lock()
	now := time.Now()
	for t, s := range c.sessions {
		if now.After(s.expires) {
			delete(c.sessions, t)
		}
	}
	c.sessions[token] = session{user: user, expires: now.Add(sessionTTL)}
	c.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/console/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		MaxAge: int(sessionTTL.Seconds()), Secure: c.logins.overTLS(r)})
	c.cfg.Logger.Info("console: login", "user", user, "remote", c.logins.clientAddr(r))
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}

func (c *console) logout(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(cookieName); err == nil {
		c.mu.Lock()
		delete(c.sessions, ck.Value)
		c.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/console/", MaxAge: -1})
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// appOf is the app a request names.
func (c *console) appOf(r *http.Request) (*domain.App, error) {
	a := c.apps[r.URL.Query().Get("app")]
	if a == nil {
		return nil, errors.New("no such app")
	}
	return a, nil
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	if !q.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be %d to %d", name, lo, hi)
	}
	return n, nil
}

// friendView is one friend as the console lists it.
type friendView struct {
	ID string `json:"user_id"`
	domain.Entry
}

// blockView is one blocklist entry.
type blockView struct {
	ID    string `json:"user_id"`
	Since int64  `json:"since"`
}

// groupView is one friend group.
type groupView struct {
	Name    string   `json:"name"`
	Friends []string `json:"friends"`
}

// requestView is one friend request, sent or received.
type requestView struct {
	From       string `json:"from"`
	To         string `json:"to"`
	Wording    string `json:"wording"`
	Source     string `json:"add_source,omitempty"`
	Time       int64  `json:"time"`
	State      string `json:"state"`
	ExpireTime int64  `json:"expire_time,omitempty"`
}

// userParam is the user a request names, checked.
func userParam(q url.Values) (string, error) {
	u := q.Get("user")
	if u == "" || len(u) > 64 {
		return "", errors.New("user must be a user ID of 1 to 64 characters")
	}
	return u, nil
}

// user: a user's profile, a page of friends, a page of blocks, groups,
// follow counts and friend requests.
func (c *console) user(r *http.Request) (any, int) {
	app, err := c.appOf(r)
	if err != nil {
		return apiError(http.StatusNotFound, "not_found", err.Error())
	}
	q := r.URL.Query()
	u, err := userParam(q)
	if err != nil {
		return apiError(http.StatusBadRequest, "bad_request", err.Error())
	}
	offset, err := intParam(q, "offset", 0, 0, 1<<30)
	if err != nil {
		return apiError(http.StatusBadRequest, "bad_request", err.Error())
	}
	limit, err := intParam(q, "limit", DefaultPage, 1, MaxPage)
	if err != nil {
		return apiError(http.StatusBadRequest, "bad_request", err.Error())
	}
	rd := c.cfg.Read
	profile, registered := rd.User(app.Name, u)
	page, total := rd.Friends(app.Name, u, offset, limit)
	friends := make([]friendView, len(page))
	for i, f := range page {
		friends[i] = friendView{f.ID, f.Entry}
	}
	blockPage, blockTotal := rd.Blocklist(app.Name, u, 0, MaxPage)
	blocks := make([]blockView, len(blockPage))
	for i, b := range blockPage {
		blocks[i] = blockView{b.ID, b.Time}
	}
	groups := []groupView{}
	for _, g := range rd.Groups(app.Name, u) {
		groups = append(groups, groupView{g.Name, append([]string{}, g.Friends...)})
	}
	now := time.Now().UnixMilli()
	requests := map[string][]requestView{"received": {}, "sent": {}}
	for _, sent := range []bool{false, true} {
		key := map[bool]string{false: "received", true: "sent"}[sent]
		for _, req := range rd.Requests(app.Name, u, sent) {
			requests[key] = append(requests[key], requestView{From: req.From, To: req.To, Wording: req.Entry.Wording, Source: req.Entry.AddSource,
				Time: req.UpdateTime, State: req.StateAt(now).String(), ExpireTime: req.ExpireTime})
		}
	}
	follows := rd.FollowCounts(app.Name, u)
	mutes := []blockView{}
	for _, m := range rd.Mutes(app.Name, u) {
		mutes = append(mutes, blockView{m.ID, m.Time})
	}
	return map[string]any{"app": app.Name, "user": u, "registered": registered, "profile": profile,
		"friends": friends, "friend_total": total, "offset": offset, "limit": limit,
		"blocks": blocks, "block_total": blockTotal, "groups": groups, "mutes": mutes,
		"follows":  map[string]int{"followers": follows.Fans, "following": follows.Following, "mutual": follows.Mutual},
		"requests": requests}, http.StatusOK
}

// userSummary is one user of a list: ID, name and friend count.
type userSummary struct {
	ID      string `json:"user_id"`
	Name    string `json:"name,omitempty"`
	Friends int    `json:"friend_total"`
}

// users: a page of the app's users whose IDs start with prefix, after the
// cursor after, in ID order; next is the cursor of the page after it.
func (c *console) users(r *http.Request) (any, int) {
	app, err := c.appOf(r)
	if err != nil {
		return apiError(http.StatusNotFound, "not_found", err.Error())
	}
	q := r.URL.Query()
	limit, err := intParam(q, "limit", DefaultPage, 1, MaxPage)
	if err != nil {
		return apiError(http.StatusBadRequest, "bad_request", err.Error())
	}
	prefix, after := q.Get("prefix"), q.Get("after")
	if len(prefix) > 64 || len(after) > 64 {
		return apiError(http.StatusBadRequest, "bad_request", "prefix and after are user IDs of up to 64 characters")
	}
	rd := c.cfg.Read
	ids, matched := rd.UserPage(app.Name, prefix, after, limit+1)
	next := ""
	if len(ids) > limit {
		ids, next = ids[:limit], ids[limit-1]
	}
	list := make([]userSummary, len(ids))
	for i, id := range ids {
		p, _ := rd.User(app.Name, id)
		list[i] = userSummary{ID: id, Name: p.Name, Friends: rd.FriendCount(app.Name, id)}
	}
	return map[string]any{"app": app.Name, "prefix": prefix, "users": list, "matched": matched, "next": next}, http.StatusOK
}

// neighbourhoodSize bounds the friends a neighbourhood shows.
const neighbourhoodSize = 40

// neighbourhood: a user's first friends (up to neighbourhoodSize), which
// of them are friends of each other (links, by index), and whom the user
// blocks.
func (c *console) neighbourhood(r *http.Request) (any, int) {
	app, err := c.appOf(r)
	if err != nil {
		return apiError(http.StatusNotFound, "not_found", err.Error())
	}
	u, err := userParam(r.URL.Query())
	if err != nil {
		return apiError(http.StatusBadRequest, "bad_request", err.Error())
	}
	rd := c.cfg.Read
	page, total := rd.Friends(app.Name, u, 0, neighbourhoodSize)
	ids := make([]string, len(page))
	for i, f := range page {
		ids[i] = f.ID
	}
	links := [][2]int{}
	for i, id := range ids {
		for j, rel := range rd.Relations(app.Name, id, ids[i+1:]) {
			if rel[0] && rel[1] {
				links = append(links, [2]int{i, i + 1 + j})
			}
		}
	}
	blockPage, blockTotal := rd.Blocklist(app.Name, u, 0, neighbourhoodSize/2)
	blocked := make([]string, len(blockPage))
	for i, b := range blockPage {
		blocked[i] = b.ID
	}
	return map[string]any{"app": app.Name, "user": u, "friends": ids, "friend_total": total, "links": links,
		"blocked": blocked, "block_total": blockTotal}, http.StatusOK
}

// overview: the app's activity over the last hour and its users changed
// last.
func (c *console) overview(r *http.Request) (any, int) {
	app, err := c.appOf(r)
	if err != nil {
		return apiError(http.StatusNotFound, "not_found", err.Error())
	}
	if c.cfg.Activity == nil {
		return NewActivity(nil).Of(app.Name), http.StatusOK
	}
	return c.cfg.Activity.Of(app.Name), http.StatusOK
}

// history answers the native API's GET routes for the app named.
func (c *console) history(r *http.Request) (any, int) {
	app, err := c.appOf(r)
	if err != nil {
		return apiError(http.StatusNotFound, "not_found", err.Error())
	}
	return c.cfg.History(r.Context(), app, "/v1/"+mux.Vars(r)["route"], r.URL.Query())
}

// deadLetters lists an app's parked deliveries (GET) or replays them
// (POST).
func (c *console) deadLetters(r *http.Request) (any, int) {
	app := r.URL.Query().Get("app")
	if app != "" && c.apps[app] == nil {
		return apiError(http.StatusNotFound, "not_found", "no such app")
	}
	if r.Method == http.MethodPost {
		delivered, parked, err := c.cfg.Replay(r.Context(), app)
		if err != nil {
			c.cfg.Logger.Error("console: replay dead letters", "app", app, "err", err)
			return apiError(http.StatusInternalServerError, "internal", err.Error())
		}
		return map[string]any{"delivered": delivered, "parked": parked}, http.StatusOK
	}
	list, err := c.cfg.DeadLetters(r.Context(), app)
	if err != nil {
		return apiError(http.StatusInternalServerError, "internal", err.Error())
	}
	if list == nil {
		list = []json.RawMessage{}
	}
	return map[string]any{"deadletters": list}, http.StatusOK
}

// feed streams the app's events as server-sent events, one JSON change
// ({"seq", "event"}) each, until the client goes.
func (c *console) feed(w http.ResponseWriter, r *http.Request) {
	app, err := c.appOf(r)
	if err != nil {
		body, status := apiError(http.StatusNotFound, "not_found", err.Error())
		amityhttp.WriteJSON(w, status, body)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		body, status := apiError(http.StatusInternalServerError, "internal", "streaming unsupported")
		amityhttp.WriteJSON(w, status, body)
		return
	}
	// The server's write timeout bounds answers, not a feed.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprint(w, ": amity console feed\n\n")
	flusher.Flush()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	changes := make(chan []byte, 256)
	go func() {
		err := c.cfg.Feed(ctx, app.Name, func(seq uint64, ev domain.Event) {
			b, _ := json.Marshal(map[string]any{"seq": seq, "event": ev})
			select {
			case changes <- b:
			default: // a client that does not keep up misses events, not the service
			}
		})
		if err != nil && ctx.Err() == nil {
			c.cfg.Logger.Warn("console: feed", "app", app.Name, "err", err)
		}
		cancel()
	}()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.cfg.Stopping:
			return
		case b := <-changes:
			_, _ = fmt.Fprintf(w, "data: %s\n\n", b)
			flusher.Flush()
		case <-ping.C:
			_, _ = fmt.Fprint(w, ": ping\n\n")
			flusher.Flush()
		}
	}
}
