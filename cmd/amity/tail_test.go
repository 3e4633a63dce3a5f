package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
)

func TestEventsTail(t *testing.T) {
	t.Parallel()
	s := startService(t, testConfig, "")
	z := s.zim(t, 1234567, "demo-secret")
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("alice", "bob", "carol")), 0)
	apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": "bob", "FriendInfos": []fi{{"UserId": "carol"}}}), 0)

	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"events", "tail", "--nats-url", s.natsURL, "--app", "demo", "--user", "alice", "--from", "1"},
			func(string) string { return "" }, out, &syncBuffer{})
	}()
	// Old events of alice are printed, then new ones as they arrive.
	apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": "alice", "FriendInfos": []fi{{"UserId": "bob"}}}), 0)
	testenv.Eventually(10*time.Second, func() bool { return strings.Contains(out.String(), `"type":"FriendAdded"`) })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"type":"UserRegistered"`) || !strings.Contains(lines[0], `"user":"alice"`) ||
		!strings.Contains(lines[1], `"type":"FriendAdded"`) || strings.Contains(out.String(), `"friend":"carol"`) {
		t.Errorf("events tail printed:\n%s", out)
	}
}
