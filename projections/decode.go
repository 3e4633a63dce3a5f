package projections

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"github.com/amity-im/amity/domain"
)

// errReadDone stops a read that reached the record it was told to stop at.
var errReadDone = errors.New("read done")

// readDecoded reads src in order from sequence from, decodes the commits on
// every core and passes each record with its commit, or the reason it is
// not one (domain.DecodeRecord), to apply in stream order. It stops after
// the record for which last reports true (never, if last is nil), when ctx
// ends (nil), or at the first error of apply, which it returns.
func readDecoded(ctx context.Context, src Source, from uint64, last func(domain.Record) bool, apply func(domain.Record, domain.Commit, error) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type job struct {
		r    domain.Record
		c    domain.Commit
		err  error
		done chan struct{}
	}
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *job, 16*workers)
	order := make(chan *job, 256*workers) // decoded ahead of apply, at most
	var decoders sync.WaitGroup
	for range workers {
		decoders.Add(1)
		go func() {
			defer decoders.Done()
			for j := range jobs {
				j.c, j.err = domain.DecodeRecord(j.r)
				close(j.done)
			}
		}()
	}
	applied := make(chan error, 1)
	go func() {
		var err error
		for j := range order {
			if err != nil {
				continue // drain, so the reader never blocks on a stopped applier
			}
			<-j.done
			if err = apply(j.r, j.c, j.err); err != nil {
				cancel(err)
			}
		}
		applied <- err
	}()
	readErr := src.Follow(ctx, from, func(r domain.Record) error {
		j := &job{r: r, done: make(chan struct{})}
		select {
		case order <- j:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		jobs <- j // the decoders take every job until jobs closes
		if last != nil && last(r) {
			return errReadDone
		}
		return nil
	})
	close(jobs)
	close(order)
	decoders.Wait()
	if err := <-applied; err != nil {
		return err
	}
	if errors.Is(readErr, errReadDone) {
		return nil
	}
	return readErr
}
