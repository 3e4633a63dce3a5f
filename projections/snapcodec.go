package projections

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/amity-im/amity/domain"
)

// The payload, all integers as varints, strings as a length and bytes:
//
//	schema seq followed
//	partitions: n × (subject seq)
//	apps: n × (name
//	           ids: n × name                          (interned, in ID order)
//	           users: n × (id registered profile-id name avatar registered_at
//	                       std_seq custom_seq block_seq
//	                       edges: n × (id-delta created)
//	                       extra: n × (id entry-json)
//	                       groups: n × name
//	                       blocked: n × (id time)
//	                       unblocked: n × id))
//
// Users and blocked users are named by their interned IDs too.

// maxSnapshotString bounds a string read from a snapshot, so a damaged
// length cannot ask for gigabytes.
const maxSnapshotString = 1 << 20

type snapWriter struct {
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
}

func (e *snapWriter) uint(v uint64) { e.w.Write(e.buf[:binary.PutUvarint(e.buf[:], v)]) }
func (e *snapWriter) int(v int64)   { e.w.Write(e.buf[:binary.PutVarint(e.buf[:], v)]) }
func (e *snapWriter) str(s string)  { e.uint(uint64(len(s))); e.w.WriteString(s) }
func (e *snapWriter) bool(b bool) {
	if b {
		e.uint(1)
	} else {
		e.uint(0)
	}
}

// WriteSnapshot writes the model to path atomically (a temporary file,
// synced, then renamed) and returns the read position it reflects.
func (m *Model) WriteSnapshot(path string) (uint64, error) {
	var payload bytes.Buffer
	followed := m.encodeSnapshot(&payload)
	sum := sha256.Sum256(payload.Bytes())
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return 0, fmt.Errorf("snapshot dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".snapshot-*")
	if err != nil {
		return 0, fmt.Errorf("snapshot file: %w", err)
	}
	defer os.Remove(tmp.Name())
	for _, b := range [][]byte{[]byte(snapshotMagic), sum[:], payload.Bytes()} {
		if _, err := tmp.Write(b); err != nil {
			tmp.Close()
			return 0, fmt.Errorf("write snapshot: %w", err)
		}
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("sync snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("close snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("install snapshot: %w", err)
	}
	return followed, nil
}

// encodeSnapshot writes the payload under the read lock and returns the
// read position it reflects.
func (m *Model) encodeSnapshot(out io.Writer) uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e := &snapWriter{w: bufio.NewWriterSize(out, 1<<20)}
	e.uint(SnapshotSchema)
	e.uint(m.seq)
	e.uint(m.followed)
	e.uint(uint64(len(m.parts)))
	for subject, seq := range m.parts {
		e.str(subject)
		e.uint(seq)
	}
	e.uint(uint64(len(m.apps)))
	for name, a := range m.apps {
		e.str(name)
		e.uint(uint64(len(a.names)))
		for _, n := range a.names {
			e.str(n)
		}
		e.uint(uint64(len(a.users)))
		for id, u := range a.users {
			e.uint(uint64(a.ids[id]))
			e.bool(u.registered)
			e.str(u.info.ID)
			e.str(u.info.Name)
			e.str(u.info.Avatar)
			e.int(u.info.RegisteredAt)
			e.uint(u.stdSeq)
			e.uint(u.customSeq)
			e.uint(u.blockSeq)
			e.uint(uint64(len(u.friends.edges)))
			prev := uint32(0)
			for _, ed := range u.friends.sorted() {
				e.uint(uint64(ed.id - prev))
				e.int(ed.created)
				prev = ed.id
			}
			e.uint(uint64(len(u.friends.extra)))
			for id, x := range u.friends.extra {
				b, _ := json.Marshal(x)
				e.uint(uint64(id))
				e.str(string(b))
			}
			e.uint(uint64(len(u.explicit)))
			for g := range u.explicit {
				e.str(g)
			}
			e.uint(uint64(len(u.blocked)))
			for t, at := range u.blocked {
				e.uint(uint64(a.ids[t]))
				e.int(at)
			}
			e.uint(uint64(len(u.unblocked)))
			for t := range u.unblocked {
				e.uint(uint64(a.ids[t]))
			}
		}
	}
	_ = e.w.Flush()
	return m.followed
}

// LoadSnapshot reads a snapshot written by WriteSnapshot into a new model.
// The checksum is verified over the whole file before anything is decoded.
// Any error wraps ErrSnapshotUnusable (or fs.ErrNotExist, wrapped too).
func LoadSnapshot(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshotUnusable, err)
	}
	defer f.Close()
	head := make([]byte, len(snapshotMagic)+sha256.Size)
	if _, err := io.ReadFull(f, head); err != nil || !bytes.HasPrefix(head, []byte(snapshotMagic)) {
		return nil, fmt.Errorf("%w: not a snapshot file", ErrSnapshotUnusable)
	}
	h := sha256.New()
	if _, err := io.Copy(h, bufio.NewReaderSize(f, 1<<20)); err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrSnapshotUnusable, err)
	}
	if !bytes.Equal(h.Sum(nil), head[len(snapshotMagic):]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrSnapshotUnusable)
	}
	if _, err := f.Seek(int64(len(head)), io.SeekStart); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshotUnusable, err)
	}
	m, err := decodeSnapshot(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: decode: %w", ErrSnapshotUnusable, err)
	}
	return m, nil
}

