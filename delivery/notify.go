package delivery

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/amity-im/amity/domain"
)

// The notifier is a projection whose side effect is sending: for every
// committed change, each affected user gets one message on
// amity.<app>.notify.<token>, shaped like the ZIM SDK's client events. It
// reads the stream through a durable consumer, every commit already
// waiting at once (up to notifierBatch), publishes their notifications live
// (core NATS, nothing stored: the commits are the durable record), in
// stream order, and acknowledges the commits only once the server has
// them, so a crash or restart resumes where it stopped and no change is
// skipped. A commit notified again after a crash yields the same messages
// with the same event ids and Nats-Msg-Id headers.

// Client event names.
const (
	OnFriendListChanged = "onFriendListChanged"
	OnFriendInfoUpdated = "onFriendInfoUpdated"
	OnBlacklistChanged  = "onBlacklistChanged"
	// Friend requests (ZIM's client events; Tencent's
	// onFriendApplicationListAdded/Deleted carry the same facts).
	OnFriendApplicationListChanged = "onFriendApplicationListChanged"
	OnFriendApplicationUpdated     = "onFriendApplicationUpdated"
	// Follows (Tencent's client events).
	OnMyFollowingListChanged = "onMyFollowingListChanged"
	OnMyFollowersListChanged = "onMyFollowersListChanged"
	// Profiles.
	OnUserInfoUpdated = "onUserInfoUpdated"
	// Mutes (Yunxin's mute list).
	OnMuteListChanged = "onMuteListChanged"
	// OnSysMsg is Yunxin's system message to a user whose friend list did
	// not change: the friend of a one-way delete made through Yunxin is
	// told deleteFriend.
	OnSysMsg = "onSysMsg"
)

// SurfaceYunxin is the Surface of the events the Yunxin surface records.
const SurfaceYunxin = "yunxin"

// Yunxin's system notification types, which a notification names in its
// yunxin part where it stands in for one.
const (
	YunxinAddFriend         = "addFriend"
	YunxinApplyFriend       = "applyFriend"
	YunxinPassFriendApply   = "passFriendApply"
	YunxinRejectFriendApply = "rejectFriendApply"
	YunxinDeleteFriend      = "deleteFriend"
	YunxinUpdateFriend      = "updateFriend"
)

// YunxinNotice is the Yunxin SDK event a notification stands in for: its
// type, the user who acted (from), the other (to), and the postscript.
type YunxinNotice struct {
	Type string `json:"type"`
	From string `json:"from"`
	To   string `json:"to"`
	Ps   string `json:"ps,omitempty"`
}

// Notification is one message to one user's subscribers.
type Notification struct {
	App       string    `json:"app"`
	User      string    `json:"user"`
	EventID   string    `json:"event_id"`
	EventType string    `json:"event_type"`
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"`
	// Event is the client event this stands in for; Action is Added or
	// Deleted (friend list), Added or Removed (blocklist), empty for
	// onFriendInfoUpdated.
	Event           string            `json:"event"`
	Action          string            `json:"action,omitempty"`
	FriendInfoList  []FriendInfo      `json:"friendInfoList,omitempty"`
	UserList        []UserInfo        `json:"userList,omitempty"`
	ApplicationList []ApplicationInfo `json:"applicationList,omitempty"`
	UserInfo        *ProfileInfo      `json:"userInfo,omitempty"`
	Yunxin          *YunxinNotice     `json:"yunxin,omitempty"`
}

// ApplicationInfo is a friend request as ZIM's ZIMFriendApplicationInfo
// carries it: the other user, and type 1 (received) or 2 (sent); state is
// ZIMFriendApplicationState (1 waiting, 2 accepted, 3 rejected).
type ApplicationInfo struct {
	ApplyUser  UserInfo            `json:"applyUser"`
	Wording    string              `json:"wording,omitempty"`
	CreateTime int64               `json:"createTime,omitempty"`
	UpdateTime int64               `json:"updateTime"`
	Type       int                 `json:"type"`
	State      domain.RequestState `json:"state"`
}

