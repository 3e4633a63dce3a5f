package domain

import "time"

// Follows are one-way and need no consent: a user follows a target, the
// target gains a fan. Two users who follow each other are mutual followers.

// MaxFollowing bounds how many users one user follows (Tencent's 5000);
// fans are unbounded.
const MaxFollowing = 5000

// UserFollowed records that User follows Target from the event's time.
type UserFollowed struct {
	User   string `json:"user"`
	Target string `json:"target"`
	// Since is when the follow began (Unix ms) when it was copied from a
	// vendor that kept it; 0: the event's time.
	Since int64 `json:"since,omitempty"`
}

// UserUnfollowed records that User no longer follows Target.
type UserUnfollowed struct {
	User   string `json:"user"`
	Target string `json:"target"`
}

func (UserFollowed) Type() string { return TypeUserFollowed }
func (UserFollowed) payload()     {}

func (UserUnfollowed) Type() string { return TypeUserUnfollowed }
func (UserUnfollowed) payload()     {}

// FollowKind selects a list of follows: Tencent's FollowType numbering.
type FollowKind int

// Follow lists.
const (
	Fans      FollowKind = 1 // who follows the user
	Following FollowKind = 2 // whom the user follows
	Mutual    FollowKind = 3 // both
)

// Follow is one entry of a follow list: the other user and since when
// (Unix ms; for a mutual entry, the later of the two follows).
type Follow struct {
	ID   string
	Time int64
}

// FollowCounts are a user's follow figures.
type FollowCounts struct {
	Fans, Following, Mutual int
}

// FollowUser makes User follow Target, since Since (Unix ms) when it is
// copied from a vendor; from now when 0.
type FollowUser struct {
	User, Target string
	Since        int64
}

func (c FollowUser) Key() Key { return PairKey(c.User, c.Target) }

func (c FollowUser) Decide(v View, _ time.Time) (Payload, error) {
	if err := checkPair(v, c.User, c.Target); err != nil {
		return nil, err
	}
	if v.Follows(c.User, c.Target) {
		return nil, ErrAlreadyFollowing
	}
	if !v.ReserveFollow(c.User) {
		return nil, ErrFollowLimit
	}
	return UserFollowed(c), nil
}

// UnfollowUser makes User stop following Target.
type UnfollowUser struct{ User, Target string }

func (c UnfollowUser) Key() Key { return PairKey(c.User, c.Target) }

func (c UnfollowUser) Decide(v View, _ time.Time) (Payload, error) {
	if c.User == c.Target {
		return nil, ErrSelf
	}
	if !v.Follows(c.User, c.Target) {
		return nil, ErrNotFollowing
	}
	return UserUnfollowed(c), nil
}
