package eventstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/nats-io/nats.go/jetstream"
)

// recordsInFlight bounds the direct gets Records has under way at once.
const recordsInFlight = 16

// Records passes the messages at seqs (ascending) to fn, in that order, and
// stops at fn's first error. It reads them with direct gets, several under
// way at once, so reading many of a user's commits costs about one round
// trip per recordsInFlight of them. A sequence with no message (deleted)
// is passed over.
func (s *Store) Records(ctx context.Context, seqs []uint64, fn func(domain.Record) error) error {
	type got struct {
		rec domain.Record
		err error
		ok  bool
	}
	out := make([]got, len(seqs))
	for start := 0; start < len(seqs); start += recordsInFlight {
		part := seqs[start:min(len(seqs), start+recordsInFlight)]
		var wg sync.WaitGroup
		for i, seq := range part {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, err := s.stream.GetMsg(ctx, seq)
				switch {
				case errors.Is(err, jetstream.ErrMsgNotFound):
				case err != nil:
					out[start+i].err = fmt.Errorf("read %d: %w", seq, err)
				default:
					out[start+i] = got{rec: domain.Record{Subject: m.Subject, Seq: m.Sequence, Data: m.Data}, ok: true}
				}
			}()
		}
		wg.Wait()
		for _, g := range out[start : start+len(part)] {
			if g.err != nil {
				return g.err
			}
			if g.ok {
				if err := fn(g.rec); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// SeqAt returns the sequence of the last message stored at or before t (0
// if none was).
func (s *Store) SeqAt(ctx context.Context, t time.Time) (uint64, error) {
	after := t.Add(time.Nanosecond).UTC()
	req, err := json.Marshal(map[string]any{"start_time": after})
	if err != nil {
		return 0, err
	}
	m, err := s.js.Conn().RequestWithContext(ctx, "$JS.API.DIRECT.GET."+s.stream.CachedInfo().Config.Name, req)
	if err != nil {
		return 0, fmt.Errorf("first message after %s: %w", t.Format(time.RFC3339Nano), err)
	}
	if m.Header.Get("Status") == "404" {
		return s.LastSeq(ctx) // nothing after t
	}
	if st := m.Header.Get("Status"); st != "" {
		return 0, fmt.Errorf("first message after %s: status %s %s", t.Format(time.RFC3339Nano), st, m.Header.Get("Description"))
	}
	seq, err := strconv.ParseUint(m.Header.Get(jetstream.SequenceHeader), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("first message after %s: sequence %q", t.Format(time.RFC3339Nano), m.Header.Get(jetstream.SequenceHeader))
	}
	return seq - 1, nil
}
