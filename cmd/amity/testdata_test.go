package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/amity-im/amity/internal/testenv/jstest"
	"github.com/amity-im/amity/projections"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var updateTestdata = flag.Bool("update-testdata", false, "rewrite testdata/stream-v1.* from the current build")

const (
	testdataStream = "testdata/stream-v1.jsonl"
	testdataDigest = "testdata/stream-v1.digest"
)

type storedRecord struct {
	Subject string          `json:"subject"`
	Seq     uint64          `json:"seq"`
	Data    json.RawMessage `json:"data"`
}

// TestTestdataStreamReplaysToItsDigest replays a stream written by schema
// version 1, kept in the repository, and checks the digest recorded when it
// was written: every later build must read old streams to the same state.
func TestTestdataStreamReplaysToItsDigest(t *testing.T) {
	t.Parallel()
	if *updateTestdata {
		writeTestdataStream(t)
	}
	want, err := os.ReadFile(testdataDigest)
	if err != nil {
		t.Fatal(err)
	}
	ctx, store, nc := jstest.StartJetStream(t)
	js, _ := jetstream.New(nc)
	last, types := loadTestdataStream(t, js)
	m, _, err := projections.Replay(ctx, store, last, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Digest().Sum; got != strings.TrimSpace(string(want)) {
		t.Errorf("testdata stream replays to %s, recorded %s", got, want)
	}
	// Every kind of state survives a snapshot.
	path := t.TempDir() + "/model.snap"
	if _, err := m.WriteSnapshot(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := projections.LoadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := loaded.Digest().Sum; got != strings.TrimSpace(string(want)) {
		t.Errorf("testdata state after a snapshot round trip: digest %s, recorded %s", got, want)
	}
	for _, typ := range []string{domain.TypeUserRegistered, domain.TypeUserDeleted, domain.TypeFriendAdded, domain.TypeFriendDeleted,
		domain.TypeFriendUpdated, domain.TypeGroupsAdded, domain.TypeGroupsDeleted, domain.TypeUserBlocked, domain.TypeUserUnblocked} {
		if !types[typ] {
			t.Errorf("the testdata stream holds no %s event", typ)
		}
	}
}

// loadTestdataStream publishes the testdata stream's records on an empty
// AMITY stream, each at its recorded sequence, and returns the last one
// and the event types it holds.
func loadTestdataStream(t *testing.T, js jetstream.JetStream) (uint64, map[string]bool) {
	t.Helper()
	f, err := os.Open(testdataStream)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var last uint64
	types := map[string]bool{}
	for sc.Scan() {
		var r storedRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		ack, err := js.Publish(context.Background(), r.Subject, r.Data)
		if err != nil {
			t.Fatal(err)
		}
		if ack.Sequence != r.Seq {
			t.Fatalf("record stored at %d, recorded at %d", ack.Sequence, r.Seq)
		}
		c, err := domain.UnmarshalCommit(r.Data)
		if err != nil {
			t.Fatalf("record %d: %v", r.Seq, err)
		}
		for _, ev := range c.Events {
			types[ev.Type] = true
		}
		last = r.Seq
	}
	return last, types
}

// TestAnAppOfTheLegacyPartitionCountKeepsWorking starts the service on a
// stream written before partition counts were recorded (the testdata
// stream, over 64 partitions): the app is recorded with 64, its existing
// pairs take writes on their own partitions, a restart replays it all, and
// an app new to the stream gets one partition.
func TestAnAppOfTheLegacyPartitionCountKeepsWorking(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	withStoppedStream(t, dataDir, func(_ context.Context, _ *eventstore.Store, nc *nats.Conn) {
		js, _ := jetstream.New(nc)
		loadTestdataStream(t, js)
	})
	s := startService(t, testConfig, dataDir)
	kv, err := s.jetstream(t).KeyValue(context.Background(), eventstore.AppsBucket)
	if err != nil {
		t.Fatal(err)
	}
	for app, want := range map[string]string{"demo": "64", "other": "1"} {
		if e, err := kv.Get(context.Background(), app); err != nil || string(e.Value()) != want {
			t.Fatalf("recorded partitions of %s: %v, %v; want %s", app, e, err, want)
		}
	}
	z := s.zim(t, 1234567, "demo-secret")
	check := func(want int) {
		t.Helper()
		r := z.Post("CheckFriendsRelation", map[string]any{"FromUserId": "ann", "UserIds": []string{"ben"}, "CheckType": 0})
		if got := apitest.Relations(r)["ben"]; r.Code != 0 || got != want {
			t.Fatalf("ann-ben relation %d (code %d), want %d", got, r.Code, want)
		}
	}
	check(6) // two-way friends in the testdata
	apitest.WantCode(t, "delete ann-ben", z.Post("DeleteFriends", map[string]any{"FromUserId": "ann", "UserIds": []string{"ben"}, "DeleteType": 0}), 0)
	check(3)
	apitest.WantCode(t, "add ann-ben", z.Post("AddFriends", map[string]any{"FromUserId": "ann", "FriendInfos": []fi{{"UserId": "ben"}}}), 0)
	last := s.streamLastSeq(t)
	msg, err := s.jetstream(t).Stream(context.Background(), eventstore.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	m, err := msg.GetMsg(context.Background(), last)
	if err != nil {
		t.Fatal(err)
	}
	if want := domain.Subject("demo", domain.PairKey("ann", "ben"), domain.LegacyPartitions); m.Subject != want {
		t.Errorf("the add was stored on %s, want the pair's legacy partition %s", m.Subject, want)
	}
	s.stop(t)
	s = startService(t, testConfig, dataDir, "--snapshot-interval", "0")
	z = s.zim(t, 1234567, "demo-secret")
	check(6)
}

// writeTestdataStream records a scripted history covering every event type.
func writeTestdataStream(t *testing.T) {
	t.Helper()
	ctx, store, _ := jstest.StartJetStream(t)
	inst := jstest.NewInstance(t, ctx, store)
	app := &domain.App{Name: "demo"}
	do := func(cmds ...domain.Command) {
		t.Helper()
		for _, r := range inst.Writer.Execute(ctx, app, domain.Meta{RequestID: "testdata", Surface: "zim"}, cmds...) {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
		}
	}
	alias := "Bee"
	do(domain.RegisterUser{User: "ann", Name: "Ann"}, domain.RegisterUser{User: "ben"}, domain.RegisterUser{User: "cat"},
		domain.RegisterUser{User: "dot.ted x*>"}, domain.RegisterUser{User: "eve"})
	do(domain.AddFriend{User: "ann", Friend: "ben", Entry: domain.Entry{Alias: "B", Attributes: map[string]string{"k0": "v"}}, Reverse: &domain.Entry{Wording: "hi"}})
	do(domain.AddFriend{User: "ann", Friend: "cat", Entry: domain.Entry{AddSource: "AddSource_Type_Web", Groups: []string{"Work"}}})
	do(domain.ImportFriend{User: "cat", Friend: "dot.ted x*>", Entry: domain.Entry{CreateTime: 1_600_000_000_000, Custom: map[string]domain.CustomValue{"Tag_SNS_Custom_Lvl": domain.IntValue(3)}}})
	do(domain.UpdateFriend{User: "ann", Friend: "ben", Alias: &alias, Attributes: map[string]string{"k1": "w"}, AddGroups: []string{"Close"}})
	do(domain.AddFriendGroups{User: "ann", Groups: []string{"Spare", "Old"}}, domain.DeleteFriendGroups{User: "ann", Groups: []string{"Old"}})
	do(domain.DeleteFriend{User: "ann", Friend: "cat"})
	do(domain.AddFriend{User: "ben", Friend: "eve", Reverse: &domain.Entry{}})
	do(domain.BlockUser{User: "eve", Target: "ben", EndFriendship: true}, domain.BlockUser{User: "ann", Target: "eve"})
	do(domain.UnblockUser{User: "ann", Target: "eve"})
	do(domain.DeleteUser{User: "cat"})
	last, err := store.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(testdataStream)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	_ = store.Follow(fctx, 1, func(r domain.Record) error {
		b, _ := json.Marshal(storedRecord{Subject: r.Subject, Seq: r.Seq, Data: r.Data})
		fmt.Fprintf(out, "%s\n", b)
		if r.Seq >= last {
			stop()
		}
		return nil
	})
	if err := inst.Model.WaitFollowed(ctx, last); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(testdataDigest, []byte(inst.Model.Digest().Sum+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}
