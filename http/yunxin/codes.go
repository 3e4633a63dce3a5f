package yunxin

import (
	"errors"

	"github.com/amity-im/amity/domain"
)

// Yunxin status codes (its server status table).
const (
	codeOK        = 200
	codeForbidden = 403
	codeNotFound  = 404
	codeTooLong   = 405
	codeParam     = 414
	codeFrequency = 416
	codeRepeat    = 417
	codeOverLimit = 419
	codeRepeated  = 431
	codeServer    = 500
	codeBusy      = 503
)

// domainCodes is the one table from domain errors to Yunxin codes; the
// first entry that errors.Is matches wins, so specific errors precede
// their kinds. A repeated add, block or mute is no error on Yunxin: the
// handlers answer those 200 before they reach this table.
var domainCodes = []struct {
	err  error
	code int
}{
	{domain.ErrSelf, codeParam},
	{domain.ErrUserNotRegistered, codeParam},
	{domain.ErrTargetNotRegistered, codeParam},
	{domain.ErrNotFriend, codeNotFound},
	{domain.ErrRequestNotFound, codeNotFound},
	{domain.ErrRequestNotWaiting, codeNotFound},
	{domain.ErrFriendLimit, codeOverLimit},
	{domain.ErrPeerFriendLimit, codeOverLimit},
	{domain.ErrBlockLimit, codeOverLimit},
	{domain.ErrMuteLimit, codeOverLimit},
	{domain.ErrRequestLimit, codeOverLimit},
	{domain.ErrGroupLimit, codeOverLimit},
	{domain.ErrAttributesTooLarge, codeTooLong},
	{domain.ErrYouBlocked, codeForbidden},
	{domain.ErrBlockedByTarget, codeForbidden},
	{domain.ErrAddDenied, codeForbidden},
	{domain.ErrInvalid, codeParam},
	{domain.ErrNotFound, codeNotFound},
	{domain.ErrExists, codeRepeat},
	{domain.ErrLimit, codeOverLimit},
	{domain.ErrForbidden, codeForbidden},
}

// Error is a failure answered with a Yunxin code.
type Error struct {
	Code int
	Desc string
}

func (e *Error) Error() string { return e.Desc }

func apiErr(code int, desc string) *Error { return &Error{Code: code, Desc: desc} }

// codeOf returns the Yunxin code and text for err: 500 for a fault of
// Amity's own, which may pass if the call is made again.
func codeOf(err error) (int, string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, e.Desc
	}
	for _, m := range domainCodes {
		if errors.Is(err, m.err) {
			return m.code, err.Error()
		}
	}
	return codeServer, "internal error, retry"
}
