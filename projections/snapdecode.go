package projections

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/amity-im/amity/domain"
)

// LoadSnapshot reads a snapshot written by WriteSnapshot into a new model.
// The checksum is verified over the whole file before anything is decoded.
// Any error wraps ErrSnapshotUnusable (or fs.ErrNotExist, wrapped too).
func LoadSnapshot(path string) (*Model, error) {
	file, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshotUnusable, err)
	}
	head := len(snapshotMagic) + sha256.Size
	if len(file) < head || !bytes.HasPrefix(file, []byte(snapshotMagic)) {
		return nil, fmt.Errorf("%w: not a snapshot file", ErrSnapshotUnusable)
	}
	payload := file[head:]
	if sum := sha256.Sum256(payload); !bytes.Equal(sum[:], file[len(snapshotMagic):head]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrSnapshotUnusable)
	}
	m, err := decodeSnapshot(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: decode: %w", ErrSnapshotUnusable, err)
	}
	return m, nil
}

// snapReader decodes a payload held in memory; the first error sticks.
type snapReader struct {
	b   []byte
	err error
}

var errTruncated = errors.New("truncated")

func (d *snapReader) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *snapReader) int() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errTruncated
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *snapReader) str() string { return d.strUpTo(maxSnapshotString) }

// strUpTo reads a string of at most limit bytes.
func (d *snapReader) strUpTo(limit uint64) string {
	n := d.uint()
	if d.err != nil {
		return ""
	}
	if n > limit {
		d.err = fmt.Errorf("string of %d bytes", n)
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errTruncated
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// count reads a length, refusing one that cannot be right: over limit, or
// more items than bytes left (every item takes at least one byte).
func (d *snapReader) count(limit uint64) int {
	n := d.uint()
	if d.err == nil && (n > limit || n > uint64(len(d.b))) {
		d.err = fmt.Errorf("count %d over %d", n, min(limit, uint64(len(d.b))))
	}
	return int(n)
}

// edgeSlab is how many edges the decoder allocates at once; the users'
// lists are cut from slabs instead of being allocated one by one.
const edgeSlab = 1 << 16

// history reads an app's history index: each user's entries, copied into
// shared slabs (the payload is not kept), checked to be in order, and the
// last of them kept.
func (d *snapReader) history(a *appState, logEnd int64) {
	n := d.count(uint64(len(a.names)))
	if d.err != nil {
		return
	}
	a.hist = history{entries: make([][]byte, len(a.names)), last: make([]Hit, len(a.names))}
	var slab []byte
	for i := 0; i < n && d.err == nil; i++ {
		id := d.uint()
		size := d.count(uint64(len(d.b)))
		if d.err != nil {
			return
		}
		if id >= uint64(len(a.names)) || len(a.hist.entries[id]) > 0 || size == 0 {
			d.err = fmt.Errorf("history of user %d out of range, repeated or empty", id)
			return
		}
		if len(slab)+size > cap(slab) {
			slab = make([]byte, 0, max(size, 1<<20))
		}
		b := append(slab[len(slab):len(slab):len(slab)+size], d.b[:size]...)
		slab, d.b = slab[:len(slab)+size], d.b[size:]
		var last Hit
		for r, first := b, true; len(r) > 0; first = false {
			next, k := nextHit(r, last)
			if k == 0 || (!first && !less(last, next)) || (first && next.Seq == 0) || next.Log < 0 || (next.Log != 0 && next.Log >= logEnd) {
				d.err = fmt.Errorf("history of user %d damaged", id)
				return
			}
			last, r = next, r[k:]
		}
		a.hist.entries[id], a.hist.last[id] = b, last
	}
}

func decodeSnapshot(payload []byte) (*Model, error) {
	d := &snapReader{b: payload}
	if schema := d.uint(); d.err == nil && schema != SnapshotSchema {
		return nil, fmt.Errorf("schema %d, this build reads %d", schema, SnapshotSchema)
	}
	m := NewModel()
	d.header(m)
	var slab []edge
	for n, i := d.count(1<<16), 0; i < n && d.err == nil; i++ {
		a := newAppState()
		m.apps[d.str()] = a
		d.app(m, a, &slab)
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, errors.New("trailing bytes")
	}
	return m, nil
}

// header reads the model's position, its skipped messages and its
// partitions' sequences.
func (d *snapReader) header(m *Model) {
	m.stream = d.str()
	m.seq, m.followed, m.skips = d.uint(), d.uint(), d.uint()
	m.logID = d.str()
	if end := d.uint(); end <= math.MaxInt64 {
		m.logEnd = int64(end)
	} else if d.err == nil {
		d.err = fmt.Errorf("event log end %d", end)
	}
	for n, i := d.count(maxSkippedKept), 0; i < n && d.err == nil; i++ {
		m.skipped = append(m.skipped, Skipped{Seq: d.uint(), Subject: d.str(), Reason: d.str()})
	}
	for n, i := d.count(1<<24), 0; i < n && d.err == nil; i++ {
		subject := d.str()
		m.parts[subject] = d.uint()
	}
}

// app reads one app's user IDs, users and history into a; slab holds the
// edges still free for the users' lists.
func (d *snapReader) app(m *Model, a *appState, slab *[]edge) {
	nNames := d.count(1 << 32)
	a.reserve(nNames)
	for i := 0; i < nNames && d.err == nil; i++ {
		if name := d.str(); a.intern(name) != uint32(i) && d.err == nil {
			d.err = fmt.Errorf("user id %q repeated", name)
		}
	}
	if d.err != nil {
		return
	}
	a.users = make([]*userState, len(a.names))
	nUsers := d.count(uint64(len(a.names)))
	states := make([]userState, nUsers)
	for i := 0; i < nUsers && d.err == nil; i++ {
		uid := d.userID(a)
		if d.err != nil {
			break
		}
		if a.users[uid] != nil {
			d.err = fmt.Errorf("user %d repeated", uid)
			break
		}
		u := &states[i]
		d.user(a, uid, u, slab)
		a.users[uid] = u
		if u.registered {
			m.size.Users++
		}
		m.size.Edges += len(u.friends.edges)
		m.size.Blocks += len(u.more().blocked)
	}
	d.history(a, m.logEnd)
}

// userID reads the ID of one of a's users.
func (d *snapReader) userID(a *appState) uint32 {
	id := d.uint()
	if id >= uint64(len(a.names)) {
		if d.err == nil {
			d.err = fmt.Errorf("user id %d out of range", id)
		}
		return 0
	}
	return uint32(id)
}

// user reads user uid of a into u: its profile, friends and blocks.
func (d *snapReader) user(a *appState, uid uint32, u *userState, slab *[]edge) {
	u.registered = d.uint() == 1
	if pid := d.str(); pid != "" {
		u.profiled = true
		if pid != a.names[uid] && d.err == nil {
			d.err = fmt.Errorf("user %d has profile ID %q", uid, pid)
		}
	}
	if name, avatar := d.str(), d.str(); name != "" || avatar != "" {
		u.ext().name, u.x.avatar = name, avatar
	}
	u.registeredAt = d.int()
	u.stdSeq = d.uint()
	if custom, block := d.uint(), d.uint(); custom != 0 || block != 0 {
		u.ext().customSeq, u.x.blockSeq = custom, block
	}
	d.friends(a, u, slab)
	for n, i := d.count(1<<16), 0; i < n && d.err == nil; i++ {
		x := u.ext()
		if x.explicit == nil {
			x.explicit = map[string]bool{}
		}
		g := d.str()
		x.explicit[g] = true
		u.refGroups([]string{g}, 1)
	}
	d.blocks(a, u)
	// A user's fans are unbounded: their state is bounded by the snapshot
	// alone.
	if b := d.strUpTo(uint64(len(d.b))); b != "" && d.err == nil {
		so := &social{}
		if err := json.Unmarshal([]byte(b), so); err != nil {
			d.err = fmt.Errorf("social: %w", err)
		}
		u.ext().social = so
	}
}

// friends reads u's friend list: its edges, delta-coded in ID order, then
// the entries of the friends with more than a create time.
func (d *snapReader) friends(a *appState, u *userState, slab *[]edge) {
	nEdges := d.count(1 << 32)
	if nEdges > len(*slab) {
		*slab = make([]edge, max(nEdges, edgeSlab))
	}
	if nEdges > 0 {
		u.friends.edges, *slab = (*slab)[:0:nEdges], (*slab)[nEdges:]
	}
	prev := uint64(0)
	for i := 0; i < nEdges && d.err == nil; i++ {
		delta := d.uint()
		if i > 0 && delta == 0 && d.err == nil {
			d.err = errors.New("repeated edge")
		}
		if prev += delta; prev >= uint64(len(a.names)) && d.err == nil {
			d.err = fmt.Errorf("friend id %d out of range", prev)
		}
		u.friends.edges = append(u.friends.edges, edge{id: uint32(prev), created: d.int()})
	}
	if nEdges > indexAbove && d.err == nil {
		u.friends.mustMore().index = newListIndex(u.friends.edges)
	}
	for n, i := d.count(1<<32), 0; i < n && d.err == nil; i++ {
		fid := uint32(d.uint())
		var x domain.Entry
		if err := json.Unmarshal([]byte(d.str()), &x); err != nil && d.err == nil {
			d.err = fmt.Errorf("entry: %w", err)
		}
		if _, ok := u.friends.find(fid); !ok && d.err == nil {
			d.err = errors.New("entry without an edge")
		}
		u.friends.put(fid, x)
		u.refGroups(x.Groups, 1)
	}
}

// blocks reads whom u blocks, with when, and whom it unblocked.
func (d *snapReader) blocks(a *appState, u *userState) {
	for n, i := d.count(1<<32), 0; i < n && d.err == nil; i++ {
		x := u.ext()
		if x.blocked == nil {
			x.blocked = map[string]int64{}
		}
		t := a.names[d.userID(a)]
		x.blocked[t] = d.int()
	}
	for n, i := d.count(1<<32), 0; i < n && d.err == nil; i++ {
		x := u.ext()
		if x.unblocked == nil {
			x.unblocked = map[string]bool{}
		}
		x.unblocked[a.names[d.userID(a)]] = true
	}
}
