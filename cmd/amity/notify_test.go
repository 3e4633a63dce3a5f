package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amity-im/amity/client"
	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/yunxin"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go"
)

// collector gathers notifications from a real NATS subscription.
type collector struct {
	mu  sync.Mutex
	got []delivery.Notification
	raw []*nats.Msg
}

func subscribe(t *testing.T, natsURL, subject string) *collector {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	c := &collector{}
	if _, err := nc.Subscribe(subject, func(m *nats.Msg) {
		var n delivery.Notification
		if err := json.Unmarshal(m.Data, &n); err != nil {
			t.Errorf("notification %s is not JSON: %v", m.Data, err)
			return
		}
		c.mu.Lock()
		c.got = append(c.got, n)
		c.raw = append(c.raw, m)
		c.mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return c
}

// wait returns the notifications once n have arrived and no more come for
// a moment.
func (c *collector) wait(t *testing.T, n int) []delivery.Notification {
	t.Helper()
	count := func() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.got) }
	testenv.Eventually(30*time.Second, func() bool { return count() >= n })
	// None more for a moment: a repeated notification would show.
	got := count()
	testenv.Holds(300*time.Millisecond, func() bool { return count() == got })
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.got)
}

// line renders a notification for comparison.
func line(n delivery.Notification) string {
	var who []string
	for _, f := range n.FriendInfoList {
		s := f.UserID
		if f.FriendAlias != nil && *f.FriendAlias != "" {
			s += "=" + *f.FriendAlias
		}
		who = append(who, s)
	}
	for _, u := range n.UserList {
		who = append(who, u.UserID)
	}
	return fmt.Sprintf("%s %s %s %v", n.User, n.Event, n.Action, who)
}

