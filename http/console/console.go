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
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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

//go:embed static
var static embed.FS

// Reader is the read model (projections.Model).
type Reader interface {
	User(app, id string) (domain.User, bool)
	Friends(app, user string, offset, limit int) ([]domain.Friend, int)
	Blocklist(app, user string, offset, limit int) ([]domain.Block, int)
	Groups(app, user string) []domain.Group
	FollowCounts(app, user string) domain.FollowCounts
	Requests(app, user string, sent bool) []domain.Request
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
	Feed   func(ctx context.Context, app string, fn func(seq uint64, ev domain.Event)) error
	Logger *slog.Logger
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
		{Path: "/console/static/", Prefix: true, Handler: c.auth(http.StripPrefix("/console/static/", http.FileServer(http.FS(files))))},
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
	page, _ := static.ReadFile("static/index.html")
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

func (c *console) loginPage(w http.ResponseWriter, r *http.Request) {
	page, _ := static.ReadFile("static/login.html")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.URL.Query().Has("failed") {
		page = bytes.Replace(page, []byte(`<p id="failed" hidden>`), []byte(`<p id="failed">`), 1)
	}
	_, _ = w.Write(page)
}

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

// user: a user's profile, a page of friends, a page of blocks, groups,
// follow counts and requests.
func (c *console) user(r *http.Request) (any, int) {
	app, err := c.appOf(r)
	if err != nil {
		return apiError(http.StatusNotFound, "not_found", err.Error())
	}
	q := r.URL.Query()
	u := q.Get("user")
	if u == "" || len(u) > 64 {
		return apiError(http.StatusBadRequest, "bad_request", "user must be a user ID")
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
	blocks, blockTotal := rd.Blocklist(app.Name, u, 0, MaxPage)
	if blocks == nil {
		blocks = []domain.Block{}
	}
	groups := rd.Groups(app.Name, u)
	if groups == nil {
		groups = []domain.Group{}
	}
	requests := map[string]int{}
	for _, sent := range []bool{false, true} {
		for _, req := range rd.Requests(app.Name, u, sent) {
			if req.StateAt(time.Now().UnixMilli()) == domain.RequestWaiting {
				requests[map[bool]string{false: "received", true: "sent"}[sent]]++
			}
		}
	}
	return map[string]any{"app": app.Name, "user": u, "registered": registered, "profile": profile,
		"friends": friends, "friend_total": total, "offset": offset, "limit": limit,
		"blocks": blocks, "block_total": blockTotal, "groups": groups, "follows": rd.FollowCounts(app.Name, u),
		"waiting_requests": requests}, http.StatusOK
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
		case b := <-changes:
			_, _ = fmt.Fprintf(w, "data: %s\n\n", b)
			flusher.Flush()
		case <-ping.C:
			_, _ = fmt.Fprint(w, ": ping\n\n")
			flusher.Flush()
		}
	}
}
