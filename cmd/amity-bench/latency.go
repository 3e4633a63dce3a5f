package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/zim"
	"github.com/nats-io/nats.go"
)

// notifyLatencyName names the notification latency workload.
const notifyLatencyName = "notification after the answer, 20 adds/s"

// notifyLatency adds friends at 20 calls a second for d, one new pair each,
// and measures how long after each call's HTTP answer the notification of
// the adding user arrives at a subscriber (0 when it came first). A
// notification that never comes counts as an error.
func notifyLatency(ctx context.Context, c *zim.Client, natsURL string, d time.Duration) (result, error) {
	const perSecond = 20
	n := max(int(perSecond*d.Seconds()), 1)
	users := userIDs("nl", 2*n)
	for i := 0; i < len(users); i += 100 {
		var infos []map[string]string
		for _, id := range users[i:min(len(users), i+100)] {
			infos = append(infos, map[string]string{"UserId": id})
		}
		if err := call(ctx, c, "UserRegister", map[string]any{"UserInfo": infos}); err != nil {
			return result{}, err
		}
	}
	nc, err := nats.Connect(natsURL)
	if err != nil {
		return result{}, err
	}
	defer nc.Close()
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	_, err = nc.Subscribe(domain.NotifyFilter("bench"), func(m *nats.Msg) {
		at := time.Now()
		var note delivery.Notification
		if json.Unmarshal(m.Data, &note) != nil || note.Event != delivery.OnFriendListChanged || note.Action != "Added" || len(note.FriendInfoList) != 1 {
			return
		}
		mu.Lock()
		arrived[note.User+">"+note.FriendInfoList[0].UserID] = at
		mu.Unlock()
	})
	if err != nil {
		return result{}, err
	}
	if err := nc.Flush(); err != nil {
		return result{}, err
	}
	answered := make([]time.Time, n)
	tick := time.NewTicker(time.Second / perSecond)
	defer tick.Stop()
	start := time.Now()
	var errs int64
	for i := range n {
		select {
		case <-ctx.Done():
			return result{}, ctx.Err()
		case <-tick.C:
		}
		if err := call(ctx, c, "AddFriends", map[string]any{"FromUserId": users[2*i], "FriendInfos": []map[string]string{{"UserId": users[2*i+1]}}}); err != nil {
			errs++
		}
		answered[i] = time.Now()
	}
	elapsed := time.Since(start)
	time.Sleep(2 * time.Second) // stragglers
	mu.Lock()
	defer mu.Unlock()
	var lat []time.Duration
	for i := range n {
		at, ok := arrived[users[2*i]+">"+users[2*i+1]]
		if !ok {
			errs++
			continue
		}
		lat = append(lat, max(at.Sub(answered[i]), 0))
	}
	slices.Sort(lat)
	r := result{name: notifyLatencyName, ops: int64(n), errors: errs, elapsed: elapsed}
	if k := len(lat); k > 0 {
		r.p50, r.p99 = lat[k*50/100], lat[min(k-1, k*99/100)]
	} else {
		return r, fmt.Errorf("no notification arrived")
	}
	return r, nil
}
