package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amity-im/amity/client"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Logins of the test cluster: Amity's own user with exactly the
// permissions docs/operations.md gives it, and an admin.
const (
	clusterService  = "amity-svc"
	clusterPassword = "amity-svc-secret"
	clusterAdmin    = "ops"
	clusterAdminPW  = "ops-secret"
)

// natsCluster is three clustered JetStream servers on loopback.
type natsCluster struct {
	t       *testing.T
	opts    []*server.Options
	servers []*server.Server
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startCluster starts three servers and waits until JetStream has a meta
// leader.
func startCluster(t *testing.T) *natsCluster {
	t.Helper()
	admin, err := eventstore.Permissions(eventstore.User{Name: clusterAdmin, Password: clusterAdminPW, Admin: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &natsCluster{t: t}
	var routes []string
	clusterPorts := []int{freePort(t), freePort(t), freePort(t)}
	for _, p := range clusterPorts {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	for i, cp := range clusterPorts {
		c.opts = append(c.opts, &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1), Host: "127.0.0.1", Port: freePort(t), NoSigs: true, NoLog: true,
			JetStream: true, StoreDir: t.TempDir(),
			Cluster: server.ClusterOpts{Name: "amity-test", Host: "127.0.0.1", Port: cp},
			Routes:  server.RoutesFromStr(strings.Join(routes, ",")),
			Users: []*server.User{
				{Username: clusterService, Password: clusterPassword, Permissions: eventstore.ServicePermissions()},
				{Username: clusterAdmin, Password: clusterAdminPW, Permissions: admin},
			},
		})
	}
	c.servers = make([]*server.Server, 3)
	for i := range c.opts {
		c.start(i)
	}
	t.Cleanup(func() {
		for _, s := range c.servers {
			if s != nil {
				s.Shutdown()
			}
		}
	})
	c.waitFor("a JetStream meta leader with every server current", func() bool {
		leader := false
		for _, s := range c.servers {
			if s == nil || !s.JetStreamIsCurrent() {
				return false
			}
			leader = leader || s.JetStreamIsLeader()
		}
		return leader
	})
	return c
}

func (c *natsCluster) start(i int) {
	ns, err := server.NewServer(c.opts[i])
	if err != nil {
		c.t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		c.t.Fatalf("server %d not ready", i)
	}
	c.servers[i] = ns
}

func (c *natsCluster) waitFor(what string, ok func() bool) {
	c.t.Helper()
	testenv.WaitFor(c.t, 60*time.Second, what, ok)
}

// url is server i's client URL with a login.
func (c *natsCluster) url(i int, user, password string) string {
	return fmt.Sprintf("nats://%s:%s@127.0.0.1:%d", user, password, c.opts[i].Port)
}

// streamInfo asks any live server, as the admin, for the stream's state.
func (c *natsCluster) streamInfo(ctx context.Context) (*jetstream.StreamInfo, error) {
	for i, s := range c.servers {
		if s == nil {
			continue
		}
		nc, err := nats.Connect(c.url(i, clusterAdmin, clusterAdminPW))
		if err != nil {
			continue
		}
		js, _ := jetstream.New(nc)
		ictx, cancel := context.WithTimeout(ctx, time.Second)
		st, err := js.Stream(ictx, eventstore.StreamName)
		var info *jetstream.StreamInfo
		if err == nil {
			info, err = st.Info(ictx)
		}
		cancel()
		nc.Close()
		if err == nil {
			return info, nil
		}
	}
	return nil, fmt.Errorf("no live server answered")
}

// moveLeader makes server i the stream's leader.
func (c *natsCluster) moveLeader(ctx context.Context, i int) {
	c.t.Helper()
	nc, err := nats.Connect(c.url(i, clusterService, clusterPassword))
	if err != nil {
		c.t.Fatal(err)
	}
	defer nc.Close()
	want := c.opts[i].ServerName
	var asked time.Time
	c.waitFor("stream leader on "+want, func() bool {
		info, err := c.streamInfo(ctx)
		if err != nil || info.Cluster == nil {
			return false
		}
		if info.Cluster.Leader == want {
			return true
		}
		// Ask again only once the last election had time to end.
		if time.Since(asked) > 500*time.Millisecond {
			req := fmt.Sprintf(`{"placement":{"preferred":%q}}`, want)
			_, _ = nc.Request("$JS.API.STREAM.LEADER.STEPDOWN."+eventstore.StreamName, []byte(req), 2*time.Second)
			asked = time.Now()
		}
		return false
	})
}

// TestNodeLossUnderLoad kills one NATS node of three in the middle of a
// write load: the node that is both the stream's leader and the node Amity
// is connected to, the leader alone, or Amity's node alone. Amity stays up,
// loses no acknowledged write, writes again within the election plus a
// second, and its notifier catches up; verify leaves the stream at R3.
func TestNodeLossUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("three-node clusters under load")
	}
	t.Parallel() // mostly waits on elections; overlaps the webhook receiver's 30 s
	for _, tc := range []struct {
		name                    string
		leader, connected, kill int
	}{
		{"leader and connected node", 0, 0, 0},
		{"leader only", 1, 0, 1},
		{"connected node only", 1, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			heavyTest(t) // each its own cluster: two at once overlap their elections
			nodeLossUnderLoad(t, tc.leader, tc.connected, tc.kill)
		})
	}
}

