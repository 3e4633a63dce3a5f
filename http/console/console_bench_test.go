package console_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/console"
	"github.com/amity-im/amity/projections"
)

// BenchmarkUserPageAt10MEdges answers the console's reads over a read
// model of 1M users and 10M directed edges, as make bench's dataset: the
// user lookup (profile, the first page of friends, blocklist, groups,
// follows, requests), a user's neighbourhood, and the users page — by an
// ID prefix that matches eleven users and browsing from a cursor, each a
// walk of every user.
func BenchmarkUserPageAt10MEdges(b *testing.B) {
	const users, addsPerUser = 1_000_000, 5 // two-way adds: 10M directed edges
	m := projections.NewModel()
	rng := rand.New(rand.NewPCG(1, 2))
	seq := uint64(0)
	var evs []domain.Event
	flush := func() {
		seq++
		m.Apply("amity.a.rel.0", seq, domain.Commit{ID: fmt.Sprint(seq), App: "a", Events: evs})
		evs = evs[:0]
	}
	at := time.UnixMilli(1_700_000_000_000)
	for u := range users {
		evs = append(evs, domain.Event{App: "a", Time: at, Data: domain.UserRegistered{User: fmt.Sprint("u", u)}})
		if len(evs) == 10_000 {
			flush()
		}
	}
	for u := range users {
		for range addsPerUser {
			evs = append(evs, domain.Event{App: "a", Time: at, Data: domain.FriendAdded{User: fmt.Sprint("u", u), Friend: fmt.Sprint("u", rng.IntN(users)),
				Entry: &domain.Entry{CreateTime: 1}, Reverse: &domain.Entry{CreateTime: 1}}})
			if len(evs) == 10_000 {
				flush()
			}
		}
	}
	flush()
	b.Logf("model: %+v", m.Size())
	r := amityhttp.NewHandler(console.Routes(console.Config{Apps: []*domain.App{{Name: "a"}}, Admins: []console.Admin{{User: "ops", Password: "pw"}}, Read: m}))
	for _, c := range []struct {
		name string
		path func(i int) string
	}{
		{"user", func(i int) string { return fmt.Sprintf("/console/api/user?app=a&user=u%d", (i*7919)%users) }},
		{"neighbourhood", func(i int) string { return fmt.Sprintf("/console/api/neighbourhood?app=a&user=u%d", (i*7919)%users) }},
		{"users-by-prefix", func(i int) string { return fmt.Sprintf("/console/api/users?app=a&prefix=u%d", 10_000+(i*7919)%89_999) }},
		{"users-browse", func(i int) string { return fmt.Sprintf("/console/api/users?app=a&after=u%d", (i*7919)%users) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, c.path(i), nil)
				req.SetBasicAuth("ops", "pw")
				w := httptest.NewRecorder()
				r.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("HTTP %d: %s", w.Code, w.Body)
				}
				i++
			}
		})
	}
}
