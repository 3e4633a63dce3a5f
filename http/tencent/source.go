package tencent

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// DefaultEndpoint is Tencent Cloud Chat's REST endpoint.
const DefaultEndpoint = "https://console.tim.qq.com"

// DefaultSourceQPS is the rate a migration reads Tencent at: the 200 calls
// a second of each API Tencent allows an app, shared by the five it calls.
const DefaultSourceQPS = DefaultQPS

// Codes a read may answer that ask to come back later: Tencent's rate
// limit (Amity answers 60007, Tencent also 90018 and 70169) and its
// internal error.
var busyCodes = []int{codeRateLimited, 90018, 70169, codeSNSInternal}

// Source reads an app's relationship chain from Tencent's REST API (or
// Amity's Tencent surface) as the app's admin: the profile fields Amity
// keeps, every friend with every field friend_get answers, the blocklist,
// the friend groups and the users followed.
type Source struct {
	Client *Client
	// App's custom fields and their ZIM attributes say where a friend's
	// custom fields go.
	App   *App
	Reads amityhttp.VendorReads
}

// answer is what each read answers, besides its own fields.
type answer struct {
	ActionStatus string
	ErrorCode    int
	ErrorInfo    string
}

func (a answer) err(path string) error {
	switch {
	case a.ErrorCode == 0:
		return nil
	case slices.Contains(busyCodes, a.ErrorCode):
		return fmt.Errorf("%w: %s: %d %s", amityhttp.ErrVendorBusy, path, a.ErrorCode, a.ErrorInfo)
	}
	return fmt.Errorf("%w: %s: ErrorCode %d: %s", amityhttp.ErrVendorRefused, path, a.ErrorCode, a.ErrorInfo)
}

// call posts body to path and decodes the answer into out, which embeds
// answer, trying again while Tencent is busy.
func (s *Source) call(ctx context.Context, path string, body any, out interface{ code() answer }) error {
	return s.Reads.Do(ctx, path, func(ctx context.Context) error {
		if err := s.Client.Call(ctx, path, body, out); err != nil {
			return err
		}
		return out.code().err(path)
	})
}

func (a *answer) code() answer { return *a }

// Read implements amityhttp.Source.
func (s *Source) Read(ctx context.Context, user string) (domain.Graph, error) {
	g := domain.Graph{User: user, Friends: map[string]domain.Entry{}, Blocks: map[string]int64{}, Follows: map[string]int64{}}
	known, err := s.profile(ctx, &g)
	if err != nil || !known {
		return g, err
	}
	g.Known = true
	for _, read := range []func(context.Context, *domain.Graph) error{s.friends, s.blocks, s.groups, s.follows} {
		if err := read(ctx, &g); err != nil {
			return g, err
		}
	}
	return g, nil
}

func (s *Source) profile(ctx context.Context, g *domain.Graph) (bool, error) {
	var r struct {
		answer
		UserProfileItem []struct {
			To_Account  string //nolint:revive // the wire name
			ResultCode  int
			ProfileItem []TagValue
		}
		Fail_Account []string //nolint:revive // the wire name
	}
	body := map[string]any{"To_Account": []string{g.User}, "TagList": []string{TagNick, TagImage, TagAllowType}}
	if err := s.call(ctx, "/v4/profile/portrait_get", body, &r); err != nil {
		if r.ErrorCode == codeProfileNoAccount {
			return false, nil
		}
		return false, err
	}
	if slices.Contains(r.Fail_Account, g.User) || len(r.UserProfileItem) == 0 || r.UserProfileItem[0].ResultCode != 0 {
		return false, nil
	}
	for _, it := range r.UserProfileItem[0].ProfileItem {
		v, ok := it.Value.(string)
		if !ok {
			return false, fmt.Errorf("%w: portrait_get: %s is not a string", amityhttp.ErrBadAnswer, it.Tag)
		}
		switch it.Tag {
		case TagNick:
			g.Profile.Name = v
		case TagImage:
			g.Profile.Avatar = v
		case TagAllowType:
			g.Profile.AllowType = v
		}
	}
	return true, nil
}

func (s *Source) friends(ctx context.Context, g *domain.Graph) error {
	for start := 0; ; {
		var r struct {
			answer
			UserDataItem []struct {
				To_Account string //nolint:revive // the wire name
				ValueItem  []struct {
					Tag   string
					Value json.RawMessage
				}
			}
			CompleteFlag, NextStartIndex int
		}
		if err := s.call(ctx, "/v4/sns/friend_get", map[string]any{"From_Account": g.User, "StartIndex": start}, &r); err != nil {
			return err
		}
		for _, it := range r.UserDataItem {
			e := domain.Entry{}
			for _, v := range it.ValueItem {
				if err := s.setField(&e, v.Tag, v.Value); err != nil {
					return fmt.Errorf("%w: friend_get: %s's %s: %v", amityhttp.ErrBadAnswer, it.To_Account, v.Tag, err)
				}
			}
			g.Friends[it.To_Account] = e
		}
		if r.CompleteFlag == 1 || len(r.UserDataItem) == 0 || r.NextStartIndex <= start {
			return nil
		}
		start = r.NextStartIndex
	}
}

