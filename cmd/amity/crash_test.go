package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/google/go-cmp/cmp"
)

// processFiles writes testConfig and names a data directory for a process
// that a test will kill and restart.
func processFiles(t *testing.T) (cfgPath, dataDir string) {
	t.Helper()
	dir := t.TempDir()
	cfgPath = filepath.Join(dir, "amity.json")
	if err := os.WriteFile(cfgPath, []byte(withTestAdmin(t, testConfig)), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath, filepath.Join(dir, "data")
}

// startProcess runs amity serve as a child process and waits for /healthz.
func startProcess(t *testing.T, cfgPath, dataDir string, extra ...string) (*service, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--config", cfgPath, "--data-dir", dataDir,
		"--http", "127.0.0.1:0", "--nats-listen", "127.0.0.1:0", "--log-level", "warn"}, extra...)...)
	cmd.Env = append(os.Environ(), "AMITY_TEST_AS_MAIN=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	s := &service{dataDir: dataDir}
	lines := bufio.NewScanner(out)
	found := make(chan struct{})
	go func() {
		for lines.Scan() {
			if m := httpLine.FindStringSubmatch(lines.Text()); m != nil {
				s.httpURL = m[1]
			}
			if m := natsLine.FindStringSubmatch(lines.Text()); m != nil {
				s.natsURL = loginURL(m[1], testAdmin, testAdminPassword)
				close(found)
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case <-found:
	case <-time.After(60 * time.Second):
		t.Fatal("amity process printed no addresses in 60s")
	}
	testenv.WaitFor(t, 60*time.Second, "ready amity process", func() bool {
		resp, err := http.Get(s.httpURL + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return s, cmd
}

func TestKill9DuringLoadLosesNoAcknowledgedAdd(t *testing.T) {
	heavyTest(t)
	if testing.Short() {
		t.Skip("starts and kills a process")
	}
	cfgPath, dataDir := processFiles(t)
	s, cmd := startProcess(t, cfgPath, dataDir)
	z := s.zim(t, 1234567, "demo-secret")
	const clients = 8
	all := apitest.IDs("k", clients*200)
	registerAll(t, z, all)

	type pair struct{ a, b string }
	var mu sync.Mutex
	var acked []pair
	var calls atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := all[c*200 : (c+1)*200]
			for i := 0; ctx.Err() == nil; i++ {
				from := mine[i%100]
				to := mine[100+(i*7+i/100)%100]
				var r zim.Answer
				err := z.C.Call(ctx, http.MethodPost, "AddFriends", nil,
					map[string]any{"FromUserId": from, "FriendInfos": []fi{{"UserId": to}}}, &r)
				if err != nil {
					return // the server died under us: this add was never acknowledged
				}
				calls.Add(1)
				if r.Code == 0 {
					mu.Lock()
					acked = append(acked, pair{from, to})
					mu.Unlock()
				}
			}
		}()
	}
	testenv.WaitFor(t, 60*time.Second, "400 calls under way", func() bool { return calls.Load() >= 400 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	cancel()
	wg.Wait()
	t.Logf("%d adds acknowledged before kill -9", len(acked))

	s2, _ := startProcess(t, cfgPath, dataDir)
	z2 := s2.zim(t, 1234567, "demo-secret")
	missing := 0
	for _, p := range acked {
		r := z2.Post("CheckFriendsRelation", map[string]any{"FromUserId": p.a, "UserIds": []string{p.b}, "CheckType": 0})
		if rel := apitest.Relations(r)[p.b]; rel != 6 {
			missing++
			if missing < 5 {
				t.Errorf("acknowledged add %s-%s: relation %d after restart, want 6", p.a, p.b, rel)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged adds lost", missing, len(acked))
	}
	live := liveLists(t, z2, all)
	rebuilt := modelLists(replayed(t, s2), "demo", all)
	if len(rebuilt) == 0 {
		t.Fatal("the rebuilt read model is empty")
	}
	if diff := cmp.Diff(rebuilt, live); diff != "" {
		t.Errorf("read model rebuilt from the stream differs from the live one (-rebuilt +live):\n%s", diff)
	}
}
