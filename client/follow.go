package client

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/retry"
	"github.com/nats-io/nats.go/jetstream"
)

// Follow says what Client.Follow reads and what it calls.
type Follow struct {
	// App is the app whose commits are read.
	App string
	// After is the stream sequence of the last commit the caller handled;
	// 0 reads from the start.
	After uint64
	// Commit is called with each commit after After, in stream order, once
	// each (a commit read again after a reconnection is not passed
	// again). An error it returns ends Follow with that error.
	Commit func(Commit) error
	// CaughtUp, when set, is called once, when every commit stored when
	// Follow began has been passed to Commit, with the last one's
	// sequence (After when there was none): from then on Commit gets each
	// new commit as it is stored.
	CaughtUp func(seq uint64)
	// Skipped, when set, is told of a stored message that is not a commit
	// this version can read (Amity skips those too): its sequence and why.
	Skipped func(seq uint64, err error)
}

// readAhead bounds what a read buffers ahead of its caller.
const readAhead = 8 << 20

// apiTimeout bounds a request to JetStream's API.
const apiTimeout = 5 * time.Second

// handlerError is an error of the caller's handler: it ends the loop.
type handlerError struct{ err error }

func (e handlerError) Error() string { return e.err.Error() }
func (e handlerError) Unwrap() error { return e.err }

// Follow reads f.App's commits after f.After, then each new one, until ctx
// ends (nil) or f.Commit fails (its error). When the server goes away —
// a restart, a lost connection, a new stream leader — it reads on from
// the commit after the last one passed, so none is lost, repeated or
// reordered. A login that may not read the app is refused at once
// (ErrRefused).
func (c *Client) Follow(ctx context.Context, f Follow) error {
	if f.App == "" || f.Commit == nil {
		return errors.New("client.Follow: App and Commit are required")
	}
	r := &reader{c: c, f: f, next: f.After + 1, caughtUp: f.CaughtUp == nil}
	waits := reconnect.Waiter()
	for {
		err := r.read(ctx)
		var he handlerError
		switch {
		case errors.As(err, &he):
			return he.err
		case errors.Is(err, ErrRefused), errors.Is(err, ErrNoApp):
			return err
		case ctx.Err() != nil:
			return nil
		}
		if r.progressed {
			waits.Reset()
			r.progressed = false
		}
		if !retry.Sleep(ctx, waits.Next()) {
			return nil
		}
	}
}

// reader is one Follow's position.
type reader struct {
	c          *Client
	f          Follow
	next       uint64 // the sequence of the next commit to pass
	caughtUp   bool
	progressed bool // a commit passed since the last failure
}

// read reads from r.next with an ordered consumer until it fails.
func (r *reader) read(ctx context.Context) error {
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{domain.AppFilter(r.f.App)}, DeliverPolicy: jetstream.DeliverAllPolicy}
	if r.next > 1 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, r.next
	}
	// A refused request is never answered: it waits out apiTimeout.
	cctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	cons, err := r.c.js.OrderedConsumer(cctx, domain.StreamName, cfg)
	if err != nil {
		return r.c.refusal(r.f.App, fmt.Errorf("read app %s from %d: %w", r.f.App, r.next, err))
	}
	if !r.caughtUp || r.next == 1 {
		info := cons.CachedInfo()
		if info == nil {
			if info, err = cons.Info(cctx); err != nil {
				return r.c.refusal(r.f.App, fmt.Errorf("read app %s: %w", r.f.App, err))
			}
		}
		if info.NumPending == 0 && r.next == 1 {
			if err := r.c.appKnown(ctx, r.f.App); err != nil {
				return err
			}
		}
		if info.NumPending == 0 && !r.caughtUp {
			r.caughtUp = true
			r.f.CaughtUp(r.next - 1)
		}
	}
	it, err := cons.Messages(jetstream.PullMaxBytes(readAhead))
	if err != nil {
		return r.c.refusal(r.f.App, fmt.Errorf("read app %s from %d: %w", r.f.App, r.next, err))
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	// One goroutine takes the messages off the connection, decoders decode
	// them side by side, and this one passes them on in the order they
	// were taken: reading, decoding and the caller's work overlap.
	msgs := make(chan *message, 1024)
	jobs := make(chan *message, 1024)
	failed := make(chan error, 1)
	go func() {
		defer close(msgs)
		defer close(jobs)
		for {
			msg, err := it.Next()
			if err != nil {
				failed <- err
				return
			}
			md, err := msg.Metadata()
			if err != nil {
				failed <- fmt.Errorf("message metadata: %w", err)
				return
			}
			m := &message{msg: msg, seq: md.Sequence.Stream, pending: md.NumPending, done: make(chan struct{})}
			select {
			case jobs <- m:
			case <-ctx.Done():
				return
			}
			select {
			case msgs <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range decoders {
		go func() {
			for m := range jobs {
				m.commit, m.err = decode(m.msg, m.seq)
				close(m.done)
			}
		}()
	}
	defer func() {
		it.Stop()
		for range msgs { // let the taker end
		}
	}()
	for m := range msgs {
		<-m.done
		if m.seq < r.next {
			continue // read again after a reconnection: passed already
		}
		switch {
		case m.err != nil && r.f.Skipped != nil:
			r.f.Skipped(m.seq, m.err)
		case m.err == nil:
			if err := r.f.Commit(m.commit); err != nil {
				return handlerError{err}
			}
		}
		r.next, r.progressed = m.seq+1, true
		if !r.caughtUp && m.pending == 0 {
			r.caughtUp = true
			r.f.CaughtUp(m.seq)
		}
	}
	select {
	case err := <-failed:
		return fmt.Errorf("read app %s at %d: %w", r.f.App, r.next, err)
	default:
		return fmt.Errorf("read app %s at %d: %w", r.f.App, r.next, ctx.Err())
	}
}

// decoders is how many commits are decoded side by side.
var decoders = max(2, runtime.GOMAXPROCS(0))

// message is a stream message with its sequence and what was pending
// after it.
type message struct {
	msg     jetstream.Msg
	seq     uint64
	pending uint64
	// commit and err are the decoder's, once done is closed.
	commit Commit
	err    error
	done   chan struct{}
}

// Projection is a read model a service builds from an app's events.
type Projection interface {
	// Apply applies ev, of the commit stored at seq.
	Apply(seq uint64, ev domain.Event)
}

// Rebuild applies every event of app's stream, from the start, to p, in
// stream order, as fast as the stream can be read; then keeps applying
// each new one until ctx ends. caughtUp, when set, is called once p holds
// every commit stored when Rebuild began: what Amity's own replay does for
// its read models, offered to a service's.
func (c *Client) Rebuild(ctx context.Context, app string, p Projection, caughtUp func(seq uint64)) error {
	return c.Follow(ctx, Follow{App: app, CaughtUp: caughtUp, Commit: func(cm Commit) error {
		for _, ev := range cm.Events {
			p.Apply(cm.Seq, ev)
		}
		return nil
	}})
}
