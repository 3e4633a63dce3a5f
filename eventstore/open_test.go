package eventstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/nats-io/nats.go/jetstream"
)

// TestExistingStreamsAreNeverChanged: a stream made otherwise than Amity
// would make it is kept as it is by Open (which logs the difference) and
// by Lookup; a missing stream is, for Lookup, an error naming it.
func TestExistingStreamsAreNeverChanged(t *testing.T) {
	_, nc := startEmbedded(t, eventstore.EmbeddedConfig{Listen: "-"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	if _, err := eventstore.Lookup(ctx, nc, eventstore.Config{}); err == nil || !strings.Contains(err.Error(), "stream AMITY not found") {
		t.Fatalf("Lookup of a missing stream = %v, want an error naming AMITY", err)
	}
	js, _ := jetstream.New(nc)
	made := jetstream.StreamConfig{Name: eventstore.StreamName, Subjects: domain.StreamSubjects, Storage: jetstream.FileStorage,
		Retention: jetstream.InterestPolicy, MaxAge: time.Hour, Duplicates: 5 * time.Minute}
	if _, err := js.CreateStream(ctx, made); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	if _, err := eventstore.Open(ctx, nc, eventstore.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))}); err != nil {
		t.Fatal(err)
	}
	if _, err := eventstore.Lookup(ctx, nc, eventstore.Config{}); err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, eventstore.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	have := st.CachedInfo().Config
	if have.Retention != jetstream.InterestPolicy || have.MaxAge != time.Hour || have.Duplicates != 5*time.Minute {
		t.Errorf("stream config changed: retention %v, max age %v, duplicates %v", have.Retention, have.MaxAge, have.Duplicates)
	}
	for _, want := range []string{"setting=retention", "setting=max_age"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("Open logged no %s difference:\n%s", want, logs.String())
		}
	}
}

// TestOperationsDocGivesTheServicePermissions: the permissions block that
// docs/operations.md tells operators to paste is the one the code gives.
func TestOperationsDocGivesTheServicePermissions(t *testing.T) {
	doc, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	if block := eventstore.ServicePermissionsConfig(); !strings.Contains(string(doc), block) {
		t.Errorf("docs/operations.md lacks the service permissions block:\n%s", block)
	}
}
