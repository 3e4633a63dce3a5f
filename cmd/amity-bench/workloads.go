package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/domain/jsonscan"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/zim"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// result is one workload's figures.
type result struct {
	name     string
	ops      int64
	errors   int64
	elapsed  time.Duration
	p50, p99 time.Duration
	// issued counts the operations started, finished or not: the next
	// run of the same workload starts after them.
	issued int64
	// cores is the server's CPU use during the workload (cores busy), and
	// rss its peak resident memory so far; zero when not measured.
	cores float64
	rss   int64
	// toolCPU is this process's own CPU time during the workload: the
	// load generator's, and for a minimal handler its server's too; zero
	// when not measured (the cluster's nats-servers share the process).
	toolCPU time.Duration
	// avgOnly: p50 holds the average latency (pgbench reports no quantiles).
	avgOnly bool
}

func (r result) rate() float64 { return float64(r.ops) / r.elapsed.Seconds() }

func (r result) row() string {
	cores, rss, perOp, toolPerOp := "—", "—", "—", "—"
	if r.toolCPU > 0 && r.ops > 0 {
		toolPerOp = fmt.Sprintf("%.0f", float64(r.toolCPU.Microseconds())/float64(r.ops))
	}
	if r.rss > 0 {
		cores, rss = fmt.Sprintf("%.2f", r.cores), fmt.Sprintf("%d", r.rss>>20)
		if r.ops > 0 {
			perOp = fmt.Sprintf("%.0f", 1e6*r.cores/r.rate())
		}
	}
	p50, p99 := r.p50.Round(time.Microsecond).String(), r.p99.Round(time.Microsecond).String()
	if r.avgOnly {
		p50, p99 = "avg "+p50, "—"
	}
	return fmt.Sprintf("| %-40s | %10.0f | %9s | %9s | %7d | %5s | %8s | %10s | %8s |", r.name, r.rate(), p50, p99, r.errors, cores, perOp, toolPerOp, rss)
}

// op performs operation k of a workload and reports whether it succeeded.
type op func(ctx context.Context, k int64, rng *rand.Rand) error

// workload is a named op.
type workload struct {
	name string
	f    op
}

// workloadConns holds the connection counts of the workloads that do not
// run at --conns.
var workloadConns = map[string]int{}

