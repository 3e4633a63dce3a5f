package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/http/zim"
	natsserver "github.com/nats-io/nats-server/v2/server"
)

// Logins of the bench cluster.
const (
	clusterService   = "amity-svc"
	clusterServicePW = "amity-svc-secret"
)

// startNATSCluster starts three clustered JetStream servers on loopback,
// every write synced before its ack, and returns their client URLs with
// Amity's login and a stop.
func startNATSCluster(dir string) ([]string, func(), error) {
	free := func() (int, error) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port, nil
	}
	var routes, urls []string
	ports := make([][2]int, 3)
	for i := range ports {
		for j := range 2 {
			p, err := free()
			if err != nil {
				return nil, nil, err
			}
			ports[i][j] = p
		}
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[i][1]))
	}
	var servers []*natsserver.Server
	stop := func() {
		for _, s := range servers {
			s.Shutdown()
		}
	}
	for i, p := range ports {
		ns, err := natsserver.NewServer(&natsserver.Options{
			ServerName: fmt.Sprintf("n%d", i+1), Host: "127.0.0.1", Port: p[0], NoSigs: true, NoLog: true,
			JetStream: true, StoreDir: filepath.Join(dir, fmt.Sprintf("n%d", i+1)), SyncAlways: true,
			Cluster: natsserver.ClusterOpts{Name: "amity-bench", Host: "127.0.0.1", Port: p[1]},
			Routes:  natsserver.RoutesFromStr(strings.Join(routes, ",")),
			Users:   []*natsserver.User{{Username: clusterService, Password: clusterServicePW, Permissions: eventstore.ServicePermissions()}},
		})
		if err != nil {
			stop()
			return nil, nil, err
		}
		go ns.Start()
		if !ns.ReadyForConnections(30 * time.Second) {
			stop()
			return nil, nil, fmt.Errorf("nats server %d not ready", i+1)
		}
		servers = append(servers, ns)
		urls = append(urls, fmt.Sprintf("nats://%s:%s@127.0.0.1:%d", clusterService, clusterServicePW, p[0]))
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		leader, current := false, true
		for _, s := range servers {
			current = current && s.JetStreamIsCurrent()
			leader = leader || s.JetStreamIsLeader()
		}
		if leader && current {
			return urls, stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, nil, fmt.Errorf("no JetStream meta leader in 60s")
		}
	}
}

// twoInstances runs single-pair ZIM adds through one Amity instance on a
// three-node cluster (R3), then through two instances of the same app at
// once, and then fills one user's friend list through both.
func twoInstances(ctx context.Context, o options, bin, dir string, stderr io.Writer) ([]result, []string, error) {
	urls, stopCluster, err := startNATSCluster(filepath.Join(dir, "cluster"))
	if err != nil {
		return nil, nil, err
	}
	defer stopCluster()
	a, err := startProcess(ctx, bin, dir, filepath.Join(dir, "instance-a"), []string{"--nats-url", urls[0], "--replicas", "3"}, stderr)
	if err != nil {
		return nil, nil, err
	}
	defer a.stop()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns}}
	ca, _, err := clients(a.httpURL, hc)
	if err != nil {
		return nil, nil, err
	}
	users := userIDs("ci", o.users)
	fmt.Fprintf(stderr, "registering %d users on the cluster\n", o.users)
	if err := registerAll(ctx, ca, users); err != nil {
		return nil, nil, err
	}
	n := int64(o.users)
	var next atomic.Int64
	add := func(c *zim.Client) op {
		return func(ctx context.Context, _ int64, _ *rand.Rand) error {
			return call(ctx, c, "AddFriends", zimAdd1(users, n, next.Add(1)-1))
		}
	}
	one := onInstances(ctx, o, "cluster R3: ZIM AddFriends, 1 target, one instance", o.conns, add(ca), stderr, a)

	args := []string{"--nats-url", urls[1], "--replicas", "3"}
	if o.serverPprof != "" {
		args = append(args, "--pprof", o.serverPprof) // the forwarding instance
	}
	b, err := startProcess(ctx, bin, dir, filepath.Join(dir, "instance-b"), args, stderr)
	if err != nil {
		return nil, nil, err
	}
	defer b.stop()
	cb, _, err := clients(b.httpURL, hc)
	if err != nil {
		return nil, nil, err
	}
	both := func(f, g op) op {
		return func(ctx context.Context, k int64, rng *rand.Rand) error {
			if k%2 == 0 {
				return f(ctx, k, rng)
			}
			return g(ctx, k, rng)
		}
	}
	two := onInstances(ctx, o, "cluster R3: ZIM AddFriends, 1 target, two instances", o.conns, both(add(ca), add(cb)), stderr, a, b)
	wide := onInstances(ctx, o, "cluster R3: the same, each instance with its own --conns clients", 2*o.conns, both(add(ca), add(cb)), stderr, a, b)
	taken, err := capRace(ctx, ca, cb)
	if err != nil {
		return nil, nil, err
	}
	notes := []string{
		fmt.Sprintf("three-node cluster, R3, every write synced: adds through two instances at once, the same %d connections in all, ran at %.1f %% of one instance's rate (%.0f against %.0f/s); with %d connections to each instance, %.1f %% (%.0f/s)",
			o.conns, 100*two.rate()/one.rate(), two.rate(), one.rate(), o.conns, 100*wide.rate()/one.rate(), wide.rate()),
		fmt.Sprintf("3100 adds to one user through both instances at once: %d taken for a cap of 3000, %d over it", taken, max(taken-3000, 0)),
	}
	return []result{one, two, wide}, notes, nil
}

// onInstances drives f for --duration at conns connections, with the CPU
// of srvs together.
func onInstances(ctx context.Context, o options, name string, conns int, f op, stderr io.Writer, srvs ...*server) result {
	fmt.Fprintf(stderr, "running %s for %s at %d connections\n", name, o.duration, conns)
	var cpu0 time.Duration
	for _, s := range srvs {
		c, _ := s.usage()
		cpu0 += c
	}
	r := drive(ctx, name, conns, o.duration, f)
	var cpu1 time.Duration
	for _, s := range srvs {
		c, rss := s.usage()
		cpu1 += c
		r.rss = max(r.rss, rss)
	}
	r.cores = (cpu1 - cpu0).Seconds() / r.elapsed.Seconds()
	// The cluster's nats-servers run in this process: its CPU is not the
	// load generator's alone.
	r.toolCPU = 0
	return r
}

// capRace fills one user's list through both instances at once, 3100 adds
// for a cap of 3000, and returns how many were taken.
func capRace(ctx context.Context, ca, cb *zim.Client) (int64, error) {
	hub, targets := "cap-hub", userIDs("cap", 3100)
	if err := registerAll(ctx, ca, append([]string{hub}, targets...)); err != nil {
		return 0, err
	}
	var taken atomic.Int64
	var wg sync.WaitGroup
	for g := range 32 {
		c := ca
		if g%2 == 1 {
			c = cb
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < len(targets); i += 32 {
				if call(ctx, c, "AddFriends", map[string]any{"FromUserId": hub, "FriendInfos": []map[string]string{{"UserId": targets[i]}}}) == nil {
					taken.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return taken.Load(), nil
}
