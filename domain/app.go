package domain

import "time"

// Default limits, the platforms' own.
const (
	DefaultMaxFriends = 3000
	DefaultMaxBlocked = 1000
	DefaultZIMQPS     = 20
	DefaultZIMBatch   = 20
	MaxZIMBatch       = 50
	DefaultPartitions = 64
	// MaxFriendGroups bounds the friend groups (lists) of one user.
	MaxFriendGroups   = 32
	DefaultTencentQPS = 200
	// MaxAttributeBytes bounds the keys and values of one entry's ZIM
	// attributes (and the custom fields mapped onto them).
	MaxAttributeBytes = 1024
)

// App is a tenant. Every request belongs to exactly one app, and an app's
// credentials never reach another app's data.
type App struct {
	// Name is the app's stream token: letters, digits, '-' and '_'.
	Name       string
	MaxFriends int
	MaxBlocked int
	ZIM        *ZIMApp
	Tencent    *TencentApp
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

// ZIMApp holds the credentials and limits of an app's ZIM surface.
type ZIMApp struct {
	AppID        uint32
	ServerSecret string
	QPS          int
	BatchLimit   int
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

// TencentApp holds the credentials and limits of an app's Tencent surface.
type TencentApp struct {
	SDKAppID  uint64
	SecretKey string
	Admins    []string
	QPS       int
	// CustomFields are the app's Tag_SNS_Custom_* friend fields.
	CustomFields []string
	// ZIMAttributes maps a custom field onto a ZIM attribute key (k0-k4):
	// the two surfaces then read and write the same value.
	ZIMAttributes map[string]string
}
