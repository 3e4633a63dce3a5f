package projections

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/amity-im/amity/domain"
)

// Model is the users and relations read model of every app.
type Model struct {
	mu    sync.RWMutex
	apps  map[string]*appState
	parts map[string]uint64 // subject -> last applied sequence
	seq   uint64            // highest applied sequence
	cur   uint64            // sequence of the commit being applied
	// followed is the position of the ordered read of the stream: every
	// commit at or below it is applied.
	followed uint64
	applied  uint64        // commits applied
	changed  chan struct{} // closed and replaced on every apply
	observer atomic.Pointer[func(seq uint64, c domain.Commit)]
	// skipped are the stored messages no projection can apply, the most
	// recent maxSkippedKept of them; skips counts them all.
	skipped []Skipped
	skips   uint64
	// stream identifies the stream the model was built from.
	stream string
	// size counts what the model holds, kept as it changes.
	size Size
	// log keeps a copy of each event the history index names (nil: none;
	// every history read then goes to the stream).
	log *EventLog
	// logID and logEnd name the log a snapshot's index points into, until
	// a log is set.
	logID  string
	logEnd int64
	// logGiven and logMissed count history reads of the log.
	logGiven, logMissed atomic.Uint64

	// slot reservations for commits being decided
	reserved       map[slotRef]int
	byCommit       map[string][]slotRef
	groupsReserved map[userRef]map[string]int
	groupsByCommit map[string][]groupRef
}

type groupRef struct {
	userRef
	group string
}

type userRef struct{ app, user string }

// slotRef names a reserved slot: in a user's friend list, blocklist or
// list of whom they follow.
type slotRef struct {
	userRef
	list slotList
}

type slotList uint8

const (
	friendSlot slotList = iota
	blockSlot
	followSlot
	muteSlot
	sentSlot     // waiting requests the user sent
	receivedSlot // waiting requests to the user
)

// userState is one user's state. What most users never have (a profile
// name or avatar, groups, a blocklist) lives behind x, so a user with only
// friends costs 64 bytes plus their edges.
type userState struct {
	friends friendList
	// registeredAt is the profile's first registration (Unix ms).
	registeredAt int64
	// stdSeq is the stream sequence of the last change to the user's
	// standard friend data (Tencent's StandardSequence).
	stdSeq     uint64
	registered bool
	// profiled: the user was registered once, so their profile's ID is set.
	profiled bool
	x        *userExtra
}

type userExtra struct {
	name, avatar string
	// groups counts, per friend group, the entries naming it plus one if
	// it was created on its own; a group exists while its count is above 0.
	groups   map[string]int
	explicit map[string]bool
	// customSeq is the sequence of the last change to custom friend data,
	// blockSeq to the blocklist.
	customSeq, blockSeq uint64
	// blocked holds the blocklist (target -> Unix ms); unblocked the
	// targets that were in it and were taken out.
	blocked   map[string]int64
	unblocked map[string]bool
	// social is what few users have: a profile's extra fields, friend
	// requests and follows (social.go).
	social *social
}

// noExtra is what more returns for a user without extra state; read only.
var noExtra userExtra

// more returns the user's extra state for reading.
func (u *userState) more() *userExtra {
	if u.x == nil {
		return &noExtra
	}
	return u.x
}

// ext returns the user's extra state for changing it.
func (u *userState) ext() *userExtra {
	if u.x == nil {
		u.x = &userExtra{}
	}
	return u.x
}

// info is the user's profile; id is the user's ID.
func (u *userState) info(id string) domain.User {
	x := u.more()
	p := domain.User{Name: x.name, Avatar: x.avatar, RegisteredAt: u.registeredAt}
	if x.social != nil {
		p.Extra, p.AllowType = x.social.Extra, x.social.AllowType
	}
	if u.profiled {
		p.ID = id
	}
	return p
}

// NewModel returns an empty model.
func NewModel() *Model {
	return &Model{
		apps:           map[string]*appState{},
		parts:          map[string]uint64{},
		changed:        make(chan struct{}),
		reserved:       map[slotRef]int{},
		byCommit:       map[string][]slotRef{},
		groupsReserved: map[userRef]map[string]int{},
		groupsByCommit: map[string][]groupRef{},
	}
}

// Apply applies commit c stored at seq on subject, unless the subject has
// already applied it, and then tells the observer (Observe) of it.
func (m *Model) Apply(subject string, seq uint64, c domain.Commit) {
	if !m.apply(subject, seq, c) {
		return
	}
	if fn := m.observer.Load(); fn != nil {
		(*fn)(seq, c)
	}
}

