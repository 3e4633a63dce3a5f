package tencent

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// userSigDoc is the JSON document inside a UserSig v2.
type userSigDoc struct {
	Version    string `json:"TLS.ver"`
	Identifier string `json:"TLS.identifier"`
	SDKAppID   uint64 `json:"TLS.sdkappid"`
	Expire     int64  `json:"TLS.expire"`
	Time       int64  `json:"TLS.time"`
	Sig        []byte `json:"TLS.sig"`
	UserBuf    []byte `json:"TLS.userbuf,omitempty"`
}

// sign is HMAC-SHA256 over the TLS fields, as Tencent's libraries compute it.
func (d *userSigDoc) sign(key string) []byte {
	h := hmac.New(sha256.New, []byte(key))
	io.WriteString(h, "TLS.identifier:"+d.Identifier+"\n")
	io.WriteString(h, "TLS.sdkappid:"+strconv.FormatUint(d.SDKAppID, 10)+"\n")
	io.WriteString(h, "TLS.time:"+strconv.FormatInt(d.Time, 10)+"\n")
	io.WriteString(h, "TLS.expire:"+strconv.FormatInt(d.Expire, 10)+"\n")
	if d.UserBuf != nil {
		io.WriteString(h, "TLS.userbuf:"+base64.StdEncoding.EncodeToString(d.UserBuf)+"\n")
	}
	return h.Sum(nil)
}

// sigEncoding is standard base64 with '+' '/' '=' written as '*' '-' '_'.
var sigEncoding = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-").WithPadding('_')

// GenUserSig makes a UserSig v2 for identifier, valid for expire from now.
func GenUserSig(sdkappid uint64, key, identifier string, expire time.Duration, now time.Time) (string, error) {
	d := userSigDoc{Version: "2.0", Identifier: identifier, SDKAppID: sdkappid, Expire: int64(expire / time.Second), Time: now.Unix()}
	d.Sig = d.sign(key)
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	if err := json.NewEncoder(w).Encode(d); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return sigEncoding.EncodeToString(b.Bytes()), nil
}

// maxSigBytes bounds an inflated UserSig document.
const maxSigBytes = 4096

// MaxClockSkew is how far ahead of the server's clock a UserSig's time may
// be: a signer's clock may run a little fast, but a signature stamped days
// ahead stays valid for days past its own expiry and is refused.
const MaxClockSkew = 5 * time.Minute

// verifyUserSig checks sig for the app's sdkappid and key and the caller's
// identifier at now, returning the Tencent code of the first failure, or
// the last Unix second sig stays valid.
func verifyUserSig(sig string, sdkappid uint64, key, identifier string, now time.Time) (int64, *Error) {
	raw, err := base64.StdEncoding.DecodeString(strings.NewReplacer("*", "+", "-", "/", "_", "=").Replace(sig))
	if err != nil {
		return 0, apiErr(codeSigBase64, "usersig is not base64")
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return 0, apiErr(codeSigZlib, "usersig does not inflate")
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxSigBytes+1))
	if err != nil || len(data) > maxSigBytes {
		return 0, apiErr(codeSigZlib, "usersig does not inflate")
	}
	var d userSigDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return 0, apiErr(codeSigJSON, "usersig content is not valid JSON")
	}
	if d.Version != "2.0" || len(d.Sig) == 0 {
		return 0, apiErr(codeSigVersion, "usersig is not a version 2.0 signature")
	}
	if d.SDKAppID != sdkappid {
		return 0, apiErr(codeSDKAppIDMismatch, "usersig was made for another sdkappid")
	}
	if d.Identifier != identifier {
		return 0, apiErr(codeIdentifierMismatch, "usersig was made for another identifier")
	}
	if now.Unix() > d.Time+d.Expire {
		return 0, apiErr(codeSigExpired, "usersig expired")
	}
	if d.Time > now.Add(MaxClockSkew).Unix() {
		return 0, apiErr(codeSigMismatch, "usersig is stamped "+time.Unix(d.Time, 0).UTC().Format(time.RFC3339)+", more than "+MaxClockSkew.String()+" ahead of this server's clock")
	}
	if d.UserBuf != nil {
		return 0, apiErr(codeSigMismatch, "usersig with userbuf is not accepted here")
	}
	if !hmac.Equal(d.sign(key), d.Sig) {
		return 0, apiErr(codeSigMismatch, "usersig signature does not verify")
	}
	return d.Time + d.Expire, nil
}

// sigCache remembers verified UserSigs until they expire: an admin signs
// once and sends the same UserSig with every request, and inflating and
// checking it again each time is an eighth of the server's work on a
// friend_check. A cached signature is taken only for the same app,
// identifier and exact string, and only until its own expiry.
type sigCache struct {
	mu sync.Mutex
	m  map[sigKey]int64 // last valid Unix second
}

type sigKey struct {
	app             uint64
	identifier, sig string
}

// maxCachedSigs bounds the cache; when full it starts again empty.
const maxCachedSigs = 4096

func (c *sigCache) verify(sig string, sdkappid uint64, key, identifier string, now time.Time) *Error {
	k := sigKey{sdkappid, identifier, sig}
	c.mu.Lock()
	until, ok := c.m[k]
	c.mu.Unlock()
	if ok && now.Unix() <= until {
		return nil
	}
	until, err := verifyUserSig(sig, sdkappid, key, identifier, now)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedSigs {
		c.m = make(map[sigKey]int64)
	}
	c.m[k] = until
	return nil
}
