package eventstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// LeasesBucket is the key-value bucket of the apps' write leases: key the
// app, value the instance holding it. Its values live LeaseTTL from their
// last write, so the lease of an instance that stopped renewing lapses.
const LeasesBucket = "AMITY_LEASES"

// Lease timing: a holder renews every leaseRenew and writes only while its
// last renewal is younger than leaseValid; a lapsed lease is taken by the
// next instance to look, within leaseRenew. An instance that stops cleanly
// gives its leases back at once.
const (
	LeaseTTL   = 3 * time.Second
	leaseRenew = 500 * time.Millisecond
	leaseValid = LeaseTTL - time.Second
)

// Leases holds and follows the apps' write leases for one instance.
type Leases struct {
	kv   jetstream.KeyValue
	id   string
	apps []string
	log  *slog.Logger

	mu    sync.Mutex
	state map[string]lease
}

type lease struct {
	holder  string
	rev     uint64
	renewed time.Time // when the last renewal of ours was sent
}

// Leases opens the lease bucket for the instance id and apps. Run takes
// and renews the leases.
func (s *Store) Leases(ctx context.Context, id string, apps []string) (*Leases, error) {
	kv, err := s.bucket(ctx, LeasesBucket, "Amity apps' write leases", LeaseTTL)
	if err != nil {
		return nil, err
	}
	return &Leases{kv: kv, id: id, apps: apps, log: s.log, state: map[string]lease{}}, nil
}

// ID is this instance's name in the leases.
func (l *Leases) ID() string { return l.id }

// Holder returns the instance holding app's lease, and whether it is this
// one with a lease still valid.
func (l *Leases) Holder(app string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.state[app]
	return st.holder, st.holder == l.id && time.Since(st.renewed) < leaseValid
}

// Run takes the apps' lapsed leases and renews its own until ctx ends, then
// gives them back.
func (l *Leases) Run(ctx context.Context) error {
	t := time.NewTicker(leaseRenew)
	defer t.Stop()
	for {
		for _, app := range l.apps {
			l.refresh(ctx, app)
		}
		select {
		case <-ctx.Done():
			l.release()
			return nil
		case <-t.C:
		}
	}
}

// refresh renews app's lease if it is ours, and otherwise reads it, and
// takes it if nobody holds it. Each call to the bucket has its own time
// limit, so a renewal that took all of it leaves time to read what the
// bucket holds.
func (l *Leases) refresh(ctx context.Context, app string) {
	l.mu.Lock()
	st := l.state[app]
	l.mu.Unlock()
	if st.holder == l.id && l.renew(ctx, app, st.rev) {
		return
	}
	gctx, cancel := context.WithTimeout(ctx, leaseRenew)
	e, err := l.kv.Get(gctx, app)
	cancel()
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		cctx, cancel := context.WithTimeout(ctx, leaseRenew)
		sent := time.Now()
		rev, err := l.kv.Create(cctx, app, []byte(l.id))
		cancel()
		if err == nil {
			l.set(app, lease{holder: l.id, rev: rev, renewed: sent})
			l.log.Info("write lease taken", "app", app, "instance", l.id)
			return
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			l.log.Warn("write lease not taken", "app", app, "err", err)
		}
		l.set(app, lease{})
	case err != nil:
		l.log.Warn("read write lease", "app", app, "err", err)
	case string(e.Value()) == l.id && st.holder == l.id:
		// Still ours at a later revision: a renewal went through and its
		// answer was lost (under load, past its time limit). Renew from
		// there. Until that goes through, the lease stays valid from the
		// last renewal answered, which the bucket's is no older than.
		if !l.renew(ctx, app, e.Revision()) {
			l.set(app, lease{holder: l.id, rev: e.Revision(), renewed: st.renewed})
		}
	default:
		l.set(app, lease{holder: string(e.Value()), rev: e.Revision()})
	}
}