// Observe has fn told of each commit the model applies, once, after it is
// applied, in the order of the calls to Apply: what is counted from the
// commits as they come (the console's activity). fn must be quick and
// must not call the model.
func (m *Model) Observe(fn func(seq uint64, c domain.Commit)) {
	m.observer.Store(&fn)
}

func (m *Model) apply(subject string, seq uint64, c domain.Commit) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.releaseLocked(c.ID)
	if seq <= m.parts[subject] {
		return false
	}
	m.cur = seq
	for i, ev := range c.Events {
		domain.Apply(m, ev)
		if a, b, ok := ev.Parties(); ok {
			m.indexLocked(ev.App, m.logLocked(seq, i, c), a, b)
		}
	}
	m.parts[subject] = seq
	m.applied++
	if seq > m.seq {
		m.seq = seq
	}
	close(m.changed)
	m.changed = make(chan struct{})
	return true
}

// Skipped is a stored message that no projection applies (see
// domain.ErrBadRecord).
type Skipped struct {
	Seq     uint64 `json:"seq"`
	Subject string `json:"subject"`
	Reason  string `json:"reason"`
}

// maxSkippedKept bounds the skipped messages a model lists.
const maxSkippedKept = 1000

// Skip passes over the message stored at seq on subject, which reason
// keeps from being applied: the subject's position moves past it, as an
// applied commit's does, so the next commit on the subject is expected after
// it. It implements domain.State.
func (m *Model) Skip(subject string, seq uint64, reason error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.skipLocked(subject, seq, reason)
}

func (m *Model) skipLocked(subject string, seq uint64, reason error) bool {
	if seq <= m.parts[subject] {
		return false
	}
	m.parts[subject] = seq
	m.seq = max(m.seq, seq)
	m.skips++
	if len(m.skipped) == maxSkippedKept {
		m.skipped = slices.Delete(m.skipped, 0, 1)
	}
	m.skipped = append(m.skipped, Skipped{Seq: seq, Subject: subject, Reason: reason.Error()})
	close(m.changed)
	m.changed = make(chan struct{})
	return true
}

// Skips returns how many stored messages the model skipped, and the most
// recent of them in stream order.
func (m *Model) Skips() (uint64, []Skipped) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.skips, slices.Clone(m.skipped)
}

// SetStream names the stream the model is built from (see
// LoadSnapshot's caller, which refuses a snapshot of another stream).
func (m *Model) SetStream(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stream = id
}

// Stream is the stream the model was built from, "" if unknown.
func (m *Model) Stream() string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.stream
}

// applyFollowed applies a record of the in-order read, or skips it when
// it could not be decoded (err), and advances the read position. It
// reports whether the record was skipped now.
func (m *Model) applyFollowed(r domain.Record, c domain.Commit, err error) bool {
	if err == nil {
		m.Apply(r.Subject, r.Seq, c)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	skipped := err != nil && m.skipLocked(r.Subject, r.Seq, err)
	if r.Seq > m.followed {
		m.followed = r.Seq
		close(m.changed)
		m.changed = make(chan struct{})
	}
	return skipped
}

// WaitFollowed blocks until the in-order read reaches seq or ctx ends.
func (m *Model) WaitFollowed(ctx context.Context, seq uint64) error {
	return m.waitFor(ctx, func() bool { return m.followed >= seq })
}

// Followed is the position of the in-order read of the stream: every
// commit at or below it is applied.
func (m *Model) Followed() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.followed
}

// Applied is the number of commits applied since the model was made or
// loaded.
func (m *Model) Applied() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.applied
}

// Seq returns the highest stream sequence applied.
func (m *Model) Seq() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.seq
}

// PartitionSeq returns the last sequence applied on subject.
func (m *Model) PartitionSeq(subject string) uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.parts[subject]
}

// WaitSeq blocks until the model reflects stream sequence seq or ctx ends.
func (m *Model) WaitSeq(ctx context.Context, seq uint64) error {
	return m.waitFor(ctx, func() bool { return m.seq >= seq })
}

func (m *Model) waitFor(ctx context.Context, done func() bool) error {
	for {
		m.mu.RLock()
		ok, ch := done(), m.changed
		m.mu.RUnlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (m *Model) userLocked(app, user string) *userState {
	a := m.apps[app]
	if a == nil {
		return nil
	}
	return a.user(user)
}

func (m *Model) mutUserLocked(app, user string) *userState {
	return m.appLocked(app).mutUser(user)
}

func (m *Model) appLocked(app string) *appState {
	a := m.apps[app]
	if a == nil {
		a = newAppState()
		m.apps[app] = a
	}
	return a
}
