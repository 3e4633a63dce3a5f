package projections

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The payload, all integers as varints, strings as a length and bytes:
//
//	schema stream seq followed skips log-id log-end
//	skipped: n × (seq subject reason)
//	partitions: n × (subject seq)
//	apps: n × (name
//	           ids: n × name                          (interned, in ID order)
//	           users: n × (id registered profile-id name avatar registered_at
//	                       std_seq custom_seq block_seq
//	                       edges: n × (id-delta created)
//	                       extra: n × (id entry-json)
//	                       groups: n × name
//	                       blocked: n × (id time)
//	                       unblocked: n × id
//	                       social-json)                (social.go; "" when none)
//	           history: n × (id entries))            (the history index, history.go)
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
	followed, log := m.encodeSnapshot(&payload)
	var logErr error
	if log != nil {
		// The index names records of the log below the end recorded:
		// they are on disk before the snapshot is. A log that cannot
		// be synced (a full disk) still leaves a usable snapshot: a
		// start that finds the log shorter than the snapshot says
		// begins a new one, and reads what it lacks from the stream.
		if _, err := log.Sync(); err != nil {
			logErr = fmt.Errorf("snapshot written, but its event log is not on disk: %w", err)
		}
	}
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
	return followed, logErr
}

// encodeSnapshot writes the payload under the read lock and returns the
// read position it reflects and the event log its index points into.
func (m *Model) encodeSnapshot(out io.Writer) (uint64, *EventLog) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e := &snapWriter{w: bufio.NewWriterSize(out, 1<<20)}
	e.uint(SnapshotSchema)
	e.str(m.stream)
	e.uint(m.seq)
	e.uint(m.followed)
	e.uint(m.skips)
	logID, logEnd := m.logStateLocked()
	e.str(logID)
	e.uint(uint64(logEnd))
	e.uint(uint64(len(m.skipped)))
	for _, sk := range m.skipped {
		e.uint(sk.Seq)
		e.str(sk.Subject)
		e.str(sk.Reason)
	}
	e.uint(uint64(len(m.parts)))
	for subject, seq := range m.parts {
		e.str(subject)
		e.uint(seq)
	}
	e.uint(uint64(len(m.apps)))
	for name, a := range m.apps {
		e.str(name)
		e.app(a)
	}
	_ = e.w.Flush()
	return m.followed, m.log
}

// app writes a's user IDs, users and history index, as snapReader.app
// reads them.
func (e *snapWriter) app(a *appState) {
	e.uint(uint64(len(a.names)))
	for _, n := range a.names {
		e.str(n)
	}
	users := 0
	for _, u := range a.users {
		if u != nil {
			users++
		}
	}
	e.uint(uint64(users))
	a.eachUser(func(id uint32, name string, u *userState) { e.user(a, id, name, u) })
	indexed := 0
	for _, b := range a.hist.entries {
		if len(b) > 0 {
			indexed++
		}
	}
	e.uint(uint64(indexed))
	for id, b := range a.hist.entries {
		if len(b) > 0 {
			e.uint(uint64(id))
			e.uint(uint64(len(b)))
			e.w.Write(b)
		}
	}
}

// user writes one user of a, as snapReader.user reads it.
func (e *snapWriter) user(a *appState, id uint32, name string, u *userState) {
	x := u.more()
	e.uint(uint64(id))
	e.bool(u.registered)
	e.str(u.info(name).ID)
	e.str(x.name)
	e.str(x.avatar)
	e.int(u.registeredAt)
	e.uint(u.stdSeq)
	e.uint(x.customSeq)
	e.uint(x.blockSeq)
	e.uint(uint64(len(u.friends.edges)))
	prev := uint32(0)
	for _, ed := range u.friends.sorted() {
		e.uint(uint64(ed.id - prev))
		e.int(ed.created)
		prev = ed.id
	}
	extra := u.friends.extra()
	e.uint(uint64(len(extra)))
	for id, entry := range extra {
		b, _ := json.Marshal(entry)
		e.uint(uint64(id))
		e.str(string(b))
	}
	e.uint(uint64(len(x.explicit)))
	for g := range x.explicit {
		e.str(g)
	}
	e.uint(uint64(len(x.blocked)))
	for t, at := range x.blocked {
		id, _ := a.lookup(t)
		e.uint(uint64(id))
		e.int(at)
	}
	e.uint(uint64(len(x.unblocked)))
	for t := range x.unblocked {
		id, _ := a.lookup(t)
		e.uint(uint64(id))
	}
	if x.social == nil {
		e.str("")
	} else {
		b, _ := json.Marshal(x.social)
		e.str(string(b))
	}
}
