// Command counts is a worked example of a service that follows an Amity
// app from its stream with the client package: it keeps, per user, how
// many friends, blocks and followers they have, and answers
//
//	GET /counts?user=alice  →  {"user":"alice","friends":3,"blocks":1,"followers":0,"seq":42}
//
// Its state and the stream sequence it reflects are written together to
// one file (--state), at most every --save-every, by a rename: killed at
// any moment and started again, it goes on from the state it saved and
// reads the commits after it again, so its counts end equal to Amity's.
// The events are applied by domain.Apply, the code that gives them their
// meaning in Amity's own read models.
//
//	go run ./examples/counts --nats-url nats://127.0.0.1:4222 --user dev-subscriber --password P --app dev
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/amity-im/amity/client"
	"github.com/amity-im/amity/domain"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "counts:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("counts", flag.ContinueOnError)
	url := fs.String("nats-url", "nats://127.0.0.1:4222", "Amity's NATS")
	user := fs.String("user", "", "a NATS login of the app (a subscriber's)")
	password := fs.String("password", "", "its password")
	app := fs.String("app", "dev", "the app to count")
	addr := fs.String("http", "127.0.0.1:8090", "where GET /counts answers")
	statePath := fs.String("state", "counts.json", "file the counts and their stream position are kept in")
	every := fs.Duration("save-every", time.Second, "how often the state is written")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := client.Connect(client.Config{URL: *url, User: *user, Password: *password, Name: "counts example"})
	if err != nil {
		return err
	}
	defer c.Close()
	st, err := load(*statePath)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Printf("counts: answering on http://%s/counts, from sequence %d\n", ln.Addr(), st.Seq)
	srv := &http.Server{Handler: st, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	saved := time.Now()
	err = c.Follow(ctx, client.Follow{App: *app, After: st.Seq,
		Commit: func(cm client.Commit) error {
			st.apply(cm)
			if time.Since(saved) >= *every {
				saved = time.Now()
				return st.save(*statePath)
			}
			return nil
		},
		CaughtUp: func(seq uint64) { slog.Info("caught up", "seq", seq) },
	})
	if err != nil {
		return err
	}
	return st.save(*statePath)
}

// state is the counts and the sequence of the last commit they hold.
type state struct {
	mu  sync.Mutex
	Seq uint64 `json:"seq"`
	// Friends are each user's friend list, Blocks each blocklist, Fans who
	// follows each user: sets, so that an event applied twice is no harm.
	Friends map[string]map[string]bool `json:"friends"`
	Blocks  map[string]map[string]bool `json:"blocks"`
	Fans    map[string]map[string]bool `json:"fans"`
}

// load reads the state kept at path; none yet is an empty one.
func load(path string) (*state, error) {
	st := &state{Friends: map[string]map[string]bool{}, Blocks: map[string]map[string]bool{}, Fans: map[string]map[string]bool{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}

// save writes the state, whole, in place of the one kept.
func (st *state) save(path string) error {
	st.mu.Lock()
	b, err := json.Marshal(st)
	st.mu.Unlock()
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// apply applies a commit's events.
func (st *state) apply(cm client.Commit) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, ev := range cm.Events {
		domain.Apply(st, ev)
	}
	st.Seq = cm.Seq
}

func set(m map[string]map[string]bool, a, b string, on bool) {
	if on {
		if m[a] == nil {
			m[a] = map[string]bool{}
		}
		m[a][b] = true
		return
	}
	delete(m[a], b)
	if len(m[a]) == 0 {
		delete(m, a)
	}
}

// The parts of the state domain.Apply changes.
func (st *state) PutEntry(_, owner, friend string, _ domain.Entry) {
	set(st.Friends, owner, friend, true)
}
func (st *state) DeleteEntry(_, owner, friend string)                     { set(st.Friends, owner, friend, false) }
func (st *state) UpdateEntry(string, string, string, func(*domain.Entry)) {}
func (st *state) PutBlock(_, user, target string, _ int64)                { set(st.Blocks, user, target, true) }
func (st *state) DeleteBlock(_, user, target string)                      { set(st.Blocks, user, target, false) }
func (st *state) PutFollow(_, user, target string, _ int64)               { set(st.Fans, target, user, true) }
func (st *state) DeleteFollow(_, user, target string)                     { set(st.Fans, target, user, false) }

// ServeHTTP answers GET /counts?user=.
func (st *state) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u := r.URL.Query().Get("user")
	if r.URL.Path != "/counts" || u == "" {
		http.Error(w, "GET /counts?user=<user ID>", http.StatusNotFound)
		return
	}
	st.mu.Lock()
	body := map[string]any{"user": u, "friends": len(st.Friends[u]), "blocks": len(st.Blocks[u]), "followers": len(st.Fans[u]), "seq": st.Seq}
	st.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}
