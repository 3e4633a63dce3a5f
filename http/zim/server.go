package zim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// MaxBodyBytes caps a request body.
const MaxBodyBytes = 1 << 20

// App is an app's ZIM surface: the app, and the credentials and limits
// its ZIM calls are held to.
type App struct {
	*domain.App
	AppID        uint32
	ServerSecret string
	// QPS is the calls per second per action (DefaultQPS when 0).
	QPS int
	// BatchLimit is the targets per batch call (DefaultBatch when 0, at
	// most MaxBatch).
	BatchLimit int
}

// Limits of ZIM's own: calls per second per action and app, and targets
// per batch call (raised to MaxBatch on request).
const (
	DefaultQPS   = 20
	DefaultBatch = 20
	MaxBatch     = 50
)

// Server is the ZIM surface.
type Server struct {
	cfg    amityhttp.Deps
	apps   map[uint32]*App
	nonces nonceCache
	limits amityhttp.Limits
}

// New returns the ZIM surface of apps.
func New(cfg amityhttp.Deps, apps ...*App) *Server {
	s := &Server{cfg: cfg, apps: map[uint32]*App{}}
	for _, a := range apps {
		s.apps[a.AppID] = a
	}
	if s.cfg.Logger == nil {
		s.cfg.Logger = slog.Default()
	}
	return s
}

// Common is the part of every ZIM response.
type Common struct {
	Code      int    `json:"Code"`
	Message   string `json:"Message"`
	RequestId string `json:"RequestId"` //nolint:revive // the wire name
}

func (c *Common) common() *Common { return c }

type response interface{ common() *Common }

// call is one authenticated request.
type call struct {
	app   *App
	query amityhttp.Query
	body  []byte
	meta  domain.Meta
	now   time.Time
	seq   uint64
}

type handlerFunc func(s *Server, ctx context.Context, c *call) (response, error)

type action struct {
	method string
	handle handlerFunc
	// qpsCode is the code answered when the action's rate limit is hit.
	qpsCode int
}

// ServeHTTP answers every ZIM call with HTTP 200 and a ZIM body.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start, now := time.Now(), s.cfg.Now()
	c := &call{now: now, meta: domain.Meta{RequestID: s.cfg.NewID(), Surface: "zim"}}
	c.query.Parse(r.URL.RawQuery)
	resp, err := s.serve(r, c)
	if err != nil {
		code, msg := codeOf(err)
		if code == codeRetry {
			s.cfg.Logger.Error("zim call", "action", c.query.Get("Action"), "request", c.meta.RequestID, "err", err)
		}
		resp = &Common{Code: code, Message: msg}
	}
	cm := resp.common()
	cm.RequestId = c.meta.RequestID
	if cm.Message == "" {
		cm.Message = "success"
	}
	if c.seq == 0 {
		c.seq = s.cfg.Read.Seq()
	}
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 {
			buffers.Put(buf)
		}
	}()
	buf.Reset()
	if a, ok := resp.(jsonAppender); ok {
		buf.Write(append(a.appendJSON(buf.AvailableBuffer()), '\n'))
	} else if err := json.NewEncoder(buf).Encode(resp); err != nil {
		s.cfg.Logger.Error("encode zim response", "err", err)
		buf.Reset()
		fmt.Fprintf(buf, `{"Code":%d,"Message":"internal error","RequestId":%q}`+"\n", codeRetry, c.meta.RequestID)
	}
	h := w.Header()
	h["Content-Type"] = contentType
	h["X-Amity-Sequence"] = []string{strconv.FormatUint(c.seq, 10)}
	h["X-Amity-Request-Id"] = []string{c.meta.RequestID}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	if s.cfg.Observe != nil {
		action := c.query.Get("Action")
		if _, ok := actions[action]; !ok {
			action = "unknown"
		}
		s.cfg.Observe(amityhttp.Observation{Surface: "zim", Action: action, Code: strconv.Itoa(cm.Code), RequestID: c.meta.RequestID,
			Took: time.Since(start)})
	}
}

// jsonAppender is a response that writes its own JSON, as encoding/json
// would (each one's test holds it to that).
type jsonAppender interface{ appendJSON([]byte) []byte }

// buffers holds response buffers between requests.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

var contentType = []string{"application/json; charset=utf-8"}

func (s *Server) serve(r *http.Request, c *call) (response, error) {
	if c.query.Get("AppId") != "" && c.query.Get("Action") == "" {
		return nil, apiErr(codeActionEmpty, "Action is empty")
	}
	app, err := s.authenticate(&c.query, c.now)
	if err != nil {
		return nil, err
	}
	c.app = app
	name := c.query.Get("Action")
	act, ok := actions[name]
	if !ok {
		return nil, apiErr(codeActionUnsupported, "unsupported Action "+strconv.Quote(name))
	}
	if r.Method != act.method {
		return nil, apiErr(codeInvalidParam, fmt.Sprintf("%s takes %s, not %s", name, act.method, r.Method))
	}
	if !s.limits.Allow(limitKey{app.AppID, name}, zimQPS(app), c.now) {
		return nil, apiErr(act.qpsCode, "QPS limit of "+strconv.Itoa(zimQPS(app))+"/s exceeded for "+name)
	}
	if s.cfg.Ready != nil && !s.cfg.Ready() {
		return nil, apiErr(codeBusy, "server busy: catching up with the stream")
	}
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
		if err != nil {
			return nil, apiErr(codeBodyUnreadable, "cannot read the body: "+err.Error())
		}
		if !utf8.Valid(body) {
			// encoding/json would store each bad byte as U+FFFD.
			return nil, apiErr(codeInvalidParam, "the body is not valid UTF-8")
		}
		c.body = body
	}
	return act.handle(s, r.Context(), c)
}

// decode reads the JSON body into v; any malformed or mistyped body is a
// parameter error.
func (c *call) decode(v any) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return apiErr(codeInvalidParam, "the body must be a JSON object")
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return apiErr(codeInvalidParam, fmt.Sprintf("field %s must be %s", te.Field, te.Type))
		}
		return apiErr(codeInvalidParam, "malformed JSON: "+err.Error())
	}
	return nil
}

// execute runs cmds and records the highest sequence they reflect.
func (s *Server) execute(ctx context.Context, c *call, cmds []domain.Command) []domain.Result {
	if len(cmds) == 0 {
		return nil
	}
	res := s.cfg.Writer.Execute(ctx, c.app.App, c.meta, cmds...)
	for _, r := range res {
		c.seq = max(c.seq, r.Seq)
	}
	return res
}

func zimQPS(a *App) int {
	if a.QPS > 0 {
		return a.QPS
	}
	return DefaultQPS
}

func zimBatch(a *App) int {
	if a.BatchLimit > 0 {
		return a.BatchLimit
	}
	return DefaultBatch
}

// operator validates FromUserId and checks it is registered.
func (s *Server) operator(c *call, id string) error {
	if code, msg := checkID(id); code != 0 {
		return apiErr(code, "FromUserId: "+msg)
	}
	if !s.cfg.Read.Registered(c.app.Name, id) {
		return apiErr(codeOperatorUnregistered, "FromUserId is not registered")
	}
	return nil
}

// allFailed sets Code for a batch whose every item failed to the first
// item's code.
func allFailed(cm *Common, first int) {
	cm.Code = first
	cm.Message = "every item failed, see the item list"
}
