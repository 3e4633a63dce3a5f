package client_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/testenv/jstest"
)

// nodeModules is where `make test-deps` installs the npm packages the
// tests use (the Node.js example's nats client among them).
var nodeModules = filepath.Join("..", "test-output", "npm", "node_modules")

// TestNodeSubscriber runs the Node.js example (examples/node-subscriber),
// written from /asyncapi.yaml, as the app's subscriber: it reads every
// commit after its position, says it has caught up, then gets a new one
// live. Without Node.js or its nats package the test fails in CI, where
// make test-deps installs them, and elsewhere skips saying why.
func TestNodeSubscriber(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(nodeModules, "nats", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no Node.js or no nats package for the Node.js example in CI (%v); make test-deps installs them", err)
		}
		t.Skipf("no Node.js or no nats package for the Node.js example (%v); make test-deps installs nats from the npm registry (needs node and npm)", err)
	}
	s := jstest.StartServer(t)
	s.Users(6)
	var last uint64
	for i := range 5 {
		last = s.Write(domain.AddFriend{User: fmt.Sprint("u", i), Friend: fmt.Sprint("u", i+1), Reverse: &domain.Entry{}})
	}
	cmd := exec.Command(node, filepath.Join("..", "examples", "node-subscriber", "subscriber.cjs"), "--url", s.URL(),
		"--user", jstest.Subscriber, "--password", jstest.SubscriberPassword, "--app", "demo", "--after", "2")
	abs, _ := filepath.Abs(nodeModules)
	cmd.Env = append(os.Environ(), "NODE_PATH="+abs)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	type line struct {
		Seq      uint64   `json:"seq"`
		Types    []string `json:"types"`
		CaughtUp *uint64  `json:"caught_up"`
	}
	lines := make(chan line, 64)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var l line
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Errorf("the example printed %q", sc.Text())
				continue
			}
			lines <- l
		}
		close(lines)
	}()
	next := func() line {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the example ended")
			}
			return l
		case <-time.After(30 * time.Second):
			t.Fatal("the example said nothing for 30s")
		}
		return line{}
	}
	for seq := uint64(3); seq <= last; seq++ {
		if l := next(); l.Seq != seq || len(l.Types) != 1 || l.Types[0] != domain.TypeFriendAdded {
			t.Fatalf("read %+v, want commit %d, a FriendAdded", l, seq)
		}
	}
	if l := next(); l.CaughtUp == nil || *l.CaughtUp != last {
		t.Fatalf("after the stored commits: %+v, want caught up at %d", l, last)
	}
	live := s.Write(domain.DeleteFriend{User: "u0", Friend: "u1", Both: true})
	if l := next(); l.Seq != live || l.Types[0] != domain.TypeFriendDeleted {
		t.Errorf("live: %+v, want commit %d, a FriendDeleted", l, live)
	}
}
