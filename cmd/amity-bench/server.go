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
	benchConfig   = `{"apps":[{"name":"bench","zim":{"app_id":1234567,"server_secret":"bench-secret","qps":100000000},
	 "tencent":{"sdkappid":1400000001,"secret_key":"bench-key","admins":["administrator"],"qps":100000000}}]}`
)

// server is an amity process started for one run.
type server struct {
	cmd     *exec.Cmd
	httpURL string
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

var httpLine = regexp.MustCompile(`http listening on (http://\S+)`)

func startServer(ctx context.Context, bin, dir string, syncInterval time.Duration, pprofAddr string, stderr io.Writer) (*server, error) {
	cfg := filepath.Join(dir, "bench.json")
	if err := os.WriteFile(cfg, []byte(benchConfig), 0o600); err != nil {
		return nil, fmt.Errorf("write config: %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, "serve", "--config", cfg, "--data-dir", filepath.Join(dir, "data"),
		"--http", "127.0.0.1:0", "--nats-listen", "-", "--log-level", "warn", "--sync-interval", syncInterval.String())
	if pprofAddr != "" {
		cmd.Args = append(cmd.Args, "--pprof", pprofAddr)
	}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start amity: %w", err)
	}
	s := &server{cmd: cmd}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := httpLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case s.httpURL = <-found:
	case <-time.After(60 * time.Second):
		s.stop()
		return nil, fmt.Errorf("amity printed no address in 60s")
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(s.httpURL + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("amity not ready in 60s")
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
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
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
				peakRSS = kb * 1024
			}
		}
	}
	return cpu, peakRSS
}

// clockTicks is Linux's USER_HZ, the unit of /proc/<pid>/stat times.
const clockTicks = 100
