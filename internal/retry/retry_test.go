package retry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/amity-im/amity/internal/retry"
	"github.com/google/go-cmp/cmp"
)

var errFail = errors.New("fail")

func TestWaitsGrowByTheFactorUpToMax(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    retry.Backoff
		want []time.Duration
	}{
		{"doubling", retry.Backoff{First: 1, Max: 10}, []time.Duration{1, 2, 4, 8, 10, 10}},
		{"factor 3", retry.Backoff{First: 2, Max: 50, Factor: 3}, []time.Duration{2, 6, 18, 50, 50, 50}},
		{"max below first", retry.Backoff{First: 5, Max: 1}, []time.Duration{5, 5, 5, 5, 5, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.b.Waiter()
			var got []time.Duration
			for range tc.want {
				got = append(got, w.Next())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			w.Reset()
			if got := w.Next(); got != tc.want[0] {
				t.Errorf("Next after Reset = %v, want %v", got, tc.want[0])
			}
		})
	}
}

func TestJitterDrawsEachWaitWithinItsShare(t *testing.T) {
	w := retry.Backoff{First: time.Second, Max: time.Second, Jitter: 0.5}.Waiter()
	lowest, highest := time.Hour, time.Duration(0)
	for range 2000 {
		d := w.Next()
		lowest, highest = min(lowest, d), max(highest, d)
	}
	if lowest < 500*time.Millisecond || highest > time.Second {
		t.Errorf("waits with jitter 0.5 of 1s ran from %v to %v, want within [500ms, 1s]", lowest, highest)
	}
	if highest-lowest < 100*time.Millisecond {
		t.Errorf("waits with jitter 0.5 of 1s ran from %v to %v: not drawn at random", lowest, highest)
	}
}

func TestDoStopsAtTheAttemptsAndReturnsTheLastError(t *testing.T) {
	var tries []int
	var retried []int
	last := errors.New("third")
	err := retry.Backoff{First: time.Microsecond, Attempts: 3}.Do(context.Background(), func(attempt int) error {
		tries = append(tries, attempt)
		switch {
		case attempt > 3:
			return retry.Permanent(errors.New("tried past the bound")) // ends a Do that ignores it
		case attempt == 3:
			return last
		}
		return errFail
	}, func(attempt int, err error, _ time.Duration) {
		if !errors.Is(err, errFail) {
			t.Errorf("onRetry(%d) err = %v, want %v", attempt, err, errFail)
		}
		retried = append(retried, attempt)
	})
	if !errors.Is(err, last) {
		t.Errorf("Do = %v, want %v", err, last)
	}
	if diff := cmp.Diff([]int{1, 2, 3}, tries); diff != "" {
		t.Errorf("tries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 2}, retried); diff != "" {
		t.Errorf("onRetry calls (-want +got):\n%s", diff)
	}
}

func TestDoEndsOnSuccessAndOnAPermanentError(t *testing.T) {
	n := 0
	err := retry.Backoff{First: time.Microsecond}.Do(context.Background(), func(attempt int) error {
		n = attempt
		if attempt < 4 {
			return errFail
		}
		return nil
	}, nil)
	if err != nil || n != 4 {
		t.Errorf("Do = %v after %d tries, want nil after 4", err, n)
	}
	final := errors.New("final")
	n = 0
	err = retry.Backoff{First: time.Microsecond}.Do(context.Background(), func(attempt int) error {
		n = attempt
		return retry.Permanent(final)
	}, nil)
	if err != final || n != 1 {
		t.Errorf("Do = %v after %d tries, want %v (unwrapped) after 1", err, n, final)
	}
	if retry.Permanent(nil) != nil {
		t.Errorf("Permanent(nil) = non-nil, want nil")
	}
}

func TestDoEndsWhenTheContextEndsDuringAWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := retry.Backoff{First: time.Hour}.Do(ctx, func(attempt int) error {
		n = attempt
		return errFail
	}, func(int, error, time.Duration) { cancel() })
	if !errors.Is(err, errFail) || n != 1 {
		t.Errorf("Do = %v after %d tries, want %v after 1 (the hour's wait cut short)", err, n, errFail)
	}
	if retry.Sleep(ctx, time.Hour) {
		t.Errorf("Sleep on an ended context = true, want false")
	}
	if !retry.Sleep(context.Background(), time.Microsecond) {
		t.Errorf("Sleep(1µs) = false, want true")
	}
}
