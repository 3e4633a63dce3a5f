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
	ErrRequestLimit        = kindErr(ErrLimit, "the user has the most waiting friend requests allowed")
	ErrAlreadyFollowing    = kindErr(ErrExists, "already following the target")
	ErrNotFollowing        = kindErr(ErrNotFound, "not following the target")
	ErrFollowLimit         = kindErr(ErrLimit, "the user follows the most users allowed")
	ErrAlreadyMuted        = kindErr(ErrExists, "already in the user's mute list")
	ErrNotMuted            = kindErr(ErrNotFound, "not in the user's mute list")
	ErrMuteLimit           = kindErr(ErrLimit, "the user's mute list is full")
)

// NamedError is a domain error and its name on the wire (forwarded calls'
// answers, /v1's error codes).
type NamedError struct {
	Code string
	Err  error
}

// Errors is the one list of the domain's errors: every specific error,
// then every kind, each before the kinds it wraps, so the first that
// errors.Is matches names an error most precisely. Each surface's code
// table is held to it by a test: an error added here without a code on
// every surface fails the tests.
var Errors = []NamedError{
	{"self", ErrSelf}, {"user_not_registered", ErrUserNotRegistered}, {"target_not_registered", ErrTargetNotRegistered},
	{"not_friend", ErrNotFriend}, {"already_friends", ErrAlreadyFriends}, {"user_exists", ErrUserExists},
	{"friend_limit", ErrFriendLimit}, {"peer_friend_limit", ErrPeerFriendLimit}, {"attributes_too_large", ErrAttributesTooLarge},
	{"future_time", ErrFutureTime}, {"unknown_command", ErrUnknownCommand}, {"group_limit", ErrGroupLimit},
	{"group_not_found", ErrGroupNotFound}, {"already_blocked", ErrAlreadyBlocked}, {"not_blocked", ErrNotBlocked},
	{"already_unblocked", ErrAlreadyUnblocked}, {"block_limit", ErrBlockLimit}, {"you_blocked", ErrYouBlocked},
	{"blocked_by_target", ErrBlockedByTarget}, {"add_denied", ErrAddDenied}, {"request_not_found", ErrRequestNotFound},
	{"request_not_waiting", ErrRequestNotWaiting}, {"request_limit", ErrRequestLimit}, {"already_following", ErrAlreadyFollowing},
	{"not_following", ErrNotFollowing}, {"follow_limit", ErrFollowLimit},
	{"already_muted", ErrAlreadyMuted}, {"not_muted", ErrNotMuted}, {"mute_limit", ErrMuteLimit},
	{"invalid", ErrInvalid}, {"not_found", ErrNotFound}, {"exists", ErrExists}, {"limit", ErrLimit},
	{"conflict", ErrConflict}, {"forbidden", ErrForbidden}, {"internal", ErrInternal},
}

// Retryable reports whether err may pass if the call is made again: a
// write conflict or an internal fault, or an error of no domain kind.
// Every other domain error is final, and a surface answers it with a
// client error of its own.
func Retryable(err error) bool {
	for _, kind := range []error{ErrInvalid, ErrNotFound, ErrExists, ErrLimit, ErrForbidden} {
		if errors.Is(err, kind) {
			return false
		}
	}
	return true
}

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
