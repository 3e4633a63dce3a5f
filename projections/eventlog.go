package projections

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// An EventLog is a file beside the snapshot holding a copy of every event
// the history index names (history.go), in the order the model applies
// them, so a user's list as of a point, their changes and a pair's history
// read a few hundred bytes per event instead of each event's whole commit
// from the stream. It is a read model like the rest: derived from the
// stream, written without syncs, and never the only copy. An event it does
// not hold, or holds damaged, is read from its commit on the stream.
//
// The file: a header (magic, the log's ID, the logical offset of its first
// record), then records, each the event's length (uvarint), the event as
// its commit holds it (domain.Commit.RawEvent), and a CRC-32C of the
// commit's sequence, the event's place in it and the event. Records are
// named by logical offsets, which start at 1 (0 names no record) and never
// change: a log recreated after its file was lost starts where the
// snapshot's index ends, and the entries below it are read from the
// stream.
type EventLog struct {
	f    *os.File
	id   string
	base int64 // logical offset of the file's first record
	// flushed is the logical end of what the file holds; records below it
	// are read from the file without the lock.
	flushed atomic.Int64

	mu   sync.RWMutex
	tail []byte // records after flushed, not yet written
	// sumKey is room for a record's checksum key.
	sumKey [binary.MaxVarintLen64 + 8]byte
	// flushAt is the tail written to the file at once.
	flushAt int
	// broken is set by a failed write: the log then takes no more records
	// (the index names none, and the stream serves them).
	broken bool
}

const (
	eventLogMagic = "AMITY-EVENTLOG\n"
	eventLogIDLen = 32 // hex of 16 random bytes
	eventLogHdr   = len(eventLogMagic) + eventLogIDLen + 8
	// eventLogFlush is the tail written to the file at once.
	eventLogFlush = 256 << 10
)

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// EventLogPath is the event log's file beside the snapshot at
// snapshotPath.
func EventLogPath(snapshotPath string) string {
	return filepath.Join(filepath.Dir(snapshotPath), "events.log")
}

// CreateEventLog makes a new, empty log at path (replacing any), whose first
// record will have the logical offset base (at least 1).
func CreateEventLog(path string, base int64) (*EventLog, error) {
	base = max(base, 1)
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("event log id: %w", err)
	}
	id := hex.EncodeToString(raw[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("event log dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create event log: %w", err)
	}
	hdr := append([]byte(eventLogMagic), id...)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(base))
	if _, err := f.Write(hdr); err != nil {
		f.Close()
		return nil, fmt.Errorf("write event log header: %w", err)
	}
	l := &EventLog{f: f, id: id, base: base, flushAt: eventLogFlush}
	l.flushed.Store(base)
	return l, nil
}

// OpenEventLog opens the log at path that a snapshot's index points into:
// the log named id, holding at least the records below end. Records from
// end on (written after the snapshot) are cut off, the model's replay
// writes them again. When the file is not that log, or is shorter, a new
// log starting at end is made instead; kept says which.
func OpenEventLog(path, id string, end int64) (l *EventLog, kept bool, err error) {
	if id != "" {
		if l, err := openEventLog(path, id, end); err == nil {
			return l, true, nil
		}
	}
	l, err = CreateEventLog(path, end)
	return l, false, err
}

func openEventLog(path, id string, end int64) (*EventLog, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	hdr := make([]byte, eventLogHdr)
	if _, err := io.ReadFull(f, hdr); err != nil {
		f.Close()
		return nil, err
	}
	base := int64(binary.LittleEndian.Uint64(hdr[eventLogHdr-8:]))
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	size := base + st.Size() - int64(eventLogHdr)
	if string(hdr[:len(eventLogMagic)]) != eventLogMagic || string(hdr[len(eventLogMagic):eventLogHdr-8]) != id || base < 1 || end < base || size < end {
		f.Close()
		return nil, errors.New("not the snapshot's event log")
	}
	if err := f.Truncate(int64(eventLogHdr) + end - base); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, err
	}
	l := &EventLog{f: f, id: id, base: base, flushAt: eventLogFlush}
	l.flushed.Store(end)
	return l, nil
}

// ID names the log; a snapshot records it with End.
func (l *EventLog) ID() string { return l.id }

// End is the logical offset the next record will have.
func (l *EventLog) End() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.flushed.Load() + int64(len(l.tail))
}

// appendEvent adds ev, the JSON of the event at place in the commit at
// seq, and returns its logical offset, or 0 when the log takes no more.
func (l *EventLog) appendEvent(seq uint64, place int, ev []byte) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken {
		return 0
	}
	off := l.flushed.Load() + int64(len(l.tail))
	l.tail = binary.AppendUvarint(l.tail, uint64(len(ev)))
	l.tail = append(l.tail, ev...)
	l.tail = binary.LittleEndian.AppendUint32(l.tail, recordSum(&l.sumKey, seq, place, ev))
	if len(l.tail) >= l.flushAt {
		l.flushLocked()
	}
	return off
}

