package native

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// Routes is the API's table: its routes, the JSON 405 and 404 every /v1
// error has for a method or path it does not serve.
func Routes(cfg Config) amityhttp.Table {
	p := cfg.pipeline()
	get := func(f func(context.Context, *domain.App, url.Values) (any, error)) amityhttp.Handler[domain.App, any] {
		return func(ctx context.Context, c *amityhttp.Call[domain.App]) (any, error) {
			return f(withRequestID(ctx, c), c.App, c.Query.Values())
		}
	}
	post := func(f func(context.Context, *domain.App, []byte) (any, error)) amityhttp.Handler[domain.App, any] {
		return func(ctx context.Context, c *amityhttp.Call[domain.App]) (any, error) {
			return f(withRequestID(ctx, c), c.App, c.Body)
		}
	}
	type handler struct {
		path, method string
		h            amityhttp.Handler[domain.App, any]
	}
	var handlers []handler
	reads := cfg.reads()
	for _, path := range slices.Sorted(maps.Keys(reads)) {
		handlers = append(handlers, handler{path, http.MethodGet, get(reads[path])})
	}
	for _, verb := range []string{"accept", "reject", "delete"} {
		handlers = append(handlers, handler{"/v1/requests/" + verb, http.MethodPost, post(cfg.answerRequest(verb))})
	}
	t := amityhttp.Table{Name: "v1", NotFoundPrefix: "/v1/",
		NotFound: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			amityhttp.WriteJSON(w, http.StatusNotFound, errorBody(&apiError{http.StatusNotFound, "not_found", "no such API: " + r.URL.Path}))
		}),
		WrongMethod: func(rt amityhttp.Route) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Allow", rt.Method)
				amityhttp.WriteJSON(w, http.StatusMethodNotAllowed, errorBody(&apiError{http.StatusMethodNotAllowed, "method_not_allowed", r.URL.Path + " takes " + rt.Method + ", not " + r.Method}))
			})
		}}
	for _, h := range handlers {
		rt := amityhttp.Route{Method: h.method, Path: h.path, Metric: h.path}
		rt.Handler = p.Handle(&rt, h.h)
		t.Routes = append(t.Routes, rt)
	}
	return t
}

// pipeline answers /v1's calls: credentials of either vendor surface, no
// rate limit of its own, JSON answers with the HTTP status of each error.
func (cfg Config) pipeline() *amityhttp.Pipeline[domain.App, any] {
	return &amityhttp.Pipeline[domain.App, any]{
		Surface: "v1", Deps: amityhttp.Deps{Writer: cfg.Writer, Now: cfg.Now, NewID: cfg.NewID, Observe: cfg.Observe},
		Admit:      cfg.admit,
		ReadBody:   func(r *http.Request) bool { return r.Method == http.MethodPost },
		Unreadable: func(err error) error { return badRequest("cannot read the body: " + err.Error()) },
		NotUTF8:    badRequest("the body is not valid UTF-8"),
		MaxBody:    maxBodyBytes,
		Answer: func(w http.ResponseWriter, c *amityhttp.Call[domain.App], body any, err error) string {
			if c.Meta.RequestID != "" {
				w.Header().Set("X-Amity-Request-Id", c.Meta.RequestID)
			}
			status, code := http.StatusOK, "ok"
			if err != nil {
				ae := apiErrorOf(err)
				status, body, code = ae.status, errorBody(ae), ae.code
			}
			amityhttp.WriteJSON(w, status, body)
			return code
		},
	}
}

// admit authenticates a call by the credentials of any vendor surface: its
// query's (ZIM, Tencent) or its headers' (Yunxin).
func (cfg Config) admit(r *http.Request, c *amityhttp.Call[domain.App]) (*domain.App, *domain.App, error) {
	var app *domain.App
	var err error
	switch {
	case c.Query.Has("AppId") && cfg.ZIM != nil:
		app, err = cfg.ZIM.Authenticate(c.Query, c.Now)
	case c.Query.Has("sdkappid") && cfg.Tencent != nil:
		app, err = cfg.Tencent.Authenticate(c.Query, c.Now)
	case r.Header.Get("CheckSum") != "" && cfg.Yunxin != nil:
		app, err = cfg.Yunxin.Authenticate(r.Header, c.Now)
	default:
		err = errors.New("no credentials: sign with ZIM's AppId and Signature, Tencent's sdkappid and usersig, or Yunxin's CheckSum headers")
	}
	if err != nil {
		return nil, nil, &apiError{http.StatusUnauthorized, "unauthorized", err.Error()}
	}
	return app, app, nil
}

// Query answers a GET route (/v1/pairs/history, /v1/friends, /v1/changes,
// /v1/requests) for app, with the route's query q, without the route's
// own authentication: for a caller that authenticated otherwise (the web
// console). On failure it returns the HTTP status and body the route would.
func (cfg Config) Query(ctx context.Context, app *domain.App, route string, q url.Values) (body any, status int) {
	f := cfg.reads()[route]
	if f == nil {
		return errorBody(&apiError{http.StatusNotFound, "not_found", "no such API: " + route}), http.StatusNotFound
	}
	body, err := f(ctx, app, q)
	if err != nil {
		ae := apiErrorOf(err)
		return errorBody(ae), ae.status
	}
	return body, http.StatusOK
}

// reads are the GET routes, by path: Routes serves them, and Query answers
// them for the console.
func (cfg Config) reads() map[string]func(context.Context, *domain.App, url.Values) (any, error) {
	return map[string]func(context.Context, *domain.App, url.Values) (any, error){
		"/v1/pairs/history": cfg.pairHistory, "/v1/friends": cfg.friendsAsOf, "/v1/changes": cfg.changes, "/v1/requests": cfg.listRequests,
		"/v1/mutes": cfg.listMutes,
	}
}

// apiErrorOf is the /v1 error err is answered with: its own, or internal.
func apiErrorOf(err error) *apiError {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{http.StatusInternalServerError, "internal", "internal error"}
	}
	return ae
}

func errorBody(ae *apiError) any {
	return map[string]any{"error": map[string]string{"code": ae.code, "message": ae.msg}}
}

// requestIDKey holds a call's request ID in its context.
type requestIDKey struct{}

// withRequestID is ctx carrying c's request ID.
func withRequestID(ctx context.Context, c *amityhttp.Call[domain.App]) context.Context {
	return context.WithValue(ctx, requestIDKey{}, c.Meta.RequestID)
}

// requestID is the ID of the call ctx belongs to.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
