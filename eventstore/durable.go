package eventstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/amity-im/amity/domain"
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
	// A consumer keeps the start it was created with; a new one starts at
	// the beginning, or at the end with newConsumersFromNow.
	deliver := jetstream.DeliverAllPolicy
	existing, err := s.stream.Consumer(ctx, name)
	switch {
	case err == nil:
		deliver = existing.CachedInfo().Config.DeliverPolicy
	case errors.Is(err, jetstream.ErrConsumerNotFound):
		if s.newConsumersFromNow {
			deliver = jetstream.DeliverNewPolicy
		}
	default:
		return fmt.Errorf("durable consumer %s: %w", name, err)
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
	err = drain(ctx, it, func(msg jetstream.Msg, seq uint64) error {
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

// NotifyStream holds the per-user notifications.
const NotifyStream = "AMITY_NOTIFY"

// Outgoing is one message to publish on a side stream.
type Outgoing struct {
	Subject string
	MsgID   string
	Data    []byte
}

// OpenNotify creates the notification stream if it is missing; notifications
// are kept for maxAge.
func (s *Store) OpenNotify(ctx context.Context, maxAge time.Duration, replicas int) error {
	_, err := s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        NotifyStream,
		Description: "Amity per-user friend-list notifications",
		Subjects:    []string{"amity.*.notify.*"},
		Storage:     jetstream.FileStorage,
		MaxAge:      maxAge,
		Replicas:    max(replicas, 1),
		Duplicates:  2 * time.Minute,
	})
	if err != nil {
		return fmt.Errorf("create stream %s: %w", NotifyStream, err)
	}
	return nil
}

// Publish stores msgs and waits until the server has every one; a message
// whose Nats-Msg-Id was stored within the last two minutes is stored once.
func (s *Store) Publish(ctx context.Context, msgs []Outgoing) error {
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	for _, m := range msgs {
		f, err := s.js.PublishAsync(m.Subject, m.Data, jetstream.WithMsgID(m.MsgID))
		if err != nil {
			return fmt.Errorf("publish %s: %w", m.Subject, err)
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return fmt.Errorf("publish %s: %w", f.Msg().Subject, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// DeadLetterStream holds callback deliveries that failed every attempt.
const DeadLetterStream = "AMITY_DLQ"

// OpenDeadLetters creates the dead-letter stream if it is missing.
func (s *Store) OpenDeadLetters(ctx context.Context, replicas int) error {
	_, err := s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        DeadLetterStream,
		Description: "Amity callback deliveries that failed every attempt",
		Subjects:    []string{"amity.dlq.*"},
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
	})
	if err != nil {
		return fmt.Errorf("create stream %s: %w", DeadLetterStream, err)
	}
	return nil
}

// Park stores a failed delivery for app on the dead-letter stream.
func (s *Store) Park(ctx context.Context, app, msgID string, data []byte) error {
	_, err := s.js.Publish(ctx, "amity.dlq."+app, data, jetstream.WithMsgID(msgID))
	if err != nil {
		return fmt.Errorf("park delivery for %s: %w", app, err)
	}
	return nil
}

// DeadLetters returns the parked deliveries, of app only unless app is "".
func (s *Store) DeadLetters(ctx context.Context, app string) ([]domain.Record, error) {
	st, err := s.js.Stream(ctx, DeadLetterStream)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", DeadLetterStream, err)
	}
	var out []domain.Record
	for seq := uint64(0); ; {
		m, err := st.GetMsg(ctx, seq+1, jetstream.WithGetMsgSubject("amity.dlq.*"))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s after %d: %w", DeadLetterStream, seq, err)
		}
		seq = m.Sequence
		if app == "" || strings.TrimPrefix(m.Subject, "amity.dlq.") == app {
			out = append(out, domain.Record{Subject: m.Subject, Seq: m.Sequence, Data: m.Data})
		}
	}
}

// DropDeadLetter removes a delivered dead letter.
func (s *Store) DropDeadLetter(ctx context.Context, seq uint64) error {
	st, err := s.js.Stream(ctx, DeadLetterStream)
	if err != nil {
		return fmt.Errorf("stream %s: %w", DeadLetterStream, err)
	}
	if err := st.DeleteMsg(ctx, seq); err != nil {
		return fmt.Errorf("drop dead letter %d: %w", seq, err)
	}
	return nil
}
