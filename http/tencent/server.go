package tencent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// MaxBodyBytes caps a request body.
const MaxBodyBytes = amityhttp.MaxBodyBytes

// App is an app's Tencent surface: the app, and the credentials, limits
// and custom friend fields its Tencent calls are held to.
type App struct {
	*domain.App
	SDKAppID  uint64
	SecretKey string
	Admins    []string
	// QPS is the calls per second per API (DefaultQPS when 0).
	QPS int
	// CustomFields are the app's Tag_SNS_Custom_* friend fields.
	CustomFields []string
	// ZIMAttributes maps a custom field onto a ZIM attribute key (k0-k4):
	// both surfaces then read and write one value.
	ZIMAttributes map[string]string
	// Follow switches on the follow APIs (v4/follow/*), off on Tencent
	// editions without the feature: 30005 then.
	Follow bool
}

// DefaultQPS is Tencent's rate of calls per second per API and app.
const DefaultQPS = 200

// Server is the Tencent surface.
type Server struct {
	cfg   amityhttp.Deps
	apps  map[uint64]*App
	sigs  sigCache
	calls amityhttp.Pipeline[App, response]
}

type limitKey struct {
	app  uint64
	path string
}

// New returns the Tencent surface of apps.
func New(cfg amityhttp.Deps, apps ...*App) *Server {
	s := &Server{cfg: cfg, apps: map[uint64]*App{}}
	for _, a := range apps {
		s.apps[a.SDKAppID] = a
	}
	if s.cfg.Logger == nil {
		s.cfg.Logger = slog.Default()
	}
	s.calls = amityhttp.Pipeline[App, response]{
		Surface: "tencent", Deps: s.cfg, Admit: s.admit,
		Limit: func(c *call) (any, int) { return limitKey{c.App.SDKAppID, c.Action}, tencentQPS(c.App) },
		Limited: func(c *call, qps int) error {
			return apiErr(codeRateLimited, "call rate of "+strconv.Itoa(qps)+"/s exceeded for "+c.Action)
		},
		Busy:       apiErr(codeSNSInternal, "server busy: catching up with the stream, retry"),
		ReadBody:   func(*http.Request) bool { return true },
		Unreadable: func(err error) error { return apiErr(codeHTTPParse, "cannot read the body: "+err.Error()) },
		NotUTF8:    apiErr(codeJSONParse, "the body is not valid UTF-8"),
		Answer:     s.answer,
	}
	return s
}

// Envelope is the part of every Tencent response.
type Envelope struct {
	ActionStatus string  `json:"ActionStatus"`
	ErrorCode    int     `json:"ErrorCode"`
	ErrorInfo    string  `json:"ErrorInfo"`
	ErrorDisplay *string `json:"ErrorDisplay,omitempty"`
}

func (e *Envelope) envelope() *Envelope { return e }

type response interface{ envelope() *Envelope }

// call is one Tencent call.
type call = amityhttp.Call[App]

