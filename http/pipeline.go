package http

import (
	"context"
	"io"
	nethttp "net/http"
	"time"
	"unicode/utf8"

	"github.com/amity-im/amity/domain"
)

// Call is one call on its way through a surface's Pipeline; A is the
// surface's app (its credentials and limits with the domain app).
type Call[A any] struct {
	// Route is the operation called; nil for a call no route takes.
	Route *Route
	// Action is the operation's name in the surface's own terms: the
	// route's Metric, or for a call no route takes what it asked for.
	Action string
	App    *A
	Query  *Query
	Body   []byte
	Meta   domain.Meta
	Now    time.Time
	// Seq is the stream sequence the answer reflects: the highest of the
	// commands it ran, or the read model's when it ran none.
	Seq uint64

	exec Executor
	app  *domain.App
}

// Execute runs cmds for the call's app and keeps the highest sequence
// they reflect in Seq.
func (c *Call[A]) Execute(ctx context.Context, cmds []domain.Command) []domain.Result {
	if len(cmds) == 0 {
		return nil
	}
	res := c.exec.Execute(ctx, c.app, c.Meta, cmds...)
	for _, r := range res {
		c.Seq = max(c.Seq, r.Seq)
	}
	return res
}

// Pipeline is the one way every vendor surface answers a call: admit
// (method and credentials, in the vendor's order), rate-limit, wait for
// the read models, read the body, run the route's handler, answer in the
// vendor's format, and tell Observe. The surface supplies the pieces that
// are its vendor's own; R is its answer type.
type Pipeline[A, R any] struct {
	Surface string
	Deps    Deps
	// Admit checks the call's method and credentials in the vendor's
	// order and returns its app (and the domain app in it).
	Admit func(r *nethttp.Request, c *Call[A]) (*A, *domain.App, error)
	// Limit returns the rate of the call's route for its app (calls per
	// second) and the key of its bucket; Limited is the refusal once it
	// is spent. Nil: no rate limit.
	Limit   func(c *Call[A]) (key any, qps int)
	Limited func(c *Call[A], qps int) error
	// Busy is the refusal while the read models catch up with the stream.
	Busy error
	// ReadBody reports whether the call's body is read (ZIM reads only a
	// POST's); Unreadable and NotUTF8 are its refusals.
	ReadBody   func(r *nethttp.Request) bool
	Unreadable func(err error) error
	NotUTF8    error
	// MaxBody caps a body (MaxBodyBytes when 0).
	MaxBody int64
	// Answer writes resp, or err in the vendor's format, and returns the
	// result code Observe is told.
	Answer func(w nethttp.ResponseWriter, c *Call[A], resp R, err error) string

	limits Limits
}

// MaxBodyBytes caps a request body on every surface.
const MaxBodyBytes = 1 << 20

// Handler is a route's own part: what it does with an admitted call.
type Handler[A, R any] func(ctx context.Context, c *Call[A]) (R, error)

// Handle makes rt's handler: the pipeline around h. With rt and h nil it
// serves the calls no route takes, which the vendor still authenticates
// first: Admit must refuse every call without a Route.
func (p *Pipeline[A, R]) Handle(rt *Route, h Handler[A, R]) QueryHandler {
	return &pipelineHandler[A, R]{p: p, rt: rt, h: h}
}

type pipelineHandler[A, R any] struct {
	p  *Pipeline[A, R]
	rt *Route
	h  Handler[A, R]
}

func (ph *pipelineHandler[A, R]) ServeHTTP(w nethttp.ResponseWriter, r *nethttp.Request) {
	ph.ServeQuery(w, r, ParseQuery(r.URL.RawQuery))
}

func (ph *pipelineHandler[A, R]) ServeQuery(w nethttp.ResponseWriter, r *nethttp.Request, q *Query) {
	p := ph.p
	start := time.Now()
	c := &Call[A]{Route: ph.rt, Query: q, Now: p.Deps.Now(), exec: p.Deps.Writer, Meta: domain.Meta{Surface: p.Surface}}
	if p.Deps.NewID != nil {
		c.Meta.RequestID = p.Deps.NewID()
	}
	if ph.rt != nil {
		c.Action = ph.rt.Metric
	}
	resp, err := ph.serve(r, c)
	code := p.Answer(w, c, resp, err)
	if p.Deps.Observe != nil {
		metric := "unknown"
		if ph.rt != nil && ph.h != nil {
			metric = ph.rt.Metric
		}
		p.Deps.Observe(Observation{Surface: p.Surface, Action: metric, Code: code, RequestID: c.Meta.RequestID, Took: time.Since(start)})
	}
}

func (ph *pipelineHandler[A, R]) serve(r *nethttp.Request, c *Call[A]) (R, error) {
	p := ph.p
	var none R
	app, dapp, err := p.Admit(r, c)
	if err != nil {
		return none, err
	}
	c.App, c.app = app, dapp
	if ph.h == nil {
		return none, nil // Admit refused it unless it named a route
	}
	if p.Limit != nil {
		if key, qps := p.Limit(c); !p.limits.Allow(key, qps, c.Now) {
			return none, p.Limited(c, qps)
		}
	}
	if p.Deps.Ready != nil && !p.Deps.Ready() {
		return none, p.Busy
	}
	if p.ReadBody(r) {
		limit := p.MaxBody
		if limit == 0 {
			limit = MaxBodyBytes
		}
		body, err := io.ReadAll(nethttp.MaxBytesReader(nil, r.Body, limit))
		if err != nil {
			return none, p.Unreadable(err)
		}
		if !utf8.Valid(body) {
			// JSON is UTF-8; encoding/json would store each bad byte as
			// U+FFFD.
			return none, p.NotUTF8
		}
		c.Body = body
	}
	return ph.h(r.Context(), c)
}
