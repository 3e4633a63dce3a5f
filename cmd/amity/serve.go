package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"strings"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/console"
	"github.com/amity-im/amity/http/migrate"
	"github.com/amity-im/amity/http/native"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/yunxin"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/projections"
	"github.com/amity-im/amity/writer"
	"github.com/nats-io/nats.go"
	"golang.org/x/sync/errgroup"
)

type serveFlags struct {
	config       string
	dataDir      string
	httpAddr     string
	natsListen   string
	nats         natsFlags
	syncInterval time.Duration
	replicas     int
	logLevel     string
	logFormat    string
	snapEvery    time.Duration
	pprofAddr    string
	consStart    string
	retireNotify bool
	http         httpTimeouts
	maxStore     int64
	proxies      []netip.Prefix
}

// httpTimeouts bound how long a client may hold a connection.
type httpTimeouts struct {
	readHeader, read, write, idle time.Duration
}

func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (serveFlags, error) {
	var f serveFlags
	fs := newFlagSet("amity serve", stderr)
	fs.StringVar(&f.config, "config", "", "app config file (JSON); none: a development app")
	fs.StringVar(&f.dataDir, "data-dir", "data", "data directory (JetStream files, development app)")
	fs.StringVar(&f.httpAddr, "http", "127.0.0.1:8080", "HTTP listen address")
	fs.StringVar(&f.natsListen, "nats-listen", "127.0.0.1:4222", "embedded NATS client address (\"-\": in-process only)")
	f.nats.register(fs, "", "external NATS URL; set, no server is embedded")
	fs.Int64Var(&f.maxStore, "nats-max-store", 0, "embedded JetStream's file storage cap in bytes (0: the disk's free space at start)")
	fs.DurationVar(&f.syncInterval, "sync-interval", 0, "embedded JetStream fsync interval; 0 syncs every write before acknowledging it")
	fs.IntVar(&f.replicas, "replicas", 1, "stream replicas on an external cluster (3 recommended)")
	fs.BoolVar(&f.retireNotify, "retire-notify-stream", false, "remove the "+eventstore.NotifyStream+" stream left from a version that stored notifications (they are live now)")
	fs.StringVar(&f.consStart, "consumers-start", "all", "where a notifier or webhook consumer that does not exist yet starts: all (the whole history) or new (changes from now)")
	fs.StringVar(&f.pprofAddr, "pprof", "", "serve Go's /debug/pprof on this address (off by default)")
	fs.DurationVar(&f.snapEvery, "snapshot-interval", 5*time.Minute, "how often the read models are written to the data directory (0: only at shutdown)")
	fs.DurationVar(&f.http.readHeader, "http-read-header-timeout", 10*time.Second, "how long a client may take to send a request's headers")
	fs.DurationVar(&f.http.read, "http-read-timeout", 30*time.Second, "how long a client may take to send a whole request, body included")
	fs.DurationVar(&f.http.write, "http-write-timeout", 30*time.Second, "how long a request may take from the end of its headers to the end of its answer")
	fs.DurationVar(&f.http.idle, "http-idle-timeout", 2*time.Minute, "how long a kept-alive connection may wait for its next request")
	proxies := fs.String("trusted-proxies", "", "comma-separated addresses or CIDR ranges of the proxies in front of Amity whose X-Forwarded-For and X-Forwarded-Proto the console believes")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug (each call, with its request ID), info, warn or error")
	fs.StringVar(&f.logFormat, "log-format", "text", "text or json")
	if err := parseFlags(fs, args, getenv); err != nil {
		return f, err
	}
	// JetStream keeps at most five replicas of a stream.
	if err := errors.Join(checkRange("replicas", int64(f.replicas), 1, 5), checkRange("nats-max-store", f.maxStore, 0, 1<<62)); err != nil {
		return f, err
	}
	if f.consStart != "all" && f.consStart != "new" {
		return f, fmt.Errorf("--consumers-start must be all or new")
	}
	var err error
	if f.proxies, err = parsePrefixes(*proxies); err != nil {
		return f, fmt.Errorf("--trusted-proxies: %w", err)
	}
	return f, nil
}

