package eventstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/retry"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Consume delivers the AMITY stream's messages matching filters to fn
// through the durable consumer name, one at a time in stream order, until
// ctx ends. A nil from fn acknowledges the message; an error makes it come
// again a second later. Every process that consumes with the same name
// shares the consumer: each message goes to one of them, and the consumer
// remembers its position across restarts. A message not acknowledged within
// ackWait (its consumer crashed) goes to another consumer; progress tells
// the server that a slow fn is still working on the message.
func (s *Store) Consume(ctx context.Context, name string, filters []string, ackWait time.Duration, fn func(ctx context.Context, r domain.Record, progress func()) error) error {
	deliver, err := s.deliverPolicy(ctx, name)
	if err != nil {
		return err
	}
	cons, err := s.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:        name,
		FilterSubjects: filters,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        ackWait,
		MaxAckPending:  1,
		DeliverPolicy:  deliver,
		MaxDeliver:     -1,
	})
	if err != nil {
		return fmt.Errorf("durable consumer %s: %w", name, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1))
	if err != nil {
		return fmt.Errorf("consume %s: %w", name, err)
	}
	err = drainGuarded(ctx, it, &stallGuard{cons: cons}, func(msg jetstream.Msg, seq uint64) error {
		rec := domain.Record{Subject: msg.Subject(), Seq: seq, Data: msg.Data()}
		if err := fn(ctx, rec, func() { _ = msg.InProgress() }); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			_ = msg.NakWithDelay(time.Second)
			return nil
		}
		if err := msg.DoubleAck(ctx); err != nil && ctx.Err() == nil {
			return fmt.Errorf("ack %d: %w", seq, err)
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("consume %s: %w", name, err)
	}
	return ctx.Err()
}

// deliverPolicy is where the durable consumer name starts: a consumer
// keeps the start it was created with; a new one starts at the beginning,
// or at the end with newConsumersFromNow.
func (s *Store) deliverPolicy(ctx context.Context, name string) (jetstream.DeliverPolicy, error) {
	existing, err := s.stream.Consumer(ctx, name)
	switch {
	case err == nil:
		return existing.CachedInfo().Config.DeliverPolicy, nil
	case errors.Is(err, jetstream.ErrConsumerNotFound):
		if s.newConsumersFromNow {
			return jetstream.DeliverNewPolicy, nil
		}
		return jetstream.DeliverAllPolicy, nil
	}
	return 0, fmt.Errorf("durable consumer %s: %w", name, err)
}

// Pending is how many messages the durable consumer name has yet to see
// or to acknowledge.
func (s *Store) Pending(ctx context.Context, name string) (uint64, error) {
	c, err := s.stream.Consumer(ctx, name)
	if err != nil {
		return 0, fmt.Errorf("consumer %s: %w", name, err)
	}
	info := c.CachedInfo()
	return info.NumPending + uint64(info.NumAckPending), nil
}

// pinnedGroup is the priority group of a ConsumeBatches consumer: the
// server delivers to one pinned member of it at a time.
const pinnedGroup = "amity"

