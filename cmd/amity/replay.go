package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/amity-im/amity/projections"
)

// progressPrinter shows a replay's progress: a self-updating line on a
// terminal, a plain line every few seconds otherwise.
func progressPrinter(w io.Writer) projections.Progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	start := time.Now()
	var lastPrint time.Time
	every := 5 * time.Second
	if tty {
		every = 200 * time.Millisecond
	}
	return func(seq, last, events uint64) {
		now := time.Now()
		if now.Sub(lastPrint) < every && seq < last {
			return
		}
		lastPrint = now
		elapsed := now.Sub(start).Seconds()
		rate := float64(events) / max(elapsed, 1e-9)
		eta := time.Duration(0)
		if seq > 0 && seq < last {
			eta = time.Duration(elapsed * float64(last-seq) / float64(seq) * float64(time.Second)).Round(time.Second)
		}
		line := fmt.Sprintf("replay: sequence %d/%d (%.1f%%), %d events, %.0f events/s, ETA %s", seq, last, 100*float64(seq)/float64(last), events, rate, eta)
		if tty {
			fmt.Fprintf(w, "\r\033[K%s", line)
			if seq >= last {
				fmt.Fprintln(w)
			}
		} else {
			fmt.Fprintln(w, line)
		}
	}
}

// replay rebuilds every read model from sequence 1 and prints its digest.
func replayCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("amity replay", stderr)
	var nf natsFlags
	nf.register(fs, "", "NATS URL of the stream; empty: the stream in --data-dir (service stopped)")
	dataDir := fs.String("data-dir", "data", "data directory")
	writeSnap := fs.Bool("write-snapshot", false, "write the result as the data directory's snapshot")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	store, _, closeAll, err := openStream(ctx, nf, *dataDir)
	if err != nil {
		return err
	}
	defer closeAll()
	last, err := store.LastSeq(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	m := projections.NewModel()
	m.SetStream(store.StreamID()) // a snapshot names the stream it was taken of
	if *writeSnap {
		if nf.url != "" {
			// The stream is read over NATS; the data directory written
			// must not be a running instance's.
			unlock, err := lockDataDir(*dataDir)
			if err != nil {
				return err
			}
			defer unlock()
		}
		// The snapshot's index points into a new event log beside it.
		l, err := projections.CreateEventLog(projections.EventLogPath(snapshotPath(*dataDir)), 1)
		if err != nil {
			return err
		}
		defer l.Close()
		if err := m.SetEventLog(l); err != nil {
			return err
		}
	}
	m, events, err := projections.ReplayInto(ctx, m, store, last, nil, progressPrinter(stderr))
	if err != nil {
		return err
	}
	took := time.Since(start)
	d := m.Digest()
	fmt.Fprintf(stdout, "replayed %d commits, %d events in %s (%.0f events/s)\n", last, events, took.Round(time.Millisecond), float64(events)/max(took.Seconds(), 1e-9))
	fmt.Fprintf(stdout, "digest %s (%d users)\n", d.Sum, d.Users)
	printSkipped(stdout, m)
	if *writeSnap {
		if _, err := m.WriteSnapshot(snapshotPath(*dataDir)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "snapshot written to %s\n", snapshotPath(*dataDir))
	}
	return nil
}

// verify compares a running instance's read models with a fresh replay of
// exactly the commits the instance has applied.
func verifyCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("amity verify", stderr)
	var nf natsFlags
	nf.register(fs, "nats://127.0.0.1:4222", "NATS URL of the running service or cluster")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	store, nc, closeAll, err := openStream(ctx, nf, "")
	if err != nil {
		return err
	}
	defer closeAll()
	reply, err := nc.RequestWithContext(ctx, adminDigest, nil)
	if err != nil {
		return fmt.Errorf("ask the running instance for its digest: %w", err)
	}
	var live projections.Digest
	if err := json.Unmarshal(reply.Data, &live); err != nil {
		return fmt.Errorf("digest answer: %w", err)
	}
	var last uint64
	for _, seq := range live.Parts {
		last = max(last, seq)
	}
	// A model that claims commits the stream lacks is compared up to the
	// stream's end.
	streamLast, err := store.LastSeq(ctx)
	if err != nil {
		return err
	}
	last = min(last, streamLast)
	m, events, err := projections.Replay(ctx, store, last, live.Parts, progressPrinter(stderr))
	if err != nil {
		return err
	}
	replayed := m.Digest()
	fmt.Fprintf(stdout, "live     %s (%d users, sequence %d)\nreplayed %s (%d users, %d events)\n", live.Sum, live.Users, live.Seq, replayed.Sum, replayed.Users, events)
	printSkipped(stdout, m)
	if !slices.EqualFunc(live.Skipped, replayed.Skipped, func(a, b projections.Skipped) bool { return a.Seq == b.Seq }) {
		fmt.Fprintf(stdout, "the live instance skipped other messages: %v\n", skippedSeqs(live.Skipped))
	}
	if replayed.Sum == live.Sum {
		fmt.Fprintln(stdout, "the read models equal a replay of the stream")
		return nil
	}
	for b := range projections.DigestBuckets {
		if live.Buckets[b] == replayed.Buckets[b] {
			continue
		}
		reply, err := nc.RequestWithContext(ctx, adminBucket, []byte(strconv.Itoa(b)))
		if err != nil {
			return fmt.Errorf("ask for bucket %d: %w", b, err)
		}
		var liveUsers []projections.UserHash
		if err := json.Unmarshal(reply.Data, &liveUsers); err != nil {
			return fmt.Errorf("bucket %d answer: %w", b, err)
		}
		if u, ok := firstDifference(liveUsers, m.BucketUsers(b)); ok {
			return fmt.Errorf("read models differ from the replay, first at app %q user %q", u.App, u.User)
		}
	}
	return fmt.Errorf("read models differ from the replay (the instance changed while it was asked; run verify again)")
}

// printSkipped names the stored messages a replay passed over.
func printSkipped(w io.Writer, m *projections.Model) {
	n, list := m.Skips()
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "skipped %d bad messages (docs/operations.md); sequences %v\n", n, skippedSeqs(list))
	for _, s := range list {
		fmt.Fprintf(w, "  %d %s: %s\n", s.Seq, s.Subject, s.Reason)
	}
}

func skippedSeqs(list []projections.Skipped) []uint64 {
	seqs := make([]uint64, len(list))
	for i, s := range list {
		seqs[i] = s.Seq
	}
	return seqs
}

// firstDifference returns the first user, in order, whose hash differs or
// who is on one side only.
func firstDifference(a, b []projections.UserHash) (projections.UserHash, bool) {
	less := func(x, y projections.UserHash) bool { return x.App < y.App || (x.App == y.App && x.User < y.User) }
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j >= len(b) || (i < len(a) && less(a[i], b[j])):
			return a[i], true
		case i >= len(a) || less(b[j], a[i]):
			return b[j], true
		case a[i].Hash != b[j].Hash:
			return a[i], true
		}
		i++
		j++
	}
	return projections.UserHash{}, false
}
