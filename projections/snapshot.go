package projections

import (
	"errors"
	"maps"

	"github.com/amity-im/amity/domain"
)

// A snapshot is the whole model on disk with the stream positions it
// reflects: the in-order read position (resume the read after it) and every
// partition's applied sequence (so commits applied beyond the read position
// are not applied twice). Commits of one partition are always applied as a
// prefix, so a snapshot taken at any moment, restored and followed from its
// read position yields exactly the state a full replay gives.
//
// File: the magic line, the SHA-256 of the payload, then the payload: a flat
// binary layout (see snapcodec.go) of the interned IDs and the 16-byte
// edges, streamed, so loading needs no more memory than the model.
// A missing, truncated, corrupted or older-schema snapshot is refused and
// the caller replays the stream from the start: never wrong state.

const (
	snapshotMagic = "AMITY-SNAPSHOT\n"
	// SnapshotSchema changes whenever the snapshot's payload does.
	SnapshotSchema = 7
)

// ErrSnapshotUnusable wraps every reason a snapshot cannot be loaded.
var ErrSnapshotUnusable = errors.New("snapshot unusable")

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
	Social     *social                 `json:"social,omitempty"`
}

func (u *userState) snapshot(a *appState, id string) *userSnapshot {
	x := u.more()
	s := &userSnapshot{Registered: u.registered, Info: u.info(id), StdSeq: u.stdSeq, CustomSeq: x.customSeq, BlockSeq: x.blockSeq}
	if u.friends.len() > 0 {
		s.Friends = make(map[string]domain.Entry, u.friends.len())
		u.friends.each(func(id uint32, e domain.Entry) { s.Friends[a.names[id]] = e.Clone() })
	}
	for g := range x.explicit {
		s.Explicit = append(s.Explicit, g)
	}
	sortStrings(s.Explicit)
	if len(x.blocked) > 0 {
		s.Blocked = maps.Clone(x.blocked)
	}
	for t := range x.unblocked {
		s.Unblocked = append(s.Unblocked, t)
	}
	sortStrings(s.Unblocked)
	if x.social != nil {
		s.Social = x.social.clone()
	}
	return s
}
