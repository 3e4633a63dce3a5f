// Package yunxin serves NetEase Yunxin IM's (CommsEase's) server API for
// friends, the blacklist and the mute list over Amity's core: the v1 form
// API (/nimserver/friend/add.action, ...) and the v2 JSON API
// (/im/v2/friends, ...), with Yunxin's CheckSum headers, codes and
// answers (docs/yunxin.md). Every business answer is HTTP 200 with
// Yunxin's body, as its SDK expects.
package yunxin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/domain/jsonscan"
	amityhttp "github.com/amity-im/amity/http"
)

// App is an app's Yunxin surface: the app, and the credentials and limits
// its Yunxin calls are held to.
type App struct {
	*domain.App
	AppKey, AppSecret string
	// QPS is the calls per second per API (DefaultQPS when 0).
	QPS int
	// index keys the app's nonces.
	index uint64
}

// Yunxin's own limits.
const (
	// DefaultQPS is Yunxin's documented rate of each friend and special
	// relation API, per app.
	DefaultQPS = 100
	// MaxAccid is the longest account ID.
	MaxAccid = 32
	// MaxList is the most entries of a blacklist or mute list (Yunxin's
	// cap; an app with a yunxin part takes it as its blocklist cap).
	MaxList = 3000
)

// Server is the Yunxin surface.
type Server struct {
	cfg    amityhttp.Deps
	apps   map[string]*App
	nonces amityhttp.Nonces
	v1     amityhttp.Pipeline[App, response]
	v2     amityhttp.Pipeline[App, any]
}

// New returns the Yunxin surface of apps.
func New(cfg amityhttp.Deps, apps ...*App) *Server {
	s := &Server{cfg: cfg, apps: map[string]*App{}}
	for i, a := range apps {
		a.index = uint64(i)
		s.apps[a.AppKey] = a
	}
	if s.cfg.Logger == nil {
		s.cfg.Logger = slog.Default()
	}
	limit := func(c *call) (any, int) { return limitKey{c.App.AppKey, c.Action}, qpsOf(c.App) }
	limited := func(c *call, qps int) error {
		return apiErr(codeFrequency, fmt.Sprintf("the app's %d calls a second of %s are spent", qps, c.Action))
	}
	readBody := func(r *http.Request) bool { return r.Method != http.MethodGet && r.Method != http.MethodDelete }
	unreadable := func(err error) error { return apiErr(codeParam, "cannot read the body: "+err.Error()) }
	busy := apiErr(codeBusy, "server busy: catching up with the stream")
	notUTF8 := apiErr(codeParam, "the body is not valid UTF-8")
	s.v1 = amityhttp.Pipeline[App, response]{Surface: "yunxin", Deps: s.cfg, Admit: s.admit, Limit: limit, Limited: limited,
		Busy: busy, ReadBody: readBody, Unreadable: unreadable, NotUTF8: notUTF8, Answer: s.answerV1}
	s.v2 = amityhttp.Pipeline[App, any]{Surface: "yunxin", Deps: s.cfg, Admit: s.admit, Limit: limit, Limited: limited,
		Busy: busy, ReadBody: readBody, Unreadable: unreadable, NotUTF8: notUTF8, Answer: s.answerV2}
	return s
}

// limitKey names the rate limit of one app's API.
type limitKey struct{ app, api string }

func qpsOf(a *App) int {
	if a.QPS > 0 {
		return a.QPS
	}
	return DefaultQPS
}

// call is one Yunxin call.
type call = amityhttp.Call[App]

// result is the part of every v1 answer.
type result struct {
	Code int    `json:"code"`
	Desc string `json:"desc,omitempty"`
}

func (r *result) res() *result { return r }

type response interface{ res() *result }

// ok is a v1 answer of nothing but success.
func ok() response { return &result{} }

var contentType = []string{"application/json; charset=utf-8"}

// buffers holds answer buffers between requests.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// write writes a Yunxin answer: HTTP 200, whatever happened.
func (s *Server) write(w http.ResponseWriter, c *call, body any) {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 {
			buffers.Put(buf)
		}
	}()
	buf.Reset()
	// The common answers write themselves; an answer that embeds result
	// would take its method, so the types are named.
	switch a := body.(type) {
	case *result:
		buf.Write(append(a.appendJSON(buf.AvailableBuffer()), '\n'))
	case *friendAnswer:
		buf.Write(append(a.appendJSON(buf.AvailableBuffer()), '\n'))
	default:
		if err := json.NewEncoder(buf).Encode(body); err != nil {
			s.cfg.Logger.Error("encode yunxin answer", "err", err)
			buf.Reset()
			fmt.Fprintf(buf, `{"code":%d,"desc":"internal error"}`+"\n", codeServer)
		}
	}
	if c.Seq == 0 {
		c.Seq = s.cfg.Read.Seq()
	}
	h := w.Header()
	h["Content-Type"] = contentType
	h["X-Amity-Sequence"] = []string{strconv.FormatUint(c.Seq, 10)}
	h["X-Amity-Request-Id"] = []string{c.Meta.RequestID}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// answerV1 writes a v1 answer: {"code":200,...} or {"code":N,"desc":...}.
