package domain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
)

// TestDecideRequests: its length is its table of cases.
func TestDecideRequests(t *testing.T) {
	nowMs := now.UnixMilli()
	week := now.Add(domain.DefaultRequestExpiry).UnixMilli()
	ab := registered("a", "b")
	sent := append(registered("a", "b"), ev(domain.FriendRequestSent{User: "a", Target: "b",
		Entry: domain.Entry{Alias: "bee", Wording: "hi", CreateTime: nowMs - 10, UpdateTime: nowMs - 10}, ExpireTime: nowMs + 1}))
	expired := append(registered("a", "b"), ev(domain.FriendRequestSent{User: "a", Target: "b", ExpireTime: nowMs}))
	rejected := append(sent[:3:3], ev(domain.FriendRequestRejected{User: "b", From: "a"}))
	str := func(s string) *string { return &s }
	tests := []decideCase{
		{name: "send waits for the target", given: ab,
			when: domain.SendRequest{User: "a", Target: "b", Entry: domain.Entry{Alias: "bee", Wording: "hi"}},
			then: domain.FriendRequestSent{User: "a", Target: "b", Entry: domain.Entry{Alias: "bee", Wording: "hi", CreateTime: nowMs, UpdateTime: nowMs}, ExpireTime: week}},
		{name: "send with its own expiry", given: ab,
			when: domain.SendRequest{User: "a", Target: "b", ExpireAfter: time.Minute},
			then: domain.FriendRequestSent{User: "a", Target: "b", Entry: domain.Entry{CreateTime: nowMs, UpdateTime: nowMs}, ExpireTime: nowMs + 60_000}},
		{name: "send to a target that kept the user adds at once",
			given: append(registered("a", "b"), ev(domain.FriendAdded{User: "b", Friend: "a", Entry: entry(1)})),
			when:  domain.SendRequest{User: "a", Target: "b", Entry: domain.Entry{Alias: "bee"}},
			then:  domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{Alias: "bee", CreateTime: nowMs}}},
		{name: "send to a friend", given: append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b", Entry: entry(1)})),
			when: domain.SendRequest{User: "a", Target: "b"}, err: domain.ErrAlreadyFriends},
		{name: "send to oneself", given: ab, when: domain.SendRequest{User: "a", Target: "a"}, err: domain.ErrSelf},
		{name: "send to an unregistered user", given: ab, when: domain.SendRequest{User: "a", Target: "c"}, err: domain.ErrTargetNotRegistered},
		{name: "send from the future", given: ab, when: domain.SendRequest{User: "a", Target: "b", Entry: domain.Entry{CreateTime: nowMs + 1}}, err: domain.ErrFutureTime},
		{name: "send to a target who blocks the user", given: append(registered("a", "b"), ev(domain.UserBlocked{User: "b", Target: "a"})),
			when: domain.SendRequest{User: "a", Target: "b", RespectBlocks: true}, err: domain.ErrBlockedByTarget},
		{name: "send to a target the user blocks", given: append(registered("a", "b"), ev(domain.UserBlocked{User: "a", Target: "b"})),
			when: domain.SendRequest{User: "a", Target: "b", RespectBlocks: true}, err: domain.ErrYouBlocked},
		{name: "accept makes both entries", given: sent,
			when: domain.AcceptRequest{User: "b", From: "a", Entry: domain.Entry{Alias: "ay", Attributes: map[string]string{"k0": "v"}}},
			then: domain.FriendRequestAccepted{User: "b", From: "a",
				Entry:   &domain.Entry{Alias: "ay", Attributes: map[string]string{"k0": "v"}, Wording: "hi", CreateTime: nowMs},
				Reverse: &domain.Entry{Alias: "bee", Wording: "hi", CreateTime: nowMs}}},
		{name: "accept keeps a direction that exists",
			given: append(sent[:3:3], ev(domain.FriendAdded{User: "b", Friend: "a", Entry: entry(1)})),
			when:  domain.AcceptRequest{User: "b", From: "a"},
			then:  domain.FriendRequestAccepted{User: "b", From: "a", Reverse: &domain.Entry{Alias: "bee", Wording: "hi", CreateTime: nowMs}}},
		{name: "accept no request", given: ab, when: domain.AcceptRequest{User: "b", From: "a"}, err: domain.ErrRequestNotFound},
		{name: "accept the request the other way", given: sent, when: domain.AcceptRequest{User: "a", From: "b"}, err: domain.ErrRequestNotFound},
		{name: "accept an expired request", given: expired, when: domain.AcceptRequest{User: "b", From: "a"}, err: domain.ErrRequestNotWaiting},
		{name: "accept a rejected request", given: rejected, when: domain.AcceptRequest{User: "b", From: "a"}, err: domain.ErrRequestNotWaiting},
		{name: "accept when blocked", given: append(sent[:3:3], ev(domain.UserBlocked{User: "a", Target: "b"})),
			when: domain.AcceptRequest{User: "b", From: "a"}, err: domain.ErrBlockedByTarget},
		{name: "accept after the requester left", given: append(sent[:3:3], ev(domain.UserDeleted{User: "a"})),
			when: domain.AcceptRequest{User: "b", From: "a"}, err: domain.ErrTargetNotRegistered},
		{name: "reject", given: sent, when: domain.RejectRequest{User: "b", From: "a"}, then: domain.FriendRequestRejected{User: "b", From: "a"}},
		{name: "reject twice", given: rejected, when: domain.RejectRequest{User: "b", From: "a"}, err: domain.ErrRequestNotWaiting},
		{name: "reject an expired request", given: expired, when: domain.RejectRequest{User: "b", From: "a"}, err: domain.ErrRequestNotWaiting},
		{name: "delete a rejected request", given: rejected, when: domain.DeleteRequest{User: "b", From: "a"}, then: domain.FriendRequestDeleted{User: "b", From: "a"}},
		{name: "delete no request", given: ab, when: domain.DeleteRequest{User: "b", From: "a"}, err: domain.ErrRequestNotFound},
		{name: "consent of a user who never set it", given: ab,
			when: domain.AddFriend{User: "a", Friend: "b", Consent: true},
			then: domain.FriendAdded{User: "a", Friend: "b", Entry: entry(nowMs)}},
		{name: "consent of a user who confirms", given: append(registered("a", "b"), ev(domain.UserProfileUpdated{User: "b", AllowType: str(domain.NeedConfirm)})),
			when: domain.AddFriend{User: "a", Friend: "b", Consent: true, Entry: domain.Entry{Alias: "bee"}, Reverse: &domain.Entry{}},
			then: domain.FriendRequestSent{User: "a", Target: "b", Entry: domain.Entry{Alias: "bee", CreateTime: nowMs, UpdateTime: nowMs}, ExpireTime: week}},
		{name: "consent of a user who denies", given: append(registered("a", "b"), ev(domain.UserProfileUpdated{User: "b", AllowType: str(domain.DenyAny)})),
			when: domain.AddFriend{User: "a", Friend: "b", Consent: true}, err: domain.ErrAddDenied},
		{name: "a forced add ignores consent", given: append(registered("a", "b"), ev(domain.UserProfileUpdated{User: "b", AllowType: str(domain.DenyAny)})),
			when: domain.AddFriend{User: "a", Friend: "b"}, then: domain.FriendAdded{User: "a", Friend: "b", Entry: entry(nowMs)}},
		{name: "accept of a request into a group the requester has no room for", given: func() []domain.Event {
			evs := append(registered("a", "b"), ev(domain.FriendRequestSent{User: "a", Target: "b", Entry: domain.Entry{Groups: []string{"new"}}, ExpireTime: nowMs + 1}))
			for i := range domain.MaxFriendGroups {
				evs = append(evs, ev(domain.FriendGroupsAdded{User: "a", Groups: []string{fmt.Sprint("g", i)}}))
			}
			return evs
		}(), when: domain.AcceptRequest{User: "b", From: "a"}, err: domain.ErrGroupLimit},
		{name: "follow", given: ab, when: domain.FollowUser{User: "a", Target: "b"}, then: domain.UserFollowed{User: "a", Target: "b"}},
		{name: "follow twice", given: append(registered("a", "b"), ev(domain.UserFollowed{User: "a", Target: "b"})),
			when: domain.FollowUser{User: "a", Target: "b"}, err: domain.ErrAlreadyFollowing},
		{name: "follow oneself", given: ab, when: domain.FollowUser{User: "a", Target: "a"}, err: domain.ErrSelf},
		{name: "mute", given: ab, when: domain.MuteUser{User: "a", Target: "b"}, then: domain.UserMuted{User: "a", Target: "b"}},
		{name: "mute twice", given: append(registered("a", "b"), ev(domain.UserMuted{User: "a", Target: "b"})),
			when: domain.MuteUser{User: "a", Target: "b"}, err: domain.ErrAlreadyMuted},
		{name: "mute oneself", given: ab, when: domain.MuteUser{User: "a", Target: "a"}, err: domain.ErrSelf},
		{name: "mute nobody", given: ab, when: domain.MuteUser{User: "a", Target: "z"}, err: domain.ErrTargetNotRegistered},
		{name: "mute a blocked friend", given: append(registered("a", "b"), ev(domain.UserBlocked{User: "a", Target: "b"})),
			when: domain.MuteUser{User: "a", Target: "b"}, then: domain.UserMuted{User: "a", Target: "b"}},
		{name: "unmute", given: append(registered("a", "b"), ev(domain.UserMuted{User: "a", Target: "b"})),
			when: domain.UnmuteUser{User: "a", Target: "b"}, then: domain.UserUnmuted{User: "a", Target: "b"}},
		{name: "unmute the other way", given: append(registered("a", "b"), ev(domain.UserMuted{User: "a", Target: "b"})),
			when: domain.UnmuteUser{User: "b", Target: "a"}, err: domain.ErrNotMuted},
		{name: "a full mute list", given: func() []domain.Event {
			evs := registered("a", "b")
			for i := range domain.MaxMuted {
				evs = append(evs, ev(domain.UserMuted{User: "a", Target: fmt.Sprint("m", i)}))
			}
			return evs
		}(), when: domain.MuteUser{User: "a", Target: "b"}, err: domain.ErrMuteLimit},
		{name: "unfollow", given: append(registered("a", "b"), ev(domain.UserFollowed{User: "a", Target: "b"})),
			when: domain.UnfollowUser{User: "a", Target: "b"}, then: domain.UserUnfollowed{User: "a", Target: "b"}},
		{name: "unfollow the other way", given: append(registered("a", "b"), ev(domain.UserFollowed{User: "a", Target: "b"})),
			when: domain.UnfollowUser{User: "b", Target: "a"}, err: domain.ErrNotFollowing},
		{name: "profile", given: ab, when: domain.UpdateProfile{User: "a", Extra: str("x")}, then: domain.UserProfileUpdated{User: "a", Extra: str("x")}},
		{name: "profile of nobody", given: ab, when: domain.UpdateProfile{User: "c", Extra: str("x")}, err: domain.ErrUserNotRegistered},
		{name: "profile with a bad AllowType", given: ab, when: domain.UpdateProfile{User: "a", AllowType: str("AllowType_Type_Maybe")}, err: domain.ErrInvalid},
		{name: "profile changing nothing", given: ab, when: domain.UpdateProfile{User: "a"}},
	}
	runDecide(t, tests)
}

