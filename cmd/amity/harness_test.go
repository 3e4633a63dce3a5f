package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const testConfig = `{"apps":[
 {"name":"demo","zim":{"app_id":1234567,"server_secret":"demo-secret","qps":1000000}},
 {"name":"other","max_blocked":2,"zim":{"app_id":7654321,"server_secret":"other-secret","qps":1000000}},
 {"name":"slow","zim":{"app_id":42,"server_secret":"slow-secret","qps":2}}
]}`

// syncBuffer is a bytes.Buffer safe for the service and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The NATS admin login startService adds to a config without NATS users.
const (
	testAdmin         = "test-ops"
	testAdminPassword = "test-ops-secret"
)

// withTestAdmin adds the test admin to config's NATS users, unless it
// names users of its own.
func withTestAdmin(t testing.TB, config string) string {
	t.Helper()
	var fc map[string]any
	if err := json.Unmarshal([]byte(config), &fc); err != nil {
		return config // a test of a broken config
	}
	if _, ok := fc["nats_users"]; ok {
		return config
	}
	fc["nats_users"] = []map[string]any{{"user": testAdmin, "password": testAdminPassword, "admin": true}}
	b, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// loginURL puts a login into a printed NATS URL, replacing a redacted one.
func loginURL(natsURL, user, password string) string {
	u, err := url.Parse(natsURL)
	if err != nil {
		return natsURL
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

// service is an Amity started by run() on loopback ports.
type service struct {
	httpURL string
	natsURL string
	dataDir string
	stdout  *syncBuffer
	stderr  *syncBuffer
	cancel  context.CancelFunc
	done    chan error
}

var (
	httpLine = regexp.MustCompile(`http listening on (http://\S+)`)
	natsLine = regexp.MustCompile(`nats (nats://\S+),`)
)

// startService runs `amity serve` in-process with config on random ports and
// waits until /healthz answers 200. dataDir "" uses a new temporary one.
func startService(t testing.TB, config, dataDir string, extra ...string) *service {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	cfgPath := filepath.Join(t.TempDir(), "amity.json")
	if err := os.WriteFile(cfgPath, []byte(withTestAdmin(t, config)), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve", "--config", cfgPath, "--data-dir", dataDir,
		"--http", "127.0.0.1:0", "--nats-listen", "127.0.0.1:0", "--log-level", "warn"}, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	s := &service{dataDir: dataDir, stdout: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	stderr := &syncBuffer{}
	s.stderr = stderr
	go func() { s.done <- run(ctx, args, func(string) string { return "" }, s.stdout, stderr) }()
	t.Cleanup(func() { s.stop(t) })
	ready := testenv.Eventually(60*time.Second, func() bool {
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("amity exited early: %v\nstdout:\n%s\nstderr:\n%s", err, s.stdout, stderr)
		default:
		}
		if m := httpLine.FindStringSubmatch(s.stdout.String()); m != nil && s.httpURL == "" {
			s.httpURL = m[1]
		}
		if s.httpURL == "" {
			return false
		}
		resp, err := http.Get(s.httpURL + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if ready {
		// The NATS line comes after the HTTP one, and before ready.
		if n := natsLine.FindStringSubmatch(s.stdout.String()); n != nil {
			s.natsURL = loginURL(n[1], testAdmin, testAdminPassword)
		}
		if i := slices.Index(extra, "--nats-url"); i >= 0 {
			s.natsURL = extra[i+1] // printed without its password
		}
		return s
	}
	t.Fatalf("amity not ready in 60s\nstdout:\n%s\nstderr:\n%s", s.stdout, stderr)
	return nil
}

func (s *service) stop(t testing.TB) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("amity returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("amity did not stop within 30s")
	}
}

type fi = map[string]any // a FriendInfos item

// zim calls the ZIM surface as app appID.
func (s *service) zim(t testing.TB, appID uint32, secret string) *apitest.ZIM {
	return apitest.NewZIM(t, s.httpURL, appID, secret)
}

// streamLastSeq reads the AMITY stream's last sequence over NATS.
func (s *service) streamLastSeq(t testing.TB) uint64 {
	t.Helper()
	js := s.jetstream(t)
	st, err := js.Stream(context.Background(), eventstore.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.LastSeq
}

func (s *service) jetstream(t testing.TB) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(s.natsURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// until waits for cond, looking every few milliseconds, a minute at most.
func until(t *testing.T, cond func() bool) {
	t.Helper()
	testenv.WaitFor(t, time.Minute, "condition", cond)
}

// heavy admits two heavy tests at a time: those that drive a service (or a
// cluster) as hard as they can. More of them at once on two cores only
// stretch each one's waits past its timeouts and make every one of them
// slower; the light tests run beside them.
var heavy = make(chan struct{}, 2)

// heavyTest marks t parallel, and heavy: it waits for one of the two
// places, and gives it back when it ends.
func heavyTest(t *testing.T) {
	t.Helper()
	t.Parallel()
	heavy <- struct{}{}
	t.Cleanup(func() { <-heavy })
}
