package zim

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
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
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("encode body: %w", err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+"/?"+q.Encode(), rd)
	if err != nil {
		return fmt.Errorf("new request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, q.Get("Action"), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read %s response: %w", q.Get("Action"), err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %s", q.Get("Action"), resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode %s response %s: %w", q.Get("Action"), b, err)
	}
	return nil
}
