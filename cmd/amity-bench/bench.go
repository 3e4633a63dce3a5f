package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/yunxin"
	"github.com/amity-im/amity/http/zim"
)

// benchRun is one run of the benchmark: the workloads it picked, the
// server they run against, and what they measured.
type benchRun struct {
	o              options
	stdout, stderr io.Writer
	dir, bin       string

	srv           *server
	hc            *http.Client
	c             *zim.Client
	tc            *tencent.Client
	yc            *yunxin.Client
	a, b, ta, tb  []string // each workload family's own users
	ya            []string
	n             int64
	datasetEdges  int64
	results       []result
	notes, paired []string
	minimal       map[string]result
	issued        map[string]int64
	addsDone      atomic.Int64 // the 1-target adds done, undone by the deletes
	mixedNext     atomic.Int64
	mixedN        int64
	mixedUser     func(int64) string
	workloads     []workload
}

// bench runs every workload o picks against a fresh server and prints the
// figures.
func bench(ctx context.Context, o options, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "amity-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	r := &benchRun{o: o, stdout: stdout, stderr: stderr, dir: dir, bin: o.amity, issued: map[string]int64{}, minimal: map[string]result{}}
	if r.bin == "" {
		if r.bin, err = buildAmity(ctx, dir); err != nil {
			return err
		}
	}
	stopProfile, err := startCPUProfile(o.cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	if err := r.start(ctx); err != nil {
		return err
	}
	defer r.srv.stop()
	if err := r.runWorkloads(ctx); err != nil {
		return err
	}
	if err := r.runReferences(ctx); err != nil {
		return err
	}
	r.report()
	return nil
}

// want reports whether the run picks the workload called name: every one
// without --only, else those whose names hold one of its parts (separated
// by ",", or by ";" when a part holds a comma).
func (r *benchRun) want(name string) bool {
	sep := ","
	if strings.Contains(r.o.only, ";") {
		sep = ";"
	}
	return r.o.only == "" || slices.ContainsFunc(strings.Split(r.o.only, sep), func(part string) bool { return strings.Contains(name, part) })
}

// start measures the raw JetStream publish, writes the dataset and times
// a start without and with its snapshot, then starts the server the
// workloads run against and registers their users.
func (r *benchRun) start(ctx context.Context) error {
	o := r.o
	if r.want("JetStream") {
		res, err := rawPublish(ctx, r.dir, o)
		if err != nil {
			return err
		}
		r.results = append(r.results, res)
	}
	if o.datasetUsers > 0 {
		if err := r.dataset(ctx); err != nil {
			return err
		}
	}
	srv, err := startServer(ctx, r.bin, r.dir, o.syncInterval, o.serverPprof, r.stderr)
	if err != nil {
		return err
	}
	r.srv = srv
	if o.datasetUsers > 0 {
		_, rss := srv.memory()
		r.notes = append(r.notes, fmt.Sprintf("restart to ready from the snapshot: %s; resident memory then %d MB = %.0f bytes per directed edge",
			srv.ready.Round(time.Millisecond), rss>>20, float64(rss)/float64(r.datasetEdges)))
		r.notes = append(r.notes, diskNote(filepath.Join(r.dir, "data")))
	}
	r.hc = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns}}
	r.yc = &yunxin.Client{BaseURL: srv.httpURL, AppKey: benchYXKey, AppSecret: benchYXSecret, HTTP: r.hc}
	if r.c, r.tc, err = clients(srv.httpURL, r.hc); err != nil {
		return err
	}
	return r.register(ctx)
}

// dataset writes the dataset straight onto the stream and times the first
// start, which replays it all and writes the snapshot.
func (r *benchRun) dataset(ctx context.Context) error {
	o := r.o
	start := time.Now()
	events, err := writeDataset(ctx, filepath.Join(r.dir, "data"), int64(o.datasetUsers), int64(o.datasetEdges), r.stderr)
	if err != nil {
		return err
	}
	k := max(int64(o.datasetEdges)/(2*int64(o.datasetUsers)), 1)
	r.datasetEdges = 2 * k * int64(o.datasetUsers)
	r.notes = append(r.notes, fmt.Sprintf("dataset: %d users and %d directed edges written as %d events straight onto the stream in %s",
		o.datasetUsers, r.datasetEdges, events, time.Since(start).Round(time.Second)))
	first, err := startServer(ctx, r.bin, r.dir, o.syncInterval, "", r.stderr)
	if err != nil {
		return err
	}
	_, rss := first.memory()
	r.notes = append(r.notes, fmt.Sprintf("start to ready with no snapshot (replaying %d events): %s; resident memory then %d MB = %.0f bytes per directed edge",
		events, first.ready.Round(time.Millisecond), rss>>20, float64(rss)/float64(r.datasetEdges)))
	first.stop() // writes the snapshot
	return nil
}

