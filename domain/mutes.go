package domain

import "time"

// Event types of the mute list.
const (
	TypeUserMuted   = "UserMuted"
	TypeUserUnmuted = "UserUnmuted"
)

// MaxMuted is the most users one user's mute list holds (Yunxin's cap).
const MaxMuted = 3000

// UserMuted records that User muted Target: Target's messages reach User
// without an alert or a push. It changes no friendship and no blocklist.
type UserMuted struct {
	User   string `json:"user"`
	Target string `json:"target"`
	// Since is when the mute began (Unix ms) when it was copied from a
	// vendor that kept it; 0: the event's time.
	Since int64 `json:"since,omitempty"`
}

// UserUnmuted records that User took Target out of their mute list.
type UserUnmuted struct {
	User   string `json:"user"`
	Target string `json:"target"`
}

func (UserMuted) Type() string { return TypeUserMuted }
func (UserMuted) payload()     {}

func (UserUnmuted) Type() string { return TypeUserUnmuted }
func (UserUnmuted) payload()     {}

// MuteUser puts Target in User's mute list, since Since (Unix ms) when it
// is copied from a vendor; from now when 0.
type MuteUser struct {
	User, Target string
	Since        int64
}

func (c MuteUser) Key() Key { return PairKey(c.User, c.Target) }

func (c MuteUser) Decide(v View, _ time.Time) (Payload, error) {
	if err := checkPair(v, c.User, c.Target); err != nil {
		return nil, err
	}
	if v.Muted(c.User, c.Target) {
		return nil, ErrAlreadyMuted
	}
	if !v.ReserveMute(c.User) {
		return nil, ErrMuteLimit
	}
	return UserMuted(c), nil
}

// UnmuteUser takes Target out of User's mute list.
type UnmuteUser struct{ User, Target string }

func (c UnmuteUser) Key() Key { return PairKey(c.User, c.Target) }

func (c UnmuteUser) Decide(v View, _ time.Time) (Payload, error) {
	if c.User == c.Target {
		return nil, ErrSelf
	}
	if !v.Muted(c.User, c.Target) {
		return nil, ErrNotMuted
	}
	return UserUnmuted(c), nil
}

// MuteMutator is the mute-list part of the state.
type MuteMutator interface {
	// PutMute records that user muted target since at (Unix ms).
	PutMute(app, user, target string, at int64)
	DeleteMute(app, user, target string)
}
