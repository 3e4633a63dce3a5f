package native

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/amity-im/amity/domain"
)

// Requests reads friend requests from the read model (projections.Model).
type Requests interface {
	// Requests: the requests user received (or, with sent, made),
	// newest first.
	Requests(app, user string, sent bool) []domain.Request
	Registered(app, user string) bool
	// Mutes: the users user muted, in ID order, since when.
	Mutes(app, user string) []domain.Follow
}

// mute is one entry of a mute list, as /v1/mutes answers it.
type mute struct {
	UserID string `json:"user_id"`
	Since  int64  `json:"since"`
}

// listMutes: GET /v1/mutes?user=, the users user muted (through Yunxin's
// mute list), in ID order.
func (cfg Config) listMutes(_ context.Context, app *domain.App, q url.Values) (any, error) {
	u, err := user(q, "user")
	if err != nil {
		return nil, err
	}
	list := cfg.Requests.Mutes(app.Name, u)
	out := make([]mute, len(list))
	for i, m := range list {
		out[i] = mute{m.ID, m.Time}
	}
	return map[string]any{"user": u, "mutes": out}, nil
}

// Limits of the request routes.
const (
	MaxRequestPage     = 1000
	DefaultRequestPage = 100
	maxBodyBytes       = 64 << 10
	maxAliasRunes      = 256
	maxAttributes      = 5
)

// requestInfo is a request as /v1/requests lists it.
type requestInfo struct {
	From       string            `json:"from"`
	To         string            `json:"to"`
	Wording    string            `json:"wording"`
	Alias      string            `json:"alias"`
	Attributes map[string]string `json:"attributes,omitempty"`
	State      string            `json:"state"`
	CreateTime int64             `json:"create_time"`
	UpdateTime int64             `json:"update_time"`
	ExpireTime int64             `json:"expire_time"`
}

// cursorKey is where a page of requests ends: the last request's place in
// the list's order.
type cursorKey struct {
	Created int64  `json:"c"`
	From    string `json:"f"`
	To      string `json:"t"`
}

// before reports whether k comes before r in the list's order (newest
// first, then by the users' IDs).
func (k cursorKey) before(r domain.Request) bool {
	return cmp.Or(cmp.Compare(k.Created, r.Entry.CreateTime), cmp.Compare(r.From, k.From), cmp.Compare(r.To, k.To)) > 0
}

// listRequests: GET /v1/requests.
func (cfg Config) listRequests(_ context.Context, app *domain.App, q url.Values) (any, error) {
	u, err := user(q, "user")
	if err != nil {
		return nil, err
	}
	var sent bool
	switch q.Get("direction") {
	case "received":
	case "sent":
		sent = true
	default:
		return nil, badRequest("direction must be received or sent")
	}
	all := false
	switch q.Get("state") {
	case "", "waiting":
	case "all":
		all = true
	default:
		return nil, badRequest("state must be waiting or all")
	}
	limit := DefaultRequestPage
	if q.Has("limit") {
		if limit, err = strconv.Atoi(q.Get("limit")); err != nil || limit < 1 || limit > MaxRequestPage {
			return nil, badRequest("limit must be 1 to " + strconv.Itoa(MaxRequestPage))
		}
	}
	var from *cursorKey
	if c := q.Get("cursor"); c != "" {
		var k cursorKey
		raw, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil || json.Unmarshal(raw, &k) != nil {
			return nil, badRequest("cursor is not one this API returned")
		}
		from = &k
	}
	nowMs := cfg.Now().UnixMilli()
	out := []requestInfo{}
	next := ""
	for _, r := range cfg.Requests.Requests(app.Name, u, sent) {
		if from != nil && !from.before(r) {
			continue
		}
		state := r.StateAt(nowMs)
		if !all && state != domain.RequestWaiting {
			continue
		}
		if len(out) == limit {
			last := out[limit-1]
			b, _ := json.Marshal(cursorKey{Created: last.CreateTime, From: last.From, To: last.To})
			next = base64.RawURLEncoding.EncodeToString(b)
			break
		}
		out = append(out, requestInfo{From: r.From, To: r.To, Wording: r.Entry.Wording, Alias: r.Entry.Alias, Attributes: r.Entry.Attributes,
			State: state.String(), CreateTime: r.Entry.CreateTime, UpdateTime: r.UpdateTime, ExpireTime: r.ExpireTime})
	}
	return map[string]any{"user": u, "direction": q.Get("direction"), "requests": out, "next_cursor": next}, nil
}