// register registers the workloads' users, a hundred a call.
func (r *benchRun) register(ctx context.Context) error {
	users := r.o.users
	r.a, r.b, r.ta, r.tb, r.ya = userIDs("a", users), userIDs("b", users), userIDs("ta", users), userIDs("tb", users), userIDs("ya", users)
	r.n = int64(users)
	r.mixedN, r.mixedUser = r.n, func(i int64) string { return r.b[i] }
	if r.o.datasetUsers > 0 {
		r.mixedN, r.mixedUser = int64(r.o.datasetUsers), datasetUser
	}
	fmt.Fprintf(r.stderr, "registering %d users\n", 5*users)
	for _, set := range [][]string{r.a, r.b, r.ta, r.tb, r.ya} {
		if err := registerAll(ctx, r.c, set); err != nil {
			return err
		}
	}
	return nil
}

// runWorkloads runs each picked workload in turn, each on an idle server.
func (r *benchRun) runWorkloads(ctx context.Context) error {
	r.workloads = r.httpWorkloads()
	setupHistory, history := historyWorkloads(r.srv.httpURL, r.hc, r.c, r.tc, r.mixedN, r.mixedUser, r.stderr)
	if slices.ContainsFunc(history, func(w workload) bool { return r.want(w.name) }) {
		if err := setupHistory(ctx); err != nil {
			return err
		}
		r.workloads = append(r.workloads, history...)
	}
	for _, w := range r.workloads {
		if !r.want(w.name) {
			continue
		}
		if err := r.waitIdle(ctx, w.name); err != nil {
			return err
		}
		conns := r.o.conns
		if c := workloadConns[w.name]; c > 0 {
			conns = min(c, r.o.conns)
		}
		fmt.Fprintf(r.stderr, "running %s for %s at %d connections\n", w.name, r.o.duration, conns)
		cpu0, _ := r.srv.usage()
		res := drive(ctx, w.name, conns, r.o.duration, w.f)
		cpu1, rss := r.srv.usage()
		res.cores, res.rss = (cpu1-cpu0).Seconds()/res.elapsed.Seconds(), rss
		r.results = append(r.results, res)
		r.issued[w.name] = res.issued
		if w.name == "ZIM AddFriends, 1 target" {
			r.addsDone.Store(res.ops - res.errors)
		}
	}
	if r.want("notification") {
		fmt.Fprintf(r.stderr, "running %s for %s\n", notifyLatencyName, r.o.duration)
		res, err := notifyLatency(ctx, r.c, r.srv.natsURL, r.o.duration)
		if err != nil {
			return err
		}
		r.results = append(r.results, res)
	}
	return nil
}

// waitIdle waits until the notifier has sent the previous workload's
// notifications, and notes how long that took.
func (r *benchRun) waitIdle(ctx context.Context, next string) error {
	drained, sent, err := waitNotifier(ctx, r.srv.natsURL)
	if err != nil {
		return err
	}
	if drained > 0 && len(r.results) > 0 {
		r.notes = append(r.notes, fmt.Sprintf("after %q: the notifier was %s behind", r.results[len(r.results)-1].name, drained.Round(10*time.Millisecond)))
	}
	if drained > time.Second {
		r.notes = append(r.notes, fmt.Sprintf("before %q: the notifier took %s more to send the rest of the previous workload's notifications, %d at %.0f/s",
			next, drained.Round(100*time.Millisecond), sent, float64(sent)/drained.Seconds()))
	}
	return nil
}

