package projections

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash/fnv"
	"maps"
	"slices"
	"sort"
)

// DigestBuckets is how many buckets a digest splits users into.
const DigestBuckets = 256

// Digest is a summary of the whole model: one hash per bucket of users, the
// hash of them all, and the per-partition positions the state reflects.
type Digest struct {
	Seq     uint64            `json:"seq"`
	Parts   map[string]uint64 `json:"parts"`
	Buckets []string          `json:"buckets"`
	Sum     string            `json:"sum"`
	Users   int               `json:"users"`
	// Skipped are the stored messages the model passed over (not part of
	// Sum), the most recent of them.
	Skipped []Skipped `json:"skipped,omitempty"`
}

// UserHash is one user's hash.
type UserHash struct {
	App  string `json:"app"`
	User string `json:"user"`
	Hash string `json:"hash"`
}

func bucketOf(app, user string) int {
	h := fnv.New32a()
	h.Write([]byte(app))
	h.Write([]byte{0})
	h.Write([]byte(user))
	return int(h.Sum32() % DigestBuckets)
}

func userHash(a *appState, app, user string, u *userState) string {
	b, _ := json.Marshal(u.snapshot(a, user)) // maps encode in key order: canonical
	h := sha256.New()
	h.Write([]byte(app))
	h.Write([]byte{0})
	h.Write([]byte(user))
	h.Write([]byte{0})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// Digest hashes the model as of one instant.
func (m *Model) Digest() Digest {
	m.mu.RLock()
	defer m.mu.RUnlock()
	perBucket := make([][]UserHash, DigestBuckets)
	users := 0
	for app, a := range m.apps {
		a.eachUser(func(_ uint32, id string, u *userState) {
			b := bucketOf(app, id)
			perBucket[b] = append(perBucket[b], UserHash{app, id, userHash(a, app, id, u)})
			users++
		})
	}
	d := Digest{Seq: m.seq, Parts: maps.Clone(m.parts), Buckets: make([]string, DigestBuckets), Users: users, Skipped: slices.Clone(m.skipped)}
	all := sha256.New()
	for i, hs := range perBucket {
		sortHashes(hs)
		h := sha256.New()
		for _, uh := range hs {
			h.Write([]byte(uh.Hash))
		}
		d.Buckets[i] = hex.EncodeToString(h.Sum(nil))
		all.Write([]byte(d.Buckets[i]))
	}
	d.Sum = hex.EncodeToString(all.Sum(nil))
	return d
}

// BucketUsers returns the hashes of the users in one digest bucket, in
// order.
func (m *Model) BucketUsers(bucket int) []UserHash {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []UserHash
	for app, a := range m.apps {
		a.eachUser(func(_ uint32, id string, u *userState) {
			if bucketOf(app, id) == bucket {
				out = append(out, UserHash{app, id, userHash(a, app, id, u)})
			}
		})
	}
	sortHashes(out)
	return out
}

func sortHashes(hs []UserHash) {
	slices.SortFunc(hs, func(a, b UserHash) int { return cmp.Or(cmp.Compare(a.App, b.App), cmp.Compare(a.User, b.User)) })
}

func sortStrings(s []string) { sort.Strings(s) }
