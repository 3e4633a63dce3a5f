// Package storetest holds every event store to the same behaviour: the
// JetStream store and the in-memory one run Run in their own tests.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
)

// Store is what a conforming event store offers: domain.Log, and the
// in-order reads the projections use.
type Store interface {
	domain.Log
	LastSubjectSeq(ctx context.Context, subject string) (uint64, error)
	LastSeq(ctx context.Context) (uint64, error)
	Follow(ctx context.Context, from uint64, fn func(domain.Record) error) error
	Scan(ctx context.Context, subjects []string, from, to uint64, fn func(domain.Record) error) error
	Partitions(ctx context.Context, app string, want int) (int, error)
	Records(ctx context.Context, seqs []uint64, fn func(domain.Record) error) error
	SeqAt(ctx context.Context, t time.Time) (uint64, error)
}

// Run runs the conformance suite against stores made by open, a new empty
// one for each case.
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Run("append expects the subject's last sequence", func(t *testing.T) { appendExpects(t, open(t)) })
	t.Run("a retried append is stored once", func(t *testing.T) { retriedOnce(t, open(t)) })
	t.Run("subject since reads one subject in order", func(t *testing.T) { subjectSince(t, open(t)) })
	t.Run("follow delivers in order, then live", func(t *testing.T) { follow(t, open(t)) })
	t.Run("scan reads the subjects a filter takes, within bounds", func(t *testing.T) { scan(t, open(t)) })
	t.Run("an app's partition count is recorded once and kept", func(t *testing.T) { partitions(t, open(t)) })
	t.Run("records by sequence, and the sequence at a time", func(t *testing.T) { records(t, open(t)) })
}

