// Command amity-bench measures Amity over HTTP: it starts a fresh amity
// process on loopback, loads users, runs each workload for a fixed time at a
// fixed number of connections, and prints ops/s, p50 and p99 next to the raw
// JetStream publish rate of the same machine in the same run.
//
//	go run ./cmd/amity-bench [--duration 10s] [--conns 64] [--users 20000]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "amity-bench:", err)
		os.Exit(1)
	}
}

type options struct {
	amity         string
	duration      time.Duration
	conns         int
	users         int
	syncInterval  time.Duration
	only          string
	replayEvents  int
	replayPerCall int64
	replayCallers int
	replayProfile string
	cpuprofile    string
	serverPprof   string
	datasetUsers  int
	datasetEdges  int
	peers         bool
	pairedRounds  int
	// The migration's benchmark.
	migrateUsers, migrateEdges, migrateQPS, migrateQPSUsers, migrateWorkers int
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("amity-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.amity, "amity", "", "amity binary to benchmark (default: build ./cmd/amity)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each workload runs")
	fs.IntVar(&o.conns, "conns", 64, "concurrent HTTP connections (and JetStream publishers)")
	fs.IntVar(&o.users, "users", 20000, "users registered per workload set")
	fs.DurationVar(&o.syncInterval, "sync-interval", 0, "server fsync interval; 0 syncs every write before acknowledging it")
	fs.StringVar(&o.only, "only", "", "run only the workloads whose name contains this, or one of these comma-separated parts (separated by \";\" instead when a part holds a comma)")
	fs.IntVar(&o.datasetUsers, "dataset-users", 0, "write a dataset of this many users onto the stream before the server starts (0: none)")
	fs.IntVar(&o.datasetEdges, "dataset-edges", 0, "directed friendship edges of the dataset")
	fs.BoolVar(&o.peers, "peers", false, "also run PostgreSQL and Redis, where installed, on the same workloads (make bench-peers installs them)")
	fs.IntVar(&o.pairedRounds, "paired-rounds", 3, "after the table, run each workload with a target ratio and its minimal handler alternately this many times, for half --duration each")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of this tool (load generation, labelled by workload, and the minimal handlers) to this file")
	fs.StringVar(&o.serverPprof, "server-pprof", "", "start the server with --pprof on this address, to profile it during a workload")
	fs.IntVar(&o.replayEvents, "replay-events", 0, "instead of the HTTP workloads: write this many events through the core, then measure replay against the raw read")
	fs.Int64Var(&o.replayPerCall, "replay-per-call", 100, "with --replay-events: commands per Execute call while writing")
	fs.IntVar(&o.replayCallers, "replay-callers", 256, "with --replay-events: Execute calls under way at once while writing; the writer groups the calls under way into one commit, so few callers of one command each store small commits")
	fs.StringVar(&o.replayProfile, "replay-cpuprofile", "", "with --replay-events: write a CPU profile of the replay step to this file")
	fs.IntVar(&o.migrateUsers, "migrate-users", 0, "instead of the HTTP workloads: copy an app of this many users from a source Amity's Tencent surface with amity migrate, then verify it")
	fs.IntVar(&o.migrateEdges, "migrate-edges", 0, "with --migrate-users: the source's directed friendship edges")
	fs.IntVar(&o.migrateQPS, "migrate-qps", 2000, "with --migrate-users: the --qps of the rate-limited copy")
	fs.IntVar(&o.migrateQPSUsers, "migrate-qps-users", 20000, "with --migrate-users: the users the rate-limited copy reads")
	fs.IntVar(&o.migrateWorkers, "migrate-workers", 64, "with --migrate-users: the copy's --workers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.migrateUsers > 0 {
		return benchMigrate(ctx, o, stdout, stderr)
	}
	if o.replayEvents > 0 {
		return benchReplay(ctx, o, stdout, stderr)
	}
	return bench(ctx, o, stdout, stderr)
}
