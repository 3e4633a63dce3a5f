package domain

import (
	"errors"
	"fmt"
)

// Error kinds. Every error the domain returns wraps exactly one of them, so a
// surface can map a kind when it has no code for the specific error.
var (
	ErrInvalid   = errors.New("invalid input")
	ErrNotFound  = errors.New("not found")
	ErrExists    = errors.New("already exists")
	ErrLimit     = errors.New("limit reached")
	ErrConflict  = errors.New("concurrent write conflict")
	ErrForbidden = errors.New("not allowed")
	ErrInternal  = errors.New("internal error")
)

// Specific errors. errors.Is holds for the specific error and its kind.
var (
	ErrSelf                = kindErr(ErrInvalid, "a user cannot be their own friend")
	ErrUserNotRegistered   = kindErr(ErrNotFound, "user is not registered")
	ErrTargetNotRegistered = kindErr(ErrNotFound, "target user is not registered")
	ErrNotFriend           = kindErr(ErrNotFound, "target is not in the user's friend list")
	ErrAlreadyFriends      = kindErr(ErrExists, "already friends")
	ErrUserExists          = kindErr(ErrExists, "user already registered")
	ErrFriendLimit         = kindErr(ErrLimit, "the user's friend list is full")
	ErrPeerFriendLimit     = kindErr(ErrLimit, "the target's friend list is full")
	ErrAttributesTooLarge  = kindErr(ErrLimit, "friend attributes exceed their size limit")
	ErrFutureTime          = kindErr(ErrInvalid, "time is in the future")
	ErrUnknownCommand      = kindErr(ErrInvalid, "unknown command")
	ErrGroupLimit          = kindErr(ErrLimit, "the user has the most friend groups allowed")
	ErrGroupNotFound       = kindErr(ErrNotFound, "no friend group with that name")
	ErrAlreadyBlocked      = kindErr(ErrExists, "already in the user's blocklist")
	ErrNotBlocked          = kindErr(ErrNotFound, "not in the user's blocklist")
	ErrAlreadyUnblocked    = kindErr(ErrNotFound, "already removed from the user's blocklist")
	ErrBlockLimit          = kindErr(ErrLimit, "the user's blocklist is full")
	ErrYouBlocked          = kindErr(ErrForbidden, "the target is in the user's blocklist")
	ErrBlockedByTarget     = kindErr(ErrForbidden, "the user is in the target's blocklist")
	ErrAddDenied           = kindErr(ErrForbidden, "the target accepts no friend requests")
	ErrRequestNotFound     = kindErr(ErrNotFound, "no such friend request")
	ErrRequestNotWaiting   = kindErr(ErrConflict, "the friend request is no longer waiting")
	ErrAlreadyFollowing    = kindErr(ErrExists, "already following the target")
	ErrNotFollowing        = kindErr(ErrNotFound, "not following the target")
	ErrFollowLimit         = kindErr(ErrLimit, "the user follows the most users allowed")
)

type kindError struct {
	kind error
	msg  string
}

func kindErr(kind error, msg string) error { return &kindError{kind: kind, msg: msg} }

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// Errorf returns an error that wraps err and carries a formatted detail.
func Errorf(err error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", err, fmt.Sprintf(format, args...))
}
