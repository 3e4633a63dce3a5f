package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/migrate"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/yunxin"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/projections"
)

const migrateUsage = `usage: amity migrate copy|verify --vendor tencent|zim|yunxin --users FILE --app NAME --config FILE [flags]

  copy    record every listed user's relationship chain at the vendor in the app
  verify  print each difference between the vendor and Amity; with --repair,
          make Amity match the vendor for each differing user

run "amity migrate copy -h" or "amity migrate verify -h" for the flags
`

// migrateFlags are the flags of migrate copy and verify.
type migrateFlags struct {
	vendor, source, users, app, config, checkpoint string
	qps, workers                                   int
	retryWait                                      time.Duration
	repair                                         bool
	nats                                           natsFlags
}

func migrateCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	op, err := pickVerb("migrate", args, []string{"copy", "verify"}, migrateUsage, stdout, stderr)
	if err != nil {
		return err
	}
	var f migrateFlags
	fs := newFlagSet("amity migrate "+op, stderr)
	fs.StringVar(&f.vendor, "vendor", "", "the vendor the app moves from: tencent, zim or yunxin")
	fs.StringVar(&f.source, "source", "", "the vendor's API endpoint (default: the vendor's documented one)")
	fs.StringVar(&f.users, "users", "", "file of the app's user IDs, one a line; - for standard input")
	fs.StringVar(&f.app, "app", "", "the app to record in, as --config names it")
	fs.StringVar(&f.config, "config", "", "the apps file serve reads, which holds the app's vendor credentials")
	fs.IntVar(&f.qps, "qps", 0, "vendor calls a second; 0: the vendor's documented limit (tencent 200, zim 20, yunxin 100); -1: no limit")
	fs.IntVar(&f.workers, "workers", 64, "users read at once")
	fs.DurationVar(&f.retryWait, "retry-wait", amityhttp.DefaultVendorBackoff.First, "first wait before a call the vendor refused as busy, or did not answer, is made again (doubles up to 30s)")
	if op == "copy" {
		fs.StringVar(&f.checkpoint, "checkpoint", "", `file that keeps how far the copy got (default: the users file's name + ".checkpoint"; none for standard input)`)
	} else {
		fs.BoolVar(&f.repair, "repair", false, "make Amity match the vendor for each differing user, as migrated changes")
	}
	f.nats.register(fs, "nats://127.0.0.1:4222", "NATS URL of the running service or cluster")
	if err := parseFlags(fs, args[1:], getenv); err != nil {
		return err
	}
	if err := errors.Join(checkRange("qps", int64(f.qps), -1, 1<<20), checkRange("workers", int64(f.workers), 1, 4096)); err != nil {
		return err
	}
	mode := migrate.Verify
	switch {
	case op == "copy":
		mode = migrate.Copy
	case f.repair:
		mode = migrate.Repair
	}
	return runMigrate(ctx, f, mode, stdout, stderr)
}

func runMigrate(ctx context.Context, f migrateFlags, mode migrate.Mode, stdout, stderr io.Writer) error {
	if f.users == "" || f.app == "" || f.config == "" {
		return fmt.Errorf("--users, --app and --config are required")
	}
	cfg, err := loadConfig(f.config)
	if err != nil {
		return err
	}
	app, source, err := vendorSource(cfg, f, stderr)
	if err != nil {
		return err
	}
	users, total, err := openUsers(f.users)
	if err != nil {
		return err
	}
	defer users.Close()
	nc, err := f.nats.connect("amity migrate")
	if err != nil {
		return err
	}
	defer nc.Close()
	if _, err := nc.RequestWithContext(ctx, domain.AdminDigest, nil); err != nil {
		return fmt.Errorf("reach the running service with %s: %w", loginHint(f.nats), err)
	}
	ids := newIDSource()
	syncer := &migrate.Syncer{App: app, Source: source, Writer: serviceWriter{nc: nc, newID: ids.New}, Amity: serviceView(nc), NewID: ids.New}
	checkpoint := f.checkpoint
	if checkpoint == "" && mode == migrate.Copy && f.users != "-" {
		checkpoint = f.users + ".checkpoint"
	}
	out := &reporter{w: stdout, mode: mode}
	r := &migrate.Run{Syncer: syncer, Mode: mode, Workers: f.workers, Checkpoint: checkpoint, Report: out.report,
		Progress: progressLine(stderr), Interval: progressEvery(stderr)}
	sum, err := r.Run(ctx, users, total)
	fmt.Fprintln(stdout, summaryLine(sum, mode))
	switch {
	case err != nil:
		return err
	case sum.Failed > 0 || sum.Problems > 0:
		return fmt.Errorf("%d users could not be read from the vendor and %d changes were refused (listed above); run again to retry them", sum.Failed, sum.Problems)
	case mode == migrate.Verify && sum.Differences > 0:
		return fmt.Errorf("%d differences in %d users", sum.Differences, sum.Differing)
	}
	return nil
}

