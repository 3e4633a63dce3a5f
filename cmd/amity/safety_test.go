package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestARunningServiceLocksItsDataDirectory: neither a second service nor a
// tool opens the store of a running service.
func TestARunningServiceLocksItsDataDirectory(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	startService(t, testConfig, dataDir)
	cfg := writeConfig(t, withTestAdmin(t, testConfig))
	for name, args := range map[string][]string{
		"replay": {"replay", "--data-dir", dataDir},
		"serve":  {"serve", "--config", cfg, "--data-dir", dataDir, "--http", "127.0.0.1:0", "--nats-listen", "-"},
	} {
		var out, errb bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := run(ctx, args, func(string) string { return "" }, &out, &errb)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "in use by another amity process") {
			t.Errorf("%s on a running service's data dir: %v, want it refused as in use", name, err)
		}
	}
}

// TestNATSStartFailureSaysWhy: a port in use fails the start at once with
// the server's own words, not after a 30s wait.
func TestNATSStartFailureSaysWhy(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cfg := writeConfig(t, withTestAdmin(t, testConfig))
	var out, errb bytes.Buffer
	start := time.Now()
	err = run(context.Background(), []string{"serve", "--config", cfg, "--data-dir", t.TempDir(), "--http", "127.0.0.1:0",
		"--nats-listen", l.Addr().String()}, func(string) string { return "" }, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "nats-server:") || !strings.Contains(err.Error(), l.Addr().String()) {
		t.Fatalf("serve on a NATS port in use: %v, want the server's error naming the port", err)
	}
	t.Logf("refused in %s: %v", time.Since(start).Round(time.Millisecond), err)
	if time.Since(start) > 20*time.Second {
		t.Errorf("the start failure took %s; the server's error should end the wait", time.Since(start))
	}
}

// TestSnapshotOfAnotherStreamIsRefused: a snapshot copied from another data
// directory is refused, and the service replays its own stream instead.
func TestSnapshotOfAnotherStreamIsRefused(t *testing.T) {
	t.Parallel()
	dirA, dirB := t.TempDir(), t.TempDir()
	args := []string{"--snapshot-interval", "0"}
	a := startService(t, testConfig, dirA, args...)
	za := a.zim(t, 1234567, "demo-secret")
	registerAll(t, za, []string{"ann", "ben"})
	apitest.WantCode(t, "add ann-ben", za.Post("AddFriends", map[string]any{"FromUserId": "ann", "FriendInfos": []fi{{"UserId": "ben"}}}), 0)
	a.stop(t)

	b := startService(t, testConfig, dirB, args...)
	registerAll(t, b.zim(t, 1234567, "demo-secret"), []string{"cat"})
	want := liveDigest(t, b.natsURL)
	b.stop(t)
	snap, err := os.ReadFile(snapshotPath(dirA))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(snapshotPath(dirB), snap, 0o600); err != nil {
		t.Fatal(err)
	}
	b = startService(t, testConfig, dirB, args...)
	if out := b.stdout.String(); !strings.Contains(out, "not of this one") || strings.Contains(out, "snapshot loaded") {
		t.Errorf("a foreign snapshot was not refused:\n%s", out)
	}
	if got := liveDigest(t, b.natsURL); got.Sum != want.Sum || got.Users != 1 {
		t.Errorf("state after a refused foreign snapshot: %d users, digest %s; want %d, %s", got.Users, got.Sum, want.Users, want.Sum)
	}
}

func writeConfig(t *testing.T, config string) string {
	t.Helper()
	path := t.TempDir() + "/amity.json"
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSlowBodiesAreCutOff: a client that sends its body a byte at a time
// loses the connection at the read timeout, credentials or not.
func TestSlowBodiesAreCutOff(t *testing.T) {
	t.Parallel()
	s := startService(t, testConfig, "", "--http-read-timeout", "1s")
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.httpURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST /?Action=AddFriends HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// The slow client: a byte every half second, for ten seconds at most.
	closed := false
	trickle := time.NewTicker(500 * time.Millisecond)
	defer trickle.Stop()
	for i := 0; i < 20 && !closed; i++ {
		<-trickle.C
		if _, err := conn.Write([]byte(" ")); err != nil {
			closed = true
		}
	}
	if !closed {
		// A closed connection may take a write or two to show; a read
		// that ends other than by its own deadline tells.
		_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, err := conn.Read(make([]byte, 512))
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the slow body's connection is still open after %s", time.Since(start))
		}
	}
	t.Logf("slow body cut off after %s", time.Since(start).Round(time.Millisecond))
}

// TestAppSubscriberOfTheService: a subscriber login of the apps file gets
// its app's notifications from the running service and reads its app's
// commits, and nothing of another app's.
func TestAppSubscriberOfTheService(t *testing.T) {
	t.Parallel()
	cfg := `{"apps":[
 {"name":"demo","zim":{"app_id":1234567,"server_secret":"demo-secret","qps":1000000}},
 {"name":"other","zim":{"app_id":7654321,"server_secret":"other-secret","qps":1000000}}],
 "nats_users":[{"user":"test-ops","password":"test-ops-secret","admin":true},
  {"user":"chat","password":"chat-secret","apps":["demo"]}]}`
	s := startService(t, cfg, "")
	u, err := url.Parse(s.natsURL)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect("nats://"+u.Host, nats.UserInfo("chat", "chat-secret"), nats.CustomInboxPrefix("_INBOX.chat"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	notes, err := nc.SubscribeSync("amity.demo.notify.>")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, app := range []struct {
		id     uint32
		secret string
	}{{1234567, "demo-secret"}, {7654321, "other-secret"}} {
		z := s.zim(t, app.id, app.secret)
		registerAll(t, z, []string{"ann", "ben"})
		apitest.WantCode(t, "add", z.Post("AddFriends", map[string]any{"FromUserId": "ann", "FriendInfos": []fi{{"UserId": "ben"}}}), 0)
	}
	if m, err := notes.NextMsg(10 * time.Second); err != nil || !strings.HasPrefix(m.Subject, "amity.demo.notify.") {
		t.Fatalf("subscriber's notification: %v, %v", m, err)
	}
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	subjects, err := testenv.ReadSubjects(ctx, nc, eventstore.StreamName, "amity.demo.>")
	if err != nil || len(subjects) == 0 {
		t.Fatalf("subscriber reads its app's commits: %v, %v", subjects, err)
	}
	for _, subj := range subjects {
		if !strings.HasPrefix(subj, "amity.demo.") {
			t.Errorf("subscriber read %s", subj)
		}
	}
	short, stop := context.WithTimeout(ctx, time.Second)
	defer stop()
	if _, err := js.OrderedConsumer(short, eventstore.StreamName, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"amity.other.>"}}); err == nil {
		t.Error("the subscriber of demo opened a consumer on other's commits")
	}
}