// ConsumeBatches delivers the AMITY stream's messages matching filters to
// fn through the durable consumer name, up to size at a time in stream
// order, until ctx ends: every message already waiting, up to size, is one
// call. A nil from fn acknowledges the batch; an error gives fn the same
// batch again a second later, and nothing after it before. Every process
// that consumes with the same name shares the consumer, which the server
// pins to one of them: only that one receives messages while it keeps
// pulling, and another takes over twice ackWait after it stops, when the
// messages it held are due again and so still come first.
func (s *Store) ConsumeBatches(ctx context.Context, name string, filters []string, ackWait time.Duration, size int, fn func(ctx context.Context, rs []domain.Record) error) error {
	deliver, err := s.deliverPolicy(ctx, name)
	if err != nil {
		return err
	}
	cc := jetstream.ConsumerConfig{
		Durable:        name,
		FilterSubjects: filters,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        ackWait,
		MaxAckPending:  size,
		DeliverPolicy:  deliver,
		MaxDeliver:     -1,
		PriorityPolicy: jetstream.PriorityPolicyPinned,
		PriorityGroups: []string{pinnedGroup},
		PinnedTTL:      2 * ackWait,
	}
	pull := []jetstream.PullMessagesOpt{jetstream.PullMaxMessages(size), jetstream.PullPriorityGroup(pinnedGroup)}
	cons, err := s.stream.CreateOrUpdateConsumer(ctx, cc)
	if err != nil {
		// A server before 2.11 cannot pin: one message at a time keeps the
		// order across processes.
		cc.MaxAckPending, cc.PriorityPolicy, cc.PriorityGroups, cc.PinnedTTL = 1, jetstream.PriorityPolicyNone, nil, 0
		pull = []jetstream.PullMessagesOpt{jetstream.PullMaxMessages(1)}
		if cons, err = s.stream.CreateOrUpdateConsumer(ctx, cc); err != nil {
			return fmt.Errorf("durable consumer %s: %w", name, err)
		}
	}
	it, err := cons.Messages(pull...)
	if err != nil {
		return fmt.Errorf("consume %s: %w", name, err)
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	b := &batch{msgs: make([]jetstream.Msg, 0, size), recs: make([]domain.Record, 0, size), max: cc.MaxAckPending}
	guard := &stallGuard{cons: cons}
	for {
		if err := b.take(ctx, guard, it); err != nil {
			return fmt.Errorf("consume %s: %w", name, err)
		}
		if len(b.msgs) == 0 {
			return ctx.Err()
		}
		if err := b.hand(ctx, ackWait, fn); err != nil {
			return err
		}
	}
}

// batch is one batch of a durable consumer's messages and their records.
type batch struct {
	msgs []jetstream.Msg
	recs []domain.Record
	max  int
}

// take fills b with the next message, waiting for it, and those that have
// arrived after it, up to b.max, in stream order. An empty batch with no
// error means the consumer was stopped.
func (b *batch) take(ctx context.Context, guard *stallGuard, it jetstream.MessagesContext) error {
	b.msgs, b.recs = b.msgs[:0], b.recs[:0]
	msg, err := guard.next(ctx, it)
	wait := moreWait
	for err == nil {
		md, merr := msg.Metadata()
		if merr != nil {
			return fmt.Errorf("message metadata: %w", merr)
		}
		b.msgs = append(b.msgs, msg)
		b.recs = append(b.recs, domain.Record{Subject: msg.Subject(), Seq: md.Sequence.Stream, Data: msg.Data()})
		if len(b.msgs) == b.max {
			break
		}
		if md.NumDelivered > 1 {
			// What another consumer held comes again, out of order: gather
			// all of it into this batch.
			wait = redeliveredWait
		}
		// Take what has arrived already; do not wait for more.
		msg, err = it.Next(jetstream.NextMaxWait(wait))
	}
	if len(b.msgs) == 0 {
		if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
			return nil
		}
		return fmt.Errorf("next message: %w", err)
	}
	// Redelivered messages may come out of order: hand them over, and back,
	// in stream order.
	sort.Sort(bySeq{b.msgs, b.recs})
	return nil
}

// hand gives the batch to fn until it takes it, then acknowledges it; it
// returns ctx's error once ctx ends first, handing the batch back.
func (b *batch) hand(ctx context.Context, ackWait time.Duration, fn func(ctx context.Context, rs []domain.Record) error) error {
	for withProgress(b.msgs, ackWait, func() error { return fn(ctx, b.recs) }) != nil {
		if ctx.Err() == nil {
			// Keep the batch and try it again: nothing after it goes
			// first.
			for _, m := range b.msgs {
				_ = m.InProgress()
			}
			if retry.Sleep(ctx, time.Second) {
				continue
			}
		}
		// Handing back what was not done lets the next consumer take it
		// at once, in order.
		for _, m := range b.msgs {
			_ = m.Nak()
		}
		return ctx.Err()
	}
	for _, m := range b.msgs[:len(b.msgs)-1] {
		if err := m.Ack(); err != nil && ctx.Err() == nil {
			return fmt.Errorf("ack: %w", err)
		}
	}
	if err := b.msgs[len(b.msgs)-1].DoubleAck(ctx); err != nil && ctx.Err() == nil {
		return fmt.Errorf("ack: %w", err)
	}
	return nil
}

// moreWait is how long a batch waits for one more message once it has one:
// long enough to take what is already on its way, short enough to add
// nothing a reader notices at light load.
const moreWait = 50 * time.Microsecond

// redeliveredWait is that wait once a batch holds a redelivered message.
const redeliveredWait = 5 * time.Millisecond

// withProgress runs fn, telling the server every half ackWait that msgs
// are still being worked on, so they are not delivered again meanwhile.
func withProgress(msgs []jetstream.Msg, ackWait time.Duration, fn func() error) error {
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(ackWait / 2)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				for _, m := range msgs {
					_ = m.InProgress()
				}
			}
		}
	}()
	return fn()
}

// bySeq sorts a batch's messages and their records together by stream
// sequence.
type bySeq struct {
	msgs []jetstream.Msg
	recs []domain.Record
}

func (b bySeq) Len() int           { return len(b.recs) }
func (b bySeq) Less(i, j int) bool { return b.recs[i].Seq < b.recs[j].Seq }
func (b bySeq) Swap(i, j int) {
	b.msgs[i], b.msgs[j] = b.msgs[j], b.msgs[i]
	b.recs[i], b.recs[j] = b.recs[j], b.recs[i]
}

