package zim

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

func TestSignDocumentedVector(t *testing.T) {
	// ZIM's documented vector: AppId 12345, nonce 4fd24687296dd9f3,
	// secret 9193cc662a4c0ec135ec71fb57194b38, timestamp 1615186943.
	got := Sign(12345, "4fd24687296dd9f3", "9193cc662a4c0ec135ec71fb57194b38", 1615186943)
	if want := "43e5cfcca828314675f91b001390566a"; got != want {
		t.Errorf("Sign(vector) = %s, want %s", got, want)
	}
}

func TestNonceAcceptedOnce(t *testing.T) {
	var c nonceCache
	now := time.Unix(1_700_000_000, 0)
	exp := now.Add(SignatureWindow)
	if !c.use(1, "n", exp, now) {
		t.Fatal("first use refused")
	}
	if c.use(1, "n", exp, now.Add(time.Minute)) {
		t.Error("replayed nonce accepted within the window")
	}
	if !c.use(2, "n", exp, now) {
		t.Error("same nonce refused for another app")
	}
}

func TestNonceForgottenAfterItsWindow(t *testing.T) {
	var c nonceCache
	now := time.Unix(1_700_000_000, 0)
	for i := range 1000 {
		if !c.use(1, fmt.Sprint("n", i), now.Add(SignatureWindow), now) {
			t.Fatalf("nonce n%d refused on first use", i)
		}
	}
	// Expired but not yet forgotten (its minute is not over): a use with a
	// new timestamp is fresh, and keeps it under the new expiry.
	later := now.Add(SignatureWindow)
	if !c.use(1, "n7", later.Add(SignatureWindow), later) {
		t.Fatal("nonce refused after its window ended")
	}
	after := later.Add(2 * time.Minute)
	if !c.use(1, "other", after.Add(SignatureWindow), after) {
		t.Fatal("new nonce refused")
	}
	if got := len(c.seen); got != 2 {
		t.Errorf("nonces remembered after the first window = %d, want 2 (n7 again and other)", got)
	}
	if c.use(1, "n7", later.Add(SignatureWindow), after) {
		t.Error("nonce n7 accepted twice within its second window")
	}
	if !c.use(1, "n8", after.Add(SignatureWindow), after) {
		t.Error("forgotten nonce n8 refused")
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		id   string
		want int
	}{
		{"alice", 0},
		{"a.b c>{|}~!#$%&()+-:;<=?@[]^_", 0},
		{"", codeInvalidParam},
		{"a*b", codeInvalidParam},
		{"a/b", codeInvalidParam},
		{"é", codeInvalidParam},
		{"0123456789012345678901234567890123", codeUserIDTooLong},
	}
	for _, tt := range tests {
		if got, _ := checkID(tt.id); got != tt.want {
			t.Errorf("checkID(%q) = %d, want %d", tt.id, got, tt.want)
		}
	}
}

// BenchmarkNonceUse uses fresh nonces with a window already holding a
// million, as ten minutes at about 1700 requests a second leave it.
func BenchmarkNonceUse(b *testing.B) {
	var c nonceCache
	now := time.Unix(1_700_000_000, 0)
	exp := now.Add(SignatureWindow)
	for i := range 1_000_000 {
		c.use(1, "warm"+strconv.Itoa(i), exp, now)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if !c.use(1, strconv.Itoa(i), exp, now) {
			b.Fatal("fresh nonce refused")
		}
	}
}
