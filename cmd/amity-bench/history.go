package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/zim"
)

// historyWorkloads are Amity's own /v1 queries: a dataset user's list now
// and as of a random past sequence, the first page of 100 changes of a
// user with about 10 friends and of one with 3000, and a pair's history.
// They run at historyConns connections: their figures are latencies of
// queries an app's backend makes now and then, not of a saturated server.
// users(i) names user i of n, each with about 10 friends, and i, i+1 are
// friends. setup makes the user with 3000 friends first.
func historyWorkloads(base string, hc *http.Client, c *zim.Client, tc *tencent.Client, n int64, users func(int64) string, stderr io.Writer) (setup func(context.Context) error, ws []workload) {
	var end uint64
	get := func(ctx context.Context, path string, q url.Values, out any) error {
		s := zim.SignedQuery("", c.AppID, c.Secret, strconv.FormatInt(time.Now().UnixNano()+rand.Int64(), 36), time.Now())
		for k, v := range q {
			s[k] = v
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path+"?"+s.Encode(), nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("%s: HTTP %d %s", path, resp.StatusCode, body)
		}
		if out == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			return err
		}
		return json.NewDecoder(resp.Body).Decode(out)
	}
	const hub = "hist-hub"
	const historyConns = 8
	setup = func(ctx context.Context) error {
		friends := userIDs("hh", 3000)
		fmt.Fprintf(stderr, "adding 3000 friends to %s\n", hub)
		if err := tcCall(ctx, tc, "/v4/im_open_login_svc/multiaccount_import", map[string]any{"Accounts": []string{hub}}); err != nil {
			return err
		}
		for i := 0; i < len(friends); i += 100 {
			if err := tcCall(ctx, tc, "/v4/im_open_login_svc/multiaccount_import", map[string]any{"Accounts": friends[i : i+100]}); err != nil {
				return err
			}
			items := make([]map[string]string, 100)
			for k := range items {
				items[k] = map[string]string{"To_Account": friends[i+k], "AddSource": "AddSource_Type_Bench"}
			}
			if err := tcCall(ctx, tc, "/v4/sns/friend_add", map[string]any{"From_Account": hub, "AddType": "Add_Type_Both", "AddFriendItem": items}); err != nil {
				return err
			}
		}
		var now struct {
			AsOfSeq uint64 `json:"as_of_seq"`
		}
		if err := get(ctx, "/v1/friends", url.Values{"user": {hub}}, &now); err != nil {
			return err
		}
		end = now.AsOfSeq
		return nil
	}
	ws = []workload{
		{"/v1/friends, 10 friends, now", func(ctx context.Context, _ int64, rng *rand.Rand) error {
			return get(ctx, "/v1/friends", url.Values{"user": {users(rng.Int64N(n))}}, nil)
		}},
		{"/v1/friends, 10 friends, as of a past seq", func(ctx context.Context, _ int64, rng *rand.Rand) error {
			return get(ctx, "/v1/friends", url.Values{"user": {users(rng.Int64N(n))}, "as_of_seq": {strconv.FormatUint(1+rng.Uint64N(max(end, 1)), 10)}}, nil)
		}},
		{"/v1/changes, 100, user of 10 friends", func(ctx context.Context, _ int64, rng *rand.Rand) error {
			return get(ctx, "/v1/changes", url.Values{"user": {users(rng.Int64N(n))}, "since": {"0"}, "limit": {"100"}}, nil)
		}},
		{"/v1/changes, 100, user of 3000 friends", func(ctx context.Context, _ int64, rng *rand.Rand) error {
			return get(ctx, "/v1/changes", url.Values{"user": {hub}, "since": {"0"}, "limit": {"100"}}, nil)
		}},
		{"/v1/pairs/history, friends", func(ctx context.Context, _ int64, rng *rand.Rand) error {
			i := rng.Int64N(n)
			return get(ctx, "/v1/pairs/history", url.Values{"user_a": {users(i)}, "user_b": {users((i + 1) % n)}}, nil)
		}},
	}
	for _, w := range ws {
		workloadConns[w.name] = historyConns
	}
	return setup, ws
}
