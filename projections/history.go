package projections

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/amity-im/amity/domain"
)

// The history index: for every user of an app, the events that name the
// user as a party of a pair (adds, deletes, updates, blocks, unblocks,
// requests, follows, by the user or of the user), each as its commit's
// stream sequence, its place in the commit and where the model's event log
// (eventlog.go) holds a copy of it, in stream order. It is kept with the
// read model and its snapshot, so a user's list as of any point, the user's
// changes since a point, and a pair's history read only the events they are
// about (/v1, http/native).
//
// An entry is stored as three varints: the sequence's difference from the
// entry before (0 within one commit), the event's place, and its offset in
// the model's event log (eventlog.go) as a difference from the entry
// before's, signed; the last entry is kept beside them to append the next.

// Hit is one event of a user's history (domain.EventRef).
type Hit = domain.EventRef

func less(h, o Hit) bool { return h.Seq < o.Seq || (h.Seq == o.Seq && h.Event < o.Event) }

// history is an app's index, by interned user ID.
type history struct {
	entries [][]byte // sequence delta, event place, log offset delta
	last    []Hit
}

// note records that the event hit names the user id.
func (h *history) note(id uint32, hit Hit) {
	if int(id) >= len(h.entries) {
		n := max(int(id)+1, 2*len(h.entries))
		h.entries = append(h.entries, make([][]byte, n-len(h.entries))...)
		h.last = append(h.last, make([]Hit, n-len(h.last))...)
	}
	last := h.last[id]
	switch {
	case len(h.entries[id]) == 0 || less(last, hit):
		h.entries[id] = appendHit(h.entries[id], last, hit)
		h.last[id] = hit
	case less(hit, last):
		// A commit applied ahead of the in-order read (an instance's own,
		// on an app of several partitions) came first: put this one in
		// its place.
		all := decodeHits(h.entries[id], 0, math.MaxUint64, 0)
		i, found := slices.BinarySearchFunc(all, hit, func(a, b Hit) int {
			switch {
			case less(a, b):
				return -1
			case less(b, a):
				return 1
			}
			return 0
		})
		if !found {
			h.entries[id] = encodeHits(slices.Insert(all, i, hit))
		}
	}
}

func appendHit(b []byte, prev, h Hit) []byte {
	b = binary.AppendUvarint(binary.AppendUvarint(b, h.Seq-prev.Seq), uint64(h.Event))
	return binary.AppendVarint(b, h.Log-prev.Log)
}

// nextHit decodes the entry at the start of b, which follows prev, and
// returns it with the bytes it took (0 if damaged).
func nextHit(b []byte, prev Hit) (Hit, int) {
	d, n := binary.Uvarint(b)
	if n <= 0 {
		return Hit{}, 0
	}
	ev, m := binary.Uvarint(b[n:])
	if m <= 0 || ev > math.MaxInt32 {
		return Hit{}, 0
	}
	lg, k := binary.Varint(b[n+m:])
	if k <= 0 {
		return Hit{}, 0
	}
	return Hit{Seq: prev.Seq + d, Event: int(ev), Log: prev.Log + lg}, n + m + k
}

// of returns the user's events of the commits from..to (both included),
// in order: every one (limit 0), or a page (UserHistory).
func (h *history) of(id uint32, from, to uint64, limit int) []Hit {
	if int(id) >= len(h.entries) {
		return nil
	}
	return decodeHits(h.entries[id], from, to, limit)
}

func decodeHits(b []byte, from, to uint64, limit int) []Hit {
	var out []Hit
	if limit > 0 {
		out = make([]Hit, 0, min(limit+1, 128))
	}
	var h Hit
	for len(b) > 0 {
		next, n := nextHit(b, h)
		if n == 0 {
			break
		}
		newCommit := next.Seq != h.Seq
		b, h = b[n:], next
		if h.Seq > to {
			break
		}
		if h.Seq < from {
			continue
		}
		if newCommit && limit > 0 && len(out) >= limit {
			return append(out, h) // shows that more follow
		}
		out = append(out, h)
	}
	return out
}

func encodeHits(hits []Hit) []byte {
	var b []byte
	var prev Hit
	for _, h := range hits {
		b = appendHit(b, prev, h)
		prev = h
	}
	return b
}

