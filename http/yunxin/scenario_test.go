package yunxin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/internal/testenv/apitest"
)

// v1 is a v1 API's path.
const (
	create  = "/nimserver/user/create.action"
	add     = "/nimserver/friend/add.action"
	update  = "/nimserver/friend/update.action"
	del     = "/nimserver/friend/delete.action"
	get     = "/nimserver/friend/get.action"
	getOne  = "/nimserver/friend/getByAccid.action"
	special = "/nimserver/user/setSpecialRelation.action"
	lists   = "/nimserver/user/listBlackAndMuteList.action"
)

// TestV1Scenario is one scenario of the v1 form API, told in order: each
// step builds on the state the steps before it left, so it stays one
// function.
func TestV1Scenario(t *testing.T) {
	t.Parallel()
	demo, other, _ := apps()
	core, base := surface(t, demo, other)
	y := apitest.NewYunxin(t, base, "demo-key", "demo-secret")
	want := apitest.WantYunxin

	// Accounts: made once; the friend APIs refuse an unknown one.
	for _, u := range []string{"alice", "bob", "carol", "dave", "eve"} {
		r := y.Post(create, "accid", u, "name", "name of "+u)
		want(t, "create "+u, r, 200)
		if r.Info.Accid != u || r.Info.Token == "" {
			t.Errorf("create %s: info %+v", u, r.Info)
		}
	}
	want(t, "create again", y.Post(create, "accid", "alice"), 414)
	want(t, "create a long accid", y.Post(create, "accid", strings.Repeat("a", 33)), 405)
	want(t, "an unknown faccid", y.Post(add, "accid", "alice", "faccid", "nobody", "type", "1"), 414)

	// A direct add is two-way; again, it is no error; oneself is.
	want(t, "add", y.Post(add, "accid", "alice", "faccid", "bob", "type", "1", "msg", "hi bob"), 200)
	want(t, "add again", y.Post(add, "accid", "alice", "faccid", "bob", "type", "1"), 200)
	if r := y.Post(add, "accid", "alice", "faccid", "alice", "type", "1"); r.Code != 414 || r.Desc != "accid can't same with the faccid" {
		t.Errorf("add oneself: %+v", r)
	}
	for _, p := range [][2]string{{"alice", "bob"}, {"bob", "alice"}} {
		r := y.Post(getOne, "accid", p[0], "faccid", p[1])
		if r.Code != 200 || r.Friend.FAccid != p[1] || !r.Friend.Bidirection || r.Friend.CreateTime == 0 {
			t.Errorf("%s's %s after a direct add: %+v", p[0], p[1], r)
		}
	}
	// IDs are folded to lower case, as Yunxin folds them.
	want(t, "upper case", y.Post(getOne, "accid", "ALICE", "faccid", "Bob"), 200)

	// A request, accepted; another, rejected; an answer to none.
	want(t, "apply", y.Post(add, "accid", "alice", "faccid", "carol", "type", "2", "msg", "hi carol", "serverex", "from-apply"), 200)
	want(t, "carol is no friend yet", y.Post(getOne, "accid", "carol", "faccid", "alice"), 404)
	want(t, "accept", y.Post(add, "accid", "carol", "faccid", "alice", "type", "3"), 200)
	if r := y.Post(getOne, "accid", "alice", "faccid", "carol"); r.Code != 200 || !r.Friend.Bidirection || r.Friend.ServerEx != "from-apply" {
		t.Errorf("alice's carol after the accept: %+v", r)
	}
	want(t, "dave applies", y.Post(add, "accid", "dave", "faccid", "alice", "type", "2"), 200)
	want(t, "reject", y.Post(add, "accid", "alice", "faccid", "dave", "type", "4"), 200)
	want(t, "accept what was rejected", y.Post(add, "accid", "alice", "faccid", "dave", "type", "3"), 404)
	want(t, "accept no request", y.Post(add, "accid", "eve", "faccid", "bob", "type", "3"), 404)

	// Field limits and types.
	for name, form := range map[string][]string{
		"type 5":       {"accid", "alice", "faccid", "eve", "type", "5"},
		"no type":      {"accid", "alice", "faccid", "eve"},
		"no accid":     {"faccid", "eve", "type", "1"},
		"a long msg":   {"accid", "alice", "faccid", "eve", "type", "2", "msg", strings.Repeat("m", 257)},
		"a long alias": {"accid", "alice", "faccid", "bob", "alias", strings.Repeat("a", 129)},
	} {
		path, code := add, 414
		if strings.HasPrefix(name, "a long") {
			code = 405
		}
		if name == "a long alias" {
			path = update
		}
		want(t, name, y.Post(path, form...), code)
	}
	want(t, "eve is no friend after the refusals", y.Post(getOne, "accid", "alice", "faccid", "eve"), 404)

	// Alias and extensions: set, read, cleared by "".
	want(t, "update", y.Post(update, "accid", "alice", "faccid", "bob", "alias", "Bobby", "ex", "e1", "serverex", "s1"), 200)
	if r := y.Post(getOne, "accid", "alice", "faccid", "bob"); r.Friend.Alias != "Bobby" || r.Friend.Ex != "e1" || r.Friend.ServerEx != "s1" {
		t.Errorf("after the update: %+v", r.Friend)
	}
	before := y.Post(getOne, "accid", "alice", "faccid", "bob").Friend.UpdateTime
	core.Advance(time.Second)
	want(t, "clear the alias", y.Post(update, "accid", "alice", "faccid", "bob", "alias", ""), 200)
	if r := y.Post(getOne, "accid", "alice", "faccid", "bob"); r.Friend.Alias != "" || r.Friend.Ex != "e1" {
		t.Errorf("after clearing the alias: %+v", r.Friend)
	}
	want(t, "update no friend", y.Post(update, "accid", "alice", "faccid", "eve", "alias", "x"), 404)

	// The list, whole and changed since a time, oldest change first.
	all := y.Post(get, "accid", "alice", "updatetime", "0")
	if all.Code != 200 || all.Size != 2 || len(all.Friends) != 2 {
		t.Fatalf("alice's friends: %+v", all)
	}
	changed := y.Post(get, "accid", "alice", "updatetime", fmt.Sprint(before))
	if changed.Size != 1 || changed.Friends[0].FAccid != "bob" {
		t.Errorf("alice's friends changed after %d: %+v", before, changed)
	}
	if y.Post(get, "accid", "alice", "createtime", "0").Size != 2 {
		t.Error("createtime, the old name of updatetime, is not taken")
	}
	want(t, "get without a time", y.Post(get, "accid", "alice"), 414)

	// A delete is one way: bob keeps alice, and says so.
	want(t, "delete", y.Post(del, "accid", "alice", "faccid", "bob", "isDeleteAlias", "true"), 200)
	want(t, "alice's bob is gone", y.Post(getOne, "accid", "alice", "faccid", "bob"), 404)
	if r := y.Post(getOne, "accid", "bob", "faccid", "alice"); r.Code != 200 || r.Friend.Bidirection {
		t.Errorf("bob's alice after alice deleted bob: %+v", r)
	}
	want(t, "delete again", y.Post(del, "accid", "alice", "faccid", "bob"), 404)
	want(t, "isDeleteAlias not a boolean", y.Post(del, "accid", "bob", "faccid", "alice", "isDeleteAlias", "yes"), 414)

	// The alias outlives a delete unless isDeleteAlias is true, and comes
	// back with the next add.
	want(t, "bob names alice", y.Post(update, "accid", "bob", "faccid", "alice", "alias", "Ally"), 200)
	want(t, "bob deletes alice, keeping the alias", y.Post(del, "accid", "bob", "faccid", "alice"), 200)
	want(t, "bob adds alice again", y.Post(add, "accid", "bob", "faccid", "alice", "type", "1"), 200)
	if r := y.Post(getOne, "accid", "bob", "faccid", "alice"); r.Code != 200 || r.Friend.Alias != "Ally" {
		t.Errorf("bob's alice after a delete keeping the alias and an add: %+v", r)
	}
	want(t, "bob deletes alice and the alias", y.Post(del, "accid", "bob", "faccid", "alice", "isDeleteAlias", "true"), 200)
	want(t, "bob adds alice once more", y.Post(add, "accid", "bob", "faccid", "alice", "type", "1"), 200)
	if r := y.Post(getOne, "accid", "bob", "faccid", "alice"); r.Code != 200 || r.Friend.Alias != "" {
		t.Errorf("bob's alice after a delete with isDeleteAlias=true and an add: %+v", r)
	}
	want(t, "alice deletes bob again", y.Post(del, "accid", "alice", "faccid", "bob", "isDeleteAlias", "true"), 200)

	// Blacklist and mute: each idempotent, apart from each other and from
	// the friendship.
	want(t, "blacklist carol", y.Post(special, "accid", "alice", "targetAcc", "carol", "relationType", "1", "value", "1"), 200)
	want(t, "blacklist carol again", y.Post(special, "accid", "alice", "targetAcc", "carol", "relationType", "1", "value", "1"), 200)
	want(t, "mute dave", y.Post(special, "accid", "alice", "targetAcc", "dave", "relationType", "2", "value", "1"), 200)
	want(t, "mute carol", y.Post(special, "accid", "alice", "targetAcc", "carol", "relationType", "2", "value", "1"), 200)
	want(t, "blacklisted carol is still a friend", y.Post(getOne, "accid", "alice", "faccid", "carol"), 200)
	if r := y.Post(lists, "accid", "alice"); r.Code != 200 || strings.Join(r.BlackList, ",") != "carol" || strings.Join(r.MuteList, ",") != "carol,dave" {
		t.Errorf("alice's lists: %+v", r)
	}
	want(t, "unmute carol", y.Post(special, "accid", "alice", "targetAcc", "carol", "relationType", "2", "value", "0"), 200)
	want(t, "unmute carol again", y.Post(special, "accid", "alice", "targetAcc", "carol", "relationType", "2", "value", "0"), 200)
	want(t, "unblacklist eve, never in it", y.Post(special, "accid", "alice", "targetAcc", "eve", "relationType", "1", "value", "0"), 200)
	if r := y.Post(lists, "accid", "alice"); strings.Join(r.BlackList, ",") != "carol" || strings.Join(r.MuteList, ",") != "dave" {
		t.Errorf("alice's lists after the unmute: %+v", r)
	}
	want(t, "relationType 3", y.Post(special, "accid", "alice", "targetAcc", "eve", "relationType", "3", "value", "1"), 414)
	want(t, "value 2", y.Post(special, "accid", "alice", "targetAcc", "eve", "relationType", "1", "value", "2"), 414)
	want(t, "mute oneself", y.Post(special, "accid", "alice", "targetAcc", "alice", "relationType", "2", "value", "1"), 414)

	// The bare paths are the same APIs.
	want(t, "a bare path", y.Post("/friend/getByAccid.action", "accid", "alice", "faccid", "carol"), 200)

	// Another app sees none of it.
	o := apitest.NewYunxin(t, base, "other-key", "other-secret")
	want(t, "other app", o.Post(getOne, "accid", "alice", "faccid", "carol"), 414)

	y.V.Covered(t, create, add, update, del, get, getOne, special, lists)
}