// setField stores one tag of friend_get's answer on e, as friend_import
// would store it.
func (s *Source) setField(e *domain.Entry, tag string, raw json.RawMessage) error {
	var err error
	switch tag {
	case tagRemark:
		err = json.Unmarshal(raw, &e.Alias)
	case tagAddWording:
		err = json.Unmarshal(raw, &e.Wording)
	case tagAddSource:
		err = json.Unmarshal(raw, &e.AddSource)
	case tagGroup:
		err = json.Unmarshal(raw, &e.Groups)
	case tagAddTime, tagRemarkTime:
		var sec int64
		if err = json.Unmarshal(raw, &sec); err == nil && tag == tagAddTime {
			e.CreateTime = sec * 1000
		} else if err == nil {
			e.RemarkTime = sec * 1000
		}
	default:
		v, problem := customField(s.App, tag, raw)
		if problem != "" {
			return fmt.Errorf("%s", problem)
		}
		if e.Attributes == nil {
			e.Attributes = map[string]string{}
		}
		if e.Custom == nil {
			e.Custom = map[string]domain.CustomValue{}
		}
		setCustom(s.App, e.Attributes, e.Custom, tag, v)
		if len(e.Attributes) == 0 {
			e.Attributes = nil
		}
		if len(e.Custom) == 0 {
			e.Custom = nil
		}
	}
	return err
}

func (s *Source) blocks(ctx context.Context, g *domain.Graph) error {
	for start := 0; ; {
		var r struct {
			answer
			BlackListItem []struct {
				To_Account        string //nolint:revive // the wire name
				AddBlackTimeStamp int64
			}
			StartIndex int
		}
		body := map[string]any{"From_Account": g.User, "StartIndex": start, "MaxLimited": MaxBlackListPage, "LastSequence": 0}
		if err := s.call(ctx, "/v4/sns/black_list_get", body, &r); err != nil {
			return err
		}
		for _, b := range r.BlackListItem {
			g.Blocks[b.To_Account] = b.AddBlackTimeStamp * 1000
		}
		if r.StartIndex <= start {
			return nil
		}
		start = r.StartIndex
	}
}

func (s *Source) groups(ctx context.Context, g *domain.Graph) error {
	var r struct {
		answer
		ResultItem []struct{ GroupName string }
	}
	if err := s.call(ctx, "/v4/sns/group_get", map[string]any{"From_Account": g.User, "NeedFriend": "Need_Friend_Type_No"}, &r); err != nil {
		return err
	}
	for _, it := range r.ResultItem {
		g.Groups = append(g.Groups, it.GroupName)
	}
	slices.Sort(g.Groups)
	return nil
}

func (s *Source) follows(ctx context.Context, g *domain.Graph) error {
	for cursor := ""; ; {
		var r struct {
			answer
			FollowItem []struct {
				To_Account string //nolint:revive // the wire name
				FollowTime int64
			}
			NextCursor string
		}
		body := map[string]any{"From_Account": g.User, "FollowType": int(domain.Following), "StartCursor": cursor, "WantNum": MaxFollowPage}
		err := s.call(ctx, "/v4/follow/follow_get", body, &r)
		if r.ErrorCode == codeFollowOff {
			return nil // an edition without follows: none to copy
		}
		if err != nil {
			return err
		}
		for _, f := range r.FollowItem {
			g.Follows[f.To_Account] = f.FollowTime * 1000
		}
		if r.NextCursor == "" || r.NextCursor == cursor {
			return nil
		}
		cursor = r.NextCursor
	}
}

// Normalize implements amityhttp.Source: Tencent keeps no Extra and no
// ZIM attributes but those its custom fields map onto, counts times in
// seconds, and answers AllowAny for a user who never set AllowType.
func (s *Source) Normalize(g domain.Graph) domain.Graph {
	out := g
	out.Profile.Extra = ""
	if out.Known {
		out.Profile.AllowType = domain.AllowTypeOf(out.Profile.AllowType)
	}
	out.Friends = make(map[string]domain.Entry, len(g.Friends))
	for id, e := range g.Friends {
		e = e.Clone()
		e.CreateTime, e.RemarkTime, e.UpdateTime = seconds(e.CreateTime), seconds(e.RemarkTime), 0
		attrs := map[string]string{}
		for _, k := range s.App.ZIMAttributes {
			if v, ok := e.Attributes[k]; ok {
				attrs[k] = v
			}
		}
		e.Attributes = nil
		if len(attrs) > 0 {
			e.Attributes = attrs
		}
		if len(e.Groups) == 0 {
			e.Groups = nil
		}
		out.Friends[id] = e
	}
	out.Blocks, out.Follows = secondsOf(g.Blocks), secondsOf(g.Follows)
	out.Mutes = nil // Tencent keeps no mute list
	return out
}

func seconds(ms int64) int64 { return ms / 1000 * 1000 }

func secondsOf(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = seconds(v)
	}
	return out
}
