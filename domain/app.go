package domain

import (
	"fmt"
	"time"
)

// Default limits, the platforms' own.
const (
	DefaultMaxFriends = 3000
	DefaultMaxBlocked = 1000
	// DefaultMaxPendingRequests bounds the waiting friend requests one
	// user has sent, and those waiting for one user's answer. Neither
	// vendor documents a number (Tencent answers 30012 past its own
	// cap); an app may set its own.
	DefaultMaxPendingRequests = 1000
	// DefaultPartitions is the partition count of a new app's relation
	// and user commits: one queue per kind, so every waiting command of
	// the app goes into one commit.
	DefaultPartitions = 1
	// LegacyPartitions is the count of an app whose stream data was
	// written before the count was recorded.
	LegacyPartitions = 64
	// MaxPartitions bounds the count an app may be given.
	MaxPartitions = 1024
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
	// MaxPendingRequests bounds the waiting requests of one user, sent
	// and received each (DefaultMaxPendingRequests when 0).
	MaxPendingRequests int
	// Partitions is how many partitions the app's commits of each kind
	// are spread over: fixed when the app's stream data is first written
	// and recorded with the store (eventstore.Store.Partitions); 0 means
	// DefaultPartitions.
	Partitions int
	// RequestExpiry is how long a friend request may be answered
	// (DefaultRequestExpiry when 0).
	RequestExpiry time.Duration
	Callback      *Callback
}

// PartitionCount returns the app's partition count, or the default.
func (a *App) PartitionCount() int {
	if a.Partitions > 0 {
		return a.Partitions
	}
	return DefaultPartitions
}

// Subject is the stream subject that holds the commits of k in app a.
func (a *App) Subject(k Key) string { return Subject(a.Name, k, a.PartitionCount()) }

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

// PendingCap returns the app's limit of waiting requests, or the default.
func (a *App) PendingCap() int {
	if a.MaxPendingRequests > 0 {
		return a.MaxPendingRequests
	}
	return DefaultMaxPendingRequests
}

// FriendCap returns the app's friend limit, or the default.
func (a *App) FriendCap() int {
	if a.MaxFriends > 0 {
		return a.MaxFriends
	}
	return DefaultMaxFriends
}

// ChoosePartitions decides app's partition count from the count the
// configuration wants (0: whatever is recorded), the recorded count (0:
// none) and whether the stream holds commits of the app already. A recorded
// count stands; commits without a record were written over
// LegacyPartitions; a new app gets want, or DefaultPartitions. A want
// other than the count that stands is an error: the mapping of keys to
// partitions is part of the stored data.
func ChoosePartitions(app string, want, recorded int, hasCommits bool) (int, error) {
	if want < 0 || want > MaxPartitions {
		return 0, fmt.Errorf("app %s: partitions %d is outside 1-%d", app, want, MaxPartitions)
	}
	have, how := recorded, "was first written with"
	if have == 0 && hasCommits {
		have, how = LegacyPartitions, "holds commits written before counts were recorded, with"
	}
	switch {
	case have == 0 && want == 0:
		return DefaultPartitions, nil
	case have == 0:
		return want, nil
	case want != 0 && want != have:
		return 0, fmt.Errorf("app %s: the configuration gives %d partitions, but its stream %s %d; an app's count never changes (leave it out to keep %d)", app, want, how, have, have)
	}
	return have, nil
}
