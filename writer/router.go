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

// One writer per app. Of all instances running on one stream, exactly one
// holds an app's write lease at a time (Leases) and decides its commands;
// the others forward the app's calls to it (Transport) and answer their
// clients with its results. The local read model then holds every decision
// at once, so per-user caps hold across instances, and commands never race
// another instance's commits.

// Leases tells who holds each app's write lease.
type Leases interface {
	// Holder returns the instance that holds app's lease ("" when none is
	// known), and whether it is this instance with a lease still valid.
	Holder(app string) (holder string, mine bool)
}

// Transport carries calls to the instance holding an app's lease.
type Transport interface {
	// Forward sends an encoded domain.Call to holder and returns its
	// encoded results. domain.ErrNotHolder: holder has no lease for the
	// app; any other error: no answer came, and the call may or may not
	// have run.
	Forward(ctx context.Context, holder, app string, call []byte) ([]byte, error)
}

// RouterConfig configures a Router.
type RouterConfig struct {
	// Local decides the calls of the apps this instance holds.
	Local     *Writer
	Leases    Leases
	Transport Transport
	// Apps are the apps calls may name.
	Apps []*domain.App
	// Wait returns once the local read model has applied seq.
	Wait func(ctx context.Context, seq uint64) error
	// Recent passes app's commits stored since about t to fn, in order:
	// what a call sent again may have stored already.
	Recent func(ctx context.Context, app string, since time.Time, fn func(domain.Record) error) error
	NewID  func() string
	Now    func() time.Time
	Logger *slog.Logger
}

// Router runs each call on the instance holding its app's lease: here, or
// forwarded. It implements the surfaces' writer.
type Router struct {
	cfg  RouterConfig
	apps map[string]*domain.App

	mu       sync.Mutex
	runs     map[string]*run     // forwarded call id -> its run here, while under way
	batchers map[string]*batcher // app, holder -> the calls waiting to go there
}

type run struct {
	done    chan struct{}
	results []domain.Result
}

// Timing of forwarded calls.
const (
	// forwardAttempt bounds the wait for one answer: a holder answers once
	// its commit is stored, which takes an append's whole deadline at worst.
	forwardAttempt = appendTimeout + 5*time.Second
	// holderCheck is how often a forwarded call looks whether its holder
	// still holds the lease.
	holderCheck = 100 * time.Millisecond
	// forwardFor bounds a call's time for finding a holder and its answer.
	forwardFor = time.Minute
	// lookBack is how far back a new holder reads the stream for what a
	// call sent again stored before: more than a lease's lifetime and a
	// forward's wait.
	lookBack = 2 * time.Minute
)

// NewRouter returns a Router.
func NewRouter(cfg RouterConfig) *Router {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &Router{cfg: cfg, apps: map[string]*domain.App{}, runs: map[string]*run{}, batchers: map[string]*batcher{}}
	for _, a := range cfg.Apps {
		r.apps[a.Name] = a
	}
	return r
}

// Execute runs cmds for app on the app's writer and returns one result per
// command, once the local read model holds them.
func (r *Router) Execute(ctx context.Context, app *domain.App, meta domain.Meta, cmds ...domain.Command) []domain.Result {
	call := domain.Call{App: app.Name, Meta: meta, Commands: cmds} // its ID once it is forwarded
	if _, mine := r.cfg.Leases.Holder(app.Name); mine {
		return r.run(ctx, app, call, false) // the common case: no deadline of its own to set up
	}
	ctx, cancel := context.WithTimeout(ctx, forwardFor)
	defer cancel()
	var results []domain.Result
	err := forwardRetries.Do(ctx, func(int) error {
		holder, mine := r.cfg.Leases.Holder(app.Name)
		if mine {
			results = r.run(ctx, app, call, false)
			return nil
		}
		if holder == "" {
			return errNoHolder
		}
		if call.ID == "" {
			call.ID = r.cfg.NewID()
		}
		var err error
		if results, err = r.forward(ctx, holder, call); err == nil {
			return nil
		}
		if !errors.Is(err, domain.ErrNotHolder) {
			// The holder may have run it: whoever gets it next checks.
			call.Again = true
		}
		r.cfg.Logger.Debug("forward call", "app", app.Name, "holder", holder, "err", err)
		return err
	}, nil)
	if err != nil {
		return domain.FailAll(len(cmds), fmt.Errorf("%w: no writer of app %s answered: %w", domain.ErrInternal, app.Name, ctx.Err()))
	}
	return results
}

// forwardRetries are the waits between tries to find and reach the app's
// writer, until forwardFor has passed.
var forwardRetries = retry.Backoff{First: 20 * time.Millisecond, Max: 200 * time.Millisecond}

// errNoHolder: no instance holds the app's write lease yet.
var errNoHolder = errors.New("no instance holds the write lease")

