// Package memory is an event store held in memory: the same promises as
// the JetStream store (eventstore.Store) for appends with an expected
// per-subject sequence, de-duplication by message ID, per-subject reads and
// in-order follows, without a server. Tests of the writer and the read
// models run on it; eventstore/storetest holds both stores to the same
// behaviour.
package memory

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/amity-im/amity/domain"
)

// Store is an in-memory stream. The zero value is not usable; call New.
type Store struct {
	mu      sync.Mutex
	recs    []domain.Record   // recs[i] has sequence i+1
	times   []time.Time       // times[i]: when recs[i] was stored
	last    map[string]uint64 // subject -> last sequence
	ids     map[string]uint64 // message ID -> sequence
	changed chan struct{}     // closed and replaced on every append
	// partitions records each app's partition count.
	partitions map[string]int
}

// New returns an empty store.
func New() *Store {
	return &Store{last: map[string]uint64{}, ids: map[string]uint64{}, changed: make(chan struct{}), partitions: map[string]int{}}
}

// Append stores data on subject if the subject's last sequence is still
// expect; a lost race wraps domain.ErrConflict. As on a JetStream server, the
// expected sequence is checked first: an append made again with a message ID
// that was stored loses the race to its own first copy, or, where it still
// expects the right sequence, is answered with the first copy's sequence.
func (s *Store) Append(ctx context.Context, subject string, expect uint64, msgID string, data []byte) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if last := s.last[subject]; last != expect {
		return 0, fmt.Errorf("append to %s at %d, last is %d: %w", subject, expect, last, domain.ErrConflict)
	}
	if seq, ok := s.ids[msgID]; ok && msgID != "" {
		return seq, nil
	}
	seq := uint64(len(s.recs)) + 1
	s.recs = append(s.recs, domain.Record{Subject: subject, Seq: seq, Data: append([]byte(nil), data...)})
	s.times = append(s.times, time.Now())
	s.last[subject] = seq
	if msgID != "" {
		s.ids[msgID] = seq
	}
	close(s.changed)
	s.changed = make(chan struct{})
	return seq, nil
}

// LastSubjectSeq returns the sequence of subject's last message, 0 if none.
func (s *Store) LastSubjectSeq(_ context.Context, subject string) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last[subject], nil
}

// SubjectSince returns the messages on subject after sequence after, in
// order.
func (s *Store) SubjectSince(ctx context.Context, subject string, after uint64) ([]domain.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.Record
	for _, r := range s.recs[min(after, uint64(len(s.recs))):] {
		if r.Subject == subject {
			out = append(out, r)
		}
	}
	return out, nil
}

// LastSeq returns the stream's last sequence.
func (s *Store) LastSeq(context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(len(s.recs)), nil
}

// Follow delivers every message from sequence from (1 if 0) in order to fn,
// then each new one, until ctx ends (nil) or fn fails (its error).
func (s *Store) Follow(ctx context.Context, from uint64, fn func(domain.Record) error) error {
	next := max(from, 1)
	for {
		s.mu.Lock()
		batch := append([]domain.Record(nil), s.recs[min(next-1, uint64(len(s.recs))):]...)
		changed := s.changed
		s.mu.Unlock()
		for _, r := range batch {
			if err := fn(r); err != nil {
				return err
			}
			next = r.Seq + 1
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}

// Scan passes the messages matching subjects (NATS filters: a token, * for
// any one token, > for the rest) with from <= sequence <= to to fn, in
// order.
func (s *Store) Scan(ctx context.Context, subjects []string, from, to uint64, fn func(domain.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	recs := s.recs[min(max(from, 1)-1, uint64(len(s.recs))):min(to, uint64(len(s.recs)))]
	s.mu.Unlock()
	for _, r := range recs {
		if !slices.ContainsFunc(subjects, func(f string) bool { return matches(f, r.Subject) }) {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// matches reports whether subject is one that the NATS filter takes.
func matches(filter, subject string) bool {
	f, s := strings.Split(filter, "."), strings.Split(subject, ".")
	for i, tok := range f {
		if tok == ">" {
			return len(s) > i
		}
		if i >= len(s) || tok != "*" && tok != s[i] {
			return false
		}
	}
	return len(f) == len(s)
}

// Partitions returns app's partition count (domain.ChoosePartitions),
// recording it on first use, as eventstore.Store.Partitions does.
func (s *Store) Partitions(_ context.Context, app string, want int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	recorded := s.partitions[app]
	legacy := recorded == 0 && slices.ContainsFunc(s.recs, func(r domain.Record) bool { return domain.SubjectHasApp(r.Subject, app) })
	n, err := domain.ChoosePartitions(app, want, recorded, legacy)
	if err == nil {
		s.partitions[app] = n
	}
	return n, err
}

// Records passes the messages at seqs (ascending) to fn, in that order, as
// eventstore.Store.Records does.
func (s *Store) Records(ctx context.Context, seqs []uint64, fn func(domain.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	recs := s.recs
	s.mu.Unlock()
	for _, seq := range seqs {
		if seq == 0 || seq > uint64(len(recs)) {
			continue
		}
		if err := fn(recs[seq-1]); err != nil {
			return err
		}
	}
	return nil
}

// SeqAt returns the sequence of the last message stored at or before t (0
// if none was).
func (s *Store) SeqAt(_ context.Context, t time.Time) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(sort.Search(len(s.times), func(i int) bool { return s.times[i].After(t) })), nil
}
