package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/projections"
	"github.com/amity-im/amity/writer"
	"github.com/oklog/ulid/v2"
)

// benchReplay writes events through the core into a fresh stream, then
// measures, in the same run, the raw ordered-consumer read rate and the rate
// of a full replay into fresh read models, and checks the replay's digest
// against the live state's.
func benchReplay(ctx context.Context, o options, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "amity-replay-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: filepath.Join(dir, "js"), Listen: "-", SyncInterval: o.syncInterval})
	if err != nil {
		return err
	}
	defer ns.Shutdown()
	nc, err := ns.Connect()
	if err != nil {
		return err
	}
	defer nc.Close()
	store, err := eventstore.Open(ctx, nc, eventstore.Config{})
	if err != nil {
		return err
	}
	runtime.GC()
	var f replayFigures
	runtime.ReadMemStats(&f.baseline)
	liveSum, err := f.write(ctx, o, store, stderr)
	if err != nil {
		return err
	}
	f.rawRead(ctx, store)
	m, err := f.replay(ctx, o, store)
	if err != nil {
		return err
	}
	if err := f.snapshot(m, filepath.Join(dir, "model.snap")); err != nil {
		return err
	}
	f.liveSum, f.replaySum = liveSum, m.Digest().Sum
	f.print(stdout, o)
	if f.liveSum != f.replaySum {
		return fmt.Errorf("replay digest differs from the live state's")
	}
	return nil
}

// replayFigures are what benchReplay measures.
type replayFigures struct {
	baseline              runtime.MemStats
	events, last          uint64
	users, adds           int64
	writeTook             time.Duration
	msgs, bytes           uint64
	rawTook, rawCPU       time.Duration
	replayed              uint64
	replayTook, replayCPU time.Duration
	heap                  int64
	snapWrite, snapLoad   time.Duration
	snapSize              int64
	liveSum, replaySum    string
}

// write writes o.replayEvents events through a writer, a tenth of them
// registrations and the rest two-way adds, with a live model following
// the stream, and returns that model's digest.
func (f *replayFigures) write(ctx context.Context, o options, store *eventstore.Store, stderr io.Writer) (string, error) {
	live := projections.NewModel()
	fctx, stopFollow := context.WithCancel(ctx)
	defer stopFollow()
	go func() { _ = projections.Follow(fctx, store, live, 1, slog.Default()) }()
	var mu sync.Mutex
	entropy := ulid.Monotonic(rand.Reader, 0)
	newID := func() string {
		mu.Lock()
		defer mu.Unlock()
		return ulid.MustNew(ulid.Now(), entropy).String()
	}
	w := writer.New(writer.Config{Log: store, State: live, NewID: newID, Now: time.Now})
	defer w.Close()
	app := &domain.App{Name: "bench", MaxFriends: 3000}
	f.users = int64(o.replayEvents / 10)
	f.adds = int64(o.replayEvents) - f.users
	f.events = uint64(o.replayEvents)
	fmt.Fprintf(stderr, "writing %d events (%d registrations, %d two-way adds)\n", o.replayEvents, f.users, f.adds)
	start := time.Now()
	users := f.users
	name := func(i int64) string { return "u" + strconv.FormatInt(i%users, 10) }
	if err := load(ctx, w, app, users, o.replayPerCall, o.replayCallers, func(k int64) domain.Command { return domain.RegisterUser{User: name(k)} }); err != nil {
		return "", err
	}
	if err := load(ctx, w, app, f.adds, o.replayPerCall, o.replayCallers, func(k int64) domain.Command {
		d := 1 + k/users
		return domain.AddFriend{User: name(k), Friend: name(k + d), Reverse: &domain.Entry{}}
	}); err != nil {
		return "", err
	}
	f.writeTook = time.Since(start)
	last, err := store.LastSeq(ctx)
	if err != nil {
		return "", err
	}
	f.last = last
	if err := live.WaitFollowed(ctx, last); err != nil {
		return "", err
	}
	return live.Digest().Sum, nil
}

// rawRead times a bare in-order read of the whole stream.
func (f *replayFigures) rawRead(ctx context.Context, store *eventstore.Store) {
	runtime.GC()
	start, cpu0 := time.Now(), processCPU()
	rctx, stopRaw := context.WithCancel(ctx)
	_ = store.Follow(rctx, 1, func(r domain.Record) error {
		f.msgs++
		f.bytes += uint64(len(r.Data))
		if r.Seq >= f.last {
			stopRaw()
		}
		return nil
	})
	stopRaw()
	f.rawTook, f.rawCPU = time.Since(start), processCPU()-cpu0
}