// parsePrefixes reads a comma-separated list of addresses and CIDR
// ranges; an address is a range of one.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR range", item)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// serve runs the service until ctx ends, in four steps: open what it stands
// on (the data-dir lock, the listeners, NATS, the streams, the read models),
// build what serves (the writer, the HTTP surfaces, the senders), run every
// loop together, and shut down in order.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	f, err := parseServeFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger, err := newLogger(stderr, f.logLevel, f.logFormat)
	if err != nil {
		return err
	}
	s := &daemon{f: f, stdout: stdout, logger: logger, stopping: make(chan struct{})}
	defer s.close()
	if err := s.open(ctx); err != nil {
		return err
	}
	s.build()
	return s.run(ctx)
}

// daemon is one running amity serve.
type daemon struct {
	f      serveFlags
	stdout io.Writer
	logger *slog.Logger

	// opened: closed in reverse order by close
	closers []func()
	cfg     config
	dev     bool
	// devPasswords are the development logins' passwords made at this
	// start, printed once.
	devPasswords map[string]string
	// activity is what the console's overview charts draw.
	activity *console.Activity
	// stopping closes when the HTTP server shuts down: the console's live
	// feeds end.
	stopping chan struct{}
	ln       net.Listener
	nc       *nats.Conn
	ns       *eventstore.Embedded // nil with an external NATS
	down     func() error
	store    *eventstore.Store
	model    *projections.Model
	snapPath string
	leases   *eventstore.Leases

	// built
	commands *writer.Writer
	router   *writer.Router
	health   *health
	httpSrv  *http.Server
	notifier *delivery.Notifier
	hooks    []*delivery.Webhooks

	stopCalls, stopLeases func()
	callsDone, leasesDone chan struct{}
}

func (s *daemon) onClose(fn func()) { s.closers = append(s.closers, fn) }

