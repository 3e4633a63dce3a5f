package domain

// ReadModel answers queries from the projections, never from the stream.
type ReadModel interface {
	User(app, id string) (User, bool)
	Registered(app, user string) bool
	Entry(app, owner, friend string) (Entry, bool)
	// Relation reports, read together, whether a's list holds b and b's holds a.
	Relation(app, a, b string) (ab, ba bool)
	// Relations reports, all read at one instant, for each of others
	// whether user's list holds it ([0]) and its list holds user ([1]).
	Relations(app, user string, others []string) [][2]bool
	// Friends returns up to limit of user's friends from offset, in ID order,
	// with the total count.
	Friends(app, user string, offset, limit int) (page []Friend, total int)
	FriendCount(app, user string) int
	// Groups returns user's friend groups with their members.
	Groups(app, user string) []Group
	HasGroup(app, user, name string) bool
	// Sequences are the stream sequences of the last change to user's
	// standard and custom friend data.
	Sequences(app, user string) (standard, custom uint64)
	// Blocked reports whether user's blocklist holds target, and whether it
	// held target once and no longer does.
	Blocked(app, user, target string) (blocked, wasBlocked bool)
	// Blocklist returns up to limit of user's blocked users from offset, in
	// ID order, with the total count.
	Blocklist(app, user string, offset, limit int) (page []Block, total int)
	// BlockSequence is the stream sequence of the last change to user's
	// blocklist.
	BlockSequence(app, user string) uint64
	// Mutes returns the users user muted, in ID order, with since when.
	Mutes(app, user string) []Follow
	// Seq is the highest stream sequence the model reflects.
	Seq() uint64
}

// Block is one entry of a blocklist: who, and when (Unix ms).
type Block struct {
	ID   string
	Time int64
}

// Record is one message of the stream: a commit and where it is stored.
type Record struct {
	Subject string
	Seq     uint64
	Data    []byte
}
