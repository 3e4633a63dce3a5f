package tencent

import (
	"errors"

	"github.com/amity-im/amity/domain"
)

// Tencent error codes.
const (
	codeOK                 = 0
	codeSNSParam           = 30001
	codeAccountNotExist    = 30003
	codeSNSInternal        = 30006
	codeFriendListFull     = 30010
	codeTooManyGroups      = 30011
	codeBlocklistFull      = 30013
	codeTooManyPending     = 30012
	codePeerListFull       = 30014
	codeYouBlocked         = 30515
	codeBlockedByTarget    = 30525
	codeGetListNotFriend   = 31211
	codeNotFriend          = 31704
	codeFollowOff          = 30005
	codeAddDenied          = 30516
	codeRequestPending     = 30539
	codeFollowingFull      = 32100
	codeProfileParam       = 40001
	codeProfileNoneAsked   = 40002
	codeProfileNoAccount   = 40003
	codeProfileUnknownTag  = 40009
	codeProfileTooLong     = 40601
	codeProfileBadValue    = 40605
	codeProfileValueType   = 40610
	codeHTTPParse          = 60002
	codeJSONParse          = 60003
	codeAccountInURL       = 60004
	codeSDKAppIDInvalid    = 60006
	codeRateLimited        = 60007
	codeBadResource        = 60009
	codeSDKAppIDMissing    = 60012
	codeSigExpired         = 70001
	codeSigEmpty           = 70002
	codeSigBase64          = 70003
	codeSigZlib            = 70005
	codeSigVersion         = 70008
	codeSigMismatch        = 70009
	codeSigJSON            = 70010
	codeIdentifierMismatch = 70013
	codeSDKAppIDMismatch   = 70014
	codeAccountUnknown     = 70107
	codeInvalidParams      = 70402
	codeNotAdmin           = 70403
)

// domainCodes is the one table from domain errors to Tencent codes and the
// reason part of ResultInfo; the first match wins.
var domainCodes = []struct {
	err    error
	code   int
	reason string
}{
	{domain.ErrSelf, codeSNSParam, "Add_Self"},
	{domain.ErrUserNotRegistered, codeAccountNotExist, "Account_Not_Exist"},
	{domain.ErrTargetNotRegistered, codeAccountNotExist, "Account_Not_Exist"},
	{domain.ErrNotFriend, codeNotFriend, "Not_Friend"},
	{domain.ErrAlreadyFriends, codeSNSParam, "Friend_Exist"},
	{domain.ErrFriendLimit, codeFriendListFull, "My_Friend_Num_Exceed_Threshold"},
	{domain.ErrPeerFriendLimit, codePeerListFull, "Other_Friend_Num_Exceed_Threshold"},
	{domain.ErrGroupLimit, codeTooManyGroups, "Group_Num_Exceed_Threshold"},
	{domain.ErrGroupNotFound, codeSNSParam, "Group_Not_Exist"},
	{domain.ErrFutureTime, codeSNSParam, "Time_In_Future"},
	{domain.ErrUserExists, codeSNSParam, "Account_Exist"},
	{domain.ErrAlreadyBlocked, codeSNSParam, "Already_Exist"},
	{domain.ErrNotBlocked, codeSNSParam, "Not_Exist"},
	{domain.ErrAlreadyUnblocked, codeSNSParam, "Not_Exist"},
	{domain.ErrBlockLimit, codeBlocklistFull, "BlackList_Num_Exceed_Threshold"},
	{domain.ErrYouBlocked, codeYouBlocked, "In_My_BlackList"},
	{domain.ErrBlockedByTarget, codeBlockedByTarget, "In_Other_BlackList"},
	{domain.ErrAddDenied, codeAddDenied, "Peer_Forbid_Add"},
	{domain.ErrAlreadyFollowing, codeSNSParam, "Already_Follow"},
	{domain.ErrNotFollowing, codeSNSParam, "Not_Follow"},
	{domain.ErrFollowLimit, codeFollowingFull, "Follow_Num_Exceed_Threshold"},
	{domain.ErrAttributesTooLarge, codeSNSParam, "Param_Invalid"},
	{domain.ErrRequestNotFound, codeSNSParam, "Not_Exist"},
	{domain.ErrRequestLimit, codeTooManyPending, "Pendency_Num_Exceed_Threshold"},
	{domain.ErrInvalid, codeSNSParam, "Param_Invalid"},
	// Refusals Tencent documents no code of its own for are final: a
	// parameter error, never "retry".
	{domain.ErrNotFound, codeSNSParam, "Not_Exist"},
	{domain.ErrExists, codeSNSParam, "Already_Exist"},
	{domain.ErrLimit, codeSNSParam, "Exceed_Threshold"},
	{domain.ErrForbidden, codeSNSParam, "Forbidden"},
}

// Error is a failure answered with a Tencent code.
type Error struct {
	Code int
	Info string
}

func (e *Error) Error() string { return e.Info }

func apiErr(code int, info string) *Error { return &Error{Code: code, Info: info} }

// codeOf returns the Tencent code, reason and message for err.
func codeOf(err error) (code int, reason, msg string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, "Param_Invalid", e.Info
	}
	for _, m := range domainCodes {
		if errors.Is(err, m.err) {
			return m.code, m.reason, err.Error()
		}
	}
	return codeSNSInternal, "Internal_Error", "internal error, retry"
}
