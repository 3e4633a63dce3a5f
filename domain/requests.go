package domain

import "time"

// Friend requests: the consent side of a friendship. A request goes from a
// user to a target and waits for the target's answer; accepting it makes the
// two-way friendship in the same event that closes it. There is at most one
// request per ordered pair: sending again while one waits replaces it (new
// wording, alias, attributes and expiry), and sending after it was answered
// or expired starts a new one.

// RequestState is a request's state, numbered as ZIM's
// ZIMFriendApplicationState.
type RequestState int

// Request states. Expired is never stored: a waiting request whose expiry
// time has passed reads as Expired.
const (
	RequestWaiting  RequestState = 1
	RequestAccepted RequestState = 2
	RequestRejected RequestState = 3
	RequestExpired  RequestState = 4
)

// String names the state as /v1 does.
func (s RequestState) String() string {
	switch s {
	case RequestWaiting:
		return "waiting"
	case RequestAccepted:
		return "accepted"
	case RequestRejected:
		return "rejected"
	case RequestExpired:
		return "expired"
	}
	return "unknown"
}

// DefaultRequestExpiry is how long a request may be answered: ZIM's 7 days.
const DefaultRequestExpiry = 7 * 24 * time.Hour

// Request is a friend request from From to To. Entry is what From's list
// will hold for To once it is accepted (alias, attributes, wording, add
// source, groups); its CreateTime is when the request was made. Times are
// Unix milliseconds.
type Request struct {
	From       string       `json:"from"`
	To         string       `json:"to"`
	Entry      Entry        `json:"entry"`
	ExpireTime int64        `json:"expire_time"`
	State      RequestState `json:"state"`
	UpdateTime int64        `json:"update_time"`
}

// StateAt is the request's state at nowMs: Expired once a waiting request
// is past its expiry time.
func (r Request) StateAt(nowMs int64) RequestState {
	if r.State == RequestWaiting && r.ExpireTime > 0 && nowMs >= r.ExpireTime {
		return RequestExpired
	}
	return r.State
}

// FriendRequestSent records that User asked Target to be friends. Entry is
// User's entry for Target once accepted; ExpireTime (Unix ms) ends the
// time to answer.
type FriendRequestSent struct {
	User       string `json:"user"`
	Target     string `json:"target"`
	Entry      Entry  `json:"entry"`
	ExpireTime int64  `json:"expire_time"`
}

// FriendRequestAccepted records that User accepted From's request: the
// request is closed, User's list gained From (Entry set) and From's list
// gained User (Reverse set) — a direction that already existed is nil.
type FriendRequestAccepted struct {
	User    string `json:"user"`
	From    string `json:"from"`
	Entry   *Entry `json:"entry,omitempty"`
	Reverse *Entry `json:"reverse,omitempty"`
}

// FriendRequestRejected records that User rejected From's request.
type FriendRequestRejected struct {
	User string `json:"user"`
	From string `json:"from"`
}

// FriendRequestDeleted records that User deleted From's request to them,
// whatever its state.
type FriendRequestDeleted struct {
	User string `json:"user"`
	From string `json:"from"`
}

func (FriendRequestSent) Type() string { return TypeRequestSent }
func (FriendRequestSent) payload()     {}

func (FriendRequestAccepted) Type() string { return TypeRequestAccepted }
func (FriendRequestAccepted) payload()     {}

func (FriendRequestRejected) Type() string { return TypeRequestRejected }
func (FriendRequestRejected) payload()     {}

func (FriendRequestDeleted) Type() string { return TypeRequestDeleted }
func (FriendRequestDeleted) payload()     {}

// SendRequest asks Target to be User's friend. If Target's list already
// holds User (User once deleted Target one-way), nothing waits: Target goes
// into User's list at once, as ZIM does. ExpireAfter is the time to answer
// (DefaultRequestExpiry when 0). With RespectBlocks, a block on either
// side refuses the request.
type SendRequest struct {
	User, Target  string
	Entry         Entry
	ExpireAfter   time.Duration
	RespectBlocks bool
}

func (c SendRequest) Key() Key { return PairKey(c.User, c.Target) }

func (c SendRequest) Decide(v View, now time.Time) (Payload, error) {
	if err := checkPair(v, c.User, c.Target); err != nil {
		return nil, err
	}
	if err := checkBlocks(v, c.User, c.Target, c.RespectBlocks); err != nil {
		return nil, err
	}
	nowMs := now.UnixMilli()
	if c.Entry.CreateTime > nowMs || c.Entry.UpdateTime > nowMs {
		return nil, ErrFutureTime
	}
	if _, has := v.Entry(c.User, c.Target); has {
		return nil, ErrAlreadyFriends
	}
	if !v.Reserve(c.User) {
		return nil, ErrFriendLimit
	}
	e := stamped(c.Entry, nowMs)
	if _, back := v.Entry(c.Target, c.User); back {
		// The one-way shortcut: the target kept the user; the slot taken
		// stays taken for the add.
		return FriendAdded{User: c.User, Friend: c.Target, Entry: &e}, nil
	}
	// A request only has to find room in the lists when it is accepted;
	// a new one needs room among the waiting requests of both.
	v.Unreserve(c.User)
	if err := roomForRequest(v, c.User, c.Target, nowMs); err != nil {
		return nil, err
	}
	return requestSent(c.User, c.Target, e, now, c.ExpireAfter), nil
}

