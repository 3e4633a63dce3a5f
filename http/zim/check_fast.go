package zim

import (
	"strconv"

	"github.com/amity-im/amity/domain/jsonscan"
)

// checkRequest is the body of CheckFriendsRelation.
type checkRequest struct {
	FromUserId string   //nolint:revive // the wire name
	UserIds    []string //nolint:revive // the wire name
	CheckType  *int
}

// scan reads the body in its plain form, the keys spelled as documented;
// it reports false for anything else, which encoding/json then decodes.
func (r *checkRequest) scan(b []byte) bool {
	s := jsonscan.Scanner{B: b}
	var seen uint8
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "FromUserId":
			return jsonscan.Once(&seen, 1) && s.Str(&r.FromUserId)
		case "UserIds":
			return jsonscan.Once(&seen, 2) && s.StrsCap(&r.UserIds, DefaultBatch)
		case "CheckType":
			var n int64
			if !jsonscan.Once(&seen, 4) || !s.Int(&n) || int64(int(n)) != n {
				return false
			}
			t := int(n)
			r.CheckType = &t
			return true
		}
		return false
	}) && s.End()
}

// checkResponse answers CheckFriendsRelation; its list goes out under two
// names.
type checkResponse struct {
	Common
	Successes []relationItem `json:"Successes"`
	Succ      []relationItem `json:"Succ"`
	Fails     []relationFail `json:"Fails"`
}

// appendJSON appends what encoding/json writes for r, without reflection.
func (r *checkResponse) appendJSON(b []byte) []byte {
	b = r.Common.appendFields(append(b, '{'))
	b = appendRelations(append(b, `,"Successes":`...), r.Successes)
	b = appendRelations(append(b, `,"Succ":`...), r.Succ)
	b = append(b, `,"Fails":`...)
	if r.Fails == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, f := range r.Fails {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonscan.AppendString(append(b, `{"UserId":`...), f.UserId)
			b = strconv.AppendInt(append(b, `,"SubCode":`...), int64(f.SubCode), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendRelations(b []byte, items []relationItem) []byte {
	if items == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonscan.AppendString(append(b, `{"UserId":`...), it.UserId)
		b = strconv.AppendInt(append(b, `,"Relation":`...), int64(it.Relation), 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendFields appends the common fields, without braces.
func (c *Common) appendFields(b []byte) []byte {
	b = strconv.AppendInt(append(b, `"Code":`...), int64(c.Code), 10)
	b = jsonscan.AppendString(append(b, `,"Message":`...), c.Message)
	return jsonscan.AppendString(append(b, `,"RequestId":`...), c.RequestId)
}

// friendBatchRequest is the body of AddFriends and SendFriendApplication.
type friendBatchRequest struct {
	FromUserId  string //nolint:revive // the wire name
	FriendInfos []friendItem
}

// scan reads the body in its plain form, as checkRequest.scan does.
func (r *friendBatchRequest) scan(b []byte) bool {
	s := jsonscan.Scanner{B: b}
	var seen uint8
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "FromUserId":
			return jsonscan.Once(&seen, 1) && s.Str(&r.FromUserId)
		case "FriendInfos":
			if !jsonscan.Once(&seen, 2) {
				return false
			}
			r.FriendInfos = make([]friendItem, 0, 1)
			return s.Array(func() bool {
				r.FriendInfos = append(r.FriendInfos, friendItem{})
				return r.FriendInfos[len(r.FriendInfos)-1].scan(&s)
			})
		}
		return false
	}) && s.End()
}

func (f *friendItem) scan(s *jsonscan.Scanner) bool {
	var seen uint8
	return s.Object(func(key []byte) bool {
		switch string(key) {
		case "UserId":
			return jsonscan.Once(&seen, 1) && s.Str(&f.UserId)
		case "Wording":
			return jsonscan.Once(&seen, 2) && s.Str(&f.Wording)
		case "FriendAlias":
			return jsonscan.Once(&seen, 4) && s.Str(&f.FriendAlias)
		case "FriendTime":
			return jsonscan.Once(&seen, 8) && s.Int(&f.FriendTime)
		case "CreateTime":
			return jsonscan.Once(&seen, 16) && s.Int(&f.CreateTime)
		case "UpdateTime":
			return jsonscan.Once(&seen, 32) && s.Int(&f.UpdateTime)
		case "Attributes":
			if !jsonscan.Once(&seen, 64) {
				return false
			}
			f.Attributes = make([]attribute, 0, 2)
			return s.Array(func() bool {
				var a attribute
				var kv uint8
				ok := s.Object(func(key []byte) bool {
					switch string(key) {
					case "Key":
						return jsonscan.Once(&kv, 1) && s.Str(&a.Key)
					case "Value":
						return jsonscan.Once(&kv, 2) && s.Str(&a.Value)
					}
					return false
				})
				f.Attributes = append(f.Attributes, a)
				return ok
			})
		}
		return false
	})
}
