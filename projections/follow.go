package projections

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/amity-im/amity/domain"
)

// Source is the stream, read in order.
type Source interface {
	Follow(ctx context.Context, from uint64, fn func(domain.Record) error) error
	LastSeq(ctx context.Context) (uint64, error)
}

// Follow applies every commit of src to m from sequence from on, until ctx
// ends. A message that is not a commit the model can apply
// (domain.ErrBadRecord) is logged with its sequence, counted and skipped,
// as every replay skips it.
func Follow(ctx context.Context, src Source, m *Model, from uint64, logger *slog.Logger) error {
	err := readDecoded(ctx, src, from, nil, func(r domain.Record, c domain.Commit, err error) error {
		if m.applyFollowed(r, c, err) {
			logger.Error("bad message skipped", "seq", r.Seq, "subject", r.Subject, "err", err)
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("follow stream: %w", err)
	}
	return nil
}

// CatchUp waits until m's in-order read has passed every commit the stream
// held when it was called.
func CatchUp(ctx context.Context, src Source, m *Model) error {
	last, err := src.LastSeq(ctx)
	if err != nil {
		return err
	}
	if err := m.WaitFollowed(ctx, last); err != nil {
		return fmt.Errorf("catch up to %d: %w", last, err)
	}
	return nil
}
