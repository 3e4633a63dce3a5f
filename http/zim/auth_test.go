package zim

import (
	"testing"
)

func TestSignDocumentedVector(t *testing.T) {
	// ZIM's documented vector: AppId 12345, nonce 4fd24687296dd9f3,
	// secret 9193cc662a4c0ec135ec71fb57194b38, timestamp 1615186943.
	got := Sign(12345, "4fd24687296dd9f3", "9193cc662a4c0ec135ec71fb57194b38", 1615186943)
	if want := "43e5cfcca828314675f91b001390566a"; got != want {
		t.Errorf("Sign(vector) = %s, want %s", got, want)
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