// nodeLossUnderLoad is one scenario, told in order: each step builds on the
// state the steps before it left, so it stays one function.
func nodeLossUnderLoad(t *testing.T, leader, connected, kill int) {
	c := startCluster(t)
	s := startService(t, testConfig, "", "--nats-url", c.url(connected, clusterService, clusterPassword), "--replicas", "3", "--log-level", "info")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c.moveLeader(ctx, leader)

	// A client of the stream follows app demo from the start, through
	// every node: what it reads must be each commit once, in order, the
	// node lost or not.
	var urls []string
	for i := range c.opts {
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", c.opts[i].Port))
	}
	reader, err := client.Connect(client.Config{URL: strings.Join(urls, ","), User: clusterAdmin, Password: clusterAdminPW})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	var (
		readMu sync.Mutex
		read   []uint64
	)
	go func() {
		_ = reader.Follow(ctx, client.Follow{App: "demo", Commit: func(cm client.Commit) error {
			readMu.Lock()
			read = append(read, cm.Seq)
			readMu.Unlock()
			return nil
		}})
	}()

	z := s.zim(t, 1234567, "demo-secret")
	const writers, perWriter = 8, 400
	var all []string
	for w := range writers {
		all = append(all, apitest.IDs(fmt.Sprintf("a%d-", w), perWriter)...)
		all = append(all, apitest.IDs(fmt.Sprintf("b%d-", w), perWriter)...)
	}
	registerAll(t, z, all)

	type ack struct {
		a, b string
		at   time.Time
	}
	var (
		mu     sync.Mutex
		acked  []ack
		failed atomic.Int64
		wg     sync.WaitGroup
	)
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			zw := s.zim(t, 1234567, "demo-secret")
			for i := range perWriter {
				a, b := fmt.Sprintf("a%d-%d", w, i), fmt.Sprintf("b%d-%d", w, i)
				var r zim.Answer
				err := zw.C.Call(ctx, "POST", "AddFriends", nil, map[string]any{"FromUserId": a, "FriendInfos": []fi{{"UserId": b}}}, &r)
				if err != nil || r.Code != 0 || len(r.ErrorList) > 0 {
					failed.Add(1)
					continue
				}
				mu.Lock()
				acked = append(acked, ack{a, b, time.Now()})
				mu.Unlock()
			}
		}()
	}
	// Kill the leader, which is Amity's node, once writes are flowing.
	until(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 300 })
	killed := time.Now()
	c.servers[kill].Shutdown()
	c.servers[kill] = nil
	elected := killed
	if kill == leader {
		c.waitFor("new stream leader", func() bool {
			info, err := c.streamInfo(ctx)
			if err == nil && info.Cluster != nil && info.Cluster.Leader != "" && info.Cluster.Leader != c.opts[kill].ServerName {
				elected = time.Now()
				return true
			}
			return false
		})
	}
	wg.Wait()

	select {
	case err := <-s.done:
		s.done <- err
		t.Fatalf("amity exited after the leader's loss: %v", err)
	default:
	}
	mu.Lock()
	defer mu.Unlock()
	// The stall: the longest wait between two acknowledgements from the
	// last one before the kill on.
	sort.Slice(acked, func(i, j int) bool { return acked[i].at.Before(acked[j].at) })
	var before, after int
	var stall time.Duration
	prev := killed
	for _, a := range acked {
		if a.at.Before(killed) {
			before++
			continue
		}
		after++
		stall = max(stall, a.at.Sub(prev))
		prev = a.at
	}
	election := elected.Sub(killed)
	t.Logf("adds: %d acknowledged before the kill, %d after, %d failed, in %s", before, after, failed.Load(), time.Since(start).Round(time.Millisecond))
	t.Logf("node lost: new leader seen after %s; longest wait between acknowledged writes %s", election.Round(time.Millisecond), stall.Round(time.Millisecond))
	if after == 0 {
		t.Fatal("no write was acknowledged after the leader's loss")
	}
	// The client read every commit of the stream, once, in order.
	info, err := c.streamInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.waitFor("the client to read the stream's last commit", func() bool {
		readMu.Lock()
		defer readMu.Unlock()
		return len(read) > 0 && read[len(read)-1] == info.State.LastSeq
	})
	readMu.Lock()
	defer readMu.Unlock()
	for i := 1; i < len(read); i++ {
		if read[i] <= read[i-1] {
			t.Fatalf("the client read commit %d after %d", read[i], read[i-1])
		}
	}
	if uint64(len(read)) != info.State.Msgs {
		t.Errorf("the client read %d commits of the %d the stream holds", len(read), info.State.Msgs)
	}
	if stall > election+time.Second {
		t.Errorf("writes stalled %s, want within the election (%s) plus 1s", stall.Round(time.Millisecond), election.Round(time.Millisecond))
	}

	// Every acknowledged add is in the model and on the stream.
	checks := map[string][]string{}
	for _, a := range acked {
		checks[a.a] = append(checks[a.a], a.b)
	}
	lost := 0
	for from, tos := range checks {
		r := z.Post("CheckFriendsRelation", map[string]any{"FromUserId": from, "UserIds": tos, "CheckType": 1})
		for _, to := range tos {
			if apitest.Relations(r)[to] == 0 {
				lost++
			}
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged adds lost", lost, len(acked))
	}
	// The notifier takes every commit.
	caughtUp := time.Now()
	defer func() {
		t.Logf("notifier caught up %s after the load", time.Since(caughtUp).Round(time.Millisecond))
		for _, line := range strings.Split(s.stderr.String(), "\n") {
			if strings.Contains(line, "starting again") {
				t.Log(line)
			}
		}
	}()
	var d healthDetail
	if !testenv.Eventually(60*time.Second, func() bool { _, d = readyDetail(t, s); return d.Status == "ready" && d.NotifierPending == 0 }) {
		t.Fatalf("notifier still behind after 60s: %+v\n%s", d, s.stderr)
	}

	// The killed node comes back; verify, run as the admin, leaves the
	// stream as it is.
	c.start(kill)
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"verify", "--nats-url", c.url(2, clusterAdmin, clusterAdminPW)}, func(string) string { return "" }, &out, &errb); err != nil {
		t.Fatalf("verify: %v\n%s%s", err, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "the read models equal a replay") {
		t.Errorf("verify:\n%s", out.String())
	}
	info, err = c.streamInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Replicas != 3 {
		b, _ := json.Marshal(info.Config)
		t.Errorf("stream replicas %d after verify, want 3: %s", info.Config.Replicas, b)
	}
}
