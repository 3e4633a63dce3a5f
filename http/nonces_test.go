package http

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// window is ZIM's signature window, as the tests' expiry.
const window = 10 * time.Minute

func TestNonceAcceptedOnce(t *testing.T) {
	var c Nonces
	now := time.Unix(1_700_000_000, 0)
	exp := now.Add(window)
	if !c.Use(1, "n", exp, now) {
		t.Fatal("first use refused")
	}
	if c.Use(1, "n", exp, now.Add(time.Minute)) {
		t.Error("replayed nonce accepted within the window")
	}
	if !c.Use(2, "n", exp, now) {
		t.Error("same nonce refused for another app")
	}
}

func TestNonceForgottenAfterItsWindow(t *testing.T) {
	var c Nonces
	now := time.Unix(1_700_000_000, 0)
	for i := range 1000 {
		if !c.Use(1, fmt.Sprint("n", i), now.Add(window), now) {
			t.Fatalf("nonce n%d refused on first use", i)
		}
	}
	// Expired but not yet forgotten (its minute is not over): a use with a
	// new timestamp is fresh, and keeps it under the new expiry.
	later := now.Add(window)
	if !c.Use(1, "n7", later.Add(window), later) {
		t.Fatal("nonce refused after its window ended")
	}
	after := later.Add(2 * time.Minute)
	if !c.Use(1, "other", after.Add(window), after) {
		t.Fatal("new nonce refused")
	}
	if got := len(c.seen); got != 2 {
		t.Errorf("nonces remembered after the first window = %d, want 2 (n7 again and other)", got)
	}
	if c.Use(1, "n7", later.Add(window), after) {
		t.Error("nonce n7 accepted twice within its second window")
	}
	if !c.Use(1, "n8", after.Add(window), after) {
		t.Error("forgotten nonce n8 refused")
	}
}

// BenchmarkNonceUse uses fresh nonces with a window already holding a
// million, as ten minutes at about 1700 requests a second leave it.
func BenchmarkNonceUse(b *testing.B) {
	var c Nonces
	now := time.Unix(1_700_000_000, 0)
	exp := now.Add(window)
	for i := range 1_000_000 {
		c.Use(1, "warm"+strconv.Itoa(i), exp, now)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if !c.Use(1, strconv.Itoa(i), exp, now) {
			b.Fatal("fresh nonce refused")
		}
	}
}
