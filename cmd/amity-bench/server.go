package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	benchAppID    = 1234567
	benchSecret   = "bench-secret"
	benchSDKAppID = 1400000001
	benchKey      = "bench-key"
	benchYXKey    = "bench-yx-key"
	benchYXSecret = "bench-yx-secret"
	benchConfig   = `{"apps":[{"name":"bench","zim":{"app_id":1234567,"server_secret":"bench-secret","qps":100000000},
	 "tencent":{"sdkappid":1400000001,"secret_key":"bench-key","admins":["administrator"],"qps":100000000},
	 "yunxin":{"app_key":"bench-yx-key","app_secret":"bench-yx-secret","qps":100000000}}],
	 "nats_users":[{"user":"bench","password":"bench-nats-secret","admin":true}]}`
	// benchNATSLogin is the admin login of benchConfig, put in the NATS URL.
	benchNATSLogin = "bench:bench-nats-secret"
)

// server is an amity process started for one run.
type server struct {
	cmd     *exec.Cmd
	httpURL string
	natsURL string
	// ready is how long the process took from start to a 200 on /healthz.
	ready   time.Duration
	exited  chan struct{}
	waitErr error
}

// buildAmity builds ./cmd/amity into dir.
func buildAmity(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "amity")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/amity")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build amity: %w", err)
	}
	return bin, nil
}

var (
	httpLine = regexp.MustCompile(`http listening on (http://\S+)`)
	natsLine = regexp.MustCompile(`nats (nats://\S+),`)
)

func startServer(ctx context.Context, bin, dir string, syncInterval time.Duration, pprofAddr string, stderr io.Writer) (*server, error) {
	args := []string{"--nats-listen", "127.0.0.1:0", "--sync-interval", syncInterval.String()}
	if pprofAddr != "" {
		args = append(args, "--pprof", pprofAddr)
	}
	s, err := startProcess(ctx, bin, dir, filepath.Join(dir, "data"), args, stderr)
	if err != nil {
		return nil, err
	}
	s.natsURL = strings.Replace(s.natsURL, "nats://", "nats://"+benchNATSLogin+"@", 1)
	return s, nil
}

// startProcess starts amity serve with the bench config on dataDir, with
// args added, and waits until it is ready.
func startProcess(ctx context.Context, bin, dir, dataDir string, args []string, stderr io.Writer) (*server, error) {
	begin := time.Now()
	cfg := filepath.Join(dir, "bench.json")
	if err := os.WriteFile(cfg, []byte(benchConfig), 0o600); err != nil {
		return nil, fmt.Errorf("write config: %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--config", cfg, "--data-dir", dataDir,
		"--http", "127.0.0.1:0", "--log-level", "warn", "--consumers-start", "new", "--snapshot-interval", "0"}, args...)...)
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start amity: %w", err)
	}
	s := &server{cmd: cmd, exited: make(chan struct{})}
	exited := s.exited
	go func() { s.waitErr = cmd.Wait(); close(exited) }()
	found := make(chan [2]string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		var httpURL string
		for sc.Scan() {
			if m := httpLine.FindStringSubmatch(sc.Text()); m != nil {
				httpURL = m[1]
			}
			if m := natsLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- [2]string{httpURL, m[1]}
			}
		}
	}()
	select {
	case urls := <-found:
		s.httpURL, s.natsURL = urls[0], urls[1]
	case <-time.After(60 * time.Second):
		s.stop()
		return nil, fmt.Errorf("amity printed no address in 60s")
	}
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-exited:
			return nil, fmt.Errorf("amity exited before it was ready: %v", s.waitErr)
		default:
		}
		if resp, err := http.Get(s.httpURL + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.ready = time.Since(begin)
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("amity not ready in 10 minutes")
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(60 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// usage reads the server process's CPU time so far and its peak resident
// memory (Linux /proc; zero elsewhere).
func (s *server) usage() (cpu time.Duration, peakRSS int64) {
	pid := s.cmd.Process.Pid
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// Fields after the command name: state is field 3; utime, stime are 14, 15.
		if i := bytes.LastIndexByte(b, ')'); i > 0 {
			f := strings.Fields(string(b[i+1:]))
			if len(f) > 13 {
				ut, _ := strconv.ParseInt(f[11], 10, 64)
				st, _ := strconv.ParseInt(f[12], 10, 64)
				cpu = time.Duration(ut+st) * time.Second / clockTicks
			}
		}
	}
	peakRSS, _ = s.memory()
	return cpu, peakRSS
}

// memory reads the server's peak and current resident memory.
func (s *server) memory() (peak, current int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmHWM:":
			peak = kb * 1024
		case "VmRSS:":
			current = kb * 1024
		}
	}
	return peak, current
}

// clockTicks is Linux's USER_HZ, the unit of /proc/<pid>/stat times.
const clockTicks = 100
