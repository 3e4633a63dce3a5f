package zim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"time"

	amityhttp "github.com/amity-im/amity/http"
)

// Client calls a ZIM server API (Amity's or ZEGOCLOUD's) with signed
// requests. It is what Amity's tests and load generator use.
type Client struct {
	BaseURL string
	AppID   uint32
	Secret  string
	HTTP    *http.Client
	// Now is the clock used for Timestamp; time.Now when nil.
	Now func() time.Time
}

// Call sends one request: body is JSON-encoded for POST (ignored when nil),
// extra is added to the signed query, and the response decodes into out.
func (c *Client) Call(ctx context.Context, method, action string, extra url.Values, body, out any) error {
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	q := SignedQuery(action, c.AppID, c.Secret, hex.EncodeToString(nonce[:]), now())
	for k, vs := range extra {
		q[k] = vs
	}
	return c.Raw(ctx, method, q, body, out)
}

// Raw sends a request with exactly the query q.
func (c *Client) Raw(ctx context.Context, method string, q url.Values, body, out any) error {
	return amityhttp.DoJSON(ctx, c.HTTP, method, c.BaseURL+"/?"+q.Encode(), body, out)
}

// Answer holds every field an answer of the served actions may carry; a
// client decodes any answer into it.
type Answer struct {
	Code      int
	Message   string
	RequestId string //nolint:revive // the wire name
	// ErrorList, ErrList and Fails are the failed items, by action.
	ErrorList, ErrList, Fails []Failure
	FailKey                   []struct {
		Key     string
		SubCode int
	}
	// Successes and Succ are the succeeded items, by action: Relation for
	// checks, Result for the blocklist check.
	Successes, Succ []struct {
		UserId   string //nolint:revive // the wire name
		Relation int
		Result   int
	}
	Result []struct {
		UserId, UserName, UserAvatar, Extra string //nolint:revive // the wire name
	}
	TotalCount  int
	Next        int
	FriendInfos []struct {
		UserId, UserName, Avatar, Wording, FriendAlias string //nolint:revive // the wire name
		CreateTime                                     int64
		Attributes                                     []struct{ Key, Value string }
	}
	Blacklist []struct {
		UserId, UserName string //nolint:revive // the wire name
		UpdateTime       int64
	}
}

// Failure is one failed item of an answer.
type Failure struct {
	UserId     string //nolint:revive // the wire name
	SubCode    int
	SubMessage string
}

// SubCodes maps each failed item (user or key) to its code, over every
// failure list.
func (a *Answer) SubCodes() map[string]int {
	m := map[string]int{}
	for _, list := range [][]Failure{a.ErrorList, a.ErrList, a.Fails} {
		for _, e := range list {
			m[e.UserId] = e.SubCode
		}
	}
	for _, e := range a.FailKey {
		m[e.Key] = e.SubCode
	}
	return m
}