// replay times a full replay into fresh read models, and the heap they
// hold.
func (f *replayFigures) replay(ctx context.Context, o options, store *eventstore.Store) (*projections.Model, error) {
	runtime.GC()
	stopProfile, err := startCPUProfile(o.replayProfile)
	if err != nil {
		return nil, err
	}
	start, cpu0 := time.Now(), processCPU()
	m, replayed, err := projections.Replay(ctx, store, f.last, nil, nil)
	if err != nil {
		return nil, err
	}
	f.replayed, f.replayTook, f.replayCPU = replayed, time.Since(start), processCPU()-cpu0
	stopProfile()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	f.heap = int64(after.HeapAlloc) - int64(f.baseline.HeapAlloc)
	return m, nil
}

// snapshot times writing m's snapshot to path and loading it.
func (f *replayFigures) snapshot(m *projections.Model, path string) error {
	start := time.Now()
	if _, err := m.WriteSnapshot(path); err != nil {
		return err
	}
	f.snapWrite = time.Since(start)
	if fi, err := os.Stat(path); err == nil {
		f.snapSize = fi.Size()
	}
	start = time.Now()
	if _, err := projections.LoadSnapshot(path); err != nil {
		return err
	}
	f.snapLoad = time.Since(start)
	return nil
}

// print writes the figures as a table.
func (f *replayFigures) print(stdout io.Writer, o options) {
	fsync := "every write synced before its ack"
	if o.syncInterval > 0 {
		fsync = "fsync every " + o.syncInterval.String()
	}
	edges := 2 * f.adds
	fmt.Fprintf(stdout, "\n%s, %d CPUs, %s; %s\n\n", runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), runtime.Version(), fsync)
	fmt.Fprintf(stdout, "| step | figure |\n|---|---:|\n")
	fmt.Fprintf(stdout, "| events written through the core | %d in %d commits (%.1f events/commit), %.0f events/s |\n", f.events, f.last, float64(f.events)/float64(f.last), float64(f.events)/f.writeTook.Seconds())
	fmt.Fprintf(stdout, "| raw ordered-consumer read | %d messages, %.1f MB in %s: %.0f messages/s = %.0f events/s; %.2f cores (server and reader) |\n", f.msgs, float64(f.bytes)/1e6, f.rawTook.Round(time.Millisecond), float64(f.msgs)/f.rawTook.Seconds(), float64(f.events)/f.rawTook.Seconds(), f.rawCPU.Seconds()/f.rawTook.Seconds())
	fmt.Fprintf(stdout, "| full replay into fresh read models | %d events in %s: %.0f events/s (%.0f %% of the raw read); %.2f cores |\n", f.replayed, f.replayTook.Round(time.Millisecond), float64(f.replayed)/f.replayTook.Seconds(), 100*f.rawTook.Seconds()/f.replayTook.Seconds(), f.replayCPU.Seconds()/f.replayTook.Seconds())
	fmt.Fprintf(stdout, "| read model after the replay | %.0f MB more heap than before the run for %d users and %d directed edges: %.0f bytes per edge (the live model the events were written through, users and the embedded server's buffers included; BenchmarkModelMemory measures the model alone) |\n", float64(f.heap)/1e6, f.users, edges, float64(f.heap)/float64(edges))
	fmt.Fprintf(stdout, "| snapshot of that model | written in %s (%.0f MB), loaded in %s |\n", f.snapWrite.Round(time.Millisecond), float64(f.snapSize)/1e6, f.snapLoad.Round(time.Millisecond))
	same := "equal"
	if f.liveSum != f.replaySum {
		same = "DIFFERENT"
	}
	fmt.Fprintf(stdout, "| digest of the live state / of the replay | %s… / %s… (%s) |\n", f.liveSum[:16], f.replaySum[:16], same)
}

// load runs n commands made by mk from 256 goroutines, per at a time.
func load(ctx context.Context, w *writer.Writer, app *domain.App, n, per int64, callers int, mk func(k int64) domain.Command) error {
	var next atomic.Int64
	var failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range max(callers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := next.Add(per) - per
				if k >= n || ctx.Err() != nil {
					return
				}
				cmds := make([]domain.Command, 0, per)
				for i := k; i < min(n, k+per); i++ {
					cmds = append(cmds, mk(i))
				}
				for _, r := range w.Execute(ctx, app, domain.Meta{Surface: "bench"}, cmds...) {
					if r.Err != nil {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, r.Err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		return fmt.Errorf("%d commands failed, first: %v", failed.Load(), firstErr.Load())
	}
	return nil
}

// processCPU is the CPU time this process (with its embedded server) has
// used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
