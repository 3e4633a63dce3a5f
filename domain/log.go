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

// State is what the Writer needs of the local read model: a View of an
// app to decide a commit against, the per-partition position, and applying
// a commit it has just stored.
type State interface {
	// Decide runs fn with a View of app's state for commit, whose slot
	// reservations are taken for commit. The state stays locked for fn, so
	// a decision takes its lock once, not per read.
	Decide(app *App, commit string, fn func(View))
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
