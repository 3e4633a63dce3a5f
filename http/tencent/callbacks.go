package tencent

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
)

// Tencent's relationship-chain callback commands.
const (
	CmdFriendAdd       = "Sns.CallbackFriendAdd"
	CmdFriendDelete    = "Sns.CallbackFriendDelete"
	CmdBlackListAdd    = "Sns.CallbackBlackListAdd"
	CmdBlackListDelete = "Sns.CallbackBlackListDelete"
	// Follows' callbacks, after the change.
	CmdFollowAdd    = "Follow.CallbackAfterFollowAdd"
	CmdFollowDelete = "Follow.CallbackAfterFollowDelete"
)

// Pair is one entry of a callback's PairList.
type Pair struct {
	From_Account      string `json:"From_Account"`                // nolint:revive // the wire name
	To_Account        string `json:"To_Account"`                  // nolint:revive // the wire name
	Initiator_Account string `json:"Initiator_Account,omitempty"` // nolint:revive // the wire name
}

// Callbacks are Tencent-style webhooks (delivery.Style): the Sns.Callback*
// commands with Tencent's query string and PairList bodies; friend_import
// sends none, as on Tencent.
type Callbacks struct {
	// Apps are the Tencent parts of apps by name.
	Apps map[string]*App
}

// Commands implements delivery.Style.
func (Callbacks) Commands() []string {
	return []string{CmdFriendAdd, CmdFriendDelete, CmdBlackListAdd, CmdBlackListDelete, CmdFollowAdd, CmdFollowDelete}
}

// Deliveries implements delivery.Style.
func (cb Callbacks) Deliveries(app *domain.App, seq uint64, c domain.Commit) []delivery.Delivery {
	b := &delivery.Builder{App: app, Seq: seq}
	admin := ""
	if t := cb.Apps[app.Name]; t != nil && len(t.Admins) > 0 {
		admin = t.Admins[0]
	}
	pairs := func(ev domain.Event, command string, list []Pair, extra map[string]any) {
		body := map[string]any{"CallbackCommand": command, "PairList": list}
		for k, v := range extra {
			body[k] = v
		}
		b.Add(ev, command, body)
	}
	for i := 0; i < len(c.Events); i++ {
		ev := c.Events[i]
		switch d := ev.Data.(type) {
		case domain.UserFollowed, domain.UserUnfollowed:
			// One callback per follower and request, listing its targets.
			j := i + 1
			for j < len(c.Events) && sameFollows(ev, c.Events[j]) {
				j++
			}
			var targets []string
			for _, e := range c.Events[i:j] {
				_, t, _ := e.Parties()
				targets = append(targets, t)
			}
			from, _, _ := ev.Parties()
			at := ev.Time.UnixMilli()
			if _, ok := d.(domain.UserFollowed); ok {
				list := make([]map[string]string, len(targets))
				for k, t := range targets {
					list[k] = map[string]string{"To_Account": t}
				}
				b.Add(ev, CmdFollowAdd, map[string]any{"CallbackCommand": CmdFollowAdd, "From_Account": from, "FollowList": list, "EventTime": at})
			} else {
				b.Add(ev, CmdFollowDelete, map[string]any{"CallbackCommand": CmdFollowDelete, "From_Account": from, "To_Account": targets, "EventTime": at})
			}
			i = j - 1
		case domain.FriendRequestAccepted:
			var list []Pair
			if d.Entry != nil {
				list = append(list, Pair{d.User, d.From, d.User})
			}
			if d.Reverse != nil {
				list = append(list, Pair{d.From, d.User, d.User})
			}
			if len(list) > 0 {
				pairs(ev, CmdFriendAdd, list, map[string]any{"ClientCmd": "friend_response", "Admin_Account": admin, "ForceFlag": 0})
			}
		case domain.FriendAdded:
			if d.Imported {
				continue
			}
			var list []Pair
			if d.Entry != nil {
				list = append(list, Pair{d.User, d.Friend, d.User})
			}
			if d.Reverse != nil {
				list = append(list, Pair{d.Friend, d.User, d.User})
			}
			pairs(ev, CmdFriendAdd, list, map[string]any{"ClientCmd": "friend_add", "Admin_Account": admin, "ForceFlag": 1})
		case domain.FriendDeleted:
			list := []Pair{{From_Account: d.User, To_Account: d.Friend}}
			if d.Both {
				list = append(list, Pair{From_Account: d.Friend, To_Account: d.User})
			}
			pairs(ev, CmdFriendDelete, list, nil)
		case domain.UserBlocked:
			pairs(ev, CmdBlackListAdd, []Pair{{From_Account: d.User, To_Account: d.Target}}, nil)
			if d.Unfriended {
				pairs(ev, CmdFriendDelete, []Pair{{From_Account: d.User, To_Account: d.Target}, {From_Account: d.Target, To_Account: d.User}}, nil)
			}
		case domain.UserUnblocked:
			pairs(ev, CmdBlackListDelete, []Pair{{From_Account: d.User, To_Account: d.Target}}, nil)
		}
	}
	return b.Out
}

// sameFollows reports whether b is the same kind of follow change as a, by
// the same follower in the same request: one callback tells both.
func sameFollows(a, b domain.Event) bool {
	ua, _, _ := a.Parties()
	ub, _, _ := b.Parties()
	return a.Type == b.Type && ua == ub && a.RequestID == b.RequestID
}

// Request implements delivery.Style: Tencent's query string on the
// callback URL, signed with the app's webhook token when it has one.
func (cbs Callbacks) Request(app *domain.App, d delivery.Delivery, now time.Time) (string, []byte, error) {
	cb := app.Callback
	q := url.Values{"CallbackCommand": {d.Command}, "contenttype": {"json"}, "ClientIP": {""}, "OptPlatform": {"RESTAPI"}}
	if t := cbs.Apps[app.Name]; t != nil {
		q.Set("SdkAppid", strconv.FormatUint(t.SDKAppID, 10))
	}
	if cb.Token != "" {
		ts := strconv.FormatInt(now.Unix(), 10)
		q.Set("RequestTime", ts)
		q.Set("Sign", SignCallback(cb.Token, ts))
	}
	sep := "?"
	if strings.Contains(cb.URL, "?") {
		sep = "&"
	}
	return cb.URL + sep + q.Encode(), d.Body, nil
}

// SignCallback is the Sign of a callback made at requestTime (Unix
// seconds) with the app's webhook token: the lowercase hex SHA-256 of the
// token followed by the time.
func SignCallback(token, requestTime string) string {
	sum := sha256.Sum256([]byte(token + requestTime))
	return hex.EncodeToString(sum[:])
}
