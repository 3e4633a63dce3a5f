package projections

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"

	"github.com/amity-im/amity/domain"
)

// A snapshot is the whole model on disk with the stream positions it
// reflects: the in-order read position (resume the read after it) and every
// partition's applied sequence (so commits applied beyond the read position
// are not applied twice). Commits of one partition are always applied as a
// prefix, so a snapshot taken at any moment, restored and followed from its
// read position yields exactly the state a full replay gives.
//
// File: the magic line, the SHA-256 of the payload, then the gob payload.
// A missing, truncated, corrupted or older-schema snapshot is refused and
// the caller replays the stream from the start: never wrong state.

const (
	snapshotMagic = "AMITY-SNAPSHOT\n"
	// SnapshotSchema changes whenever the snapshot's payload does.
	SnapshotSchema = 1
)

// ErrSnapshotUnusable wraps every reason a snapshot cannot be loaded.
var ErrSnapshotUnusable = errors.New("snapshot unusable")

type snapshot struct {
	Schema   int
	Seq      uint64
	Followed uint64
	Parts    map[string]uint64
	Apps     map[string]map[string]*userSnapshot
}

// userSnapshot is one user's state, also the canonical form hashed by the
// digest.
type userSnapshot struct {
	Registered bool                    `json:"registered"`
	Info       domain.User             `json:"info"`
	Friends    map[string]domain.Entry `json:"friends,omitempty"`
	Explicit   []string                `json:"explicit_groups,omitempty"`
	Blocked    map[string]int64        `json:"blocked,omitempty"`
	Unblocked  []string                `json:"unblocked,omitempty"`
	StdSeq     uint64                  `json:"std_seq"`
	CustomSeq  uint64                  `json:"custom_seq"`
	BlockSeq   uint64                  `json:"block_seq"`
}

func (u *userState) snapshot(a *appState) *userSnapshot {
	s := &userSnapshot{Registered: u.registered, Info: u.info, StdSeq: u.stdSeq, CustomSeq: u.customSeq, BlockSeq: u.blockSeq}
	if u.friends.len() > 0 {
		s.Friends = make(map[string]domain.Entry, u.friends.len())
		u.friends.each(func(id uint32, e domain.Entry) { s.Friends[a.names[id]] = e.Clone() })
	}
	for g := range u.explicit {
		s.Explicit = append(s.Explicit, g)
	}
	sortStrings(s.Explicit)
	if len(u.blocked) > 0 {
		s.Blocked = maps.Clone(u.blocked)
	}
	for t := range u.unblocked {
		s.Unblocked = append(s.Unblocked, t)
	}
	sortStrings(s.Unblocked)
	return s
}

func (s *userSnapshot) state(a *appState) *userState {
	u := &userState{registered: s.Registered, info: s.Info, stdSeq: s.StdSeq, customSeq: s.CustomSeq, blockSeq: s.BlockSeq}
	for name, e := range s.Friends {
		u.friends.put(a.intern(name), e)
		u.refGroups(e.Groups, 1)
	}
	for _, g := range s.Explicit {
		if u.explicit == nil {
			u.explicit = map[string]bool{}
		}
		u.explicit[g] = true
		u.refGroups([]string{g}, 1)
	}
	if len(s.Blocked) > 0 {
		u.blocked = maps.Clone(s.Blocked)
	}
	for _, t := range s.Unblocked {
		if u.unblocked == nil {
			u.unblocked = map[string]bool{}
		}
		u.unblocked[t] = true
	}
	return u
}

// WriteSnapshot writes the model to path atomically (a temporary file,
// synced, then renamed) and returns the read position it reflects.
func (m *Model) WriteSnapshot(path string) (uint64, error) {
	m.mu.RLock()
	snap := snapshot{Schema: SnapshotSchema, Seq: m.seq, Followed: m.followed, Parts: maps.Clone(m.parts), Apps: map[string]map[string]*userSnapshot{}}
	for name, a := range m.apps {
		users := make(map[string]*userSnapshot, len(a.users))
		for id, u := range a.users {
			users[id] = u.snapshot(a)
		}
		snap.Apps[name] = users
	}
	m.mu.RUnlock()

	var payload bytes.Buffer
	if err := gob.NewEncoder(&payload).Encode(&snap); err != nil {
		return 0, fmt.Errorf("encode snapshot: %w", err)
	}
	sum := sha256.Sum256(payload.Bytes())
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return 0, fmt.Errorf("snapshot dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".snapshot-*")
	if err != nil {
		return 0, fmt.Errorf("snapshot file: %w", err)
	}
	defer os.Remove(tmp.Name())
	for _, b := range [][]byte{[]byte(snapshotMagic), sum[:], payload.Bytes()} {
		if _, err := tmp.Write(b); err != nil {
			tmp.Close()
			return 0, fmt.Errorf("write snapshot: %w", err)
		}
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("sync snapshot: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("close snapshot: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("install snapshot: %w", err)
	}
	return snap.Followed, nil
}

// LoadSnapshot reads a snapshot written by WriteSnapshot into a new model.
// Any error wraps ErrSnapshotUnusable (or fs.ErrNotExist, wrapped too).
func LoadSnapshot(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSnapshotUnusable, err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("%w: read: %w", ErrSnapshotUnusable, err)
	}
	if !bytes.HasPrefix(data, []byte(snapshotMagic)) || len(data) < len(snapshotMagic)+sha256.Size {
		return nil, fmt.Errorf("%w: not a snapshot file", ErrSnapshotUnusable)
	}
	data = data[len(snapshotMagic):]
	sum, payload := data[:sha256.Size], data[sha256.Size:]
	if got := sha256.Sum256(payload); !bytes.Equal(got[:], sum) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrSnapshotUnusable)
	}
	var snap snapshot
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&snap); err != nil {
		return nil, fmt.Errorf("%w: decode: %w", ErrSnapshotUnusable, err)
	}
	if snap.Schema != SnapshotSchema {
		return nil, fmt.Errorf("%w: schema %d, this build reads %d", ErrSnapshotUnusable, snap.Schema, SnapshotSchema)
	}
	m := NewModel()
	m.seq, m.followed = snap.Seq, snap.Followed
	if snap.Parts != nil {
		m.parts = snap.Parts
	}
	for name, users := range snap.Apps {
		a := newAppState()
		for id, u := range users {
			a.users[id] = u.state(a)
		}
		m.apps[name] = a
	}
	return m, nil
}
