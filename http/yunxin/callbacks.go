package yunxin

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
)

// Yunxin-style callback commands: the SDK's friend notices, and the
// changes of the two special relations.
const (
	CallbackAddFriend         = delivery.YunxinAddFriend
	CallbackApplyFriend       = delivery.YunxinApplyFriend
	CallbackPassFriendApply   = delivery.YunxinPassFriendApply
	CallbackRejectFriendApply = delivery.YunxinRejectFriendApply
	CallbackDeleteFriend      = delivery.YunxinDeleteFriend
	CallbackUpdateFriend      = delivery.YunxinUpdateFriend
	CallbackSpecialRelation   = "setSpecialRelation"
)

// Callbacks are Yunxin-style webhooks (delivery.Style): one JSON body a
// change, signed as Yunxin signs what it sends an app's server — the
// headers AppKey, CurTime (Unix milliseconds), MD5 (lowercase hex MD5 of
// the body) and CheckSum (lowercase hex SHA-1 of the secret, MD5 and
// CurTime) — with the app's Yunxin AppKey where it has a Yunxin part.
type Callbacks struct {
	// AppKeys are the Yunxin AppKeys of apps by name.
	AppKeys map[string]string
}

// Commands implements delivery.Style.
func (Callbacks) Commands() []string {
	return []string{CallbackAddFriend, CallbackApplyFriend, CallbackPassFriendApply, CallbackRejectFriendApply, CallbackDeleteFriend,
		CallbackUpdateFriend, CallbackSpecialRelation}
}

// callbackBody is what one callback carries.
type callbackBody struct {
	Type         string `json:"type"`
	From         string `json:"from"`
	To           string `json:"to"`
	Ps           string `json:"ps,omitempty"`
	RelationType int    `json:"relationType,omitempty"`
	Value        *int   `json:"value,omitempty"`
	EventID      string `json:"eventId"`
	Seq          uint64 `json:"seq"`
	Time         int64  `json:"time"`
}

// Deliveries implements delivery.Style.
func (Callbacks) Deliveries(app *domain.App, seq uint64, c domain.Commit) []delivery.Delivery {
	b := &delivery.Builder{App: app, Seq: seq}
	add := func(ev domain.Event, typ, from, to, ps string) *callbackBody {
		body := &callbackBody{Type: typ, From: from, To: to, Ps: ps, EventID: ev.ID, Seq: seq, Time: ev.Time.UnixMilli()}
		b.Add(ev, typ, body)
		return body
	}
	special := func(ev domain.Event, from, to string, relation, value int) {
		body := callbackBody{Type: CallbackSpecialRelation, From: from, To: to, RelationType: relation, Value: &value, EventID: ev.ID, Seq: seq,
			Time: ev.Time.UnixMilli()}
		b.Add(ev, CallbackSpecialRelation, body)
	}
	for _, ev := range c.Events {
		switch d := ev.Data.(type) {
		case domain.FriendAdded:
			if d.Imported {
				continue
			}
			ps := ""
			if d.Entry != nil {
				ps = d.Entry.Wording
			}
			add(ev, CallbackAddFriend, d.User, d.Friend, ps)
		case domain.FriendRequestSent:
			add(ev, CallbackApplyFriend, d.User, d.Target, d.Entry.Wording)
		case domain.FriendRequestAccepted:
			add(ev, CallbackPassFriendApply, d.User, d.From, "")
		case domain.FriendRequestRejected:
			add(ev, CallbackRejectFriendApply, d.User, d.From, "")
		case domain.FriendDeleted:
			add(ev, CallbackDeleteFriend, d.User, d.Friend, "")
		case domain.FriendUpdated:
			add(ev, CallbackUpdateFriend, d.User, d.Friend, "")
		case domain.UserBlocked:
			special(ev, d.User, d.Target, relationBlack, 1)
		case domain.UserUnblocked:
			special(ev, d.User, d.Target, relationBlack, 0)
		case domain.UserMuted:
			special(ev, d.User, d.Target, relationMute, 1)
		case domain.UserUnmuted:
			special(ev, d.User, d.Target, relationMute, 0)
		}
	}
	return b.Out
}

// Request implements delivery.Style: the body as it was built; Headers
// signs it.
func (Callbacks) Request(app *domain.App, d delivery.Delivery, _ time.Time) (string, []byte, error) {
	return app.Callback.URL, d.Body, nil
}

// Headers implements delivery.HeaderSigner.
func (cb Callbacks) Headers(app *domain.App, body []byte, now time.Time) http.Header {
	cur := strconv.FormatInt(now.UnixMilli(), 10)
	sum := md5.Sum(body)
	h := http.Header{}
	h.Set("AppKey", cb.AppKeys[app.Name])
	h.Set("CurTime", cur)
	h.Set("MD5", hex.EncodeToString(sum[:]))
	h.Set("CheckSum", CallbackCheckSum(app.Callback.Secret, hex.EncodeToString(sum[:]), cur))
	return h
}

// CallbackCheckSum is the CheckSum of a Yunxin-style callback: the
// lowercase hex SHA-1 of the secret, the body's MD5 and CurTime.
func CallbackCheckSum(secret, bodyMD5, curTime string) string {
	sum := sha1.Sum([]byte(secret + bodyMD5 + curTime))
	return hex.EncodeToString(sum[:])
}
