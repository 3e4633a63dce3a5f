package domain

import (
	"slices"
	"time"
)

// View is the state a command is decided against: the read model as of the
// partition's last applied commit, with the earlier decisions of the same
// commit laid over it.
type View interface {
	Entry(owner, friend string) (Entry, bool)
	Registered(user string) bool
	// Reserve takes one slot in user's friend list, failing at the cap.
	Reserve(user string) bool
	Unreserve(user string)
	// HasGroup reports whether user has the friend group name.
	HasGroup(user, name string) bool
	// ReserveGroups makes room for the groups in names that user does not
	// have yet, failing when that would pass MaxFriendGroups.
	ReserveGroups(user string, names []string) bool
	// Blocked reports whether user's blocklist holds target; wasBlocked
	// whether it held target once and no longer does.
	Blocked(user, target string) (blocked, wasBlocked bool)
	// ReserveBlock takes one slot in user's blocklist, failing at the cap.
	ReserveBlock(user string) bool
	// Request returns from's request to to, if there is one.
	Request(from, to string) (Request, bool)
	// Follows reports whether user follows target.
	Follows(user, target string) bool
	// ReserveRequest makes room for a new waiting request from from to
	// to: one of from's sent requests and one of to's received ones that
	// wait at now (Unix ms), failing when either has the app's
	// PendingCap.
	ReserveRequest(from, to string, now int64) bool
	// ReserveFollow takes one slot in the list of whom user follows,
	// failing at MaxFollowing.
	ReserveFollow(user string) bool
	// KeptAlias is the alias owner kept when deleting friend, "" if none
	// (FriendDeleted.KeptAlias).
	KeptAlias(owner, friend string) string
	// Muted reports whether user's mute list holds target.
	Muted(user, target string) bool
	// ReserveMute takes one slot in user's mute list, failing at
	// MaxMuted.
	ReserveMute(user string) bool
	// AllowType is user's AllowType (AllowAny when never set).
	AllowType(user string) string
}

// Command is a request to change one aggregate.
type Command interface {
	Key() Key
	// Decide returns the event payload recording the change, or a domain error.
	Decide(v View, now time.Time) (Payload, error)
}

// RegisterUser registers a user. With Upsert, registering a registered user
// replaces their name and avatar instead of failing.
type RegisterUser struct {
	User, Name, Avatar string
	Upsert             bool
}

func (c RegisterUser) Key() Key { return UserKey(c.User) }

func (c RegisterUser) Decide(v View, _ time.Time) (Payload, error) {
	if v.Registered(c.User) && !c.Upsert {
		return nil, ErrUserExists
	}
	return UserRegistered{User: c.User, Name: c.Name, Avatar: c.Avatar}, nil
}

// DeleteUser deletes a registered user's account.
type DeleteUser struct{ User string }

func (c DeleteUser) Key() Key { return UserKey(c.User) }

func (c DeleteUser) Decide(v View, _ time.Time) (Payload, error) {
	if !v.Registered(c.User) {
		return nil, ErrUserNotRegistered
	}
	return UserDeleted(c), nil
}

// AddFriendGroups creates friend groups for User; existing ones are kept.
type AddFriendGroups struct {
	User   string
	Groups []string
}

func (c AddFriendGroups) Key() Key { return UserKey(c.User) }

