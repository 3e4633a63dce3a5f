package migrate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Run syncs every user of a list, several at once.
type Run struct {
	Syncer  *Syncer
	Mode    Mode
	Workers int
	// Checkpoint, when set, is a file that keeps how many users at the
	// head of the list are done, so that a run stopped at any point (kill
	// -9 included) goes on from there; each user's sync is idempotent, so
	// the few done past the checkpoint are read again and record nothing.
	Checkpoint string
	// Report is told of each user synced, or failed for good.
	Report func(Outcome, error)
	// Progress is told how far the run is, every Interval (5 s when 0).
	Progress func(Progress)
	Interval time.Duration
}

// Progress is how far a run is.
type Progress struct {
	Done, Total int // Total 0: not known
	Edges       int
	Took        time.Duration
}

// EdgesPerSecond is the rate of friends, blocks and follows read.
func (p Progress) EdgesPerSecond() float64 {
	if p.Took <= 0 {
		return 0
	}
	return float64(p.Edges) / p.Took.Seconds()
}

// Left estimates the time the rest takes at the rate so far.
func (p Progress) Left() time.Duration {
	if p.Total == 0 || p.Done == 0 || p.Done >= p.Total {
		return 0
	}
	return time.Duration(float64(p.Took) / float64(p.Done) * float64(p.Total-p.Done))
}

// Summary is what a run did.
type Summary struct {
	Progress
	// Skipped were done by an earlier run (Checkpoint).
	Skipped int
	// Unknown: not known at the vendor; Failed: the vendor's answers could
	// not be read; Differing: some difference found.
	Unknown, Failed, Differing      int
	Differences, Recorded, Problems int
}

// Run syncs each user of users, one ID a line (blank lines skipped), total
// of them when known (0 if not). It stops at the first error of ctx.
func (r *Run) Run(ctx context.Context, users io.Reader, total int) (Summary, error) {
	start := time.Now()
	skip, err := r.readCheckpoint()
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Skipped: skip, Progress: Progress{Total: total}}
	t := &tracker{low: skip, done: map[int]bool{}}
	jobs := make(chan job)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range max(1, r.Workers) {
		wg.Go(func() {
			for j := range jobs {
				out, err := r.Syncer.Sync(ctx, j.user, r.Mode)
				if ctx.Err() != nil {
					return // not done: the next run does it again
				}
				mu.Lock()
				sum.add(out, err)
				if err == nil && len(out.Problems) == 0 {
					// A user not copied whole is not done: the checkpoint
					// stays before it, and a run again retries it.
					t.finish(j.n)
				}
				mu.Unlock()
				if r.Report != nil {
					r.Report(out, err)
				}
			}
		})
	}
	every := r.Interval
	if every <= 0 {
		every = 5 * time.Second
	}
	shown := start
	stopTicks := r.tick(min(every, checkpointEvery), func() {
		mu.Lock()
		p := sum.Progress
		low := t.low
		mu.Unlock()
		_ = r.writeCheckpoint(low)
		if now := time.Now(); r.Progress != nil && now.Sub(shown) >= every {
			shown = now
			p.Took = now.Sub(start)
			r.Progress(p)
		}
	})
	readErr := feed(ctx, users, skip, jobs)
	close(jobs)
	wg.Wait()
	stopTicks()
	sum.Took = time.Since(start)
	if err := r.writeCheckpoint(t.low); err != nil {
		return sum, err
	}
	if readErr != nil {
		return sum, readErr
	}
	return sum, ctx.Err()
}

type job struct {
	n    int
	user string
}

// feed sends each user past the first skip to jobs.
func feed(ctx context.Context, users io.Reader, skip int, jobs chan<- job) error {
	sc := bufio.NewScanner(users)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		id := strings.TrimSpace(sc.Text())
		if id == "" {
			continue
		}
		n++
		if n <= skip {
			continue
		}
		select {
		case jobs <- job{n: n, user: id}:
		case <-ctx.Done():
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read the users: %w", err)
	}
	return nil
}

func (s *Summary) add(out Outcome, err error) {
	s.Done++
	switch {
	case err != nil:
		s.Failed++
	case out.Unknown:
		s.Unknown++
	}
	s.Edges += out.Edges
	if len(out.Differences) > 0 {
		s.Differing++
	}
	s.Differences += len(out.Differences)
	s.Recorded += out.Recorded
	s.Problems += len(out.Problems)
}

// tracker finds the users done at the head of the list: all up to low.
type tracker struct {
	low  int
	done map[int]bool
}

func (t *tracker) finish(n int) {
	t.done[n] = true
	for t.done[t.low+1] {
		delete(t.done, t.low+1)
		t.low++
	}
}

// checkpointEvery is how often the checkpoint is written.
const checkpointEvery = time.Second

// tick calls fn every interval until the returned stop is called.
func (r *Run) tick(every time.Duration, fn func()) (stop func()) {
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fn()
			case <-done:
				return
			}
		}
	}()
	return func() { close(done); <-stopped }
}

func (r *Run) readCheckpoint() (int, error) {
	if r.Checkpoint == "" {
		return 0, nil
	}
	b, err := os.ReadFile(r.Checkpoint)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the checkpoint: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("checkpoint %s holds %q, not a count of users", r.Checkpoint, b)
	}
	return n, nil
}

// writeCheckpoint replaces the checkpoint with n, whole or not at all.
func (r *Run) writeCheckpoint(n int) error {
	if r.Checkpoint == "" {
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(r.Checkpoint), ".checkpoint-*")
	if err != nil {
		return fmt.Errorf("write the checkpoint: %w", err)
	}
	_, err = fmt.Fprintln(tmp, n)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), r.Checkpoint)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write the checkpoint: %w", err)
	}
	return nil
}
