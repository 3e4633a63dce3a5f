package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/amity-im/amity/internal/testenv/jstest"
	"github.com/amity-im/amity/projections"
	"github.com/nats-io/nats.go"
)

var appliedLine = regexp.MustCompile(`ready at stream sequence (\d+) \((\d+) commits applied from the stream\)`)

// readyLine returns the stream sequence and the commits applied at start.
func readyLine(t *testing.T, s *service) (seq, applied int) {
	t.Helper()
	m := appliedLine.FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("no ready line in:\n%s", s.stdout)
	}
	seq, _ = strconv.Atoi(m[1])
	applied, _ = strconv.Atoi(m[2])
	return seq, applied
}

func liveDigest(t *testing.T, natsURL string) projections.Digest {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	reply, err := nc.Request(adminDigest, nil, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var d projections.Digest
	if err := json.Unmarshal(reply.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSnapshotRestartAppliesOnlyTheTail(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	args := []string{"--snapshot-interval", "0"}
	s := startService(t, testConfig, dataDir, args...)
	z := s.zim(t, 1234567, "demo-secret")
	people := apitest.IDs("s", 30)
	registerAll(t, z, people)
	for i := 0; i < 10; i++ {
		apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": people[i], "FriendInfos": []fi{{"UserId": people[i+10]}}}), 0)
	}
	s.stop(t) // writes the snapshot
	snapA, err := os.ReadFile(snapshotPath(dataDir))
	if err != nil {
		t.Fatalf("no snapshot after a clean stop: %v", err)
	}

	// Restart: everything comes from the snapshot.
	s = startService(t, testConfig, dataDir, args...)
	firstSeq, applied := readyLine(t, s)
	if applied != 0 || !strings.Contains(s.stdout.String(), "snapshot loaded at sequence "+strconv.Itoa(firstSeq)) {
		t.Errorf("restart right after a snapshot applied %d commits:\n%s", applied, s.stdout)
	}
	z = s.zim(t, 1234567, "demo-secret")
	for i := 0; i < 5; i++ {
		apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": people[20+i], "FriendInfos": []fi{{"UserId": people[i]}}}), 0)
	}
	want := liveDigest(t, s.natsURL)
	s.stop(t)

	// Put back the older snapshot: only the five commits after it are read.
	if err := os.WriteFile(snapshotPath(dataDir), snapA, 0o600); err != nil {
		t.Fatal(err)
	}
	s = startService(t, testConfig, dataDir, args...)
	seq, applied := readyLine(t, s)
	if applied != 5 || seq != firstSeq+5 {
		t.Errorf("restart from an older snapshot: sequence %d, %d commits applied; want %d and 5", seq, applied, firstSeq+5)
	}
	if got := liveDigest(t, s.natsURL); got.Sum != want.Sum {
		t.Errorf("digest after snapshot + tail = %s, want %s", got.Sum, want.Sum)
	}
	s.stop(t)

	// A corrupted snapshot is refused: full replay, same digest.
	snap, _ := os.ReadFile(snapshotPath(dataDir))
	snap[len(snap)/2] ^= 0xff
	if err := os.WriteFile(snapshotPath(dataDir), snap, 0o600); err != nil {
		t.Fatal(err)
	}
	s = startService(t, testConfig, dataDir, args...)
	seq, applied = readyLine(t, s)
	if applied != seq || !strings.Contains(s.stdout.String(), "snapshot unusable: checksum mismatch; replaying the stream from the start") {
		t.Errorf("corrupted snapshot: %d of %d commits applied\n%s", applied, seq, s.stdout)
	}
	if got := liveDigest(t, s.natsURL); got.Sum != want.Sum {
		t.Errorf("digest after a full replay = %s, want %s", got.Sum, want.Sum)
	}

	// amity verify agrees, and amity replay prints the same digest.
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"verify", "--nats-url", s.natsURL}, func(string) string { return "" }, &out, &errb); err != nil {
		t.Errorf("verify: %v\n%s%s", err, out.String(), errb.String())
	}
	// Without a login, it says where one is given.
	bare, _ := url.Parse(s.natsURL)
	bare.User = nil
	if err := run(context.Background(), []string{"verify", "--nats-url", bare.String()}, func(string) string { return "" }, &out, &errb); err == nil ||
		!strings.Contains(err.Error(), "no login was given") || !strings.Contains(err.Error(), "--nats-user") || !strings.Contains(err.Error(), "AMITY_NATS_PASSWORD") {
		t.Errorf("verify with no login: %v", err)
	}
	if err := run(context.Background(), []string{"verify", "--nats-url", bare.String(), "--nats-user", "ops", "--nats-password", "wrong"}, func(string) string { return "" }, &out, &errb); err == nil ||
		!strings.Contains(err.Error(), "the login ops was refused") {
		t.Errorf("verify with a wrong login: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"replay", "--nats-url", s.natsURL}, func(string) string { return "" }, &out, &errb); err != nil ||
		!strings.Contains(out.String(), "digest "+want.Sum) || !strings.Contains(errb.String(), "replay: sequence") {
		t.Errorf("replay: %v\n%s\n%s", err, out.String(), errb.String())
	}
}

// TestVerifyNamesTheFirstDifferingUser answers verify's digest requests
// from a read model that holds a change the stream does not.
func TestVerifyNamesTheFirstDifferingUser(t *testing.T) {
	t.Parallel()
	ctx, store, nc := jstest.StartJetStream(t)
	live := jstest.NewInstance(t, ctx, store)
	app := &domain.App{Name: "demo"}
	for _, r := range live.Writer.Execute(ctx, app, domain.Meta{}, domain.RegisterUser{User: "ann"}, domain.RegisterUser{User: "ben"}, domain.RegisterUser{User: "cat"}) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if err := serveAdmin(nc, live.Model); err != nil {
		t.Fatal(err)
	}
	ns := nc.ConnectedUrl()
	var out, errb bytes.Buffer
	verify := func() error {
		out.Reset()
		errb.Reset()
		return run(ctx, []string{"verify", "--nats-url", ns}, func(string) string { return "" }, &out, &errb)
	}
	if err := verify(); err != nil {
		t.Fatalf("verify of an honest model: %v\n%s", err, out.String())
	}
	// A change that never reached the stream, on a partition the model has
	// already applied.
	subject := domain.Subject("demo", domain.UserKey("ben"), domain.DefaultPartitions)
	live.Model.Apply(subject, live.Model.PartitionSeq(subject)+1000, domain.Commit{ID: "x", App: "demo",
		Events: []domain.Event{{App: "demo", Data: domain.UserRegistered{User: "ben", Name: "not on the stream"}}}})
	err := verify()
	if err == nil || !strings.Contains(err.Error(), `user "ben"`) {
		t.Errorf("verify of a model with a change the stream lacks = %v, want it to name ben\n%s", err, out.String())
	}
}

func TestSnapshotAfterABusyStopHoldsEveryWrite(t *testing.T) {
	heavyTest(t)
	dataDir := t.TempDir()
	args := []string{"--snapshot-interval", "0"}
	s := startService(t, testConfig, dataDir, args...)
	z := s.zim(t, 1234567, "demo-secret")
	people := apitest.IDs("b", 64)
	registerAll(t, z, people)
	// Adds from many connections at once, stopped right after the last
	// answer: the in-order read is then behind what the writer applied.
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 8 {
				apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": people[g], "FriendInfos": []fi{{"UserId": people[32+(g+i)%32]}}}), 0)
			}
		}()
	}
	wg.Wait()
	want := liveDigest(t, s.natsURL)
	s.stop(t)

	s = startService(t, testConfig, dataDir, args...)
	seq, applied := readyLine(t, s)
	if applied != 0 || !strings.Contains(s.stdout.String(), "snapshot loaded at sequence "+strconv.Itoa(seq)) {
		t.Errorf("restart after a busy stop applied %d commits; the snapshot missed what the model held:\n%s", applied, s.stdout)
	}
	if got := liveDigest(t, s.natsURL); got.Sum != want.Sum {
		t.Errorf("digest after restart = %s, want %s", got.Sum, want.Sum)
	}
}