func TestNotificationsReachSubscribers(t *testing.T) {
	t.Parallel()
	s := startService(t, tencentConfig, "")
	sub := subscribe(t, s.natsURL, "amity.both.notify.>")
	tc := s.tencent(t, 1400000002, "tc-key")
	z := s.zim(t, 2222, "zim-secret")
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("alice", "bob", "carol", "dave")), 0)

	apitest.WantCode(t, "zim two-way add", z.Post("AddFriends", obj{"FromUserId": "alice", "FriendInfos": []fi{{"UserId": "bob", "FriendAlias": "Bobby"}}}), 0)
	apitest.WantCode(t, "zim one-way delete", z.Post("DeleteFriends", obj{"FromUserId": "bob", "UserIds": []string{"alice"}, "DeleteType": 1}), 0)
	apitest.WantCode(t, "zim alias", z.Post("UpdateFriendsAlias", obj{"FromUserId": "alice", "UserIds": []fi{{"UserId": "bob", "FriendAlias": "B."}}}), 0)
	apitest.WantCode(t, "zim block", z.Post("AddUsersToBlacklist", obj{"FromUserId": "alice", "UserIds": []string{"bob"}}), 0)
	apitest.WantItems(t, "tencent add", tc.Call("/v4/sns/friend_add", obj{"From_Account": "carol", "AddFriendItem": []obj{{"To_Account": "dave", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"dave": 0})
	apitest.WantItems(t, "tencent block", tc.Call("/v4/sns/black_list_add", obj{"From_Account": "dave", "To_Account": []string{"carol"}}), map[string]int{"carol": 0})
	apitest.WantItems(t, "tencent unblock", tc.Call("/v4/sns/black_list_delete", obj{"From_Account": "dave", "To_Account": []string{"carol"}}), map[string]int{"carol": 0})

	want := []string{
		"alice onFriendListChanged Added [bob=Bobby]",
		"bob onFriendListChanged Added [alice]",
		"bob onFriendListChanged Deleted [alice]",
		"alice onFriendInfoUpdated  [bob=B.]",
		"alice onBlacklistChanged Added [bob]",
		"carol onFriendListChanged Added [dave]",
		"dave onFriendListChanged Added [carol]",
		"dave onBlacklistChanged Added [carol]",
		"dave onFriendListChanged Deleted [carol]",
		"carol onFriendListChanged Deleted [dave]",
		"dave onBlacklistChanged Removed [carol]",
	}
	got := sub.wait(t, len(want))
	var lines []string
	for _, n := range got {
		lines = append(lines, line(n))
	}
	if !slices.Equal(lines, want) {
		t.Errorf("notifications:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	sub.mu.Lock()
	defer sub.mu.Unlock()
	for i, n := range got {
		if n.EventID == "" || n.Seq == 0 || n.App != "both" || sub.raw[i].Subject != domain.NotifySubject("both", n.User) {
			t.Errorf("notification %d: event %q seq %d app %q on %s", i, n.EventID, n.Seq, n.App, sub.raw[i].Subject)
		}
	}
}

// receiver is a webhook endpoint on loopback that records what it gets and
// answers with the status fail returns.
type receiver struct {
	mu    sync.Mutex
	calls []received
	fail  func() bool
	srv   *httptest.Server
}

type received struct {
	Query  url.Values
	Header http.Header
	Raw    []byte
	Body   map[string]any
	Event  string
}

func newReceiver(t *testing.T, fail func() bool) *receiver {
	r := &receiver{fail: fail}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		if r.fail != nil && r.fail() {
			http.Error(w, "not now", http.StatusServiceUnavailable)
			return
		}
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		r.mu.Lock()
		r.calls = append(r.calls, received{Query: req.URL.Query(), Header: req.Header.Clone(), Raw: b, Body: body, Event: req.Header.Get("X-Amity-Event-Id")})
		r.mu.Unlock()
		fmt.Fprint(w, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}`)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) wait(t *testing.T, n int, within time.Duration) []received {
	t.Helper()
	count := func() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.calls) }
	testenv.Eventually(within, func() bool { return count() >= n })
	// None more for a moment: a repeated delivery would show.
	got := count()
	testenv.Holds(200*time.Millisecond, func() bool { return count() == got })
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

func pairs(b map[string]any) string {
	var out []string
	list, _ := b["PairList"].([]any)
	for _, p := range list {
		m := p.(map[string]any)
		out = append(out, fmt.Sprintf("%v>%v", m["From_Account"], m["To_Account"]))
	}
	return strings.Join(out, ",")
}

func TestTencentWebhooks(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	cfg := `{"apps":[{"name":"hooked","tencent":{"sdkappid":1400000009,"secret_key":"k","admins":["administrator"],"qps":100000},
	  "callback":{"url":"` + rcv.srv.URL + `/im?token=x"}}]}`
	s := startService(t, cfg, "")
	tc := s.tencent(t, 1400000009, "k")
	apitest.WantTC(t, "import", tc.Call("/v4/im_open_login_svc/multiaccount_import", apitest.Accounts("a", "b", "c")), 0)
	apitest.WantItems(t, "add", tc.Call("/v4/sns/friend_add", obj{"From_Account": "a", "AddFriendItem": []obj{{"To_Account": "b", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"b": 0})
	apitest.WantItems(t, "import (no callback)", tc.Call("/v4/sns/friend_import", obj{"From_Account": "a", "AddFriendItem": []obj{{"To_Account": "c", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"c": 0})
	apitest.WantItems(t, "delete", tc.Call("/v4/sns/friend_delete", obj{"From_Account": "a", "To_Account": []string{"c"}, "DeleteType": "Delete_Type_Single"}), map[string]int{"c": 0})
	apitest.WantItems(t, "block", tc.Call("/v4/sns/black_list_add", obj{"From_Account": "b", "To_Account": []string{"a"}}), map[string]int{"a": 0})
	apitest.WantItems(t, "unblock", tc.Call("/v4/sns/black_list_delete", obj{"From_Account": "b", "To_Account": []string{"a"}}), map[string]int{"a": 0})

	got := rcv.wait(t, 5, 30*time.Second)
	var lines []string
	for _, c := range got {
		lines = append(lines, fmt.Sprintf("%s %s", c.Query.Get("CallbackCommand"), pairs(c.Body)))
		if c.Query.Get("SdkAppid") != "1400000009" || c.Query.Get("contenttype") != "json" || c.Query.Get("token") != "x" ||
			!c.Query.Has("ClientIP") || c.Query.Get("OptPlatform") == "" || c.Body["CallbackCommand"] != c.Query.Get("CallbackCommand") || c.Event == "" {
			t.Errorf("callback query %v body %v", c.Query, c.Body)
		}
	}
	want := []string{
		"Sns.CallbackFriendAdd a>b,b>a",
		"Sns.CallbackFriendDelete a>c",
		"Sns.CallbackBlackListAdd b>a",
		"Sns.CallbackFriendDelete b>a,a>b",
		"Sns.CallbackBlackListDelete b>a",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("callbacks:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if got[0].Body["ClientCmd"] != "friend_add" || got[0].Body["Admin_Account"] != "administrator" {
		t.Errorf("CallbackFriendAdd body = %v", got[0].Body)
	}
}

// TestYunxinNotificationsAndWebhooks: a Yunxin app's changes reach its
// subscribers as notifications naming the Yunxin SDK notice each stands
// in for, and its backend as Yunxin-style callbacks whose CheckSum
// verifies with the app's secret.
func TestYunxinNotificationsAndWebhooks(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	cfg := `{"apps":[{"name":"yx","yunxin":{"app_key":"yk","app_secret":"ys","qps":100000},
	  "callback":{"url":"` + rcv.srv.URL + `"}}]}`
	s := startService(t, cfg, "")
	sub := subscribe(t, s.natsURL, "amity.yx.notify.>")
	y := apitest.NewYunxin(t, s.httpURL, "yk", "ys")
	for _, u := range []string{"ann", "bob", "cy"} {
		apitest.WantYunxin(t, "create", y.Post("/user/create.action", "accid", u), 200)
	}
	apitest.WantYunxin(t, "add", y.Post("/friend/add.action", "accid", "ann", "faccid", "bob", "type", "1", "msg", "hi"), 200)
	apitest.WantYunxin(t, "apply", y.Post("/friend/add.action", "accid", "cy", "faccid", "ann", "type", "2", "msg", "me too"), 200)
	apitest.WantYunxin(t, "accept", y.Post("/friend/add.action", "accid", "ann", "faccid", "cy", "type", "3"), 200)
	apitest.WantYunxin(t, "delete", y.Post("/friend/delete.action", "accid", "bob", "faccid", "ann"), 200)
	apitest.WantYunxin(t, "mute", y.Post("/user/setSpecialRelation.action", "accid", "ann", "targetAcc", "cy", "relationType", "2", "value", "1"), 200)

	notices := map[string][]string{}
	for _, n := range sub.wait(t, 11) {
		if n.Yunxin != nil {
			notices[n.User] = append(notices[n.User], n.Yunxin.Type+" "+n.Yunxin.From+">"+n.Yunxin.To+" "+n.Yunxin.Ps)
		} else {
			notices[n.User] = append(notices[n.User], n.Event+" "+n.Action)
		}
	}
	want := map[string][]string{
		"ann": {"addFriend ann>bob hi", "applyFriend cy>ann me too", "passFriendApply ann>cy ", "passFriendApply ann>cy ", "deleteFriend bob>ann ", "onMuteListChanged Added"},
		"bob": {"addFriend ann>bob hi", "deleteFriend bob>ann "},
		"cy":  {"applyFriend cy>ann me too", "passFriendApply ann>cy ", "passFriendApply ann>cy "},
	}
	if diff := cmp.Diff(want, notices); diff != "" {
		t.Errorf("Yunxin notices by user (-want +got):\n%s", diff)
	}

	got := rcv.wait(t, 5, 30*time.Second)
	var types []string
	for _, c := range got {
		types = append(types, fmt.Sprint(c.Body["type"]))
		sum := md5.Sum(c.Raw)
		bodyMD5 := hex.EncodeToString(sum[:])
		if c.Header.Get("AppKey") != "yk" || c.Header.Get("MD5") != bodyMD5 ||
			c.Header.Get("CheckSum") != yunxin.CallbackCheckSum("ys", bodyMD5, c.Header.Get("CurTime")) {
			t.Errorf("callback %s: headers %v do not verify with the app's secret", c.Raw, c.Header)
		}
	}
	if strings.Join(types, ",") != "addFriend,applyFriend,passFriendApply,deleteFriend,setSpecialRelation" {
		t.Errorf("Yunxin callbacks: %v", types)
	}
}

func TestZIMCallbackSignature(t *testing.T) {
	t.Parallel()
	if got := zim.SignCallback("secret", "1470820198", "123412"); got != "5bd59fd62953a8059fb7eaba95720f66d19e4517" {
		t.Errorf("SignZIMCallback(documented vector) = %s", got)
	}
	rcv := newReceiver(t, nil)
	cfg := `{"apps":[{"name":"zhook","zim":{"app_id":77,"server_secret":"zs","qps":100000},
	  "callback":{"url":"` + rcv.srv.URL + `","secret":"cb-secret","commands":["friend_added","blacklist_added"]}}]}`
	s := startService(t, cfg, "")
	z := s.zim(t, 77, "zs")
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("a", "b")), 0)
	apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": "a", "FriendInfos": []fi{{"UserId": "b"}}}), 0)
	apitest.WantCode(t, "alias (filtered out)", z.Post("UpdateFriendsAlias", obj{"FromUserId": "a", "UserIds": []fi{{"UserId": "b", "FriendAlias": "x"}}}), 0)
	apitest.WantCode(t, "block", z.Post("AddUsersToBlacklist", obj{"FromUserId": "a", "UserIds": []string{"b"}}), 0)
	got := rcv.wait(t, 2, 30*time.Second)
	if len(got) != 2 || got[0].Body["event"] != "friend_added" || got[1].Body["event"] != "blacklist_added" {
		t.Fatalf("ZIM callbacks = %+v", got)
	}
	for _, c := range got {
		ts, nonce := fmt.Sprint(c.Body["timestamp"]), fmt.Sprint(c.Body["nonce"])
		if c.Body["signature"] != zim.SignCallback("cb-secret", ts, nonce) || c.Body["appid"] != "77" {
			t.Errorf("callback %v: signature does not verify with the callback secret", c.Body)
		}
	}
}

// TestClientNotificationsHandOverFromTheStream: a client asks for one
// user's notifications after a commit it handled; it gets those of the
// commits stored since, read from the stream, then the live ones, and
// after each reconnection those it missed: every notification of the
// user once, in the order of their commits, as the notifier makes them.
func TestClientNotificationsHandOverFromTheStream(t *testing.T) {
	t.Parallel()
	s := startService(t, testConfig, "")
	z := s.zim(t, 1234567, "demo-secret")
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("alice", "bob", "carol", "dave", "e0", "e1", "e2", "f0", "f1", "f2")), 0)
	add := func(from, to string) {
		apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": from, "FriendInfos": []fi{{"UserId": to}}}), 0)
	}
	add("alice", "bob")
	handled := s.streamLastSeq(t)
	add("alice", "carol")                                                                                                   // after the position: from the stream
	apitest.WantCode(t, "block", z.Post("AddUsersToBlacklist", obj{"FromUserId": "alice", "UserIds": []string{"dave"}}), 0) // likewise

	c, err := client.Connect(client.Config{URL: s.natsURL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var mu sync.Mutex
	var got []string
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- c.Notifications(ctx, client.Notifications{App: "demo", User: "alice", After: handled, Notification: func(n client.Notification) error {
			mu.Lock()
			got = append(got, fmt.Sprint(n.Seq, " ", n.Event, " ", n.Action))
			mu.Unlock()
			return nil
		}})
	}()
	// Live, and across reconnections forced while changes are made.
	for i := range 3 {
		add("alice", fmt.Sprint("e", i))
		if i < 2 {
			if err := c.Conn().ForceReconnect(); err != nil {
				t.Fatal(err)
			}
		}
		add("bob", fmt.Sprint("f", i)) // no notification of alice's
	}

	// What the notifier makes of the commits after the position, for alice.
	var want []string
	admin := startReader(t, s.natsURL)
	for _, cm := range admin.commitsAfter(t, "demo", handled) {
		for _, n := range delivery.Notifications(cm.Seq, cm.Commit) {
			if n.User == "alice" {
				want = append(want, fmt.Sprint(n.Seq, " ", n.Event, " ", n.Action))
			}
		}
	}
	if !testenv.Eventually(30*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= len(want) }) {
		select {
		case err := <-done:
			t.Fatalf("Notifications ended: %v", err)
		default:
		}
		t.Fatalf("got %d notifications of %d: %v", len(got), len(want), got)
	}
	testenv.Holds(300*time.Millisecond, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == len(want) })
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alice's notifications (-want +got):\n%s", diff)
	}
}

// reader reads commits from the stream with the client package.
type reader struct{ c *client.Client }

func startReader(t *testing.T, url string) *reader {
	t.Helper()
	c, err := client.Connect(client.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return &reader{c}
}

// commitsAfter is app's commits after seq, up to the stream's end now.
func (r *reader) commitsAfter(t *testing.T, app string, seq uint64) []client.Commit {
	t.Helper()
	var out []client.Commit
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := r.c.Follow(ctx, client.Follow{App: app, After: seq, Commit: func(cm client.Commit) error { out = append(out, cm); return nil },
		CaughtUp: func(uint64) { cancel() }})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
