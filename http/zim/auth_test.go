package zim

import (
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
