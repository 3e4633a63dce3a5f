package main

import (
	"fmt"
	"runtime"
)

// report prints the run's notes, its table of figures, and the ratios to
// the minimal handlers and to PostgreSQL.
func (r *benchRun) report() {
	o, out := r.o, r.stdout
	fsync := "every write synced before its ack (SyncAlways)"
	if o.syncInterval > 0 {
		fsync = "fsync every " + o.syncInterval.String()
	}
	fmt.Fprintf(out, "\n%s, %d CPUs, %s; %d connections, %s per workload; %s\n\n",
		runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), runtime.Version(), o.conns, o.duration, fsync)
	for _, n := range r.notes {
		fmt.Fprintf(out, "- %s\n", n)
	}
	if len(r.notes) > 0 {
		fmt.Fprintln(out)
	}
	fmt.Fprintln(out, "| workload                                 |      ops/s |       p50 |       p99 |  errors | cores | CPU µs/op | tool µs/op | peak RSS MB |")
	fmt.Fprintln(out, "|------------------------------------------|-----------:|----------:|----------:|--------:|------:|---------:|-----------:|---------:|")
	for _, res := range r.results {
		fmt.Fprintln(out, res.row())
	}
	if len(r.minimal) > 0 {
		fmt.Fprintln(out, "\nratios to the minimal handler taking the same requests (same run):")
		for _, res := range r.results {
			if m, ok := r.minimal[res.name]; ok && m.ops > 0 {
				fmt.Fprintf(out, "  %-40s %5.1f %%  (%.0f of %.0f req/s)\n", res.name, 100*res.rate()/m.rate(), res.rate(), m.rate())
			}
		}
	}
	if len(r.paired) > 0 {
		fmt.Fprintf(out, "\npaired rounds: each workload and its minimal handler alternately, %s each, %d times:\n", o.duration/2, o.pairedRounds)
		for _, l := range r.paired {
			fmt.Fprintln(out, "  "+l)
		}
	}
	r.reportPeers()
}

// reportPeers prints the ratios of the adds to PostgreSQL's two-way
// insert, when it ran.
func (r *benchRun) reportPeers() {
	var pgInsert result
	for _, res := range r.results {
		if res.name == "PostgreSQL two-way insert (pgbench)" {
			pgInsert = res
		}
	}
	if pgInsert.ops == 0 {
		return
	}
	fmt.Fprintln(r.stdout, "\nratios to PostgreSQL's two-way insert (same run):")
	for _, res := range r.results {
		switch res.name {
		case "ZIM AddFriends, 1 target", "Tencent friend_add Both, 1 item":
			fmt.Fprintf(r.stdout, "  %-40s %5.2f×\n", res.name, res.rate()/pgInsert.rate())
		case "ZIM AddFriends, 20 targets":
			fmt.Fprintf(r.stdout, "  %-40s %5.2f× (pairs/s)\n", res.name, 20*res.rate()/pgInsert.rate())
		}
	}
}
