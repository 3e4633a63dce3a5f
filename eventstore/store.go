package eventstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/retry"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// StreamName is the stream that holds every app's commits.
const StreamName = domain.StreamName

// readAheadBytes bounds what an in-order read buffers ahead of its reader.
// Bounding messages instead lets large commits pile up past the server's
// limit for a slow client, and the server then drops the connection.
const readAheadBytes = 16 << 20

// JetStream error codes that mean "someone wrote first".
const (
	codeWrongLastSequence         = 10071
	codeWrongLastSequenceConstant = 10164
)

// lostRace reports whether a JetStream error code means someone wrote first.
func lostRace(code int) bool {
	return code == codeWrongLastSequence || code == codeWrongLastSequenceConstant
}

// Config configures the stream.
type Config struct {
	// Replicas of the stream on a cluster (1 when embedded; 3 recommended).
	Replicas int
	// NewConsumersFromNow: a durable consumer that does not exist yet starts
	// with the changes after it is created rather than with all history.
	NewConsumersFromNow bool
	// Logger receives differences between an existing stream and the
	// configuration wanted; nil: none.
	Logger *slog.Logger
	// Down, when set, tells why the stream cannot take writes now (the
	// embedded server stopped JetStream on a full disk): appends are then
	// refused at once instead of waited out.
	Down func() error
}

// Store appends to and reads from the AMITY stream.
type Store struct {
	js     jetstream.JetStream
	stream jetstream.Stream
	// newConsumersFromNow makes a durable consumer created by Consume start
	// at the stream's end instead of its beginning.
	newConsumersFromNow bool
	log                 *slog.Logger
	down                func() error
	faults              *faults

	mu      sync.Mutex
	buckets map[string]jetstream.KeyValue // opened, by name (bucket)
}

// Open returns a Store on the stream, creating it if it is missing. An
// existing stream keeps its configuration: a difference from cfg is logged,
// and only a replica count below cfg.Replicas is raised, never lowered.
func Open(ctx context.Context, nc *nats.Conn, cfg Config) (*Store, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream context: %w", err)
	}
	sc := streamConfig(cfg.Replicas)
	stream, err := ensureStream(ctx, js, sc, cfg.Logger)
	if err != nil {
		return nil, err
	}
	s := newStore(js, stream, cfg)
	if err := s.faults.watch(nc, StreamName); err != nil {
		return nil, fmt.Errorf("watch for faults: %w", err)
	}
	return s, nil
}

// Lookup returns a Store on the existing stream, for the tools: it changes
// no configuration, and a missing stream is an error naming it.
func Lookup(ctx context.Context, nc *nats.Conn, cfg Config) (*Store, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream context: %w", err)
	}
	stream, err := lookupStream(ctx, js, StreamName)
	if err != nil {
		return nil, err
	}
	return newStore(js, stream, cfg), nil
}

func newStore(js jetstream.JetStream, stream jetstream.Stream, cfg Config) *Store {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Store{js: js, stream: stream,
		newConsumersFromNow: cfg.NewConsumersFromNow, log: logger, down: cfg.Down, faults: newFaults()}
}

// StreamID identifies the stream: its name and the time it was created,
// which a stream deleted and made again does not keep.
func (s *Store) StreamID() string {
	info := s.stream.CachedInfo()
	return info.Config.Name + "@" + info.Created.UTC().Format(time.RFC3339Nano)
}

// lookupStream finds the stream name without changing it.
func lookupStream(ctx context.Context, js jetstream.JetStream, name string) (jetstream.Stream, error) {
	stream, err := js.Stream(ctx, name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("stream %s not found on this NATS (has amity serve run against it?)", name)
	}
	if err != nil {
		return nil, fmt.Errorf("look up stream %s: %w", name, err)
	}
	return stream, nil
}

func streamConfig(replicas int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        StreamName,
		Description: "Amity friend-graph commits",
		Subjects:    domain.StreamSubjects,
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardNew,
		Replicas:    max(replicas, 1),
		Duplicates:  2 * time.Minute,
		AllowDirect: true,
	}
}

// ensureStream creates the stream sc if it is missing. An existing stream
// is left as it is, but for a replica count below sc's, which is raised;
// other differences are logged.
func ensureStream(ctx context.Context, js jetstream.JetStream, sc jetstream.StreamConfig, logger *slog.Logger) (jetstream.Stream, error) {
	stream, err := js.Stream(ctx, sc.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		stream, err = js.CreateStream(ctx, sc)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			// Another instance made it first.
			stream, err = js.Stream(ctx, sc.Name)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open stream %s: %w", sc.Name, err)
	}
	have := stream.CachedInfo().Config
	for _, d := range streamDifferences(have, sc) {
		logger.Warn("stream configuration differs; the stream is kept as it is", "stream", sc.Name, "setting", d.name, "stream_has", d.have, "wanted", d.want)
	}
	if have.Replicas < sc.Replicas {
		raised := have
		raised.Replicas = sc.Replicas
		if stream, err = js.UpdateStream(ctx, raised); err != nil {
			return nil, fmt.Errorf("raise replicas of stream %s to %d: %w", sc.Name, sc.Replicas, err)
		}
		logger.Info("stream replicas raised", "stream", sc.Name, "from", have.Replicas, "to", sc.Replicas)
	}
	return stream, nil
}