// renew writes app's lease again over revision rev and reports whether it
// went through.
func (l *Leases) renew(ctx context.Context, app string, rev uint64) bool {
	rctx, cancel := context.WithTimeout(ctx, leaseRenew)
	defer cancel()
	sent := time.Now()
	rev, err := l.kv.Update(rctx, app, []byte(l.id), rev)
	if err != nil {
		// Taken over, lapsed, or unanswered: what the bucket holds now
		// says which. Until a renewal goes through, this instance writes
		// only within leaseValid of the last one (Holder).
		l.log.Warn("write lease not renewed", "app", app, "err", err)
		return false
	}
	l.set(app, lease{holder: l.id, rev: rev, renewed: sent})
	return true
}

func (l *Leases) set(app string, st lease) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.state[app] = st
}

// release gives back the leases held, so another instance takes them at
// once instead of after they lapse.
func (l *Leases) release() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	for app, st := range l.state {
		if st.holder != l.id {
			continue
		}
		if err := l.kv.Delete(ctx, app, jetstream.LastRevision(st.rev)); err != nil {
			l.log.Warn("give back write lease", "app", app, "err", err)
		}
		l.state[app] = lease{}
	}
}

// Calls is the transport of forwarded calls between instances.
type Calls struct {
	nc *nats.Conn
}

// Calls returns the transport of forwarded calls on the store's connection.
func (s *Store) Calls() *Calls { return &Calls{nc: s.js.Conn()} }

// errNotHolderHeader marks the answer of an instance without the lease.
const errNotHolderHeader = "Amity-Not-Holder"

// Forward sends call to holder and returns its answer.
func (c *Calls) Forward(ctx context.Context, holder, app string, call []byte) ([]byte, error) {
	m, err := c.nc.RequestWithContext(ctx, domain.CallSubject(app, holder), call)
	if err != nil {
		return nil, fmt.Errorf("forward to %s: %w", holder, err)
	}
	if m.Header.Get(errNotHolderHeader) != "" {
		return nil, fmt.Errorf("forward to %s: %w", holder, domain.ErrNotHolder)
	}
	if e := m.Header.Get("Amity-Error"); e != "" {
		return nil, fmt.Errorf("forward to %s: %s", holder, e)
	}
	return m.Data, nil
}

// Serve takes the calls forwarded to the instance id of every app until ctx
// ends, each in its own goroutine: handle runs one and returns its answer,
// or an error wrapping domain.ErrNotHolder when the lease is not this
// instance's.
func (c *Calls) Serve(ctx context.Context, id string, handle func(context.Context, []byte) ([]byte, error)) error {
	var wg sync.WaitGroup
	sub, err := c.nc.Subscribe(domain.CallSubject("*", id), func(m *nats.Msg) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answer := nats.NewMsg(m.Reply)
			// A call taken is run to its end, also while stopping.
			data, err := handle(context.WithoutCancel(ctx), m.Data)
			switch {
			case errors.Is(err, domain.ErrNotHolder):
				answer.Header.Set(errNotHolderHeader, "1")
			case err != nil:
				answer.Header.Set("Amity-Error", err.Error())
			default:
				answer.Data = data
			}
			if err := m.RespondMsg(answer); err != nil && ctx.Err() == nil {
				slog.Default().Warn("answer forwarded call", "err", err)
			}
		}()
	})
	if err != nil {
		return fmt.Errorf("take forwarded calls: %w", err)
	}
	<-ctx.Done()
	err = sub.Unsubscribe()
	wg.Wait()
	return err
}

// Recent passes app's commits stored after t to fn, in order.
func (s *Store) Recent(ctx context.Context, app string, since time.Time, fn func(domain.Record) error) error {
	from, err := s.SeqAt(ctx, since)
	if err != nil {
		return err
	}
	last, err := s.LastSeq(ctx)
	if err != nil {
		return err
	}
	return s.Scan(ctx, []string{domain.AppFilter(app)}, from+1, last, fn)
}
