package projections

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/amity-im/amity/domain"
)

// The history index: for every user of an app, the events that name the
// user as a party of a pair (adds, deletes, updates, blocks, unblocks, by
// the user or of the user), each as its commit's stream sequence and its
// place in the commit, in stream order. It is kept with the read model and
// its snapshot, so a user's list as of any point, the user's changes since
// a point, and a pair's history read only the commits they are about, and
// decode only the events they are about in them (/v1, http/native).
//
// An entry is stored as two uvarints: the sequence's difference from the
// entry before (0 within one commit) and the event's place, which takes
// two to four bytes for commits close together; the last entry is kept
// beside them to append the next.

// Hit is one event of a user's history (domain.EventRef).
type Hit = domain.EventRef

func less(h, o Hit) bool { return h.Seq < o.Seq || (h.Seq == o.Seq && h.Event < o.Event) }

// history is an app's index, by interned user ID.
type history struct {
	entries [][]byte // uvarint pairs: sequence delta, event place
	last    []Hit
}

// note records that the event at place ev of the commit at seq names the
// user id.
func (h *history) note(id uint32, seq uint64, ev int) {
	if int(id) >= len(h.entries) {
		n := max(int(id)+1, 2*len(h.entries))
		h.entries = append(h.entries, make([][]byte, n-len(h.entries))...)
		h.last = append(h.last, make([]Hit, n-len(h.last))...)
	}
	hit, last := Hit{Seq: seq, Event: ev}, h.last[id]
	switch {
	case len(h.entries[id]) == 0 || less(last, hit):
		h.entries[id] = appendHit(h.entries[id], last.Seq, hit)
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

func appendHit(b []byte, prevSeq uint64, h Hit) []byte {
	return binary.AppendUvarint(binary.AppendUvarint(b, h.Seq-prevSeq), uint64(h.Event))
}

// of returns the user's events of the commits from..to (both included),
// of at most limit commits (0: every one), in order.
func (h *history) of(id uint32, from, to uint64, limit int) []Hit {
	if int(id) >= len(h.entries) {
		return nil
	}
	return decodeHits(h.entries[id], from, to, limit)
}

func decodeHits(b []byte, from, to uint64, limit int) []Hit {
	var out []Hit
	var seq uint64
	commits := 0
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			break
		}
		ev, m := binary.Uvarint(b[n:])
		if m <= 0 {
			break
		}
		b, seq = b[n+m:], seq+d
		if seq > to {
			break
		}
		if seq < from {
			continue
		}
		if d > 0 || len(out) == 0 {
			if commits == limit && limit > 0 {
				break
			}
			commits++
		}
		out = append(out, Hit{Seq: seq, Event: int(ev)})
	}
	return out
}

func encodeHits(hits []Hit) []byte {
	var b []byte
	var prev uint64
	for _, h := range hits {
		b = appendHit(b, prev, h)
		prev = h.Seq
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
	return n + 24*cap(h.entries) + 16*cap(h.last)
}

// indexLocked notes the parties of the event at place ev of the commit at
// seq in the history of app.
func (m *Model) indexLocked(app string, seq uint64, ev int, a, b string) {
	as := m.appLocked(app)
	as.hist.note(as.intern(a), seq, ev)
	as.hist.note(as.intern(b), seq, ev)
}

// UserHistory returns the events of app that named user as a party of a
// pair, in the commits from..to (both included), of at most limit commits
// (0: every one), in stream order.
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
