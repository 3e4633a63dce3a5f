package yunxin

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/gorilla/mux"
)

// MaxPage is the most items a v2 list answers at once, and its default.
const MaxPage = 100

// decodeV2 reads a v2 call's JSON body into v: a malformed or mistyped one
// is a parameter error.
func decodeV2(c *call, v any) error {
	if msg := amityhttp.DecodeBody(c.Body, v); msg != "" {
		return apiErr(codeParam, msg)
	}
	return nil
}

// pathAccount is the {account_id} of a v2 path.
func pathAccount(ctx context.Context) string {
	return mux.Vars((&http.Request{}).WithContext(ctx))["account_id"]
}

// friendBody is what v2's friend calls send.
type friendBody struct {
	AccountID         string  `json:"account_id"`
	FriendAccountID   string  `json:"friend_account_id"`
	Type              int     `json:"type"`
	Alias             *string `json:"alias"`
	Extension         *string `json:"extension"`
	CustomerExtension *string `json:"customer_extension"`
	Postscript        string  `json:"postscript"`
}

// check validates the body's texts.
func (b *friendBody) check() error {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return errors.Join(text("alias", str(b.Alias), maxAlias), text("extension", str(b.Extension), maxEx),
		text("customer_extension", str(b.CustomerExtension), maxEx), text("postscript", b.Postscript, maxMsg))
}

// entry is the entry the body describes.
func (b *friendBody) entry() domain.Entry {
	e := domain.Entry{Wording: b.Postscript, Attributes: attrs(b.Extension, b.CustomerExtension)}
	if b.Alias != nil {
		e.Alias = *b.Alias
	}
	return e
}

// v2Friend is a friend as v2 answers it.
type v2Friend struct {
	FriendAccountID   string `json:"friend_account_id"`
	Alias             string `json:"alias"`
	Extension         string `json:"extension"`
	CustomerExtension string `json:"customer_extension"`
	CreateTime        int64  `json:"create_time,omitempty"`
	UpdateTime        int64  `json:"update_time,omitempty"`
}

func v2FriendOf(id string, e domain.Entry) v2Friend {
	return v2Friend{FriendAccountID: id, Alias: e.Alias, Extension: e.Attributes[exAttr], CustomerExtension: e.Attributes[serverexAttr],
		CreateTime: e.CreateTime, UpdateTime: updated(e)}
}

// v2Pair checks the two accounts of a v2 friend call.
func (s *Server) v2Pair(c *call, user, other string) (string, string, error) {
	return s.accounts(c, "account_id", user, "friend_account_id", other)
}

// added answers a v2 add, update or accept with the friend's entry as it
// is now.
func (s *Server) added(c *call, user, other string) any {
	e, _ := s.cfg.Read.Entry(c.App.Name, user, other)
	f := v2FriendOf(other, e)
	f.CreateTime, f.UpdateTime = 0, 0
	return f
}

// v2Add: POST /im/v2/friends, type 1 a direct two-way add, 2 a request.
func (s *Server) v2Add(ctx context.Context, c *call) (any, error) {
	var b friendBody
	if err := decodeV2(c, &b); err != nil {
		return nil, err
	}
	if b.Type != addDirect && b.Type != addApply {
		return nil, apiErr(codeParam, "type must be 1 (add) or 2 (needs verification)")
	}
	if err := b.check(); err != nil {
		return nil, err
	}
	user, other, err := s.v2Pair(c, b.AccountID, b.FriendAccountID)
	if err != nil {
		return nil, err
	}
	if err := idempotent(run(ctx, c, addCommand(b.Type, user, other, b.entry())), domain.ErrAlreadyFriends); err != nil {
		return nil, err
	}
	if b.Type == addApply {
		return v2Friend{FriendAccountID: other, Alias: b.entry().Alias, Extension: b.entry().Attributes[exAttr], CustomerExtension: b.entry().Attributes[serverexAttr]}, nil
	}
	return s.added(c, user, other), nil
}

