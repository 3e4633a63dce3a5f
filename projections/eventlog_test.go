package projections

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
)

// logScenario makes n commits (seqs from first on) of random relation
// events among five people, with a registration now and then, on two
// partitions, and records each relation event's encoding by its place.
func logScenario(rng *rand.Rand, first uint64, n int, want map[Hit][]byte) []seqCommit {
	people := []string{"a", "b", "c", "d", "e"}
	at := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	var out []seqCommit
	for seq := first; seq < first+uint64(n); seq++ {
		var evs []domain.Event
		for range 1 + rng.IntN(3) {
			x, y := people[rng.IntN(5)], people[rng.IntN(5)]
			ev := domain.Event{ID: fmt.Sprint("e", seq, "-", len(evs)), Version: domain.SchemaVersion, App: "demo",
				Time: at.Add(time.Duration(seq) * time.Millisecond), Surface: "zim", RequestID: fmt.Sprint("r", seq)}
			switch k := rng.IntN(5); {
			case x == y:
				ev.Type, ev.Data = domain.TypeUserRegistered, domain.UserRegistered{User: x}
			case k == 0:
				// Attributes: encoded by encoding/json, not by hand.
				ev.Type, ev.Data = domain.TypeFriendAdded, domain.FriendAdded{User: x, Friend: y,
					Entry: &domain.Entry{Alias: "<" + y + ">", Attributes: map[string]string{"k0": "v"}, CreateTime: int64(seq)}}
			case k == 1:
				ev.Type, ev.Data = domain.TypeFriendAdded, domain.FriendAdded{User: x, Friend: y,
					Entry: &domain.Entry{CreateTime: int64(seq)}, Reverse: &domain.Entry{CreateTime: int64(seq)}}
			case k == 2:
				ev.Type, ev.Data = domain.TypeFriendDeleted, domain.FriendDeleted{User: x, Friend: y, Both: true}
			case k == 3:
				ev.Type, ev.Data = domain.TypeUserBlocked, domain.UserBlocked{User: x, Target: y}
			default:
				ev.Type, ev.Data = domain.TypeRequestSent, domain.FriendRequestSent{User: x, Target: y,
					Entry: domain.Entry{Wording: "hi", CreateTime: int64(seq)}, ExpireTime: int64(seq) + 1000}
			}
			if x != y {
				b, err := domain.AppendEvent(nil, ev)
				if err != nil {
					panic(err)
				}
				want[Hit{Seq: seq, Event: len(evs)}] = b
			}
			evs = append(evs, ev)
		}
		out = append(out, seqCommit{fmt.Sprint("amity.demo.rel.", seq%2), seq, domain.Commit{ID: fmt.Sprint("c", seq), App: "demo", Events: evs}})
	}
	return out
}

type seqCommit struct {
	subject string
	seq     uint64
	c       domain.Commit
}

// applyAhead applies commits with partition 1 ahead of partition 0 by up
// to 20 commits, as an instance's own are, then all of them again in
// order, as the in-order read does.
func applyAhead(m *Model, commits []seqCommit) {
	for i := 0; i < len(commits); i += 40 {
		block := commits[i:min(len(commits), i+40)]
		for _, part := range []uint64{1, 0} {
			for _, c := range block {
				if c.seq%2 == part {
					m.Apply(c.subject, c.seq, c.c)
				}
			}
		}
	}
	for _, c := range commits {
		m.Apply(c.subject, c.seq, c.c)
	}
}

// fromLog returns what the model's log gives for every indexed event of
// every person, and how many indexed events it did not give.
func fromLog(m *Model) (map[Hit][]byte, int) {
	got, missing := map[Hit][]byte{}, 0
	for _, u := range []string{"a", "b", "c", "d", "e"} {
		hits := m.UserHistory("demo", u, 0, math.MaxUint64, 0)
		given := 0
		m.Events(hits, func(i int, ev []byte) {
			h := hits[i]
			got[Hit{Seq: h.Seq, Event: h.Event}] = ev
			given++
		})
		missing += len(hits) - given
	}
	return got, missing
}

// sameEvents reports the first difference between what the log gave and the
// events' own encodings.
func sameEvents(got, want map[Hit][]byte) error {
	for h, b := range got {
		if !bytes.Equal(b, want[h]) {
			return fmt.Errorf("event %v from the log\n%s\nwant\n%s", h, b, want[h])
		}
	}
	return nil
}