type difference struct {
	name       string
	have, want any
}

// streamDifferences lists what an existing stream has otherwise than
// wanted, but for replicas above the wanted count (never lowered, and not
// worth a warning) and a maximum
// age where one is wanted (the caller sets it).
func streamDifferences(have, want jetstream.StreamConfig) []difference {
	var out []difference
	add := func(name string, h, w any) { out = append(out, difference{name, h, w}) }
	if have.Replicas < want.Replicas {
		add("replicas", have.Replicas, want.Replicas)
	}
	if have.Retention != want.Retention {
		add("retention", have.Retention.String(), want.Retention.String())
	}
	if have.Storage != want.Storage {
		add("storage", have.Storage.String(), want.Storage.String())
	}
	if have.MaxAge != 0 && want.MaxAge == 0 {
		add("max_age", have.MaxAge.String(), "none")
	}
	if !slices.Equal(have.Subjects, want.Subjects) {
		add("subjects", have.Subjects, want.Subjects)
	}
	return out
}

// Append publishes data on subject, expecting the subject's last sequence
// to be expect. It implements domain.Log.
//
// An attempt whose answer does not come within appendAttempt, or that was
// under way when the connection was lost or the stream elected a new
// leader, is made again with the same Nats-Msg-Id until ctx ends. If the
// lost attempt was stored, the retry is refused as a lost race or
// acknowledged as a duplicate; either way the commit is stored once (the
// Writer finds its own commit when it catches up after a lost race). The
// server's own refusals (a full store, a bad request) return at once.
func (s *Store) Append(ctx context.Context, subject string, expect uint64, msgID string, data []byte) (uint64, error) {
	var seq uint64
	err := appendRetries.Do(ctx, func(int) error {
		if s.down != nil {
			if err := s.down(); err != nil {
				return retry.Permanent(fmt.Errorf("append to %s: %w", subject, err))
			}
		}
		actx, cancel := context.WithTimeout(ctx, appendAttempt)
		stop := context.AfterFunc(s.faults.current(), cancel)
		ack, err := s.js.Publish(actx, subject, data,
			jetstream.WithExpectLastSequencePerSubject(expect),
			jetstream.WithMsgID(msgID))
		stop()
		cancel()
		if err == nil {
			seq = ack.Sequence
			return nil
		}
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && lostRace(int(apiErr.ErrorCode)) {
			return retry.Permanent(fmt.Errorf("append to %s at %d: %w", subject, expect, domain.ErrConflict))
		}
		if !Transient(err) {
			return retry.Permanent(fmt.Errorf("append to %s: %w", subject, err))
		}
		return fmt.Errorf("append to %s: %w", subject, err)
	}, func(_ int, err error, _ time.Duration) {
		s.log.Warn("append unanswered; trying again", "subject", subject, "commit", msgID, "err", err)
	})
	return seq, err
}

// appendRetries are the waits between attempts of one append.
var appendRetries = retry.Backoff{First: 50 * time.Millisecond, Max: 500 * time.Millisecond}

// appendAttempt bounds the wait for one attempt's answer. A synced append
// is answered in milliseconds; a longer silence means a lost node.
const appendAttempt = time.Second

// JetStream error codes of a cluster that is forming or electing: no
// leader for the request yet, not enough servers for the replicas yet.
const (
	codeClusterNotAvailable = 10008
	codeNoSuitablePeers     = 10005
)

// Transient reports whether err may pass by itself: an unanswered
// attempt, nobody listening while a node or leader is lost, a connection
// between servers, or a cluster without a leader or its servers yet.
func Transient(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode == codeClusterNotAvailable || apiErr.ErrorCode == codeNoSuitablePeers
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, nats.ErrConnectionReconnecting) || errors.Is(err, nats.ErrDisconnected)
}

// LastSubjectSeq returns the sequence of subject's last message, 0 if none.
func (s *Store) LastSubjectSeq(ctx context.Context, subject string) (uint64, error) {
	m, err := s.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last message on %s: %w", subject, err)
	}
	return m.Sequence, nil
}

