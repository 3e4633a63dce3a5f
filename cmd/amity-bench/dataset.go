package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"
)

// The dataset is written as events straight onto a fresh stream in the
// server's data directory before the server starts: users d0..dN-1 are
// registered, and user i has two-way friendships with i+1 ... i+k (mod N),
// so the directed edges number 2kN. Commits hold up to 256 events of one
// partition, as group commit makes them; the app has the default
// partition count, recorded first. The server then starts on it, and
// its time to ready is the restart time for that many edges.

// datasetUser names the dataset's user i.
func datasetUser(i int64) string { return "d" + strconv.FormatInt(i, 10) }

// writeDataset writes users and about edges directed edges into the stream
// under storeDir and returns the number of events.
func writeDataset(ctx context.Context, storeDir string, users, edges int64, stderr io.Writer) (int64, error) {
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: storeDir, Listen: "-", SyncInterval: time.Second, ServerName: "dataset"})
	if err != nil {
		return 0, err
	}
	defer ns.Shutdown()
	nc, err := ns.Connect()
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	store, err := eventstore.Open(ctx, nc, eventstore.Config{})
	if err != nil {
		return 0, err
	}
	// The writer's biggest commit: MaxBatch commands, one event each.
	const app, perCommit = "bench", 256
	// Recorded before the first commit: the app is a new one, with the
	// default count, as the server will find it.
	partitions, err := store.Partitions(ctx, app, 0)
	if err != nil {
		return 0, err
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(256))
	if err != nil {
		return 0, err
	}
	now := time.Now()
	w := &datasetWriter{js: js, app: app, partitions: partitions, perCommit: perCommit, now: now,
		entropy: ulid.Monotonic(rand.Reader, 0), pending: map[string][]domain.Event{}}
	add := w.add
	flush := w.flush
	k := max(edges/(2*users), 1)
	fmt.Fprintf(stderr, "dataset: %d users, %d two-way friendships each way (%d directed edges)\n", users, k, 2*k*users)
	for i := range users {
		if err := add(domain.UserKey(datasetUser(i)), domain.UserRegistered{User: datasetUser(i)}, domain.TypeUserRegistered); err != nil {
			return 0, err
		}
	}
	entry := &domain.Entry{CreateTime: now.UnixMilli()}
	for d := int64(1); d <= k; d++ {
		for i := range users {
			a, b := datasetUser(i), datasetUser((i+d)%users)
			if err := add(domain.PairKey(a, b), domain.FriendAdded{User: a, Friend: b, Entry: entry, Reverse: entry}, domain.TypeFriendAdded); err != nil {
				return 0, err
			}
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
	}
	for subject := range w.pending {
		if err := flush(subject); err != nil {
			return 0, err
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(5 * time.Minute):
		return 0, fmt.Errorf("dataset publish did not complete")
	}
	return w.written, nil
}

// datasetWriter publishes events straight onto the stream, perCommit of a
// subject's to a commit, as the writer's biggest commits hold them.
type datasetWriter struct {
	js         jetstream.JetStream
	app        string
	partitions int
	perCommit  int
	now        time.Time
	entropy    *ulid.MonotonicEntropy
	pending    map[string][]domain.Event
	written    int64
}

func (w *datasetWriter) id() string { return ulid.MustNew(ulid.Now(), w.entropy).String() }

// add queues an event on key's subject, publishing the subject's commit
// once it is full.
func (w *datasetWriter) add(key domain.Key, data domain.Payload, typ string) error {
	subject := domain.Subject(w.app, key, w.partitions)
	w.pending[subject] = append(w.pending[subject], domain.Event{ID: w.id(), Type: typ, Version: domain.SchemaVersion, App: w.app,
		Time: w.now, Surface: "bench", Data: data})
	if len(w.pending[subject]) >= w.perCommit {
		return w.flush(subject)
	}
	return nil
}

// flush publishes subject's queued events as one commit.
func (w *datasetWriter) flush(subject string) error {
	evs := w.pending[subject]
	if len(evs) == 0 {
		return nil
	}
	data, err := domain.MarshalCommit(domain.Commit{ID: w.id(), App: w.app, Events: evs})
	if err != nil {
		return err
	}
	if _, err := w.js.PublishAsync(subject, data); err != nil {
		return fmt.Errorf("publish dataset: %w", err)
	}
	w.written += int64(len(evs))
	w.pending[subject] = evs[:0]
	return nil
}
