package projections

import (
	"encoding/binary"
	"math"
	"slices"
)

// The history index: for every user of an app, the stream sequences of the
// commits whose events name the user as a party of a pair (adds, deletes,
// updates, blocks, unblocks, by the user or of the user), ascending, each
// once. It is kept with the read model and its snapshot, so a user's list
// as of any point, the user's changes since a point, and a pair's history
// read only the commits they are about (/v1, http/native), not the stream.
//
// A user's sequences are stored as uvarint deltas from the one before,
// which takes one to three bytes for commits close together, and the last
// sequence is kept beside them to append the next.

// history is an app's index, by interned user ID.
type history struct {
	seqs [][]byte // uvarint deltas
	last []uint64
}

// note records that the commit at seq names the user id.
func (h *history) note(id uint32, seq uint64) {
	if int(id) >= len(h.seqs) {
		n := max(int(id)+1, 2*len(h.seqs))
		h.seqs = append(h.seqs, make([][]byte, n-len(h.seqs))...)
		h.last = append(h.last, make([]uint64, n-len(h.last))...)
	}
	switch last := h.last[id]; {
	case seq > last:
		h.seqs[id] = binary.AppendUvarint(h.seqs[id], seq-last)
		h.last[id] = seq
	case seq < last:
		// A commit applied ahead of the in-order read (an instance's own,
		// on an app of several partitions) came first: put this one in
		// its place.
		all := decodeSeqs(h.seqs[id], 0, ^uint64(0), 0)
		i, found := slices.BinarySearch(all, seq)
		if !found {
			h.seqs[id] = encodeSeqs(slices.Insert(all, i, seq))
		}
	}
}

// of returns the user's sequences from..to (both included), at most limit
// of them (0: every one), ascending.
func (h *history) of(id uint32, from, to uint64, limit int) []uint64 {
	if int(id) >= len(h.seqs) {
		return nil
	}
	return decodeSeqs(h.seqs[id], from, to, limit)
}

func decodeSeqs(b []byte, from, to uint64, limit int) []uint64 {
	var out []uint64
	var seq uint64
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			break
		}
		b, seq = b[n:], seq+d
		if seq > to {
			break
		}
		if seq >= from {
			out = append(out, seq)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

func encodeSeqs(seqs []uint64) []byte {
	var b []byte
	var prev uint64
	for _, s := range seqs {
		b = binary.AppendUvarint(b, s-prev)
		prev = s
	}
	return b
}

// bytes is what the index holds: its sequences' bytes and, per user, the
// slice and the last sequence beside them.
func (h *history) bytes() int {
	n := 0
	for _, b := range h.seqs {
		n += cap(b)
	}
	return n + 24*cap(h.seqs) + 8*cap(h.last)
}

// indexLocked notes the parties of ev in the history of app at seq.
func (m *Model) indexLocked(app string, seq uint64, a, b string) {
	as := m.appLocked(app)
	as.hist.note(as.intern(a), seq)
	as.hist.note(as.intern(b), seq)
}

// UserCommits returns the sequences of the commits of app that named user
// as a party of a pair, from..to (both included), at most limit (0: every
// one), ascending.
func (m *Model) UserCommits(app, user string, from, to uint64, limit int) []uint64 {
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

// PairCommits returns the sequences of the commits of app that named both
// a and b, ascending: every commit of the pair's history.
func (m *Model) PairCommits(app, a, b string) []uint64 {
	x, y := m.UserCommits(app, a, 0, math.MaxUint64, 0), m.UserCommits(app, b, 0, math.MaxUint64, 0)
	var out []uint64
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i] < y[j]:
			i++
		case x[i] > y[j]:
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
