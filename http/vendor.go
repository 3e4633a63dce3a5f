package http

import (
	"context"
	"errors"
	"fmt"
	nethttp "net/http"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/retry"
)

// StatusError is an answer of another HTTP status than 200.
type StatusError struct {
	Path   string
	Status int
	Body   []byte
}

func (e *StatusError) Error() string { return fmt.Sprintf("%s: HTTP %d: %s", e.Path, e.Status, e.Body) }

// ErrBadAnswer is an answer that is not the JSON its call answers with.
var ErrBadAnswer = errors.New("malformed answer")

// ErrVendorBusy marks a vendor's answer that asks the caller to come back
// later: its rate-limit and busy codes.
var ErrVendorBusy = errors.New("the vendor is busy")

// ErrVendorRefused marks a vendor's answer that refuses its call for good:
// any code but success and its busy codes.
var ErrVendorRefused = errors.New("the vendor refused the call")

// Source reads users' relationship chains from a vendor's server API, for
// a migration to copy and compare.
type Source interface {
	// Read returns user's graph at the vendor, Known false when the vendor
	// does not know the user. Its errors are a VendorReads.Do's.
	Read(ctx context.Context, user string) (domain.Graph, error)
	// Normalize returns g as the vendor holds it: the fields it keeps, its
	// times' precision, its defaults.
	Normalize(g domain.Graph) domain.Graph
}

// VendorReads calls a vendor for a migration: through a client its rate
// limit is kept in, trying a call again while the vendor is busy or out of
// reach, and saying what it waits for.
type VendorReads struct {
	HTTP    *nethttp.Client
	Backoff retry.Backoff
	// Waiting is told each wait before a call is tried again (may be nil).
	Waiting func(what string, err error, wait time.Duration)
}

// DefaultVendorBackoff waits from half a second up to half a minute, until
// the context ends.
var DefaultVendorBackoff = retry.Backoff{First: 500 * time.Millisecond, Max: 30 * time.Second, Factor: 2, Jitter: 0.2}

// Do runs call (a read named what) until it succeeds, fails for good, or
// ctx ends. It tries again after ErrVendorBusy, a 429 or 5xx answer, or
// no answer at all (a timeout, a dropped connection); any other error (a
// 4xx answer, ErrBadAnswer, ErrVendorRefused) is final.
func (v VendorReads) Do(ctx context.Context, what string, call func(context.Context) error) error {
	b := v.Backoff
	if b.First == 0 {
		b = DefaultVendorBackoff
	}
	err := b.Do(ctx, func(int) error {
		err := call(ctx)
		if err == nil || transient(err) || ctx.Err() != nil {
			return err
		}
		return retry.Permanent(err)
	}, func(_ int, err error, wait time.Duration) {
		if v.Waiting != nil {
			v.Waiting(what, err, wait)
		}
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// transient reports whether err may pass if its call is made again.
func transient(err error) bool {
	var se *StatusError
	switch {
	case errors.Is(err, ErrVendorBusy):
		return true
	case errors.As(err, &se):
		return se.Status == nethttp.StatusTooManyRequests || se.Status >= 500
	case errors.Is(err, ErrBadAnswer), errors.Is(err, ErrVendorRefused):
		return false
	}
	return true // no answer: a timeout, a refused or dropped connection
}