// Request types, ZIMFriendApplicationType's numbering.
const (
	ApplicationReceived = 1
	ApplicationSent     = 2
)

// ProfileInfo is the changed part of a user's profile.
type ProfileInfo struct {
	UserID    string  `json:"userID"`
	UserName  *string `json:"userName,omitempty"`
	Avatar    *string `json:"userAvatarUrl,omitempty"`
	Extra     *string `json:"extra,omitempty"`
	AllowType *string `json:"allowType,omitempty"`
}

// FriendInfo is a friend as the client events carry it. On
// onFriendInfoUpdated only the fields that changed are set.
type FriendInfo struct {
	UserID           string                        `json:"userID"`
	FriendAlias      *string                       `json:"friendAlias,omitempty"`
	Wording          string                        `json:"wording,omitempty"`
	CreateTime       int64                         `json:"createTime,omitempty"`
	FriendAttributes map[string]string             `json:"friendAttributes,omitempty"`
	Groups           *[]string                     `json:"groups,omitempty"`
	Custom           map[string]domain.CustomValue `json:"custom,omitempty"`
}

// UserInfo names a user in a blocklist change.
type UserInfo struct {
	UserID string `json:"userID"`
}

func entryInfo(id string, e *domain.Entry) FriendInfo {
	alias := e.Alias
	return FriendInfo{UserID: id, FriendAlias: &alias, Wording: e.Wording, CreateTime: e.CreateTime, FriendAttributes: e.Attributes}
}

// Notifications returns the notifications of commit c stored at seq, in
// event order.
func Notifications(seq uint64, c domain.Commit) []Notification {
	return appendNotifications(nil, seq, c)
}

