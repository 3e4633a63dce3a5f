package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/nats-io/nats.go"
)

// withStoppedStream opens the stream of a stopped service's data
// directory (making it if there is none) on a server of its own, and runs
// fn on it.
func withStoppedStream(t *testing.T, dataDir string, fn func(ctx context.Context, store *eventstore.Store, nc *nats.Conn)) {
	t.Helper()
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: dataDir, Listen: "-"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	nc, err := ns.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx := context.Background()
	store, err := eventstore.Open(ctx, nc, eventstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	fn(ctx, store, nc)
}

// appendWhileStopped appends data on subject, after the subject's last
// message, to the stream of a stopped service's data directory.
func appendWhileStopped(t *testing.T, dataDir, subject, msgID, data string) uint64 {
	t.Helper()
	var seq uint64
	withStoppedStream(t, dataDir, func(ctx context.Context, store *eventstore.Store, _ *nats.Conn) {
		last, err := store.LastSubjectSeq(ctx, subject)
		if err != nil {
			t.Fatal(err)
		}
		if seq, err = store.Append(ctx, subject, last, msgID, []byte(data)); err != nil {
			t.Fatal(err)
		}
	})
	return seq
}

// readyDetail reads /readyz.
func readyDetail(t *testing.T, s *service) (int, healthDetail) {
	t.Helper()
	resp, err := http.Get(s.httpURL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d healthDetail
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, d
}

func TestBadMessagesNeitherStopNorBlockTheService(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	s := startService(t, testConfig, dataDir)
	z := s.zim(t, 1234567, "demo-secret")
	registerAll(t, z, []string{"alice", "bob", "carol"})
	apitest.WantCode(t, "add alice-bob", z.Post("AddFriends", map[string]any{"FromUserId": "alice", "FriendInfos": []fi{{"UserId": "bob"}}}), 0)
	s.stop(t)

	// A message that is no JSON on the pair's own partition, and an event
	// of a type no code knows on alice's user partition.
	pair := domain.Subject("demo", domain.PairKey("alice", "bob"), domain.DefaultPartitions)
	garbage := appendWhileStopped(t, dataDir, pair, "garbage-1", "\x00not a commit")
	unknown := appendWhileStopped(t, dataDir, domain.Subject("demo", domain.UserKey("alice"), domain.DefaultPartitions), "unknown-1",
		`{"id":"unknown-1","app":"demo","events":[{"id":"e1","type":"FriendPoked","version":1,"app":"demo","time":"2026-01-01T00:00:00Z","data":{"user":"alice"}}]}`)

	s = startService(t, testConfig, dataDir)
	code, d := readyDetail(t, s)
	if code != http.StatusOK || d.Status != "ready" || d.Skipped != 2 {
		t.Fatalf("/readyz = %d %+v, want ready with 2 skipped messages", code, d)
	}
	if len(d.SkippedRecent) != 2 || d.SkippedRecent[0].Seq != garbage || d.SkippedRecent[1].Seq != unknown {
		t.Errorf("skipped_recent = %+v, want sequences %d and %d", d.SkippedRecent, garbage, unknown)
	}
	// It answers and writes, on the very partitions of the bad messages.
	z = s.zim(t, 1234567, "demo-secret")
	if r := z.Post("CheckFriendsRelation", map[string]any{"FromUserId": "alice", "UserIds": []string{"bob"}, "CheckType": 1}); r.Code != 0 || apitest.Relations(r)["bob"] == 0 {
		t.Errorf("check after restart = %+v, want alice and bob friends", r)
	}
	apitest.WantCode(t, "delete alice-bob", z.Post("DeleteFriends", map[string]any{"FromUserId": "alice", "UserIds": []string{"bob"}, "DeleteType": 0}), 0)
	apitest.WantCode(t, "add alice-carol", z.Post("AddFriends", map[string]any{"FromUserId": "alice", "FriendInfos": []fi{{"UserId": "carol"}}}), 0)
	// A new user whose commits go where the unknown event went.
	next := "dave"
	for i := 0; domain.UserKey(next).Partition(domain.DefaultPartitions) != domain.UserKey("alice").Partition(domain.DefaultPartitions); i++ {
		next = fmt.Sprint("dave", i)
	}
	apitest.WantCode(t, "register "+next, z.Post("UserRegister", map[string]any{"UserInfo": []map[string]any{{"UserId": next}}}), 0)

	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, []string{"verify", "--nats-url", s.natsURL}, func(string) string { return "" }, &out, &errb); err != nil {
		t.Fatalf("verify: %v\n%s%s", err, out.String(), errb.String())
	}
	for _, want := range []string{fmt.Sprintf("sequences [%d %d]", garbage, unknown), "FriendPoked", "the read models equal a replay"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("verify output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestReadyzNamesTheEmbeddedServersAddress: /readyz names the address the
// embedded NATS server listens on, as the start prints it, not the
// in-process connection's placeholder URL.
func TestReadyzNamesTheEmbeddedServersAddress(t *testing.T) {
	t.Parallel()
	s := startService(t, testConfig, "")
	printed := natsLine.FindStringSubmatch(s.stdout.String())
	if printed == nil {
		t.Fatalf("no NATS address printed:\n%s", s.stdout)
	}
	if _, d := readyDetail(t, s); d.NATSServer != printed[1] || strings.HasSuffix(d.NATSServer, ":4222") {
		t.Errorf("/readyz nats_server = %q, want the printed %q", d.NATSServer, printed[1])
	}
}
