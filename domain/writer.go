package domain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Log is the append side of the event stream.
type Log interface {
	// Append stores data on subject if the subject's last sequence is still
	// expect, and returns the new sequence. A lost race returns an error
	// wrapping ErrConflict. msgID de-duplicates retried appends.
	Append(ctx context.Context, subject string, expect uint64, msgID string, data []byte) (uint64, error)
	// SubjectSince returns the messages on subject after sequence after.
	SubjectSince(ctx context.Context, subject string, after uint64) ([]Record, error)
}

// BatchLog is a Log that can also store the commits of several subjects as
// one atomic batch, which the store syncs to disk once.
type BatchLog interface {
	Log
	// AppendBatch stores every append, in order at consecutive sequences,
	// or none; it returns their sequences. A lost race on any subject
	// returns an error wrapping ErrConflict; a store that cannot take
	// batches returns ErrBatchUnsupported.
	AppendBatch(ctx context.Context, appends []Append) ([]uint64, error)
}

// Append is one commit of a batch.
type Append struct {
	Subject string
	Expect  uint64
	MsgID   string
	Data    []byte
}

// ErrBatchUnsupported: the store takes appends one at a time only.
var ErrBatchUnsupported = errors.New("atomic batches unsupported")

// Decider is what a commit is decided against: reads of the local read
// model and friend-list slot reservations.
type Decider interface {
	Entry(app, owner, friend string) (Entry, bool)
	Registered(app, user string) bool
	// Reserve takes a slot in user's list for commit while the user's
	// friends plus reserved slots stay under max.
	Reserve(app, user, commit string, max int) bool
	Unreserve(app, user, commit string)
	HasGroup(app, user, name string) bool
	Blocked(app, user, target string) (blocked, wasBlocked bool)
	// ReserveBlock takes a slot in user's blocklist for commit while the
	// blocklist plus reserved slots stay under max.
	ReserveBlock(app, user, commit string, max int) bool
	// ReserveGroups makes room for commit's groups in names that user does
	// not have, while the user's groups plus reserved names stay within max.
	ReserveGroups(app, user, commit string, names []string, max int) bool
}

// State is what the Writer needs of the local read model: reads to decide
// against, the per-partition position, slot reservations, and applying a
// commit it has just stored.
type State interface {
	Decider
	// PartitionSeq is the sequence of the last commit applied on subject.
	PartitionSeq(subject string) uint64
	// Release drops every slot still reserved for commit.
	Release(commit string)
	// Apply applies a stored commit, once: a commit at or below the
	// subject's applied sequence is skipped. It releases the commit's slots.
	Apply(subject string, seq uint64, c Commit)
	// Skip passes over a stored message that is not a commit (reason wraps
	// ErrBadRecord): the subject's position moves past it.
	Skip(subject string, seq uint64, reason error)
}

// ExclusiveState is a State that can hold its lock over a whole decision:
// fn's Decider reads and reserves without taking it again. Partitions
// deciding at once then take the lock once per commit, not per read.
type ExclusiveState interface {
	State
	Exclusive(fn func(Decider))
}

// Meta describes the request that caused a command.
type Meta struct {
	RequestID string
	Surface   string
}

// Result is the outcome of one command: the stream sequence and event that
// record it, or the error that refused it.
type Result struct {
	Seq   uint64
	Event *Event
	Err   error
}

// WriterConfig configures a Writer.
type WriterConfig struct {
	Log    Log
	State  State
	NewID  func() string
	Now    func() time.Time
	Logger *slog.Logger
	// Partitions per app; DefaultPartitions when zero. Never change it for
	// an existing stream.
	Partitions int
	// MaxBatch bounds the commands decided into one commit (default 256).
	MaxBatch int
	// MaxAttempts bounds the retries of a commit that lost a race (default
	// 64). Each loss means another writer's commit went in, so the
	// partition moves on; the bound only stops a commit that keeps losing.
	MaxAttempts int
	// MinBatch is the fewest commits, of different partitions, that are
	// stored as one atomic batch when the Log is a BatchLog (default 16;
	// fewer are stored one by one, all at once). A batch costs the store a
	// few fsyncs of its own, so a small one is slower than single appends.
	MinBatch int
}

// maxAppendBatch bounds a batch: nats-server takes at most 1000 messages.
const maxAppendBatch = 1000

