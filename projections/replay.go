package projections

import (
	"context"
	"errors"
	"fmt"

	"github.com/amity-im/amity/domain"
)

// Progress reports a replay's position: the stream sequence reached, the
// last sequence it goes to, and the events applied so far.
type Progress func(seq, last, events uint64)

// Replay builds a fresh model from src: every commit from sequence 1 to last
// or, when limits is set, only the commits within limits[subject] (the
// per-partition positions of another model, to compare with it).
func Replay(ctx context.Context, src Source, last uint64, limits map[string]uint64, progress Progress) (*Model, uint64, error) {
	m := NewModel()
	if last == 0 {
		return m, 0, nil
	}
	var events uint64
	err := src.Follow(ctx, 1, func(r domain.Record) error {
		if r.Seq > last {
			return errReplayDone
		}
		if limit, ok := limits[r.Subject]; limits == nil || (ok && r.Seq <= limit) {
			n, err := m.applyCounted(r)
			if err != nil {
				return err
			}
			events += n
		}
		if progress != nil {
			progress(r.Seq, last, events)
		}
		if r.Seq == last {
			return errReplayDone
		}
		return nil
	})
	if err != nil && !errors.Is(err, errReplayDone) {
		return nil, 0, fmt.Errorf("replay: %w", err)
	}
	return m, events, nil
}

var errReplayDone = errors.New("replay done")
