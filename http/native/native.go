// Package native serves Amity's own JSON API under /v1/: what only an
// event-sourced friend graph can answer — the history of a pair, a friend
// list as of a past time or stream sequence, and the changes to a user's
// list since a sequence (incremental sync for clients).
//
// Calls are authenticated with the app's credentials of either surface:
// ZIM's signature parameters (AppId, SignatureNonce, Timestamp,
// SignatureVersion, Signature) or Tencent's (sdkappid, identifier, usersig,
// random, contenttype). History answers read the events the read model's
// index names from its event log (their commits on the stream where the
// log lacks them), so they cost time in proportion to what they cover. The
// request routes list a user's friend requests and answer them: what the
// vendors leave to their client SDKs.
package native

import (
	"context"
	"net/http"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// History reads the stream's messages by sequence.
type History interface {
	// Records passes the messages at seqs (ascending) to fn, in order.
	Records(ctx context.Context, seqs []uint64, fn func(domain.Record) error) error
	// SeqAt is the sequence of the last message stored at or before t.
	SeqAt(ctx context.Context, t time.Time) (uint64, error)
}

// Index is the read model's history index (projections.Model): which
// events name a user, and how far the model has read the stream.
type Index interface {
	// UserHistory: the events naming user in the commits from..to, in
	// stream order: all (limit 0), or those of the first commits holding
	// limit events or more, and the first event after them.
	UserHistory(app, user string, from, to uint64, limit int) []domain.EventRef
	// PairHistory: the events naming both a and b, in stream order.
	PairHistory(app, a, b string) []domain.EventRef
	// Events passes to fn the events of refs the model's event log holds,
	// each as its commit holds it, with its place in refs.
	Events(refs []domain.EventRef, fn func(i int, ev []byte))
	// FriendsNow: user's list now and the position it is of, when the
	// model has read in order every commit it applied (ok).
	FriendsNow(app, user string) ([]domain.Friend, uint64, bool)
	// Seq is the highest sequence applied; Followed the in-order read's
	// position, at or below which every commit is applied.
	Seq() uint64
	Followed() uint64
	WaitFollowed(ctx context.Context, seq uint64) error
}

// Authenticator returns the app a request's credentials belong to.
type Authenticator interface {
	Authenticate(q amityhttp.Params, now time.Time) (*domain.App, error)
}

// Config holds the API's dependencies.
type Config struct {
	Now     func() time.Time
	History History
	Index   Index
	// Writer runs the request routes' commands; Requests lists requests.
	Writer   amityhttp.Executor
	Requests Requests
	NewID    func() string
	// Observe, when set, is told of every call answered.
	Observe func(amityhttp.Observation)
	// ZIM and Tencent authenticate requests carrying their parameters,
	// Yunxin those carrying its CheckSum headers.
	ZIM, Tencent Authenticator
	Yunxin       HeaderAuthenticator
}

// HeaderAuthenticator returns the app a request's credential headers
// belong to.
type HeaderAuthenticator interface {
	Authenticate(h http.Header, now time.Time) (*domain.App, error)
}

// MaxChanges bounds one page of /v1/changes.
const MaxChanges = 1000

type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(msg string) error { return &apiError{http.StatusBadRequest, "bad_request", msg} }
