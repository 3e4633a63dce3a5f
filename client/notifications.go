package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Notification is one user's notification: the client event it stands in
// for, what changed, and Seq, the stream sequence of its commit.
type Notification = delivery.Notification

// Notifications says whose notifications Client.Notifications delivers.
type Notifications struct {
	// App is the app; User one of its users, or "" for every user.
	App, User string
	// After is the stream sequence of the last commit whose notifications
	// the caller handled: those of later commits already stored are read
	// from the stream first. 0 takes live ones only.
	After uint64
	// Notification is called with each notification, in the order of
	// their commits, once; an error it returns ends Notifications with it.
	Notification func(Notification) error
}

// liveBuffer bounds the live notifications held while a gap is read.
const liveBuffer = 1 << 16

// Notifications delivers n.App's notifications (of n.User, or of every
// user) until ctx ends (nil). It subscribes first, then, when n.After is
// set, reads the commits stored after it and hands over their
// notifications, made as the notifier makes them, then the live ones of
// later commits; and after each reconnection it reads the commits of the
// gap the same way. The hand-over is by commit sequence, so none falls
// between the stream and the live subscription, and none comes twice.
func (c *Client) Notifications(ctx context.Context, n Notifications) error {
	if n.App == "" || n.Notification == nil {
		return errors.New("client.Notifications: App and Notification are required")
	}
	subject := domain.NotifyFilter(n.App)
	if n.User != "" {
		subject = domain.NotifySubject(n.App, n.User)
	}
	live := make(chan *nats.Msg, liveBuffer)
	sub, err := c.nc.ChanSubscribe(subject, live)
	if err != nil {
		return c.refusal(n.App, fmt.Errorf("subscribe %s: %w", subject, err))
	}
	defer func() { _ = sub.Unsubscribe() }()
	// The flush makes the server hold the subscription before the gap is
	// read. A flush cut short by a reconnection is no failure: the client
	// subscribes again on the new connection, and the gap is read after
	// it; a refusal is.
	fctx, cancel := context.WithTimeout(ctx, apiTimeout)
	defer cancel()
	if err := c.nc.FlushWithContext(fctx); err != nil {
		if err := c.refusal(n.App, fmt.Errorf("subscribe %s: %w", subject, err)); errors.Is(err, ErrRefused) {
			return err
		}
	}
	h := &handOver{n: n, seen: n.After, whole: true}
	if n.After == 0 {
		// Live from now: the app's last commit marks now, so that a gap
		// after a reconnection is read from there.
		if h.seen, err = c.lastSeq(ctx, n.App); err != nil {
			return err
		}
	}
	if err := h.catchUp(ctx, c); err != nil {
		return err
	}
	for {
		again := c.reconnects()
		select {
		case <-ctx.Done():
			return nil
		case <-again:
			if err := h.catchUp(ctx, c); err != nil {
				return err
			}
		case m := <-live:
			var x Notification
			if err := json.Unmarshal(m.Data, &x); err != nil {
				continue // not a notification this version reads
			}
			if err := h.deliver(x); err != nil {
				return err
			}
		}
	}
}

// handOver delivers each notification once, from the stream or live:
// seen is the sequence of the last commit whose notifications were
// delivered, and delivered the keys of that commit's, so that reading it
// again after a gap passes only what is missing.
type handOver struct {
	n         Notifications
	seen      uint64
	delivered map[string]bool
	// whole: every notification of commit seen was handled (by the caller
	// before, for After).
	whole bool
}

func key(x Notification) string {
	return x.User + "\x00" + x.EventID + "\x00" + x.Event + "\x00" + x.Action
}

// deliver passes x on unless it was, or its commit is older than the last.
func (h *handOver) deliver(x Notification) error {
	switch {
	case h.n.User != "" && x.User != h.n.User, x.Seq < h.seen, x.Seq == h.seen && h.whole:
		return nil
	case x.Seq > h.seen:
		h.seen, h.delivered, h.whole = x.Seq, map[string]bool{}, false
	case h.delivered[key(x)]:
		return nil
	}
	if h.delivered == nil {
		h.delivered = map[string]bool{}
	}
	h.delivered[key(x)] = true
	return h.n.Notification(x)
}

// lastSeq is the sequence of app's last commit, 0 when it has none.
func (c *Client) lastSeq(ctx context.Context, app string) (uint64, error) {
	cons, err := c.js.OrderedConsumer(ctx, domain.StreamName, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{domain.AppFilter(app)}, DeliverPolicy: jetstream.DeliverLastPolicy})
	if err != nil {
		return 0, c.refusal(app, fmt.Errorf("read app %s: %w", app, err))
	}
	batch, err := cons.FetchNoWait(1)
	if err != nil {
		return 0, c.refusal(app, fmt.Errorf("read app %s: %w", app, err))
	}
	for m := range batch.Messages() {
		if md, err := m.Metadata(); err == nil {
			return md.Sequence.Stream, nil
		}
	}
	return 0, c.refusal(app, batch.Error())
}

// catchUp reads the commits from the last one seen (again: some of its
// notifications may be missing) up to the stream's end, and delivers
// their notifications.
func (h *handOver) catchUp(ctx context.Context, c *Client) error {
	if h.seen == 0 {
		return nil
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	err := c.Follow(sctx, Follow{App: h.n.App, After: h.seen - 1,
		Commit: func(cm Commit) error {
			for _, x := range delivery.Notifications(cm.Seq, cm.Commit) {
				if err := h.deliver(x); err != nil {
					return err
				}
			}
			return nil
		},
		CaughtUp: func(uint64) { cancel() }})
	if ctx.Err() != nil {
		return nil
	}
	return err
}