// roomForRequest makes room for a waiting request from user to target at
// nowMs: none is needed to send again a request that still waits.
func roomForRequest(v View, user, target string, nowMs int64) error {
	if r, ok := v.Request(user, target); ok && r.StateAt(nowMs) == RequestWaiting {
		return nil
	}
	if !v.ReserveRequest(user, target, nowMs) {
		return ErrRequestLimit
	}
	return nil
}

func requestSent(user, target string, e Entry, now time.Time, expireAfter time.Duration) FriendRequestSent {
	if expireAfter <= 0 {
		expireAfter = DefaultRequestExpiry
	}
	if e.UpdateTime == 0 {
		e.UpdateTime = e.CreateTime
	}
	return FriendRequestSent{User: user, Target: target, Entry: e, ExpireTime: now.Add(expireAfter).UnixMilli()}
}

// checkBlocks refuses, when respect is set, a pair where either user blocks
// the other.
func checkBlocks(v View, user, target string, respect bool) error {
	if !respect {
		return nil
	}
	if b, _ := v.Blocked(user, target); b {
		return ErrYouBlocked
	}
	if b, _ := v.Blocked(target, user); b {
		return ErrBlockedByTarget
	}
	return nil
}

// AcceptRequest accepts From's waiting request to User: both lists gain
// each other, under the friend caps and blocks (either side refuses), and
// the request closes. Entry is User's entry for From (alias, attributes).
type AcceptRequest struct {
	User, From string
	Entry      Entry
}

func (c AcceptRequest) Key() Key { return PairKey(c.User, c.From) }

func (c AcceptRequest) Decide(v View, now time.Time) (Payload, error) {
	r, err := waiting(v, c.From, c.User, now)
	if err != nil {
		return nil, err
	}
	if err := checkPair(v, c.User, c.From); err != nil {
		return nil, err
	}
	if err := checkBlocks(v, c.User, c.From, true); err != nil {
		return nil, err
	}
	nowMs := now.UnixMilli()
	ev := FriendRequestAccepted{User: c.User, From: c.From}
	_, hasUF := v.Entry(c.User, c.From)
	_, hasFU := v.Entry(c.From, c.User)
	if !hasUF {
		if !v.Reserve(c.User) {
			return nil, ErrFriendLimit
		}
		e := c.Entry.Clone()
		e.Wording, e.AddSource, e.CreateTime = r.Entry.Wording, r.Entry.AddSource, nowMs
		e = withKeptAlias(v, c.User, c.From, e)
		ev.Entry = &e
	}
	if !hasFU {
		if len(r.Entry.Groups) > 0 && !v.ReserveGroups(c.From, r.Entry.Groups) {
			if !hasUF {
				v.Unreserve(c.User)
			}
			return nil, ErrGroupLimit
		}
		if !v.Reserve(c.From) {
			if !hasUF {
				v.Unreserve(c.User)
			}
			return nil, ErrPeerFriendLimit
		}
		e := r.Entry.Clone()
		e.CreateTime, e.UpdateTime = nowMs, 0
		e = withKeptAlias(v, c.From, c.User, e)
		ev.Reverse = &e
	}
	return ev, nil
}

// waiting returns From's request to user if it is waiting at now.
func waiting(v View, from, user string, now time.Time) (Request, error) {
	if from == user {
		return Request{}, ErrSelf
	}
	r, ok := v.Request(from, user)
	if !ok {
		return Request{}, ErrRequestNotFound
	}
	if s := r.StateAt(now.UnixMilli()); s != RequestWaiting {
		return Request{}, Errorf(ErrRequestNotWaiting, "the request is %s", s)
	}
	return r, nil
}

// RejectRequest rejects From's waiting request to User.
type RejectRequest struct{ User, From string }

func (c RejectRequest) Key() Key { return PairKey(c.User, c.From) }

func (c RejectRequest) Decide(v View, now time.Time) (Payload, error) {
	if _, err := waiting(v, c.From, c.User, now); err != nil {
		return nil, err
	}
	return FriendRequestRejected(c), nil
}

// DeleteRequest deletes From's request to User, in any state.
type DeleteRequest struct{ User, From string }

func (c DeleteRequest) Key() Key { return PairKey(c.User, c.From) }

func (c DeleteRequest) Decide(v View, _ time.Time) (Payload, error) {
	if c.User == c.From {
		return nil, ErrSelf
	}
	if _, ok := v.Request(c.From, c.User); !ok {
		return nil, ErrRequestNotFound
	}
	return FriendRequestDeleted(c), nil
}
