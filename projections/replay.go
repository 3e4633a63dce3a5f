package projections

import (
	"context"
	"fmt"

	"github.com/amity-im/amity/domain"
)

// Progress reports a replay's position: the stream sequence reached, the
// last sequence it goes to, and the events applied so far.
type Progress func(seq, last, events uint64)

// Replay builds a fresh model from src: every commit from sequence 1 to last
// or, when limits is set, only the commits within limits[subject] (the
// per-partition positions of another model, to compare with it). A message
// that is not a commit is skipped as Follow skips it, and listed by the
// model's Skips.
func Replay(ctx context.Context, src Source, last uint64, limits map[string]uint64, progress Progress) (*Model, uint64, error) {
	return ReplayInto(ctx, NewModel(), src, last, limits, progress)
}

// ReplayInto is Replay into m, a new model given an event log, say.
func ReplayInto(ctx context.Context, m *Model, src Source, last uint64, limits map[string]uint64, progress Progress) (*Model, uint64, error) {
	if last == 0 {
		return m, 0, nil
	}
	var events uint64
	err := readDecoded(ctx, src, 1, func(r domain.Record) bool { return r.Seq >= last }, func(r domain.Record, c domain.Commit, err error) error {
		if r.Seq > last {
			return nil
		}
		if limit, ok := limits[r.Subject]; limits == nil || (ok && r.Seq <= limit) {
			m.applyFollowed(r, c, err)
			if err == nil {
				events += uint64(len(c.Events))
			}
		}
		if progress != nil {
			progress(r.Seq, last, events)
		}
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("replay: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("replay: %w", err)
	}
	return m, events, nil
}
