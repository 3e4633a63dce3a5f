package yunxin

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
)

// The friend attributes Yunxin's two extension fields are kept in, as
// docs/yunxin.md says: ex (v2 extension) and serverex (v2
// customer_extension). A ZIM call sees them as those attributes, a Tencent
// call as the custom fields the app maps them to.
const (
	exAttr       = "k3"
	serverexAttr = "k4"
)

// Field limits, in characters.
const (
	maxMsg   = 256
	maxEx    = 256
	maxAlias = 128
	maxName  = 64
	maxIcon  = 1024
	maxToken = 128
)

// form reads a v1 call's form body (application/x-www-form-urlencoded,
// read as url.ParseQuery reads it).
func form(c *call) *amityhttp.Query {
	return amityhttp.ParseQuery(string(c.Body))
}

// pair reads a v1 call's two accounts, by their field names.
func (s *Server) pair(c *call, f *amityhttp.Query, first, second string) (string, string, error) {
	return s.accounts(c, first, f.Get(first), second, f.Get(second))
}

// accounts checks the two accounts a call names, each by its field's name
// and value: valid, distinct and registered.
func (s *Server) accounts(c *call, firstName, first, secondName, second string) (string, string, error) {
	a, err := accid(firstName, first)
	if err != nil {
		return "", "", err
	}
	b, err := accid(secondName, second)
	if err != nil {
		return "", "", err
	}
	if a == b {
		return "", "", kindErr(codeParam, firstName+" can't same with the "+secondName, domain.ErrSelf)
	}
	if err := s.registered(c, firstName, a, domain.ErrUserNotRegistered); err != nil {
		return "", "", err
	}
	if err := s.registered(c, secondName, b, domain.ErrTargetNotRegistered); err != nil {
		return "", "", err
	}
	return a, b, nil
}

// run executes one command, and answers nothing but its error.
func run(ctx context.Context, c *call, cmd domain.Command) error {
	return c.Execute(ctx, []domain.Command{cmd})[0].Err
}

// idempotent is nil for the errors Yunxin answers 200: the state asked for
// is already there.
func idempotent(err error, already ...error) error {
	for _, a := range already {
		if errors.Is(err, a) {
			return nil
		}
	}
	return err
}

// attrs is the attributes of the extension fields set in f (or in v2's
// body): set, even to "", which clears it.
func attrs(ex, serverex *string) map[string]string {
	var m map[string]string
	set := func(k string, v *string) {
		if v != nil {
			if m == nil {
				m = map[string]string{}
			}
			m[k] = *v
		}
	}
	set(exAttr, ex)
	set(serverexAttr, serverex)
	return m
}

// field is f's value of name, or nil when it was not sent.
func field(f *amityhttp.Query, name string) *string {
	if !f.Has(name) {
		return nil
	}
	v := f.Get(name)
	return &v
}

// addTypes are friend/add.action's types.
const (
	addDirect = 1
	addApply  = 2
	addAccept = 3
	addReject = 4
)

// addCommand is what an add of type typ records: a two-way add, a request,
// or its answer.
func addCommand(typ int, user, friend string, e domain.Entry) domain.Command {
	switch typ {
	case addDirect:
		return domain.AddFriend{User: user, Friend: friend, Entry: e, Reverse: &domain.Entry{Wording: e.Wording, Attributes: e.Attributes}}
	case addApply:
		return domain.SendRequest{User: user, Target: friend, Entry: e}
	case addAccept:
		return domain.AcceptRequest{User: user, From: friend, Entry: e}
	}
	return domain.RejectRequest{User: user, From: friend}
}

// friendAdd: friend/add.action, by type: 1 a direct two-way add, 2 a
// request, 3 and 4 accid's answer to faccid's request.
func (s *Server) friendAdd(ctx context.Context, c *call) (response, error) {
	f := form(c)
	typ, err := strconv.Atoi(f.Get("type"))
	if err != nil || typ < addDirect || typ > addReject {
		return nil, apiErr(codeParam, "type must be 1, 2, 3 or 4")
	}
	if err := errors.Join(text("msg", f.Get("msg"), maxMsg), text("serverex", f.Get("serverex"), maxEx)); err != nil {
		return nil, err
	}
	user, friend, err := s.pair(c, f, "accid", "faccid")
	if err != nil {
		return nil, err
	}
	e := domain.Entry{Wording: f.Get("msg"), Attributes: attrs(nil, field(f, "serverex"))}
	err = run(ctx, c, addCommand(typ, user, friend, e))
	return ok(), idempotent(err, domain.ErrAlreadyFriends)
}

// friendUpdate: friend/update.action, accid's alias and extensions for a
// friend; "" clears one.
func (s *Server) friendUpdate(ctx context.Context, c *call) (response, error) {
	f := form(c)
	if err := errors.Join(text("alias", f.Get("alias"), maxAlias), text("ex", f.Get("ex"), maxEx), text("serverex", f.Get("serverex"), maxEx)); err != nil {
		return nil, err
	}
	user, friend, err := s.pair(c, f, "accid", "faccid")
	if err != nil {
		return nil, err
	}
	if err := run(ctx, c, domain.UpdateFriend{User: user, Friend: friend, Alias: field(f, "alias"), Attributes: attrs(field(f, "ex"), field(f, "serverex"))}); err != nil {
		return nil, notFriend(err)
	}
	return ok(), nil
}

// notFriend says Yunxin's words for a friend that is not one.
func notFriend(err error) error {
	if errors.Is(err, domain.ErrNotFriend) {
		return kindErr(codeNotFound, "friend not exist", domain.ErrNotFriend)
	}
	return err
}

