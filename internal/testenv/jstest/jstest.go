// Package jstest starts what tests of the stream need: an embedded
// JetStream on loopback with the stream opened on it, and writer
// instances on it. It is apart from testenv so that only the tests that
// run a nats-server link one.
package jstest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/projections"
	"github.com/amity-im/amity/writer"
	"github.com/nats-io/nats.go"
)

// StartJetStream starts an embedded JetStream on a loopback port, opens
// the stream on it as the service does, and returns a context that ends
// with the test, the store and the service's connection; everything stops
// with the test.
func StartJetStream(t testing.TB) (context.Context, *eventstore.Store, *nats.Conn) {
	t.Helper()
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	nc, err := nats.Connect(ns.ServiceURL())
	if err != nil {
		t.Fatal(err)
	}
	ctx, store := openStore(t, nc)
	return ctx, store, nc
}

// openStore opens the stream on nc as the service does; the connection
// closes with the test, and the context it returns ends with it.
func openStore(t testing.TB, nc *nats.Conn) (context.Context, *eventstore.Store) {
	t.Helper()
	t.Cleanup(nc.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	store, err := eventstore.Open(ctx, nc, eventstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return ctx, store
}

// Instance is one Writer with its own read model following a shared
// stream, as a second Amity process on the same cluster would be.
type Instance struct {
	Model  *projections.Model
	Writer *writer.Writer
}

// NewInstance starts an Instance on store: its model follows the stream
// and has caught up; the writer closes with the test.
func NewInstance(t testing.TB, ctx context.Context, store *eventstore.Store) *Instance {
	t.Helper()
	m := projections.NewModel()
	go func() { _ = projections.Follow(ctx, store, m, 1, slog.New(slog.DiscardHandler)) }()
	if err := projections.CatchUp(ctx, store, m); err != nil {
		t.Fatal(err)
	}
	w := writer.New(writer.Config{Log: store, State: m, NewID: testenv.UniqueID, Now: time.Now})
	t.Cleanup(w.Close)
	return &Instance{Model: m, Writer: w}
}

// Logins of a Server: a subscriber of app demo, and an admin.
const (
	Subscriber, SubscriberPassword = "demo-reader", "demo-reader-secret"
	Admin, AdminPassword           = "ops", "ops-secret"
)

// Demo is the app a Server writes.
var Demo = &domain.App{Name: "demo"}

// Server is an embedded JetStream on a loopback port, with Amity's stream,
// the logins Subscriber and Admin, and an Instance writing app Demo's
// commits: what a client of the stream is tested against. Started again
// on its files and port (Restart), it holds what it held.
type Server struct {
	t    testing.TB
	ns   *eventstore.Embedded
	Dir  string
	Addr string
	Inst *Instance
	ctx  context.Context
}

// StartServer starts a Server that stops with the test.
func StartServer(t testing.TB) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return startServer(t, t.TempDir(), addr)
}

func startServer(t testing.TB, dir, addr string) *Server {
	t.Helper()
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: dir, Listen: addr, Apps: []string{"demo", "other"},
		Users: []eventstore.User{{Name: Subscriber, Password: SubscriberPassword, Apps: []string{"demo"}}, {Name: Admin, Password: AdminPassword, Admin: true}}})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, ns: ns, Dir: dir, Addr: addr}
	t.Cleanup(s.Stop)
	nc, err := ns.Connect()
	if err != nil {
		t.Fatal(err)
	}
	ctx, store := openStore(t, nc)
	// Recorded as amity serve records the apps it serves at start.
	if _, err := store.Partitions(ctx, Demo.Name, 0); err != nil {
		t.Fatal(err)
	}
	s.ctx, s.Inst = ctx, NewInstance(t, ctx, store)
	return s
}

// Stop stops the server.
func (s *Server) Stop() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

// Restart stops the server and starts it again on its files and port,
// with a new Instance.
func (s *Server) Restart() *Server {
	s.t.Helper()
	s.Stop()
	return startServer(s.t, s.Dir, s.Addr)
}

// URL is the server's client URL.
func (s *Server) URL() string { return "nats://" + s.Addr }

// Write runs cmds for app Demo, failing the test on any refusal, and
// returns the highest sequence they were stored at.
func (s *Server) Write(cmds ...domain.Command) uint64 {
	s.t.Helper()
	var last uint64
	for _, r := range s.Inst.Writer.Execute(s.ctx, Demo, domain.Meta{}, cmds...) {
		if r.Err != nil {
			s.t.Fatal(r.Err)
		}
		last = max(last, r.Seq)
	}
	return last
}

// Users registers n users u0 to u(n-1).
func (s *Server) Users(n int) {
	s.t.Helper()
	var cmds []domain.Command
	for i := range n {
		cmds = append(cmds, domain.RegisterUser{User: fmt.Sprint("u", i)})
	}
	s.Write(cmds...)
}