func TestRequestStateAt(t *testing.T) {
	r := domain.Request{State: domain.RequestWaiting, ExpireTime: 100}
	for _, tt := range []struct {
		r    domain.Request
		at   int64
		want domain.RequestState
	}{
		{r, 99, domain.RequestWaiting},
		{r, 100, domain.RequestExpired},
		{domain.Request{State: domain.RequestAccepted, ExpireTime: 100}, 200, domain.RequestAccepted},
		{domain.Request{State: domain.RequestWaiting}, 1 << 50, domain.RequestWaiting},
	} {
		if got := tt.r.StateAt(tt.at); got != tt.want {
			t.Errorf("%+v.StateAt(%d) = %v, want %v", tt.r, tt.at, got, tt.want)
		}
	}
}

// TestFollowCap holds a user to MaxFollowing.
func TestFollowCap(t *testing.T) {
	evs := registered("a", "b")
	for i := range domain.MaxFollowing {
		evs = append(evs, ev(domain.UserFollowed{User: "a", Target: string(rune('c' + i))}))
	}
	if _, err := (domain.FollowUser{User: "a", Target: "b"}).Decide(given(evs...), now); err != domain.ErrFollowLimit {
		t.Fatalf("Decide(follow past the cap) error = %v, want %v", err, domain.ErrFollowLimit)
	}
}

// TestARequestFromAFullList: a user whose list is full is told so when
// the add would become a request, as when it would add.
func TestARequestFromAFullList(t *testing.T) {
	str := func(s string) *string { return &s }
	s := given(append(registered("a", "b", "c"), ev(domain.UserProfileUpdated{User: "b", AllowType: str(domain.NeedConfirm)}),
		ev(domain.FriendAdded{User: "a", Friend: "c", Entry: entry(1)}))...)
	s.max = 1
	if _, err := (domain.AddFriend{User: "a", Friend: "b", Consent: true}).Decide(s, now); err != domain.ErrFriendLimit {
		t.Errorf("a request from a full list: %v, want %v", err, domain.ErrFriendLimit)
	}
	if _, err := (domain.SendRequest{User: "a", Target: "b"}).Decide(s, now); err != domain.ErrFriendLimit {
		t.Errorf("SendRequest from a full list: %v, want %v", err, domain.ErrFriendLimit)
	}
	if s.reserved["a"] != 0 {
		t.Errorf("a refused request kept %d slots", s.reserved["a"])
	}
}