func (s *Server) answerV1(w http.ResponseWriter, c *call, resp response, err error) string {
	if err != nil {
		code, msg := s.codeOf(c, err)
		resp = &result{Code: code, Desc: msg}
	}
	r := resp.res()
	if r.Code == 0 {
		r.Code = codeOK
	}
	s.write(w, c, resp)
	return strconv.Itoa(r.Code)
}

// v2Answer is every v2 answer.
type v2Answer struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
	Data any    `json:"data"`
}

// answerV2 writes a v2 answer: {"code":200,"msg":"success","data":{...}},
// or the code and message with empty data.
func (s *Server) answerV2(w http.ResponseWriter, c *call, data any, err error) string {
	a := v2Answer{Code: codeOK, Msg: "success", Data: data}
	if err != nil {
		s.codeOf(c, err) // logs a fault of Amity's own
		a.Code, a.Msg = v2CodeOf(err)
		a.Data = struct{}{}
	}
	if a.Data == nil {
		a.Data = struct{}{}
	}
	s.write(w, c, a)
	return strconv.Itoa(a.Code)
}

// codeOf is err's code and text, logging a fault of Amity's own.
func (s *Server) codeOf(c *call, err error) (int, string) {
	code, msg := codeOf(err)
	if code == codeServer {
		s.cfg.Logger.Error("yunxin call", "api", c.Action, "request", c.Meta.RequestID, "err", err)
	}
	return code, msg
}

// admit checks what Yunxin checks before an API runs: the CheckSum
// headers, then the API and its method.
func (s *Server) admit(r *http.Request, c *call) (*App, *domain.App, error) {
	app, err := s.authenticate(r.Header, c.Now)
	if err != nil {
		return nil, nil, err
	}
	if c.Route == nil {
		c.Action = r.URL.Path
		return nil, nil, apiErr(codeNotFound, "no such API: "+r.URL.Path)
	}
	if r.Method != c.Route.Method {
		return nil, nil, apiErr(codeParam, fmt.Sprintf("%s takes %s, not %s", c.Action, c.Route.Method, r.Method))
	}
	return app, app.App, nil
}

// accid reads an account ID: required, at most MaxAccid characters, and
// folded to lower case as Yunxin folds it.
func accid(name, v string) (string, error) {
	if v == "" {
		return "", apiErr(codeParam, name+" is missing")
	}
	if utf8.RuneCountInString(v) > MaxAccid {
		return "", apiErr(codeTooLong, fmt.Sprintf("%s is longer than %d characters", name, MaxAccid))
	}
	return strings.ToLower(v), nil
}

// text refuses a text field of more than max characters.
func text(name, v string, max int) error {
	if utf8.RuneCountInString(v) > max {
		return apiErr(codeTooLong, fmt.Sprintf("%s is longer than %d characters", name, max))
	}
	return nil
}

// registered refuses an account that is not registered, as Yunxin refuses
// an accid it does not know.
func (s *Server) registered(c *call, name, id string, kind error) error {
	if !s.cfg.Read.Registered(c.App.Name, id) {
		return kindErr(codeParam, name+" "+id+" does not exist", kind)
	}
	return nil
}

// appendJSON writes the answer as encoding/json would (the tests hold it
// to that): the common answers skip reflection.
func (r *result) appendJSON(b []byte) []byte {

	b = strconv.AppendInt(append(b, `{"code":`...), int64(r.Code), 10)
	if r.Desc != "" {
		b = jsonscan.AppendString(append(b, `,"desc":`...), r.Desc)
	}
	return append(b, '}')
}

func (a *friendAnswer) appendJSON(b []byte) []byte {
	b = strconv.AppendInt(append(b, `{"code":`...), int64(a.Code), 10)
	if a.Desc != "" {
		b = jsonscan.AppendString(append(b, `,"desc":`...), a.Desc)
	}
	f := &a.Friend
	b = jsonscan.AppendString(append(b, `,"friend":{"faccid":`...), f.FAccid)
	b = strconv.AppendInt(append(b, `,"createtime":`...), f.CreateTime, 10)
	b = strconv.AppendInt(append(b, `,"updatetime":`...), f.UpdateTime, 10)
	b = strconv.AppendBool(append(b, `,"bidirection":`...), f.Bidirection)
	for _, kv := range [...]struct{ k, v string }{{`,"alias":`, f.Alias}, {`,"ex":`, f.Ex}, {`,"serverex":`, f.ServerEx}} {
		if kv.v != "" {
			b = jsonscan.AppendString(append(b, kv.k...), kv.v)
		}
	}
	return append(b, "}}"...)
}