// drive runs op from conns workers for d and collects latencies.
func drive(ctx context.Context, name string, conns int, d time.Duration, f op) result {
	var next, errs atomic.Int64
	lat := make([][]time.Duration, conns)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start, cpu0 := time.Now(), processCPU()
	var wg sync.WaitGroup
	// The workers carry the workload's name as a profile label.
	pctx := pprof.WithLabels(ctx, pprof.Labels("workload", name))
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pprof.SetGoroutineLabels(pctx)
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for ctx.Err() == nil {
				k := next.Add(1) - 1
				t0 := time.Now()
				err := f(ctx, k, rng)
				if ctx.Err() != nil {
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
				if err != nil {
					if errs.Add(1) <= 3 {
						fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed, toolCPU := time.Since(start), processCPU()-cpu0
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := result{name: name, ops: int64(len(all)), errors: errs.Load(), elapsed: elapsed, issued: next.Load(), toolCPU: toolCPU}
	if n := len(all); n > 0 {
		r.p50, r.p99 = all[n*50/100], all[min(n-1, n*99/100)]
	}
	return r
}

func call(ctx context.Context, c *zim.Client, action string, body any) error {
	var data []byte
	if err := c.Call(ctx, http.MethodPost, action, nil, body, &data); err != nil {
		return err
	}
	return zimAnswer(action, data)
}

// zimAnswer checks a ZIM answer to action: answeredOK, or else decoded
// with encoding/json to say what failed.
func zimAnswer(action string, data []byte) error {
	if answeredOK(data) {
		return nil
	}
	var r zim.Answer
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("%s: decode answer %s: %w", action, data, err)
	}
	if r.Code != 0 || len(r.ErrorList) > 0 || len(r.Fails) > 0 {
		return fmt.Errorf("%s: Code %d %s %v %v", action, r.Code, r.Message, r.ErrorList, r.Fails)
	}
	return nil
}

type tcResp struct {
	ErrorCode  int
	ErrorInfo  string
	ResultItem []struct {
		To_Account string //nolint:revive // the wire name
		ResultCode int
	}
}

func tcCall(ctx context.Context, c *tencent.Client, path string, body any) error {
	var data []byte
	if err := c.Call(ctx, path, body, &data); err != nil {
		return err
	}
	if answeredOK(data) {
		return nil
	}
	var r tcResp
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("%s: decode answer %s: %w", path, data, err)
	}
	if r.ErrorCode != 0 {
		return fmt.Errorf("%s: ErrorCode %d %s", path, r.ErrorCode, r.ErrorInfo)
	}
	for _, it := range r.ResultItem {
		if it.ResultCode != 0 {
			return fmt.Errorf("%s: %s ResultCode %d", path, it.To_Account, it.ResultCode)
		}
	}
	return nil
}

// answeredOK reports whether a ZIM or Tencent answer says that everything
// succeeded: a zero Code or ErrorCode, nothing in ZIM's ErrorList or Fails,
// and a zero ResultCode in each of Tencent's ResultItem. It reads the whole
// answer with jsonscan, skipping the other values, so the load generator
// spends little of the shared CPU on answers; for an answer that says
// otherwise, or that it cannot read so, the caller decodes the answer with
// encoding/json to check it and to report what failed.
func answeredOK(data []byte) bool {
	s := jsonscan.Scanner{B: data}
	ok, code := true, false
	zero := func() bool {
		var n int64
		ok = ok && s.Int(&n) && n == 0
		return ok
	}
	read := s.Object(func(key []byte) bool {
		switch string(key) {
		case "Code", "ErrorCode":
			code = true
			return zero()
		case "ErrorList", "Fails":
			return s.Array(func() bool { ok = false; return false })
		case "ResultItem":
			return s.Array(func() bool {
				return s.Object(func(key []byte) bool {
					if string(key) == "ResultCode" {
						return zero()
					}
					return s.Skip()
				})
			})
		}
		return s.Skip()
	}) && s.End()
	return read && ok && code
}

func userIDs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

// clients returns the bench app's ZIM client and Tencent admin client for
// the server at base.
func clients(base string, hc *http.Client) (*zim.Client, *tencent.Client, error) {
	sig, err := tencent.GenUserSig(benchSDKAppID, benchKey, "administrator", 24*time.Hour, time.Now())
	if err != nil {
		return nil, nil, err
	}
	return &zim.Client{BaseURL: base, AppID: benchAppID, Secret: benchSecret, HTTP: hc},
		&tencent.Client{BaseURL: base, SDKAppID: benchSDKAppID, Identifier: "administrator", UserSig: sig, HTTP: hc}, nil
}

// zimAdd1 is request k of the 1-target adds among users: it links user
// k%n with user k%n + d, d growing every n requests, a pair no other
// request links.
func zimAdd1(users []string, n, k int64) map[string]any {
	from, d := k%n, 1+k/n
	return map[string]any{"FromUserId": users[from], "FriendInfos": []map[string]string{{"UserId": users[(from+d)%n]}}}
}

// zimCheck20 is a two-way check of 20 random users against a random one.
func zimCheck20(users []string, n int64, rng *rand.Rand) map[string]any {
	targets := make([]string, 20)
	for i := range targets {
		targets[i] = users[rng.Int64N(n)]
	}
	return map[string]any{"FromUserId": users[rng.Int64N(n)], "UserIds": targets, "CheckType": 0}
}

// tencentAdd1 is zimAdd1 as a Tencent friend_add of one item.
func tencentAdd1(users []string, n, k int64) map[string]any {
	from, d := k%n, 1+k/n
	return map[string]any{"From_Account": users[from], "AddType": "Add_Type_Both",
		"AddFriendItem": []map[string]string{{"To_Account": users[(from+d)%n], "AddSource": "AddSource_Type_Bench"}}}
}

// bench runs every workload against a fresh server and prints the table.
func bench(ctx context.Context, o options, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "amity-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := o.amity
	if bin == "" {
		if bin, err = buildAmity(ctx, dir); err != nil {
			return err
		}
	}
	stopProfile, err := startCPUProfile(o.cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	var results []result
	want := func(name string) bool {
		sep := "," // names that hold a comma are picked with ";" between the parts
		if strings.Contains(o.only, ";") {
			sep = ";"
		}
		return o.only == "" || slices.ContainsFunc(strings.Split(o.only, sep), func(part string) bool { return strings.Contains(name, part) })
	}

	if want("JetStream") {
		r, err := rawPublish(ctx, dir, o)
		if err != nil {
			return err
		}
		results = append(results, r)
	}

	var notes []string
	var datasetEdges int64
	if o.datasetUsers > 0 {
		start := time.Now()
		events, err := writeDataset(ctx, filepath.Join(dir, "data"), int64(o.datasetUsers), int64(o.datasetEdges), stderr)
		if err != nil {
			return err
		}
		k := max(int64(o.datasetEdges)/(2*int64(o.datasetUsers)), 1)
		datasetEdges = 2 * k * int64(o.datasetUsers)
		notes = append(notes, fmt.Sprintf("dataset: %d users and %d directed edges written as %d events straight onto the stream in %s",
			o.datasetUsers, datasetEdges, events, time.Since(start).Round(time.Second)))
		first, err := startServer(ctx, bin, dir, o.syncInterval, "", stderr)
		if err != nil {
			return err
		}
		_, rss := first.memory()
		notes = append(notes, fmt.Sprintf("start to ready with no snapshot (replaying %d events): %s; resident memory then %d MB = %.0f bytes per directed edge",
			events, first.ready.Round(time.Millisecond), rss>>20, float64(rss)/float64(datasetEdges)))
		first.stop() // writes the snapshot
	}
	srv, err := startServer(ctx, bin, dir, o.syncInterval, o.serverPprof, stderr)
	if err != nil {
		return err
	}
	defer srv.stop()
	if o.datasetUsers > 0 {
		_, rss := srv.memory()
		notes = append(notes, fmt.Sprintf("restart to ready from the snapshot: %s; resident memory then %d MB = %.0f bytes per directed edge",
			srv.ready.Round(time.Millisecond), rss>>20, float64(rss)/float64(datasetEdges)))
		notes = append(notes, diskNote(filepath.Join(dir, "data")))
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns}}
	c, tc, err := clients(srv.httpURL, hc)
	if err != nil {
		return err
	}

	a, b, ta, tb := userIDs("a", o.users), userIDs("b", o.users), userIDs("ta", o.users), userIDs("tb", o.users)
	fmt.Fprintf(stderr, "registering %d users\n", 4*o.users)
	for i := 0; i < o.users; i += 100 {
		for _, set := range [][]string{a, b, ta, tb} {
			var infos []map[string]string
			for _, id := range set[i:min(o.users, i+100)] {
				infos = append(infos, map[string]string{"UserId": id})
			}
			if err := call(ctx, c, "UserRegister", map[string]any{"UserInfo": infos}); err != nil {
				return err
			}
		}
	}
	n := int64(o.users)
	var addsDone, mixedNext atomic.Int64
	mixedN, mixedUser := n, func(i int64) string { return b[i] }
	if o.datasetUsers > 0 {
		mixedN, mixedUser = int64(o.datasetUsers), datasetUser
	}
	// Each workload gets its own users, and each op a pair no other op
	// uses: op k links user k%n with user k%n + d, d growing every n ops.
	workloads := []workload{
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
		{"ZIM DeleteFriends one-way, 1 target", func(ctx context.Context, k int64, _ *rand.Rand) error {
			// Undo the 1-target adds: first from one side, then the other.
			if k >= 2*addsDone.Load() {
				return fmt.Errorf("no friendship left to delete")
			}
			j := k % max(addsDone.Load(), 1)
			from, d := j%n, 1+j/n
			x, y := a[from], a[(from+d)%n]
			if k >= addsDone.Load() {
				x, y = y, x
			}
			return call(ctx, c, "DeleteFriends", map[string]any{"FromUserId": x, "UserIds": []string{y}, "DeleteType": 1})
		}},
		{"mixed 90 % check of 20 / 10 % add", func(ctx context.Context, k int64, rng *rand.Rand) error {
			if rng.IntN(10) > 0 {
				targets := make([]string, 20)
				for i := range targets {
					targets[i] = mixedUser(rng.Int64N(mixedN))
				}
				return call(ctx, c, "CheckFriendsRelation", map[string]any{"FromUserId": mixedUser(rng.Int64N(mixedN)), "UserIds": targets, "CheckType": 0})
			}
			// Each add links a user of the lower half with one of the upper
			// half, a pair no other op and no dataset edge makes.
			j := mixedNext.Add(1) - 1
			half := mixedN / 2
			from := j % half
			return call(ctx, c, "AddFriends", map[string]any{"FromUserId": mixedUser(from),
				"FriendInfos": []map[string]string{{"UserId": mixedUser(half + (from+1+j/half)%half)}}})
		}},
		{"Tencent friend_check Both, 100 items", func(ctx context.Context, _ int64, rng *rand.Rand) error {
			targets := make([]string, 100)
			for i := range targets {
				targets[i] = tb[rng.Int64N(n)]
			}
			return tcCall(ctx, tc, "/v4/sns/friend_check", map[string]any{"From_Account": tb[rng.Int64N(n)], "To_Account": targets, "CheckType": "CheckResult_Type_Both"})
		}},
	}
	setupHistory, history := historyWorkloads(srv.httpURL, hc, c, tc, mixedN, mixedUser, stderr)
	if slices.ContainsFunc(history, func(w workload) bool { return want(w.name) }) {
		if err := setupHistory(ctx); err != nil {
			return err
		}
		workloads = append(workloads, history...)
	}
	issued := map[string]int64{}
	for _, w := range workloads {
		if !want(w.name) {
			continue
		}
		// Each workload starts on an idle server: the notifications of the
		// previous one are sent first.
		drained, sent, err := waitNotifier(ctx, srv.natsURL)
		if err != nil {
			return err
		}
		if drained > 0 && len(results) > 0 {
			notes = append(notes, fmt.Sprintf("after %q: the notifier was %s behind", results[len(results)-1].name, drained.Round(10*time.Millisecond)))
		}
		if drained > time.Second {
			notes = append(notes, fmt.Sprintf("before %q: the notifier took %s more to send the rest of the previous workload's notifications, %d at %.0f/s",
				w.name, drained.Round(100*time.Millisecond), sent, float64(sent)/drained.Seconds()))
		}
		conns := o.conns
		if c := workloadConns[w.name]; c > 0 {
			conns = min(c, o.conns)
		}
		fmt.Fprintf(stderr, "running %s for %s at %d connections\n", w.name, o.duration, conns)
		cpu0, _ := srv.usage()
		r := drive(ctx, w.name, conns, o.duration, w.f)
		cpu1, rss := srv.usage()
		r.cores, r.rss = (cpu1-cpu0).Seconds()/r.elapsed.Seconds(), rss
		results = append(results, r)
		issued[w.name] = r.issued
		if w.name == "ZIM AddFriends, 1 target" {
			addsDone.Store(r.ops - r.errors)
		}
	}
	if want("notification") {
		fmt.Fprintf(stderr, "running %s for %s\n", notifyLatencyName, o.duration)
		r, err := notifyLatency(ctx, c, srv.natsURL, o.duration)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	var paired []string
	if want("minimal") && o.pairedRounds > 0 {
		for _, m := range minimalRefs(a, b, ta, n) {
			i := slices.IndexFunc(workloads, func(w workload) bool { return w.name == m.of })
			if i < 0 || !want(m.of) {
				continue
			}
			line, err := pairedRounds(ctx, o, hc, srv.natsURL, m, workloads[i].f, issued, stderr)
			if err != nil {
				return err
			}
			paired = append(paired, line)
		}
	}
	if want("ordered") {
		r, err := orderedRead(ctx, srv.natsURL)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	if want("cluster") {
		srv.stop()
		rs, ns, err := twoInstances(ctx, o, bin, dir, stderr)
		if err != nil {
			return err
		}
		results, notes = append(results, rs...), append(notes, ns...)
	}
	if o.peers {
		srv.stop()
		for _, peer := range []func(context.Context, options, io.Writer) ([]result, error){postgresPeer, redisPeer} {
			rs, err := peer(ctx, o, stderr)
			if err != nil {
				fmt.Fprintf(stderr, "peer skipped: %v\n", err)
				notes = append(notes, "peer skipped: "+strings.SplitN(err.Error(), "\n", 2)[0])
				continue
			}
			results = append(results, rs...)
		}
	}
	// Each ratio's reference is a minimal handler that takes the same
	// requests from the same client and decodes the same JSON.
	minimal := map[string]result{}
	if want("minimal") {
		for _, m := range minimalRefs(a, b, ta, n) {
			fmt.Fprintf(stderr, "running %s for %s at %d connections\n", m.name, o.duration, o.conns)
			r, err := minimalHandler(ctx, o, hc, m)
			if err != nil {
				return err
			}
			minimal[m.of] = r
			results = append(results, r)
		}
	}

	fsync := "every write synced before its ack (SyncAlways)"
	if o.syncInterval > 0 {
		fsync = "fsync every " + o.syncInterval.String()
	}
	fmt.Fprintf(stdout, "\n%s, %d CPUs, %s; %d connections, %s per workload; %s\n\n",
		runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), runtime.Version(), o.conns, o.duration, fsync)
	for _, n := range notes {
		fmt.Fprintf(stdout, "- %s\n", n)
	}
	if len(notes) > 0 {
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, "| workload                                 |      ops/s |       p50 |       p99 |  errors | cores | CPU µs/op | tool µs/op | peak RSS MB |")
	fmt.Fprintln(stdout, "|------------------------------------------|-----------:|----------:|----------:|--------:|------:|---------:|-----------:|---------:|")
	for _, r := range results {
		fmt.Fprintln(stdout, r.row())
	}
	if len(minimal) > 0 {
		fmt.Fprintln(stdout, "\nratios to the minimal handler taking the same requests (same run):")
		for _, r := range results {
			if m, ok := minimal[r.name]; ok && m.ops > 0 {
				fmt.Fprintf(stdout, "  %-40s %5.1f %%  (%.0f of %.0f req/s)\n", r.name, 100*r.rate()/m.rate(), r.rate(), m.rate())
			}
		}
	}
	if len(paired) > 0 {
		fmt.Fprintf(stdout, "\npaired rounds: each workload and its minimal handler alternately, %s each, %d times:\n", o.duration/2, o.pairedRounds)
		for _, l := range paired {
			fmt.Fprintln(stdout, "  "+l)
		}
	}
	var pgInsert result
	for _, r := range results {
		if r.name == "PostgreSQL two-way insert (pgbench)" {
			pgInsert = r
		}
	}
	if pgInsert.ops > 0 {
		fmt.Fprintln(stdout, "\nratios to PostgreSQL's two-way insert (same run):")
		for _, r := range results {
			switch r.name {
			case "ZIM AddFriends, 1 target", "Tencent friend_add Both, 1 item":
				fmt.Fprintf(stdout, "  %-40s %5.2f×\n", r.name, r.rate()/pgInsert.rate())
			case "ZIM AddFriends, 20 targets":
				fmt.Fprintf(stdout, "  %-40s %5.2f× (pairs/s)\n", r.name, 20*r.rate()/pgInsert.rate())
			}
		}
	}
	return nil
}

// minimalRef is a reference request rate for one workload: what a Go HTTP
// handler that decodes the workload's request into a struct and answers a
// constant serves of the same requests, sent by the same client.
type minimalRef struct {
	name string
	of   string // the workload compared with it
	// newReq returns a value to decode a request into.
	newReq func() any
	answer string
	f      func(c *zim.Client, tc *tencent.Client) op
}

// minimalRefs are the references of the workloads with a target ratio;
// their requests are built as the workloads build theirs.
func minimalRefs(a, b, ta []string, n int64) []minimalRef {
	const zimOK = `{"Code":0,"Message":"success","RequestId":"1","ErrorList":[]}`
	return []minimalRef{
		{name: "minimal handler, AddFriends 1 (ref.)", of: "ZIM AddFriends, 1 target", answer: zimOK,
			newReq: func() any {
				return &struct {
					FromUserId  string //nolint:revive // the wire name
					FriendInfos []struct {
						UserId, Wording, FriendAlias string //nolint:revive // the wire name
						FriendTime                   int64
					}
				}{}
			},
			f: func(c *zim.Client, _ *tencent.Client) op {
				return func(ctx context.Context, k int64, _ *rand.Rand) error {
					return call(ctx, c, "AddFriends", zimAdd1(a, n, k))
				}
			}},
		{name: "minimal handler, check of 20 (ref.)", of: "ZIM CheckFriendsRelation, 20 targets", answer: zimOK,
			newReq: func() any {
				return &struct {
					FromUserId string   //nolint:revive // the wire name
					UserIds    []string //nolint:revive // the wire name
					CheckType  int
				}{}
			},
			f: func(c *zim.Client, _ *tencent.Client) op {
				return func(ctx context.Context, _ int64, rng *rand.Rand) error {
					return call(ctx, c, "CheckFriendsRelation", zimCheck20(b, n, rng))
				}
			}},
		{name: "minimal handler, friend_add 1 (ref.)", of: "Tencent friend_add Both, 1 item",
			answer: `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ResultItem":[]}`,
			newReq: func() any {
				return &struct {
					From_Account  string //nolint:revive // the wire name
					AddType       string
					AddFriendItem []struct {
						To_Account, AddSource, Remark, GroupName, AddWording string //nolint:revive // the wire name
					}
				}{}
			},
			f: func(_ *zim.Client, tc *tencent.Client) op {
				return func(ctx context.Context, k int64, _ *rand.Rand) error {
					return tcCall(ctx, tc, "/v4/sns/friend_add", tencentAdd1(ta, n, k))
				}
			}},
	}
}

// pairedRounds runs the workload that m is the reference of, from where
// its earlier runs stopped (issued), and m's minimal handler one after the
// other, half --duration each, --paired-rounds times, so that both meet
// the machine in the same state; it returns each round's ratio and their
// median.
func pairedRounds(ctx context.Context, o options, hc *http.Client, natsURL string, m minimalRef, f op, issued map[string]int64, stderr io.Writer) (string, error) {
	half := o
	half.duration = o.duration / 2
	var ratios []float64
	var rounds []string
	for range o.pairedRounds {
		if _, _, err := waitNotifier(ctx, natsURL); err != nil {
			return "", err
		}
		fmt.Fprintf(stderr, "paired round: %s, then %s, %s each\n", m.of, m.name, half.duration)
		base := issued[m.of]
		w := drive(ctx, m.of, o.conns, half.duration, func(ctx context.Context, k int64, rng *rand.Rand) error {
			return f(ctx, base+k, rng)
		})
		issued[m.of] += w.issued
		if w.errors > 0 {
			return "", fmt.Errorf("paired round of %s: %d errors", m.of, w.errors)
		}
		ref, err := minimalHandler(ctx, half, hc, m)
		if err != nil {
			return "", err
		}
		ratios = append(ratios, w.rate()/ref.rate())
		rounds = append(rounds, fmt.Sprintf("%.1f %% (%.0f of %.0f)", 100*w.rate()/ref.rate(), w.rate(), ref.rate()))
	}
	sorted := slices.Sorted(slices.Values(ratios))
	return fmt.Sprintf("%-38s median %5.1f %%; rounds %s", m.of, 100*sorted[len(sorted)/2], strings.Join(rounds, ", ")), nil
}

// minimalHandler serves m's handler on loopback and drives it with m's
// requests at the same connections.
func minimalHandler(ctx context.Context, o options, hc *http.Client, m minimalRef) (result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	answer := []byte(m.answer + "\n")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := json.NewDecoder(r.Body).Decode(m.newReq()); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	})}
	go func() {
		// Its connections carry the handler's name as a profile label.
		pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels("server", m.name)))
		_ = srv.Serve(ln)
	}()
	defer srv.Close()
	c, tc, err := clients("http://"+ln.Addr().String(), hc)
	if err != nil {
		return result{}, err
	}
	return drive(ctx, m.name, o.conns, o.duration, m.f(c, tc)), nil
}

