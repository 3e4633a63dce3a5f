package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/nats-io/nats.go/jetstream"
)

// TestTheStreamHoldsReadableJSON: what the surfaces record reaches the
// JetStream stream as plain JSON commits with the catalogued fields, each
// keyed by its commit id, IDs that are not NATS tokens kept as data.
func TestTheStreamHoldsReadableJSON(t *testing.T) {
	t.Parallel()
	s := startService(t, testConfig, "")
	z := s.zim(t, 1234567, "demo-secret")
	odd := "x.y z>{|}" // '.', space, '>', '{', '|'
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("alice", odd)), 0)
	apitest.WantCode(t, "add", z.Post("AddFriends", fi{"FromUserId": "alice", "FriendInfos": []fi{{"UserId": odd, "FriendAlias": "O"}}}), 0)
	apitest.WantCode(t, "alias", z.Post("UpdateFriendsAlias", fi{"FromUserId": "alice", "UserIds": []fi{{"UserId": odd, "FriendAlias": "Odd"}}}), 0)
	apitest.WantCode(t, "delete", z.Post("DeleteFriends", fi{"FromUserId": "alice", "UserIds": []string{odd}, "DeleteType": 0}), 0)

	js := s.jetstream(t)
	ctx := context.Background()
	st, err := js.Stream(ctx, eventstore.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	sawOdd := false
	for seq := uint64(1); seq <= s.streamLastSeq(t); seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("GetMsg(%d): %v", seq, err)
		}
		var c struct {
			ID     string `json:"id"`
			App    string `json:"app"`
			Events []map[string]json.RawMessage
		}
		if err := json.Unmarshal(m.Data, &c); err != nil {
			t.Fatalf("message %d is not JSON: %v", seq, err)
		}
		if len(c.ID) != 26 || c.App != "demo" || len(c.Events) == 0 {
			t.Fatalf("commit %d = id %q app %q with %d events", seq, c.ID, c.App, len(c.Events))
		}
		if h := m.Header.Get(jetstream.MsgIDHeader); h != c.ID {
			t.Errorf("commit %d Nats-Msg-Id = %q, want the commit id %q", seq, h, c.ID)
		}
		for _, ev := range c.Events {
			for _, f := range []string{"id", "type", "version", "app", "time", "request_id", "surface", "data"} {
				if _, ok := ev[f]; !ok {
					t.Errorf("event in commit %d lacks %q: %s", seq, f, m.Data)
				}
			}
			var typ string
			_ = json.Unmarshal(ev["type"], &typ)
			types[typ]++
			data := string(ev["data"])
			sawOdd = sawOdd || strings.Contains(data, `"x.y z\u003e{|}"`) || strings.Contains(data, `"x.y z>{|}"`)
		}
	}
	for _, typ := range []string{"UserRegistered", "FriendAdded", "FriendDeleted", "FriendUpdated"} {
		if types[typ] == 0 {
			t.Errorf("no %s event on the stream (saw %v)", typ, types)
		}
	}
	if !sawOdd {
		t.Errorf("the raw id %q is not in any event payload", odd)
	}
}
