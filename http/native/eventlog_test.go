package native_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/native"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/projections"
)

// streamOnly is the read model without its event log: every history
// answer reads the commits on the stream.
type streamOnly struct{ *projections.Model }

func (streamOnly) Events([]domain.EventRef, func(int, []byte)) {}

// TestLogAndStreamAnswerAlike drives a random scenario, then asks two /v1
// servers on the same core — one reading events from the read model's
// event log, one from their commits on the stream — for every user's
// changes (from random points, in random pages), lists as of random
// sequences and every pair's history: the answers are the same bytes, and
// each event in them is what encoding/json writes for it. Then the log's
// file is damaged in many places: the answers stay the same.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestLogAndStreamAnswerAlike(t *testing.T) {
	core, base := server(t)
	zimSrv := zim.New(core.Deps(), demo, other)
	r := amityhttp.NewHandler(native.Routes(native.Config{Now: time.Now, History: core.Store, Index: streamOnly{core.Model}, ZIM: zimSrv}))
	stream := httptest.NewServer(r)
	t.Cleanup(stream.Close)

	people := []string{"p0", "p1", "p2", "p3", "p4"}
	rng := rand.New(rand.NewPCG(41, 43))
	randomScenario(t, base, people, rng, 120, true, nil)
	last := core.LastSeq()
	raw := func(srv, path string, q url.Values) []byte {
		t.Helper()
		s := zim.SignedQuery("", 1234567, "demo-secret", fmt.Sprint(time.Now().UnixNano(), rng.Int64()), time.Now())
		for k, v := range q {
			s[k] = v
		}
		resp, err := http.Get(srv + path + "?" + s.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s %v: HTTP %d %s %v", path, q, resp.StatusCode, body, err)
		}
		return body
	}
	var queries [][2]any
	for _, u := range people {
		for range 4 {
			queries = append(queries,
				[2]any{"/v1/changes", url.Values{"user": {u}, "since": {strconv.FormatUint(rng.Uint64N(last), 10)}, "limit": {strconv.Itoa(1 + rng.IntN(9))}}},
				[2]any{"/v1/friends", url.Values{"user": {u}, "as_of_seq": {strconv.FormatUint(rng.Uint64N(last), 10)}}})
		}
		for _, v := range people {
			queries = append(queries, [2]any{"/v1/pairs/history", url.Values{"user_a": {u}, "user_b": {v}}})
		}
	}
	compare := func(when string) int {
		t.Helper()
		events := 0
		for _, q := range queries {
			path, vals := q[0].(string), q[1].(url.Values)
			fromLog, fromStream := raw(base, path, vals), raw(stream.URL, path, vals)
			if !bytes.Equal(fromLog, fromStream) {
				t.Fatalf("%s: %s %v from the log\n%s\nfrom the stream\n%s", when, path, vals, fromLog, fromStream)
			}
			var body struct {
				Events []struct{ Event json.RawMessage }
			}
			if err := json.Unmarshal(fromLog, &body); err != nil {
				t.Fatal(err)
			}
			for _, e := range body.Events {
				ev, err := domain.DecodeEvent(e.Event, "demo")
				if err != nil {
					t.Fatalf("%s: event %s: %v", when, e.Event, err)
				}
				if b, _ := json.Marshal(ev); !bytes.Equal(b, e.Event) {
					t.Fatalf("%s: event\n%s\nwhere encoding/json writes\n%s", when, e.Event, b)
				}
				events++
			}
		}
		return events
	}
	inLog := func() (given, all int) {
		for _, u := range people {
			hits := core.Model.UserHistory("demo", u, 0, last, 0)
			all += len(hits)
			core.Model.Events(hits, func(int, []byte) { given++ })
		}
		return given, all
	}
	if given, all := inLog(); given != all || all < 100 {
		t.Fatalf("the log gives %d of the %d events the index names", given, all)
	}
	if n := compare("with the log"); n < 100 {
		t.Fatalf("only %d events compared", n)
	}
	end, err := core.Log.Sync()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(core.Log.Path(), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	for off := st.Size() - end/2; off < st.Size(); off += 97 {
		if _, err := f.WriteAt([]byte{'#'}, off); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	if given, all := inLog(); given == all || given == 0 {
		t.Fatalf("with half the log damaged, the log gives %d of %d events", given, all)
	}
	compare("with half the log damaged")
}