// loggedModel is a new model with a new event log at path, which writes its
// file every two kilobytes.
func loggedModel(t *testing.T, path string) (*Model, *EventLog) {
	t.Helper()
	l, err := CreateEventLog(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	l.flushAt = 2000
	m := NewModel()
	if err := m.SetEventLog(l); err != nil {
		t.Fatal(err)
	}
	return m, l
}

// TestEventLogHoldsEachIndexedEvent applies random commits, some ahead of
// others, to a model with an event log that writes its file every two
// kilobytes, while readers read it: every event the index names comes
// back from the log as domain.AppendEvent wrote it, from the file and from
// the part not yet written. A damaged record is not given (the caller reads
// the stream); a snapshot's log reopens with what came after it cut off;
// a lost log is replaced by one starting where the snapshot's ended.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestEventLogHoldsEachIndexedEvent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.log")
	m, l := loggedModel(t, path)
	want := map[Hit][]byte{}
	rng := rand.New(rand.NewPCG(5, 6))
	commits := logScenario(rng, 1, 300, want)
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if got, _ := fromLog(m); sameEvents(got, want) != nil {
					t.Error(sameEvents(got, want))
					return
				}
			}
		}()
	}
	applyAhead(m, commits)
	close(stop)
	readers.Wait()
	got, missing := fromLog(m)
	if err := sameEvents(got, want); err != nil || missing > 0 || len(got) != len(want) {
		t.Fatalf("%d of %d events from the log, %d not given; %v", len(got), len(want), missing, err)
	}
	if l.flushed.Load() <= l.base || len(l.tail) == 0 {
		t.Fatalf("the scenario should leave records in the file (to %d) and in the tail (%d bytes)", l.flushed.Load(), len(l.tail))
	}

	// A snapshot, then more commits: the log runs past the snapshot's end.
	snap := filepath.Join(dir, "model.snap")
	if _, err := m.WriteSnapshot(snap); err != nil {
		t.Fatal(err)
	}
	later := logScenario(rng, 301, 100, want)
	applyAhead(m, later)
	m2, err := LoadSnapshot(snap)
	if err != nil {
		t.Fatal(err)
	}
	id, end := m2.EventLogState()
	if id != l.ID() || end >= l.End() {
		t.Fatalf("the snapshot names log %s to %d; the log is %s to %d", id, end, l.ID(), l.End())
	}
	l2, kept, err := OpenEventLog(path, id, end)
	if err != nil || !kept || l2.End() != end {
		t.Fatalf("reopened: kept %v, end %d (want %d), %v", kept, l2.End(), end, err)
	}
	if err := m2.SetEventLog(l2); err != nil {
		t.Fatal(err)
	}
	applyAhead(m2, later)
	got, missing = fromLog(m2)
	if err := sameEvents(got, want); err != nil || missing > 0 || len(got) != len(want) {
		t.Fatalf("after reopening: %d of %d events from the log, %d not given; %v", len(got), len(want), missing, err)
	}

	// A damaged record is not given; the others are.
	if _, err := l2.Sync(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("#"), int64(eventLogHdr)+end/2); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got, missing = fromLog(m2)
	if err := sameEvents(got, want); err != nil || missing == 0 {
		t.Fatalf("a damaged byte: %d not given (want some); %v", missing, err)
	}

	// The log lost: a new one starts at the snapshot's end; what the index
	// named before it is not given, what comes after is.
	l2.Close()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	m3, err := LoadSnapshot(snap)
	if err != nil {
		t.Fatal(err)
	}
	l3, kept, err := OpenEventLog(path, id, end)
	if err != nil || kept || l3.base != end {
		t.Fatalf("a lost log: kept %v, base %d (want %d), %v", kept, l3.base, end, err)
	}
	if err := m3.SetEventLog(l3); err != nil {
		t.Fatal(err)
	}
	applyAhead(m3, later)
	got, missing = fromLog(m3)
	if err := sameEvents(got, want); err != nil {
		t.Fatal(err)
	}
	for h := range got {
		if h.Seq <= 300 {
			t.Fatalf("event %v, from before the log was lost, given", h)
		}
	}
	if len(got) == 0 || missing == 0 {
		t.Fatalf("%d events given, %d not", len(got), missing)
	}
	// A log that would give other records at the index's offsets is refused.
	other, err := CreateEventLog(filepath.Join(dir, "other.log"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := m3.SetEventLog(other); err == nil {
		t.Fatal("a new log from offset 1 accepted by a model whose index names offsets of another")
	}
	l3.Close()
}

// TestABrokenEventLog: a log whose file cannot be written (a full disk,
// here a closed file) takes no more events, the events it lacks are left
// to the stream, and a snapshot is still written (with an error saying the
// log is not on disk); a start from it begins a new log.
func TestABrokenEventLog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.log")
	m, l := loggedModel(t, path)
	want := map[Hit][]byte{}
	rng := rand.New(rand.NewPCG(7, 8))
	applyAhead(m, logScenario(rng, 1, 50, want))
	l.f.Close() // every write fails from now on
	applyAhead(m, logScenario(rng, 51, 50, want))
	given0, missed0 := m.EventLogReads()
	got, missing := fromLog(m)
	if err := sameEvents(got, want); err != nil || missing == 0 || len(got) == 0 {
		t.Fatalf("a broken log gave %d events and left %d; %v", len(got), missing, err)
	}
	// Each person's history is read: an event of a pair counts twice.
	if given, missed := m.EventLogReads(); given-given0 < uint64(len(got)) || missed-missed0 != uint64(missing) {
		t.Errorf("reads counted: %d given, %d missed; want %d or more and %d", given-given0, missed-missed0, len(got), missing)
	}
	snap := filepath.Join(dir, "model.snap")
	if _, err := m.WriteSnapshot(snap); err == nil || !strings.Contains(err.Error(), "event log is not on disk") {
		t.Fatalf("snapshot with a broken log: %v", err)
	}
	m2, err := LoadSnapshot(snap)
	if err != nil {
		t.Fatal(err)
	}
	id, end := m2.EventLogState()
	l2, kept, err := OpenEventLog(path, id, end)
	if err != nil || kept {
		t.Fatalf("reopened a log that lacks what the snapshot names: kept %v, %v", kept, err)
	}
	defer l2.Close()
	if err := m2.SetEventLog(l2); err != nil {
		t.Fatal(err)
	}
	if got, _ := fromLog(m2); sameEvents(got, want) != nil {
		t.Fatal(sameEvents(got, want))
	}
}