type snapReader struct {
	r   *bufio.Reader
	err error
}

func (d *snapReader) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(d.r)
	d.err = err
	return v
}

func (d *snapReader) int() int64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadVarint(d.r)
	d.err = err
	return v
}

func (d *snapReader) str() string {
	n := d.uint()
	if d.err != nil {
		return ""
	}
	if n > maxSnapshotString {
		d.err = fmt.Errorf("string of %d bytes", n)
		return ""
	}
	b := make([]byte, n)
	_, d.err = io.ReadFull(d.r, b)
	return string(b)
}

// count reads a length, refusing one that cannot be right.
func (d *snapReader) count(limit uint64) int {
	n := d.uint()
	if d.err == nil && n > limit {
		d.err = fmt.Errorf("count %d over %d", n, limit)
	}
	return int(n)
}

func decodeSnapshot(r *bufio.Reader) (*Model, error) {
	d := &snapReader{r: r}
	if schema := d.uint(); d.err == nil && schema != SnapshotSchema {
		return nil, fmt.Errorf("schema %d, this build reads %d", schema, SnapshotSchema)
	}
	m := NewModel()
	m.seq, m.followed = d.uint(), d.uint()
	for n, i := d.count(1<<24), 0; i < n && d.err == nil; i++ {
		subject := d.str()
		m.parts[subject] = d.uint()
	}
	for n, i := d.count(1<<16), 0; i < n && d.err == nil; i++ {
		a := newAppState()
		m.apps[d.str()] = a
		nNames := d.count(1 << 32)
		a.names = make([]string, 0, min(nNames, 1<<16))
		for i := 0; i < nNames && d.err == nil; i++ {
			a.intern(d.str())
		}
		name := func(id uint64) string {
			if id >= uint64(len(a.names)) {
				if d.err == nil {
					d.err = fmt.Errorf("user id %d out of range", id)
				}
				return ""
			}
			return a.names[id]
		}
		for n, i := d.count(1<<32), 0; i < n && d.err == nil; i++ {
			id := name(d.uint())
			u := &userState{registered: d.uint() == 1}
			u.info = domain.User{ID: d.str(), Name: d.str(), Avatar: d.str(), RegisteredAt: d.int()}
			u.stdSeq, u.customSeq, u.blockSeq = d.uint(), d.uint(), d.uint()
			nEdges := d.count(1 << 32)
			u.friends.edges = make([]edge, 0, min(nEdges, 1<<16))
			prev := uint64(0)
			for i := 0; i < nEdges && d.err == nil; i++ {
				prev += d.uint()
				if _, dup := u.friends.put(uint32(prev), domain.Entry{CreateTime: d.int()}); dup && d.err == nil {
					d.err = errors.New("repeated edge")
				}
			}
			for n, i := d.count(1<<32), 0; i < n && d.err == nil; i++ {
				fid := d.uint()
				var x domain.Entry
				if err := json.Unmarshal([]byte(d.str()), &x); err != nil && d.err == nil {
					d.err = fmt.Errorf("entry: %w", err)
				}
				if _, ok := u.friends.find(uint32(fid)); !ok && d.err == nil {
					d.err = errors.New("entry without an edge")
				}
				u.friends.put(uint32(fid), x)
				u.refGroups(x.Groups, 1)
			}
			for n, i := d.count(1<<16), 0; i < n && d.err == nil; i++ {
				if u.explicit == nil {
					u.explicit = map[string]bool{}
				}
				g := d.str()
				u.explicit[g] = true
				u.refGroups([]string{g}, 1)
			}
			for n, i := d.count(1<<32), 0; i < n && d.err == nil; i++ {
				if u.blocked == nil {
					u.blocked = map[string]int64{}
				}
				t := name(d.uint())
				u.blocked[t] = d.int()
			}
			for n, i := d.count(1<<32), 0; i < n && d.err == nil; i++ {
				if u.unblocked == nil {
					u.unblocked = map[string]bool{}
				}
				u.unblocked[name(d.uint())] = true
			}
			if d.err != nil {
				return nil, d.err
			}
			a.users[id] = u
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return nil, errors.New("trailing bytes")
	}
	return m, nil
}