func (r *Router) forward(ctx context.Context, holder string, call domain.Call) ([]domain.Result, error) {
	data, err := domain.MarshalCall(call)
	if err != nil {
		return nil, err
	}
	answer, err := r.batcher(holder, call.App).send(ctx, data)
	if err != nil {
		return nil, err
	}
	results, err := domain.UnmarshalResults(answer)
	if err != nil {
		return nil, fmt.Errorf("answer of %s: %w", holder, err)
	}
	if len(results) != len(call.Commands) {
		return nil, fmt.Errorf("answer of %s: %d results for %d commands", holder, len(results), len(call.Commands))
	}
	var last uint64
	for _, res := range results {
		last = max(last, res.Seq)
	}
	// A read here that follows the answer sees the change.
	if err := r.cfg.Wait(ctx, last); err != nil {
		return domain.FailAll(len(results), fmt.Errorf("%w: wait for commit %d: %w", domain.ErrInternal, last, err)), nil
	}
	return results, nil
}

// Calls forwarded to one holder go together: every call waiting while a
// batch is under way goes in the next one, one request and one answer for
// all of them (group forwarding, as group commit on the holder).

// maxForwardBatch bounds the calls of one forwarded batch, and
// forwardsInFlight the batches under way to one holder at once: a call
// does not wait for the answer to the batch before it to leave.
const (
	maxForwardBatch  = 256
	forwardsInFlight = 4
)

type batcher struct {
	r           *Router
	holder, app string
	// slots holds a token per batch under way, across runs of loop.
	slots   chan struct{}
	mu      sync.Mutex
	queue   []*forwarded
	running bool
}

type forwarded struct {
	call []byte
	done chan forwardAnswer // buffered
}

type forwardAnswer struct {
	data []byte
	err  error
}

func (r *Router) batcher(holder, app string) *batcher {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := app + "\x00" + holder
	b, ok := r.batchers[key]
	if !ok {
		b = &batcher{r: r, holder: holder, app: app, slots: make(chan struct{}, forwardsInFlight)}
		r.batchers[key] = b
	}
	return b
}

// send queues call for the next batch to the holder and waits for its
// answer.
func (b *batcher) send(ctx context.Context, call []byte) ([]byte, error) {
	f := &forwarded{call: call, done: make(chan forwardAnswer, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, f)
	if !b.running {
		b.running = true
		go b.loop()
	}
	b.mu.Unlock()
	select {
	case a := <-f.done:
		return a.data, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// loop sends batches while calls wait, up to forwardsInFlight at once, and
// ends when none waits.
func (b *batcher) loop() {
	for {
		b.slots <- struct{}{}
		b.mu.Lock()
		if len(b.queue) == 0 {
			b.running = false
			b.mu.Unlock()
			<-b.slots
			return
		}
		batch := b.queue[:min(len(b.queue), maxForwardBatch)]
		b.queue = b.queue[len(batch):]
		b.mu.Unlock()
		go func() {
			defer func() { <-b.slots }()
			answers, err := b.exchange(batch)
			for i, f := range batch {
				if err != nil {
					f.done <- forwardAnswer{err: err}
				} else {
					f.done <- answers[i]
				}
			}
		}()
	}
}

// Frame kinds of a batch's answer.
const (
	answerResults   = 0
	answerNotHolder = 1
	answerError     = 2
)

// exchange sends one batch and returns each call's answer.
func (b *batcher) exchange(batch []*forwarded) ([]forwardAnswer, error) {
	var data []byte
	for _, f := range batch {
		data = domain.AppendFrame(data, 0, f.call)
	}
	ctx, cancel := context.WithTimeout(context.Background(), forwardAttempt)
	defer cancel()
	// A holder that dies takes its calls with it: once its lease lapses or
	// passes on, they go to the next holder.
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(holderCheck):
			}
			if now, _ := b.r.cfg.Leases.Holder(b.app); now != b.holder {
				cancel()
				return
			}
		}
	}()
	answer, err := b.r.cfg.Transport.Forward(ctx, b.holder, b.app, data)
	if err != nil {
		return nil, err
	}
	kinds, datas, err := domain.Frames(answer)
	if err != nil || len(kinds) != len(batch) {
		return nil, fmt.Errorf("answer of %s: %d answers for %d calls (%v)", b.holder, len(kinds), len(batch), err)
	}
	out := make([]forwardAnswer, len(batch))
	for i, kind := range kinds {
		switch kind {
		case answerResults:
			out[i].data = datas[i]
		case answerNotHolder:
			out[i].err = fmt.Errorf("%s: %w", b.holder, domain.ErrNotHolder)
		default:
			out[i].err = fmt.Errorf("%s: %s", b.holder, datas[i])
		}
	}
	return out, nil
}

