package yunxin

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
	"strings"
	"time"

	amityhttp "github.com/amity-im/amity/http"
)

// Client calls a Yunxin server API as one app, signing each call as the
// official SDK does (a fresh 32-hex-digit Nonce, CurTime now).
type Client struct {
	// BaseURL is the server's base: Yunxin's (DefaultEndpoint) or Amity's.
	BaseURL           string
	AppKey, AppSecret string
	HTTP              *http.Client
	// Now is the clock of CurTime (time.Now when nil).
	Now func() time.Time
}

// DefaultEndpoint is the official SDK's base URL.
const DefaultEndpoint = "https://api-cn.yunxinapi.com/nimserver"

// Answer is a v1 answer's common part.
type Answer struct {
	Code int    `json:"code"`
	Desc string `json:"desc"`
}

// V2Answer is a v2 answer, its data left to decode.
type V2Answer struct {
	Code int             `json:"code"`
	Msg  string          `json:"msg"`
	Data json.RawMessage `json:"data"`
}

func (c *Client) do(ctx context.Context, method, path string, q url.Values, contentType string, body []byte, out any) error {
	u := strings.TrimSuffix(c.BaseURL, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("new request: %w", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	var n [16]byte
	_, _ = rand.Read(n[:])
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	Sign(req.Header, c.AppKey, c.AppSecret, hex.EncodeToString(n[:]), now())
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read %s answer: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return &amityhttp.StatusError{Path: path, Status: resp.StatusCode, Body: data}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%w: decode %s answer %s: %w", amityhttp.ErrBadAnswer, path, data, err)
	}
	return nil
}

// V1 posts form to a v1 API (path as "/friend/add.action") and decodes
// its answer into out.
func (c *Client) V1(ctx context.Context, path string, form url.Values, out any) error {
	return c.do(ctx, http.MethodPost, path, nil, "application/x-www-form-urlencoded;charset=UTF-8", []byte(form.Encode()), out)
}

// V2 calls a v2 API (path below the base, as "/im/v2.1/friends") with
// query q and, unless nil, body as JSON, and decodes its answer into out.
// A call without a body has no Content-Type, as the official SDK's.
func (c *Client) V2(ctx context.Context, method, path string, q url.Values, body, out any) error {
	if body == nil {
		return c.do(ctx, method, path, q, "", nil, out)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("encode body: %w", err)
	}
	return c.do(ctx, method, path, q, "application/json;charset=UTF-8", b, out)
}