func records(t *testing.T, s Store) {
	c := ctx(t)
	if seq, err := s.SeqAt(c, time.Now()); err != nil || seq != 0 {
		t.Errorf("SeqAt(now) on an empty stream = %d, %v", seq, err)
	}
	var last uint64
	var marks []time.Time
	for i := range 40 {
		subject := fmt.Sprint("amity.demo.rel.", i%3)
		prev, err := s.LastSubjectSeq(c, subject)
		if err != nil {
			t.Fatal(err)
		}
		seq, err := s.Append(c, subject, prev, fmt.Sprint("m", i), []byte(fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		last = seq
		if i%10 == 9 {
			time.Sleep(5 * time.Millisecond)
			marks = append(marks, time.Now())
			time.Sleep(5 * time.Millisecond)
		}
	}
	want := []uint64{1, 2, 7, 20, 21, 39, 40}
	var got []uint64
	if err := s.Records(c, append(want, 99), func(r domain.Record) error {
		if string(r.Data) != fmt.Sprint(r.Seq-1) {
			t.Errorf("record %d holds %s", r.Seq, r.Data)
		}
		got = append(got, r.Seq)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Records = %v, want %v (99 does not exist)", got, want)
	}
	for i, at := range marks {
		if seq, err := s.SeqAt(c, at); err != nil || seq != uint64(10*(i+1)) {
			t.Errorf("SeqAt(after message %d) = %d, %v", 10*(i+1), seq, err)
		}
	}
	if seq, err := s.SeqAt(c, time.Now().Add(time.Hour)); err != nil || seq != last {
		t.Errorf("SeqAt(later than all) = %d, %v, want %d", seq, err, last)
	}
	if seq, err := s.SeqAt(c, time.Now().Add(-time.Hour)); err != nil || seq != 0 {
		t.Errorf("SeqAt(before all) = %d, %v, want 0", seq, err)
	}
}

func partitions(t *testing.T, s Store) {
	c := ctx(t)
	// A new app: the default, or what the configuration gives, recorded.
	if n, err := s.Partitions(c, "fresh", 0); err != nil || n != domain.DefaultPartitions {
		t.Errorf("Partitions(fresh, 0) = %d, %v, want %d", n, err, domain.DefaultPartitions)
	}
	if n, err := s.Partitions(c, "wide", 8); err != nil || n != 8 {
		t.Errorf("Partitions(wide, 8) = %d, %v, want 8", n, err)
	}
	// Recorded counts stand: asked again with any count, the record wins
	// or the ask is refused.
	if n, err := s.Partitions(c, "wide", 0); err != nil || n != 8 {
		t.Errorf("Partitions(wide, 0) again = %d, %v, want the recorded 8", n, err)
	}
	if _, err := s.Partitions(c, "wide", 4); err == nil {
		t.Error("Partitions(wide, 4) after 8 was recorded: no error")
	}
	// Commits later on the stream change nothing recorded.
	if _, err := s.Append(c, "amity.fresh.rel.0", 0, "f1", []byte(`x`)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Partitions(c, "fresh", 0); err != nil || n != domain.DefaultPartitions {
		t.Errorf("Partitions(fresh) after a commit = %d, %v, want %d", n, err, domain.DefaultPartitions)
	}
	// An app whose commits predate the record has the legacy count.
	if _, err := s.Append(c, "amity.old.user.17", 0, "o1", []byte(`x`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Partitions(c, "old", 1); err == nil {
		t.Error("Partitions(old, 1) with commits written over the legacy count: no error")
	}
	if n, err := s.Partitions(c, "old", 0); err != nil || n != domain.LegacyPartitions {
		t.Errorf("Partitions(old, 0) = %d, %v, want %d", n, err, domain.LegacyPartitions)
	}
	// An app whose name is a prefix of another's is an app of its own.
	if n, err := s.Partitions(c, "ol", 0); err != nil || n != domain.DefaultPartitions {
		t.Errorf("Partitions(ol, 0) = %d, %v, want %d", n, err, domain.DefaultPartitions)
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func appendExpects(t *testing.T, s Store) {
	c := ctx(t)
	subj, other := "amity.demo.rel.1", "amity.demo.rel.2"
	seq1, err := s.Append(c, subj, 0, "c1", []byte(`1`))
	if err != nil {
		t.Fatalf("Append(expect 0) error = %v", err)
	}
	if _, err := s.Append(c, other, 0, "c2", []byte(`2`)); err != nil {
		t.Fatalf("Append on another subject error = %v", err)
	}
	if _, err := s.Append(c, subj, 0, "c3", []byte(`3`)); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("Append(stale expect 0) error = %v, want domain.ErrConflict", err)
	}
	seq4, err := s.Append(c, subj, seq1, "c4", []byte(`4`))
	if err != nil {
		t.Fatalf("Append(expect %d) error = %v", seq1, err)
	}
	if last, err := s.LastSubjectSeq(c, subj); err != nil || last != seq4 {
		t.Errorf("LastSubjectSeq = %d, %v, want %d", last, err, seq4)
	}
	if last, err := s.LastSubjectSeq(c, "amity.demo.rel.9"); err != nil || last != 0 {
		t.Errorf("LastSubjectSeq(empty subject) = %d, %v, want 0", last, err)
	}
	if last, err := s.LastSeq(c); err != nil || last != 3 {
		t.Errorf("LastSeq = %d, %v, want 3: a refused append stores nothing", last, err)
	}
}

func retriedOnce(t *testing.T, s Store) {
	c := ctx(t)
	subj := "amity.demo.rel.1"
	first, err := s.Append(c, subj, 0, "same", []byte(`x`))
	if err != nil {
		t.Fatal(err)
	}
	// The retry still expects 0: it loses the race to its own first copy,
	// or is answered with the first copy's sequence. Either way one copy.
	again, err := s.Append(c, subj, 0, "same", []byte(`x`))
	if err == nil && again != first {
		t.Errorf("retry stored at %d, first at %d", again, first)
	}
	if err != nil && !errors.Is(err, domain.ErrConflict) {
		t.Errorf("retry error = %v, want none or domain.ErrConflict", err)
	}
	if last, _ := s.LastSeq(c); last != first {
		t.Errorf("LastSeq = %d after a retried append, want %d", last, first)
	}
}

func subjectSince(t *testing.T, s Store) {
	c := ctx(t)
	var want []uint64
	for i := range 6 {
		subj := fmt.Sprintf("amity.demo.rel.%d", i%2)
		last, _ := s.LastSubjectSeq(c, subj)
		seq, err := s.Append(c, subj, last, fmt.Sprint("m", i), []byte(fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 && seq > 1 {
			want = append(want, seq)
		}
	}
	got, err := s.SubjectSince(c, "amity.demo.rel.0", 1)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for _, r := range got {
		if r.Subject != "amity.demo.rel.0" {
			t.Errorf("SubjectSince returned %s", r.Subject)
		}
		seqs = append(seqs, r.Seq)
	}
	if fmt.Sprint(seqs) != fmt.Sprint(want) {
		t.Errorf("SubjectSince(rel.0, after 1) = %v, want %v", seqs, want)
	}
}

func follow(t *testing.T, s Store) {
	c, cancel := context.WithCancel(ctx(t))
	defer cancel()
	for i := range 5 {
		subj := fmt.Sprintf("amity.demo.user.%d", i%2)
		last, _ := s.LastSubjectSeq(c, subj)
		if _, err := s.Append(c, subj, last, fmt.Sprint("m", i), []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	got := make(chan domain.Record, 16)
	go func() { _ = s.Follow(c, 2, func(r domain.Record) error { got <- r; return nil }) }()
	for want := uint64(2); want <= 6; want++ {
		if want == 6 {
			if _, err := s.Append(c, "amity.demo.user.9", 0, "live", []byte("5")); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case r := <-got:
			if r.Seq != want || string(r.Data) != fmt.Sprint(want-1) {
				t.Fatalf("Follow delivered seq %d %q, want seq %d %q", r.Seq, r.Data, want, fmt.Sprint(want-1))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Follow delivered nothing for seq %d", want)
		}
	}
}

func scan(t *testing.T, s Store) {
	c := ctx(t)
	for i, subj := range []string{"amity.a.rel.0", "amity.a.user.1", "amity.b.rel.0", "amity.a.rel.2", "amity.a.rel.0"} {
		last, _ := s.LastSubjectSeq(c, subj)
		if _, err := s.Append(c, subj, last, fmt.Sprint("s", i), []byte(subj)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		filters  []string
		from, to uint64
		want     string
	}{
		{[]string{"amity.a.rel.*"}, 1, 5, "[1 4 5]"},
		{[]string{"amity.a.>"}, 1, 5, "[1 2 4 5]"},
		{[]string{"amity.*.rel.0"}, 2, 4, "[3]"},
		{[]string{"amity.a.rel.*", "amity.b.>"}, 0, 4, "[1 3 4]"},
		{[]string{"amity.a.rel.*"}, 6, 9, "[]"},
		{[]string{"amity.a"}, 1, 5, "[]"},
	} {
		var got []uint64
		err := s.Scan(c, tc.filters, tc.from, tc.to, func(r domain.Record) error { got = append(got, r.Seq); return nil })
		if err != nil || fmt.Sprint(got) != tc.want {
			t.Errorf("Scan(%v, %d, %d) = %v, %v; want %s", tc.filters, tc.from, tc.to, got, err, tc.want)
		}
	}
}
