package domain

import (
	"hash/fnv"
	"strconv"
	"strings"
)

// Aggregate kinds, the third token of a stream subject.
const (
	KindRelation = "rel"
	KindUser     = "user"
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

// Subject is the stream subject that holds the commits of k's partition:
// amity.<app>.<kind>.<partition>. User IDs never appear in subjects.
func Subject(app string, k Key, partitions int) string {
	return "amity." + app + "." + k.Kind + "." + strconv.Itoa(k.Partition(partitions))
}

// SubjectApp returns the app a stream subject amity.<app>.<kind>.<partition>
// belongs to.
func SubjectApp(subject string) (string, bool) {
	rest, ok := strings.CutPrefix(subject, "amity.")
	app, rest, ok2 := strings.Cut(rest, ".")
	kind, part, ok3 := strings.Cut(rest, ".")
	if !ok || !ok2 || !ok3 || app == "" || kind == "" || part == "" || strings.Contains(part, ".") {
		return "", false
	}
	return app, true
}
