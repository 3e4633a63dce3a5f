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
	"sync"
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
// the process. Watch may replace the server with a new one on the same
// files and port; connections made by Connect follow it.
type Embedded struct {
	password string
	opts     *server.Options
	log      *serverLog
	down     atomic.Pointer[error]

	mu  sync.RWMutex
	srv *server.Server
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
	e := &Embedded{password: hex.EncodeToString(pw[:]), log: &serverLog{log: cfg.Logger}}
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
	e.opts = opts
	ns, err := e.start()
	if err != nil {
		return nil, err
	}
	if addr := ns.Addr(); addr != nil {
		// A restart takes the same port, which clients reconnect to.
		opts.Port = addr.(*net.TCPAddr).Port
	}
	e.srv = ns
	return e, nil
}

// start starts a server on e's options and waits until it takes clients.
func (e *Embedded) start() (*server.Server, error) {
	ns, err := server.NewServer(e.opts)
	if err != nil {
		return nil, fmt.Errorf("create nats-server: %w", err)
	}
	fatal := make(chan string, 1)
	e.log.setFatal(fatal)
	ns.SetLoggerV2(e.log, false, false, false)
	go ns.Start()
	for deadline := time.Now().Add(startWait); ; {
		select {
		case msg := <-fatal:
			ns.Shutdown()
			return nil, fmt.Errorf("nats-server: %s", msg)
		default:
		}
		if ns.ReadyForConnections(100 * time.Millisecond) {
			return ns, nil
		}
		if time.Now().After(deadline) {
			ns.Shutdown()
			return nil, fmt.Errorf("nats-server not ready after %s", startWait)
		}
	}
}

func (e *Embedded) server() *server.Server {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.srv
}

// InProcessConn connects in-process to the current server; a connection
// that lost a replaced server reconnects to the new one through it.
func (e *Embedded) InProcessConn() (net.Conn, error) { return e.server().InProcessConn() }

// Addr is the client address, nil when the server takes in-process clients
// only.
func (e *Embedded) Addr() net.Addr { return e.server().Addr() }

// ClientURL is the URL other clients connect to.
func (e *Embedded) ClientURL() string { return e.server().ClientURL() }

// Shutdown stops the server.
func (e *Embedded) Shutdown() { e.server().Shutdown() }

// WaitForShutdown waits until the server has stopped.
func (e *Embedded) WaitForShutdown() { e.server().WaitForShutdown() }

// Connect opens a connection in-process as Amity's own service user.
func (e *Embedded) Connect(opts ...nats.Option) (*nats.Conn, error) {
	opts = append(opts, nats.InProcessServer(e), nats.UserInfo(serviceUser, e.password))
	nc, err := nats.Connect("", opts...)
	if err != nil {
		return nil, fmt.Errorf("connect embedded nats: %w", err)
	}
	return nc, nil
}

// ErrJetStreamDown: the embedded server is restarting, or stopped
// JetStream.
var ErrJetStreamDown = errors.New("the embedded JetStream is stopped; writes are refused until it is back")

// Down tells why the embedded JetStream takes no writes now, nil while it
// does. Watch keeps the answer current (within its interval); every append
// asks, so the answer is one atomic load.
func (e *Embedded) Down() error {
	if p := e.down.Load(); p != nil {
		return *p
	}
	return nil
}

// Watch keeps the embedded JetStream writable until ctx ends, looking every
// interval. A stream that met a write error (its disk full) takes no more
// writes until its server starts again, so Down reports it, and once the
// disk has room again Watch starts the server anew on the same files and
// port (every stream reloads from its files; clients reconnect); a server
// that stopped JetStream is started anew too.
func (e *Embedded) Watch(ctx context.Context, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ns := e.server()
		if !ns.Running() {
			return
		}
		werr := writeError(ns)
		if werr == nil && ns.JetStreamEnabled() {
			e.down.Store(nil)
			continue
		}
		if werr == nil {
			werr = ErrJetStreamDown
		}
		e.down.Store(&werr)
		if free, need := e.room(); free < need {
			logger.Warn("embedded JetStream waits for disk space", "err", werr, "free_bytes", free, "needed_bytes", need)
			continue
		}
		if err := e.restart(ctx); err != nil {
			logger.Warn("embedded nats-server restart", "err", err)
			continue
		}
		e.down.Store(nil)
		logger.Info("embedded nats-server started again; writes resume")
	}
}

// restart replaces the server with a new one on the same files and port.
func (e *Embedded) restart(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
	for {
		ns, err := e.start()
		if err == nil {
			e.srv = ns
			return nil
		}
		// The port may linger a moment after the old server let it go.
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Second):
		}
	}
}

// writeError is the write error a stream of ns met, as the server's health
// check reports it.
func writeError(ns *server.Server) error {
	hs := ns.Healthz(&server.HealthzOptions{Details: true})
	for _, he := range hs.Errors {
		if strings.Contains(he.Error, "write error") {
			return fmt.Errorf("%s; writes are refused until the disk has room", he.Error)
		}
	}
	return nil
}

// room returns the free bytes of the store's disk and the least that the
// server is started again with: 5% of the disk, between 1 and 64 MiB.
func (e *Embedded) room() (free, need uint64) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(e.opts.StoreDir, &st); err != nil {
		return 0, 1
	}
	total := st.Blocks * uint64(st.Bsize)
	return st.Bavail * uint64(st.Bsize), min(max(total/20, 1<<20), 64<<20)
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
// logger, and its fatal errors to the wait of the start under way.
type serverLog struct {
	log   *slog.Logger
	mu    sync.Mutex
	fatal chan string
}

func (l *serverLog) setFatal(ch chan string) {
	l.mu.Lock()
	l.fatal = ch
	l.mu.Unlock()
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
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case l.fatal <- fmt.Sprintf(format, v...):
	default:
	}
}
