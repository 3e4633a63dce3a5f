package zim

import (
	"errors"

	"github.com/amity-im/amity/domain"
)

// ZIM return codes.
const (
	codeOK                   = 0
	codeBusy                 = 1
	codeBadAppID             = 100000001
	codeTimestampEmpty       = 100000002
	codeTimestampFormat      = 100000003
	codeSignatureExpired     = 100000004
	codeSignatureWrong       = 100000005
	codeActionEmpty          = 100000006
	codeActionUnsupported    = 100000007
	codeNonceEmpty           = 100000008
	codeSignatureEmpty       = 100000009
	codeNoServerSecret       = 100000010
	codeBodyUnreadable       = 100000012
	codeSignatureVersionNone = 100000013
	codeSignatureVersionBad  = 100000014
	codeRetry                = 660000001
	codeInvalidParam         = 660000002
	codeUserIDTooLong        = 660000012
	codeAppQPS               = 660300005
	codeOperatorUnregistered = 660500002
	codeRegisterQPS          = 660700001
	codeUserExists           = 660700002
	codeUserNameTooLong      = 660700006
	codeUserAvatarTooLong    = 660700007
	codeProfileUnregistered  = 660700012
	codeUserUnregistered     = 660700015
	codeBatchOverLimit       = 660800019
	codeFriendIsSelf         = 660800020
	codeTextTooLong          = 660800021
	codeRepeatedIDs          = 660800022
	codeAttrKeyInvalid       = 660800023
	codeAttrTooLarge         = 660800024
	codeNoneRegistered       = 660800025
	codeAttrInvalid          = 660800026
	codeAlreadyFriends       = 660800027
	codeFriendLimit          = 660800028
	codeAttrKeyRepeated      = 660800032
	codeIDsContainSelf       = 660800033
	codeNotFriend            = 660800034
	codeFutureTime           = 660800046
	codeBlockOperator        = 660800001
	codeAlreadyBlocked       = 660800037
	codeBlockSelf            = 660800038
	codeBlockBatchOver       = 660800039
	codeBlocklistFull        = 660800040
	codeBlockAllFailed       = 660800041
	codeUnblockAllFailed     = 660800042
	codeAlreadyUnblocked     = 660800043
	codeNotBlocked           = 660800044
	codeBlockedPair          = 660800045
)

// domainCodes is the one table from domain errors to ZIM codes; the first
// entry that errors.Is matches wins, so specific errors precede their kinds.
var domainCodes = []struct {
	err  error
	code int
}{
	{domain.ErrSelf, codeFriendIsSelf},
	{domain.ErrUserNotRegistered, codeOperatorUnregistered},
	{domain.ErrTargetNotRegistered, codeUserUnregistered},
	{domain.ErrNotFriend, codeNotFriend},
	{domain.ErrAlreadyFriends, codeAlreadyFriends},
	{domain.ErrUserExists, codeUserExists},
	{domain.ErrFriendLimit, codeFriendLimit},
	{domain.ErrPeerFriendLimit, codeFriendLimit},
	{domain.ErrAttributesTooLarge, codeAttrTooLarge},
	{domain.ErrFutureTime, codeFutureTime},
	{domain.ErrAlreadyBlocked, codeAlreadyBlocked},
	{domain.ErrAlreadyUnblocked, codeAlreadyUnblocked},
	{domain.ErrNotBlocked, codeNotBlocked},
	{domain.ErrBlockLimit, codeBlocklistFull},
	// A block on either side refuses a friend request; ZIM documents no
	// code of its own for it, so Amity answers its code for a blocked
	// sender.
	{domain.ErrYouBlocked, codeBlockedPair},
	{domain.ErrBlockedByTarget, codeBlockedPair},
	// A target that takes no friend requests (Tencent's AllowType, set
	// through that surface) refuses like a block: ZIM has no setting of
	// its own for it.
	{domain.ErrAddDenied, codeBlockedPair},
	{domain.ErrInvalid, codeInvalidParam},
	// ZIM documents no codes for friend groups, follows or requests
	// answered through another surface: each of those refusals is final,
	// so it is a parameter error, never "retry".
	{domain.ErrNotFound, codeInvalidParam},
	{domain.ErrExists, codeInvalidParam},
	{domain.ErrLimit, codeInvalidParam},
	{domain.ErrForbidden, codeInvalidParam},
}

// Error is a failure answered with a ZIM code.
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string { return e.Message }

func apiErr(code int, msg string) *Error { return &Error{Code: code, Message: msg} }

// codeOf returns the ZIM code and message for err.
func codeOf(err error) (int, string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, e.Message
	}
	for _, m := range domainCodes {
		if errors.Is(err, m.err) {
			return m.code, err.Error()
		}
	}
	return codeRetry, "internal error, retry"
}
