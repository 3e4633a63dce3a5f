package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/nats-io/nats.go/jetstream"
	"slices"
)

// rawPublish measures the reference: conns publishers each appending
// 300-byte messages to its own subject with an expected last subject
// sequence, as Amity's writers do, on a fresh embedded server with the same
// fsync mode.
func rawPublish(ctx context.Context, dir string, o options) (result, error) {
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: filepath.Join(dir, "raw"), Listen: "-", SyncInterval: o.syncInterval})
	if err != nil {
		return result{}, err
	}
	defer ns.Shutdown()
	nc, err := ns.Connect()
	if err != nil {
		return result{}, fmt.Errorf("connect: %w", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return result{}, err
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "RAW", Subjects: []string{"raw.>"}, Storage: jetstream.FileStorage}); err != nil {
		return result{}, fmt.Errorf("create stream: %w", err)
	}
	payload := make([]byte, 300)
	var errs atomic.Int64
	lat := make([][]time.Duration, o.conns)
	cctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range o.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			subj := fmt.Sprintf("raw.%d", w)
			var last uint64
			for cctx.Err() == nil {
				t0 := time.Now()
				ack, err := js.Publish(cctx, subj, payload, jetstream.WithExpectLastSequencePerSubject(last))
				if cctx.Err() != nil {
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
				if err != nil {
					errs.Add(1)
					continue
				}
				last = ack.Sequence
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := result{name: "raw JetStream CAS publish (reference)", ops: int64(len(all)), errors: errs.Load(), elapsed: elapsed}
	if n := len(all); n > 0 {
		r.p50, r.p99 = all[n/2], all[min(n-1, n*99/100)]
	}
	return r, nil
}
