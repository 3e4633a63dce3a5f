package zim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// DefaultEndpoint is ZEGOCLOUD's ZIM server API endpoint.
const DefaultEndpoint = "https://zim-api.zego.im"

// DefaultSourceQPS is the rate a migration reads ZIM at: the 20 calls a
// second of each action ZIM allows an app.
const DefaultSourceQPS = DefaultQPS

// Codes a read may answer that ask to come back later: ZIM's busy, retry
// and rate-limit codes.
var busyCodes = []int{codeBusy, codeRetry, codeAppQPS, codeRegisterQPS}

// Source reads an app's relationship chain from ZIM's server API (or
// Amity's ZIM surface): each user's name, avatar and extra, every friend
// with alias, attributes, wording and create time, and the blocklist with
// its times.
type Source struct {
	Client *Client
	Reads  amityhttp.VendorReads
}

// call calls action and decodes its answer into r, trying again while ZIM
// is busy.
func (s *Source) call(ctx context.Context, method, action string, q url.Values, body any, r *Answer) error {
	return s.Reads.Do(ctx, action, func(ctx context.Context) error {
		*r = Answer{}
		if err := s.Client.Call(ctx, method, action, q, body, r); err != nil {
			return err
		}
		switch {
		case r.Code == codeOK:
			return nil
		case slices.Contains(busyCodes, r.Code):
			return fmt.Errorf("%w: %s: %d %s", amityhttp.ErrVendorBusy, action, r.Code, r.Message)
		}
		return fmt.Errorf("%w: %s: Code %d: %s", amityhttp.ErrVendorRefused, action, r.Code, r.Message)
	})
}

// Read implements amityhttp.Source.
func (s *Source) Read(ctx context.Context, user string) (domain.Graph, error) {
	g := domain.Graph{User: user, Friends: map[string]domain.Entry{}, Blocks: map[string]int64{}, Follows: map[string]int64{}}
	var r Answer
	err := s.call(ctx, http.MethodPost, "QueryUserInfos", nil, map[string]any{"UserIds": []string{user}}, &r)
	if r.Code == codeUserUnregistered || err == nil && (len(r.Result) == 0 || r.Result[0].UserId != user) {
		return g, nil // ZIM does not know the user
	}
	if err != nil {
		return g, err
	}
	g.Known = true
	g.Profile = domain.Profile{Name: r.Result[0].UserName, Avatar: r.Result[0].UserAvatar, Extra: r.Result[0].Extra}
	err = s.pages(ctx, "QueryFriendList", user, func(r *Answer) int {
		for _, f := range r.FriendInfos {
			e := domain.Entry{Alias: f.FriendAlias, Wording: f.Wording, CreateTime: f.CreateTime}
			for _, a := range f.Attributes {
				if e.Attributes == nil {
					e.Attributes = map[string]string{}
				}
				e.Attributes[a.Key] = a.Value
			}
			g.Friends[f.UserId] = e
		}
		return len(r.FriendInfos)
	})
	if err != nil {
		return g, err
	}
	return g, s.pages(ctx, "QueryBlacklist", user, func(r *Answer) int {
		for _, b := range r.Blacklist {
			g.Blocks[b.UserId] = b.UpdateTime
		}
		return len(r.Blacklist)
	})
}

// pages reads every page of a list action of user's, passing each answer
// to page, which tells how many items it held.
func (s *Source) pages(ctx context.Context, action, user string, page func(*Answer) int) error {
	for next := 0; ; {
		var r Answer
		q := url.Values{"FromUserId": {user}, "Limit": {strconv.Itoa(MaxPageSize)}, "Next": {strconv.Itoa(next)}}
		if err := s.call(ctx, http.MethodGet, action, q, nil, &r); err != nil {
			return err
		}
		if page(&r) == 0 || r.Next <= next {
			return nil
		}
		next = r.Next
	}
}

// Normalize implements amityhttp.Source: ZIM keeps no AllowType, no
// friend groups, follows or mutes, and of an entry only alias, wording,
// attributes and create time.
func (s *Source) Normalize(g domain.Graph) domain.Graph {
	out := g
	out.Profile.AllowType = ""
	out.Groups, out.Follows, out.Mutes = nil, map[string]int64{}, nil
	out.Friends = make(map[string]domain.Entry, len(g.Friends))
	for id, e := range g.Friends {
		n := domain.Entry{Alias: e.Alias, Wording: e.Wording, CreateTime: e.CreateTime}
		if len(e.Attributes) > 0 {
			n.Attributes = e.Attributes
		}
		out.Friends[id] = n
	}
	return out
}