// Handle runs a batch of calls forwarded by another instance, each at
// once, and returns their answers.
func (r *Router) Handle(ctx context.Context, data []byte) ([]byte, error) {
	_, calls, err := domain.Frames(data)
	if err != nil {
		return nil, fmt.Errorf("%w: forwarded calls: %w", domain.ErrInvalid, err)
	}
	kinds := make([]uint64, len(calls))
	answers := make([][]byte, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results, err := r.handleOne(ctx, c)
			switch {
			case errors.Is(err, domain.ErrNotHolder):
				kinds[i] = answerNotHolder
			case err != nil:
				kinds[i], answers[i] = answerError, []byte(err.Error())
			default:
				answers[i] = results
			}
		}()
	}
	wg.Wait()
	var out []byte
	for i := range calls {
		out = domain.AppendFrame(out, kinds[i], answers[i])
	}
	return out, nil
}

func (r *Router) handleOne(ctx context.Context, data []byte) ([]byte, error) {
	call, err := domain.UnmarshalCall(data)
	if err != nil {
		return nil, err
	}
	app, ok := r.apps[call.App]
	if !ok {
		return nil, fmt.Errorf("%w: unknown app %q", domain.ErrInvalid, call.App)
	}
	if _, mine := r.cfg.Leases.Holder(app.Name); !mine {
		return nil, domain.ErrNotHolder
	}
	return domain.MarshalResults(app.Name, r.run(ctx, app, call, true))
}

// run runs call here once. A forwarded call is known by its ID while it
// runs: the same call sent again meanwhile waits for the first run's
// results. Once a run is over its commits are on the stream, where a call
// sent again finds them (storedBefore), here or on a new holder.
func (r *Router) run(ctx context.Context, app *domain.App, call domain.Call, forwarded bool) []domain.Result {
	if forwarded {
		r.mu.Lock()
		if x, ok := r.runs[call.ID]; ok {
			r.mu.Unlock()
			select {
			case <-x.done:
				return x.results
			case <-ctx.Done():
				return domain.FailAll(len(call.Commands), fmt.Errorf("%w: %w", domain.ErrInternal, ctx.Err()))
			}
		}
		x := &run{done: make(chan struct{})}
		r.runs[call.ID] = x
		r.mu.Unlock()
		defer func() {
			r.mu.Lock()
			delete(r.runs, call.ID)
			r.mu.Unlock()
			close(x.done)
		}()
		x.results = r.runOnce(ctx, app, call)
		return x.results
	}
	return r.runOnce(ctx, app, call)
}

func (r *Router) runOnce(ctx context.Context, app *domain.App, call domain.Call) []domain.Result {
	stored, err := r.storedBefore(ctx, app, call)
	if err != nil {
		return domain.FailAll(len(call.Commands), fmt.Errorf("%w: look for a call sent again: %w", domain.ErrInternal, err))
	}
	if len(stored) == 0 { // a call's first run, or nothing of it stored
		return r.cfg.Local.Execute(ctx, app, call.Meta, call.Commands...)
	}
	results := make([]domain.Result, len(call.Commands))
	todo := make([]int, 0, len(call.Commands))
	for i, cmd := range call.Commands {
		if q := stored[cmd.Key()]; len(q) > 0 {
			results[i], stored[cmd.Key()] = q[0], q[1:]
			continue
		}
		todo = append(todo, i)
	}
	if len(todo) > 0 {
		cmds := make([]domain.Command, len(todo))
		for k, i := range todo {
			cmds[k] = call.Commands[i]
		}
		for k, res := range r.cfg.Local.Execute(ctx, app, call.Meta, cmds...) {
			results[todo[k]] = res
		}
	}
	return results
}

// storedBefore finds, for a call sent again, the events its commands
// stored in an earlier run on another instance: those of its request, by
// the key they changed, in stream order.
func (r *Router) storedBefore(ctx context.Context, app *domain.App, call domain.Call) (map[domain.Key][]domain.Result, error) {
	if !call.Again || call.Meta.RequestID == "" || r.cfg.Recent == nil {
		return nil, nil
	}
	found := map[domain.Key][]domain.Result{}
	err := r.cfg.Recent(ctx, app.Name, r.cfg.Now().Add(-lookBack), func(rec domain.Record) error {
		c, err := domain.DecodeRecord(rec)
		if err != nil {
			return nil // the read model skips it too
		}
		for i := range c.Events {
			ev := &c.Events[i]
			if ev.RequestID != call.Meta.RequestID {
				continue
			}
			if k, ok := ev.Key(); ok {
				found[k] = append(found[k], domain.Result{Seq: rec.Seq, Event: ev})
			}
		}
		return nil
	})
	if len(found) > 0 {
		r.cfg.Logger.Info("call sent again: answered from the stream what it stored before", "app", app.Name, "request", call.Meta.RequestID, "keys", len(found))
	}
	return found, err
}
