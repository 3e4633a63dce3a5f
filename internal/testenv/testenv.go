// Package testenv starts Amity's core for tests that need no server: the
// in-memory event store (eventstore/memory), a read model following it, and
// a writer deciding against it, with the surfaces' dependencies built on
// them. A surface's tests then run its real handlers over real HTTP in
// milliseconds; cmd/amity keeps the tests that need the whole binary.
package testenv

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore/memory"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/projections"
	"github.com/amity-im/amity/writer"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Core is the command and read side on an in-memory stream, its read model
// keeping its event log in the test's temporary directory.
type Core struct {
	Store  *memory.Store
	Model  *projections.Model
	Writer *writer.Writer
	// Log is the model's event log.
	Log *projections.EventLog
	ids atomic.Uint64
	// ahead is how far the core's clock runs ahead of the wall clock.
	ahead atomic.Int64
}

// Now is the core's clock: the wall clock, moved on by Advance. The writer
// and the surfaces of Deps read it.
func (c *Core) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

// Advance moves the core's clock on by d.
func (c *Core) Advance(d time.Duration) { c.ahead.Add(int64(d)) }

// Start starts a core that stops with the test.
func Start(t testing.TB) *Core {
	t.Helper()
	c := &Core{Store: memory.New(), Model: projections.NewModel()}
	log, err := projections.CreateEventLog(filepath.Join(t.TempDir(), "events.log"), 1)
	if err != nil {
		t.Fatal(err)
	}
	c.Log = log
	t.Cleanup(func() { log.Close() })
	if err := c.Model.SetEventLog(log); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = projections.Follow(ctx, c.Store, c.Model, 1, slog.New(slog.DiscardHandler))
	}()
	c.Writer = writer.New(writer.Config{Log: c.Store, State: c.Model, NewID: c.NewID, Now: c.Now})
	t.Cleanup(func() {
		c.Writer.Close()
		cancel()
		<-done
	})
	return c
}

// NewID returns a new unique ID.
func (c *Core) NewID() string { return fmt.Sprintf("id-%06d", c.ids.Add(1)) }

// Deps are a surface's dependencies on the core.
func (c *Core) Deps() amityhttp.Deps {
	return amityhttp.Deps{Writer: c.Writer, Read: c.Model, Now: c.Now, NewID: c.NewID,
		Logger: slog.New(slog.DiscardHandler), Ready: func() bool { return true }}
}

// LastSeq is the stream's last sequence.
func (c *Core) LastSeq() uint64 {
	seq, _ := c.Store.LastSeq(context.Background())
	return seq
}

// ReadSubjects reads, through an ordered consumer filtered to filter (none
// if ""), the subjects of the messages of stream that wait now.
func ReadSubjects(ctx context.Context, nc *nats.Conn, stream, filter string) ([]string, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	cfg := jetstream.OrderedConsumerConfig{}
	if filter != "" {
		cfg.FilterSubjects = []string{filter}
	}
	cons, err := js.OrderedConsumer(ctx, stream, cfg)
	if err != nil {
		return nil, err
	}
	batch, err := cons.FetchNoWait(100)
	if err != nil {
		return nil, err
	}
	var out []string
	for m := range batch.Messages() {
		out = append(out, m.Subject())
	}
	return out, batch.Error()
}

// RefusingWriter fails every command with domain.ErrNotFriend: a surface's
// decoding and validation can then be driven with any input against a real
// read model, and nothing is ever written.
type RefusingWriter struct{}

// Execute answers each command with domain.ErrNotFriend.
func (RefusingWriter) Execute(_ context.Context, _ *domain.App, _ domain.Meta, cmds ...domain.Command) []domain.Result {
	out := make([]domain.Result, len(cmds))
	for i := range out {
		out[i].Err = domain.ErrNotFriend
	}
	return out
}

// instanceIDs numbers the IDs of every Instance of the test binary.
var instanceIDs atomic.Uint64

// runStart tells this run's IDs from those of an earlier run on the same
// stream.
var runStart = time.Now().UnixNano()

// UniqueID is an ID no other of the test binary's, nor of an earlier run,
// has: what commit and event IDs must be (a commit's is its Nats-Msg-Id).
func UniqueID() string { return fmt.Sprintf("t%x-%08d", runStart, instanceIDs.Add(1)) }
