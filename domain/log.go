package domain

import (
	"context"
	"errors"
)

// Log is the append side of the event stream.
type Log interface {
	// Append stores data on subject if the subject's last sequence is still
	// expect, and returns the new sequence. A lost race returns an error
	// wrapping ErrConflict. msgID de-duplicates retried appends.
	Append(ctx context.Context, subject string, expect uint64, msgID string, data []byte) (uint64, error)
	// SubjectSince returns the messages on subject after sequence after.
	SubjectSince(ctx context.Context, subject string, after uint64) ([]Record, error)
}

// BatchLog is a Log that can also store the commits of several subjects as
// one atomic batch, which the store syncs to disk once.
type BatchLog interface {
	Log
	// AppendBatch stores every append, in order at consecutive sequences,
	// or none; it returns their sequences. A lost race on any subject
	// returns an error wrapping ErrConflict; a store that cannot take
	// batches returns ErrBatchUnsupported.
	AppendBatch(ctx context.Context, appends []Append) ([]uint64, error)
}

// Append is one commit of a batch.
type Append struct {
	Subject string
	Expect  uint64
	MsgID   string
	Data    []byte
}

// ErrBatchUnsupported: the store takes appends one at a time only.
var ErrBatchUnsupported = errors.New("atomic batches unsupported")

// Decider is what a commit is decided against: reads of the local read
// model and friend-list slot reservations.
type Decider interface {
	Entry(app, owner, friend string) (Entry, bool)
	Registered(app, user string) bool
	// Reserve takes a slot in user's list for commit while the user's
	// friends plus reserved slots stay under max.
	Reserve(app, user, commit string, max int) bool
	Unreserve(app, user, commit string)
	HasGroup(app, user, name string) bool
	Blocked(app, user, target string) (blocked, wasBlocked bool)
	// ReserveBlock takes a slot in user's blocklist for commit while the
	// blocklist plus reserved slots stay under max.
	ReserveBlock(app, user, commit string, max int) bool
	// ReserveGroups makes room for commit's groups in names that user does
	// not have, while the user's groups plus reserved names stay within max.
	ReserveGroups(app, user, commit string, names []string, max int) bool
}

// State is what the Writer needs of the local read model: reads to decide
// against, the per-partition position, slot reservations, and applying a
// commit it has just stored.
type State interface {
	Decider
	// PartitionSeq is the sequence of the last commit applied on subject.
	PartitionSeq(subject string) uint64
	// Release drops every slot still reserved for commit.
	Release(commit string)
	// Apply applies a stored commit, once: a commit at or below the
	// subject's applied sequence is skipped. It releases the commit's slots.
	Apply(subject string, seq uint64, c Commit)
	// Skip passes over a stored message that is not a commit (reason wraps
	// ErrBadRecord): the subject's position moves past it.
	Skip(subject string, seq uint64, reason error)
}

// ExclusiveState is a State that can hold its lock over a whole decision:
// fn's Decider reads and reserves without taking it again. Partitions
// deciding at once then take the lock once per commit, not per read.
type ExclusiveState interface {
	State
	Exclusive(fn func(Decider))
}

// Meta describes the request that caused a command.
type Meta struct {
	RequestID string
	Surface   string
}

// Result is the outcome of one command: the stream sequence and event that
// record it, or the error that refused it.
type Result struct {
	Seq   uint64
	Event *Event
	Err   error
}
