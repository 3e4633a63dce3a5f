package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The peers are what a team would run instead: a friends(owner, friend)
// table in PostgreSQL with synchronous_commit on, and Redis sets with every
// write appended and fsynced. Each is started on loopback in a temporary
// directory and driven by its own load tool (pgbench, redis-benchmark) at
// the same connection count and duration, so the figures sit in the same
// run as Amity's.

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// pgBin finds a PostgreSQL server binary.
func pgBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) == 0 {
		return "", fmt.Errorf("%s not found (make bench-peers installs PostgreSQL)", name)
	}
	return matches[len(matches)-1], nil
}

// asPostgres runs a PostgreSQL binary as the postgres user when we are root
// (initdb refuses root).
func asPostgres(ctx context.Context, bin string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	}
	return exec.CommandContext(ctx, bin, args...)
}

var pgbenchTPS = regexp.MustCompile(`tps = ([0-9.]+)`)
var pgbenchLat = regexp.MustCompile(`latency average = ([0-9.]+) ms`)

func postgresPeer(ctx context.Context, o options, stderr io.Writer) ([]result, error) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		return nil, err
	}
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "amity-peer-pg-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	conn, stop, err := startPostgres(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer stop()
	n := o.users
	setup := fmt.Sprintf(`CREATE TABLE friends (owner bigint, friend bigint, create_time bigint NOT NULL, PRIMARY KEY (owner, friend));
INSERT INTO friends SELECT i, (i + d) %% %[1]d, 0 FROM generate_series(0, %[1]d - 1) i, generate_series(1, 5) d;
INSERT INTO friends SELECT (i + d) %% %[1]d, i, 0 FROM generate_series(0, %[1]d - 1) i, generate_series(1, 5) d ON CONFLICT DO NOTHING;
ANALYZE friends;`, n)
	if out, err := exec.CommandContext(ctx, psql, append(conn, "-q", "-v", "ON_ERROR_STOP=1", "-c", setup)...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("setup: %v\n%s", err, out)
	}
	var out []result
	for _, sc := range pgScripts(n) {
		fmt.Fprintf(stderr, "running %s for %s at %d connections\n", sc.name, o.duration, o.conns)
		r, err := runPgbench(ctx, pgbench, conn, filepath.Join(dir, "script.sql"), o, sc.name, sc.sql)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// startPostgres starts a PostgreSQL server of its own in dir, syncing
// every commit, and returns psql's connection arguments and its stop.
func startPostgres(ctx context.Context, dir string) (conn []string, stop func(), err error) {
	initdb, err := pgBin("initdb")
	if err != nil {
		return nil, nil, err
	}
	pgctl, _ := pgBin("pg_ctl")
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "-R", "postgres", dir).CombinedOutput(); err != nil {
			return nil, nil, fmt.Errorf("chown: %v %s", err, out)
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := asPostgres(ctx, initdb, "-D", data, "-U", "postgres", "--auth=trust").CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c fsync=on -c max_connections=200", port, dir)
	if out, err := asPostgres(ctx, pgctl, "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start").CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("pg_ctl start: %v\n%s", err, out)
	}
	stop = func() { _ = asPostgres(context.Background(), pgctl, "-D", data, "-m", "fast", "stop").Run() }
	return []string{"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "postgres"}, stop, nil
}

// pgScripts are the pgbench scripts of the workloads PostgreSQL is
// compared in, over n users.
func pgScripts(n int) []struct{ name, sql string } {
	var ids, list []string
	for i := range 20 {
		ids = append(ids, fmt.Sprintf(`\set t%d random(0, %d)`, i, n-1))
		list = append(list, fmt.Sprintf(":t%d", i))
	}
	return []struct{ name, sql string }{
		{"PostgreSQL two-way insert (pgbench)", `\set a random(1000000, 1000000000)
\set b random(1000000, 1000000000)
BEGIN;
INSERT INTO friends VALUES (:a, :b, 1) ON CONFLICT DO NOTHING;
INSERT INTO friends VALUES (:b, :a, 1) ON CONFLICT DO NOTHING;
COMMIT;`},
		{"PostgreSQL two-way check of 20 (pgbench)", fmt.Sprintf(`\set u random(0, %d)
%s
SELECT owner, friend FROM friends WHERE (owner = :u AND friend IN (%[3]s)) OR (friend = :u AND owner IN (%[3]s));`,
			n-1, strings.Join(ids, "\n"), strings.Join(list, ", "))},
	}
}

// runPgbench runs sql through pgbench for --duration at --conns
// connections, from the script file at f.
func runPgbench(ctx context.Context, pgbench string, conn []string, f string, o options, name, sql string) (result, error) {
	if err := os.WriteFile(f, []byte(sql+"\n"), 0o644); err != nil {
		return result{}, err
	}
	args := append(slices.Clone(conn), "-n", "-c", strconv.Itoa(o.conns), "-j", "2", "-T", strconv.Itoa(int(o.duration.Seconds())), "-f", f, "postgres")
	b, err := exec.CommandContext(ctx, pgbench, args...).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("pgbench: %v\n%s", err, b)
	}
	tps, lat := pgbenchTPS.FindSubmatch(b), pgbenchLat.FindSubmatch(b)
	if tps == nil || lat == nil {
		return result{}, fmt.Errorf("pgbench output: %s", b)
	}
	rate, _ := strconv.ParseFloat(string(tps[1]), 64)
	avg, _ := strconv.ParseFloat(string(lat[1]), 64)
	return result{name: name, ops: int64(rate * o.duration.Seconds()), elapsed: o.duration,
		p50: time.Duration(avg * float64(time.Millisecond)), avgOnly: true}, nil
}

