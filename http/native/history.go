package native

import (
	"cmp"
	"context"
	"math"
	"net/url"
	"slices"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/domain/jsonscan"
)

// user reads the user ID of the query parameter name.
func user(q url.Values, name string) (string, error) {
	u := q.Get(name)
	if !validID(u) {
		return "", badRequest(name + " must be a user ID of 1 to 32 bytes of UTF-8, with no control characters")
	}
	return u, nil
}

// validID holds a user ID to what both vendors take: 1 to 32 bytes, valid
// UTF-8, no control characters (Tencent takes printable ASCII, ZIM a
// smaller set still; an ID either made passes).
func validID(id string) bool {
	if id == "" || len(id) > 32 || !utf8.ValidString(id) {
		return false
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// upTo is the sequence the answers of a call are as of: every commit this
// instance has applied, once its in-order read has reached them all (a
// moment at most, after this instance's own writes), so that nothing at or
// below it is missing.
func (cfg Config) upTo(ctx context.Context) uint64 {
	to := cfg.Index.Seq()
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if cfg.Index.WaitFollowed(wctx, to) != nil {
		return cfg.Index.Followed()
	}
	return to
}

// events passes the events refs name to fn, in order, each as its commit
// holds it (domain.EventsAtRaw): from the read model's event log, which
// holds a copy of each, else (an event the log does not hold) from its
// commit on the stream, each commit read once and only the events asked
// for decoded.
func (cfg Config) events(ctx context.Context, refs []domain.EventRef, fn func(seq uint64, ev []byte) error) error {
	raw := make([][]byte, len(refs))
	cfg.Index.Events(refs, func(i int, ev []byte) { raw[i] = ev })
	var seqs []uint64
	of := map[uint64][]int{} // which of refs each commit read holds
	for i, r := range refs {
		if raw[i] != nil {
			continue
		}
		if len(seqs) == 0 || seqs[len(seqs)-1] != r.Seq {
			seqs = append(seqs, r.Seq)
		}
		of[r.Seq] = append(of[r.Seq], i)
	}
	if len(seqs) > 0 {
		err := cfg.History.Records(ctx, seqs, func(r domain.Record) error {
			places := make([]int, len(of[r.Seq]))
			for k, i := range of[r.Seq] {
				places[k] = refs[i].Event
			}
			_, evs, err := domain.EventsAtRaw(r, places)
			if err != nil {
				return nil // skipped here as by every read model (docs/operations.md)
			}
			for k, ev := range evs {
				raw[of[r.Seq][k]] = ev
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for i, r := range refs {
		if raw[i] == nil {
			continue // a commit skipped, or gone
		}
		if err := fn(r.Seq, raw[i]); err != nil {
			return err
		}
	}
	return nil
}

// rawChange is one event of an answer, as its commit holds it,
// with the stream sequence of its commit: {"seq":…,"event":{…}}.
type rawChange struct {
	seq uint64
	ev  []byte
}

// changesSize is about what appendChanges writes.
func changesSize(cs []rawChange) int {
	n := 2
	for _, c := range cs {
		n += len(c.ev) + 32
	}
	return n
}

func appendChanges(b []byte, cs []rawChange) []byte {
	b = append(b, '[')
	for i, c := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(append(b, `{"seq":`...), c.seq, 10)
		b = append(append(append(b, `,"event":`...), c.ev...), '}')
	}
	return append(b, ']')
}

// pairHistoryAnswer is /v1/pairs/history's answer, written as
// encoding/json writes the map of its fields.
type pairHistoryAnswer struct {
	a, b   string
	seq    uint64
	events []rawChange
}

func (p pairHistoryAnswer) AppendJSON(b []byte) []byte {
	b = slices.Grow(b, changesSize(p.events)+len(p.a)+len(p.b)+64)
	b = appendChanges(append(b, `{"events":`...), p.events)
	b = strconv.AppendUint(append(b, `,"seq":`...), p.seq, 10)
	b = jsonscan.AppendString(append(b, `,"user_a":`...), p.a)
	return append(jsonscan.AppendString(append(b, `,"user_b":`...), p.b), '}')
}

func (p pairHistoryAnswer) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

// pairHistory: every add, update, delete and block between user_a and
// user_b, oldest first.
func (cfg Config) pairHistory(ctx context.Context, app *domain.App, q url.Values) (any, error) {
	a, err := user(q, "user_a")
	if err != nil {
		return nil, err
	}
	b, err := user(q, "user_b")
	if err != nil {
		return nil, err
	}
	last := cfg.upTo(ctx)
	var refs []domain.EventRef
	for _, r := range cfg.Index.PairHistory(app.Name, a, b) {
		if r.Seq <= last && a != b { // one user is no pair: no history
			refs = append(refs, r)
		}
	}
	out := pairHistoryAnswer{a: a, b: b, seq: last}
	if out.events, err = cfg.rawEvents(ctx, refs); err != nil {
		return nil, err
	}
	return out, nil
}

// rawEvents reads the events refs name, each as its commit holds it.
func (cfg Config) rawEvents(ctx context.Context, refs []domain.EventRef) ([]rawChange, error) {
	events := make([]rawChange, 0, len(refs))
	err := cfg.events(ctx, refs, func(seq uint64, ev []byte) error {
		events = append(events, rawChange{seq, ev})
		return nil
	})
	return events, err
}

// friendsAsOf: a user's friend list as of a stream sequence (as_of_seq) or
// a time (as_of_time, RFC 3339 or Unix ms): the user's commits up to it,
// read by sequence from the history index.
func (cfg Config) friendsAsOf(ctx context.Context, app *domain.App, q url.Values) (any, error) {
	u, err := user(q, "user")
	if err != nil {
		return nil, err
	}
	to := cfg.upTo(ctx)
	switch {
	case q.Has("as_of_seq"):
		n, err := parseSeq(q.Get("as_of_seq"), "as_of_seq")
		if err != nil {
			return nil, err
		}
		to = min(n, to)
	case q.Has("as_of_time"):
		t, err := parseTime(q.Get("as_of_time"))
		if err != nil {
			return nil, err
		}
		// The list as of the last commit stored at or before the time:
		// /v1/changes?since=as_of_seq continues with what came after.
		at, err := cfg.History.SeqAt(ctx, t)
		if err != nil {
			return nil, err
		}
		to = min(at, to)
	}
	if !q.Has("as_of_time") && (!q.Has("as_of_seq") || to >= cfg.Index.Followed()) {
		// The list now is the read model's own (if nothing came since the
		// sequence asked for).
		if list, seq, ok := cfg.Index.FriendsNow(app.Name, u); ok && (!q.Has("as_of_seq") || seq <= to) {
			friends := make([]Friend, len(list))
			for i, f := range list {
				friends[i] = Friend{f.ID, f.Entry}
			}
			return map[string]any{"user": u, "as_of_seq": seq, "friends": friends}, nil
		}
	}
	m := &entries{}
	err = cfg.events(ctx, cfg.Index.UserHistory(app.Name, u, 1, to, 0), func(_ uint64, b []byte) error {
		ev, err := domain.DecodeEvent(b, app.Name)
		if err != nil {
			return nil // skipped as the commit it came from would be
		}
		domain.Apply(m.forUser(u), ev)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"user": u, "as_of_seq": to, "friends": m.list()}, nil
}

// The times a stream's messages can carry: nanoseconds since 1970 in an
// int64.
var (
	firstTime = time.Unix(0, 0).UTC()
	lastTime  = time.Unix(0, math.MaxInt64).UTC()
)

// parseTime reads as_of_time: RFC 3339 or Unix milliseconds, from 1970 to
// the last time a stream can hold (2262-04-11).
func parseTime(s string) (time.Time, error) {
	var t time.Time
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		if ms < 0 || ms > lastTime.UnixMilli() {
			return time.Time{}, badRequest("as_of_time must be from 0 to " + strconv.FormatInt(lastTime.UnixMilli(), 10) + " (Unix milliseconds)")
		}
		t = time.UnixMilli(ms)
	} else if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
		return time.Time{}, badRequest("as_of_time must be RFC 3339 or Unix milliseconds")
	}
	if t.Before(firstTime) || t.After(lastTime) {
		return time.Time{}, badRequest("as_of_time must be from " + firstTime.Format(time.RFC3339) + " to " + lastTime.Format(time.RFC3339))
	}
	return t, nil
}

// parseSeq reads a stream sequence of the query parameter name: 0 to the
// largest a stream can hold.
func parseSeq(s, name string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > math.MaxInt64 {
		return 0, badRequest(name + " must be a stream sequence, 0 to " + strconv.FormatInt(math.MaxInt64, 10))
	}
	return n, nil
}

// changes: the events that touched a user's friend list or blocklist after
// stream sequence since, oldest first, at most limit (default and most
// 1000); next is the since of the following page.
func (cfg Config) changes(ctx context.Context, app *domain.App, q url.Values) (any, error) {
	u, err := user(q, "user")
	if err != nil {
		return nil, err
	}
	since, err := parseSeq(q.Get("since"), "since")
	if err != nil {
		return nil, err
	}
	limit := MaxChanges
	if q.Has("limit") {
		if limit, err = strconv.Atoi(q.Get("limit")); err != nil || limit < 1 || limit > MaxChanges {
			return nil, badRequest("limit must be 1 to 1000")
		}
	}
	last := cfg.upTo(ctx)
	// A commit goes in whole while the page has room, and the page ends
	// after one, never inside it: the index gives the page's events and
	// the first one after them, if any.
	refs := cfg.Index.UserHistory(app.Name, u, since+1, last, limit)
	next, n := last, 0
	for i, r := range refs {
		if i > 0 && r.Seq != refs[i-1].Seq && n >= limit {
			next, refs = refs[i-1].Seq, refs[:i]
			break
		}
		n++
	}
	out := changesAnswer{user: u, since: since, next: next, complete: next == last}
	if out.events, err = cfg.rawEvents(ctx, refs); err != nil {
		return nil, err
	}
	return out, nil
}

// changesAnswer is /v1/changes' answer, written as encoding/json writes the
// map of its fields.
type changesAnswer struct {
	user        string
	since, next uint64
	complete    bool
	events      []rawChange
}

func (c changesAnswer) AppendJSON(b []byte) []byte {
	b = slices.Grow(b, changesSize(c.events)+len(c.user)+96)
	b = strconv.AppendBool(append(b, `{"complete":`...), c.complete)
	b = appendChanges(append(b, `,"events":`...), c.events)
	b = strconv.AppendUint(append(b, `,"next":`...), c.next, 10)
	b = strconv.AppendUint(append(b, `,"since":`...), c.since, 10)
	return append(jsonscan.AppendString(append(b, `,"user":`...), c.user), '}')
}

func (c changesAnswer) MarshalJSON() ([]byte, error) { return c.AppendJSON(nil), nil }

// entries is the one user's part of the friend graph an as-of query builds.
type entries struct {
	user    string
	friends map[string]domain.Entry
}

func (m *entries) forUser(u string) domain.EntryMutator { m.user = u; return m }

func (m *entries) PutEntry(_, owner, friend string, e domain.Entry) {
	if owner == m.user {
		if m.friends == nil {
			m.friends = map[string]domain.Entry{}
		}
		m.friends[friend] = e
	}
}
func (m *entries) DeleteEntry(_, owner, friend string) {
	if owner == m.user {
		delete(m.friends, friend)
	}
}
func (m *entries) UpdateEntry(_, owner, friend string, f func(*domain.Entry)) {
	if e, ok := m.friends[friend]; ok && owner == m.user {
		e = e.Clone()
		f(&e)
		m.friends[friend] = e
	}
}

// Friend is one entry of an as-of friend list.
type Friend struct {
	ID string `json:"user_id"`
	domain.Entry
}

func (m *entries) list() []Friend {
	out := make([]Friend, 0, len(m.friends))
	for id, e := range m.friends {
		out = append(out, Friend{id, e})
	}
	sortFriends(out)
	return out
}

func sortFriends(fs []Friend) {
	slices.SortFunc(fs, func(a, b Friend) int { return cmp.Compare(a.ID, b.ID) })
}