// recordSum is a record's checksum; k is room for its key (sequence and
// place), which would escape to the heap if made here.
func recordSum(k *[binary.MaxVarintLen64 + 8]byte, seq uint64, place int, ev []byte) uint32 {
	binary.LittleEndian.PutUint64(k[:8], seq)
	n := binary.PutUvarint(k[8:], uint64(place))
	return crc32.Update(crc32.Checksum(k[:8+n], crc32c), crc32c, ev)
}

func (l *EventLog) flushLocked() {
	if len(l.tail) == 0 || l.broken {
		return
	}
	if _, err := l.f.Write(l.tail); err != nil {
		// What the file holds past flushed is never read; the records
		// in the tail stay readable from it.
		l.broken = true
		return
	}
	l.flushed.Add(int64(len(l.tail)))
	l.tail = l.tail[:0]
}

// Sync writes what the log holds to its file and syncs it, and returns the
// logical end it synced: a snapshot names only records below it.
func (l *EventLog) Sync() (int64, error) {
	l.mu.Lock()
	l.flushLocked()
	end, broken := l.flushed.Load(), l.broken
	l.mu.Unlock()
	if broken {
		return 0, errors.New("event log: a write failed")
	}
	if err := l.f.Sync(); err != nil {
		return 0, fmt.Errorf("sync event log: %w", err)
	}
	return end, nil
}

// Close closes the file.
func (l *EventLog) Close() error { return l.f.Close() }

// logReader reads records of one log for one query, through a window of the
// file read at once, so a user's events written close together cost one
// read.
type logReader struct {
	l      *EventLog
	win    []byte
	winOff int64
	sumKey [binary.MaxVarintLen64 + 8]byte
	arena  []byte // the events given
}

// eventLogWindow is the least the reader reads from the file at once.
const eventLogWindow = 4 << 10

// at returns n bytes at logical offset off, or false when the log does
// not hold them all.
func (r *logReader) at(off int64, n int) ([]byte, bool) {
	if off > math.MaxInt64-int64(n) {
		return nil, false
	}
	if off >= r.winOff && off+int64(n) <= r.winOff+int64(len(r.win)) {
		return r.win[off-r.winOff : off-r.winOff+int64(n)], true
	}
	l := r.l
	if off < l.base {
		return nil, false
	}
	if flushed := l.flushed.Load(); off+int64(n) <= flushed {
		size := min(max(int64(n), eventLogWindow), flushed-off)
		if cap(r.win) < int(size) {
			r.win = make([]byte, size)
		}
		r.win = r.win[:size]
		k, err := l.f.ReadAt(r.win, int64(eventLogHdr)+off-l.base)
		if k < n || (err != nil && !errors.Is(err, io.EOF)) {
			r.win = r.win[:0]
			return nil, false
		}
		r.win, r.winOff = r.win[:k], off
		return r.win[:n], true
	}
	l.mu.RLock()
	flushed := l.flushed.Load()
	inTail := off >= flushed && off+int64(n) <= flushed+int64(len(l.tail))
	if inTail {
		r.win = append(r.win[:0], l.tail[off-flushed:off-flushed+int64(n)]...)
		r.winOff = off
	}
	l.mu.RUnlock()
	switch {
	case inTail:
		return r.win, true
	case off+int64(n) <= flushed: // written to the file meanwhile
		return r.at(off, n)
	}
	return nil, false
}

// event returns the event recorded at h.Log, checked against the commit
// sequence and place the index gives, or false when the log does not hold
// it intact.
func (r *logReader) event(h Hit) ([]byte, bool) {
	if h.Log < 1 {
		return nil, false
	}
	// The length takes at most 3 bytes (maxSnapshotString).
	p, ok := r.at(h.Log, 1)
	for k := 1; ok && p[k-1]&0x80 != 0; k++ {
		if k == 3 {
			return nil, false
		}
		p, ok = r.at(h.Log, k+1)
	}
	if !ok {
		return nil, false
	}
	size, k := binary.Uvarint(p)
	if k <= 0 || size > maxSnapshotString {
		return nil, false
	}
	rec, ok := r.at(h.Log, k+int(size)+4)
	if !ok {
		return nil, false
	}
	ev := rec[k : k+int(size)]
	if binary.LittleEndian.Uint32(rec[k+int(size):]) != recordSum(&r.sumKey, h.Seq, h.Event, ev) {
		return nil, false
	}
	// Copied out of the window, which the next read reuses, into the
	// reader's arena: a page's events cost a few allocations, not one each.
	if cap(r.arena)-len(r.arena) < len(ev) {
		r.arena = make([]byte, 0, max(2*cap(r.arena), len(ev), eventLogWindow))
	}
	r.arena = append(r.arena, ev...)
	return r.arena[len(r.arena)-len(ev) : len(r.arena) : len(r.arena)], true
}

// Path is the log's file.
func (l *EventLog) Path() string { return l.f.Name() }
