package migrate_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/migrate"
	"github.com/amity-im/amity/internal/testenv"
)

// flakySource fails for the users in bad, and knows every other user as
// having no friends.
type flakySource struct{ bad map[string]bool }

func (s flakySource) Read(_ context.Context, user string) (domain.Graph, error) {
	if s.bad[user] {
		return domain.Graph{}, errors.New("malformed answer")
	}
	return domain.Graph{User: user, Known: true}, nil
}

func (flakySource) Normalize(g domain.Graph) domain.Graph { return g }

var _ amityhttp.Source = flakySource{}

// TestACheckpointStopsBeforeAUserNotCopied: the users at the head of the
// list that were copied whole are kept as done; a user that failed is
// not, so a run again goes on from it, and finishes the list.
func TestACheckpointStopsBeforeAUserNotCopied(t *testing.T) {
	core := testenv.Start(t)
	cp := filepath.Join(t.TempDir(), "checkpoint")
	src := flakySource{bad: map[string]bool{"u3": true}}
	s := &migrate.Syncer{App: &domain.App{Name: "moving"}, Source: src, Writer: core.Writer,
		Amity: migrate.ModelView{Model: core.Model}, NewID: core.NewID}
	list := "u1\nu2\n\nu3\nu4\n"
	r := &migrate.Run{Syncer: s, Mode: migrate.Copy, Workers: 1, Checkpoint: cp}
	sum, err := r.Run(context.Background(), strings.NewReader(list), 4)
	if err != nil || sum.Done != 4 || sum.Failed != 1 {
		t.Fatalf("first run: %+v, %v", sum, err)
	}
	if b, _ := os.ReadFile(cp); strings.TrimSpace(string(b)) != "2" {
		t.Errorf("checkpoint after u3 failed = %q, want 2", b)
	}
	delete(src.bad, "u3")
	sum, err = r.Run(context.Background(), strings.NewReader(list), 4)
	if err != nil || sum.Skipped != 2 || sum.Done != 2 || sum.Failed != 0 {
		t.Fatalf("second run: %+v, %v", sum, err)
	}
	if b, _ := os.ReadFile(cp); strings.TrimSpace(string(b)) != "4" {
		t.Errorf("checkpoint at the end = %q, want 4", b)
	}
	if !core.Model.Registered("moving", "u3") {
		t.Error("u3 was not copied by the second run")
	}
}