// SubjectSince returns the messages on subject after sequence after, in
// order. It implements domain.Log.
func (s *Store) SubjectSince(ctx context.Context, subject string, after uint64) ([]domain.Record, error) {
	var out []domain.Record
	for {
		m, err := s.stream.GetMsg(ctx, after+1, jetstream.WithGetMsgSubject(subject))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s after %d: %w", subject, after, err)
		}
		out = append(out, domain.Record{Subject: m.Subject, Seq: m.Sequence, Data: m.Data})
		after = m.Sequence
	}
}

// LastSeq returns the stream's last sequence.
func (s *Store) LastSeq(ctx context.Context) (uint64, error) {
	info, err := s.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("stream info: %w", err)
	}
	return info.State.LastSeq, nil
}

// Follow delivers every message from sequence from (1 if 0) in stream order
// to fn, then keeps delivering new ones until ctx ends. It uses an ordered
// consumer, which recreates itself after a gap, so fn sees each sequence once
// and in order. An error from fn stops Follow and is returned.
func (s *Store) Follow(ctx context.Context, from uint64, fn func(domain.Record) error) error {
	return s.FollowSubjects(ctx, from, nil, fn)
}

// FollowSubjects is Follow of the messages on subjects matching filters
// only (every message when there are none): the server leaves out the
// rest.
func (s *Store) FollowSubjects(ctx context.Context, from uint64, filters []string, fn func(domain.Record) error) error {
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy, FilterSubjects: filters}
	if from > 1 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = from
	}
	cons, err := s.stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return fmt.Errorf("ordered consumer from %d: %w", from, err)
	}
	it, err := cons.Messages(jetstream.PullMaxBytes(readAheadBytes))
	if err != nil {
		return fmt.Errorf("consume from %d: %w", from, err)
	}
	return drain(ctx, it, func(msg jetstream.Msg, seq uint64) error {
		return fn(domain.Record{Subject: msg.Subject(), Seq: seq, Data: msg.Data()})
	})
}

// drain passes each message of it, with its stream sequence, to fn until
// ctx ends (nil) or fn or the iterator fails.
func drain(ctx context.Context, it jetstream.MessagesContext, fn func(msg jetstream.Msg, seq uint64) error) error {
	return drainGuarded(ctx, it, nil, fn)
}

// drainGuarded is drain that, when guard is set, returns errStalled once
// guard finds the consumer stalled while nothing arrives.
func drainGuarded(ctx context.Context, it jetstream.MessagesContext, guard *stallGuard, fn func(msg jetstream.Msg, seq uint64) error) error {
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	for {
		msg, err := guard.next(ctx, it)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return ctx.Err()
			}
			return fmt.Errorf("next message: %w", err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("message metadata: %w", err)
		}
		if err := fn(msg, md.Sequence.Stream); err != nil {
			return err
		}
	}
}

var errScanDone = errors.New("scan done")

// Scan passes the messages matching subjects with from <= sequence <= to to
// fn, in order, and returns when it reaches to or the stream's end.
func (s *Store) Scan(ctx context.Context, subjects []string, from, to uint64, fn func(domain.Record) error) error {
	if from == 0 {
		from = 1
	}
	if to < from {
		return nil
	}
	cons, err := s.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: subjects,
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: from})
	if err != nil {
		return fmt.Errorf("scan from %d: %w", from, err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return fmt.Errorf("scan from %d: %w", from, err)
	}
	if info.NumPending == 0 {
		return nil
	}
	it, err := cons.Messages(jetstream.PullMaxBytes(readAheadBytes))
	if err != nil {
		return fmt.Errorf("scan from %d: %w", from, err)
	}
	err = drain(ctx, it, func(msg jetstream.Msg, seq uint64) error {
		if seq > to {
			return errScanDone
		}
		if err := fn(domain.Record{Subject: msg.Subject(), Seq: seq, Data: msg.Data()}); err != nil {
			return err
		}
		if md, err := msg.Metadata(); err == nil && md.NumPending == 0 || seq == to {
			return errScanDone
		}
		return nil
	})
	if errors.Is(err, errScanDone) {
		return nil
	}
	return err
}

// Tail passes every message on subject (a filter such as amity.demo.>)
// from sequence from on to fn, waiting for new ones, until ctx ends.
func (s *Store) Tail(ctx context.Context, subject string, from uint64, fn func(domain.Record) error) error {
	cons, err := s.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject},
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: max(from, 1)})
	if err != nil {
		return fmt.Errorf("tail from %d: %w", from, err)
	}
	it, err := cons.Messages(jetstream.PullMaxBytes(readAheadBytes))
	if err != nil {
		return fmt.Errorf("tail from %d: %w", from, err)
	}
	return drain(ctx, it, func(msg jetstream.Msg, seq uint64) error {
		return fn(domain.Record{Subject: msg.Subject(), Seq: seq, Data: msg.Data()})
	})
}
