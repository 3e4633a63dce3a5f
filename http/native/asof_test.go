package native_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/native"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/google/go-cmp/cmp"
)

// list is one user's friend list, applied to by events as a client would.
type list struct {
	user    string
	friends map[string]domain.Entry
}

func (l *list) PutEntry(_, owner, friend string, e domain.Entry) {
	if owner == l.user {
		l.friends[friend] = e
	}
}
func (l *list) DeleteEntry(_, owner, friend string) {
	if owner == l.user {
		delete(l.friends, friend)
	}
}
func (l *list) UpdateEntry(_, owner, friend string, f func(*domain.Entry)) {
	if e, ok := l.friends[friend]; ok && owner == l.user {
		e = e.Clone()
		f(&e)
		l.friends[friend] = e
	}
}

type asOf struct {
	AsOfSeq uint64          `json:"as_of_seq"`
	Friends []native.Friend `json:"friends"`
}

// TestAsOfThenChangesIsNow drives a random scenario through the ZIM
// surface, then, at random points of it (by sequence and by time), reads
// a user's list as of the point and replays /v1/changes since the
// answer's as_of_seq on top, as a syncing client does: the result is the
// user's list now, every time.
func TestAsOfThenChangesIsNow(t *testing.T) {
	core, base := server(t)
	people := []string{"p0", "p1", "p2", "p3", "p4", "p5"}
	var times []time.Time
	rng := rand.New(rand.NewPCG(17, 29))
	randomScenario(t, base, people, rng, 150, false, func(i int) {
		if i%10 == 0 {
			at := time.Now()
			times = append(times, at)
			testenv.WaitFor(t, time.Second, "a later millisecond", func() bool { return time.Since(at) > 2*time.Millisecond })
		}
	})
	last := core.LastSeq()
	now := map[string][]native.Friend{}
	for _, u := range people {
		var r asOf
		signed(t, base, "/v1/friends", url.Values{"user": {u}}, &r)
		now[u] = r.Friends
	}
	points := []url.Values{{"as_of_seq": {"0"}}, {"as_of_time": {"2020-01-01T00:00:00Z"}}}
	for range 12 {
		points = append(points, url.Values{"as_of_seq": {strconv.FormatUint(rng.Uint64N(last+1), 10)}})
	}
	for _, at := range times {
		points = append(points, url.Values{"as_of_time": {at.Format(time.RFC3339Nano)}})
	}
	for _, p := range points {
		for _, u := range people {
			q := url.Values{"user": {u}}
			for k, v := range p {
				q[k] = v
			}
			var r asOf
			if code := signed(t, base, "/v1/friends", q, &r); code != 200 {
				t.Fatalf("as of %v: HTTP %d", p, code)
			}
			if s := p.Get("as_of_seq"); s != "" && strconv.FormatUint(r.AsOfSeq, 10) != s {
				t.Errorf("as_of_seq %s answered as of %d", s, r.AsOfSeq)
			}
			l := &list{user: u, friends: map[string]domain.Entry{}}
			for _, f := range r.Friends {
				l.friends[f.ID] = f.Entry
			}
			for _, ev := range changesSince(t, base, u, r.AsOfSeq) {
				domain.Apply(l, ev)
			}
			var got []native.Friend
			for id, e := range l.friends {
				got = append(got, native.Friend{ID: id, Entry: e})
			}
			slices.SortFunc(got, func(a, b native.Friend) int { return strings.Compare(a.ID, b.ID) })
			if diff := cmp.Diff(now[u], got); diff != "" {
				t.Fatalf("%s as of %v (as_of_seq %d) with the changes since on top differs from now (-now +rebuilt):\n%s", u, p, r.AsOfSeq, diff)
			}
		}
	}
}

// randomScenario registers people in app demo, then makes n random calls
// among them through ZIM: adds with an alias (and attributes, with attrs),
// deletes one-way and two-way, alias updates and blocks; after(i) runs
// after call i.
func randomScenario(t *testing.T, base string, people []string, rng *rand.Rand, n int, attrs bool, after func(i int)) {
	t.Helper()
	z := &zim.Client{BaseURL: base, AppID: 1234567, Secret: "demo-secret"}
	type obj = map[string]any
	call := func(action string, body any) {
		t.Helper()
		var r struct{ Code int }
		if err := z.Call(context.Background(), http.MethodPost, action, nil, body, &r); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	var infos []obj
	for _, p := range people {
		infos = append(infos, obj{"UserId": p})
	}
	call("UserRegister", obj{"UserInfo": infos})
	for i := range n {
		a, b := people[rng.IntN(len(people))], people[rng.IntN(len(people))]
		switch rng.IntN(5) {
		case 0, 1:
			f := obj{"UserId": b, "FriendAlias": fmt.Sprint("<a&", i, ">")}
			if attrs {
				f["FriendAttributes"] = []obj{{"Key": "k0", "Value": fmt.Sprint("v", i)}}
			}
			call("AddFriends", obj{"FromUserId": a, "FriendInfos": []obj{f}})
		case 2:
			call("DeleteFriends", obj{"FromUserId": a, "UserIds": []string{b}, "DeleteType": rng.IntN(2)})
		case 3:
			call("UpdateFriendsAlias", obj{"FromUserId": a, "UserIds": []obj{{"UserId": b, "FriendAlias": fmt.Sprint("u", i)}}})
		default:
			call("AddUsersToBlacklist", obj{"FromUserId": a, "UserIds": []string{b}})
		}
		if after != nil {
			after(i)
		}
	}
}

// changesSince reads every change of u after since, page by page, and
// decodes the events as a client of the catalogue does.
func changesSince(t *testing.T, base, u string, since uint64) []domain.Event {
	t.Helper()
	var out []domain.Event
	for {
		var page struct {
			Next     uint64
			Complete bool
			Events   []struct {
				Seq   uint64
				Event json.RawMessage
			}
		}
		if code := signed(t, base, "/v1/changes", url.Values{"user": {u}, "since": {strconv.FormatUint(since, 10)}, "limit": {"7"}}, &page); code != 200 {
			t.Fatalf("changes since %d: HTTP %d", since, code)
		}
		var raw []json.RawMessage
		for _, e := range page.Events {
			raw = append(raw, e.Event)
		}
		if len(raw) > 0 {
			data, _ := json.Marshal(map[string]any{"id": "page", "app": "demo", "events": raw})
			c, err := domain.UnmarshalCommit(data)
			if err != nil {
				t.Fatalf("decode changes: %v", err)
			}
			out = append(out, c.Events...)
		}
		if page.Complete {
			return out
		}
		since = page.Next
	}
}
