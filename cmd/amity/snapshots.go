package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/projections"
	"github.com/nats-io/nats.go"
)

func snapshotPath(dataDir string) string { return filepath.Join(dataDir, "snapshots", "model.snap") }

// loadModel starts from the snapshot in the data directory when it is
// usable and was taken of this very stream, else from nothing (a full
// replay).
func loadModel(ctx context.Context, store *eventstore.Store, path string, stdout io.Writer, logger *slog.Logger) (*projections.Model, error) {
	id := store.StreamID()
	fresh := func(why string) (*projections.Model, error) {
		if why != "" {
			fmt.Fprintf(stdout, "amity: %s; replaying the stream from the start\n", why)
			logger.Warn("snapshot refused", "path", path, "reason", why)
		}
		m := projections.NewModel()
		m.SetStream(id)
		return m, attachEventLog(m, path, logger)
	}
	m, err := projections.LoadSnapshot(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fresh("")
	}
	if err != nil {
		return fresh(err.Error())
	}
	if m.Stream() != id {
		return fresh(fmt.Sprintf("snapshot %s was taken of stream %s, not of this one (%s)", path, m.Stream(), id))
	}
	last, err := store.LastSeq(ctx)
	if err != nil {
		return nil, err
	}
	if m.Seq() > last {
		return fresh(fmt.Sprintf("snapshot at sequence %d is ahead of the stream (%d)", m.Seq(), last))
	}
	if err := attachEventLog(m, path, logger); err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "amity: snapshot loaded at sequence %d\n", m.Followed())
	debug.FreeOSMemory() // the decoding's garbage is as large as the model
	return m, nil
}

// attachEventLog gives m the event log beside the snapshot at path: the one
// its index points into, or (a new model, or that log lost) a new one.
// Without a log the model still answers history, from the stream.
func attachEventLog(m *projections.Model, path string, logger *slog.Logger) error {
	logID, logEnd := m.EventLogState()
	l, kept, err := projections.OpenEventLog(projections.EventLogPath(path), logID, logEnd)
	switch {
	case err != nil:
		logger.Warn("no event log: history answers read the stream", "err", err)
		return nil
	case !kept && logEnd > 1:
		logger.Warn("event log not the snapshot's: a new one starts, older history answers read the stream", "path", projections.EventLogPath(path))
	}
	return m.SetEventLog(l)
}

// snapshotEvery writes a snapshot every interval while the read advanced.
func snapshotEvery(ctx context.Context, m *projections.Model, path string, interval time.Duration, logger *slog.Logger) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	last := m.Followed()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if m.Followed() == last {
				continue
			}
			start := time.Now()
			seq, err := m.WriteSnapshot(path)
			if err != nil {
				logger.Error("snapshot", "err", err)
				continue
			}
			last = seq
			logger.Info("snapshot written", "seq", seq, "took", time.Since(start))
		}
	}
}

// Admin subjects, answered by one instance of the queue group.
const (
	adminDigest = domain.AdminDigest
	adminBucket = domain.AdminDigestBucket
)

// serveAdmin answers digest requests (amity verify) over NATS.
func serveAdmin(nc *nats.Conn, m *projections.Model) error {
	if _, err := nc.QueueSubscribe(adminDigest, "amity", func(msg *nats.Msg) {
		b, _ := json.Marshal(m.Digest())
		_ = msg.Respond(b)
	}); err != nil {
		return fmt.Errorf("subscribe %s: %w", adminDigest, err)
	}
	if _, err := nc.QueueSubscribe(adminBucket, "amity", func(msg *nats.Msg) {
		n, err := strconv.Atoi(string(msg.Data))
		if err != nil || n < 0 || n >= projections.DigestBuckets {
			_ = msg.Respond([]byte(`[]`))
			return
		}
		b, _ := json.Marshal(m.BucketUsers(n))
		_ = msg.Respond(b)
	}); err != nil {
		return fmt.Errorf("subscribe %s: %w", adminBucket, err)
	}
	return nil
}