// vendorSource finds the app --app names and reads its vendor with the
// app's own credentials.
func vendorSource(cfg config, f migrateFlags, stderr io.Writer) (*domain.App, amityhttp.Source, error) {
	i := slices.IndexFunc(cfg.apps, func(a *domain.App) bool { return a.Name == f.app })
	if i < 0 {
		return nil, nil, fmt.Errorf("--app %q: %s names no such app", f.app, f.config)
	}
	app := cfg.apps[i]
	backoff := amityhttp.DefaultVendorBackoff
	backoff.First = max(f.retryWait, time.Millisecond)
	reads := amityhttp.VendorReads{Backoff: backoff, Waiting: waitingLine(stderr)}
	switch f.vendor {
	case "tencent":
		t, err := partOf(cfg.tencent, func(t *tencent.App) *domain.App { return t.App }, app, f, "SDKAppID and key")
		if err != nil {
			return nil, nil, err
		}
		return app, tencentSource(t, f.source, f.qps, reads), nil
	case "zim":
		z, err := partOf(cfg.zim, func(z *zim.App) *domain.App { return z.App }, app, f, "AppID and ServerSecret")
		if err != nil {
			return nil, nil, err
		}
		reads.HTTP = sourceClient(f.qps, zim.DefaultSourceQPS)
		c := &zim.Client{BaseURL: cmp.Or(f.source, zim.DefaultEndpoint), AppID: z.AppID, Secret: z.ServerSecret, HTTP: reads.HTTP}
		return app, &zim.Source{Client: c, Reads: reads}, nil
	case "yunxin":
		y, err := partOf(cfg.yunxin, func(y *yunxin.App) *domain.App { return y.App }, app, f, "AppKey and AppSecret")
		if err != nil {
			return nil, nil, err
		}
		reads.HTTP = sourceClient(f.qps, yunxin.DefaultSourceQPS)
		c := &yunxin.Client{BaseURL: cmp.Or(f.source, yunxin.DefaultEndpoint), AppKey: y.AppKey, AppSecret: y.AppSecret, HTTP: reads.HTTP}
		return app, &yunxin.Source{Client: c, Reads: reads}, nil
	}
	return nil, nil, fmt.Errorf("--vendor %q: say tencent, zim or yunxin", f.vendor)
}

// partOf is the vendor part of parts that belongs to app; none is an error
// naming the credentials that sign the vendor's reads.
func partOf[T any](parts []T, appOf func(T) *domain.App, app *domain.App, f migrateFlags, credentials string) (T, error) {
	j := slices.IndexFunc(parts, func(p T) bool { return appOf(p) == app })
	if j < 0 {
		var none T
		return none, fmt.Errorf("app %q has no %s part in %s: its %s sign the reads", f.app, f.vendor, f.config, credentials)
	}
	return parts[j], nil
}

// sourceClient is the HTTP client of a vendor's reads, at qps calls a
// second (the vendor's documented rate when 0).
func sourceClient(qps, vendorQPS int) *http.Client {
	return migrate.LimitedClient(cmp.Or(qps, vendorQPS), 30*time.Second)
}

// openUsers opens the users list and counts its IDs when it is a file.
func openUsers(path string) (io.ReadCloser, int, error) {
	if path == "-" {
		return io.NopCloser(os.Stdin), 0, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("--users: %w", err)
	}
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("--users: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("--users: %w", err)
	}
	return f, n, nil
}

// loginHint says which flags give a NATS login, for an error that may be
// a missing one.
func loginHint(n natsFlags) string {
	if n.user == "" && n.creds == "" {
		return "no login (give an admin's --nats-user and --nats-password, or --nats-creds)"
	}
	return "login " + cmp.Or(n.user, n.creds)
}

// reporter prints each user's outcome: failures and refusals always, the
// differences when verifying, unknown users once each.
type reporter struct {
	mu   sync.Mutex
	w    io.Writer
	mode migrate.Mode
}

