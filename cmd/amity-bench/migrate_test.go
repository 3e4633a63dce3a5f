package main

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/migrate"
	"github.com/amity-im/amity/internal/testenv/jstest"
)

// graphSource is a vendor that answers from memory at once: what Amity's
// side of a copy does when the source is not the limit.
type graphSource struct{ users, friends int }

func (s graphSource) Read(_ context.Context, user string) (domain.Graph, error) {
	n, _ := strconv.Atoi(user[1:])
	g := domain.Graph{User: user, Known: true, Profile: domain.Profile{Name: "n" + user},
		Friends: map[string]domain.Entry{}, Blocks: map[string]int64{}, Follows: map[string]int64{}}
	for k := 1; k <= s.friends; k++ {
		g.Friends["u"+strconv.Itoa((n+k)%s.users)] = domain.Entry{Alias: "a", AddSource: "AddSource_Type_Web", CreateTime: 1_500_000_000_000}
	}
	return g, nil
}

func (graphSource) Normalize(g domain.Graph) domain.Graph { return g }

// BenchmarkCopyRecording copies users of ten friends each from a source in
// memory into an app on an embedded JetStream (file storage, one
// partition), as amity migrate's workers do, 16 and 64 users at once: the
// edges Amity records a second when the vendor is not the limit.
func BenchmarkCopyRecording(b *testing.B) {
	for _, workers := range []int{16, 64} {
		b.Run(strconv.Itoa(workers)+"_workers", func(b *testing.B) { benchCopy(b, workers) })
	}
}

func benchCopy(b *testing.B, workers int) {
	ctx, store, _ := jstest.StartJetStream(b)
	in := jstest.NewInstance(b, ctx, store)
	app := &domain.App{Name: "moving"}
	var ids atomic.Uint64
	src := graphSource{users: max(b.N, 100), friends: 10}
	s := &migrate.Syncer{App: app, Source: src, Writer: in.Writer, Amity: migrate.ModelView{Model: in.Model},
		NewID: func() string { return "r" + strconv.FormatUint(ids.Add(1), 10) }}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range workers {
		wg.Go(func() {
			for n := next.Add(1) - 1; n < int64(b.N); n = next.Add(1) - 1 {
				if out, err := s.Sync(ctx, "u"+strconv.FormatInt(n, 10), migrate.Copy); err != nil || len(out.Problems) > 0 {
					b.Errorf("u%d: %v %v", n, err, out.Problems)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N*src.friends)/b.Elapsed().Seconds(), "edges/s")
}