// friendDelete: friend/delete.action, one way: faccid keeps accid, and
// tells it with bidirection false. accid's alias comes back when accid
// adds faccid again, unless isDeleteAlias is true.
func (s *Server) friendDelete(ctx context.Context, c *call) (response, error) {
	f := form(c)
	keep, err := keepAlias("isDeleteAlias", f.Get("isDeleteAlias"))
	if err != nil {
		return nil, err
	}
	user, friend, err := s.pair(c, f, "accid", "faccid")
	if err != nil {
		return nil, err
	}
	return ok(), notFriend(run(ctx, c, domain.DeleteFriend{User: user, Friend: friend, KeepAlias: keep}))
}

// keepAlias reads a delete's isDeleteAlias (v1) or delete_alias (v2):
// false, the default, keeps the alias for a later add.
func keepAlias(name, v string) (bool, error) {
	switch v {
	case "", "false":
		return true, nil
	case "true":
		return false, nil
	}
	return false, apiErr(codeParam, name+" must be true or false")
}

// friend is a friend as v1 answers it.
type friend struct {
	FAccid      string `json:"faccid"`
	CreateTime  int64  `json:"createtime"`
	UpdateTime  int64  `json:"updatetime"`
	Bidirection bool   `json:"bidirection"`
	Alias       string `json:"alias,omitempty"`
	Ex          string `json:"ex,omitempty"`
	ServerEx    string `json:"serverex,omitempty"`
}

func friendOf(id string, e domain.Entry, both bool) friend {
	return friend{FAccid: id, CreateTime: e.CreateTime, UpdateTime: updated(e), Bidirection: both, Alias: e.Alias,
		Ex: e.Attributes[exAttr], ServerEx: e.Attributes[serverexAttr]}
}

// updated is when an entry last changed: its update time, or its creation.
func updated(e domain.Entry) int64 { return max(e.UpdateTime, e.CreateTime) }

type friendsAnswer struct {
	result
	Size    int      `json:"size"`
	Friends []friend `json:"friends"`
}

// friendGet: friend/get.action, accid's friends changed after updatetime
// (Unix ms; 0: all), oldest change first.
func (s *Server) friendGet(_ context.Context, c *call) (response, error) {
	f := form(c)
	user, err := accid("accid", f.Get("accid"))
	if err != nil {
		return nil, err
	}
	raw := cmp.Or(f.Get("updatetime"), f.Get("createtime"))
	since, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || since < 0 {
		return nil, apiErr(codeParam, "updatetime must be Unix milliseconds")
	}
	if err := s.registered(c, "accid", user, domain.ErrUserNotRegistered); err != nil {
		return nil, err
	}
	rd := s.cfg.Read
	page, _ := rd.Friends(c.App.Name, user, 0, c.App.FriendCap())
	ids := make([]string, len(page))
	for i, fr := range page {
		ids[i] = fr.ID
	}
	rel := rd.Relations(c.App.Name, user, ids)
	out := friendsAnswer{Friends: []friend{}}
	for i, fr := range page {
		if updated(fr.Entry) > since {
			out.Friends = append(out.Friends, friendOf(fr.ID, fr.Entry, rel[i][1]))
		}
	}
	slices.SortStableFunc(out.Friends, func(a, b friend) int { return cmp.Compare(a.UpdateTime, b.UpdateTime) })
	out.Size = len(out.Friends)
	return &out, nil
}

type friendAnswer struct {
	result
	Friend friend `json:"friend"`
}

// friendGetByAccid: friend/getByAccid.action, one friend of accid's.
func (s *Server) friendGetByAccid(_ context.Context, c *call) (response, error) {
	f := form(c)
	user, err := accid("accid", f.Get("accid"))
	if err != nil {
		return nil, err
	}
	other, err := accid("faccid", f.Get("faccid"))
	if err != nil {
		return nil, err
	}
	// An entry names two registered users: the accounts are checked only
	// when there is none, to tell 414 from 404.
	e, ok := s.cfg.Read.Entry(c.App.Name, user, other)
	if !ok {
		if _, _, err := s.pair(c, f, "accid", "faccid"); err != nil {
			return nil, err
		}
		return nil, kindErr(codeNotFound, "friend not exist", domain.ErrNotFriend)
	}
	_, back := s.cfg.Read.Relation(c.App.Name, user, other)
	return &friendAnswer{Friend: friendOf(other, e, back)}, nil
}

type createAnswer struct {
	result
	Info struct {
		Token string `json:"token"`
		Accid string `json:"accid"`
		Name  string `json:"name"`
	} `json:"info"`
}

// userCreate: user/create.action, an account for the friend APIs to name.
// Amity keeps no IM login: a token given is echoed, and one made when
// none is given is kept nowhere.
func (s *Server) userCreate(ctx context.Context, c *call) (response, error) {
	f := form(c)
	user, err := accid("accid", f.Get("accid"))
	if err != nil {
		return nil, err
	}
	if err := errors.Join(text("name", f.Get("name"), maxName), text("icon", f.Get("icon"), maxIcon), text("token", f.Get("token"), maxToken)); err != nil {
		return nil, err
	}
	if err := run(ctx, c, domain.RegisterUser{User: user, Name: f.Get("name"), Avatar: f.Get("icon")}); err != nil {
		if errors.Is(err, domain.ErrUserExists) {
			return nil, apiErr(codeParam, "already register")
		}
		return nil, err
	}
	out := &createAnswer{}
	out.Info.Accid, out.Info.Name, out.Info.Token = user, f.Get("name"), f.Get("token")
	if out.Info.Token == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		out.Info.Token = hex.EncodeToString(b[:])
	}
	return out, nil
}