// TestReopeningTheEventLog: a log reopens at exactly the end a snapshot
// names, or past it (cut back to it), with a base above 1 or empty; a file
// one byte short of the end, or another log's, is replaced by a new log
// starting at the end.
func TestReopeningTheEventLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.log")
	l, err := CreateEventLog(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		l.appendEvent(uint64(i+1), 0, []byte(fmt.Sprint(`{"id":"e`, i, `"}`)))
	}
	end, err := l.Sync()
	if err != nil {
		t.Fatal(err)
	}
	id := l.ID()
	l.appendEvent(11, 0, []byte(`{"id":"after the snapshot"}`))
	if _, err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	l.Close()
	sizeIs := func(what string, base, end int64) {
		t.Helper()
		st, err := os.Stat(path)
		if err != nil || st.Size() != int64(eventLogHdr)+end-base {
			t.Fatalf("%s: file of %v bytes, want %d", what, st.Size(), int64(eventLogHdr)+end-base)
		}
	}
	for _, what := range []string{"past the end", "at the end"} {
		l, kept, err := OpenEventLog(path, id, end)
		if err != nil || !kept || l.End() != end {
			t.Fatalf("%s: kept %v, end %d, want %d; %v", what, kept, l.End(), end, err)
		}
		sizeIs(what, 1, end)
		r := logReader{l: l}
		if ev, ok := r.event(Hit{Seq: 1, Log: 1}); !ok || string(ev) != `{"id":"e0"}` {
			t.Fatalf("%s: the first record reads %q, %v", what, ev, ok)
		}
		l.Close()
	}
	// One byte short of the end: a new, empty log from the end.
	if err := os.Truncate(path, int64(eventLogHdr)+end-1-1); err != nil {
		t.Fatal(err)
	}
	l, kept, err := OpenEventLog(path, id, end)
	if err != nil || kept || l.base != end || l.End() != end {
		t.Fatalf("a file one byte short: kept %v, base %d, end %d; %v", kept, l.base, l.End(), err)
	}
	l.appendEvent(20, 1, []byte(`{"id":"new"}`))
	end2, err := l.Sync()
	if err != nil {
		t.Fatal(err)
	}
	id2 := l.ID()
	l.Close()
	for _, e := range []int64{end2, end} { // one record, then none, from a base above 1
		l, kept, err := OpenEventLog(path, id2, e)
		if err != nil || !kept || l.End() != e {
			t.Fatalf("reopened to %d from base %d: kept %v, end %d; %v", e, end, kept, l.End(), err)
		}
		sizeIs("from a base above 1", end, e)
		l.Close()
	}
	l, kept, err = OpenEventLog(path, "another", end)
	if err != nil || kept {
		t.Fatalf("another log's file: kept %v; %v", kept, err)
	}
	l.Close()
}

// FuzzEventLogReadsAnyBytes reads a record at any offset of a log holding
// any bytes, half written to its file and half in its tail: a read never
// fails otherwise than by not giving the event, and what it gives is a
// record whose checksum holds for the sequence and place asked for.
func FuzzEventLogReadsAnyBytes(f *testing.F) {
	rec := binary.AppendUvarint(nil, 11)
	rec = append(rec, `{"id":"e0"}`...)
	var k [binary.MaxVarintLen64 + 8]byte
	rec = binary.LittleEndian.AppendUint32(rec, recordSum(&k, 7, 2, []byte(`{"id":"e0"}`)))
	f.Add(rec, int64(1), uint64(7), 2)
	f.Add(append(rec, rec...), int64(1+len(rec)), uint64(7), 2)
	f.Add([]byte{0xff, 0xff, 0xff, 0x7f}, int64(1), uint64(0), 0)
	f.Add(rec, int64(math.MaxInt64), uint64(7), 2)
	f.Fuzz(func(t *testing.T, body []byte, off int64, seq uint64, place int) {
		l, err := CreateEventLog(filepath.Join(t.TempDir(), "events.log"), 1)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		half := len(body) / 2
		if _, err := l.f.Write(body[:half]); err != nil {
			t.Fatal(err)
		}
		l.flushed.Store(1 + int64(half))
		l.tail = append(l.tail, body[half:]...)
		r := logReader{l: l}
		ev, ok := r.event(Hit{Seq: seq, Event: place, Log: off})
		if !ok {
			return
		}
		if len(ev) > len(body) || !bytes.Contains(body, ev) {
			t.Fatalf("gave %q, not in the log's bytes", ev)
		}
	})
}