// bytes is what the index holds: its entries' bytes and, per user, the
// slice and the last entry beside them.
func (h *history) bytes() int {
	n := 0
	for _, b := range h.entries {
		n += cap(b)
	}
	return n + 24*cap(h.entries) + 24*cap(h.last)
}

// indexLocked notes the parties of the event hit in the history of app.
func (m *Model) indexLocked(app string, hit Hit, a, b string) {
	as := m.appLocked(app)
	as.hist.note(as.intern(a), hit)
	as.hist.note(as.intern(b), hit)
}

// UserHistory returns the events of app that named user as a party of a
// pair, in the commits from..to (both included), in stream order: every one
// (limit 0), or a page: those of the first commits holding limit events or
// more, then the first event of the commit after them, if any, to show
// that more follow (a page ends after a commit).
func (m *Model) UserHistory(app, user string, from, to uint64, limit int) []Hit {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a := m.apps[app]
	if a == nil {
		return nil
	}
	id, ok := a.lookup(user)
	if !ok {
		return nil
	}
	return a.hist.of(id, from, to, limit)
}

// PairHistory returns the events of app that named both a and b: the
// pair's whole history, in stream order.
func (m *Model) PairHistory(app, a, b string) []Hit {
	x, y := m.UserHistory(app, a, 0, math.MaxUint64, 0), m.UserHistory(app, b, 0, math.MaxUint64, 0)
	var out []Hit
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case less(x[i], y[j]):
			i++
		case less(y[j], x[i]):
			j++
		default:
			out = append(out, x[i])
			i, j = i+1, j+1
		}
	}
	return out
}

// SetEventLog makes l the model's event log: the events applied from now on
// are copied into it. A model loaded from a snapshot takes the log the
// snapshot names (OpenEventLog with EventLogState's values), or a new one
// that starts where the snapshot's ends; any other log is refused, since
// the index's offsets would name its records.
func (m *Model) SetEventLog(l *EventLog) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id, end := m.logStateLocked(); l.ID() != id && l.base < end {
		return fmt.Errorf("event log %s starts at %d, before the end %d of the index's log %s", l.ID(), l.base, end, id)
	}
	m.log = l
	return nil
}

// EventLogState names the event log the model's index points into and the
// end of what it holds: what a snapshot records.
func (m *Model) EventLogState() (id string, end int64) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.logStateLocked()
}

func (m *Model) logStateLocked() (string, int64) {
	if m.log != nil {
		return m.log.ID(), m.log.End()
	}
	return m.logID, m.logEnd
}

// logLocked copies the event at place i of c, the commit at seq, into the
// event log, if the model has one, and returns its index entry.
func (m *Model) logLocked(seq uint64, i int, c domain.Commit) Hit {
	h := Hit{Seq: seq, Event: i}
	if m.log == nil {
		return h
	}
	b, err := c.RawEvent(i)
	if err != nil {
		return h // read from the stream
	}
	h.Log = m.log.appendEvent(seq, i, b)
	return h
}

// Events passes to fn the events hits name that the event log holds, each
// as its commit holds it, with its place in hits; the others (not
// in the log, or damaged there) are for the caller to read from the
// stream. fn may keep the bytes.
func (m *Model) Events(hits []Hit, fn func(i int, ev []byte)) {
	m.mu.RLock()
	l := m.log
	m.mu.RUnlock()
	if l == nil {
		m.logMissed.Add(uint64(len(hits)))
		return
	}
	r := logReader{l: l}
	given := 0
	for i, h := range hits {
		if ev, ok := r.event(h); ok {
			fn(i, ev)
			given++
		}
	}
	m.logGiven.Add(uint64(given))
	m.logMissed.Add(uint64(len(hits) - given))
}

// EventLogReads counts the events history reads asked the event log for:
// those it gave, and those it did not hold (read from the stream instead).
func (m *Model) EventLogReads() (given, missed uint64) {
	return m.logGiven.Load(), m.logMissed.Load()
}

// HistoryBytes is the memory the history index of every app holds.
func (m *Model) HistoryBytes() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := 0
	for _, a := range m.apps {
		n += a.hist.bytes()
	}
	return n
}
