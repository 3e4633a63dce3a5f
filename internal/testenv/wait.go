package testenv

import (
	"testing"
	"time"
)

// tick is how often the waits look at their condition.
const tick = 5 * time.Millisecond

// Eventually reports whether cond holds within d, looking every few
// milliseconds.
func Eventually(d time.Duration, cond func() bool) bool {
	if cond() {
		return true
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		select {
		case <-t.C:
			if cond() {
				return true
			}
		case <-deadline.C:
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

// Holds checks that cond holds all through d, as often as WaitFor looks:
// what a test of something that must not happen waits for.
func Holds(d time.Duration, cond func() bool) bool {
	return !Eventually(d, func() bool { return !cond() })
}
