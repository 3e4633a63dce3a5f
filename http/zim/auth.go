package zim

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// SignatureWindow is how far a request's Timestamp may be from now.
const SignatureWindow = 10 * time.Minute

// Sign returns the v2.0 signature: lowercase hex MD5 of AppId, nonce,
// ServerSecret and Timestamp concatenated.
func Sign(appID uint32, nonce, secret string, timestamp int64) string {
	sum := md5.Sum([]byte(strconv.FormatUint(uint64(appID), 10) + nonce + secret + strconv.FormatInt(timestamp, 10)))
	return hex.EncodeToString(sum[:])
}

// SignCallback is ZIM's callback signature: the lowercase hex SHA-1 of the
// callback secret, timestamp and nonce, sorted and joined.
func SignCallback(secret, timestamp, nonce string) string {
	parts := []string{secret, timestamp, nonce}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// SignedQuery returns the common query parameters of a signed call.
func SignedQuery(action string, appID uint32, secret, nonce string, now time.Time) url.Values {
	ts := now.Unix()
	return url.Values{
		"Action":           {action},
		"AppId":            {strconv.FormatUint(uint64(appID), 10)},
		"SignatureNonce":   {nonce},
		"Timestamp":        {strconv.FormatInt(ts, 10)},
		"SignatureVersion": {"2.0"},
		"Signature":        {Sign(appID, nonce, secret, ts)},
	}
}

// Authenticate checks the common parameters in their documented order and
// returns the app the call belongs to; a refusal is an *Error. Amity's
// native API accepts these parameters too.
func (s *Server) Authenticate(q amityhttp.Params, now time.Time) (*domain.App, error) {
	app, err := s.authenticate(q, now)
	if err != nil {
		return nil, err
	}
	return app.App, nil
}

func (s *Server) authenticate(q amityhttp.Params, now time.Time) (*App, error) {
	rawID := q.Get("AppId")
	id, err := strconv.ParseUint(rawID, 10, 32)
	if rawID == "" || err != nil {
		return nil, apiErr(codeBadAppID, "AppId is missing or not a uint32")
	}
	rawTS := q.Get("Timestamp")
	if rawTS == "" {
		return nil, apiErr(codeTimestampEmpty, "Timestamp is empty")
	}
	ts, err := strconv.ParseInt(rawTS, 10, 64)
	if err != nil {
		return nil, apiErr(codeTimestampFormat, "Timestamp is not Unix seconds")
	}
	nonce := q.Get("SignatureNonce")
	if nonce == "" {
		return nil, apiErr(codeNonceEmpty, "SignatureNonce is empty")
	}
	switch q.Get("SignatureVersion") {
	case "":
		return nil, apiErr(codeSignatureVersionNone, "SignatureVersion is empty")
	case "2.0":
	default:
		return nil, apiErr(codeSignatureVersionBad, "SignatureVersion must be 2.0")
	}
	sig := q.Get("Signature")
	if sig == "" {
		return nil, apiErr(codeSignatureEmpty, "Signature is empty")
	}
	app := s.apps[uint32(id)]
	if app == nil {
		return nil, apiErr(codeNoServerSecret, "no app with this AppId")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > SignatureWindow || d < -SignatureWindow {
		return nil, apiErr(codeSignatureExpired, "Timestamp is more than 10 minutes from the server's time")
	}
	want := Sign(uint32(id), nonce, app.ServerSecret, ts)
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) != 1 {
		return nil, apiErr(codeSignatureWrong, "signature does not match")
	}
	if !s.nonces.Use(id, nonce, time.Unix(ts, 0).Add(SignatureWindow), now) {
		return nil, apiErr(codeSignatureWrong, "SignatureNonce was already used")
	}
	return app, nil
}

// limitKey names the rate limit of one app's action.
type limitKey struct {
	app    uint32
	action string
}