// v2Update: PATCH /im/v2.1/friends/{account_id}.
func (s *Server) v2Update(ctx context.Context, c *call) (any, error) {
	var b friendBody
	if err := decodeV2(c, &b); err != nil {
		return nil, err
	}
	if err := b.check(); err != nil {
		return nil, err
	}
	user, other, err := s.v2Pair(c, pathAccount(ctx), b.FriendAccountID)
	if err != nil {
		return nil, err
	}
	if err := run(ctx, c, domain.UpdateFriend{User: user, Friend: other, Alias: b.Alias, Attributes: attrs(b.Extension, b.CustomerExtension)}); err != nil {
		return nil, notFriend(err)
	}
	return s.added(c, user, other), nil
}

// v2Delete: DELETE /im/v2/friends/{account_id}?friend_account_id=, one
// way, as friend/delete.action.
func (s *Server) v2Delete(ctx context.Context, c *call) (any, error) {
	keep, err := keepAlias("delete_alias", c.Query.Get("delete_alias"))
	if err != nil {
		return nil, err
	}
	user, other, err := s.v2Pair(c, pathAccount(ctx), c.Query.Get("friend_account_id"))
	if err != nil {
		return nil, err
	}
	return nil, notFriend(run(ctx, c, domain.DeleteFriend{User: user, Friend: other, KeepAlias: keep}))
}

// v2Get: GET /im/v2.1/friends/{account_id}?friend_account_id=.
func (s *Server) v2Get(ctx context.Context, c *call) (any, error) {
	user, other, err := s.v2Pair(c, pathAccount(ctx), c.Query.Get("friend_account_id"))
	if err != nil {
		return nil, err
	}
	e, ok := s.cfg.Read.Entry(c.App.Name, user, other)
	if !ok {
		return nil, kindErr(codeNotFound, "friend not exist", domain.ErrNotFriend)
	}
	return v2FriendOf(other, e), nil
}

// page reads a v2 list's page_token (the offset, opaque to the caller)
// and limit.
func page(c *call) (offset, limit int, err error) {
	limit = MaxPage
	if v := c.Query.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > MaxPage {
			return 0, 0, apiErr(codeParam, fmt.Sprintf("limit must be 1 to %d", MaxPage))
		}
	}
	if t := c.Query.Get("page_token"); t != "" {
		raw, err := base64.RawURLEncoding.DecodeString(t)
		if err == nil {
			offset, err = strconv.Atoi(string(raw))
		}
		if err != nil || offset < 0 {
			return 0, 0, apiErr(codeParam, "page_token is not one this API gave")
		}
	}
	return offset, limit, nil
}

// listPage is a page of a v2 list.
type listPage[T any] struct {
	HasMore   bool   `json:"has_more"`
	NextToken string `json:"next_token"`
	Items     []T    `json:"items"`
	Total     int    `json:"total"`
}

func newPage[T any](items []T, offset, total int) listPage[T] {
	p := listPage[T]{Items: items, Total: total}
	if next := offset + len(items); next < total {
		p.HasMore, p.NextToken = true, base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(next)))
	}
	return p
}

// listOf reads a v2 list's account_id, page_token and limit.
func (s *Server) listOf(c *call) (user string, offset, limit int, err error) {
	if offset, limit, err = page(c); err != nil {
		return "", 0, 0, err
	}
	if user, err = accid("account_id", c.Query.Get("account_id")); err != nil {
		return "", 0, 0, err
	}
	return user, offset, limit, s.registered(c, "account_id", user, domain.ErrUserNotRegistered)
}

// v2List: GET /im/v2/friends?account_id=&page_token=&limit=.
func (s *Server) v2List(_ context.Context, c *call) (any, error) {
	user, offset, limit, err := s.listOf(c)
	if err != nil {
		return nil, err
	}
	friends, total := s.cfg.Read.Friends(c.App.Name, user, offset, limit)
	items := make([]v2Friend, len(friends))
	for i, f := range friends {
		items[i] = v2FriendOf(f.ID, f.Entry)
	}
	return newPage(items, offset, total), nil
}