// appendNotifications appends the notifications of commit c stored at seq
// to out.
func appendNotifications(out []Notification, seq uint64, c domain.Commit) []Notification {
	for _, ev := range c.Events {
		n := func(user, event, action string) *Notification {
			out = append(out, Notification{App: ev.App, User: user, EventID: ev.ID, EventType: ev.Type, Seq: seq, Time: ev.Time, Event: event, Action: action})
			return &out[len(out)-1]
		}
		// answered tells both sides of from's request to user its new state.
		answered := func(user, from string, state domain.RequestState) {
			at := ev.Time.UnixMilli()
			n(user, OnFriendApplicationUpdated, "").ApplicationList = []ApplicationInfo{{ApplyUser: UserInfo{from}, UpdateTime: at, Type: ApplicationReceived, State: state}}
			n(from, OnFriendApplicationUpdated, "").ApplicationList = []ApplicationInfo{{ApplyUser: UserInfo{user}, UpdateTime: at, Type: ApplicationSent, State: state}}
		}
		// yx marks the notifications made since mark as standing in for
		// Yunxin's notice typ from from to to.
		yx := func(mark int, typ, from, to, ps string) {
			notice := &YunxinNotice{Type: typ, From: from, To: to, Ps: ps}
			for i := mark; i < len(out); i++ {
				out[i].Yunxin = notice
			}
		}
		mark := len(out)
		switch d := ev.Data.(type) {
		case domain.FriendAdded:
			ps := ""
			if d.Entry != nil {
				ps = d.Entry.Wording
				n(d.User, OnFriendListChanged, "Added").FriendInfoList = []FriendInfo{entryInfo(d.Friend, d.Entry)}
			}
			if d.Reverse != nil {
				n(d.Friend, OnFriendListChanged, "Added").FriendInfoList = []FriendInfo{entryInfo(d.User, d.Reverse)}
			}
			yx(mark, YunxinAddFriend, d.User, d.Friend, ps)
		case domain.FriendDeleted:
			n(d.User, OnFriendListChanged, "Deleted").FriendInfoList = []FriendInfo{{UserID: d.Friend}}
			switch {
			case d.Both:
				n(d.Friend, OnFriendListChanged, "Deleted").FriendInfoList = []FriendInfo{{UserID: d.User}}
			case ev.Surface == SurfaceYunxin:
				// Yunxin tells the friend of a one-way delete; ZIM and
				// Tencent do not.
				n(d.Friend, OnSysMsg, "").UserList = []UserInfo{{d.User}}
			}
			yx(mark, YunxinDeleteFriend, d.User, d.Friend, "")
		case domain.FriendUpdated:
			n(d.User, OnFriendInfoUpdated, "").FriendInfoList = []FriendInfo{{UserID: d.Friend, FriendAlias: d.Alias,
				FriendAttributes: d.Attributes, Groups: d.Groups, Custom: d.Custom}}
			yx(mark, YunxinUpdateFriend, d.User, d.Friend, "")
		case domain.UserBlocked:
			n(d.User, OnBlacklistChanged, "Added").UserList = []UserInfo{{d.Target}}
			if d.Unfriended {
				n(d.User, OnFriendListChanged, "Deleted").FriendInfoList = []FriendInfo{{UserID: d.Target}}
				n(d.Target, OnFriendListChanged, "Deleted").FriendInfoList = []FriendInfo{{UserID: d.User}}
			}
		case domain.UserUnblocked:
			n(d.User, OnBlacklistChanged, "Removed").UserList = []UserInfo{{d.Target}}
		case domain.UserMuted:
			n(d.User, OnMuteListChanged, "Added").UserList = []UserInfo{{d.Target}}
		case domain.UserUnmuted:
			n(d.User, OnMuteListChanged, "Removed").UserList = []UserInfo{{d.Target}}
		case domain.FriendRequestSent:
			app := func(other string, typ int) []ApplicationInfo {
				return []ApplicationInfo{{ApplyUser: UserInfo{other}, Wording: d.Entry.Wording, CreateTime: d.Entry.CreateTime,
					UpdateTime: d.Entry.UpdateTime, Type: typ, State: domain.RequestWaiting}}
			}
			n(d.Target, OnFriendApplicationListChanged, "Added").ApplicationList = app(d.User, ApplicationReceived)
			n(d.User, OnFriendApplicationListChanged, "Added").ApplicationList = app(d.Target, ApplicationSent)
			yx(mark, YunxinApplyFriend, d.User, d.Target, d.Entry.Wording)
		case domain.FriendRequestAccepted:
			answered(d.User, d.From, domain.RequestAccepted)
			if d.Entry != nil {
				n(d.User, OnFriendListChanged, "Added").FriendInfoList = []FriendInfo{entryInfo(d.From, d.Entry)}
			}
			if d.Reverse != nil {
				n(d.From, OnFriendListChanged, "Added").FriendInfoList = []FriendInfo{entryInfo(d.User, d.Reverse)}
			}
			yx(mark, YunxinPassFriendApply, d.User, d.From, "")
		case domain.FriendRequestRejected:
			answered(d.User, d.From, domain.RequestRejected)
			yx(mark, YunxinRejectFriendApply, d.User, d.From, "")
		case domain.FriendRequestDeleted:
			n(d.User, OnFriendApplicationListChanged, "Deleted").ApplicationList = []ApplicationInfo{{ApplyUser: UserInfo{d.From},
				UpdateTime: ev.Time.UnixMilli(), Type: ApplicationReceived}}
		case domain.UserFollowed:
			n(d.User, OnMyFollowingListChanged, "Added").UserList = []UserInfo{{d.Target}}
			n(d.Target, OnMyFollowersListChanged, "Added").UserList = []UserInfo{{d.User}}
		case domain.UserUnfollowed:
			n(d.User, OnMyFollowingListChanged, "Deleted").UserList = []UserInfo{{d.Target}}
			n(d.Target, OnMyFollowersListChanged, "Deleted").UserList = []UserInfo{{d.User}}
		case domain.UserProfileUpdated:
			n(d.User, OnUserInfoUpdated, "").UserInfo = &ProfileInfo{UserID: d.User, UserName: d.Name, Avatar: d.Avatar, Extra: d.Extra, AllowType: d.AllowType}
		}
	}
	return out
}

