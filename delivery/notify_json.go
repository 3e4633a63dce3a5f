package delivery

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/amity-im/amity/domain/jsonscan"
)

// appendJSON appends n as encoding/json encodes it, without reflection, for
// the notifications of friend-list and blocklist changes, which every add
// makes (a profile of the server at 20 000 adds/s spent a tenth of its CPU
// in encoding/json here). A notification with anything else — requests,
// profiles, custom fields, a time encoding/json would refuse — is handed to
// encoding/json. TestNotificationJSONAsEncodingJSON and its fuzz target
// hold the two to the same bytes.
func (n *Notification) appendJSON(b []byte) ([]byte, error) {
	if !jsonscan.TimeEncodes(n.Time) || len(n.ApplicationList) > 0 || n.UserInfo != nil || slices.ContainsFunc(n.FriendInfoList, func(f FriendInfo) bool { return len(f.Custom) > 0 }) {
		out, err := json.Marshal(n)
		return append(b, out...), err
	}
	b = append(b, `{"app":`...)
	b = jsonscan.AppendString(b, n.App)
	b = append(b, `,"user":`...)
	b = jsonscan.AppendString(b, n.User)
	b = append(b, `,"event_id":`...)
	b = jsonscan.AppendString(b, n.EventID)
	b = append(b, `,"event_type":`...)
	b = jsonscan.AppendString(b, n.EventType)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, n.Seq, 10)
	b = append(b, `,"time":`...)
	b, _ = jsonscan.AppendTime(b, n.Time) // checked above
	b = append(b, `,"event":`...)
	b = jsonscan.AppendString(b, n.Event)
	if n.Action != "" {
		b = append(b, `,"action":`...)
		b = jsonscan.AppendString(b, n.Action)
	}
	if len(n.FriendInfoList) > 0 {
		b = append(b, `,"friendInfoList":[`...)
		for i := range n.FriendInfoList {
			if i > 0 {
				b = append(b, ',')
			}
			b = n.FriendInfoList[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	if len(n.UserList) > 0 {
		b = append(b, `,"userList":[`...)
		for i, u := range n.UserList {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"userID":`...)
			b = jsonscan.AppendString(b, u.UserID)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if y := n.Yunxin; y != nil {
		b = append(b, `,"yunxin":{"type":`...)
		b = jsonscan.AppendString(b, y.Type)
		b = append(b, `,"from":`...)
		b = jsonscan.AppendString(b, y.From)
		b = append(b, `,"to":`...)
		b = jsonscan.AppendString(b, y.To)
		if y.Ps != "" {
			b = append(b, `,"ps":`...)
			b = jsonscan.AppendString(b, y.Ps)
		}
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

func (f *FriendInfo) appendJSON(b []byte) []byte {
	b = append(b, `{"userID":`...)
	b = jsonscan.AppendString(b, f.UserID)
	if f.FriendAlias != nil {
		b = append(b, `,"friendAlias":`...)
		b = jsonscan.AppendString(b, *f.FriendAlias)
	}
	if f.Wording != "" {
		b = append(b, `,"wording":`...)
		b = jsonscan.AppendString(b, f.Wording)
	}
	if f.CreateTime != 0 {
		b = append(b, `,"createTime":`...)
		b = strconv.AppendInt(b, f.CreateTime, 10)
	}
	if len(f.FriendAttributes) > 0 {
		b = jsonscan.AppendStringMap(append(b, `,"friendAttributes":`...), f.FriendAttributes)
	}
	if f.Groups != nil {
		b = append(b, `,"groups":`...)
		if *f.Groups == nil {
			b = append(b, "null"...)
		} else {
			b = jsonscan.AppendStrings(b, *f.Groups)
		}
	}
	return append(b, '}')
}
