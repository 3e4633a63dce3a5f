// Package retry is the one way Amity waits between tries: a Backoff grows
// each wait from First by Factor up to Max, draws it with Jitter, and ends
// with the context. Do runs a call until it succeeds, fails for good or
// runs out of attempts; a loop that must keep its own shape (one that
// resets after running well) takes waits from a Waiter.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Backoff says how long to wait between tries and how many to make.
type Backoff struct {
	// First is the wait after the first failed try (> 0).
	First time.Duration
	// Max caps every wait (First when smaller).
	Max time.Duration
	// Factor multiplies the wait after each try (2 when 0).
	Factor float64
	// Jitter is the part of each wait drawn at random, from 0 (none) to 1
	// (a wait anywhere from 0 to the full one), so that many callers who
	// failed together do not try again together.
	Jitter float64
	// Attempts bounds the tries, the first included (0: no bound).
	Attempts int
}

// Waiter hands out one loop's waits, growing from the Backoff's First.
type Waiter struct {
	b    Backoff
	next time.Duration
}

// Waiter starts a sequence of waits.
func (b Backoff) Waiter() *Waiter { return &Waiter{b: b, next: b.First} }

// Next returns the wait before the next try, and grows the one after it.
func (w *Waiter) Next() time.Duration {
	d := w.next
	factor := w.b.Factor
	if factor == 0 {
		factor = 2
	}
	w.next = min(time.Duration(float64(w.next)*factor), max(w.b.Max, w.b.First))
	if j := min(max(w.b.Jitter, 0), 1); j > 0 && d > 0 {
		d -= time.Duration(rand.Float64() * j * float64(d))
	}
	return d
}

// Reset starts the waits again from First: the loop ran well for a while.
func (w *Waiter) Reset() { w.next = w.b.First }

// Sleep waits d, and reports false at once if ctx ends first.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// permanent marks an error that no further try can mend.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as final: Do returns it (unwrapped) without trying
// again. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// Do calls try until it returns nil, a Permanent error, the attempts run
// out, or ctx ends, waiting between tries as b says. attempt counts from 1.
// Before each wait it calls onRetry (when not nil) with the failed try's
// attempt, error and the wait ahead. It returns nil, or the last try's
// error (a Permanent one unwrapped).
func (b Backoff) Do(ctx context.Context, try func(attempt int) error, onRetry func(attempt int, err error, wait time.Duration)) error {
	w := b.Waiter()
	for attempt := 1; ; attempt++ {
		err := try(attempt)
		if err == nil {
			return nil
		}
		var p permanent
		if errors.As(err, &p) {
			return p.err
		}
		if ctx.Err() != nil || (b.Attempts > 0 && attempt >= b.Attempts) {
			return err
		}
		wait := w.Next()
		if onRetry != nil {
			onRetry(attempt, err, wait)
		}
		if !Sleep(ctx, wait) {
			return err
		}
	}
}
