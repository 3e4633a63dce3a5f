package client_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/amity-im/amity/client"
	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/projections"
	"github.com/amity-im/amity/writer"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// BenchmarkCatchUp reads an app's commits from the start to the stream's
// end: with Client.Follow, which decodes each into typed events, and with
// a raw ordered consumer of the same subjects that only counts the
// messages — the reference the package's catch-up rate is held to
// (docs/benchmarks.md). The small commits add one friend each (20 000 of
// them), the big ones 28 (5 000), as a busy writer groups them.
func BenchmarkCatchUp(b *testing.B) {
	for _, shape := range []struct {
		name             string
		commits, perEach int
	}{{"small", 20_000, 1}, {"big", 5_000, 28}} {
		b.Run(shape.name, func(b *testing.B) { benchmarkCatchUp(b, shape.commits, shape.perEach) })
	}
}

func benchmarkCatchUp(b *testing.B, commits, perEach int) {
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: b.TempDir(), Listen: "127.0.0.1:0", SyncInterval: time.Second,
		Users: []eventstore.User{{Name: "reader", Password: "reader-secret", Apps: []string{"demo"}}}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(ns.Shutdown)
	nc, err := ns.Connect()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc.Close)
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	store, err := eventstore.Open(ctx, nc, eventstore.Config{})
	if err != nil {
		b.Fatal(err)
	}
	m := projections.NewModel()
	go func() { _ = projections.Follow(ctx, store, m, 1, slog.New(slog.DiscardHandler)) }()
	n := 0
	w := writer.New(writer.Config{Log: store, State: m, Now: time.Now, NewID: func() string { n++; return fmt.Sprint("b-", n) }})
	b.Cleanup(w.Close)
	app := &domain.App{Name: "demo"}
	var users []domain.Command
	for i := range 2000 {
		users = append(users, domain.RegisterUser{User: fmt.Sprint("u", i)})
	}
	w.Execute(ctx, app, domain.Meta{}, users...)
	for i := range commits {
		var adds []domain.Command
		for j := range perEach {
			k := i*perEach + j
			adds = append(adds, domain.AddFriend{User: fmt.Sprint("u", k%2000), Friend: fmt.Sprint("u", (k/2000+1+k)%2000),
				Reverse: &domain.Entry{Wording: "hi"}})
		}
		for _, r := range w.Execute(ctx, app, domain.Meta{Surface: "zim"}, adds...) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
	url := ns.ClientURL()
	const user, password = "reader", "reader-secret"

	b.Run("client.Follow", func(b *testing.B) {
		c, err := client.Connect(client.Config{URL: url, User: user, Password: password})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		read := 0
		for b.Loop() {
			read = 0
			fctx, stop := context.WithCancel(ctx)
			err := c.Follow(fctx, client.Follow{App: "demo", Commit: func(client.Commit) error { read++; return nil }, CaughtUp: func(uint64) { stop() }})
			stop()
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(read)*float64(b.N)/b.Elapsed().Seconds(), "commits/s")
	})
	// The raw reads: counting the messages (the reference), and decoding
	// each in line as a service reading the stream by hand would.
	for _, raw := range []struct {
		name   string
		decode bool
	}{{"raw ordered read", false}, {"raw ordered read, decoded in line", true}} {
		b.Run(raw.name, func(b *testing.B) {
			rnc, err := nats.Connect(url, nats.UserInfo(user, password), nats.CustomInboxPrefix(domain.InboxPrefix(user)))
			if err != nil {
				b.Fatal(err)
			}
			defer rnc.Close()
			js, _ := jetstream.New(rnc)
			read := 0
			for b.Loop() {
				read = 0
				cons, err := js.OrderedConsumer(ctx, domain.StreamName, jetstream.OrderedConsumerConfig{FilterSubjects: []string{domain.AppFilter("demo")}})
				if err != nil {
					b.Fatal(err)
				}
				it, err := cons.Messages(jetstream.PullMaxBytes(8 << 20))
				if err != nil {
					b.Fatal(err)
				}
				for {
					msg, err := it.Next()
					if err != nil {
						b.Fatal(err)
					}
					md, err := msg.Metadata()
					if err != nil {
						b.Fatal(err)
					}
					if raw.decode {
						if _, err := domain.DecodeRecord(domain.Record{Subject: msg.Subject(), Seq: md.Sequence.Stream, Data: msg.Data()}); err != nil {
							b.Fatal(err)
						}
					}
					read++
					if md.NumPending == 0 {
						break
					}
				}
				it.Stop()
			}
			b.ReportMetric(float64(read)*float64(b.N)/b.Elapsed().Seconds(), "commits/s")
		})
	}
}