func (r *reporter) report(o migrate.Outcome, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil:
		fmt.Fprintf(r.w, "%s: not read from the vendor: %v\n", o.User, err)
		return
	case o.Unknown:
		fmt.Fprintf(r.w, "%s: %v\n", o.User, migrate.ErrUnknownUser)
		return
	}
	if r.mode != migrate.Copy {
		for _, d := range o.Differences {
			fmt.Fprintln(r.w, d)
		}
	}
	for _, p := range o.Problems {
		fmt.Fprintf(r.w, "%s: refused: %s\n", o.User, p)
	}
}

func summaryLine(s migrate.Summary, mode migrate.Mode) string {
	verb := map[migrate.Mode]string{migrate.Copy: "copied", migrate.Verify: "verified", migrate.Repair: "verified and repaired"}[mode]
	line := fmt.Sprintf("%s %d users (%d edges) in %s, %.0f edges/s: %d changes recorded, %d differences in %d users, %d unknown at the vendor, %d not read, %d refusals",
		verb, s.Done, s.Edges, s.Took.Round(time.Millisecond), s.EdgesPerSecond(), s.Recorded, s.Differences, s.Differing, s.Unknown, s.Failed, s.Problems)
	if s.Skipped > 0 {
		line += fmt.Sprintf("; %d done by an earlier run", s.Skipped)
	}
	return line
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressEvery is how often progress is shown: each second on a
// terminal, every five in a log.
func progressEvery(w io.Writer) time.Duration {
	if isTerminal(w) {
		return time.Second
	}
	return 5 * time.Second
}

// progressLine shows progress on one line kept rewritten on a terminal,
// as a line each time in a log.
func progressLine(w io.Writer) func(migrate.Progress) {
	term := isTerminal(w)
	return func(p migrate.Progress) {
		of := ""
		if p.Total > 0 {
			of = fmt.Sprintf(" of %d", p.Total)
		}
		line := fmt.Sprintf("migrate: %d%s users, %.0f edges/s, %s left", p.Done, of, p.EdgesPerSecond(), p.Left().Round(time.Second))
		if term {
			fmt.Fprintf(w, "\r%s\033[K", line)
			return
		}
		fmt.Fprintln(w, line)
	}
}

// waitingLine says what a read waits for, at most once a second.
func waitingLine(w io.Writer) func(string, error, time.Duration) {
	var mu sync.Mutex
	var last time.Time
	return func(what string, err error, wait time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		var status *amityhttp.StatusError
		reason := "no answer: " + err.Error()
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			reason = "no answer in time"
		case errors.Is(err, amityhttp.ErrVendorBusy), errors.As(err, &status):
			reason = "the vendor answered " + err.Error()
		}
		fmt.Fprintf(w, "migrate: waiting %s to try %s again: %s\n", wait.Round(time.Millisecond), what, reason)
	}
}

// tencentSource reads app's graph at Tencent (source: its endpoint, "" for
// the documented one) with the app's own key, at qps calls a second at
// most (0: Tencent's limit; negative: none).
func tencentSource(app *tencent.App, source string, qps int, reads amityhttp.VendorReads) *tencent.Source {
	reads.HTTP = sourceClient(qps, tencent.DefaultSourceQPS)
	c := &tencent.Client{BaseURL: cmp.Or(source, tencent.DefaultEndpoint), SDKAppID: app.SDKAppID, Identifier: app.Admins[0],
		SecretKey: app.SecretKey, HTTP: reads.HTTP}
	return &tencent.Source{Client: c, App: app, Reads: reads}
}

// callbackAttempts bounds the tries of each read a callback makes: Tencent
// sends a callback again that was not acknowledged.
const callbackAttempts = 3

// movingApps are the config's apps that take Tencent's callbacks while they
// move, each syncing through w against the read model m.
func movingApps(cfg config, w amityhttp.Executor, m *projections.Model, newID func() string) []*migrate.TencentApp {
	var out []*migrate.TencentApp
	for _, t := range cfg.tencent {
		mc := cfg.moving[t]
		if mc == nil {
			continue
		}
		backoff := amityhttp.DefaultVendorBackoff
		backoff.Attempts = callbackAttempts
		src := tencentSource(t, mc.Source, mc.QPS, amityhttp.VendorReads{Backoff: backoff})
		out = append(out, &migrate.TencentApp{SDKAppID: t.SDKAppID, Token: mc.CallbackToken, Syncer: &migrate.Syncer{
			App: t.App, Source: src, Writer: w, Amity: migrate.ModelView{Model: m}, NewID: newID}})
	}
	return out
}
