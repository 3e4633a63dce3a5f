package yunxin

import (
	"context"
	"fmt"
	"net/url"
	"slices"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// DefaultSourceQPS is the rate a migration reads Yunxin at: the 100 calls
// a second of each friend and special-relation API Yunxin allows an app.
const DefaultSourceQPS = DefaultQPS

// Codes a read may answer that ask to come back later: Yunxin's timeout,
// frequency control, server error and busy codes.
var busyCodes = []int{408, codeFrequency, codeServer, codeBusy, 514}

// Source reads an app's relationship chain from Yunxin's server API (or
// Amity's Yunxin surface): each user's friends — alias, ex, serverex and
// create time — by friend/get.action with updatetime 0, and the blacklist
// and mute list. Yunxin's friend APIs give no profile and no times of the
// two lists.
type Source struct {
	Client *Client
	Reads  amityhttp.VendorReads
}

// call posts form to path and decodes the answer into out (an answer with
// its code in Answer), trying again while Yunxin is busy. An answer of
// code 414 is given back as it is, for the caller to read.
func (s *Source) call(ctx context.Context, path string, form url.Values, out interface{ answer() *Answer }) error {
	return s.Reads.Do(ctx, path, func(ctx context.Context) error {
		if err := s.Client.V1(ctx, path, form, out); err != nil {
			return err
		}
		switch a := out.answer(); {
		case a.Code == codeOK || a.Code == codeParam:
			return nil
		case slices.Contains(busyCodes, a.Code):
			return fmt.Errorf("%w: %s: %d %s", amityhttp.ErrVendorBusy, path, a.Code, a.Desc)
		default:
			return fmt.Errorf("%w: %s: code %d: %s", amityhttp.ErrVendorRefused, path, a.Code, a.Desc)
		}
	})
}

func (a *Answer) answer() *Answer { return a }

type friendsRead struct {
	Answer
	Friends []friend `json:"friends"`
}

type listsRead struct {
	Answer
	MuteList  []string `json:"mutelist"`
	BlackList []string `json:"blacklist"`
}

// Read implements amityhttp.Source. A user Yunxin refuses as unknown (414)
// is not Known.
func (s *Source) Read(ctx context.Context, user string) (domain.Graph, error) {
	g := domain.Graph{User: user, Friends: map[string]domain.Entry{}, Blocks: map[string]int64{}, Follows: map[string]int64{}, Mutes: map[string]int64{}}
	var fr friendsRead
	if err := s.call(ctx, "/friend/get.action", url.Values{"accid": {user}, "updatetime": {"0"}}, &fr); err != nil {
		return g, err
	}
	if fr.Code == codeParam {
		return g, nil // Yunxin does not know the user
	}
	g.Known = true
	for _, f := range fr.Friends {
		e := domain.Entry{Alias: f.Alias, CreateTime: f.CreateTime, Attributes: attrsOf(f.Ex, f.ServerEx)}
		g.Friends[f.FAccid] = e
	}
	var lr listsRead
	if err := s.call(ctx, "/user/listBlackAndMuteList.action", url.Values{"accid": {user}}, &lr); err != nil {
		return g, err
	}
	if lr.Code != codeOK {
		return g, fmt.Errorf("%w: /user/listBlackAndMuteList.action: code %d: %s", amityhttp.ErrVendorRefused, lr.Code, lr.Desc)
	}
	for _, id := range lr.BlackList {
		g.Blocks[id] = 0
	}
	for _, id := range lr.MuteList {
		g.Mutes[id] = 0
	}
	return g, nil
}

// attrsOf is the attributes ex and serverex are kept in, nil for none.
func attrsOf(ex, serverex string) map[string]string {
	var m map[string]string
	for k, v := range map[string]string{exAttr: ex, serverexAttr: serverex} {
		if v != "" {
			if m == nil {
				m = map[string]string{}
			}
			m[k] = v
		}
	}
	return m
}

// Normalize implements amityhttp.Source: Yunxin's friend APIs give no
// profile, groups, follows, wording or times of blocks and mutes, and of
// an entry only alias, ex, serverex and create time.
func (s *Source) Normalize(g domain.Graph) domain.Graph {
	out := g
	out.Profile = domain.Profile{}
	out.Groups, out.Follows = nil, map[string]int64{}
	out.Friends = make(map[string]domain.Entry, len(g.Friends))
	for id, e := range g.Friends {
		out.Friends[id] = domain.Entry{Alias: e.Alias, CreateTime: e.CreateTime, Attributes: attrsOf(e.Attributes[exAttr], e.Attributes[serverexAttr])}
	}
	zero := func(m map[string]int64) map[string]int64 {
		z := make(map[string]int64, len(m))
		for id := range m {
			z[id] = 0
		}
		return z
	}
	out.Blocks, out.Mutes = zero(g.Blocks), zero(g.Mutes)
	return out
}
