package zim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// MaxBodyBytes caps a request body.
const MaxBodyBytes = amityhttp.MaxBodyBytes

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
	nonces amityhttp.Nonces
	calls  amityhttp.Pipeline[App, response]
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
	s.calls = amityhttp.Pipeline[App, response]{
		Surface: "zim", Deps: s.cfg, Admit: s.admit,
		Limit: func(c *call) (any, int) { return limitKey{c.App.AppID, c.Action}, zimQPS(c.App) },
		Limited: func(c *call, qps int) error {
			return apiErr(limitCode(c.Route.Limit), "QPS limit of "+strconv.Itoa(qps)+"/s exceeded for "+c.Action)
		},
		Busy:       apiErr(codeBusy, "server busy: catching up with the stream"),
		ReadBody:   func(r *http.Request) bool { return r.Method == http.MethodPost },
		Unreadable: func(err error) error { return apiErr(codeBodyUnreadable, "cannot read the body: "+err.Error()) },
		NotUTF8:    apiErr(codeInvalidParam, "the body is not valid UTF-8"),
		Answer:     s.answer,
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

// call is one ZIM call.
type call = amityhttp.Call[App]

// answer writes a ZIM answer: HTTP 200 and a ZIM body, whatever happened.
func (s *Server) answer(w http.ResponseWriter, c *call, resp response, err error) string {
	if err != nil {
		code, msg := codeOf(err)
		if code == codeRetry {
			s.cfg.Logger.Error("zim call", "action", c.Action, "request", c.Meta.RequestID, "err", err)
		}
		resp = &Common{Code: code, Message: msg}
	}
	cm := resp.common()
	cm.RequestId = c.Meta.RequestID
	if cm.Message == "" {
		cm.Message = "success"
	}
	if c.Seq == 0 {
		c.Seq = s.cfg.Read.Seq()
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
		fmt.Fprintf(buf, `{"Code":%d,"Message":"internal error","RequestId":%q}`+"\n", codeRetry, c.Meta.RequestID)
	}
	h := w.Header()
	h["Content-Type"] = contentType
	h["X-Amity-Sequence"] = []string{strconv.FormatUint(c.Seq, 10)}
	h["X-Amity-Request-Id"] = []string{c.Meta.RequestID}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return strconv.Itoa(cm.Code)
}

// jsonAppender is a response that writes its own JSON, as encoding/json
// would (each one's test holds it to that).
type jsonAppender interface{ appendJSON([]byte) []byte }

// buffers holds response buffers between requests.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

var contentType = []string{"application/json; charset=utf-8"}

// admit checks what ZIM checks before an action runs, in its order: an
// action named, the signature, an action served, its method.
func (s *Server) admit(r *http.Request, c *call) (*App, *domain.App, error) {
	if c.Route == nil {
		c.Action = c.Query.Get("Action")
		if rest, ok := strings.CutPrefix(r.URL.Path, actionPathPrefix); ok {
			c.Action = rest
		}
		if c.Query.Get("AppId") != "" && c.Action == "" {
			return nil, nil, apiErr(codeActionEmpty, "Action is empty")
		}
	}
	app, err := s.authenticate(c.Query, c.Now)
	if err != nil {
		return nil, nil, err
	}
	if c.Route == nil {
		return nil, nil, apiErr(codeActionUnsupported, "unsupported Action "+strconv.Quote(c.Action))
	}
	if r.Method != c.Route.Method {
		return nil, nil, apiErr(codeInvalidParam, fmt.Sprintf("%s takes %s, not %s", c.Action, c.Route.Method, r.Method))
	}
	return app, app.App, nil
}

// decode reads the JSON body into v; any malformed or mistyped body is a
// parameter error.
func decode(c *call, v any) error {
	if msg := amityhttp.DecodeBody(c.Body, v); msg != "" {
		return apiErr(codeInvalidParam, msg)
	}
	return nil
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
	if !s.cfg.Read.Registered(c.App.Name, id) {
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
