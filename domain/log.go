package domain

import (
	"context"
	"errors"
)

// ErrNotHolder answers a call sent to an instance that does not hold the
// app's write lease.
var ErrNotHolder = errors.New("not the app's writer")

// Log is the append side of the event stream.
type Log interface {
	// Append stores data on subject if the subject's last sequence is still
	// expect, and returns the new sequence. A lost race returns an error
	// wrapping ErrConflict. msgID de-duplicates retried appends.
	Append(ctx context.Context, subject string, expect uint64, msgID string, data []byte) (uint64, error)
	// SubjectSince returns the messages on subject after sequence after.
	SubjectSince(ctx context.Context, subject string, after uint64) ([]Record, error)
}

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

// EventRef names one stored event: the stream sequence of its commit and
// its place among the commit's events, and where a read model's event log
// holds a copy of it (Log, 0 when none does).
type EventRef struct {
	Seq   uint64
	Event int
	Log   int64
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

// FailAll is the results of n commands all refused with err.
func FailAll(n int, err error) []Result {
	out := make([]Result, n)
	for i := range out {
		out[i].Err = err
	}
	return out
}
