package domain

import "testing"

func TestChoosePartitions(t *testing.T) {
	for _, tt := range []struct {
		want, recorded int
		commits        bool
		n              int // 0: an error
	}{
		{0, 0, false, DefaultPartitions},
		{5, 0, false, 5},
		{MaxPartitions, 0, false, MaxPartitions},
		{MaxPartitions + 1, 0, false, 0},
		{-1, 0, false, 0},
		{0, 0, true, LegacyPartitions},
		{LegacyPartitions, 0, true, LegacyPartitions},
		{1, 0, true, 0},
		{0, 3, true, 3},
		{3, 3, false, 3},
		{4, 3, false, 0},
	} {
		n, err := ChoosePartitions("a", tt.want, tt.recorded, tt.commits)
		if n != tt.n || (err != nil) != (tt.n == 0) {
			t.Errorf("ChoosePartitions(want %d, recorded %d, commits %v) = %d, %v; want %d", tt.want, tt.recorded, tt.commits, n, err, tt.n)
		}
	}
}
