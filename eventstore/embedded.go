package eventstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"golang.org/x/crypto/bcrypt"
)

// EmbeddedConfig configures the embedded nats-server.
type EmbeddedConfig struct {
	// StoreDir holds JetStream's files.
	StoreDir string
	// Listen is the host:port other NATS clients connect to; port 0 picks
	// one, "-" accepts in-process clients only.
	Listen string
	// SyncInterval 0 syncs every write to disk before acknowledging it
	// (SyncAlways); a positive interval trades that for throughput.
	SyncInterval time.Duration
	// ServerName names the server in logs and clusters.
	ServerName string
	// Users may log in besides Amity's own connection, each with the
	// permissions Permissions gives it. Nobody logs in without a password.
	Users []User
	// Apps are every configured app's names: their webhook consumers are
	// Amity's own, which no app user may touch.
	Apps []string
	// Logger receives the server's warnings and errors; nil: none.
	Logger *slog.Logger
	// MaxFileStore caps JetStream's file storage in bytes (0: the disk).
	MaxFileStore int64
}

// Embedded is a running embedded nats-server. Amity's own connection logs
// in as a service user whose password is made at start and never leaves
// the process.
type Embedded struct {
	*server.Server
	password string
	opts     *server.Options
	down     atomic.Pointer[error]
}

// serviceUser is the embedded server's login for Amity's own connection.
const serviceUser = "amity"

// startWait bounds the wait for the server to take clients.
const startWait = 30 * time.Second

// StartEmbedded starts a JetStream-enabled nats-server with file storage and
// waits until it accepts clients. A server that cannot start (its port in
// use, its directory unwritable) returns the server's own error at once.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	var pw [24]byte
	if _, err := rand.Read(pw[:]); err != nil {
		return nil, fmt.Errorf("service password: %w", err)
	}
	e := &Embedded{password: hex.EncodeToString(pw[:])}
	// Stored hashed, so that the server's warning about plaintext
	// passwords speaks only of the config's.
	hash, err := bcrypt.GenerateFromPassword([]byte(e.password), bcrypt.MinCost)
	if err != nil {
		return nil, fmt.Errorf("service password: %w", err)
	}
	users, err := serverUsers(cfg.Users, cfg.Apps, string(hash))
	if err != nil {
		return nil, err
	}
	opts := &server.Options{
		ServerName:        cfg.ServerName,
		JetStream:         true,
		StoreDir:          cfg.StoreDir,
		JetStreamMaxStore: cfg.MaxFileStore,
		NoSigs:            true,
		Users:             users,
	}
	if opts.ServerName == "" {
		opts.ServerName = "amity"
	}
	if cfg.SyncInterval > 0 {
		opts.SyncInterval = cfg.SyncInterval
	} else {
		opts.SyncAlways = true
	}
	if cfg.Listen == "-" || cfg.Listen == "" {
		opts.DontListen = true
	} else {
		host, port, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("nats listen address %q: %w", cfg.Listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("nats listen port %q: %w", port, err)
		}
		if p == 0 {
			p = server.RANDOM_PORT
		}
		opts.Host, opts.Port = host, p
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("create nats-server: %w", err)
	}
	log := &serverLog{log: cfg.Logger, fatal: make(chan string, 1)}
	ns.SetLoggerV2(log, false, false, false)
	e.Server, e.opts = ns, opts
	go ns.Start()
	for deadline := time.Now().Add(startWait); ; {
		select {
		case msg := <-log.fatal:
			ns.Shutdown()
			return nil, fmt.Errorf("nats-server: %s", msg)
		default:
		}
		if ns.ReadyForConnections(100 * time.Millisecond) {
			return e, nil
		}
		if time.Now().After(deadline) {
			ns.Shutdown()
			return nil, fmt.Errorf("nats-server not ready after %s", startWait)
		}
	}
}

// Connect opens a connection in-process as Amity's own service user.
func (e *Embedded) Connect(opts ...nats.Option) (*nats.Conn, error) {
	opts = append(opts, nats.InProcessServer(e.Server), nats.UserInfo(serviceUser, e.password))
	nc, err := nats.Connect("", opts...)
	if err != nil {
		return nil, fmt.Errorf("connect embedded nats: %w", err)
	}
	return nc, nil
}

// ErrJetStreamDown: the embedded server stopped JetStream.
var ErrJetStreamDown = errors.New("the embedded JetStream is stopped; writes are refused until it is back")

// Down tells why the embedded JetStream takes no writes now, nil while it
// does. Watch keeps the answer current.
func (e *Embedded) Down() error {
	if !e.JetStreamEnabled() {
		return ErrJetStreamDown
	}
	if p := e.down.Load(); p != nil {
		return *p
	}
	return nil
}