func redisPeer(ctx context.Context, o options, stderr io.Writer) ([]result, error) {
	server, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not found (make bench-peers installs it)")
	}
	bench, err := exec.LookPath("redis-benchmark")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "amity-peer-redis-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	srv := exec.CommandContext(ctx, server, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "")
	if err := srv.Start(); err != nil {
		return nil, err
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprint("127.0.0.1:", port)); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("redis did not start")
		}
	}
	checkArgs := []string{"EVAL", "local r = {} for i = 2, #ARGV do r[#r+1] = redis.call('SISMEMBER', 'f:'..ARGV[1], ARGV[i]) r[#r+1] = redis.call('SISMEMBER', 'f:'..ARGV[i], ARGV[1]) end return r", "0"}
	for range 21 {
		checkArgs = append(checkArgs, "__rand_int__")
	}
	cmds := []struct {
		name string
		args []string
	}{
		{"Redis two-way add, two SADDs (redis-benchmark)", []string{"EVAL", "redis.call('SADD', 'f:'..ARGV[1], ARGV[2]) redis.call('SADD', 'f:'..ARGV[2], ARGV[1])", "0", "__rand_int__", "__rand_int__"}},
		{"Redis two-way check of 20 (redis-benchmark)", checkArgs},
	}
	var out []result
	for _, c := range cmds {
		fmt.Fprintf(stderr, "running %s at %d connections\n", c.name, o.conns)
		// A count that takes about the duration at the rates seen here.
		args := append([]string{"-p", strconv.Itoa(port), "-c", strconv.Itoa(o.conns), "-n", strconv.Itoa(20000 * int(o.duration.Seconds())),
			"-r", "1000000000", "--csv"}, c.args...)
		b, err := exec.CommandContext(ctx, bench, args...).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("redis-benchmark: %v\n%s", err, b)
		}
		recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil || len(recs) < 2 || len(recs[1]) < 7 {
			return nil, fmt.Errorf("redis-benchmark output: %s", b)
		}
		rps, _ := strconv.ParseFloat(recs[1][1], 64)
		p50, _ := strconv.ParseFloat(recs[1][4], 64)
		p99, _ := strconv.ParseFloat(recs[1][6], 64)
		out = append(out, result{name: c.name, ops: int64(rps), elapsed: time.Second,
			p50: time.Duration(p50 * float64(time.Millisecond)), p99: time.Duration(p99 * float64(time.Millisecond))})
	}
	return out, nil
}
