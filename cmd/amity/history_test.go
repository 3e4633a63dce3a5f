package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/amity-im/amity/projections"
)

// historyAnswers reads, signed as app 1234567, each user's changes since 0
// and the history of each pair of neighbours: the raw answers.
func historyAnswers(t *testing.T, s *service, people []string) []string {
	t.Helper()
	var out []string
	get := func(path string, q url.Values) {
		sq := zim.SignedQuery("", 1234567, "demo-secret", fmt.Sprint(time.Now().UnixNano()), time.Now())
		for k, v := range q {
			sq[k] = v
		}
		resp, err := http.Get(s.httpURL + path + "?" + sq.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s %v: HTTP %d %s %v", path, q, resp.StatusCode, b, err)
		}
		out = append(out, string(b))
	}
	for i, p := range people {
		get("/v1/changes", url.Values{"user": {p}, "since": {"0"}})
		get("/v1/pairs/history", url.Values{"user_a": {p}, "user_b": {people[(i+1)%len(people)]}})
	}
	return out
}

// fromStream is how many events the service's history answers read from
// the stream, not the event log, and how many from the log.
func fromStream(t *testing.T, s *service) (stream, log float64) {
	t.Helper()
	fams := scrape(t, s)
	return value(fams, "amity_history_events_total", "source", "stream"), value(fams, "amity_history_events_total", "source", "log")
}

// TestHistoryAcrossRestarts: the read model's event log, beside the
// snapshot, is reopened by a restart and answers the history of before and
// after it; lost, it is replaced by a new one and the history from before
// is read from the stream; with no snapshot it is written again by the
// replay. Every time the answers are the same bytes.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestHistoryAcrossRestarts(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	args := []string{"--snapshot-interval", "0"}
	s := startService(t, testConfig, dataDir, args...)
	z := s.zim(t, 1234567, "demo-secret")
	people := apitest.IDs("h", 8)
	registerAll(t, z, people)
	for i := range people {
		apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": people[i], "FriendInfos": []fi{{"UserId": people[(i+1)%len(people)], "FriendAlias": "<a&b>"}}}), 0)
	}
	apitest.WantCode(t, "delete", z.Post("DeleteFriends", obj{"FromUserId": people[0], "UserIds": []string{people[1]}, "DeleteType": 0}), 0)
	s.stop(t) // writes the snapshot, and syncs the log first
	logPath := projections.EventLogPath(snapshotPath(dataDir))
	if st, err := os.Stat(logPath); err != nil || st.Size() < 1000 {
		t.Fatalf("event log after a stop: %v, %v", st, err)
	}

	s = startService(t, testConfig, dataDir, args...)
	if strings.Contains(s.stderr.String(), "event log") {
		t.Errorf("the event log was not reopened:\n%s", s.stderr)
	}
	z = s.zim(t, 1234567, "demo-secret")
	for i := range 4 {
		apitest.WantCode(t, "block", z.Post("AddUsersToBlacklist", obj{"FromUserId": people[i], "UserIds": []string{people[i+4]}}), 0)
	}
	want := historyAnswers(t, s, people)
	if stream, log := fromStream(t, s); stream != 0 || log < 20 {
		t.Errorf("after a restart, %v events read from the stream and %v from the log, want 0 and all", stream, log)
	}
	if !strings.Contains(want[0], "FriendDeleted") || !strings.Contains(want[0], "UserBlocked") || !strings.Contains(want[1], `\u003ca\u0026b\u003e`) {
		t.Fatalf("h0's changes and history lack events:\n%s\n%s", want[0], want[1])
	}
	s.stop(t)

	// The log lost: a new one, and the events before it from the stream.
	if err := os.Remove(logPath); err != nil {
		t.Fatal(err)
	}
	s = startService(t, testConfig, dataDir, args...)
	if !strings.Contains(s.stderr.String(), "event log not the snapshot's") {
		t.Errorf("no word of the lost event log:\n%s", s.stderr)
	}
	if got := historyAnswers(t, s, people); strings.Join(got, "") != strings.Join(want, "") {
		t.Errorf("answers with the log lost:\n%s\nwant\n%s", got, want)
	}
	if stream, _ := fromStream(t, s); stream < 20 {
		t.Errorf("with the log lost, %v events read from the stream", stream)
	}
	s.stop(t)

	// No snapshot: the replay writes the log again.
	if err := os.Remove(snapshotPath(dataDir)); err != nil {
		t.Fatal(err)
	}
	s = startService(t, testConfig, dataDir, args...)
	if got := historyAnswers(t, s, people); strings.Join(got, "") != strings.Join(want, "") {
		t.Errorf("answers after a full replay:\n%s\nwant\n%s", got, want)
	}
	if stream, _ := fromStream(t, s); stream != 0 {
		t.Errorf("after a full replay, %v events read from the stream", stream)
	}
	s.stop(t)
	if st, err := os.Stat(logPath); err != nil || st.Size() < 1000 {
		t.Fatalf("event log after a full replay: %v, %v", st, err)
	}

	// amity replay --write-snapshot writes the log its snapshot points into.
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"replay", "--data-dir", dataDir, "--write-snapshot"}, func(string) string { return "" }, &out, &errb); err != nil {
		t.Fatalf("replay: %v\n%s%s", err, out.String(), errb.String())
	}
	s = startService(t, testConfig, dataDir, args...)
	if !strings.Contains(s.stdout.String(), "snapshot loaded") || strings.Contains(s.stderr.String(), "event log") {
		t.Errorf("the replay's snapshot or event log was not taken:\n%s\n%s", s.stdout, s.stderr)
	}
	if got := historyAnswers(t, s, people); strings.Join(got, "") != strings.Join(want, "") {
		t.Errorf("answers after amity replay --write-snapshot:\n%s\nwant\n%s", got, want)
	}
	if stream, _ := fromStream(t, s); stream != 0 {
		t.Errorf("after amity replay --write-snapshot, %v events read from the stream", stream)
	}
	s.stop(t)
}
