package yunxin

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/amity-im/amity/domain"
)

// Window is how far a request's CurTime may be from now.
const Window = 5 * time.Minute

// MaxNonce is the longest Nonce.
const MaxNonce = 128

// CheckSum is Yunxin's signature: the lowercase hex SHA-1 of AppSecret,
// Nonce and CurTime concatenated.
func CheckSum(appSecret, nonce, curTime string) string {
	sum := sha1.Sum([]byte(appSecret + nonce + curTime))
	return hex.EncodeToString(sum[:])
}

// Sign sets the four headers of a signed call on h: AppKey, Nonce,
// CurTime (now, in seconds) and CheckSum.
func Sign(h http.Header, appKey, appSecret, nonce string, now time.Time) {
	cur := strconv.FormatInt(now.Unix(), 10)
	h.Set("AppKey", appKey)
	h.Set("Nonce", nonce)
	h.Set("CurTime", cur)
	h.Set("CheckSum", CheckSum(appSecret, nonce, cur))
}

// Authenticate checks the CheckSum headers of h and returns the app they
// belong to; a refusal is an *Error. Amity's native API accepts these
// headers too.
func (s *Server) Authenticate(h http.Header, now time.Time) (*domain.App, error) {
	app, err := s.authenticate(h, now)
	if err != nil {
		return nil, err
	}
	return app.App, nil
}

// authenticate checks the CheckSum headers (their names in any case) and
// returns the app: 414 for a missing or wrong one, a stale CurTime or an
// unknown AppKey; 431 for a request seen already within the window.
func (s *Server) authenticate(h http.Header, now time.Time) (*App, error) {
	// The server gives header names in canonical form: read them so,
	// without canonicalizing the names at each call.
	get := func(canonical string) string {
		if v := h[canonical]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	key, nonce, cur, sum := get("Appkey"), get("Nonce"), get("Curtime"), get("Checksum")
	switch {
	case key == "":
		return nil, apiErr(codeParam, "AppKey is missing")
	case nonce == "":
		return nil, apiErr(codeParam, "Nonce is missing")
	case len(nonce) > MaxNonce:
		return nil, apiErr(codeParam, "Nonce is longer than 128 characters")
	case cur == "":
		return nil, apiErr(codeParam, "CurTime is missing")
	case sum == "":
		return nil, apiErr(codeParam, "CheckSum is missing")
	}
	ts, err := strconv.ParseInt(cur, 10, 64)
	if err != nil {
		return nil, apiErr(codeParam, "CurTime is not Unix seconds")
	}
	app := s.apps[key]
	if app == nil {
		return nil, apiErr(codeParam, "no app with this AppKey")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > Window || d < -Window {
		return nil, apiErr(codeParam, "CurTime is more than 5 minutes from the server's time")
	}
	if subtle.ConstantTimeCompare([]byte(CheckSum(app.AppSecret, nonce, cur)), []byte(sum)) != 1 {
		return nil, apiErr(codeParam, "checksum")
	}
	if !s.nonces.Use(app.index, nonce+"\x00"+cur, time.Unix(ts, 0).Add(Window), now) {
		return nil, apiErr(codeRepeated, "the request was already made: Nonce and CurTime are used once")
	}
	return app, nil
}
