package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/amity-im/amity/projections"
	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go"
)

func registerAll(t *testing.T, z *apitest.ZIM, all []string) {
	t.Helper()
	for i := 0; i < len(all); i += 100 {
		r := z.Post("UserRegister", apitest.Users(all[i:min(len(all), i+100)]...))
		if r.Code != 0 || len(r.ErrorList) != 0 {
			t.Fatalf("UserRegister: Code %d, %v", r.Code, r.ErrorList)
		}
	}
}

func TestFriendCapUnderFiftyConcurrentAdders(t *testing.T) {
	heavyTest(t)
	if testing.Short() {
		t.Skip("adds 3500 friends")
	}
	s := startService(t, testConfig, "")
	z := s.zim(t, 1234567, "demo-secret")
	targets := apitest.IDs("t", 3500)
	registerAll(t, z, append([]string{"hub"}, targets...))

	var added, refused, other atomic.Int64
	var over atomic.Bool
	stop := make(chan struct{})
	var watch sync.WaitGroup
	watch.Add(1)
	go func() { // a reader watching the count while the adders run
		defer watch.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if n := z.Get("QueryFriendList", url.Values{"FromUserId": {"hub"}, "Limit": {"1"}}).TotalCount; n > 3000 {
				over.Store(true)
			}
		}
	}()
	var wg sync.WaitGroup
	for g := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := targets[g*70 : (g+1)*70]
			for i := 0; i < len(mine); i += 20 {
				var items []fi
				for _, id := range mine[i:min(len(mine), i+20)] {
					items = append(items, fi{"UserId": id})
				}
				r := z.Post("AddFriends", map[string]any{"FromUserId": "hub", "FriendInfos": items})
				codes := r.SubCodes()
				for _, it := range items {
					switch code, failed := codes[it["UserId"].(string)]; {
					case !failed:
						added.Add(1)
					case code == 660800028:
						refused.Add(1)
					default:
						other.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	watch.Wait()

	total := z.Get("QueryFriendList", url.Values{"FromUserId": {"hub"}, "Limit": {"1"}}).TotalCount
	if total != 3000 || added.Load() != 3000 || refused.Load() != 500 || other.Load() != 0 || over.Load() {
		t.Errorf("hub has %d friends (reader saw >3000: %v); %d adds acknowledged, %d refused with 660800028, %d other failures; want 3000, false, 3000, 500, 0",
			total, over.Load(), added.Load(), refused.Load(), other.Load())
	}
	r := z.Post("AddFriends", map[string]any{"FromUserId": "hub", "FriendInfos": []fi{{"UserId": targets[0]}, {"UserId": "hub2"}}})
	if _, ok := r.SubCodes()[targets[0]]; !ok {
		t.Errorf("add beyond the cap: %+v", r)
	}
}

// replayed rebuilds a read model from sequence 1 of the service's stream.
func replayed(t *testing.T, s *service) *projections.Model {
	t.Helper()
	nc, err := nats.Connect(s.natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	store, err := eventstore.Lookup(ctx, nc, eventstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := projections.NewModel()
	followCtx, stopFollow := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- projections.Follow(followCtx, store, m, 1, slog.New(slog.DiscardHandler)) }()
	if err := projections.CatchUp(ctx, store, m); err != nil {
		t.Fatal(err)
	}
	stopFollow()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return m
}

type listed struct {
	ID, Alias, Wording string
	CreateTime         int64
	Attributes         map[string]string
}

// liveLists reads every user's whole friend list over HTTP.
func liveLists(t *testing.T, z *apitest.ZIM, all []string) map[string][]listed {
	t.Helper()
	out := map[string][]listed{}
	for _, u := range all {
		for next := 0; ; {
			r := z.Get("QueryFriendList", url.Values{"FromUserId": {u}, "Next": {fmt.Sprint(next)}})
			if r.Code != 0 {
				t.Fatalf("QueryFriendList(%s): Code %d %s", u, r.Code, r.Message)
			}
			for _, f := range r.FriendInfos {
				l := listed{ID: f.UserId, Alias: f.FriendAlias, Wording: f.Wording, CreateTime: f.CreateTime}
				for _, a := range f.Attributes {
					if l.Attributes == nil {
						l.Attributes = map[string]string{}
					}
					l.Attributes[a.Key] = a.Value
				}
				out[u] = append(out[u], l)
			}
			if next = r.Next; next == 0 {
				break
			}
		}
	}
	return out
}

func modelLists(m *projections.Model, app string, all []string) map[string][]listed {
	out := map[string][]listed{}
	for _, u := range all {
		page, _ := m.Friends(app, u, 0, math.MaxInt)
		for _, f := range page {
			out[u] = append(out[u], listed{ID: f.ID, Alias: f.Alias, Wording: f.Wording, CreateTime: f.CreateTime, Attributes: f.Attributes})
		}
	}
	return out
}

func TestConcurrentAddsAndDeletesEqualReplay(t *testing.T) {
	heavyTest(t)
	s := startService(t, testConfig, "")
	z := s.zim(t, 1234567, "demo-secret")
	people := apitest.IDs("p", 12)
	registerAll(t, z, people)

	var wg sync.WaitGroup
	var acked atomic.Int64
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for range 60 {
				from := people[rng.IntN(len(people))]
				var targets []string
				for range 1 + rng.IntN(4) {
					targets = append(targets, people[rng.IntN(len(people))])
				}
				var r zim.Answer
				switch rng.IntN(4) {
				case 0, 1:
					var items []fi
					for _, id := range targets {
						items = append(items, fi{"UserId": id, "FriendAlias": "by " + from, "Attributes": []fi{{"Key": "k0", "Value": from}}})
					}
					r = z.Post("AddFriends", map[string]any{"FromUserId": from, "FriendInfos": items})
				case 2:
					r = z.Post("DeleteFriends", map[string]any{"FromUserId": from, "UserIds": targets, "DeleteType": rng.IntN(2)})
				case 3:
					var items []fi
					for _, id := range targets {
						items = append(items, fi{"UserId": id, "FriendAlias": fmt.Sprint("alias ", g)})
					}
					r = z.Post("UpdateFriendsAlias", map[string]any{"FromUserId": from, "UserIds": items})
				}
				if r.Code == 0 {
					acked.Add(1)
				}
				for _, e := range r.ErrorList {
					switch e.SubCode {
					case 660800020, 660800022, 660800027, 660800033, 660800034:
					default:
						t.Errorf("unexpected SubCode %d for %s", e.SubCode, e.UserId)
					}
				}
			}
		}()
	}
	wg.Wait()
	if acked.Load() == 0 {
		t.Fatal("no command succeeded")
	}
	live := liveLists(t, z, people)
	rebuilt := modelLists(replayed(t, s), "demo", people)
	if diff := cmp.Diff(rebuilt, live); diff != "" {
		t.Errorf("live state differs from a replay of the stream (-replay +live):\n%s", diff)
	}
	if len(live) == 0 {
		t.Error("no friendships left to compare; the workload should leave some")
	}
}

func TestCheckerNeverSeesHalfATwoWayPair(t *testing.T) {
	heavyTest(t)
	s := startService(t, testConfig, "")
	z := s.zim(t, 1234567, "demo-secret")
	people := apitest.IDs("q", 8)
	registerAll(t, z, people)

	stop := make(chan struct{})
	var writers sync.WaitGroup
	for g := range 6 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 11))
			for i := 0; i < 150; i++ {
				a, b := people[rng.IntN(len(people))], people[rng.IntN(len(people))]
				if i%2 == 0 {
					z.Post("AddFriends", map[string]any{"FromUserId": a, "FriendInfos": []fi{{"UserId": b}}})
				} else {
					z.Post("DeleteFriends", map[string]any{"FromUserId": a, "UserIds": []string{b}, "DeleteType": 0})
				}
			}
		}()
	}
	var checks, halves atomic.Int64
	seen := map[int]int{}
	var mu sync.Mutex
	var checker sync.WaitGroup
	for range 2 {
		checker.Add(1)
		go func() {
			defer checker.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := z.Post("CheckFriendsRelation", map[string]any{"FromUserId": people[0], "UserIds": people[1:], "CheckType": 0})
				for _, rel := range r.Successes {
					checks.Add(1)
					mu.Lock()
					seen[rel.Relation]++
					mu.Unlock()
					if rel.Relation == 4 || rel.Relation == 5 {
						halves.Add(1)
					}
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	checker.Wait()
	keys := make([]int, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	if halves.Load() != 0 {
		t.Errorf("%d of %d checks saw one direction without the other (relations seen: %v)", halves.Load(), checks.Load(), seen)
	}
	if seen[6] == 0 || seen[3] == 0 {
		t.Errorf("checker saw relations %v; want both 3 and 6 while pairs change", seen)
	}
}