// close releases what open took, last first.
func (s *daemon) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// open takes the data directory, reads the config, listens, starts or
// reaches NATS, opens the streams and loads the read models.
func (s *daemon) open(ctx context.Context) error {
	f := s.f
	unlock, err := lockDataDir(f.dataDir)
	if err != nil {
		return err
	}
	s.onClose(unlock)
	s.dev = f.config == ""
	if s.dev {
		s.cfg, s.devPasswords, err = devApp(f.dataDir)
	} else {
		s.cfg, err = loadConfig(f.config)
	}
	if err != nil {
		return err
	}
	if s.ln, err = net.Listen("tcp", f.httpAddr); err != nil {
		return fmt.Errorf("listen http %s: %w", f.httpAddr, err)
	}
	s.onClose(func() { s.ln.Close() })
	if f.pprofAddr != "" {
		pl, err := net.Listen("tcp", f.pprofAddr)
		if err != nil {
			return fmt.Errorf("listen pprof %s: %w", f.pprofAddr, err)
		}
		s.onClose(func() { pl.Close() })
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
		go func() { _ = http.Serve(pl, mux) }()
		fmt.Fprintf(s.stdout, "amity: pprof on http://%s/debug/pprof/\n", pl.Addr())
	}
	if s.nc, s.ns, err = connectNATS(f, s.cfg, s.logger); err != nil {
		return err
	}
	s.onClose(func() {
		if err := s.nc.Drain(); err != nil {
			s.logger.Warn("drain nats", "err", err)
		}
		for s.nc.IsDraining() {
			time.Sleep(10 * time.Millisecond)
		}
		if s.ns != nil {
			s.ns.Shutdown()
			s.ns.WaitForShutdown()
		}
	})
	if s.ns != nil {
		s.down = s.ns.Down
	}
	err = untilSettled(ctx, s.logger, "open the streams", func() (err error) {
		s.store, err = eventstore.Open(ctx, s.nc, eventstore.Config{Replicas: f.replicas, NewConsumersFromNow: f.consStart == "new", Logger: s.logger, Down: s.down})
		if err == nil {
			err = s.store.OpenDeadLetters(ctx, f.replicas)
		}
		for _, app := range s.cfg.apps {
			if err != nil {
				break
			}
			app.Partitions, err = s.store.Partitions(ctx, app.Name, app.Partitions)
		}
		if err == nil {
			s.leases, err = s.store.Leases(ctx, newIDSource().New(), s.cfg.appNames())
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := s.retireNotifyStream(ctx); err != nil {
		return err
	}
	s.snapPath = snapshotPath(f.dataDir)
	if s.model, err = loadModel(ctx, s.store, s.snapPath, s.stdout, s.logger); err != nil {
		return err
	}
	// The console's activity counts each commit the model applies from
	// now; what a snapshot holds of the last hour is counted from the
	// stream (activityBefore).
	s.activity = console.NewActivity(nil)
	s.model.Observe(s.activity.Commit)
	return nil
}

// activityBefore counts into the console's activity the commits of the
// last hour up to seq, which the model has from a snapshot and so never
// applies again.
func (s *daemon) activityBefore(ctx context.Context, seq uint64) error {
	from, err := s.store.SeqAt(ctx, time.Now().Add(-console.Window*time.Minute))
	if err != nil || from >= seq {
		return err
	}
	subjects := []string{domain.RelationFilter("*"), domain.UserFilter("*")}
	return s.store.Scan(ctx, subjects, from+1, seq, func(r domain.Record) error {
		if c, err := domain.DecodeRecord(r); err == nil {
			s.activity.Commit(r.Seq, c)
		}
		return nil
	})
}

// retireNotifyStream removes the stream of stored notifications left from
// an earlier version when --retire-notify-stream says so, and otherwise
// warns that it stores every live notification again.
func (s *daemon) retireNotifyStream(ctx context.Context) error {
	old, err := s.store.HasStream(ctx, eventstore.NotifyStream)
	switch {
	case err != nil || !old:
		return err
	case s.f.retireNotify:
		if err := s.store.DeleteStream(ctx, eventstore.NotifyStream); err != nil {
			return err
		}
		s.logger.Info("stream removed: notifications are live only", "stream", eventstore.NotifyStream)
	default:
		s.logger.Warn("stream "+eventstore.NotifyStream+" is left from a version that stored notifications, and stores every live one again; once no subscriber reads it, start with --retire-notify-stream to remove it",
			"stream", eventstore.NotifyStream)
	}
	return nil
}

// build makes the writer, the HTTP surfaces and the senders.
func (s *daemon) build() {
	f, store, logger := s.f, s.store, s.logger
	ids := newIDSource()
	s.health = &health{nc: s.nc, store: store, model: s.model, now: time.Now}
	if s.ns != nil {
		s.health.natsAddr = s.embeddedAddr
	}
	meter := newMetrics(s.model, s.health, logger)
	s.commands = writer.New(writer.Config{Log: store, State: s.model, NewID: ids.New, Now: time.Now, Logger: logger, Meter: meter})
	s.onClose(s.commands.Close)
	s.router = writer.NewRouter(writer.RouterConfig{Local: s.commands, Leases: s.leases, Transport: store.Calls(), Apps: s.cfg.apps,
		Wait: s.model.WaitFollowed, Recent: store.Recent, NewID: ids.New, Logger: logger})
	deps := amityhttp.Deps{Writer: s.router, Read: s.model, Now: time.Now, NewID: ids.New, Logger: logger, Ready: s.health.isCaughtUp,
		Observe: meter.observe}
	zimSrv, tcSrv, yxSrv := zim.New(deps, s.cfg.zim...), tencent.New(deps, s.cfg.tencent...), yunxin.New(deps, s.cfg.yunxin...)
	nativeCfg := native.Config{Now: time.Now, History: store, Index: s.model, ZIM: zimSrv, Tencent: tcSrv, Yunxin: yxSrv,
		Writer: s.router, Requests: s.model, NewID: ids.New, Observe: meter.observe}
	moving := migrate.Config{Tencent: movingApps(s.cfg, s.router, s.model, ids.New), Logger: logger}
	router := amityhttp.NewHandler(s.routes(zimSrv, tcSrv, yxSrv, nativeCfg, moving, meter)...)
	s.httpSrv = &http.Server{Handler: router, ReadHeaderTimeout: f.http.readHeader, ReadTimeout: f.http.read,
		WriteTimeout: f.http.write, IdleTimeout: f.http.idle, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	s.httpSrv.RegisterOnShutdown(func() { close(s.stopping) })
	s.notifier = &delivery.Notifier{Source: store, Name: eventstore.NotifierConsumer,
		Filters: []string{domain.RelationFilter("*"), domain.UserFilter("*")},
		Subject: domain.NotifySubject, Publish: publisher(store), Logger: logger, Meter: meter}
	sender := newSender(&http.Client{}, s.cfg)
	for _, app := range s.cfg.apps {
		if app.Callback != nil {
			s.hooks = append(s.hooks, &delivery.Webhooks{Source: store, Name: eventstore.WebhookConsumer(app.Name),
				Filter: domain.RelationFilter(app.Name), App: app, Sender: sender, Park: store.Park, Logger: logger, Meter: meter})
		}
	}
}

// run runs every loop until ctx ends or serving HTTP fails, then shuts
// down: intake first, then the writer, then (on a clean stop) the in-order
// read once it has read this instance's own writes, then every loop; the
// snapshot last.
func (s *daemon) run(ctx context.Context) error {
	logger := s.logger
	if err := serveAdmin(s.nc, s.model); err != nil {
		return err
	}
	if err := serveMigrate(s.nc, s.router, s.model, s.cfg.apps); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	loop := func(name string, fn func(context.Context) error) {
		g.Go(func() error { keepRunning(gctx, logger, name, fn); return nil })
	}
	g.Go(func() error { snapshotEvery(gctx, s.model, s.snapPath, s.f.snapEvery, logger); return nil })
	g.Go(func() error { s.health.probe(gctx, s.down); return nil })
	if snapSeq := s.model.Followed(); snapSeq > 0 {
		g.Go(func() error {
			if err := s.activityBefore(gctx, snapSeq); err != nil && gctx.Err() == nil {
				logger.Warn("console activity: the last hour before the snapshot is not counted", "err", err)
			}
			return nil
		})
	}
	g.Go(func() error {
		tick := time.NewTicker(probeEvery)
		defer tick.Stop()
		for {
			select {
			case <-gctx.Done():
				return nil
			case <-tick.C:
				_, pending, _ := s.health.probed()
				s.activity.Pending(pending)
			}
		}
	})
	if s.ns != nil {
		g.Go(func() error { s.ns.Watch(gctx, time.Second, logger); return nil })
	}
	loop("notifier", s.notifier.Run)
	for _, h := range s.hooks {
		loop("webhooks "+h.App.Name, h.Run)
	}
	// The in-order read outlives the others until this instance's own
	// writes are read (see shutdown). After a fault it resumes where it
	// stopped.
	stopFollow, _ := s.loopUntil(g, "stream read", func(ctx context.Context) error {
		return projections.Follow(ctx, s.store, s.model, s.model.Followed()+1, logger)
	})
	defer stopFollow()
	// The app's write leases and the calls forwarded to this instance also
	// outlive the others: the writer finishes what it took first.
	s.stopCalls, s.callsDone = s.loopUntil(g, "forwarded calls", func(ctx context.Context) error {
		return s.store.Calls().Serve(ctx, s.leases.ID(), s.router.Handle)
	})
	s.stopLeases, s.leasesDone = s.loopUntil(g, "write leases", s.leases.Run)
	g.Go(func() error {
		if err := s.httpSrv.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve http: %w", err)
		}
		return nil
	})
	s.printAddresses()
	caughtUp := make(chan struct{})
	loop("catch-up", func(ctx context.Context) error {
		if err := projections.CatchUp(ctx, s.store, s.model); err != nil {
			return err
		}
		s.health.setCaughtUp()
		fmt.Fprintf(s.stdout, "amity: ready at stream sequence %d (%d commits applied from the stream)\n", s.model.Seq(), s.model.Applied())
		logger.Info("ready", "seq", s.model.Seq())
		close(caughtUp)
		<-ctx.Done()
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		s.shutdown(ctx.Err() != nil && isClosed(caughtUp), stopFollow)
		return nil
	})
	err := g.Wait()
	if isClosed(caughtUp) {
		if _, serr := s.model.WriteSnapshot(s.snapPath); serr != nil {
			logger.Error("snapshot at shutdown", "err", serr)
		}
	}
	return err
}

// loopUntil runs fn in g, again after a fault, until the returned stop is
// called; done closes when it has returned.
func (s *daemon) loopUntil(g *errgroup.Group, name string, fn func(context.Context) error) (stop func(), done chan struct{}) {
	ctx, stop := context.WithCancel(context.Background())
	done = make(chan struct{})
	g.Go(func() error {
		defer close(done)
		keepRunning(ctx, s.logger, name, fn)
		return nil
	})
	return stop, done
}

// shutdown stops intake and the writer, lets the in-order read reach what
// this instance wrote when stopping cleanly (so the snapshot's position
// covers everything its model holds), and then ends the in-order read.
func (s *daemon) shutdown(clean bool, stopFollow func()) {
	s.logger.Info("shutting down")
	shutdownCtx, stop := context.WithTimeout(context.Background(), 15*time.Second)
	defer stop()
	if err := s.httpSrv.Shutdown(shutdownCtx); err != nil {
		s.logger.Warn("http shutdown", "err", err)
	}
	s.stopCalls()
	<-s.callsDone
	s.commands.Close()
	s.stopLeases() // given back once nothing here writes
	<-s.leasesDone
	if clean {
		waitCtx, stopWait := context.WithTimeout(shutdownCtx, 5*time.Second)
		if err := s.model.WaitFollowed(waitCtx, s.model.Seq()); err != nil {
			s.logger.Warn("in-order read behind at shutdown", "followed", s.model.Followed(), "seq", s.model.Seq(), "err", err)
		}
		stopWait()
	}
	stopFollow()
}

// embeddedAddr names the embedded NATS server: its client URL, or
// "in-process only" when it listens on no port.
func (s *daemon) embeddedAddr() string {
	if addr := s.ns.Addr(); addr != nil {
		return "nats://" + addr.String()
	}
	return "in-process only"
}

// printAddresses prints where the service listens, and the development
// app's credentials.
func (s *daemon) printAddresses() {
	natsAddr := redactURL(s.f.nats.url)
	if s.ns != nil {
		natsAddr = s.embeddedAddr()
	}
	fmt.Fprintf(s.stdout, "amity: http listening on http://%s\n", s.ln.Addr())
	fmt.Fprintf(s.stdout, "amity: nats %s, stream %s\n", natsAddr, eventstore.StreamName)
	if s.dev {
		printDevApp(s.stdout, s.cfg, s.devPasswords, s.ln.Addr().String())
	}
}

// newSender sends the callbacks of cfg's apps with client, in every style.
func newSender(client *http.Client, cfg config) *delivery.Sender {
	return &delivery.Sender{Client: client, Now: time.Now, Styles: cfg.styles()}
}

// publisher adapts the store's live publish to the notifier.
func publisher(store *eventstore.Store) func(context.Context, []delivery.Outgoing) error {
	return func(ctx context.Context, msgs []delivery.Outgoing) error {
		out := make([]eventstore.Outgoing, len(msgs))
		for i, m := range msgs {
			out[i] = eventstore.Outgoing(m)
		}
		return store.Publish(ctx, out)
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
