package testenv

import (
	"testing"
	"time"

	"github.com/amity-im/amity/internal/retry"
)

// looks are the pauses between two looks at a condition: soon at first,
// then less often, so that a long wait on a costly condition (an HTTP
// call, a scrape) does not take the cores the test's service needs.
var looks = retry.Backoff{First: 2 * time.Millisecond, Max: 100 * time.Millisecond, Factor: 1.5}

// Eventually reports whether cond holds within d, looking at once, then
// every few milliseconds, then up to every 100 ms.
func Eventually(d time.Duration, cond func() bool) bool {
	if cond() {
		return true
	}
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	waits := looks.Waiter()
	for {
		t := time.NewTimer(waits.Next())
		select {
		case <-t.C:
			if cond() {
				return true
			}
		case <-deadline.C:
			t.Stop()
			return cond()
		}
	}
}

// WaitFor waits until cond holds, and fails t when it does not within d.
func WaitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Eventually(d, cond) {
		t.Fatalf("no %s within %s", what, d)
	}
}

// Holds checks that cond holds all through d, as often as Eventually looks:
// what a test of something that must not happen waits for.
func Holds(d time.Duration, cond func() bool) bool {
	return !Eventually(d, func() bool { return !cond() })
}
