package yunxin

import (
	"errors"
	"fmt"

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

// v2Codes is the v2 API's table: Yunxin's six-digit codes, a module (102
// accounts, 104 friends, 105 mutes, 106 blocklists) and a kind, for the
// errors that have one; first match wins. Every other error takes its v1
// code, those v2 does not use (405, 417, 419) as v2General says.
var v2Codes = []struct {
	err  error
	code int
}{
	{errBlockSelf, 106429},
	{domain.ErrSelf, 104429},
	{domain.ErrUserNotRegistered, 102404},
	{domain.ErrTargetNotRegistered, 102404},
	{domain.ErrNotFriend, 104404},
	{domain.ErrRequestNotFound, 104302},
	{domain.ErrRequestNotWaiting, 104302},
	{domain.ErrPeerFriendLimit, 104301},
	{domain.ErrFriendLimit, 104435},
	{domain.ErrBlockLimit, 106435},
	{domain.ErrMuteLimit, 105435},
	{domain.ErrYouBlocked, 102426},
	{domain.ErrBlockedByTarget, 102426},
	{domain.ErrExists, 104405},
}

// v2General maps the v1 codes v2 does not use to its general ones: a
// field too long is a parameter error (414); a repeat or a cap that has no
// six-digit code is refused (403).
func v2General(code int) int {
	switch code {
	case codeTooLong:
		return codeParam
	case codeRepeat, codeOverLimit:
		return codeForbidden
	}
	return code
}

// errBlockSelf is a v2 block call naming the same account twice.
var errBlockSelf = fmt.Errorf("%w: blocklist", domain.ErrSelf)

// Error is a failure answered with a Yunxin code; kind, when set, is the
// domain error it stands for (the v2 table reads it).
type Error struct {
	Code int
	Desc string
	kind error
}

func (e *Error) Error() string { return e.Desc }
func (e *Error) Unwrap() error { return e.kind }

func apiErr(code int, desc string) *Error { return &Error{Code: code, Desc: desc} }

// kindErr is apiErr standing for the domain error kind.
func kindErr(code int, desc string, kind error) *Error {
	return &Error{Code: code, Desc: desc, kind: kind}
}

// v2CodeOf returns the v2 code and text for err.
func v2CodeOf(err error) (int, string) {
	code, msg := codeOf(err)
	if code == codeServer {
		return code, msg
	}
	for _, m := range v2Codes {
		if errors.Is(err, m.err) {
			return m.code, msg
		}
	}
	return v2General(code), msg
}

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