// Watch keeps the embedded JetStream writable until ctx ends, looking every
// interval. A stream that met a write error (its disk full) stops taking
// writes for good, so Down reports it, and once the disk has room again
// JetStream is started anew, which reloads every stream from its files; a
// JetStream the server stopped is started again too.
func (e *Embedded) Watch(ctx context.Context, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !e.Running() {
			return
		}
		werr := e.writeError()
		if werr == nil && e.JetStreamEnabled() {
			e.down.Store(nil)
			continue
		}
		if werr != nil {
			e.down.Store(&werr)
		}
		if free, need := e.room(); free < need {
			logger.Warn("embedded JetStream waits for disk space", "err", e.Down(), "free_bytes", free, "needed_bytes", need)
			continue
		}
		if e.JetStreamEnabled() {
			if err := e.ShutdownJetStream(); err != nil {
				logger.Warn("stop embedded JetStream", "err", err)
				continue
			}
		}
		if err := e.enableJetStream(); err != nil {
			logger.Warn("embedded JetStream still stopped", "err", err)
			continue
		}
		e.down.Store(nil)
		logger.Info("embedded JetStream started again; writes resume")
	}
}

// writeError is the write error a stream met, as the server's health check
// reports it.
func (e *Embedded) writeError() error {
	hs := e.Healthz(&server.HealthzOptions{Details: true})
	for _, he := range hs.Errors {
		if strings.Contains(he.Error, "write error") {
			return fmt.Errorf("%s; writes are refused until the disk has room", he.Error)
		}
	}
	return nil
}

// room returns the free bytes of the store's disk and the least that
// JetStream is started again with: 5% of the disk, between 1 and 64 MiB.
func (e *Embedded) room() (free, need uint64) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(e.opts.StoreDir, &st); err != nil {
		return 0, 1
	}
	total := st.Blocks * uint64(st.Bsize)
	return st.Bavail * uint64(st.Bsize), min(max(total/20, 1<<20), 64<<20)
}

func (e *Embedded) enableJetStream() error {
	opts := e.opts
	return e.EnableJetStream(&server.JetStreamConfig{StoreDir: opts.StoreDir, MaxStore: opts.JetStreamMaxStore,
		MaxMemory: opts.JetStreamMaxMemory, SyncInterval: opts.SyncInterval, SyncAlways: opts.SyncAlways,
		Strict: !opts.NoJetStreamStrict, CompressOK: true})
}

// ServiceURL is the client URL with the service user's credentials in it,
// for a second process of the same owner (tests and benchmarks) that
// treats this server as an external one. The service itself never prints it.
func (e *Embedded) ServiceURL() string {
	addr := e.Addr()
	if addr == nil {
		return ""
	}
	return "nats://" + serviceUser + ":" + e.password + "@" + addr.String()
}

// serverUsers is the server's user list: Amity's own, then each user with
// its permissions.
func serverUsers(users []User, apps []string, password string) ([]*server.User, error) {
	out := []*server.User{{Username: serviceUser, Password: password}}
	seen := map[string]bool{serviceUser: true}
	for _, u := range users {
		if seen[u.Name] {
			return nil, fmt.Errorf("nats user %q repeated or reserved", u.Name)
		}
		seen[u.Name] = true
		if u.Password == "" {
			return nil, fmt.Errorf("nats user %q needs a password", u.Name)
		}
		perms, err := Permissions(u, apps)
		if err != nil {
			return nil, err
		}
		out = append(out, &server.User{Username: u.Name, Password: u.Password, Permissions: perms})
	}
	return out, nil
}

// serverLog passes the embedded server's warnings and errors to an slog
// logger, and its fatal errors to the start-up wait as well.
type serverLog struct {
	log   *slog.Logger
	fatal chan string
}

func (l *serverLog) logf(level slog.Level, format string, v []any) {
	if l.log != nil {
		l.log.Log(context.Background(), level, "nats-server: "+fmt.Sprintf(format, v...))
	}
}

func (l *serverLog) Noticef(string, ...any) {}
func (l *serverLog) Tracef(string, ...any)  {}
func (l *serverLog) Debugf(format string, v ...any) {
	l.logf(slog.LevelDebug, format, v)
}
func (l *serverLog) Warnf(format string, v ...any)  { l.logf(slog.LevelWarn, format, v) }
func (l *serverLog) Errorf(format string, v ...any) { l.logf(slog.LevelError, format, v) }
func (l *serverLog) Fatalf(format string, v ...any) {
	l.logf(slog.LevelError, format, v)
	select {
	case l.fatal <- fmt.Sprintf(format, v...):
	default:
	}
}
