package client_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/amity-im/amity/client"
	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/projections"
	"github.com/amity-im/amity/writer"
)

// ExampleClient_Follow reads an app's commits from a position kept by the
// caller (0: from the start), then each new one as it is stored.
func ExampleClient_Follow() {
	url := exampleServer() // where amity serve's NATS listens
	c, err := client.Connect(client.Config{URL: url, User: "demo-reader", Password: "demo-reader-secret"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err = c.Follow(ctx, client.Follow{App: "demo", After: 0,
		Commit: func(cm client.Commit) error {
			for _, ev := range cm.Events {
				if d, ok := ev.Data.(domain.FriendAdded); ok {
					fmt.Printf("#%d %s added %s\n", cm.Seq, d.User, d.Friend)
				}
			}
			return nil // keep cm.Seq: the next run starts After it
		},
		CaughtUp: func(seq uint64) {
			fmt.Println("caught up at", seq)
			cancel() // an example stops here; a service goes on, live
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// #2 alice added bob
	// #3 alice added carol
	// caught up at 3
}

// friends is a projection: each user's friend count.
type friends map[string]int

func (f friends) Apply(_ uint64, ev domain.Event) {
	if d, ok := ev.Data.(domain.FriendAdded); ok {
		if d.Entry != nil {
			f[d.User]++
		}
		if d.Reverse != nil {
			f[d.Friend]++
		}
	}
}

// ExampleClient_Rebuild builds a service's own read model from an app's
// whole stream, then keeps it live.
func ExampleClient_Rebuild() {
	c, err := client.Connect(client.Config{URL: exampleServer(), User: "demo-reader", Password: "demo-reader-secret"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	counts := friends{}
	err = c.Rebuild(ctx, "demo", counts, func(seq uint64) {
		fmt.Println("alice has", counts["alice"], "friends, bob", counts["bob"])
		cancel()
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output: alice has 2 friends, bob 1
}

// ExampleClient_Consume reads through a durable consumer: the server
// keeps the position under its name, and a commit not acknowledged (its
// handler failed, or the process stopped) comes again.
func ExampleClient_Consume() {
	c, err := client.Connect(client.Config{URL: exampleServer(), User: "demo-reader", Password: "demo-reader-secret"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = c.Consume(ctx, client.Durable{App: "demo", Name: "example-counts-4e1b", Commit: func(cm client.Commit) error {
		fmt.Println("commit", cm.Seq, "with", len(cm.Events), "events")
		if cm.Seq == 3 {
			cancel()
		}
		return nil
	}})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// commit 1 with 3 events
	// commit 2 with 1 events
	// commit 3 with 1 events
}

var (
	exampleOnce sync.Once
	exampleURL  string
	// exampleStop stops the examples' server and removes its directory,
	// once the package's tests and examples have run (TestMain).
	exampleStop = func() {}
)

func TestMain(m *testing.M) {
	code := m.Run()
	exampleStop()
	os.Exit(code)
}

// exampleServer is an embedded Amity stream for the examples, with the
// login demo-reader of app demo, holding three commits: alice, bob and
// carol registered, then alice adding bob and carol (two ways).
func exampleServer() string {
	exampleOnce.Do(func() {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		dir, err := os.MkdirTemp("", "amity-example")
		if err != nil {
			log.Fatal(err)
		}
		ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: dir, Listen: addr, Apps: []string{"demo"},
			Users: []eventstore.User{{Name: "demo-reader", Password: "demo-reader-secret", Apps: []string{"demo"}}}})
		if err != nil {
			log.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		exampleStop = func() {
			cancel()
			ns.Shutdown()
			_ = os.RemoveAll(dir)
		}
		nc, err := ns.Connect()
		if err != nil {
			log.Fatal(err)
		}
		store, err := eventstore.Open(ctx, nc, eventstore.Config{})
		if err != nil {
			log.Fatal(err)
		}
		m := projections.NewModel()
		go func() { _ = projections.Follow(ctx, store, m, 1, slog.New(slog.DiscardHandler)) }()
		n := 0
		w := writer.New(writer.Config{Log: store, State: m, Now: time.Now, NewID: func() string { n++; return fmt.Sprint("example-", n) }})
		app := &domain.App{Name: "demo"}
		for _, cmds := range [][]domain.Command{
			{domain.RegisterUser{User: "alice"}, domain.RegisterUser{User: "bob"}, domain.RegisterUser{User: "carol"}},
			{domain.AddFriend{User: "alice", Friend: "bob", Reverse: &domain.Entry{}}},
			{domain.AddFriend{User: "alice", Friend: "carol"}},
		} {
			for _, r := range w.Execute(ctx, app, domain.Meta{}, cmds...) {
				if r.Err != nil {
					log.Fatal(r.Err)
				}
			}
		}
		exampleURL = "nats://" + addr
	})
	return exampleURL
}