// NotifyStream is a stream of stored notifications that Amity does not
// create: notifications are live only. Where one exists it stores every
// live notification again until it is removed (serve warns of it, and
// --retire-notify-stream removes it).
const NotifyStream = "AMITY_NOTIFY"

// Outgoing is one live message.
type Outgoing struct {
	Subject string
	MsgID   string
	Data    []byte
}

// Publish sends msgs live on core NATS, in order, each with its
// Nats-Msg-Id header (the same notification sent again carries the same
// ID), and returns once the server has received every one. Nothing is
// stored: the AMITY stream holds what they tell of, and a subscriber that
// was away reads it from there.
func (s *Store) Publish(ctx context.Context, msgs []Outgoing) error {
	nc := s.js.Conn()
	for _, o := range msgs {
		m := &nats.Msg{Subject: o.Subject, Data: o.Data, Header: nats.Header{jetstream.MsgIDHeader: []string{o.MsgID}}}
		if err := nc.PublishMsg(m); err != nil {
			return fmt.Errorf("publish %s: %w", o.Subject, err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, publishWait)
	defer cancel()
	if err := nc.FlushWithContext(ctx); err != nil {
		return fmt.Errorf("publish %d notifications: %w", len(msgs), err)
	}
	return nil
}

// publishWait bounds the wait for the server to take what was published.
const publishWait = 10 * time.Second

// DeleteStream removes the stream name and every message on it.
func (s *Store) DeleteStream(ctx context.Context, name string) error {
	if err := s.js.DeleteStream(ctx, name); err != nil {
		return fmt.Errorf("remove stream %s: %w", name, err)
	}
	return nil
}

// HasStream reports whether the stream name exists.
func (s *Store) HasStream(ctx context.Context, name string) (bool, error) {
	_, err := s.js.Stream(ctx, name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up stream %s: %w", name, err)
	}
	return true, nil
}

// DeadLetterStream holds callback deliveries that failed every attempt.
const DeadLetterStream = "AMITY_DLQ"

// OpenDeadLetters creates the dead-letter stream if it is missing.
func (s *Store) OpenDeadLetters(ctx context.Context, replicas int) error {
	_, err := ensureStream(ctx, s.js, jetstream.StreamConfig{
		Name:        DeadLetterStream,
		Description: "Amity callback deliveries that failed every attempt",
		Subjects:    []string{domain.DeadLetterSubject("*")},
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
	}, s.log)
	return err
}

// Park stores a failed delivery for app on the dead-letter stream.
func (s *Store) Park(ctx context.Context, app, msgID string, data []byte) error {
	ctx, cancel := context.WithTimeout(ctx, publishWait)
	defer cancel()
	_, err := s.js.Publish(ctx, domain.DeadLetterSubject(app), data, jetstream.WithMsgID(msgID))
	if err != nil {
		return fmt.Errorf("park delivery for %s: %w", app, err)
	}
	return nil
}

// DeadLetterCount is how many deliveries are parked, of every app.
func (s *Store) DeadLetterCount(ctx context.Context) (uint64, error) {
	// The lookup fetches the stream's info: its state is the count.
	st, err := lookupStream(ctx, s.js, DeadLetterStream)
	if err != nil {
		return 0, err
	}
	return st.CachedInfo().State.Msgs, nil
}

// DeadLetters returns the parked deliveries, of app only unless app is "".
func (s *Store) DeadLetters(ctx context.Context, app string) ([]domain.Record, error) {
	st, err := lookupStream(ctx, s.js, DeadLetterStream)
	if err != nil {
		return nil, err
	}
	var out []domain.Record
	for seq := uint64(0); ; {
		m, err := st.GetMsg(ctx, seq+1, jetstream.WithGetMsgSubject(domain.DeadLetterSubject("*")))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s after %d: %w", DeadLetterStream, seq, err)
		}
		seq = m.Sequence
		if owner, _ := domain.ParseDeadLetterSubject(m.Subject); app == "" || owner == app {
			out = append(out, domain.Record{Subject: m.Subject, Seq: m.Sequence, Data: m.Data})
		}
	}
}

// DropDeadLetter removes a delivered dead letter.
func (s *Store) DropDeadLetter(ctx context.Context, seq uint64) error {
	st, err := lookupStream(ctx, s.js, DeadLetterStream)
	if err != nil {
		return err
	}
	if err := st.DeleteMsg(ctx, seq); err != nil {
		return fmt.Errorf("drop dead letter %d: %w", seq, err)
	}
	return nil
}
