package eventstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/nats-io/nats.go/jetstream"
)

// AppsBucket is the key-value bucket that records each app's partition
// count (key: the app, value: the count in decimal). Every instance and
// every tool reads it there; the stream's commits name their partitions.
const AppsBucket = "AMITY_APPS"

// Partitions returns app's partition count (domain.ChoosePartitions),
// recording it on first use. Instances starting at once agree: the first
// record wins and the others read it.
func (s *Store) Partitions(ctx context.Context, app string, want int) (int, error) {
	kv, err := s.bucket(ctx, AppsBucket, "Amity apps' partition counts", 0)
	if err != nil {
		return 0, err
	}
	for {
		recorded, err := recordedPartitions(ctx, kv, app)
		if err != nil {
			return 0, err
		}
		legacy := false
		if recorded == 0 {
			if legacy, err = s.hasCommits(ctx, app); err != nil {
				return 0, err
			}
		}
		n, err := domain.ChoosePartitions(app, want, recorded, legacy)
		if err != nil || recorded > 0 {
			return n, err
		}
		_, err = kv.Create(ctx, app, []byte(strconv.Itoa(n)))
		if errors.Is(err, jetstream.ErrKeyExists) {
			continue // another instance recorded it first
		}
		if err != nil {
			return 0, fmt.Errorf("record partitions of app %s: %w", app, err)
		}
		s.log.Info("app partitions recorded", "app", app, "partitions", n, "legacy", legacy)
		return n, nil
	}
}

func recordedPartitions(ctx context.Context, kv jetstream.KeyValue, app string) (int, error) {
	e, err := kv.Get(ctx, app)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read partitions of app %s: %w", app, err)
	}
	n, err := strconv.Atoi(string(e.Value()))
	if err != nil || n < 1 || n > domain.MaxPartitions {
		return 0, fmt.Errorf("app %s: recorded partitions %q in %s is not a count", app, e.Value(), AppsBucket)
	}
	return n, nil
}

// hasCommits reports whether the stream holds any commit of app.
func (s *Store) hasCommits(ctx context.Context, app string) (bool, error) {
	_, err := s.stream.GetLastMsgForSubject(ctx, domain.AppFilter(app))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look for commits of app %s: %w", app, err)
	}
	return true, nil
}

// bucket opens the key-value bucket name once, creating it if it is
// missing (with ttl as its values' lifetime; 0 keeps them) with the
// stream's replicas. An existing bucket is kept as it is.
func (s *Store) bucket(ctx context.Context, name, description string, ttl time.Duration) (jetstream.KeyValue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if kv, ok := s.buckets[name]; ok {
		return kv, nil
	}
	kv, err := s.js.KeyValue(ctx, name)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = s.js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: name, Description: description, TTL: ttl,
			Storage: jetstream.FileStorage, Replicas: s.stream.CachedInfo().Config.Replicas})
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = s.js.KeyValue(ctx, name)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open bucket %s: %w", name, err)
	}
	if s.buckets == nil {
		s.buckets = map[string]jetstream.KeyValue{}
	}
	s.buckets[name] = kv
	return kv, nil
}
