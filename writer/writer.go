// Package writer decides commands and appends their events: the command
// side of Amity. A Writer groups the commands waiting on one partition into
// one commit, decided in order against the local read model (domain.State)
// and appended with the partition's expected last sequence (domain.Log).
// An app has one partition per kind unless it was created with more
// (domain.App.Partitions), so every command of the app waiting at once
// goes into one commit: group commit per app, one synced message. With
// several instances on one stream, a Router sends each call to the one
// instance holding the app's write lease (router.go), so an app has one
// writer however many instances serve it.
package writer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/retry"
)

// Config configures a Writer.
type Config struct {
	Log    domain.Log
	State  domain.State
	NewID  func() string
	Now    func() time.Time
	Logger *slog.Logger
	// MaxBatch bounds the commands decided into one commit (default 256).
	MaxBatch int
	// MaxAttempts bounds the retries of a commit that lost a race (default
	// 64). Each loss means another writer's commit went in, so the
	// partition moves on; the bound only stops a commit that keeps losing.
	MaxAttempts int
	// Meter, when set, is told of every commit.
	Meter Meter
}

// Meter is told what the writer does, for metrics.
type Meter interface {
	// Committed: a commit of commands (those that changed something) was
	// stored, its append taking took; or, with err, it was not.
	Committed(commands int, took time.Duration, err error)
	// Conflict: a commit lost a race to another writer and is decided
	// again.
	Conflict()
}

// Writer decides commands and appends their events. One goroutine per
// partition serialises the partition's writers: it takes every command
// waiting on the partition, decides them in order against in-memory state,
// and writes them as one commit (group commit) with the partition's expected
// last sequence. A commit that loses a race to another instance is decided
// again against fresh state.
type Writer struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	parts map[string]chan *pending

	// closing is taken for reading by every Execute under way and for
	// writing by Close, which sets closed: an Execute either enters
	// before Close and is answered by the partition loops, which Close
	// stops only after it, or finds closed and is answered at once.
	closing  sync.RWMutex
	closed   bool
	inflight sync.WaitGroup
}

type pending struct {
	ctx  context.Context
	app  *domain.App
	cmd  domain.Command
	meta domain.Meta
	res  chan domain.Result
}

// New returns a Writer; Close stops it.
func New(cfg Config) *Writer {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 256
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 64
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Writer{cfg: cfg, ctx: ctx, cancel: cancel, parts: make(map[string]chan *pending)}
}

// Close answers every Execute under way, refuses those that come after,
// and then stops the partition goroutines. Every Execute returns, whether
// it comes before, during or after Close.
func (w *Writer) Close() {
	w.closing.Lock()
	w.closed = true
	w.closing.Unlock()
	w.inflight.Wait()
	w.cancel()
	w.wg.Wait()
}

// Execute runs cmds for app and returns one result per command, in order.
// Commands on different partitions run in parallel; commands on one
// partition run in the order given. Execute returns once every command's
// commit has been applied to the local read model, so a read that follows
// sees it.
func (w *Writer) Execute(ctx context.Context, app *domain.App, meta domain.Meta, cmds ...domain.Command) []domain.Result {
	out := make([]domain.Result, len(cmds))
	w.closing.RLock()
	if w.closed {
		w.closing.RUnlock()
		for i := range out {
			out[i].Err = errWriterClosed
		}
		return out
	}
	w.inflight.Add(1)
	w.closing.RUnlock()
	defer w.inflight.Done()
	chans := make([]chan domain.Result, len(cmds))
	for i, c := range cmds {
		ch := make(chan domain.Result, 1)
		chans[i] = ch
		q := w.queue(app.Subject(c.Key()))
		select {
		case q <- &pending{ctx: ctx, app: app, cmd: c, meta: meta, res: ch}:
		case <-ctx.Done():
			ch <- domain.Result{Err: fmt.Errorf("%w: %w", domain.ErrInternal, ctx.Err())}
		}
	}
	for i, ch := range chans {
		out[i] = <-ch
	}
	return out
}

func (w *Writer) queue(subject string) chan *pending {
	w.mu.Lock()
	defer w.mu.Unlock()
	q, ok := w.parts[subject]
	if !ok {
		q = make(chan *pending, w.cfg.MaxBatch)
		w.parts[subject] = q
		w.wg.Add(1)
		go w.loop(subject, q)
	}
	return q
}

// loop serves one partition: it takes every command waiting on q, up to
// MaxBatch, as one commit, and the next once that commit is answered. When
// the writer closes it answers what still waits.
func (w *Writer) loop(subject string, q chan *pending) {
	defer w.wg.Done()
	round := make([]*pending, 0, w.cfg.MaxBatch)
	for {
		select {
		case <-w.ctx.Done():
			for {
				select {
				case p := <-q:
					p.res <- domain.Result{Err: errWriterClosed}
				default:
					return
				}
			}
		case p := <-q:
			round = append(round[:0], p)
		drain:
			for len(round) < w.cfg.MaxBatch {
				select {
				case p := <-q:
					round = append(round, p)
				default:
					break drain
				}
			}
			w.commit(subject, round)
		}
	}
}

// errWriterClosed answers what is still waiting when the writer closes.
var errWriterClosed = fmt.Errorf("%w: writer closed", domain.ErrInternal)

