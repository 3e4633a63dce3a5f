package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amity-im/amity/client"
	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/domain/jsonscan"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/yunxin"
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

// yxCall posts form to a Yunxin v1 API and checks its answer's code is
// one of ok (200 when none is given).
func yxCall(ctx context.Context, c *yunxin.Client, path string, form url.Values, ok ...int) error {
	var a yunxin.Answer
	if err := c.V1(ctx, path, form, &a); err != nil {
		return err
	}
	if len(ok) == 0 {
		ok = []int{200}
	}
	if !slices.Contains(ok, a.Code) {
		return fmt.Errorf("%s: code %d %s", path, a.Code, a.Desc)
	}
	return nil
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

// registerAll registers ids through c, a hundred a call.
func registerAll(ctx context.Context, c *zim.Client, ids []string) error {
	for i := 0; i < len(ids); i += 100 {
		infos := make([]map[string]string, 0, 100)
		for _, id := range ids[i:min(len(ids), i+100)] {
			infos = append(infos, map[string]string{"UserId": id})
		}
		if err := call(ctx, c, "UserRegister", map[string]any{"UserInfo": infos}); err != nil {
			return err
		}
	}
	return nil
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

// catchUp reads app's commits from the start to the stream's end: with
// the client package's Follow, which decodes each into typed events, and
// with a raw ordered consumer of the same subjects that only counts them
// — the reference the package's catch-up rate is held to. Each runs
// twice, alternately, and the second run of each is reported: the first
// read of the stream warms the server's caches for whichever comes next.
func catchUp(ctx context.Context, natsURL, app string) ([]result, error) {
	c, err := client.Connect(client.Config{URL: natsURL, Name: "amity-bench catch-up"})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	var events int64
	follow := func() (result, error) {
		var commits int64
		events = 0
		start := time.Now()
		fctx, stop := context.WithCancel(ctx)
		err := c.Follow(fctx, client.Follow{App: app, Commit: func(cm client.Commit) error { commits++; events += int64(len(cm.Events)); return nil },
			CaughtUp: func(uint64) { stop() }})
		stop()
		return result{name: "client.Follow catch-up of app " + app + ", commits", ops: commits, elapsed: time.Since(start)}, err
	}
	raw := func() (result, error) {
		start := time.Now()
		cons, err := js.OrderedConsumer(ctx, domain.StreamName, jetstream.OrderedConsumerConfig{FilterSubjects: []string{domain.AppFilter(app)}})
		if err != nil {
			return result{}, err
		}
		it, err := cons.Messages(jetstream.PullMaxBytes(8 << 20))
		if err != nil {
			return result{}, err
		}
		defer it.Stop()
		var msgs int64
		for {
			msg, err := it.Next()
			if err != nil {
				return result{}, err
			}
			msgs++
			if md, err := msg.Metadata(); err == nil && md.NumPending == 0 {
				break
			}
		}
		return result{name: "raw ordered read of app " + app + ", messages (reference)", ops: msgs, elapsed: time.Since(start)}, nil
	}
	var out [2]result
	for range 2 {
		for i, read := range []func() (result, error){raw, follow} {
			if out[i], err = read(); err != nil {
				return nil, err
			}
		}
	}
	out[1].name += fmt.Sprintf(" (%d events, %.0f a commit)", events, float64(events)/float64(max(out[1].ops, 1)))
	return []result{out[1], out[0]}, nil
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
