package domain

import "time"

// Default limits, the platforms' own.
const (
	DefaultMaxFriends = 3000
	DefaultMaxBlocked = 1000
	DefaultPartitions = 64
	// MaxFriendGroups bounds the friend groups (lists) of one user.
	MaxFriendGroups = 32
	// MaxAttributeBytes bounds the keys and values of one entry's ZIM
	// attributes (and the custom fields mapped onto them).
	MaxAttributeBytes = 1024
)

// App is a tenant. Every request belongs to exactly one app, and an app's
// credentials never reach another app's data. Each surface keeps the app's
// credentials and limits of its own (zim.App, tencent.App).
type App struct {
	// Name is the app's stream token: letters, digits, '-' and '_'.
	Name       string
	MaxFriends int
	MaxBlocked int
	Callback   *Callback
}

// Callback is where an app's backend hears of changes: an HTTP endpoint
// that gets the vendor's callbacks.
type Callback struct {
	URL string
	// Style is "tencent" (Tencent's Sns.Callback* commands) or "zim".
	Style string
	// Commands limits the callbacks sent; empty sends all.
	Commands []string
	// Secret signs ZIM-style callbacks.
	Secret string
	// Token, when set, signs Tencent-style callbacks: Sign and RequestTime
	// on the callback URL (docs/notifications.md).
	Token       string
	MaxAttempts int
	Backoff     time.Duration
	MaxBackoff  time.Duration
	Timeout     time.Duration
}

// BlockCap returns the app's blocklist limit, or the default.
func (a *App) BlockCap() int {
	if a.MaxBlocked > 0 {
		return a.MaxBlocked
	}
	return DefaultMaxBlocked
}

// FriendCap returns the app's friend limit, or the default.
func (a *App) FriendCap() int {
	if a.MaxFriends > 0 {
		return a.MaxFriends
	}
	return DefaultMaxFriends
}
