package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/zim"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

const tencentOpenAPI = "../../http/tencent/openapi.yaml"

// requestGap and responseGap mark a call whose request or answer Tencent's
// OpenAPI description cannot express (or a request malformed on purpose);
// the reason names the gap, and only that side goes unchecked.
type (
	requestGap  struct{}
	responseGap struct{}
)

func withRequestGap(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, requestGap{}, reason)
}

func withResponseGap(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, responseGap{}, reason)
}

// validatingTransport checks every request and response against an
// OpenAPI description and counts what it checked.
type validatingTransport struct {
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

func newValidatingTransport(t testing.TB, baseURL string) *validatingTransport {
	t.Helper()
	return newValidator(t, baseURL, tencentOpenAPI, func(doc *openapi3.T) {
		// One correction: FriendDeleteRequest requires UpdateItem, copied from
		// friend_update's schema; friend_delete's own fields are required instead.
		doc.Components.Schemas["FriendDeleteRequest"].Value.Required = []string{"From_Account", "To_Account"}
	})
}

// newValidator loads the description at path, as fix corrects it, for
// calls to baseURL.
func newValidator(t testing.TB, baseURL, path string, fix func(*openapi3.T)) *validatingTransport {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("%s is not a valid OpenAPI description: %v", path, err)
	}
	doc.Servers = openapi3.Servers{{URL: baseURL}}
	if fix != nil {
		fix(doc)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("openapi router: %v", err)
	}
	return &validatingTransport{t: t, router: router, seen: map[string]int{}, gaps: map[string]string{},
		route: func(r *http.Request) *http.Request { return r }}
}

// zimValidator validates ZIM calls against Amity's description of the ZIM
// surface: each action's request as at /zim/<Action>. A request the
// description refuses must be refused by Amity too (a non-zero Code).
func zimValidator(t testing.TB, baseURL string) *validatingTransport {
	v := newValidator(t, baseURL, "../../http/zim/openapi.yaml", nil)
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

// v1Validator validates /v1 calls against its description; a request the
// description refuses must get an error status.
func v1Validator(t testing.TB, baseURL string) *validatingTransport {
	v := newValidator(t, baseURL, "../../http/native/openapi.yaml", nil)
	v.refused = func(status int, _ []byte) bool { return status >= 400 }
	return v
}

func (v *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
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
	route, params, err := v.router.FindRoute(routed)
	var input *openapi3filter.RequestValidationInput
	refusedByDescription := ""
	if err != nil {
		if gap == "" && v.refused == nil {
			v.t.Errorf("no OpenAPI route for %s %s: %v", req.Method, routed.URL.Path, err)
		}
		refusedByDescription = "no route: " + err.Error()
		respGap = "no route"
	} else {
		input = &openapi3filter.RequestValidationInput{Request: routed, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
		if err := openapi3filter.ValidateRequest(req.Context(), input); err != nil && gap == "" {
			if v.refused == nil {
				v.t.Errorf("request %s %s does not match the OpenAPI description: %v", req.URL.Path, body, err)
			}
			refusedByDescription = err.Error()
		}
		routed.Body = io.NopCloser(bytes.NewReader(body))
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

// TestOpenAPIIsServed: each surface's description is served as kept in
// the repository, loads as OpenAPI, and the ZIM one's action paths are
// served.
func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	s := startService(t, testConfig, "")
	for name, file := range map[string]string{"zim": "../../http/zim/openapi.yaml", "v1": "../../http/native/openapi.yaml", "tencent": tencentOpenAPI} {
		resp, err := http.Get(s.httpURL + "/openapi/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || !bytes.Equal(got, want) {
			t.Errorf("/openapi/%s.yaml: HTTP %d, %d bytes, want %s's %d", name, resp.StatusCode, len(got), file, len(want))
		}
		if _, err := openapi3.NewLoader().LoadFromData(got); err != nil {
			t.Errorf("/openapi/%s.yaml does not load: %v", name, err)
		}
	}
	z := s.zim(t, 1234567, "demo-secret")
	var r zimResp
	q := zim.SignedQuery("", 1234567, "demo-secret", "alias-nonce", time.Now())
	q.Del("Action")
	if err := amityhttp.DoJSON(context.Background(), nil, http.MethodPost, s.httpURL+"/zim/UserRegister?"+q.Encode(),
		map[string]any{"UserInfo": []map[string]string{{"UserId": "via-path"}}}, &r); err != nil || r.Code != 0 {
		t.Errorf("POST /zim/UserRegister: %+v, %v", r, err)
	}
	if r := z.post("QueryUserInfos", map[string]any{"UserIds": []string{"via-path"}}); len(r.Result) != 1 {
		t.Errorf("the user registered through /zim/UserRegister is not there: %+v", r)
	}
}
