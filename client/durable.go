package client

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/retry"
	"github.com/nats-io/nats.go/jetstream"
)

// Durable says which durable consumer Client.Consume reads through and
// what it calls.
type Durable struct {
	// App is the app whose commits are read.
	App string
	// Name names the consumer: the server keeps its position under it.
	// Letters, digits, '-' and '_', 1 to 64, not beginning "amity_"
	// (Amity's own); a subscriber may delete or read a consumer whose
	// name it knows, so choose one hard to guess (docs/operations.md).
	Name string
	// Commit is called with each commit, in stream order, one at a time;
	// the commit is acknowledged when it returns nil, and handed out again
	// after AckWait when it returns an error or the process stops first:
	// at least once, and a redelivered commit says so
	// (Commit.Redelivered).
	Commit func(Commit) error
	// AckWait is how long a commit may take (30 s when 0).
	AckWait time.Duration
}

var durableName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Consume reads d.App's commits through the durable consumer d.Name,
// creating it to start at the stream's first commit when it does not
// exist, until ctx ends (nil). The position is the server's: a restarted
// service, or another instance of it with the same name, goes on where
// the consumer stands. It rides out server restarts as Follow does.
func (c *Client) Consume(ctx context.Context, d Durable) error {
	switch {
	case d.App == "" || d.Commit == nil:
		return errors.New("client.Consume: App and Commit are required")
	case !durableName.MatchString(d.Name) || strings.HasPrefix(d.Name, "amity_"):
		return fmt.Errorf("client.Consume: durable name %q: 1-64 letters, digits, '-' or '_', not beginning amity_ (Amity's own consumers)", d.Name)
	}
	if d.AckWait <= 0 {
		d.AckWait = 30 * time.Second
	}
	waits := reconnect.Waiter()
	for {
		progressed, err := c.consume(ctx, d)
		switch {
		case errors.Is(err, ErrRefused):
			return err
		case ctx.Err() != nil:
			return nil
		}
		if progressed {
			waits.Reset()
		}
		if !retry.Sleep(ctx, waits.Next()) {
			return nil
		}
	}
}

func (c *Client) consume(ctx context.Context, d Durable) (progressed bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	cons, err := c.js.CreateOrUpdateConsumer(cctx, domain.StreamName, jetstream.ConsumerConfig{
		Durable: d.Name, FilterSubject: domain.AppFilter(d.App), AckPolicy: jetstream.AckExplicitPolicy, AckWait: d.AckWait,
		DeliverPolicy: jetstream.DeliverAllPolicy, MaxAckPending: 1}) // one in flight: stream order
	if err != nil {
		return false, c.refusal(d.App, fmt.Errorf("durable consumer %s of app %s: %w", d.Name, d.App, err))
	}
	it, err := cons.Messages(jetstream.PullMaxBytes(readAhead))
	if err != nil {
		return false, c.refusal(d.App, fmt.Errorf("durable consumer %s: %w", d.Name, err))
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	for {
		msg, err := it.Next()
		if err != nil {
			return progressed, fmt.Errorf("durable consumer %s: %w", d.Name, err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return progressed, fmt.Errorf("message metadata: %w", err)
		}
		commit, err := decode(msg, md.Sequence.Stream)
		if err != nil {
			_ = msg.Term() // not a commit this version reads: never again
			continue
		}
		commit.Redelivered = md.NumDelivered > 1
		if err := d.Commit(commit); err != nil {
			continue // not acknowledged: handed out again after AckWait
		}
		if err := msg.DoubleAck(ctx); err != nil && ctx.Err() == nil {
			return progressed, fmt.Errorf("acknowledge %d: %w", md.Sequence.Stream, err)
		}
		progressed = true
	}
}
