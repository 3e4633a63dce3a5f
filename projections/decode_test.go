package projections

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
)

// sliceSource serves recs in order, then waits for ctx to end.
type sliceSource struct{ recs []domain.Record }

func (s sliceSource) Follow(ctx context.Context, from uint64, fn func(domain.Record) error) error {
	for _, r := range s.recs {
		if r.Seq < from {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return ctx.Err()
}

func (s sliceSource) LastSeq(context.Context) (uint64, error) {
	return s.recs[len(s.recs)-1].Seq, nil
}

func records(t *testing.T, n int) []domain.Record {
	t.Helper()
	var recs []domain.Record
	for i := 1; i <= n; i++ {
		// Each commit re-adds u0's friend f with a create time of i: only
		// in-order application ends with the last one's.
		ev := added("u0", "f", false)
		ev.Data.(domain.FriendAdded).Entry.CreateTime = int64(i)
		ev.ID, ev.Version, ev.Type = fmt.Sprint("e", i), domain.SchemaVersion, domain.TypeFriendAdded
		data, err := domain.MarshalCommit(domain.Commit{ID: fmt.Sprint("c", i), App: "a", Events: []domain.Event{ev}})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, domain.Record{Subject: fmt.Sprint("amity.a.rel.", i%7), Seq: uint64(i), Data: data})
	}
	return recs
}

func TestFollowAppliesDecodedRecordsInOrder(t *testing.T) {
	src := sliceSource{records(t, 5000)}
	m := NewModel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() { _ = Follow(ctx, src, m, 1, slog.New(slog.DiscardHandler)) }()
	if err := CatchUp(ctx, src, m); err != nil {
		t.Fatal(err)
	}
	if e, ok := m.Entry("a", "u0", "f"); !ok || e.CreateTime != 5000 {
		t.Errorf("entry after 5000 commits = %+v, %v; want create time 5000", e, ok)
	}
	replayed, events, err := Replay(ctx, src, 2500, nil, nil)
	if err != nil || events != 2500 {
		t.Fatalf("Replay to 2500 = %d events, %v", events, err)
	}
	if e, _ := replayed.Entry("a", "u0", "f"); e.CreateTime != 2500 || replayed.Followed() != 2500 {
		t.Errorf("replay to 2500: create time %d, followed %d", e.CreateTime, replayed.Followed())
	}
}

func TestBadRecordsAreSkippedAlikeByFollowReplayAndSnapshot(t *testing.T) {
	recs := records(t, 300)
	bad := map[uint64]string{
		200: `{"id":"broken","events":[{"type":`,
		201: `{"id":"c201","app":"a","events":[{"id":"e","type":"FriendPoked","version":1,"app":"a","time":"2026-01-01T00:00:00Z","data":{}}]}`,
		202: `{"id":"c202","app":"a","events":[{"id":"e","type":"FriendDeleted","version":99,"app":"a","time":"2026-01-01T00:00:00Z","data":{"user":"u0","friend":"f"}}]}`,
		203: `{"id":"c203","app":"b","events":[]}`,
		204: `{"id":"c204","app":"a","events":[{"id":"e","type":"FriendDeleted","version":1,"app":"b","time":"2026-01-01T00:00:00Z","data":{"user":"u0","friend":"f"}}]}`,
		205: `{"id":"c205","app":"a","events":[{"id":"e","type":"FriendDeleted","version":1,"app":"a","time":"2026-01-01T00:00:00Z","data":{"user":"","friend":"f"}}]}`,
	}
	for seq, data := range bad {
		recs[seq-1].Data = []byte(data)
	}
	m := NewModel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() { _ = Follow(ctx, sliceSource{recs}, m, 1, slog.New(slog.DiscardHandler)) }()
	if err := CatchUp(ctx, sliceSource{recs}, m); err != nil {
		t.Fatal(err)
	}
	if e, ok := m.Entry("a", "u0", "f"); !ok || e.CreateTime != 300 {
		t.Errorf("entry after 300 commits = %+v, %v; want create time 300: the read goes on past bad records", e, ok)
	}
	skippedSeqs := func(m *Model) []uint64 {
		n, list := m.Skips()
		var seqs []uint64
		for _, s := range list {
			seqs = append(seqs, s.Seq)
		}
		if n != uint64(len(seqs)) {
			t.Errorf("Skips count %d, listed %d", n, len(seqs))
		}
		return seqs
	}
	want := []uint64{200, 201, 202, 203, 204, 205}
	if got := skippedSeqs(m); !slices.Equal(got, want) {
		t.Errorf("followed model skipped %v, want %v", got, want)
	}
	if _, list := m.Skips(); !strings.Contains(list[1].Reason, "FriendPoked") || !strings.Contains(list[2].Reason, "version 99") {
		t.Errorf("skip reasons %q, %q do not name the type and the version", list[1].Reason, list[2].Reason)
	}
	if got := m.PartitionSeq(recs[199].Subject); got < 200 {
		t.Errorf("partition of the garbage record at %d, want past 200: the next commit there is expected after it", got)
	}
	replayed, _, err := Replay(ctx, sliceSource{recs}, 300, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := skippedSeqs(replayed); !slices.Equal(got, want) {
		t.Errorf("replay skipped %v, want %v", got, want)
	}
	if a, b := m.Digest(), replayed.Digest(); a.Sum != b.Sum {
		t.Errorf("followed digest %s, replayed %s", a.Sum, b.Sum)
	}
	path := filepath.Join(t.TempDir(), "model.snap")
	m.SetStream("AMITY@x")
	if _, err := m.WriteSnapshot(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := skippedSeqs(loaded); !slices.Equal(got, want) || loaded.Stream() != "AMITY@x" {
		t.Errorf("snapshot kept skips %v and stream %q, want %v and AMITY@x", got, loaded.Stream(), want)
	}
}