// TestV2Scenario is one scenario of the v2 JSON API, told in order.
func TestV2Scenario(t *testing.T) {
	t.Parallel()
	demo, _, _ := apps()
	_, base := surface(t, demo)
	y := apitest.NewYunxin(t, base, "demo-key", "demo-secret")
	for _, u := range []string{"ann", "ben", "cy", "dee", "eli", "fay"} {
		apitest.WantYunxin(t, "create "+u, y.Post(create, "accid", u), 200)
	}
	type friend struct {
		FriendAccountID   string `json:"friend_account_id"`
		Alias             string `json:"alias"`
		Extension         string `json:"extension"`
		CustomerExtension string `json:"customer_extension"`
		CreateTime        int64  `json:"create_time"`
	}
	var f friend
	r := y.V2(http.MethodPost, "/im/v2.1/friends", nil, map[string]any{"account_id": "ann", "friend_account_id": "ben", "type": 1,
		"alias": "Benny", "extension": "e", "customer_extension": "c"}, &f)
	apitest.WantV2(t, "add", r, 200)
	if r.Msg != "success" || f != (friend{FriendAccountID: "ben", Alias: "Benny", Extension: "e", CustomerExtension: "c"}) {
		t.Errorf("add: %s %+v", r.Msg, f)
	}
	for _, prefix := range []string{"/im/v2", "/im/v2.1", "/nimserver/im/v2", "/nimserver/im/v2.1"} {
		f = friend{}
		apitest.WantV2(t, "get one at "+prefix, y.V2(http.MethodGet, prefix+"/friends/ann", url.Values{"friend_account_id": {"ben"}}, nil, &f), 200)
		if f.FriendAccountID != "ben" || f.Alias != "Benny" || f.CreateTime == 0 {
			t.Errorf("get one at %s: %+v", prefix, f)
		}
	}
	apitest.WantV2(t, "add type 3", y.V2(http.MethodPost, "/im/v2/friends", nil, map[string]any{"account_id": "ann", "friend_account_id": "cy", "type": 3}, nil), 414)
	apitest.WantV2(t, "add a long alias", y.V2(http.MethodPost, "/im/v2/friends", nil,
		map[string]any{"account_id": "ann", "friend_account_id": "cy", "type": 1, "alias": strings.Repeat("a", 129)}, nil), 414)
	apitest.WantV2(t, "a type of the wrong kind", y.V2(http.MethodPost, "/im/v2/friends", nil, map[string]any{"account_id": "ann", "friend_account_id": "cy", "type": "1"}, nil), 414)
	// v2 answers with Yunxin's six-digit codes: module, then kind.
	apitest.WantV2(t, "add oneself", y.V2(http.MethodPost, "/im/v2/friends", nil, map[string]any{"account_id": "ann", "friend_account_id": "ann", "type": 1}, nil), 104429)
	apitest.WantV2(t, "add an unknown account", y.V2(http.MethodPost, "/im/v2/friends", nil, map[string]any{"account_id": "ann", "friend_account_id": "nobody", "type": 1}, nil), 102404)
	apitest.WantV2(t, "get a stranger", y.V2(http.MethodGet, "/im/v2/friends/ann", url.Values{"friend_account_id": {"fay"}}, nil, nil), 104404)
	apitest.WantV2(t, "update a stranger", y.V2(http.MethodPatch, "/im/v2/friends/ann", nil, map[string]any{"friend_account_id": "fay", "alias": "x"}, nil), 104404)
	apitest.WantV2(t, "block oneself", y.V2(http.MethodPost, "/im/v2/block_contacts", nil, map[string]any{"account_id": "ann", "contact_account_id": "ann"}, nil), 106429)

	// Requests, answered in the docs' form (query type 3|4) and in the
	// official SDK's (body type 1|2).
	for _, u := range []string{"cy", "dee", "eli", "fay"} {
		apitest.WantV2(t, u+" applies", y.V2(http.MethodPost, "/im/v2/friends", nil,
			map[string]any{"account_id": u, "friend_account_id": "ann", "type": 2, "postscript": "hi"}, nil), 200)
	}
	handle := "/im/v2.1/friends/actions/handle_friend_addition"
	apitest.WantV2(t, "accept by the query", y.V2(http.MethodPost, handle, url.Values{"type": {"3"}}, map[string]any{"account_id": "ann", "friend_account_id": "cy"}, nil), 200)
	apitest.WantV2(t, "reject by the query", y.V2(http.MethodPost, handle, url.Values{"type": {"4"}}, map[string]any{"account_id": "ann", "friend_account_id": "dee"}, nil), 200)
	apitest.WantV2(t, "accept by the body", y.V2(http.MethodPost, handle, nil, map[string]any{"account_id": "ann", "friend_account_id": "eli", "type": 1, "alias": "E"}, &f), 200)
	if f.Alias != "E" {
		t.Errorf("accepted with an alias: %+v", f)
	}
	apitest.WantV2(t, "reject by the body", y.V2(http.MethodPost, handle, nil, map[string]any{"account_id": "ann", "friend_account_id": "fay", "type": 2}, nil), 200)
	apitest.WantV2(t, "accept what was rejected", y.V2(http.MethodPost, handle, nil, map[string]any{"account_id": "ann", "friend_account_id": "dee"}, nil), 104302)

	// The list, a page at a time.
	type page struct {
		HasMore   bool     `json:"has_more"`
		NextToken string   `json:"next_token"`
		Items     []friend `json:"items"`
		Total     int      `json:"total"`
	}
	var got []string
	token := ""
	for range 5 {
		var p page
		q := url.Values{"account_id": {"ann"}, "limit": {"2"}}
		if token != "" {
			q.Set("page_token", token)
		}
		apitest.WantV2(t, "list", y.V2(http.MethodGet, "/im/v2/friends", q, nil, &p), 200)
		for _, it := range p.Items {
			got = append(got, it.FriendAccountID)
		}
		if !p.HasMore {
			break
		}
		token = p.NextToken
	}
	if strings.Join(got, ",") != "ben,cy,eli" {
		t.Errorf("ann's friends, paged: %v", got)
	}
	apitest.WantV2(t, "a limit over 100", y.V2(http.MethodGet, "/im/v2/friends", url.Values{"account_id": {"ann"}, "limit": {"101"}}, nil, nil), 414)
	apitest.WantV2(t, "a forged token", y.V2(http.MethodGet, "/im/v2/friends", url.Values{"account_id": {"ann"}, "page_token": {"!!"}}, nil, nil), 414)

	// Update and delete.
	apitest.WantV2(t, "update", y.V2(http.MethodPatch, "/im/v2.1/friends/ann", nil, map[string]any{"friend_account_id": "ben", "alias": ""}, &f), 200)
	if f.Alias != "" || f.Extension != "e" {
		t.Errorf("after clearing the alias: %+v", f)
	}
	apitest.WantV2(t, "delete", y.V2(http.MethodDelete, "/im/v2/friends/ann", url.Values{"friend_account_id": {"ben"}, "delete_alias": {"false"}}, nil, nil), 200)
	apitest.WantV2(t, "get the deleted", y.V2(http.MethodGet, "/im/v2.1/friends/ann", url.Values{"friend_account_id": {"ben"}}, nil, nil), 104404)
	apitest.WantV2(t, "delete the deleted", y.V2(http.MethodDelete, "/im/v2/friends/ann", url.Values{"friend_account_id": {"ben"}}, nil, nil), 104404)
	apitest.WantV2(t, "delete_alias not a boolean", y.V2(http.MethodDelete, "/im/v2/friends/ann", url.Values{"friend_account_id": {"cy"}, "delete_alias": {"1"}}, nil, nil), 414)
	// ann's alias for cy outlives a delete with delete_alias=false (the
	// default) and comes back with the next add; delete_alias=true drops it.
	apitest.WantV2(t, "name cy", y.V2(http.MethodPatch, "/im/v2/friends/ann", nil, map[string]any{"friend_account_id": "cy", "alias": "Sy"}, &f), 200)
	apitest.WantV2(t, "delete cy", y.V2(http.MethodDelete, "/im/v2/friends/ann", url.Values{"friend_account_id": {"cy"}}, nil, nil), 200)
	apitest.WantV2(t, "add cy again", y.V2(http.MethodPost, "/im/v2/friends", nil, map[string]any{"account_id": "ann", "friend_account_id": "cy", "type": 1}, nil), 200)
	apitest.WantV2(t, "get cy", y.V2(http.MethodGet, "/im/v2/friends/ann", url.Values{"friend_account_id": {"cy"}}, nil, &f), 200)
	if f.Alias != "Sy" {
		t.Errorf("ann's cy after a delete keeping the alias and an add: %+v", f)
	}
	apitest.WantV2(t, "delete cy and the alias", y.V2(http.MethodDelete, "/im/v2/friends/ann", url.Values{"friend_account_id": {"cy"}, "delete_alias": {"true"}}, nil, nil), 200)
	apitest.WantV2(t, "add cy once more", y.V2(http.MethodPost, "/im/v2/friends", nil, map[string]any{"account_id": "ann", "friend_account_id": "cy", "type": 1}, nil), 200)
	apitest.WantV2(t, "get cy again", y.V2(http.MethodGet, "/im/v2/friends/ann", url.Values{"friend_account_id": {"cy"}}, nil, &f), 200)
	if f.Alias != "" {
		t.Errorf("ann's cy after a delete with delete_alias=true and an add: %+v", f)
	}

	// Blocks.
	for _, u := range []string{"ben", "cy", "dee"} {
		apitest.WantV2(t, "block "+u, y.V2(http.MethodPost, "/im/v2/block_contacts", nil, map[string]any{"account_id": "ann", "contact_account_id": u}, nil), 200)
	}
	apitest.WantV2(t, "block again", y.V2(http.MethodPost, "/im/v2/block_contacts", nil, map[string]any{"account_id": "ann", "contact_account_id": "ben"}, nil), 200)
	apitest.WantV2(t, "unblock", y.V2(http.MethodDelete, "/im/v2/block_contacts/ann", url.Values{"contact_account_id": {"cy"}}, nil, nil), 200)
	var blocked struct {
		Items   []string `json:"items"`
		HasMore bool     `json:"has_more"`
		Total   int      `json:"total"`
	}
	apitest.WantV2(t, "blocked", y.V2(http.MethodGet, "/im/v2/block_contacts", url.Values{"account_id": {"ann"}, "limit": {"1"}}, nil, &blocked), 200)
	if strings.Join(blocked.Items, ",") != "ben" || !blocked.HasMore || blocked.Total != 2 {
		t.Errorf("ann's first blocked: %+v", blocked)
	}
	if r := y.Post(getOne, "accid", "ann", "faccid", "cy"); r.Code != 200 {
		t.Errorf("a block ended the friendship: %+v", r)
	}
	y.V.Covered(t, "/im/v2.1/friends", "/im/v2/friends", "/im/v2/friends/ann", "/im/v2.1/friends/ann", handle, "/im/v2/block_contacts", "/im/v2/block_contacts/ann")
}