func (c AddFriendGroups) Decide(v View, _ time.Time) (Payload, error) {
	if !v.Registered(c.User) {
		return nil, ErrUserNotRegistered
	}
	var fresh []string
	for _, g := range c.Groups {
		if !v.HasGroup(c.User, g) && !slices.Contains(fresh, g) {
			fresh = append(fresh, g)
		}
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	if !v.ReserveGroups(c.User, fresh) {
		return nil, ErrGroupLimit
	}
	return FriendGroupsAdded{User: c.User, Groups: fresh}, nil
}

// DeleteFriendGroups removes friend groups from User; every one must exist.
type DeleteFriendGroups struct {
	User   string
	Groups []string
}

func (c DeleteFriendGroups) Key() Key { return UserKey(c.User) }

func (c DeleteFriendGroups) Decide(v View, _ time.Time) (Payload, error) {
	for _, g := range c.Groups {
		if !v.HasGroup(c.User, g) {
			return nil, Errorf(ErrGroupNotFound, "%q", g)
		}
	}
	return FriendGroupsDeleted{User: c.User, Groups: slices.Clone(c.Groups)}, nil
}

// AddFriend puts Friend into User's list. With Reverse set the add is
// two-way: User also goes into Friend's list with entry *Reverse. A direction
// that already exists is kept as it is; the add fails only when every
// direction it asks for exists. A zero CreateTime means now.
type AddFriend struct {
	User, Friend string
	Entry        Entry
	Reverse      *Entry
	// RespectBlocks refuses the add when either user blocks the other
	// (Tencent's rule); ZIM adds leave blocks and friendship apart.
	RespectBlocks bool
	// Consent lets Friend's AllowType decide (Tencent's add without
	// force): NeedConfirm turns the add into a friend request, expiring
	// after ExpireAfter; DenyAny refuses it.
	Consent     bool
	ExpireAfter time.Duration
}

func (c AddFriend) Key() Key { return PairKey(c.User, c.Friend) }

// checkPair refuses a pair of one user, or one with a user not registered.
func checkPair(v View, user, friend string) error {
	if user == friend {
		return ErrSelf
	}
	if !v.Registered(user) {
		return ErrUserNotRegistered
	}
	if !v.Registered(friend) {
		return ErrTargetNotRegistered
	}
	return nil
}

func (c AddFriend) Decide(v View, now time.Time) (Payload, error) {
	if err := checkPair(v, c.User, c.Friend); err != nil {
		return nil, err
	}
	if err := checkBlocks(v, c.User, c.Friend, c.RespectBlocks); err != nil {
		return nil, err
	}
	nowMs := now.UnixMilli()
	if c.Entry.CreateTime > nowMs || (c.Reverse != nil && c.Reverse.CreateTime > nowMs) {
		return nil, ErrFutureTime
	}
	_, hasAB := v.Entry(c.User, c.Friend)
	_, hasBA := v.Entry(c.Friend, c.User)
	mutual := c.Reverse != nil
	if hasAB && (!mutual || hasBA) {
		return nil, ErrAlreadyFriends
	}
	if c.Consent {
		switch v.AllowType(c.Friend) {
		case DenyAny:
			return nil, ErrAddDenied
		case NeedConfirm:
			// A request needs room only when it is accepted, but a user
			// whose list is full is told now.
			if !v.Reserve(c.User) {
				return nil, ErrFriendLimit
			}
			v.Unreserve(c.User)
			if err := roomForRequest(v, c.User, c.Friend, nowMs); err != nil {
				return nil, err
			}
			return requestSent(c.User, c.Friend, stamped(c.Entry, nowMs), now, c.ExpireAfter), nil
		}
	}
	ev := FriendAdded{User: c.User, Friend: c.Friend}
	if !hasAB {
		if len(c.Entry.Groups) > 0 && !v.ReserveGroups(c.User, c.Entry.Groups) {
			return nil, ErrGroupLimit
		}
		if !v.Reserve(c.User) {
			return nil, ErrFriendLimit
		}
		e := withKeptAlias(v, c.User, c.Friend, stamped(c.Entry, nowMs))
		ev.Entry = &e
	}
	if mutual && !hasBA {
		if !v.Reserve(c.Friend) {
			if !hasAB {
				v.Unreserve(c.User)
			}
			return nil, ErrPeerFriendLimit
		}
		e := withKeptAlias(v, c.Friend, c.User, stamped(*c.Reverse, nowMs))
		ev.Reverse = &e
	}
	return ev, nil
}

// ImportFriend writes User's entry for Friend as given, one way, keeping its
// times: a new entry, or a replacement of the existing one (so an import can
// be run again); an entry already as given records nothing.
type ImportFriend struct {
	User, Friend string
	Entry        Entry
}

func (c ImportFriend) Key() Key { return PairKey(c.User, c.Friend) }

func (c ImportFriend) Decide(v View, now time.Time) (Payload, error) {
	if err := checkPair(v, c.User, c.Friend); err != nil {
		return nil, err
	}
	nowMs := now.UnixMilli()
	if c.Entry.CreateTime > nowMs || c.Entry.RemarkTime > nowMs {
		return nil, ErrFutureTime
	}
	if len(c.Entry.Groups) > 0 && !v.ReserveGroups(c.User, c.Entry.Groups) {
		return nil, ErrGroupLimit
	}
	e := stamped(c.Entry, nowMs)
	old, exists := v.Entry(c.User, c.Friend)
	switch {
	case exists && sameEntry(old, e):
		return nil, nil // imported before: nothing to record again
	case !exists && !v.Reserve(c.User):
		return nil, ErrFriendLimit
	}
	return FriendAdded{User: c.User, Friend: c.Friend, Entry: &e, Imported: true}, nil
}

func stamped(e Entry, nowMs int64) Entry {
	e = e.Clone()
	if e.CreateTime == 0 {
		e.CreateTime = nowMs
	}
	return e
}

// DeleteFriend removes Friend from User's list and, with Both, User from
// Friend's list. It fails when none of the directions it removes exists.
// KeepAlias keeps User's alias for Friend for the next time User adds
// Friend (FriendDeleted.KeptAlias).
type DeleteFriend struct {
	User, Friend string
	Both         bool
	KeepAlias    bool
}

func (c DeleteFriend) Key() Key { return PairKey(c.User, c.Friend) }

func (c DeleteFriend) Decide(v View, _ time.Time) (Payload, error) {
	if c.User == c.Friend {
		return nil, ErrSelf
	}
	ab, hasAB := v.Entry(c.User, c.Friend)
	_, hasBA := v.Entry(c.Friend, c.User)
	if !hasAB && !(c.Both && hasBA) {
		return nil, ErrNotFriend
	}
	ev := FriendDeleted{User: c.User, Friend: c.Friend, Both: c.Both}
	if c.KeepAlias {
		ev.KeptAlias = ab.Alias
	}
	return ev, nil
}

// withKeptAlias is e, a new entry of owner's for friend, with the alias
// owner kept when deleting friend, unless e has an alias of its own.
func withKeptAlias(v View, owner, friend string, e Entry) Entry {
	if e.Alias == "" {
		e.Alias = v.KeptAlias(owner, friend)
	}
	return e
}

// UpdateFriend changes User's entry for Friend: the alias when Alias is set,
// the attributes and custom fields named, and the groups: replaced by
// *Groups when set, then AddGroups joined and RemoveGroups left.
// MaxAttributeBytes bounds the total size of the entry's attributes after
// the change (0: no bound).
type UpdateFriend struct {
	User, Friend      string
	Alias             *string
	Attributes        map[string]string
	Custom            map[string]CustomValue
	Groups            *[]string
	AddGroups         []string
	RemoveGroups      []string
	MaxAttributeBytes int
}

func (c UpdateFriend) Key() Key { return PairKey(c.User, c.Friend) }

func (c UpdateFriend) Decide(v View, now time.Time) (Payload, error) {
	if c.User == c.Friend {
		return nil, ErrSelf
	}
	e, ok := v.Entry(c.User, c.Friend)
	if !ok {
		return nil, ErrNotFriend
	}
	if c.MaxAttributeBytes > 0 && len(c.Attributes) > 0 {
		merged := make(map[string]string, len(e.Attributes)+len(c.Attributes))
		for k, val := range e.Attributes {
			merged[k] = val
		}
		for k, val := range c.Attributes {
			merged[k] = val
		}
		if AttributesSize(merged) > c.MaxAttributeBytes {
			return nil, ErrAttributesTooLarge
		}
	}
	ev := FriendUpdated{User: c.User, Friend: c.Friend, Alias: c.Alias, Attributes: c.Attributes, Custom: c.Custom, UpdateTime: now.UnixMilli()}
	if c.Groups != nil || len(c.AddGroups) > 0 || len(c.RemoveGroups) > 0 {
		groups := e.Groups
		if c.Groups != nil {
			groups = nil
			for _, g := range *c.Groups {
				if !slices.Contains(groups, g) {
					groups = append(groups, g)
				}
			}
		}
		groups = slices.Clone(groups)
		for _, g := range c.AddGroups {
			if !slices.Contains(groups, g) {
				groups = append(groups, g)
			}
		}
		groups = slices.DeleteFunc(groups, func(g string) bool { return slices.Contains(c.RemoveGroups, g) })
		if len(groups) > 0 && !v.ReserveGroups(c.User, groups) {
			return nil, ErrGroupLimit
		}
		ev.Groups = &groups
	}
	return ev, nil
}

// BlockUser puts Target in User's blocklist. With EndFriendship (Tencent's
// meaning) the friendship of the pair, in either direction, ends in the same
// event; without it (ZIM's) the friendship stays as it is.
//
// Since is when the block began (Unix ms) when it is copied from a vendor;
// from now when 0.
type BlockUser struct {
	User, Target  string
	EndFriendship bool
	Since         int64
}

func (c BlockUser) Key() Key { return PairKey(c.User, c.Target) }

func (c BlockUser) Decide(v View, _ time.Time) (Payload, error) {
	if err := checkPair(v, c.User, c.Target); err != nil {
		return nil, err
	}
	if b, _ := v.Blocked(c.User, c.Target); b {
		return nil, ErrAlreadyBlocked
	}
	if !v.ReserveBlock(c.User) {
		return nil, ErrBlockLimit
	}
	ev := UserBlocked{User: c.User, Target: c.Target, Since: c.Since}
	if c.EndFriendship {
		_, ab := v.Entry(c.User, c.Target)
		_, ba := v.Entry(c.Target, c.User)
		ev.Unfriended = ab || ba
	}
	return ev, nil
}

// UnblockUser takes Target out of User's blocklist. It never restores a
// friendship a block ended.
type UnblockUser struct {
	User, Target string
}

func (c UnblockUser) Key() Key { return PairKey(c.User, c.Target) }

func (c UnblockUser) Decide(v View, _ time.Time) (Payload, error) {
	if c.User == c.Target {
		return nil, ErrSelf
	}
	switch b, was := v.Blocked(c.User, c.Target); {
	case was:
		return nil, ErrAlreadyUnblocked
	case !b:
		return nil, ErrNotBlocked
	}
	return UserUnblocked(c), nil
}
