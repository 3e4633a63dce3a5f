package writer_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore/memory"
	"github.com/amity-im/amity/projections"
	"github.com/amity-im/amity/writer"
)

var ids atomic.Uint64

func newID() string { return fmt.Sprintf("id-%d", ids.Add(1)) }

func newWriter(store *memory.Store) (*writer.Writer, *projections.Model) {
	m := projections.NewModel()
	return writer.New(writer.Config{Log: store, State: m, NewID: newID, Now: time.Now}), m
}

// TestEveryExecuteReturnsAroundClose calls Execute before, during and after
// Close, many times over: every call returns, with its result or with the
// writer's closed error, and nothing is left waiting.
func TestEveryExecuteReturnsAroundClose(t *testing.T) {
	app := &domain.App{Name: "demo"}
	const rounds, callers = 2000, 4
	for round := range rounds {
		w, _ := newWriter(memory.New())
		var wg sync.WaitGroup
		var answered atomic.Int64
		for c := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 3 {
					res := w.Execute(context.Background(), app, domain.Meta{}, domain.RegisterUser{User: fmt.Sprintf("u%d-%d-%d", round, c, i)})
					if len(res) != 1 || (res[0].Err != nil && !errors.Is(res[0].Err, domain.ErrInternal)) {
						t.Errorf("Execute = %+v", res)
					}
					answered.Add(1)
				}
			}()
		}
		closed := make(chan struct{})
		go func() { w.Close(); close(closed) }()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: %d of %d calls returned around Close", round, answered.Load(), callers*3)
		}
		<-closed
		if res := w.Execute(context.Background(), app, domain.Meta{}, domain.RegisterUser{User: "late"}); !errors.Is(res[0].Err, domain.ErrInternal) {
			t.Fatalf("Execute after Close = %+v, want the closed error", res)
		}
	}
}

// TestACommitWhoseAnswerWasLostIsNotStoredTwice: an append stored but
// answered with an error (its answer lost with a node) is made again, loses
// the race to itself, and the writer answers with the stored commit instead
// of deciding again.
func TestACommitWhoseAnswerWasLostIsNotStoredTwice(t *testing.T) {
	store := memory.New()
	m := projections.NewModel()
	w := writer.New(writer.Config{Log: &losingFirstAnswer{Store: store}, State: m, NewID: newID, Now: time.Now})
	defer w.Close()
	app := &domain.App{Name: "demo"}
	res := w.Execute(context.Background(), app, domain.Meta{}, domain.RegisterUser{User: "ann"})
	if res[0].Err != nil || res[0].Seq != 1 {
		t.Fatalf("Execute = %+v, want the first commit at sequence 1", res)
	}
	if last, _ := store.LastSeq(context.Background()); last != 1 {
		t.Errorf("stream holds %d messages, want 1", last)
	}
	if !m.Registered("demo", "ann") {
		t.Error("the stored commit was not applied")
	}
}

// losingFirstAnswer stores the first append but answers it as a lost race,
// as a retry after a lost answer sees it.
type losingFirstAnswer struct {
	*memory.Store
	once sync.Once
}

func (l *losingFirstAnswer) Append(ctx context.Context, subject string, expect uint64, msgID string, data []byte) (uint64, error) {
	var lost bool
	l.once.Do(func() { lost = true })
	seq, err := l.Store.Append(ctx, subject, expect, msgID, data)
	if lost && err == nil {
		return 0, fmt.Errorf("answer lost: %w", domain.ErrConflict)
	}
	return seq, err
}
