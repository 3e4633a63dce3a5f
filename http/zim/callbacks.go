package zim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
)

// ZIM-style callback events.
const (
	EventFriendAdded      = "friend_added"
	EventFriendDeleted    = "friend_deleted"
	EventFriendUpdated    = "friend_updated"
	EventBlacklistAdded   = "blacklist_added"
	EventBlacklistRemoved = "blacklist_removed"
)

// Callbacks are ZIM-style webhooks (delivery.Style): one JSON event per
// change, signed as ZIM signs its callbacks, carrying the app's ZIM AppId
// where it has a ZIM part.
type Callbacks struct {
	// AppIDs are the ZIM AppIds of apps by name.
	AppIDs map[string]uint32
}

// Commands implements delivery.Style.
func (Callbacks) Commands() []string {
	return []string{EventFriendAdded, EventFriendDeleted, EventFriendUpdated, EventBlacklistAdded, EventBlacklistRemoved}
}

// Deliveries implements delivery.Style.
func (Callbacks) Deliveries(app *domain.App, seq uint64, c domain.Commit) []delivery.Delivery {
	b := &delivery.Builder{App: app, Seq: seq}
	add := func(ev domain.Event, event string, fields map[string]any) {
		fields["event"] = event
		fields["event_id"] = ev.ID
		fields["seq"] = seq
		fields["event_time"] = ev.Time.UnixMilli()
		b.Add(ev, event, fields)
	}
	for _, ev := range c.Events {
		switch d := ev.Data.(type) {
		case domain.FriendAdded:
			if d.Imported {
				continue
			}
			add(ev, EventFriendAdded, map[string]any{"from_user_id": d.User, "user_id": d.Friend, "two_way": d.Entry != nil && d.Reverse != nil})
		case domain.FriendRequestAccepted:
			// An accepted request makes a friendship as an add does.
			if d.Entry != nil || d.Reverse != nil {
				add(ev, EventFriendAdded, map[string]any{"from_user_id": d.From, "user_id": d.User, "two_way": d.Entry != nil && d.Reverse != nil})
			}
		case domain.FriendDeleted:
			add(ev, EventFriendDeleted, map[string]any{"from_user_id": d.User, "user_id": d.Friend, "two_way": d.Both})
		case domain.FriendUpdated:
			f := map[string]any{"from_user_id": d.User, "user_id": d.Friend}
			if d.Alias != nil {
				f["friend_alias"] = *d.Alias
			}
			if len(d.Attributes) > 0 {
				f["attributes"] = d.Attributes
			}
			add(ev, EventFriendUpdated, f)
		case domain.UserBlocked:
			add(ev, EventBlacklistAdded, map[string]any{"from_user_id": d.User, "user_id": d.Target})
		case domain.UserUnblocked:
			add(ev, EventBlacklistRemoved, map[string]any{"from_user_id": d.User, "user_id": d.Target})
		}
	}
	return b.Out
}

// Request implements delivery.Style: the event with the app's id, a nonce,
// the time and their signature (SignCallback) added.
func (cb Callbacks) Request(app *domain.App, d delivery.Delivery, now time.Time) (string, []byte, error) {
	var fields map[string]any
	if err := json.Unmarshal(d.Body, &fields); err != nil {
		return "", nil, fmt.Errorf("delivery body: %w", err)
	}
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	ts := strconv.FormatInt(now.Unix(), 10)
	fields["nonce"] = hex.EncodeToString(nonce[:])
	fields["timestamp"] = ts
	if id, ok := cb.AppIDs[app.Name]; ok {
		fields["appid"] = strconv.FormatUint(uint64(id), 10)
	}
	fields["signature"] = SignCallback(app.Callback.Secret, ts, fields["nonce"].(string))
	body, err := json.Marshal(fields)
	return app.Callback.URL, body, err
}
