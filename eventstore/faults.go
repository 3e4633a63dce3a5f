package eventstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// faults ends the appends under way whose answer can no longer come: the
// connection was lost, or the stream elected a new leader (a request the
// old one took dies with it). They are made again at once instead of
// after appendAttempt.
type faults struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
}

func newFaults() *faults {
	f := &faults{}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	return f
}

// current is ended by the next fault.
func (f *faults) current() context.Context {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ctx
}

func (f *faults) trip() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancel()
	f.ctx, f.cancel = context.WithCancel(context.Background())
}

// leaderElected is the advisory a stream's new leader publishes.
const leaderElected = "$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED."

// watch trips f on every loss of nc's connection and every election of
// stream's leader, until nc closes.
func (f *faults) watch(nc *nats.Conn, stream string) error {
	if _, err := nc.Subscribe(leaderElected+stream, func(*nats.Msg) { f.trip() }); err != nil {
		return err
	}
	status := nc.StatusChanged(nats.DISCONNECTED, nats.RECONNECTING, nats.CLOSED)
	go func() {
		for st := range status {
			if st == nats.CLOSED {
				nc.RemoveStatusListener(status)
				return
			}
			f.trip()
		}
	}()
	return nil
}

// stallCheck is how long a durable consumer's reader waits for a message
// before it asks whether the consumer is stalled.
const stallCheck = 5 * time.Second

// errStalled: a durable consumer has messages waiting, and none was
// delivered or acknowledged by anyone for two stallCheck windows. Seen
// after the consumer's leader moved: the reader's pull was lost with the
// old leader. Opening the consumer again pulls anew.
var errStalled = errors.New("consumer stalled")

// stallGuard watches a durable consumer for a stall; nil watches nothing.
type stallGuard struct {
	cons  jetstream.Consumer
	floor uint64
	idle  int
	last  error // what the last idle window found
}

// next returns it's next message; after each stallCheck without one it
// checks the consumer, and returns errStalled on the second idle window in
// a row in which messages waited and the acknowledged floor stood still.
func (g *stallGuard) next(ctx context.Context, it jetstream.MessagesContext) (jetstream.Msg, error) {
	if g == nil {
		return it.Next()
	}
	for {
		msg, err := it.Next(jetstream.NextMaxWait(stallCheck))
		if !errors.Is(err, nats.ErrTimeout) {
			g.idle = 0
			return msg, err
		}
		ictx, cancel := context.WithTimeout(ctx, stallCheck)
		info, ierr := g.cons.Info(ictx)
		cancel()
		switch {
		case ierr != nil:
			// Not even asked: opening the consumer again tells more.
			g.idle++
			g.last = ierr
		case info.NumPending+uint64(info.NumAckPending) > 0 && info.AckFloor.Stream == g.floor:
			g.idle++
			g.last = fmt.Errorf("%d messages wait, acknowledged floor at %d", info.NumPending+uint64(info.NumAckPending), g.floor)
		default:
			g.idle = 0
		}
		if ierr == nil {
			g.floor = info.AckFloor.Stream
		}
		if g.idle >= 2 {
			return nil, fmt.Errorf("%w: %w", errStalled, g.last)
		}
	}
}
