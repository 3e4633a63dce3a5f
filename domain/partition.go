package domain

import (
	"hash/fnv"
)

// Key names the aggregate a command changes: the unordered pair {A, B} for
// relations, or one user.
type Key struct {
	Kind string
	A, B string
}

// PairKey returns the key of the unordered pair {a, b}.
func PairKey(a, b string) Key {
	if b < a {
		a, b = b, a
	}
	return Key{Kind: KindRelation, A: a, B: b}
}

// UserKey returns the key of user u.
func UserKey(u string) Key { return Key{Kind: KindUser, A: u} }

// Partition maps k onto one of n partitions. The mapping is part of the
// stored data: the partition count of an app never changes.
func (k Key) Partition(n int) int {
	h := fnv.New64a()
	h.Write([]byte(k.A))
	if k.Kind == KindRelation {
		h.Write([]byte{0})
		h.Write([]byte(k.B))
	}
	return int(h.Sum64() % uint64(n))
}
