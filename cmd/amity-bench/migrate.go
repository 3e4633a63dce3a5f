package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// benchMigrate measures amity migrate: a source Amity serving Tencent's
// surface over the dataset (users d0..dN-1 with about edges directed
// friendships), a destination Amity started empty with the same app, and
// the copy between them: with the source unlimited, then at qpsLimit over
// the first qpsUsers users; then verify over every user.
func benchMigrate(ctx context.Context, o options, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "amity-bench-migrate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := o.amity
	if bin == "" {
		if bin, err = buildAmity(ctx, dir); err != nil {
			return err
		}
	}
	srcDir, dstDir := filepath.Join(dir, "source"), filepath.Join(dir, "destination")
	for _, d := range []string{srcDir, dstDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if _, err := writeDataset(ctx, filepath.Join(srcDir, "data"), int64(o.migrateUsers), int64(o.migrateEdges), stderr); err != nil {
		return fmt.Errorf("write the source's dataset: %w", err)
	}
	src, err := startServer(ctx, bin, srcDir, 0, "", stderr)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer src.stop()
	dst, err := startServer(ctx, bin, dstDir, 0, "", stderr)
	if err != nil {
		return fmt.Errorf("destination: %w", err)
	}
	defer dst.stop()
	all, err := usersList(dir, "users", o.migrateUsers)
	if err != nil {
		return err
	}
	some, err := usersList(dir, "some-users", min(o.migrateQPSUsers, o.migrateUsers))
	if err != nil {
		return err
	}
	cfg := filepath.Join(dstDir, "bench.json")
	migrate := func(args ...string) (migrateRun, error) {
		return runMigrate(ctx, bin, append(args, "--vendor", "tencent", "--source", src.httpURL, "--app", "bench",
			"--config", cfg, "--nats-url", dst.natsURL, "--workers", strconv.Itoa(o.migrateWorkers)), stderr)
	}
	fmt.Fprintf(stdout, "migrate: %d users, %d directed edges at the source; %d workers\n", o.migrateUsers, o.migrateEdges, o.migrateWorkers)
	runs := []struct {
		name string
		args []string
	}{
		{"copy, source unlimited", []string{"copy", "--users", all, "--qps", "-1"}},
		{"verify", []string{"verify", "--users", all, "--qps", "-1"}},
		{"copy again (records nothing)", []string{"copy", "--users", all, "--qps", "-1", "--checkpoint", filepath.Join(dir, "again")}},
		{fmt.Sprintf("copy at --qps %d (%d users, into the copied app: reads all, records nothing)", o.migrateQPS, min(o.migrateQPSUsers, o.migrateUsers)),
			[]string{"copy", "--users", some, "--qps", strconv.Itoa(o.migrateQPS), "--checkpoint", filepath.Join(dir, "limited")}},
	}
	for _, r := range runs {
		m, err := migrate(r.args...)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		fmt.Fprintf(stdout, "  %-70s %8s  %9.0f edges/s  peak RSS %4d MiB  %s\n", r.name, m.took.Round(time.Millisecond),
			m.edgesPerSecond, m.peakRSS>>20, m.summary)
	}
	return nil
}

// migrateRun is one amity migrate process's figures.
type migrateRun struct {
	took           time.Duration
	edgesPerSecond float64
	peakRSS        int64
	summary        string
}

// runMigrate runs bin migrate args and reads its summary line.
func runMigrate(ctx context.Context, bin string, args []string, stderr io.Writer) (migrateRun, error) {
	var m migrateRun
	cmd := exec.CommandContext(ctx, bin, append([]string{"migrate"}, args...)...)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return m, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return m, err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, " users (") && strings.Contains(line, "edges/s") {
			m.summary = line
		} else {
			fmt.Fprintln(stderr, line)
		}
	}
	err = cmd.Wait()
	m.took = time.Since(start)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.peakRSS = ru.Maxrss * 1024
	}
	if f := strings.Fields(m.summary); len(f) > 0 {
		for i, w := range f {
			if strings.HasPrefix(w, "edges/s") && i > 0 {
				m.edgesPerSecond, _ = strconv.ParseFloat(strings.TrimSuffix(f[i-1], ","), 64)
			}
		}
	}
	if err != nil {
		return m, fmt.Errorf("%w: %s", err, m.summary)
	}
	return m, nil
}

// usersList writes the dataset's first n users to a file in dir.
func usersList(dir, name string, n int) (string, error) {
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriter(f)
	for i := range n {
		fmt.Fprintln(w, datasetUser(int64(i)))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	return p, f.Close()
}