// runReferences runs what the workloads are compared with: paired rounds
// with the minimal handlers, the raw ordered read, two instances, the
// peers, and the minimal handlers alone.
func (r *benchRun) runReferences(ctx context.Context) error {
	o := r.o
	refs := minimalRefs(r.a, r.b, r.ta, r.n)
	if r.want("minimal") && o.pairedRounds > 0 {
		for _, m := range refs {
			i := slices.IndexFunc(r.workloads, func(w workload) bool { return w.name == m.of })
			if i < 0 || !r.want(m.of) {
				continue
			}
			line, err := pairedRounds(ctx, o, r.hc, r.srv.natsURL, m, r.workloads[i].f, r.issued, r.stderr)
			if err != nil {
				return err
			}
			r.paired = append(r.paired, line)
		}
	}
	if r.want("ordered") {
		res, err := orderedRead(ctx, r.srv.natsURL)
		if err != nil {
			return err
		}
		r.results = append(r.results, res)
	}
	if r.want("catch-up") {
		rs, err := catchUp(ctx, r.srv.natsURL, "bench")
		if err != nil {
			return err
		}
		r.results = append(r.results, rs...)
	}
	if r.want("cluster") {
		r.srv.stop()
		rs, ns, err := twoInstances(ctx, o, r.bin, r.dir, r.stderr)
		if err != nil {
			return err
		}
		r.results, r.notes = append(r.results, rs...), append(r.notes, ns...)
	}
	if o.peers {
		r.runPeers(ctx)
	}
	// Each ratio's reference is a minimal handler that takes the same
	// requests from the same client and decodes the same JSON.
	if r.want("minimal") {
		for _, m := range refs {
			fmt.Fprintf(r.stderr, "running %s for %s at %d connections\n", m.name, o.duration, o.conns)
			res, err := minimalHandler(ctx, o, r.hc, m)
			if err != nil {
				return err
			}
			r.minimal[m.of] = res
			r.results = append(r.results, res)
		}
	}
	return nil
}

// runPeers runs the peers' own benchmarks; a peer that cannot run is
// noted and skipped.
func (r *benchRun) runPeers(ctx context.Context) {
	r.srv.stop()
	for _, peer := range []func(context.Context, options, io.Writer) ([]result, error){postgresPeer, redisPeer} {
		rs, err := peer(ctx, r.o, r.stderr)
		if err != nil {
			fmt.Fprintf(r.stderr, "peer skipped: %v\n", err)
			r.notes = append(r.notes, "peer skipped: "+strings.SplitN(err.Error(), "\n", 2)[0])
			continue
		}
		r.results = append(r.results, rs...)
	}
}

