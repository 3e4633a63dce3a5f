package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/internal/retry"
)

// keepRunning runs fn until ctx ends, starting it again after an error
// with a growing pause (up to restarts.Max): a fault of the engine is waited
// out, never exited on.
func keepRunning(ctx context.Context, logger *slog.Logger, name string, fn func(context.Context) error) {
	waits := restarts.Waiter()
	for ctx.Err() == nil {
		start := time.Now()
		err := fn(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > restarts.Max {
			waits.Reset() // it ran well for a while
		}
		wait := waits.Next()
		logger.Warn(name+" stopped; starting again", "err", err, "in", wait)
		if !retry.Sleep(ctx, wait) {
			return
		}
	}
}

// untilSettled runs fn until it succeeds, fails for good, or ctx ends: an
// error that may pass by itself (a cluster still forming or electing) is
// logged and fn runs again after a growing pause.
func untilSettled(ctx context.Context, logger *slog.Logger, what string, fn func() error) error {
	return restarts.Do(ctx, func(int) error {
		err := fn()
		if err != nil && !eventstore.Transient(err) {
			return retry.Permanent(err)
		}
		return err
	}, func(_ int, err error, wait time.Duration) {
		logger.Warn("cannot "+what+" yet; trying again", "err", err, "in", wait)
	})
}

// restarts are the pauses between restarts of a stopped loop.
var restarts = retry.Backoff{First: 100 * time.Millisecond, Max: 5 * time.Second}