// TestFieldLimits: each text field at its limit is taken and one character
// over it answers 405 (parameter too long), changing nothing; limits
// count characters, not bytes.
func TestFieldLimits(t *testing.T) {
	t.Parallel()
	demo, _, _ := apps()
	_, base := surface(t, demo)
	y := apitest.NewYunxin(t, base, "demo-key", "demo-secret")
	for _, u := range []string{"ann", "bob", "cy"} {
		apitest.WantYunxin(t, "create", y.Post(create, "accid", u), 200)
	}
	apitest.WantYunxin(t, "add", y.Post(add, "accid", "ann", "faccid", "bob", "type", "1"), 200)
	long := func(n int) string { return strings.Repeat("é", n) } // two bytes a character
	for _, c := range []struct {
		path, field string
		max         int
		form        []string
	}{
		{create, "accid", 32, nil},
		{create, "name", 64, []string{"accid", "dee"}},
		{create, "icon", 1024, []string{"accid", "eve"}},
		{create, "token", 128, []string{"accid", "fay"}},
		{add, "msg", 256, []string{"accid", "ann", "faccid", "cy", "type", "2"}},
		{add, "serverex", 256, []string{"accid", "cy", "faccid", "ann", "type", "2"}},
		{update, "alias", 128, []string{"accid", "ann", "faccid", "bob"}},
		{update, "ex", 256, []string{"accid", "ann", "faccid", "bob"}},
		{update, "serverex", 256, []string{"accid", "ann", "faccid", "bob"}},
	} {
		over := append(append([]string{}, c.form...), c.field, long(c.max+1))
		apitest.WantYunxin(t, fmt.Sprintf("%s %s of %d", c.path, c.field, c.max+1), y.Post(c.path, over...), 405)
		at := append(append([]string{}, c.form...), c.field, long(c.max))
		if c.field == "accid" {
			at = []string{"accid", strings.Repeat("a", c.max)}
		}
		apitest.WantYunxin(t, fmt.Sprintf("%s %s of %d", c.path, c.field, c.max), y.Post(c.path, at...), 200)
	}
	if r := y.Post(getOne, "accid", "ann", "faccid", "bob"); r.Friend.Alias != long(128) || r.Friend.Ex != long(256) {
		t.Errorf("the longest alias and ex: %+v", r.Friend)
	}
}
