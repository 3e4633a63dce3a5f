package writer_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/projections"
	"github.com/amity-im/amity/writer"
	"github.com/google/go-cmp/cmp"
)

// TestBlocksAndAddsNeverLeaveBlockedFriends races Tencent-style blocks,
// unblocks and two-way adds on the same pairs while readers watch every
// pair: no reader sees a pair that is blocked and friends, and the final
// state equals a replay of the stream.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestBlocksAndAddsNeverLeaveBlockedFriends(t *testing.T) {
	core := testenv.Start(t)
	ctx, store := context.Background(), core.Store
	live := struct {
		w     *writer.Writer
		model *projections.Model
	}{core.Writer, core.Model}
	app := &domain.App{Name: "demo"}
	people := []string{"p0", "p1", "p2", "p3", "p4", "p5"}
	var reg []domain.Command
	for _, p := range people {
		reg = append(reg, domain.RegisterUser{User: p})
	}
	for _, r := range live.w.Execute(ctx, app, domain.Meta{}, reg...) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	stop := make(chan struct{})
	var bad, reads atomic.Int64
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i, a := range people {
					for _, b := range people[i+1:] {
						p := live.model.Pair("demo", a, b)
						reads.Add(1)
						if (p.ABlocksB || p.BBlocksA) && (p.AHasB || p.BHasA) {
							bad.Add(1)
						}
					}
				}
				runtime.Gosched()
			}
		}()
	}
	var writers sync.WaitGroup
	var blocks, adds atomic.Int64
	for g := range 8 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 3))
			for range 150 {
				a, b := people[rng.IntN(len(people))], people[rng.IntN(len(people))]
				var cmd domain.Command
				switch rng.IntN(3) {
				case 0:
					cmd = domain.BlockUser{User: a, Target: b, EndFriendship: true}
				case 1:
					cmd = domain.UnblockUser{User: a, Target: b}
				default:
					cmd = domain.AddFriend{User: a, Friend: b, Reverse: &domain.Entry{}, RespectBlocks: true}
				}
				r := live.w.Execute(ctx, app, domain.Meta{}, cmd)[0]
				if r.Err == nil {
					if _, ok := cmd.(domain.AddFriend); ok {
						adds.Add(1)
					} else {
						blocks.Add(1)
					}
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	t.Logf("%d reads, %d adds, %d blocks", reads.Load(), adds.Load(), blocks.Load())
	if bad.Load() != 0 {
		t.Errorf("%d of %d reads saw a blocked pair that was still friends", bad.Load(), reads.Load())
	}
	if adds.Load() == 0 || blocks.Load() == 0 {
		t.Fatalf("%d adds and %d blocks succeeded; the race needs both", adds.Load(), blocks.Load())
	}
	last, err := store.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rebuilt := projections.NewModel()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = projections.Follow(rctx, store, rebuilt, 1, slog.New(slog.DiscardHandler)) }()
	if err := rebuilt.WaitSeq(ctx, last); err != nil {
		t.Fatal(err)
	}
	got, want := map[string]projections.Pair{}, map[string]projections.Pair{}
	for i, a := range people {
		for _, b := range people[i+1:] {
			got[fmt.Sprint(a, "-", b)] = live.model.Pair("demo", a, b)
			want[fmt.Sprint(a, "-", b)] = rebuilt.Pair("demo", a, b)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("live pairs differ from a replay (-replay +live):\n%s", diff)
	}
}