// waitNotifier waits until the server's notifier has taken every commit
// on the stream, and returns how long that took and how many notifications
// it published meanwhile.
func waitNotifier(ctx context.Context, natsURL string) (time.Duration, uint64, error) {
	nc, err := nats.Connect(natsURL)
	if err != nil {
		return 0, 0, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return 0, 0, err
	}
	var sent atomic.Uint64
	sub, err := nc.Subscribe(domain.NotifyFilter("*"), func(*nats.Msg) { sent.Add(1) })
	if err != nil {
		return 0, 0, err
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		return 0, 0, err
	}
	count := func() (uint64, error) {
		if err := nc.Flush(); err != nil {
			return 0, fmt.Errorf("count notifications: %w", err)
		}
		return sent.Load(), nil
	}
	before, err := count()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	for {
		cons, err := js.Consumer(ctx, eventstore.StreamName, eventstore.NotifierConsumer)
		if err != nil {
			return 0, 0, fmt.Errorf("notifier consumer: %w", err)
		}
		info, err := cons.Info(ctx)
		if err != nil {
			return 0, 0, fmt.Errorf("notifier consumer: %w", err)
		}
		if info.NumPending == 0 && info.NumAckPending == 0 {
			took := time.Since(start)
			after, err := count()
			return took, after - before, err
		}
		if time.Since(start) > 10*time.Minute {
			return 0, 0, fmt.Errorf("notifier still %d commits behind after 10 minutes", info.NumPending+uint64(info.NumAckPending))
		}
		select {
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// orderedRead is the reference read rate: a bare ordered consumer over the
// server's whole stream, counting messages without decoding them.
func orderedRead(ctx context.Context, natsURL string) (result, error) {
	nc, err := nats.Connect(natsURL)
	if err != nil {
		return result{}, err
	}
	defer nc.Close()
	store, err := eventstore.Open(ctx, nc, eventstore.Config{})
	if err != nil {
		return result{}, err
	}
	last, err := store.LastSeq(ctx)
	if err != nil {
		return result{}, err
	}
	start := time.Now()
	var msgs int64
	err = store.Scan(ctx, []string{domain.AppFilter("*")}, 1, last, func(domain.Record) error { msgs++; return nil })
	if err != nil {
		return result{}, err
	}
	return result{name: "raw ordered read, messages (reference)", ops: msgs, elapsed: time.Since(start)}, nil
}

// startCPUProfile writes a CPU profile of this process to path until stop
// is called; with no path it does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// diskNote says what the data directory holds on disk: the stream's files,
// the snapshot and the read model's event log.
func diskNote(dataDir string) string {
	size := func(root string) int64 {
		var n int64
		_ = filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if info, err := d.Info(); err == nil {
					n += info.Size()
				}
			}
			return nil
		})
		return n
	}
	snaps := filepath.Join(dataDir, "snapshots")
	return fmt.Sprintf("on disk: stream %d MB, snapshot %d MB, event log %d MB",
		size(filepath.Join(dataDir, "jetstream"))>>20, size(filepath.Join(snaps, "model.snap"))>>20, size(filepath.Join(snaps, "events.log"))>>20)
}