// commit decides batch and stores its events as one commit on subject.
func (w *Writer) commit(subject string, batch []*pending) {
	results := make([]domain.Result, len(batch))
	defer func() {
		for i, p := range batch {
			p.res <- results[i]
		}
	}()
	app := batch[0].app
	var waits *retry.Waiter // made at the first lost race
	for attempt := 1; ; attempt++ {
		expect := w.cfg.State.PartitionSeq(subject)
		c, idx := w.decide(app, batch, results)
		if len(c.Events) == 0 {
			return
		}
		start := time.Now()
		seq, raw, err := w.append(subject, expect, c)
		if m := w.cfg.Meter; m != nil {
			if errors.Is(err, domain.ErrConflict) {
				m.Conflict()
			} else {
				m.Committed(len(idx), time.Since(start), err)
			}
		}
		if err == nil {
			c.Raw = raw
			w.cfg.State.Apply(subject, seq, c)
			for k, i := range idx {
				results[i] = domain.Result{Seq: seq, Event: &c.Events[k]}
			}
			return
		}
		w.cfg.State.Release(c.ID)
		if errors.Is(err, domain.ErrConflict) && attempt < w.cfg.MaxAttempts {
			var own uint64
			var wait time.Duration
			if attempt > 1 {
				if waits == nil {
					waits = conflictRetries.Waiter()
				}
				wait = waits.Next()
			}
			if own, err = w.catchUp(subject, wait, c.ID, expect); err == nil && own > 0 {
				// An attempt whose answer was lost had stored the commit:
				// the retry found it instead of storing it twice.
				for k, i := range idx {
					results[i] = domain.Result{Seq: own, Event: &c.Events[k]}
				}
				return
			}
			if err == nil {
				continue
			}
		}
		w.cfg.Logger.Error("append commit", "subject", subject, "commit", c.ID, "attempt", attempt, "err", err)
		for _, i := range idx {
			results[i].Err = fmt.Errorf("%w: append commit: %w", domain.ErrInternal, err)
		}
		return
	}
}

// decide decides each command of batch in order against the read model
// and the commands before it, and returns the commit of their events with
// the positions in batch of the commands that made them; results holds
// the others' refusals.
func (w *Writer) decide(app *domain.App, batch []*pending, results []domain.Result) (domain.Commit, []int) {
	c := domain.Commit{ID: w.cfg.NewID(), App: app.Name}
	now := w.cfg.Now()
	idx := make([]int, 0, len(batch))
	w.cfg.State.Decide(app, c.ID, func(v domain.View) {
		ov := newOverlay(v)
		for i, p := range batch {
			results[i] = domain.Result{}
			if err := p.ctx.Err(); err != nil {
				results[i].Err = fmt.Errorf("%w: %w", domain.ErrInternal, err)
				continue
			}
			payload, err := p.cmd.Decide(ov, now)
			if err != nil || payload == nil {
				results[i].Err = err // nil payload, nil error: nothing to change
				continue
			}
			ev := domain.Event{ID: w.cfg.NewID(), Type: payload.Type(), Version: domain.SchemaVersion, App: app.Name,
				Time: now, RequestID: p.meta.RequestID, Surface: p.meta.Surface, Data: payload}
			domain.Apply(ov, ev)
			c.Events = append(c.Events, ev)
			idx = append(idx, i)
		}
	})
	return c, idx
}

// append stores c and returns its sequence and each event's JSON in it
// (domain.Commit.Raw).
func (w *Writer) append(subject string, expect uint64, c domain.Commit) (uint64, [][]byte, error) {
	data, raw, err := domain.MarshalCommitRaw(c)
	if err != nil {
		return 0, nil, err
	}
	ctx, cancel := context.WithTimeout(w.ctx, appendTimeout)
	defer cancel()
	seq, err := w.cfg.Log.Append(ctx, subject, expect, c.ID, data)
	return seq, raw, err
}

const appendTimeout = 10 * time.Second

// conflictRetries are the waits before a commit that lost a race again is
// decided again: drawn at random, so two busy writers do not keep colliding.
var conflictRetries = retry.Backoff{First: time.Millisecond, Max: 20 * time.Millisecond, Jitter: 1}

// catchUp applies the partition's commits that someone else wrote since
// the local read model last saw it, reading them straight from the stream
// rather than waiting for the model's consumer, so a writer that lost a race
// decides again one round trip later. It reads from after, the sequence
// the lost attempt expected, and returns the sequence of the commit named
// own if it finds it there: the attempt stored it and its answer was lost
// (applying what the model already has changes nothing). It first waits
// wait (conflictRetries after repeated losses).
func (w *Writer) catchUp(subject string, wait time.Duration, own string, after uint64) (uint64, error) {
	if wait > 0 && !retry.Sleep(w.ctx, wait) {
		return 0, w.ctx.Err()
	}
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
	defer cancel()
	recs, err := w.cfg.Log.SubjectSince(ctx, subject, after)
	if err != nil {
		return 0, fmt.Errorf("catch up %s: %w", subject, err)
	}
	var found uint64
	for _, r := range recs {
		c, err := domain.DecodeRecord(r)
		if err != nil {
			w.cfg.Logger.Error("bad message skipped", "seq", r.Seq, "subject", r.Subject, "err", err)
			w.cfg.State.Skip(subject, r.Seq, err)
			continue
		}
		if c.ID == own {
			found = r.Seq
		}
		w.cfg.State.Apply(subject, r.Seq, c)
	}
	return found, nil
}
