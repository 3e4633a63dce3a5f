package tencent

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	amityhttp "github.com/amity-im/amity/http"
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

	mu      sync.Mutex
	made    string // the UserSig made from SecretKey, used until renew
	renewAt time.Time
}

// madeSigLife is how long a UserSig made from SecretKey is valid; it is
// used for all but its last tenth.
const madeSigLife = 24 * time.Hour

// Query returns the common query string of a call.
func (c *Client) Query() (url.Values, error) {
	sig := c.UserSig
	if sig == "" {
		var err error
		if sig, err = c.madeSig(); err != nil {
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

// madeSig is a UserSig made from SecretKey, made again when it nears its
// expiry: making one compresses it, too dear for every call.
func (c *Client) madeSig() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); c.made == "" || now.After(c.renewAt) {
		sig, err := GenUserSig(c.SDKAppID, c.SecretKey, c.Identifier, madeSigLife, now)
		if err != nil {
			return "", err
		}
		c.made, c.renewAt = sig, now.Add(madeSigLife*9/10)
	}
	return c.made, nil
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
	return amityhttp.DoJSON(ctx, c.HTTP, method, c.BaseURL+path+"?"+q.Encode(), body, out)
}
