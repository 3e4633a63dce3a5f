package projections

import (
	"context"
	"fmt"
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
	go func() { _ = Follow(ctx, src, m, 1) }()
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

func TestFollowStopsAtARecordThatDoesNotDecode(t *testing.T) {
	recs := records(t, 300)
	recs[199].Data = []byte(`{"id":"broken","events":[{"type":`)
	m := NewModel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := Follow(ctx, sliceSource{recs}, m, 1)
	if err == nil || !strings.Contains(err.Error(), "record 200") {
		t.Fatalf("Follow error = %v, want one naming record 200", err)
	}
	if got := m.Followed(); got != 199 {
		t.Errorf("followed to %d, want 199: nothing past the bad record", got)
	}
}