// handleTypes are handle_friend_addition's types: the docs' query values
// and the official SDK's body values.
var handleTypes = map[string]map[int]bool{"query": {3: true, 4: false}, "body": {1: true, 2: false}}

// v2Handle: POST /im/v2/friends/actions/handle_friend_addition, account_id
// accepts or rejects friend_account_id's request: by the query's type (3
// accept, the default; 4 reject), as the docs say, or by the body's (1
// accept, 2 reject), as the official SDK sends it.
func (s *Server) v2Handle(ctx context.Context, c *call) (any, error) {
	var b friendBody
	if err := decodeV2(c, &b); err != nil {
		return nil, err
	}
	accept := true
	switch q := c.Query.Get("type"); {
	case q != "":
		n, err := strconv.Atoi(q)
		a, known := handleTypes["query"][n]
		if err != nil || !known {
			return nil, apiErr(codeParam, "type must be 3 (accept) or 4 (reject)")
		}
		accept = a
	case b.Type != 0:
		a, known := handleTypes["body"][b.Type]
		if !known {
			return nil, apiErr(codeParam, "type must be 1 (accept) or 2 (reject)")
		}
		accept = a
	}
	if err := b.check(); err != nil {
		return nil, err
	}
	user, other, err := s.v2Pair(c, b.AccountID, b.FriendAccountID)
	if err != nil {
		return nil, err
	}
	typ := addReject
	if accept {
		typ = addAccept
	}
	if err := run(ctx, c, addCommand(typ, user, other, b.entry())); err != nil {
		return nil, err
	}
	if !accept {
		return v2Friend{FriendAccountID: other}, nil
	}
	return s.added(c, user, other), nil
}

// blockBody is what v2's block call sends.
type blockBody struct {
	AccountID        string `json:"account_id"`
	ContactAccountID string `json:"contact_account_id"`
}

// blockPair checks the two accounts of a v2 block call.
func (s *Server) blockPair(c *call, user, other string) (string, string, error) {
	a, b, err := s.accounts(c, "account_id", user, "contact_account_id", other)
	var e *Error
	if errors.Is(err, domain.ErrSelf) && errors.As(err, &e) {
		return "", "", kindErr(e.Code, e.Desc, errBlockSelf)
	}
	return a, b, err
}

// v2Block: POST /im/v2/block_contacts.
func (s *Server) v2Block(ctx context.Context, c *call) (any, error) {
	var b blockBody
	if err := decodeV2(c, &b); err != nil {
		return nil, err
	}
	user, other, err := s.blockPair(c, b.AccountID, b.ContactAccountID)
	if err != nil {
		return nil, err
	}
	cmd, already := special(relationBlack, true, user, other)
	return nil, idempotent(run(ctx, c, cmd), already...)
}

// v2Unblock: DELETE /im/v2/block_contacts/{account_id}?contact_account_id=.
func (s *Server) v2Unblock(ctx context.Context, c *call) (any, error) {
	user, other, err := s.blockPair(c, pathAccount(ctx), c.Query.Get("contact_account_id"))
	if err != nil {
		return nil, err
	}
	cmd, already := special(relationBlack, false, user, other)
	return nil, idempotent(run(ctx, c, cmd), already...)
}

// v2Blocked: GET /im/v2/block_contacts?account_id=&page_token=&limit=.
func (s *Server) v2Blocked(_ context.Context, c *call) (any, error) {
	user, offset, limit, err := s.listOf(c)
	if err != nil {
		return nil, err
	}
	_, total := s.cfg.Read.Blocklist(c.App.Name, user, 0, 0)
	return newPage(s.blacklist(c, user, offset, limit), offset, total), nil
}
