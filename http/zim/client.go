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
