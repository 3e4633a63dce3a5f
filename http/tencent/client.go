package tencent

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Client calls a Tencent Cloud Chat REST API (Amity's or Tencent's) as an
// app admin. It is what Amity's tests and load generator use.
type Client struct {
	BaseURL    string
	SDKAppID   uint64
	Identifier string
	// UserSig is sent as is when set; otherwise one is made from SecretKey.
	UserSig   string
	SecretKey string
	HTTP      *http.Client
}

// Query returns the common query string of a call.
func (c *Client) Query() (url.Values, error) {
	sig := c.UserSig
	if sig == "" {
		var err error
		if sig, err = GenUserSig(c.SDKAppID, c.SecretKey, c.Identifier, time.Hour, time.Now()); err != nil {
			return nil, err
		}
	}
	return url.Values{
		"sdkappid":    {strconv.FormatUint(c.SDKAppID, 10)},
		"identifier":  {c.Identifier},
		"usersig":     {sig},
		"random":      {strconv.FormatUint(uint64(rand.Uint32()), 10)},
		"contenttype": {"json"},
	}, nil
}

// Call posts body (JSON-encoded unless []byte) to path and decodes the
// answer into out.
func (c *Client) Call(ctx context.Context, path string, body, out any) error {
	q, err := c.Query()
	if err != nil {
		return err
	}
	return c.Raw(ctx, http.MethodPost, path, q, body, out)
}

// Raw sends a request with exactly the query q.
func (c *Client) Raw(ctx context.Context, method, path string, q url.Values, body, out any) error {
	var b []byte
	switch v := body.(type) {
	case []byte:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return fmt.Errorf("encode body: %w", err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path+"?"+q.Encode(), bytes.NewReader(b))
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
		return fmt.Errorf("%s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read %s response: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %s", path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("decode %s response %s: %w", path, data, err)
		}
	}
	return nil
}
