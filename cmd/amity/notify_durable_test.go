package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestWebhookReceiverDownForThirtySeconds: a backend that fails every call
// for its first 30 seconds still gets every callback, each user's in order.
func TestWebhookReceiverDownForThirtySeconds(t *testing.T) {
	if testing.Short() {
		t.Skip("waits 30 seconds")
	}
	t.Parallel()
	start := time.Now()
	rcv := newReceiver(t, func() bool { return time.Since(start) < 30*time.Second })
	cfg := `{"apps":[{"name":"hooked","tencent":{"sdkappid":1400000009,"secret_key":"k","admins":["administrator"],"qps":100000},
	  "callback":{"url":"` + rcv.srv.URL + `","backoff":"200ms","max_backoff":"2s","max_attempts":100}}]}`
	s := startService(t, cfg, "")
	tc := s.tencent(t, 1400000009, "k")
	users := apitest.IDs("u", 4)
	friends := apitest.IDs("f", 5)
	apitest.WantTC(t, "import", tc.Call("/v4/im_open_login_svc/multiaccount_import", apitest.Accounts(append(users, friends...)...)), 0)
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, f := range friends {
				apitest.WantItems(t, "add", tc.Call("/v4/sns/friend_add", obj{"From_Account": u, "AddType": "Add_Type_Single",
					"AddFriendItem": []obj{{"To_Account": f, "AddSource": "AddSource_Type_Web"}}}), map[string]int{f: 0})
			}
		}()
	}
	wg.Wait()
	got := rcv.wait(t, len(users)*len(friends), 90*time.Second)
	if time.Since(start) < 30*time.Second {
		t.Fatalf("callbacks arrived while the receiver was failing")
	}
	order := map[string][]string{}
	for _, c := range got {
		list := c.Body["PairList"].([]any)
		p := list[0].(map[string]any)
		order[p["From_Account"].(string)] = append(order[p["From_Account"].(string)], p["To_Account"].(string))
	}
	for _, u := range users {
		if fmt.Sprint(order[u]) != fmt.Sprint(friends) {
			t.Errorf("callbacks of %s arrived as %v, want %v (every one, in order)", u, order[u], friends)
		}
	}
}

// TestDeadLettersAndReplay: a backend that never answers leaves every
// delivery on the dead-letter stream; the replay command delivers them once
// it is back.
func TestDeadLettersAndReplay(t *testing.T) {
	t.Parallel()
	var down atomic.Bool
	down.Store(true)
	rcv := newReceiver(t, down.Load)
	cfg := `{"apps":[{"name":"hooked","tencent":{"sdkappid":1400000009,"secret_key":"k","admins":["administrator"],"qps":100000},
	  "callback":{"url":"` + rcv.srv.URL + `","backoff":"20ms","max_attempts":3}}]}`
	s := startService(t, cfg, "")
	tc := s.tencent(t, 1400000009, "k")
	apitest.WantTC(t, "import", tc.Call("/v4/im_open_login_svc/multiaccount_import", apitest.Accounts("a", "b", "c")), 0)
	apitest.WantItems(t, "adds", tc.Call("/v4/sns/friend_add", obj{"From_Account": "a", "AddFriendItem": []obj{
		{"To_Account": "b", "AddSource": "AddSource_Type_Web"}, {"To_Account": "c", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"b": 0, "c": 0})
	apitest.WantItems(t, "block", tc.Call("/v4/sns/black_list_add", obj{"From_Account": "b", "To_Account": []string{"c"}}), map[string]int{"c": 0})

	cfgPath := filepath.Join(t.TempDir(), "apps.json")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"deadletters"}, args...), func(string) string { return "" }, &out, &errb)
		return out.String() + errb.String(), err
	}
	var listed string
	testenv.Eventually(30*time.Second, func() bool {
		listed, _ = run("list", "--nats-url", s.natsURL)
		return strings.Contains(listed, "3 parked deliveries")
	})
	if !strings.Contains(listed, "3 parked deliveries") || !strings.Contains(listed, tencent.CmdBlackListAdd) || !strings.Contains(listed, "HTTP 503") {
		t.Fatalf("deadletters list:\n%s", listed)
	}
	if out, err := run("replay", "--nats-url", s.natsURL, "--config", cfgPath); err == nil {
		t.Errorf("replay while the backend is down succeeded:\n%s", out)
	}
	// The console lists them and replays them, as the command does.
	consoleCall := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, s.httpURL+path, nil)
		req.SetBasicAuth(testAdmin, testAdminPassword)
		req.Header.Set("X-Amity-Console", "1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := consoleCall(http.MethodGet, "/console/api/deadletters?app=hooked"); code != 200 || strings.Count(body, `"command":`) != 3 {
		t.Errorf("the console's dead letters: HTTP %d %s", code, body)
	}
	down.Store(false)
	if code, body := consoleCall(http.MethodPost, "/console/api/deadletters?app=hooked"); code != 200 || !strings.Contains(body, `{"delivered":3,"parked":0}`) {
		t.Fatalf("the console's replay: HTTP %d %s", code, body)
	}
	got := rcv.wait(t, 3, 10*time.Second)
	if len(got) != 3 {
		t.Errorf("backend got %d callbacks after the replay, want 3", len(got))
	}
	if listed, _ = run("list", "--nats-url", s.natsURL); !strings.Contains(listed, "0 parked deliveries") {
		t.Errorf("dead letters left after a full replay:\n%s", listed)
	}
}

