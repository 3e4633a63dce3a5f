// Package apitest calls Amity's vendor surfaces as their clients do, each
// call checked against the surface's OpenAPI description: the callers the
// surfaces' own tests and the whole binary's tests share.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/amity-im/amity/http/native"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// requestGap and responseGap mark a call whose request or answer the
// OpenAPI description cannot express (or a request malformed on purpose);
// the reason names the gap, and only that side goes unchecked.
type (
	requestGap  struct{}
	responseGap struct{}
)

// WithRequestGap marks the calls made with the context it returns as ones
// whose request the description cannot express, for reason.
func WithRequestGap(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, requestGap{}, reason)
}

// WithResponseGap marks the calls made with the context it returns as ones
// whose answer the description cannot express, for reason.
func WithResponseGap(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, responseGap{}, reason)
}

// Validator is an http.RoundTripper that checks every request and answer
// against an OpenAPI description and counts what it checked.
type Validator struct {
	t      testing.TB
	router routers.Router
	// route is the request as the description names it (ZIM's action in
	// the path); refused reports whether an answer refuses its call.
	route   func(*http.Request) *http.Request
	refused func(status int, body []byte) bool
	mu      sync.Mutex
	seen    map[string]int // path -> validated calls
	gaps    map[string]string
}

// TencentValidator validates calls to baseURL against the Tencent
// surface's description.
func TencentValidator(t testing.TB, baseURL string) *Validator {
	t.Helper()
	return newValidator(t, baseURL, tencent.OpenAPI, func(doc *openapi3.T) {
		// One correction: FriendDeleteRequest requires UpdateItem, copied from
		// friend_update's schema; friend_delete's own fields are required instead.
		doc.Components.Schemas["FriendDeleteRequest"].Value.Required = []string{"From_Account", "To_Account"}
	})
}

// ZIMValidator validates ZIM calls against Amity's description of the ZIM
// surface: each action's request as at /zim/<Action>. A request the
// description refuses must be refused by Amity too (a non-zero Code).
func ZIMValidator(t testing.TB, baseURL string) *Validator {
	t.Helper()
	v := newValidator(t, baseURL, zim.OpenAPI, nil)
	v.route = func(r *http.Request) *http.Request {
		if r.URL.Path != "/" {
			return r
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/zim/" + r.URL.Query().Get("Action")
		return r2
	}
	v.refused = func(_ int, body []byte) bool {
		var a struct{ Code int }
		return json.Unmarshal(body, &a) == nil && a.Code != 0
	}
	return v
}

// V1Validator validates /v1 calls against its description; a request the
// description refuses must get an error status.
func V1Validator(t testing.TB, baseURL string) *Validator {
	t.Helper()
	v := newValidator(t, baseURL, native.OpenAPI, nil)
	v.refused = func(status int, _ []byte) bool { return status >= 400 }
	return v
}

// newValidator loads doc, as fix corrects it, for calls to baseURL.
func newValidator(t testing.TB, baseURL string, doc []byte, fix func(*openapi3.T)) *Validator {
	t.Helper()
	d := testenv.LoadOpenAPI(t, doc)
	d.Servers = openapi3.Servers{{URL: baseURL}}
	if fix != nil {
		fix(d)
	}
	router, err := gorillamux.NewRouter(d)
	if err != nil {
		t.Fatalf("openapi router: %v", err)
	}
	return &Validator{t: t, router: router, seen: map[string]int{}, gaps: map[string]string{},
		route: func(r *http.Request) *http.Request { return r }}
}

// Covered fails t for each path of want that no validated call reached.
func (v *Validator) Covered(t testing.TB, want ...string) {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, p := range want {
		if v.seen[p] == 0 {
			t.Errorf("no validated call of %s", p)
		}
	}
}

// Seen is the number of validated calls of path.
func (v *Validator) Seen(path string) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.seen[path]
}

// Gaps lists, sorted, the calls one side of which went unchecked, and why.
func (v *Validator) Gaps() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []string
	for k := range v.gaps {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// RoundTrip sends req, checking it and its answer against the description.
func (v *Validator) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	gap, _ := req.Context().Value(requestGap{}).(string)
	respGap, _ := req.Context().Value(responseGap{}).(string)
	routed := v.route(req)
	routed.Body = io.NopCloser(bytes.NewReader(body))
	input, refusedByDescription := v.checkRequest(req, routed, body, gap)
	if input == nil {
		respGap = "no route"
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	if refusedByDescription != "" && v.refused != nil && !v.refused(resp.StatusCode, out) {
		v.t.Errorf("%s %s %s: the OpenAPI description refuses the request (%s), but it was answered as taken:\n%s",
			req.Method, routed.URL.Path, body, refusedByDescription, out)
	}
	if input != nil {
		rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: input, Status: resp.StatusCode, Header: resp.Header,
			Body: io.NopCloser(bytes.NewReader(out)), Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}}
		if err := openapi3filter.ValidateResponse(req.Context(), rin); err != nil && respGap == "" {
			v.t.Errorf("response of %s %s %s does not match the OpenAPI description: %v\n%s", req.Method, routed.URL.Path, body, err, out)
		}
	}
	v.mu.Lock()
	if gap == "" && respGap == "" && refusedByDescription == "" {
		v.seen[routed.URL.Path]++
	}
	for _, g := range []string{gap, respGap} {
		if g != "" {
			v.gaps[routed.URL.Path+" "+strings.SplitN(g, ":", 2)[0]] = g
		}
	}
	v.mu.Unlock()
	return resp, nil
}

// checkRequest validates routed (req as the description names it): the
// input to validate its answer with (nil when the description has no
// route for it), and why the description refuses it ("" if it does not).
func (v *Validator) checkRequest(req, routed *http.Request, body []byte, gap string) (*openapi3filter.RequestValidationInput, string) {
	route, params, err := v.router.FindRoute(routed)
	if err != nil {
		if gap == "" && v.refused == nil {
			v.t.Errorf("no OpenAPI route for %s %s: %v", req.Method, routed.URL.Path, err)
		}
		return nil, "no route: " + err.Error()
	}
	input := &openapi3filter.RequestValidationInput{Request: routed, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	refused := ""
	if err := openapi3filter.ValidateRequest(req.Context(), input); err != nil && gap == "" {
		if v.refused == nil {
			v.t.Errorf("request %s %s does not match the OpenAPI description: %v", req.URL.Path, body, err)
		}
		refused = err.Error()
	}
	routed.Body = io.NopCloser(bytes.NewReader(body))
	return input, refused
}
