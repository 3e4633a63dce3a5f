package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/jstest"
)

// counts is the example service running as a process of its own.
type counts struct {
	cmd  *exec.Cmd
	base string
}

var answering = regexp.MustCompile(`answering on (http://\S+)/counts`)

// startCounts runs the example binary bin against the server at url,
// keeping its state in statePath.
func startCounts(t *testing.T, bin, url, statePath string) *counts {
	t.Helper()
	cmd := exec.Command(bin, "--nats-url", url, "--user", jstest.Subscriber, "--password", jstest.SubscriberPassword, "--app", "demo",
		"--http", "127.0.0.1:0", "--state", statePath, "--save-every", "20ms")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	m := answering.FindStringSubmatch(line)
	if err != nil || m == nil {
		t.Fatalf("the example said %q (%v)", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return &counts{cmd: cmd, base: m[1]}
}

type answer struct {
	User                       string
	Friends, Blocks, Followers int
	Seq                        uint64
}

func (c *counts) get(t *testing.T, user string) answer {
	t.Helper()
	resp, err := http.Get(c.base + "/counts?user=" + user)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestKilledMidStreamEndsEqualToAmity builds the example, runs it while
// commits are written, kills it (SIGKILL) after it has saved its state and
// starts it again: once it has read the last commit, every user's counts
// equal Amity's own read model.
func TestKilledMidStreamEndsEqualToAmity(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "counts")
	build := exec.Command("go", "build", "-o", bin, ".")
	// Built as make test builds the packages, it reuses what the test
	// build compiled: only its link is new.
	build.Env = append(os.Environ(), "GOFLAGS=-race -trimpath")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the example: %v\n%s", err, out)
	}
	s := jstest.StartServer(t)
	const users = 40
	s.Users(users)
	state := filepath.Join(t.TempDir(), "counts.json")
	c := startCounts(t, bin, s.URL(), state)

	u := func(i int) string { return fmt.Sprint("u", i%users) }
	var last uint64
	// write makes changes of every kind the example counts; a change the
	// graph refuses (already friends, blocking oneself) records nothing.
	write := func(from, to int) {
		for i := from; i < to; i++ {
			var cmd domain.Command
			switch i % 5 {
			case 0, 1:
				cmd = domain.AddFriend{User: u(i), Friend: u(i*7 + 3), Reverse: &domain.Entry{}}
			case 2:
				cmd = domain.FollowUser{User: u(i), Target: u(i + 11)}
			case 3:
				cmd = domain.BlockUser{User: u(i + 5), Target: u(i*3 + 1), EndFriendship: i%2 == 0}
			case 4:
				cmd = domain.DeleteFriend{User: u(i - 4), Friend: u((i-4)*7 + 3), Both: i%3 == 0}
			}
			if r := s.Inst.Writer.Execute(t.Context(), jstest.Demo, domain.Meta{}, cmd)[0]; r.Err == nil && r.Seq > 0 {
				last = r.Seq
			}
		}
	}
	write(0, 150)
	// Killed once it has saved a state partway, and started again.
	testenv.WaitFor(t, 30*time.Second, "a saved state", func() bool {
		b, err := os.ReadFile(state)
		var st struct{ Seq uint64 }
		return err == nil && json.Unmarshal(b, &st) == nil && st.Seq > 10
	})
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
	write(150, 300)
	c = startCounts(t, bin, s.URL(), state)
	write(300, 400)

	testenv.WaitFor(t, 60*time.Second, "the example to read the last commit", func() bool { return c.get(t, "u0").Seq == last })
	m := s.Inst.Model
	for i := range users {
		got := c.get(t, u(i))
		_, blocks := m.Blocklist("demo", u(i), 0, 0)
		want := answer{User: u(i), Friends: m.FriendCount("demo", u(i)), Blocks: blocks, Followers: m.FollowCounts("demo", u(i)).Fans, Seq: last}
		if got != want {
			t.Errorf("%s: the example counts %+v, Amity %+v", u(i), got, want)
		}
	}
}
