package zim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
)

type answer = zim.Answer

// surface serves the ZIM surface of apps over loopback HTTP, on a core with
// an in-memory stream.
func surface(t *testing.T, apps ...*zim.App) (*testenv.Core, string) {
	t.Helper()
	core := testenv.Start(t)
	srv := httptest.NewServer(zim.New(core.Deps(), apps...).Routes().Handler())
	t.Cleanup(srv.Close)
	return core, srv.URL
}

var (
	demo = &zim.App{App: &domain.App{Name: "demo"}, AppID: 1234567, ServerSecret: "demo-secret", QPS: 1_000_000}
	slow = &zim.App{App: &domain.App{Name: "slow"}, AppID: 42, ServerSecret: "slow-secret", QPS: 2}
)

func call(t *testing.T, c *zim.Client, method, action string, q url.Values, body any) answer {
	t.Helper()
	var r answer
	if err := c.Call(context.Background(), method, action, q, body, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestAuthAndBadInput: each fault of a request's signature or parameters
// gets its own ZIM code, in ZIM's answer with a RequestId, and changes
// nothing; a signature is taken once; each app and action has its QPS.
//
// Its length is its table of cases.
func TestAuthAndBadInput(t *testing.T) {
	core, base := surface(t, demo, slow)
	z := &zim.Client{BaseURL: base, AppID: 1234567, Secret: "demo-secret"}
	if r := call(t, z, http.MethodPost, "UserRegister", nil, map[string]any{"UserInfo": []map[string]string{{"UserId": "alice"}, {"UserId": "bob"}}}); r.Code != 0 {
		t.Fatalf("register: %+v", r)
	}
	before := core.LastSeq()
	body := map[string]any{"FromUserId": "alice", "FriendInfos": []map[string]any{{"UserId": "bob"}}}
	now := time.Now()
	n := 0
	signed := func(mut func(q url.Values)) url.Values {
		n++
		q := zim.SignedQuery("AddFriends", 1234567, "demo-secret", "nonce-"+strconv.Itoa(n), now)
		mut(q)
		return q
	}
	resign := func(q url.Values, secret string, ts int64) {
		q.Set("Timestamp", strconv.FormatInt(ts, 10))
		q.Set("Signature", zim.Sign(1234567, q.Get("SignatureNonce"), secret, ts))
	}
	for _, tt := range []struct {
		name string
		q    url.Values
		code int
	}{
		{"wrong signature", signed(func(q url.Values) { q.Set("Signature", strings.Repeat("0", 32)) }), 100000005},
		{"wrong secret", signed(func(q url.Values) { resign(q, "other-secret", now.Unix()) }), 100000005},
		{"expired", signed(func(q url.Values) { resign(q, "demo-secret", now.Add(-zim.SignatureWindow-time.Minute).Unix()) }), 100000004},
		{"from the future", signed(func(q url.Values) { resign(q, "demo-secret", now.Add(zim.SignatureWindow+time.Minute).Unix()) }), 100000004},
		{"no AppId", signed(func(q url.Values) { q.Del("AppId") }), 100000001},
		{"bad AppId", signed(func(q url.Values) { q.Set("AppId", "x1") }), 100000001},
		{"no Timestamp", signed(func(q url.Values) { q.Del("Timestamp") }), 100000002},
		{"bad Timestamp", signed(func(q url.Values) { q.Set("Timestamp", "yesterday") }), 100000003},
		{"no Action", signed(func(q url.Values) { q.Del("Action") }), 100000006},
		{"unknown Action", signed(func(q url.Values) { q.Set("Action", "PokeFriends") }), 100000007},
		{"no nonce", signed(func(q url.Values) { q.Del("SignatureNonce") }), 100000008},
		{"no Signature", signed(func(q url.Values) { q.Del("Signature") }), 100000009},
		{"unknown app", signed(func(q url.Values) { q.Set("AppId", "999") }), 100000010},
		{"no SignatureVersion", signed(func(q url.Values) { q.Del("SignatureVersion") }), 100000013},
		{"SignatureVersion 1.0", signed(func(q url.Values) { q.Set("SignatureVersion", "1.0") }), 100000014},
	} {
		var r answer
		if err := z.Raw(context.Background(), http.MethodPost, tt.q, body, &r); err != nil {
			t.Fatal(err)
		}
		if r.Code != tt.code || r.RequestId == "" {
			t.Errorf("%s: Code = %d (%s), RequestId %q; want %d", tt.name, r.Code, r.Message, r.RequestId, tt.code)
		}
	}

	// A signed request is taken once: its replay is refused.
	q := zim.SignedQuery("QueryFriendList", 1234567, "demo-secret", "replayed-nonce", time.Now())
	q.Set("FromUserId", "alice")
	for i, want := range []int{0, 100000005} {
		var r answer
		if err := z.Raw(context.Background(), http.MethodGet, q, nil, &r); err != nil || r.Code != want {
			t.Errorf("use %d of one signature: Code = %d (%s), %v; want %d", i+1, r.Code, r.Message, err, want)
		}
	}

	for _, tt := range []struct {
		name, method, action string
		body                 any
		code                 int
	}{
		{"malformed JSON", http.MethodPost, "AddFriends", []byte(`{"FromUserId":`), 660000002},
		{"wrong type", http.MethodPost, "AddFriends", []byte(`{"FromUserId":5,"FriendInfos":[{"UserId":"bob"}]}`), 660000002},
		{"wrong item type", http.MethodPost, "AddFriends", []byte(`{"FromUserId":"alice","FriendInfos":[{"UserId":"bob","FriendTime":"now"}]}`), 660000002},
		{"empty body", http.MethodPost, "AddFriends", []byte(``), 660000002},
		{"not UTF-8", http.MethodPost, "AddFriends", []byte("{\"FromUserId\":\"alice\",\"FriendInfos\":[{\"UserId\":\"bob\",\"FriendAlias\":\"\xff\"}]}"), 660000002},
		{"oversized body", http.MethodPost, "AddFriends", []byte(`{"FromUserId":"alice","x":"` + strings.Repeat("x", zim.MaxBodyBytes) + `"}`), 100000012},
		{"GET of a POST action", http.MethodGet, "AddFriends", nil, 660000002},
		{"POST of a GET action", http.MethodPost, "DeleteAllFriends", body, 660000002},
		{"no FriendInfos", http.MethodPost, "AddFriends", []byte(`{"FromUserId":"alice"}`), 660000002},
		{"CheckType missing", http.MethodPost, "CheckFriendsRelation", []byte(`{"FromUserId":"alice","UserIds":["bob"]}`), 660000002},
	} {
		if r := call(t, z, tt.method, tt.action, nil, tt.body); r.Code != tt.code {
			t.Errorf("%s: Code = %d (%s), want %d", tt.name, r.Code, r.Message, tt.code)
		}
	}
	if after := core.LastSeq(); after != before {
		t.Errorf("refused requests wrote to the stream: last sequence %d -> %d", before, after)
	}

	// Per-app, per-action QPS limits.
	s := &zim.Client{BaseURL: base, AppID: 42, Secret: "slow-secret"}
	var codes []int
	for range 4 {
		codes = append(codes, call(t, s, http.MethodGet, "QueryFriendList", url.Values{"FromUserId": {"x"}}, nil).Code)
	}
	if codes[3] != 660300005 {
		t.Errorf("4 quick calls at 2/s: codes %v, want the last 660300005", codes)
	}
	reg := func(id string) int {
		return call(t, s, http.MethodPost, "UserRegister", nil, map[string]any{"UserInfo": []map[string]string{{"UserId": id}}}).Code
	}
	if c := reg("a"); c != 0 {
		t.Errorf("UserRegister after another action's limit: Code %d, want 0 (limits are per action)", c)
	}
	for range 3 {
		codes = append(codes, reg("b"))
	}
	if codes[len(codes)-1] != 660700001 {
		t.Errorf("UserRegister over its limit: codes %v, want the last 660700001", codes)
	}
}