// httpWorkloads are the workloads of the surfaces' calls. Each gets its
// own users, and each op a pair no other op uses: op k links user k%n
// with user k%n + d, d growing every n ops.
func (r *benchRun) httpWorkloads() []workload {
	a, b, ta, tb, n, c, tc := r.a, r.b, r.ta, r.tb, r.n, r.c, r.tc
	return []workload{
		{"ZIM AddFriends, 1 target", func(ctx context.Context, k int64, _ *rand.Rand) error {
			return call(ctx, c, "AddFriends", zimAdd1(a, n, k))
		}},
		{"ZIM AddFriends, 20 targets", func(ctx context.Context, k int64, _ *rand.Rand) error {
			from, d := k%n, 1+20*(k/n)
			items := make([]map[string]string, 20)
			for i := range items {
				items[i] = map[string]string{"UserId": b[(from+d+int64(i))%n]}
			}
			return call(ctx, c, "AddFriends", map[string]any{"FromUserId": b[from], "FriendInfos": items})
		}},
		{"ZIM CheckFriendsRelation, 20 targets", func(ctx context.Context, _ int64, rng *rand.Rand) error {
			return call(ctx, c, "CheckFriendsRelation", zimCheck20(b, n, rng))
		}},
		{"ZIM CheckFriendsRelation, 1 target", func(ctx context.Context, _ int64, rng *rand.Rand) error {
			return call(ctx, c, "CheckFriendsRelation", map[string]any{"FromUserId": a[rng.Int64N(n)], "UserIds": []string{a[rng.Int64N(n)]}, "CheckType": 1})
		}},
		{"Yunxin friend/add.action type 1", func(ctx context.Context, k int64, _ *rand.Rand) error {
			from, d := k%n, 1+k/n
			return yxCall(ctx, r.yc, "/nimserver/friend/add.action", url.Values{"accid": {r.ya[from]}, "faccid": {r.ya[(from+d)%n]}, "type": {"1"}})
		}},
		{"Yunxin friend/getByAccid.action", func(ctx context.Context, _ int64, rng *rand.Rand) error {
			from := rng.Int64N(n)
			// The first adds linked each user with the next: a friend most reads find.
			return yxCall(ctx, r.yc, "/nimserver/friend/getByAccid.action", url.Values{"accid": {r.ya[from]}, "faccid": {r.ya[(from+1)%n]}}, 200, 404)
		}},
		{"Tencent friend_add Both, 1 item", func(ctx context.Context, k int64, _ *rand.Rand) error {
			return tcCall(ctx, tc, "/v4/sns/friend_add", tencentAdd1(ta, n, k))
		}},
		{"Tencent friend_add Both, 100 items", func(ctx context.Context, k int64, _ *rand.Rand) error {
			from, d := k%n, 1+100*(k/n)
			items := make([]map[string]string, 100)
			for i := range items {
				items[i] = map[string]string{"To_Account": tb[(from+d+int64(i))%n], "AddSource": "AddSource_Type_Bench"}
			}
			return tcCall(ctx, tc, "/v4/sns/friend_add", map[string]any{"From_Account": tb[from], "AddType": "Add_Type_Both", "AddFriendItem": items})
		}},
		{"ZIM QueryFriendList, page of 100", func(ctx context.Context, _ int64, rng *rand.Rand) error {
			var data []byte
			q := url.Values{"FromUserId": {b[rng.Int64N(n)]}, "Limit": {"100"}}
			if err := c.Call(ctx, http.MethodGet, "QueryFriendList", q, nil, &data); err != nil {
				return err
			}
			return zimAnswer("QueryFriendList", data)
		}},
		{"ZIM DeleteFriends one-way, 1 target", r.deleteOneWay},
		{"mixed 90 % check of 20 / 10 % add", r.mixed},
		{"Tencent friend_check Both, 100 items", func(ctx context.Context, _ int64, rng *rand.Rand) error {
			targets := make([]string, 100)
			for i := range targets {
				targets[i] = tb[rng.Int64N(n)]
			}
			return tcCall(ctx, tc, "/v4/sns/friend_check", map[string]any{"From_Account": tb[rng.Int64N(n)], "To_Account": targets, "CheckType": "CheckResult_Type_Both"})
		}},
	}
}

// deleteOneWay undoes the 1-target adds: first from one side, then the
// other.
func (r *benchRun) deleteOneWay(ctx context.Context, k int64, _ *rand.Rand) error {
	done := r.addsDone.Load()
	if k >= 2*done {
		return fmt.Errorf("no friendship left to delete")
	}
	j := k % max(done, 1)
	from, d := j%r.n, 1+j/r.n
	x, y := r.a[from], r.a[(from+d)%r.n]
	if k >= done {
		x, y = y, x
	}
	return call(ctx, r.c, "DeleteFriends", map[string]any{"FromUserId": x, "UserIds": []string{y}, "DeleteType": 1})
}

// mixed checks 20 users nine times in ten, and adds a friend the tenth.
func (r *benchRun) mixed(ctx context.Context, _ int64, rng *rand.Rand) error {
	if rng.IntN(10) > 0 {
		targets := make([]string, 20)
		for i := range targets {
			targets[i] = r.mixedUser(rng.Int64N(r.mixedN))
		}
		return call(ctx, r.c, "CheckFriendsRelation", map[string]any{"FromUserId": r.mixedUser(rng.Int64N(r.mixedN)), "UserIds": targets, "CheckType": 0})
	}
	// Each add links a user of the lower half with one of the upper half,
	// a pair no other op and no dataset edge makes.
	j := r.mixedNext.Add(1) - 1
	half := r.mixedN / 2
	from := j % half
	return call(ctx, r.c, "AddFriends", map[string]any{"FromUserId": r.mixedUser(from),
		"FriendInfos": []map[string]string{{"UserId": r.mixedUser(half + (from+1+j/half)%half)}}})
}
