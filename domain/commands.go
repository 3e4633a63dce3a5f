package domain

import "time"

// View is the state a command is decided against: the read model as of the
// partition's last applied commit, with the earlier decisions of the same
// commit laid over it.
type View interface {
	Entry(owner, friend string) (Entry, bool)
	Registered(user string) bool
	// Reserve takes one slot in user's friend list, failing at the cap.
	Reserve(user string) bool
	Unreserve(user string)
}

// Command is a request to change one aggregate.
type Command interface {
	Key() Key
	// Decide returns the event payload recording the change, or a domain error.
	Decide(v View, now time.Time) (any, error)
}

// RegisterUser registers a user.
type RegisterUser struct {
	User, Name, Avatar string
}

func (c RegisterUser) Key() Key { return UserKey(c.User) }

func (c RegisterUser) Decide(v View, _ time.Time) (any, error) {
	if v.Registered(c.User) {
		return nil, ErrUserExists
	}
	return UserRegistered(c), nil
}

// AddFriend puts Friend into User's list. With Reverse set the add is
// two-way: User also goes into Friend's list with entry *Reverse. A direction
// that already exists is kept as it is; the add fails only when every
// direction it asks for exists. A zero CreateTime means now.
type AddFriend struct {
	User, Friend string
	Entry        Entry
	Reverse      *Entry
}

func (c AddFriend) Key() Key { return PairKey(c.User, c.Friend) }

func (c AddFriend) Decide(v View, now time.Time) (any, error) {
	if c.User == c.Friend {
		return nil, ErrSelf
	}
	if !v.Registered(c.User) {
		return nil, ErrUserNotRegistered
	}
	if !v.Registered(c.Friend) {
		return nil, ErrTargetNotRegistered
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
	ev := FriendAdded{User: c.User, Friend: c.Friend}
	if !hasAB {
		if !v.Reserve(c.User) {
			return nil, ErrFriendLimit
		}
		e := stamped(c.Entry, nowMs)
		ev.Entry = &e
	}
	if mutual && !hasBA {
		if !v.Reserve(c.Friend) {
			if !hasAB {
				v.Unreserve(c.User)
			}
			return nil, ErrPeerFriendLimit
		}
		e := stamped(*c.Reverse, nowMs)
		ev.Reverse = &e
	}
	return ev, nil
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
type DeleteFriend struct {
	User, Friend string
	Both         bool
}

func (c DeleteFriend) Key() Key { return PairKey(c.User, c.Friend) }

func (c DeleteFriend) Decide(v View, _ time.Time) (any, error) {
	if c.User == c.Friend {
		return nil, ErrSelf
	}
	_, hasAB := v.Entry(c.User, c.Friend)
	_, hasBA := v.Entry(c.Friend, c.User)
	if !hasAB && !(c.Both && hasBA) {
		return nil, ErrNotFriend
	}
	return FriendDeleted(c), nil
}

// UpdateFriend changes User's entry for Friend: the alias when Alias is set,
// and the attributes named in Attributes. MaxAttributeBytes bounds the total
// size of the entry's attributes after the change (0: no bound).
type UpdateFriend struct {
	User, Friend      string
	Alias             *string
	Attributes        map[string]string
	MaxAttributeBytes int
}

func (c UpdateFriend) Key() Key { return PairKey(c.User, c.Friend) }

func (c UpdateFriend) Decide(v View, now time.Time) (any, error) {
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
	return FriendUpdated{User: c.User, Friend: c.Friend, Alias: c.Alias, Attributes: c.Attributes, UpdateTime: now.UnixMilli()}, nil
}