// answer writes a Tencent answer: HTTP 200 and Tencent's envelope,
// whatever happened.
func (s *Server) answer(w http.ResponseWriter, c *call, resp response, err error) string {
	if err != nil {
		code, _, msg := codeOf(err)
		if code == codeSNSInternal {
			s.cfg.Logger.Error("tencent call", "path", c.Action, "request", c.Meta.RequestID, "err", err)
		}
		resp = &Envelope{ErrorCode: code, ErrorInfo: msg}
	}
	env := resp.envelope()
	env.ActionStatus = "OK"
	if env.ErrorCode != codeOK {
		env.ActionStatus = "FAIL"
	}
	if e := ep(c); e == nil || e.display {
		empty := ""
		env.ErrorDisplay = &empty
	}
	if c.Seq == 0 {
		c.Seq = s.cfg.Read.Seq()
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(resp); err != nil {
		s.cfg.Logger.Error("encode tencent response", "err", err)
		buf.Reset()
		fmt.Fprintf(&buf, `{"ActionStatus":"FAIL","ErrorCode":%d,"ErrorInfo":"internal error"}`+"\n", codeSNSInternal)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Amity-Sequence", strconv.FormatUint(c.Seq, 10))
	w.Header().Set("X-Amity-Request-Id", c.Meta.RequestID)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return strconv.Itoa(env.ErrorCode)
}

// admit checks what Tencent checks before an API runs, in its order: an
// API served, its method, the signature.
func (s *Server) admit(r *http.Request, c *call) (*App, *domain.App, error) {
	if c.Route == nil {
		c.Action = r.URL.Path
		return nil, nil, apiErr(codeBadResource, "no such API: "+r.URL.Path)
	}
	if r.Method != c.Route.Method {
		return nil, nil, apiErr(codeHTTPParse, "the REST API takes POST, not "+r.Method)
	}
	app, err := s.authenticate(c.Query, c.Now)
	if err != nil {
		return nil, nil, err
	}
	return app, app.App, nil
}

// Authenticate checks a request's Tencent parameters (sdkappid, an admin
// identifier and its UserSig, random, contenttype) and returns the app; a
// refusal is an *Error. Amity's native API accepts these parameters too.
func (s *Server) Authenticate(q amityhttp.Params, now time.Time) (*domain.App, error) {
	app, err := s.authenticate(q, now)
	if err != nil {
		return nil, err
	}
	return app.App, nil
}

func (s *Server) authenticate(q amityhttp.Params, now time.Time) (*App, error) {
	rawID := q.Get("sdkappid")
	if rawID == "" {
		return nil, apiErr(codeSDKAppIDMissing, "sdkappid is missing")
	}
	id, err := strconv.ParseUint(rawID, 10, 64)
	if err != nil {
		return nil, apiErr(codeSDKAppIDInvalid, "sdkappid is not a number")
	}
	identifier := q.Get("identifier")
	if identifier == "" {
		return nil, apiErr(codeAccountInURL, "identifier is missing")
	}
	sig := q.Get("usersig")
	if sig == "" {
		return nil, apiErr(codeSigEmpty, "usersig is empty")
	}
	if _, err := strconv.ParseUint(q.Get("random"), 10, 32); err != nil {
		return nil, apiErr(codeHTTPParse, "random must be an integer from 0 to 4294967295")
	}
	if ct := q.Get("contenttype"); ct != "json" {
		return nil, apiErr(codeHTTPParse, "contenttype must be json")
	}
	app := s.apps[id]
	if app == nil {
		return nil, apiErr(codeSDKAppIDInvalid, "no app with this sdkappid")
	}
	if err := s.sigs.verify(sig, id, app.SecretKey, identifier, now); err != nil {
		return nil, err
	}
	if !slices.Contains(app.Admins, identifier) {
		return nil, apiErr(codeNotAdmin, "identifier is not an app admin")
	}
	return app, nil
}

func tencentQPS(a *App) int {
	if a.QPS > 0 {
		return a.QPS
	}
	return DefaultQPS
}

// decode reads the JSON body into v.
func decode(c *call, v any) error {
	if err := json.Unmarshal(c.Body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return apiErr(codeJSONParse, fmt.Sprintf("field %s must be %s", te.Field, te.Type))
		}
		return apiErr(codeJSONParse, "malformed JSON: "+err.Error())
	}
	return nil
}

// paramErr is the code for a bad parameter of the call's API family.
func paramErr(c *call, msg string) error {
	return apiErr(ep(c).param, msg)
}

// MaxUserIDBytes is the longest UserID.
const MaxUserIDBytes = 32

// checkID refuses an empty ID, one over 32 bytes, or one outside printable
// ASCII.
func checkID(id string) string {
	if id == "" {
		return "UserID is empty"
	}
	if len(id) > MaxUserIDBytes {
		return "UserID is longer than 32 bytes"
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return "UserID holds a character outside printable ASCII"
		}
	}
	return ""
}

// operator checks From_Account: valid and imported.
func (s *Server) operator(c *call, id string) error {
	if msg := checkID(id); msg != "" {
		return paramErr(c, "From_Account: "+msg)
	}
	if !s.cfg.Read.Registered(c.App.Name, id) {
		return apiErr(codeAccountNotExist, "From_Account is not imported")
	}
	return nil
}

// ResultItem is the outcome of one item of a batch.
type ResultItem struct {
	To_Account string `json:"To_Account"` //nolint:revive // the wire name
	ResultCode int    `json:"ResultCode"`
	ResultInfo string `json:"ResultInfo"`
}

// items collects the per-item results of a batch, in request order.
type items struct {
	api     string
	results []ResultItem
}

func newItems(c *call, ids []string) *items {
	it := &items{api: ep(c).api, results: make([]ResultItem, len(ids))}
	for i, id := range ids {
		it.results[i].To_Account = id
	}
	return it
}

func (it *items) fail(i, code int, reason string) {
	it.results[i].ResultCode = code
	it.results[i].ResultInfo = "Err_SNS_" + it.api + "_" + reason
}

func (it *items) failErr(i int, err error) {
	code, reason, _ := codeOf(err)
	it.fail(i, code, reason)
}

// failAccounts lists the failed items' accounts, nil when none failed.
func (it *items) failAccounts() []string {
	var out []string
	for _, r := range it.results {
		if r.ResultCode != 0 {
			out = append(out, r.To_Account)
		}
	}
	return out
}

// batchResponse is the answer of most sns batch APIs.
type batchResponse struct {
	Envelope
	ResultItem   []ResultItem `json:"ResultItem"`
	Fail_Account []string     `json:"Fail_Account,omitempty"` //nolint:revive // the wire name
}

func (it *items) response() *batchResponse {
	return &batchResponse{ResultItem: it.results, Fail_Account: it.failAccounts()}
}

// runEach runs cmd for every item of ids that passed validation (ok) and
// records each outcome at its item's position.
func runEach(ctx context.Context, c *call, it *items, ids []string, ok []bool, cmd func(id string) domain.Command) {
	var batch amityhttp.Batch[int]
	for i, id := range ids {
		if ok[i] {
			batch.Add(i, cmd(id))
		}
	}
	amityhttp.RunBatch(ctx, c, &batch, it.failErr)
}