// answer is the body of the routes that answer a request.
type answer struct {
	User       string            `json:"user"`
	From       string            `json:"from"`
	Alias      string            `json:"alias"`
	Attributes map[string]string `json:"attributes"`
}

func (a answer) valid(withEntry bool) error {
	for name, id := range map[string]string{"user": a.User, "from": a.From} {
		if !validID(id) {
			return badRequest(name + " must be a user ID of 1 to 32 bytes")
		}
	}
	if !withEntry {
		if a.Alias != "" || a.Attributes != nil {
			return badRequest("alias and attributes are taken by accept only")
		}
		return nil
	}
	if utf8.RuneCountInString(a.Alias) > maxAliasRunes {
		return badRequest("alias is longer than 256 characters")
	}
	if len(a.Attributes) > maxAttributes {
		return badRequest("attributes hold more than 5 keys")
	}
	for k := range a.Attributes {
		if len(k) != 2 || k[0] != 'k' || k[1] < '0' || k[1] > '4' {
			return badRequest("attribute keys are k0 to k4, not " + strconv.Quote(k))
		}
	}
	if domain.AttributesSize(a.Attributes) > domain.MaxAttributeBytes {
		return badRequest("attributes are longer than 1024 bytes in all")
	}
	return nil
}

// answerRequest makes the handler of POST /v1/requests/<verb>.
func (cfg Config) answerRequest(verb string) func(context.Context, *domain.App, []byte) (any, error) {
	return func(ctx context.Context, app *domain.App, body []byte) (any, error) {
		var a answer
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			return nil, badRequest("the body must be a JSON object of user, from" + map[bool]string{true: ", alias and attributes", false: ""}[verb == "accept"] + ": " + err.Error())
		}
		if err := dec.Decode(&struct{}{}); err != io.EOF {
			return nil, badRequest("the body must be one JSON object, with nothing after it")
		}
		if err := a.valid(verb == "accept"); err != nil {
			return nil, err
		}
		var cmd domain.Command
		switch verb {
		case "accept":
			attrs := a.Attributes
			if len(attrs) == 0 {
				attrs = nil
			}
			cmd = domain.AcceptRequest{User: a.User, From: a.From, Entry: domain.Entry{Alias: a.Alias, Attributes: attrs}}
		case "reject":
			cmd = domain.RejectRequest{User: a.User, From: a.From}
		default:
			cmd = domain.DeleteRequest{User: a.User, From: a.From}
		}
		r := cfg.Writer.Execute(ctx, app, domain.Meta{RequestID: requestID(ctx), Surface: "v1"}, cmd)[0]
		if r.Err != nil {
			return nil, domainError(r.Err)
		}
		return map[string]any{"user": a.User, "from": a.From, "seq": r.Seq, "request_id": requestID(ctx), "event": r.Event}, nil
	}
}

// domainErrors maps domain errors to /v1's; the first match wins.
var domainErrors = []struct {
	err    error
	status int
	code   string
}{
	{domain.ErrRequestNotFound, http.StatusNotFound, "not_found"},
	{domain.ErrRequestNotWaiting, http.StatusConflict, "conflict"},
	{domain.ErrFriendLimit, http.StatusConflict, "friend_limit"},
	{domain.ErrPeerFriendLimit, http.StatusConflict, "friend_limit"},
	{domain.ErrYouBlocked, http.StatusForbidden, "blocked"},
	{domain.ErrBlockedByTarget, http.StatusForbidden, "blocked"},
	{domain.ErrGroupLimit, http.StatusConflict, "group_limit"},
	{domain.ErrRequestLimit, http.StatusConflict, "request_limit"},
	{domain.ErrNotFound, http.StatusNotFound, "not_found"},
	{domain.ErrInvalid, http.StatusBadRequest, "bad_request"},
	{domain.ErrExists, http.StatusConflict, "conflict"},
	{domain.ErrLimit, http.StatusConflict, "limit"},
	{domain.ErrForbidden, http.StatusForbidden, "forbidden"},
	{domain.ErrConflict, http.StatusConflict, "conflict"},
}

func domainError(err error) error {
	for _, m := range domainErrors {
		if errors.Is(err, m.err) {
			return &apiError{m.status, m.code, err.Error()}
		}
	}
	return &apiError{http.StatusInternalServerError, "internal", "internal error, retry"}
}