// Writer decides commands and appends their events. One goroutine per
// partition serialises the partition's writers: it takes every command
// waiting on the partition, decides them in order against in-memory state,
// and writes them as one commit (group commit) with the partition's expected
// last sequence. A commit that loses a race to another instance is decided
// again against fresh state.
type Writer struct {
	cfg    WriterConfig
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	parts map[string]chan *pending

	// appends feeds the committer, which stores the commits of every
	// partition; nil when the Log takes no batches.
	appends chan *appendReq
	// batched counts the commits stored in batches.
	batched atomic.Uint64
	noBatch bool // the store refused a batch; committer only
}

type appendReq struct {
	Append
	done chan appendResult
}

type appendResult struct {
	seq uint64
	err error
}

type pending struct {
	ctx  context.Context
	app  *App
	cmd  Command
	meta Meta
	res  chan Result
}

// NewWriter returns a Writer; Close stops it.
func NewWriter(cfg WriterConfig) *Writer {
	if cfg.Partitions <= 0 {
		cfg.Partitions = DefaultPartitions
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 256
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 64
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MinBatch <= 0 {
		cfg.MinBatch = 16
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Writer{cfg: cfg, ctx: ctx, cancel: cancel, parts: make(map[string]chan *pending)}
	if bl, ok := cfg.Log.(BatchLog); ok {
		w.appends = make(chan *appendReq, maxAppendBatch)
		w.wg.Add(1)
		go w.committer(bl)
	}
	return w
}

// Batched returns how many commits were stored in atomic batches.
func (w *Writer) Batched() uint64 { return w.batched.Load() }

// Close stops the partition goroutines after the commits under way.
func (w *Writer) Close() {
	w.cancel()
	w.wg.Wait()
}

// Execute runs cmds for app and returns one result per command, in order.
// Commands on different partitions run in parallel; commands on one
// partition run in the order given. Execute returns once every command's
// commit has been applied to the local read model, so a read that follows
// sees it.
func (w *Writer) Execute(ctx context.Context, app *App, meta Meta, cmds ...Command) []Result {
	out := make([]Result, len(cmds))
	chans := make([]chan Result, len(cmds))
	for i, c := range cmds {
		ch := make(chan Result, 1)
		chans[i] = ch
		q := w.queue(Subject(app.Name, c.Key(), w.cfg.Partitions))
		select {
		case q <- &pending{ctx: ctx, app: app, cmd: c, meta: meta, res: ch}:
		case <-ctx.Done():
			ch <- Result{Err: fmt.Errorf("%w: %w", ErrInternal, ctx.Err())}
		case <-w.ctx.Done():
			ch <- Result{Err: errWriterClosed}
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

func (w *Writer) loop(subject string, q chan *pending) {
	defer w.wg.Done()
	serveQueue(w.ctx, q, w.cfg.MaxBatch, func(batch []*pending) { w.commit(subject, batch) },
		func(p *pending) { p.res <- Result{Err: errWriterClosed} })
}

// errWriterClosed answers what is still waiting when the writer closes.
var errWriterClosed = fmt.Errorf("%w: writer closed", ErrInternal)

// serveQueue hands fn every item waiting on q, up to max, as one round, and
// takes the next round once fn returns. When ctx ends it passes what still
// waits to closed.
func serveQueue[T any](ctx context.Context, q chan T, max int, fn func([]T), closed func(T)) {
	round := make([]T, 0, max)
	for {
		select {
		case <-ctx.Done():
			for {
				select {
				case p := <-q:
					closed(p)
				default:
					return
				}
			}
		case p := <-q:
			round = append(round[:0], p)
		drain:
			for len(round) < max {
				select {
				case p := <-q:
					round = append(round, p)
				default:
					break drain
				}
			}
			fn(round)
		}
	}
}

// commit decides batch and stores its events as one commit on subject.
func (w *Writer) commit(subject string, batch []*pending) {
	results := make([]Result, len(batch))
	defer func() {
		for i, p := range batch {
			p.res <- results[i]
		}
	}()
	app := batch[0].app
	for attempt := 1; ; attempt++ {
		expect := w.cfg.State.PartitionSeq(subject)
		c := Commit{ID: w.cfg.NewID(), App: app.Name}
		now := w.cfg.Now()
		idx := make([]int, 0, len(batch))
		decide := func(d Decider) {
			ov := newOverlay(d, app, c.ID)
			for i, p := range batch {
				results[i] = Result{}
				if err := p.ctx.Err(); err != nil {
					results[i].Err = fmt.Errorf("%w: %w", ErrInternal, err)
					continue
				}
				payload, err := p.cmd.Decide(ov, now)
				if err != nil || payload == nil {
					results[i].Err = err // nil payload, nil error: nothing to change
					continue
				}
				ev := Event{ID: w.cfg.NewID(), Type: eventType(payload), Version: SchemaVersion, App: app.Name,
					Time: now, RequestID: p.meta.RequestID, Surface: p.meta.Surface, Data: payload}
				Apply(ov, ev)
				c.Events = append(c.Events, ev)
				idx = append(idx, i)
			}
		}
		if ex, ok := w.cfg.State.(ExclusiveState); ok {
			ex.Exclusive(decide)
		} else {
			decide(w.cfg.State)
		}
		if len(c.Events) == 0 {
			return
		}
		seq, err := w.append(subject, expect, c)
		if err == nil {
			w.cfg.State.Apply(subject, seq, c)
			for k, i := range idx {
				results[i] = Result{Seq: seq, Event: &c.Events[k]}
			}
			return
		}
		w.cfg.State.Release(c.ID)
		if errors.Is(err, ErrConflict) && attempt < w.cfg.MaxAttempts {
			var own uint64
			if own, err = w.catchUp(subject, attempt, c.ID, expect); err == nil && own > 0 {
				// An attempt whose answer was lost had stored the commit:
				// the retry found it instead of storing it twice.
				for k, i := range idx {
					results[i] = Result{Seq: own, Event: &c.Events[k]}
				}
				return
			}
			if err == nil {
				continue
			}
		}
		w.cfg.Logger.Error("append commit", "subject", subject, "commit", c.ID, "attempt", attempt, "err", err)
		for _, i := range idx {
			results[i].Err = fmt.Errorf("%w: append commit: %w", ErrInternal, err)
		}
		return
	}
}

func (w *Writer) append(subject string, expect uint64, c Commit) (uint64, error) {
	data, err := MarshalCommit(c)
	if err != nil {
		return 0, err
	}
	if w.appends == nil {
		ctx, cancel := context.WithTimeout(w.ctx, appendTimeout)
		defer cancel()
		return w.cfg.Log.Append(ctx, subject, expect, c.ID, data)
	}
	r := &appendReq{Append: Append{Subject: subject, Expect: expect, MsgID: c.ID, Data: data}, done: make(chan appendResult, 1)}
	select {
	case w.appends <- r:
	case <-w.ctx.Done():
		return 0, errWriterClosed
	}
	select {
	case res := <-r.done:
		return res.seq, res.err
	case <-w.ctx.Done():
		return 0, errWriterClosed
	}
}

const appendTimeout = 10 * time.Second

// maxBackoff bounds the random wait before a commit that lost a race is
// decided again.
const maxBackoff = 20 * time.Millisecond

// committer stores the commits the partitions hand it (each partition has
// at most one waiting). It takes every commit waiting at once: enough of
// them go to the store as one atomic batch, synced once, and fewer are
// appended one by one in parallel. It waits for one round before taking
// the next, so commits pile up while the store is busy and the next round
// is a batch: group commit across partitions.
func (w *Writer) committer(log BatchLog) {
	defer w.wg.Done()
	serveQueue(w.ctx, w.appends, maxAppendBatch, func(round []*appendReq) { w.store(log, round) },
		func(r *appendReq) { r.done <- appendResult{err: errWriterClosed} })
}

func (w *Writer) store(log BatchLog, round []*appendReq) {
	if len(round) >= w.cfg.MinBatch && !w.noBatch {
		appends := make([]Append, len(round))
		for i, r := range round {
			appends[i] = r.Append
		}
		ctx, cancel := context.WithTimeout(w.ctx, appendTimeout)
		seqs, err := log.AppendBatch(ctx, appends)
		cancel()
		if err == nil {
			for i, r := range round {
				r.done <- appendResult{seq: seqs[i]}
			}
			w.batched.Add(uint64(len(round)))
			return
		}
		switch {
		case errors.Is(err, ErrBatchUnsupported):
			w.noBatch = true
		case !errors.Is(err, ErrConflict):
			w.cfg.Logger.Warn("append batch failed; appending its commits one by one", "commits", len(round), "err", err)
		}
		// Each commit on its own now: a conflict stays with its partition,
		// and a batch that was stored after all is found by message ID.
	}
	var wg sync.WaitGroup
	for _, r := range round {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(w.ctx, appendTimeout)
			defer cancel()
			seq, err := log.Append(ctx, r.Subject, r.Expect, r.MsgID, r.Data)
			r.done <- appendResult{seq: seq, err: err}
		}()
	}
	wg.Wait()
}

// catchUp applies the partition's commits that someone else wrote since
// the local read model last saw it, reading them straight from the stream
// rather than waiting for the model's consumer, so a writer that lost a race
// decides again one round trip later. It reads from after, the sequence
// the lost attempt expected, and returns the sequence of the commit named
// own if it finds it there: the attempt stored it and its answer was lost
// (applying what the model already has changes nothing). After repeated
// losses it also backs off for a random moment, up to maxBackoff, so two
// busy writers do not keep colliding.
func (w *Writer) catchUp(subject string, attempt int, own string, after uint64) (uint64, error) {
	if attempt > 1 {
		backoff := time.Duration(rand.Int64N(int64(min(time.Duration(attempt)*time.Millisecond, maxBackoff))))
		select {
		case <-time.After(backoff):
		case <-w.ctx.Done():
			return 0, w.ctx.Err()
		}
	}
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
	defer cancel()
	recs, err := w.cfg.Log.SubjectSince(ctx, subject, after)
	if err != nil {
		return 0, fmt.Errorf("catch up %s: %w", subject, err)
	}
	var found uint64
	for _, r := range recs {
		c, err := DecodeRecord(r)
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

// overlay lays the decisions of one commit over the read model.
type overlay struct {
	s       Decider
	app     *App
	commit  string
	entries map[[2]string]*Entry // nil: deleted in this commit
	users   map[string]bool      // false: deleted in this commit
	groups  map[[2]string]bool   // {user, group}; false: deleted in this commit
	blocks  map[[2]string]bool   // {user, target}; false: unblocked in this commit
}

func newOverlay(s Decider, app *App, commit string) *overlay {
	return &overlay{s: s, app: app, commit: commit, entries: map[[2]string]*Entry{}, users: map[string]bool{}, groups: map[[2]string]bool{}, blocks: map[[2]string]bool{}}
}

func (o *overlay) Entry(owner, friend string) (Entry, bool) {
	if e, ok := o.entries[[2]string{owner, friend}]; ok {
		if e == nil {
			return Entry{}, false
		}
		return *e, true
	}
	return o.s.Entry(o.app.Name, owner, friend)
}

func (o *overlay) Registered(user string) bool {
	if r, ok := o.users[user]; ok {
		return r
	}
	return o.s.Registered(o.app.Name, user)
}

func (o *overlay) HasGroup(user, name string) bool {
	if g, ok := o.groups[[2]string{user, name}]; ok {
		return g
	}
	return o.s.HasGroup(o.app.Name, user, name)
}

func (o *overlay) ReserveGroups(user string, names []string) bool {
	return o.s.ReserveGroups(o.app.Name, user, o.commit, names, MaxFriendGroups)
}

func (o *overlay) Blocked(user, target string) (bool, bool) {
	if b, ok := o.blocks[[2]string{user, target}]; ok {
		return b, !b
	}
	return o.s.Blocked(o.app.Name, user, target)
}

func (o *overlay) ReserveBlock(user string) bool {
	return o.s.ReserveBlock(o.app.Name, user, o.commit, o.app.BlockCap())
}

func (o *overlay) PutBlock(_, user, target string, _ int64) { o.blocks[[2]string{user, target}] = true }

func (o *overlay) DeleteBlock(_, user, target string) { o.blocks[[2]string{user, target}] = false }

func (o *overlay) DeleteUser(_, user string) { o.users[user] = false }

func (o *overlay) PutGroups(_, user string, groups []string) {
	for _, g := range groups {
		o.groups[[2]string{user, g}] = true
	}
}

func (o *overlay) DeleteGroups(_, user string, groups []string) {
	for _, g := range groups {
		o.groups[[2]string{user, g}] = false
	}
}

func (o *overlay) Reserve(user string) bool {
	return o.s.Reserve(o.app.Name, user, o.commit, o.app.FriendCap())
}

func (o *overlay) Unreserve(user string) { o.s.Unreserve(o.app.Name, user, o.commit) }

func (o *overlay) PutUser(_ string, u User) { o.users[u.ID] = true }

func (o *overlay) PutEntry(_, owner, friend string, e Entry) {
	o.entries[[2]string{owner, friend}] = &e
}

func (o *overlay) DeleteEntry(_, owner, friend string) {
	o.entries[[2]string{owner, friend}] = nil
}

func (o *overlay) UpdateEntry(_, owner, friend string, f func(*Entry)) {
	e, ok := o.Entry(owner, friend)
	if !ok {
		return
	}
	e = e.Clone()
	f(&e)
	o.entries[[2]string{owner, friend}] = &e
}
