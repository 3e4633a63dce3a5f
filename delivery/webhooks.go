package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/retry"
)

// Webhooks tell an app's backend of changes the way its platform does. Each
// surface is a Style: it names its callbacks, builds their bodies from a
// commit, and signs each try (http/tencent: Sns.Callback* commands with
// Tencent's query string and PairList bodies; http/zim: signed ZIM-style
// events). Each app's deliveries run through their own durable consumer,
// one commit at a time, so they arrive in stream order (and per user in
// order). A delivery that times out or answers other than 2xx is tried
// again with backoff; after the last try it is parked on the dead-letter
// stream and the next one goes ahead.

// Delivery is one callback to send.
type Delivery struct {
	App     string          `json:"app"`
	Command string          `json:"command"`
	EventID string          `json:"event_id"`
	Seq     uint64          `json:"seq"`
	Body    json.RawMessage `json:"body"`
	// Attempts and LastError are set when the delivery is parked.
	Attempts  int       `json:"attempts,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	ParkedAt  time.Time `json:"parked_at,omitzero"`
}

// Style is one platform's way of calling an app's backend.
type Style interface {
	// Commands names the callbacks the style sends.
	Commands() []string
	// Deliveries returns the callbacks app's backend gets for commit c,
	// stored at seq; a Builder leaves out the ones app does not take.
	Deliveries(app *domain.App, seq uint64, c domain.Commit) []Delivery
	// Request returns the URL and body of one try of d at now, signed.
	Request(app *domain.App, d Delivery, now time.Time) (url string, body []byte, err error)
}

// HeaderSigner is a Style that signs a try in its headers too (Yunxin's
// AppKey, CurTime, MD5 and CheckSum).
type HeaderSigner interface {
	Headers(app *domain.App, body []byte, now time.Time) http.Header
}

// Builder collects one commit's deliveries for an app, leaving out the
// commands its callback config does not name.
type Builder struct {
	App *domain.App
	Seq uint64
	Out []Delivery
}

// Add adds the callback command about ev, with body encoded as JSON.
func (b *Builder) Add(ev domain.Event, command string, body any) {
	cb := b.App.Callback
	if cb == nil || len(cb.Commands) > 0 && !slices.Contains(cb.Commands, command) || ev.Surface == domain.SurfaceMigrate {
		return // migrated changes were the vendor's: the backend heard of them there
	}
	data, _ := json.Marshal(body)
	b.Out = append(b.Out, Delivery{App: b.App.Name, Command: command, EventID: ev.ID, Seq: b.Seq, Body: data})
}

// defaultCallbackTimeout bounds one try of a callback.
const defaultCallbackTimeout = 5 * time.Second

// Sender posts deliveries to their app's callback URL, in the style the
// app's callback config names.
type Sender struct {
	Client *http.Client
	Now    func() time.Time
	Styles map[string]Style
}

// Deliveries returns the callbacks app's backend gets for commit c.
func (s *Sender) Deliveries(app *domain.App, seq uint64, c domain.Commit) []Delivery {
	if app.Callback == nil || s.Styles[app.Callback.Style] == nil {
		return nil
	}
	return s.Styles[app.Callback.Style].Deliveries(app, seq, c)
}

// Send makes one attempt at d for app.
func (s *Sender) Send(ctx context.Context, app *domain.App, d Delivery) error {
	cb := app.Callback
	if cb == nil {
		return fmt.Errorf("app %s has no callback", app.Name)
	}
	style := s.Styles[cb.Style]
	if style == nil {
		return fmt.Errorf("app %s: no callback style %q", app.Name, cb.Style)
	}
	now := s.Now()
	target, body, err := style.Request(app, d, now)
	if err != nil {
		return fmt.Errorf("callback request: %w", err)
	}
	timeout := cb.Timeout
	if timeout <= 0 {
		timeout = defaultCallbackTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("callback request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if hs, ok := style.(HeaderSigner); ok {
		for k, v := range hs.Headers(app, body, now) {
			req.Header[k] = v
		}
	}
	req.Header.Set("X-Amity-Event-Id", d.EventID)
	req.Header.Set("X-Amity-Sequence", strconv.FormatUint(d.Seq, 10))
	resp, err := s.Client.Do(req)
	if err != nil {
		return fmt.Errorf("post callback: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("callback answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// Retry bounds of a callback, where the app's config sets none.
const (
	defaultAttempts   = 10
	defaultBackoff    = 500 * time.Millisecond
	defaultMaxBackoff = 8 * time.Second
)

// Webhooks deliver one app's callbacks.
type Webhooks struct {
	// Source is the stream; Name the app's durable consumer; Filter the
	// app's relation subjects.
	Source Durable
	Name   string
	Filter string
	App    *domain.App
	Sender *Sender
	// Park stores a delivery that failed every try on the dead-letter
	// stream.
	Park   func(ctx context.Context, app, msgID string, data []byte) error
	Logger *slog.Logger
	// Meter, when set, is told the result of every try.
	Meter Meter
}

// delivered tells the meter one try's result.
func (w *Webhooks) delivered(d Delivery, result string) {
	if w.Meter != nil {
		w.Meter.Delivered(w.App.Name, d.Command, result)
	}
}

// Run delivers the app's callbacks until ctx ends, parking each delivery
// that fails every try.
func (w *Webhooks) Run(ctx context.Context) error {
	app, s, src, park, logger := w.App, w.Sender, w.Source, w.Park, w.Logger
	cb := app.Callback
	attempts, backoff, maxBackoff, timeout := cb.MaxAttempts, cb.Backoff, cb.MaxBackoff, cb.Timeout
	if attempts <= 0 {
		attempts = defaultAttempts
	}
	if backoff <= 0 {
		backoff = defaultBackoff
	}
	if maxBackoff <= 0 {
		maxBackoff = defaultMaxBackoff
	}
	if timeout <= 0 {
		timeout = defaultCallbackTimeout
	}
	// A commit stays with a dispatcher for one try plus a margin; progress
	// before every try and every wait keeps it there while it retries.
	err := src.Consume(ctx, w.Name, []string{w.Filter}, timeout+5*time.Second,
		func(ctx context.Context, r domain.Record, progress func()) error {
			c, err := domain.DecodeRecord(r)
			if err != nil {
				logger.Error("webhooks: bad message skipped", "app", app.Name, "seq", r.Seq, "subject", r.Subject, "err", err)
				return nil
			}
			b := retry.Backoff{First: backoff, Max: maxBackoff, Attempts: attempts}
			for _, d := range s.Deliveries(app, r.Seq, c) {
				tries := 0
				err := b.Do(ctx, func(attempt int) error {
					tries = attempt
					progress()
					return s.Send(ctx, app, d)
				}, func(int, error, time.Duration) {
					w.delivered(d, "retry")
					progress()
				})
				switch {
				case err == nil:
					w.delivered(d, "ok")
				case ctx.Err() != nil:
					return ctx.Err()
				default:
					w.delivered(d, "parked")
					d.Attempts, d.LastError, d.ParkedAt = tries, err.Error(), s.Now()
					data, _ := json.Marshal(d)
					if perr := park(ctx, app.Name, fmt.Sprintf("%s:%s", d.EventID, d.Command), data); perr != nil {
						return perr
					}
					logger.Warn("webhooks: delivery parked", "app", app.Name, "command", d.Command, "event", d.EventID, "attempts", tries, "err", err)
				}
			}
			return nil
		})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("webhooks %s: %w", app.Name, err)
	}
	return nil
}