// notifiedEvents sorts what c received: event id -> "user event action"
// -> how many times. A notification sent again must be the same message.
func notifiedEvents(t *testing.T, c *collector) map[string]map[string]int {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]map[string]int{}
	bodies := map[string]string{}
	for i, note := range c.got {
		if seen[note.EventID] == nil {
			seen[note.EventID] = map[string]int{}
		}
		key := note.User + " " + note.Event + " " + note.Action
		seen[note.EventID][key]++
		raw := string(c.raw[i].Data) + " " + c.raw[i].Header.Get("Nats-Msg-Id")
		if prev, ok := bodies[note.EventID+key]; ok && prev != raw {
			t.Errorf("duplicate notification of %s differs:\n%s\n%s", note.EventID, prev, raw)
		}
		bodies[note.EventID+key] = raw
	}
	return seen
}

// committedFriendAdds reads every FriendAdded event on the AMITY stream.
func committedFriendAdds(t *testing.T, natsURL string) map[string][2]string {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store, err := eventstore.Lookup(ctx, nc, eventstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	last, err := store.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][2]string{}
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = store.Follow(fctx, 1, func(r domain.Record) error {
			c, err := domain.UnmarshalCommit(r.Data)
			if err != nil {
				return err
			}
			for _, ev := range c.Events {
				if d, ok := ev.Data.(domain.FriendAdded); ok {
					out[ev.ID] = [2]string{d.User, d.Friend}
				}
			}
			if r.Seq >= last {
				stop()
			}
			return nil
		})
	}()
	<-done
	return out
}

