package http

import (
	"context"
	"errors"
	"math"

	"github.com/amity-im/amity/domain"
)

// The behaviours every surface shares, whatever its vendor's wire: a batch
// whose items fail one by one, deleting a whole friend list, and paging.

// Batch gathers the commands of a batch call's items that passed the
// surface's own checks, each with its item (an ID, a position).
type Batch[K any] struct {
	cmds  []domain.Command
	items []K
}

// Add queues cmd for item.
func (b *Batch[K]) Add(item K, cmd domain.Command) {
	b.cmds = append(b.cmds, cmd)
	b.items = append(b.items, item)
}

// RunBatch runs b's commands in one call, so that they land in one commit
// where they can, and calls fail with the item of each that failed, in the
// order they were added. Items whose commands failed are the batch's
// partial failure, which each surface answers in its vendor's shape.
func RunBatch[A, K any](ctx context.Context, c *Call[A], b *Batch[K], fail func(item K, err error)) {
	RunBatchEach(ctx, c, b, func(item K, r domain.Result) {
		if r.Err != nil {
			fail(item, r.Err)
		}
	})
}

// RunBatchEach is RunBatch for a surface that answers successes apart too
// (Tencent's friend_add tells a request left waiting): each is called with
// every command's item and result.
func RunBatchEach[A, K any](ctx context.Context, c *Call[A], b *Batch[K], each func(item K, r domain.Result)) {
	for i, r := range c.Execute(ctx, b.cmds) {
		each(b.items[i], r)
	}
}

// DeleteAllFriends deletes every friend of user in one call (both ways
// with both); a friend removed by someone else meanwhile is no failure. It
// returns the first other refusal.
func DeleteAllFriends[A any](ctx context.Context, c *Call[A], read domain.ReadModel, user string, both bool) error {
	friends, _ := read.Friends(c.app.Name, user, 0, math.MaxInt)
	cmds := make([]domain.Command, len(friends))
	for i, f := range friends {
		cmds[i] = domain.DeleteFriend{User: user, Friend: f.ID, Both: both}
	}
	for _, r := range c.Execute(ctx, cmds) {
		if r.Err != nil && !errors.Is(r.Err, domain.ErrNotFriend) {
			return r.Err
		}
	}
	return nil
}

// NextPage is where the page after one of got items from offset starts,
// of total, and whether there is one.
func NextPage(offset, got, total int) (next int, more bool) {
	next = offset + got
	return next, next < total
}