// Outgoing is a live message.
type Outgoing struct {
	Subject string
	MsgID   string
	Data    []byte
}

// Durable is a durable consumer of the stream (see eventstore.Store.Consume).
type Durable interface {
	Consume(ctx context.Context, name string, filters []string, ackWait time.Duration, fn func(ctx context.Context, r domain.Record, progress func()) error) error
}

// BatchDurable is a durable consumer of the stream that hands over every
// commit already waiting at once (see eventstore.Store.ConsumeBatches).
type BatchDurable interface {
	ConsumeBatches(ctx context.Context, name string, filters []string, ackWait time.Duration, size int, fn func(ctx context.Context, rs []domain.Record) error) error
}

// notifierAckWait is how long a commit handed to a notifier that died stays
// with it before another notifier (or the restarted one) gets it.
const notifierAckWait = 5 * time.Second

// notifierBatch is the most commits the notifier takes at once; their
// notifications are published together and flushed once.
const notifierBatch = 256

// Notifier publishes the notifications of every commit it reads.
type Notifier struct {
	// Source is the stream; Name its durable consumer, which every Amity
	// instance on a cluster shares, so each change is notified once;
	// Filters the subjects it reads (relations, and users for profile
	// changes).
	Source  BatchDurable
	Name    string
	Filters []string
	// Subject is the subject of user's notifications in app.
	Subject func(app, user string) string
	// Publish sends the messages live, in order, and returns once the
	// server has every one.
	Publish func(context.Context, []Outgoing) error
	Logger  *slog.Logger
	// Meter, when set, is told of every batch sent.
	Meter Meter
}

// Meter is told what the senders do, for metrics.
type Meter interface {
	// Notified: the notifications of commits, the last of them made at
	// last, were sent.
	Notified(commits, notifications int, last time.Time)
	// Delivered: one try of a callback of app ended with result: ok,
	// retry (it failed and will be tried again) or parked.
	Delivered(app, command, result string)
}

// Run notifies every commit of the stream until ctx ends.
func (nf *Notifier) Run(ctx context.Context) error {
	var msgs []Outgoing
	var buf, id []byte
	var ns []Notification
	err := nf.Source.ConsumeBatches(ctx, nf.Name, nf.Filters, notifierAckWait, notifierBatch, func(ctx context.Context, rs []domain.Record) error {
		msgs, buf = msgs[:0], buf[:0]
		var last time.Time
		for _, r := range rs {
			c, err := domain.DecodeRecord(r)
			if err != nil {
				nf.Logger.Error("notifier: bad message skipped", "seq", r.Seq, "subject", r.Subject, "err", err)
				continue
			}
			if n := len(c.Events); n > 0 {
				last = c.Events[n-1].Time
			}
			clear(ns) // what the last commit's notifications held
			ns = appendNotifications(ns[:0], r.Seq, c)
			for i := range ns {
				n := &ns[i]
				// One buffer holds the batch's messages; a message is
				// its own part of it.
				start := len(buf)
				var err error
				if buf, err = n.appendJSON(buf); err != nil {
					return fmt.Errorf("encode notification: %w", err)
				}
				data := buf[start:len(buf):len(buf)]
				// The same notification of the same commit has the same
				// ID, so a subscriber can tell one sent again.
				id = append(append(id[:0], n.EventID...), ':')
				id = base64.RawURLEncoding.AppendEncode(append(strconv.AppendInt(id, int64(i), 10), ':'), []byte(n.User))
				msgs = append(msgs, Outgoing{Subject: nf.Subject(n.App, n.User), MsgID: string(id), Data: data})
			}
		}
		if len(msgs) > 0 {
			if err := nf.Publish(ctx, msgs); err != nil {
				if ctx.Err() == nil {
					nf.Logger.Warn("notifier: publish failed, will retry", "from", rs[0].Seq, "to", rs[len(rs)-1].Seq, "err", err)
				}
				return err
			}
		}
		if nf.Meter != nil {
			nf.Meter.Notified(len(rs), len(msgs), last)
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("notifier: %w", err)
	}
	return nil
}