// TestKill9DuringABurstLosesNoNotification kills the process in the middle
// of a burst of 1000 two-way adds and restarts it, while a subscriber stays
// connected to the NATS server the stream lives on: every committed add
// reaches it for both users, live; one sent again carries the same body and
// message ID.
func TestKill9DuringABurstLosesNoNotification(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a process")
	}
	heavyTest(t)
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0", ServerName: "external"})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	sub := subscribe(t, ns.ServiceURL(), "amity.demo.notify.>")
	cfgPath, dataDir := processFiles(t)
	s, cmd := startProcess(t, cfgPath, dataDir, "--nats-url", ns.ServiceURL())
	z := s.zim(t, 1234567, "demo-secret")
	all := apitest.IDs("n", 200)
	registerAll(t, z, all)

	var acked atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; i < 1000 && ctx.Err() == nil; i += 8 {
				from, to := all[i%100], all[100+(i*7+i/100)%100]
				var r zim.Answer
				if err := z.C.Call(ctx, "POST", "AddFriends", nil, obj{"FromUserId": from, "FriendInfos": []fi{{"UserId": to}}}, &r); err != nil {
					return
				}
				acked.Add(1)
			}
		}()
	}
	testenv.WaitFor(t, time.Minute, "400 acknowledged adds", func() bool { return acked.Load() >= 400 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	cancel()
	wg.Wait()

	startProcess(t, cfgPath, dataDir, "--nats-url", ns.ServiceURL())
	adds := committedFriendAdds(t, ns.ServiceURL())
	if len(adds) < 400 {
		t.Fatalf("only %d adds committed", len(adds))
	}
	var seen map[string]map[string]int
	var missing []string
	testenv.Eventually(60*time.Second, func() bool {
		seen = notifiedEvents(t, sub)
		missing = missing[:0]
		for id, p := range adds {
			users := seen[id]
			if users[p[0]+" onFriendListChanged Added"] == 0 || users[p[1]+" onFriendListChanged Added"] == 0 {
				missing = append(missing, id)
			}
		}
		return len(missing) == 0
	})
	if len(missing) > 0 {
		t.Fatalf("%d of %d committed adds not notified to both users, e.g. %v", len(missing), len(adds), missing[:min(3, len(missing))])
	}
	t.Logf("%d adds committed (%d acknowledged before kill -9), all notified", len(adds), acked.Load())
}

// TestTwoInstancesNotifyOnce runs two Amity instances on one external
// nats-server: every change is notified once, not once per instance.
func TestTwoInstancesNotifyOnce(t *testing.T) {
	heavyTest(t)
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0", ServerName: "external"})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	a := startService(t, tencentConfig, "", "--nats-url", ns.ServiceURL())
	b := startService(t, tencentConfig, "", "--nats-url", ns.ServiceURL())
	sub := subscribe(t, ns.ServiceURL(), "amity.both.notify.>")
	za, zb := a.zim(t, 2222, "zim-secret"), b.zim(t, 2222, "zim-secret")
	people := apitest.IDs("m", 40)
	registerAll(t, za, people)
	// Wait until b has seen every registration (they are commits of
	// several partitions, in no particular order), then write through both.
	testenv.Eventually(10*time.Second, func() bool {
		r := zb.Post("QueryUserInfos", obj{"UserIds": people})
		return r.Code == 0 && len(r.ErrorList) == 0 && len(r.Result) == len(people)
	})
	var wg sync.WaitGroup
	for i, z := range []*apitest.ZIM{za, zb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := i; k < 20; k += 2 {
				apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": people[k], "FriendInfos": []fi{{"UserId": people[20+k]}}}), 0)
			}
		}()
	}
	wg.Wait()
	got := sub.wait(t, 40)
	count := map[string]int{}
	for _, n := range got {
		count[n.EventID+" "+n.User]++
	}
	if len(got) != 40 || len(count) != 40 {
		t.Errorf("%d notifications for %d distinct (event, user), want 40 and 40", len(got), len(count))
	}
	for k, n := range count {
		if n != 1 {
			t.Errorf("%s notified %d times", k, n)
		}
	}
}

// TestNotificationsOfABurstFollowStreamOrder adds friends from many
// connections at once, so the notifier takes many commits at a time, and
// finds the notifications in the order of the commits.
func TestNotificationsOfABurstFollowStreamOrder(t *testing.T) {
	t.Parallel()
	s := startService(t, testConfig, t.TempDir())
	sub := subscribe(t, s.natsURL, "amity.demo.notify.>")
	z := s.zim(t, 1234567, "demo-secret")
	people := apitest.IDs("o", 80)
	registerAll(t, z, people)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": people[g*5+i%5], "FriendInfos": []fi{{"UserId": people[40+i]}}}), 0)
			}
		}()
	}
	wg.Wait()
	want := 2 * len(committedFriendAdds(t, s.natsURL))
	notes := sub.wait(t, want)
	if len(notes) != want {
		t.Fatalf("%d notifications, want %d", len(notes), want)
	}
	var last uint64
	for n, note := range notes {
		if note.Seq < last {
			t.Fatalf("notification %d is of commit %d, after one of commit %d", n, note.Seq, last)
		}
		last = note.Seq
	}
}

// TestAStreamOfStoredNotificationsIsRetiredOnRequest: a stream left from
// when notifications were stored gets a warning at start, and is removed
// by a start with --retire-notify-stream.
func TestAStreamOfStoredNotificationsIsRetiredOnRequest(t *testing.T) {
	t.Parallel()
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0", ServerName: "external"})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	nc, err := ns.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: eventstore.NotifyStream, Subjects: []string{"amity.*.notify.*"}}); err != nil {
		t.Fatal(err)
	}
	s := startService(t, testConfig, "", "--nats-url", ns.ServiceURL(), "--log-level", "info")
	if !strings.Contains(s.stderr.String(), "--retire-notify-stream") {
		t.Errorf("no warning of the old stream at start:\n%s", s.stderr)
	}
	if _, err := js.Stream(ctx, eventstore.NotifyStream); err != nil {
		t.Fatalf("the stream went without --retire-notify-stream: %v", err)
	}
	s.stop(t)
	startService(t, testConfig, "", "--nats-url", ns.ServiceURL(), "--retire-notify-stream")
	if _, err := js.Stream(ctx, eventstore.NotifyStream); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("after a start with --retire-notify-stream: %v, want it gone", err)
	}
}
