// Package http holds what Amity's HTTP surfaces share: their dependencies,
// per-app rate limits, and the JSON plumbing of their clients. Each surface
// (http/zim, http/tencent) owns its routes, wire shapes and error table.
package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	nethttp "net/http"
	"sync"
	"time"

	"github.com/amity-im/amity/domain"
	"golang.org/x/time/rate"
)

// Executor runs domain commands; *writer.Writer implements it.
type Executor interface {
	Execute(ctx context.Context, app *domain.App, meta domain.Meta, cmds ...domain.Command) []domain.Result
}

// Deps are a surface's dependencies.
type Deps struct {
	Writer Executor
	Read   domain.ReadModel
	Now    func() time.Time
	NewID  func() string
	Logger *slog.Logger
	// Ready reports whether the read models have caught up with the stream.
	Ready func() bool
	// Observe, when set, is told of every call answered.
	Observe func(Observation)
}

// Observation is one answered call, for metrics and the request log.
// Action is one the surface serves, or "unknown"; Code is the answer's
// result code in the surface's own terms ("0" for success on the vendor
// surfaces, "ok" on /v1).
type Observation struct {
	Surface, Action, Code, RequestID string
	Took                             time.Duration
}

// Limits holds one token bucket per key (an app and an action).
type Limits struct {
	mu sync.Mutex
	m  map[any]*rate.Limiter
}

// Allow reports whether one more call under key fits qps calls per second.
func (l *Limits) Allow(key any, qps int, now time.Time) bool {
	l.mu.Lock()
	lim := l.m[key]
	if lim == nil {
		if l.m == nil {
			l.m = map[any]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Limit(qps), qps)
		l.m[key] = lim
	}
	l.mu.Unlock()
	return lim.AllowN(now, 1)
}

// DoJSON sends body (JSON-encoded unless it is []byte; none when nil) to
// url and decodes a 200 answer into out (unless nil; a *[]byte takes the
// answer as it came).
func DoJSON(ctx context.Context, hc *nethttp.Client, method, url string, body, out any) error {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("encode body: %w", err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := nethttp.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return fmt.Errorf("new request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if hc == nil {
		hc = nethttp.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read %s answer: %w", req.URL.Path, err)
	}
	if resp.StatusCode != nethttp.StatusOK {
		return &StatusError{Path: req.URL.Path, Status: resp.StatusCode, Body: data}
	}
	switch raw := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*raw = data
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: decode %s answer %s: %w", ErrBadAnswer, req.URL.Path, data, err)
	}
	return nil
}

// DecodeBody reads a JSON request body into v; when it is not an object v
// takes, it says why, in words a caller can act on ("" when it decoded).
func DecodeBody(body []byte, v any) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return "the body must be a JSON object"
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Sprintf("field %s must be %s", te.Field, te.Type)
		}
		return "malformed JSON: " + err.Error()
	}
	return ""
}

// JSONAppender is a body that encodes itself, byte for byte as
// encoding/json would: an answer that carries stored JSON as it is.
type JSONAppender interface {
	AppendJSON(b []byte) []byte
}

// WriteJSON encodes body into a buffer, then writes status and it, not to
// be cached: the JSON answers of /v1 and the console.
func WriteJSON(w nethttp.ResponseWriter, status int, body any) {
	var out []byte
	if a, ok := body.(JSONAppender); ok {
		out = append(a.AppendJSON(nil), '\n')
	} else {
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			status = nethttp.StatusInternalServerError
			buf.Reset()
			buf.WriteString(`{"error":{"code":"internal","message":"encode"}}` + "\n")
		}
		out = buf.Bytes()
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}
