package domain_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/google/go-cmp/cmp"
)

// memState is a minimal in-memory View for deciding commands in tests.
type memState struct {
	blocks   map[[2]string]bool // true blocked, false unblocked since
	groups   map[[2]string]bool
	users    map[string]bool
	entries  map[[2]string]domain.Entry
	reserved map[string]int
	max      int
	requests map[[2]string]domain.Request
	follows  map[[2]string]int64
	mutes    map[[2]string]int64
	allow    map[string]string
	kept     map[[2]string]string
}

func given(events ...domain.Event) *memState {
	s := &memState{blocks: map[[2]string]bool{}, groups: map[[2]string]bool{}, users: map[string]bool{}, entries: map[[2]string]domain.Entry{}, reserved: map[string]int{}, max: 3000,
		requests: map[[2]string]domain.Request{}, follows: map[[2]string]int64{}, mutes: map[[2]string]int64{}, allow: map[string]string{},
		kept: map[[2]string]string{}}
	for _, ev := range events {
		domain.Apply(s, ev)
	}
	return s
}

func (s *memState) PutUser(_ string, u domain.User)  { s.users[u.ID] = true }
func (s *memState) DeleteUser(_, u string)           { delete(s.users, u) }
func (s *memState) PutBlock(_, u, t string, _ int64) { s.blocks[[2]string{u, t}] = true }
func (s *memState) DeleteBlock(_, u, t string)       { s.blocks[[2]string{u, t}] = false }
func (s *memState) Blocked(u, t string) (bool, bool) {
	b, ok := s.blocks[[2]string{u, t}]
	return b, ok && !b
}
func (s *memState) ReserveBlock(u string) bool {
	n := 0
	for k, b := range s.blocks {
		if k[0] == u && b {
			n++
		}
	}
	return n < s.max
}
func (s *memState) PutGroups(_, u string, gs []string) {
	for _, g := range gs {
		s.groups[[2]string{u, g}] = true
	}
}
func (s *memState) DeleteGroups(_, u string, gs []string) {
	for _, g := range gs {
		delete(s.groups, [2]string{u, g})
	}
}
func (s *memState) HasGroup(u, g string) bool {
	if s.groups[[2]string{u, g}] {
		return true
	}
	for k, e := range s.entries {
		if k[0] == u && slices.Contains(e.Groups, g) {
			return true
		}
	}
	return false
}
func (s *memState) ReserveGroups(u string, names []string) bool {
	have := map[string]bool{}
	for k := range s.groups {
		if k[0] == u {
			have[k[1]] = true
		}
	}
	for k, e := range s.entries {
		if k[0] == u {
			for _, g := range e.Groups {
				have[g] = true
			}
		}
	}
	for _, n := range names {
		have[n] = true
	}
	return len(have) <= domain.MaxFriendGroups
}
func (s *memState) PutEntry(_, o, f string, e domain.Entry) {
	s.entries[[2]string{o, f}] = e
	delete(s.kept, [2]string{o, f})
}
func (s *memState) KeepAlias(_, o, f, alias string) { s.kept[[2]string{o, f}] = alias }
func (s *memState) KeptAlias(o, f string) string    { return s.kept[[2]string{o, f}] }
func (s *memState) DeleteEntry(_, o, f string)      { delete(s.entries, [2]string{o, f}) }
func (s *memState) UpdateEntry(_, o, f string, fn func(*domain.Entry)) {
	if e, ok := s.entries[[2]string{o, f}]; ok {
		fn(&e)
		s.entries[[2]string{o, f}] = e
	}
}
func (s *memState) Entry(o, f string) (domain.Entry, bool) {
	e, ok := s.entries[[2]string{o, f}]
	return e, ok
}
func (s *memState) Registered(u string) bool { return s.users[u] }
func (s *memState) count(u string) int {
	n := 0
	for k := range s.entries {
		if k[0] == u {
			n++
		}
	}
	return n
}
func (s *memState) Reserve(u string) bool {
	if s.count(u)+s.reserved[u] >= s.max {
		return false
	}
	s.reserved[u]++
	return true
}
func (s *memState) Unreserve(u string) { s.reserved[u]-- }
func (s *memState) UpdateProfile(_ string, p domain.UserProfileUpdated) {
	if p.AllowType != nil {
		s.allow[p.User] = *p.AllowType
	}
}
func (s *memState) AllowType(u string) string {
	if a, ok := s.allow[u]; ok {
		return a
	}
	return domain.AllowAny
}
func (s *memState) PutRequest(_ string, r domain.Request) { s.requests[[2]string{r.From, r.To}] = r }
func (s *memState) CloseRequest(_, from, to string, st domain.RequestState, at int64) {
	if r, ok := s.requests[[2]string{from, to}]; ok {
		r.State, r.UpdateTime = st, at
		s.requests[[2]string{from, to}] = r
	}
}
func (s *memState) DeleteRequest(_, from, to string) { delete(s.requests, [2]string{from, to}) }
func (s *memState) Request(from, to string) (domain.Request, bool) {
	r, ok := s.requests[[2]string{from, to}]
	return r, ok
}
func (s *memState) PutFollow(_, u, t string, at int64) { s.follows[[2]string{u, t}] = at }
func (s *memState) DeleteFollow(_, u, t string)        { delete(s.follows, [2]string{u, t}) }
func (s *memState) Follows(u, t string) bool {
	_, ok := s.follows[[2]string{u, t}]
	return ok
}
func (s *memState) ReserveRequest(from, to string, now int64) bool {
	sent, received := 0, 0
	for k, r := range s.requests {
		if r.StateAt(now) == domain.RequestWaiting {
			if k[0] == from {
				sent++
			}
			if k[1] == to {
				received++
			}
		}
	}
	return sent < domain.DefaultMaxPendingRequests && received < domain.DefaultMaxPendingRequests
}
func (s *memState) Muted(u, t string) bool {
	_, ok := s.mutes[[2]string{u, t}]
	return ok
}
func (s *memState) ReserveMute(u string) bool {
	n := 0
	for k := range s.mutes {
		if k[0] == u {
			n++
		}
	}
	return n < domain.MaxMuted
}
func (s *memState) PutMute(_, u, t string, at int64) { s.mutes[[2]string{u, t}] = at }
func (s *memState) DeleteMute(_, u, t string)        { delete(s.mutes, [2]string{u, t}) }
func (s *memState) ReserveFollow(u string) bool {
	n := 0
	for k := range s.follows {
		if k[0] == u {
			n++
		}
	}
	return n < domain.MaxFollowing
}

var now = time.UnixMilli(1_700_000_000_000)

func ev(data domain.Payload) domain.Event {
	return domain.Event{App: "a", Time: now.Add(-time.Hour), Data: data}
}

func registered(ids ...string) []domain.Event {
	var out []domain.Event
	for _, id := range ids {
		out = append(out, ev(domain.UserRegistered{User: id}))
	}
	return out
}

func entry(ms int64) *domain.Entry { return &domain.Entry{CreateTime: ms} }

// keptAlias: a and b were friends, and a deleted b keeping the alias Bee;
// b still has a.
func keptAlias() []domain.Event {
	past := now.UnixMilli() - 1000
	return append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{Alias: "Bee", CreateTime: past},
		Reverse: entry(past)}), ev(domain.FriendDeleted{User: "a", Friend: "b", KeptAlias: "Bee"}))
}

// decideCase is one given-events / when-command / then-event-or-error case.
type decideCase struct {
	name  string
	given []domain.Event
	when  domain.Command
	then  any
	err   error
}

// runDecide decides each case's command on its given events.
func runDecide(t *testing.T, tests []decideCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.when.Decide(given(tt.given...), now)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Decide() error = %v, want %v", err, tt.err)
			}
			if diff := cmp.Diff(tt.then, got); tt.err == nil && diff != "" {
				t.Errorf("Decide() event mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecide: its length is its table of cases.
func TestDecide(t *testing.T) {
	past := now.UnixMilli() - 1000
	tests := []decideCase{
		{
			name:  "two-way add of strangers adds both directions",
			given: registered("a", "b"),
			when:  domain.AddFriend{User: "a", Friend: "b", Entry: domain.Entry{Alias: "B"}, Reverse: &domain.Entry{}},
			then:  domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{Alias: "B", CreateTime: now.UnixMilli()}, Reverse: entry(now.UnixMilli())},
		},
		{
			name:  "two-way add keeps the direction that exists",
			given: append(registered("a", "b"), ev(domain.FriendAdded{User: "b", Friend: "a", Entry: entry(past)})),
			when:  domain.AddFriend{User: "a", Friend: "b", Entry: domain.Entry{CreateTime: past}, Reverse: &domain.Entry{}},
			then:  domain.FriendAdded{User: "a", Friend: "b", Entry: entry(past)},
		},
		{
			name:  "two-way add of mutual friends fails",
			given: append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b", Entry: entry(past), Reverse: entry(past)})),
			when:  domain.AddFriend{User: "a", Friend: "b", Reverse: &domain.Entry{}},
			err:   domain.ErrAlreadyFriends,
		},
		{
			name:  "one-way add of an existing direction fails",
			given: append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b", Entry: entry(past)})),
			when:  domain.AddFriend{User: "a", Friend: "b"},
			err:   domain.ErrAlreadyFriends,
		},
		{
			name:  "add of self fails",
			given: registered("a"),
			when:  domain.AddFriend{User: "a", Friend: "a"},
			err:   domain.ErrSelf,
		},
		{
			name:  "add of an unregistered target fails",
			given: registered("a"),
			when:  domain.AddFriend{User: "a", Friend: "b"},
			err:   domain.ErrTargetNotRegistered,
		},
		{
			name:  "add with a future time fails",
			given: registered("a", "b"),
			when:  domain.AddFriend{User: "a", Friend: "b", Entry: domain.Entry{CreateTime: now.UnixMilli() + 1}},
			err:   domain.ErrFutureTime,
		},
		{
			name:  "one-way delete",
			given: append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b", Entry: entry(past), Reverse: entry(past)})),
			when:  domain.DeleteFriend{User: "a", Friend: "b"},
			then:  domain.FriendDeleted{User: "a", Friend: "b"},
		},
		{
			name: "a delete keeping the alias records it",
			given: append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{Alias: "Bee", CreateTime: past},
				Reverse: entry(past)})),
			when: domain.DeleteFriend{User: "a", Friend: "b", KeepAlias: true},
			then: domain.FriendDeleted{User: "a", Friend: "b", KeptAlias: "Bee"},
		},
		{
			name:  "a re-add after a delete keeping the alias starts with it",
			given: keptAlias(),
			when:  domain.AddFriend{User: "a", Friend: "b", Reverse: &domain.Entry{}},
			then:  domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{Alias: "Bee", CreateTime: now.UnixMilli()}},
		},
		{
			name:  "a re-add with an alias of its own keeps its own",
			given: keptAlias(),
			when:  domain.AddFriend{User: "a", Friend: "b", Entry: domain.Entry{Alias: "B2"}},
			then:  domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{Alias: "B2", CreateTime: now.UnixMilli()}},
		},
		{
			name:  "the kept alias is used once",
			given: append(keptAlias(), ev(domain.FriendAdded{User: "a", Friend: "b", Entry: entry(past)}), ev(domain.FriendDeleted{User: "a", Friend: "b"})),
			when:  domain.AddFriend{User: "a", Friend: "b"},
			then:  domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{CreateTime: now.UnixMilli()}},
		},
		{
			name:  "an accepted request takes the kept alias",
			given: append(keptAlias(), ev(domain.FriendDeleted{User: "b", Friend: "a"}), ev(domain.FriendRequestSent{User: "a", Target: "b", ExpireTime: now.UnixMilli() + 1000})),
			when:  domain.AcceptRequest{User: "b", From: "a"},
			then: domain.FriendRequestAccepted{User: "b", From: "a", Entry: &domain.Entry{CreateTime: now.UnixMilli()},
				Reverse: &domain.Entry{Alias: "Bee", CreateTime: now.UnixMilli()}},
		},
		{
			name:  "delete of a stranger fails",
			given: registered("a", "b"),
			when:  domain.DeleteFriend{User: "a", Friend: "b", Both: true},
			err:   domain.ErrNotFriend,
		},
		{
			name:  "two-way delete removes the other direction alone",
			given: append(registered("a", "b"), ev(domain.FriendAdded{User: "b", Friend: "a", Entry: entry(past)})),
			when:  domain.DeleteFriend{User: "a", Friend: "b", Both: true},
			then:  domain.FriendDeleted{User: "a", Friend: "b", Both: true},
		},
		{
			name:  "update of a non-friend fails",
			given: registered("a", "b"),
			when:  domain.UpdateFriend{User: "a", Friend: "b", Attributes: map[string]string{"k0": "v"}},
			err:   domain.ErrNotFriend,
		},
		{
			name: "update over the attribute size fails",
			given: append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b",
				Entry: &domain.Entry{CreateTime: past, Attributes: map[string]string{"k0": "123456"}}})),
			when: domain.UpdateFriend{User: "a", Friend: "b", Attributes: map[string]string{"k1": "12345"}, MaxAttributeBytes: 14},
			err:  domain.ErrAttributesTooLarge,
		},
		{
			name:  "register twice fails",
			given: registered("a"),
			when:  domain.RegisterUser{User: "a"},
			err:   domain.ErrUserExists,
		},
	}
	runDecide(t, tests)
}

func TestFriendCapHeldAcrossBothSides(t *testing.T) {
	s := given(registered("a", "b", "c")...)
	s.max = 1
	domain.Apply(s, ev(domain.FriendAdded{User: "b", Friend: "c", Entry: entry(1)}))
	_, err := domain.AddFriend{User: "a", Friend: "b", Reverse: &domain.Entry{}}.Decide(s, now)
	if !errors.Is(err, domain.ErrPeerFriendLimit) || !errors.Is(err, domain.ErrLimit) {
		t.Fatalf("Decide() error = %v, want ErrPeerFriendLimit (a kind of ErrLimit)", err)
	}
	if s.reserved["a"] != 0 {
		t.Errorf("reserved[a] = %d after a refused add, want 0", s.reserved["a"])
	}
}

func TestCommitRoundTrip(t *testing.T) {
	alias := "x"
	c := domain.Commit{ID: "01C", App: "a", Events: []domain.Event{
		{ID: "01E1", Type: domain.TypeUserRegistered, Version: 1, App: "a", Time: now.UTC(), Data: domain.UserRegistered{User: "u.1 *>"}},
		{ID: "01E2", Type: domain.TypeFriendAdded, Version: 1, App: "a", Time: now.UTC(), RequestID: "r", Surface: "zim",
			Data: domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{Alias: "B", Attributes: map[string]string{"k0": "v"}, CreateTime: 5}}},
		{ID: "01E3", Type: domain.TypeFriendUpdated, Version: 1, App: "a", Time: now.UTC(), Data: domain.FriendUpdated{User: "a", Friend: "b", Alias: &alias, UpdateTime: 9}},
		{ID: "01E4", Type: domain.TypeFriendDeleted, Version: 1, App: "a", Time: now.UTC(), Data: domain.FriendDeleted{User: "a", Friend: "b", Both: true}},
	}}
	b, err := domain.MarshalCommit(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := domain.UnmarshalCommit(b)
	if err != nil {
		t.Fatalf("UnmarshalCommit(%s) error = %v", b, err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestUnmarshalCommitRefuses(t *testing.T) {
	for name, in := range map[string]string{
		"unknown type":   `{"id":"c","app":"a","events":[{"type":"FriendPoked","version":1,"data":{}}]}`,
		"future version": `{"id":"c","app":"a","events":[{"type":"FriendDeleted","version":99,"data":{}}]}`,
		"empty add":      `{"id":"c","app":"a","events":[{"type":"FriendAdded","version":1,"data":{"user":"a","friend":"b"}}]}`,
		"no id":          `{"app":"a","events":[]}`,
		"not json":       `{`,
	} {
		if _, err := domain.UnmarshalCommit([]byte(in)); err == nil {
			t.Errorf("%s: UnmarshalCommit(%s) error = nil, want an error", name, in)
		}
	}
}

func FuzzUnmarshalCommit(f *testing.F) {
	f.Add([]byte(`{"id":"c","app":"a","events":[{"id":"e","type":"FriendAdded","version":1,"app":"a","time":"2026-01-01T00:00:00Z","data":{"user":"a","friend":"b","entry":{"create_time":1}}}]}`))
	f.Add([]byte(`{"id":"c","app":"a","events":[{"type":"FriendUpdated","version":1,"data":{"user":"a","friend":"b","attributes":{"k0":"v"}}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := domain.UnmarshalCommit(b)
		if err != nil {
			return
		}
		// Whatever decodes must apply without panicking and encode again.
		s := given()
		for _, ev := range c.Events {
			domain.Apply(s, ev)
		}
		if _, err := domain.MarshalCommit(c); err != nil {
			t.Fatalf("MarshalCommit of a decoded commit: %v", err)
		}
	})
}

func TestPartitionIsStable(t *testing.T) {
	// The mapping is stored data: these values must never change.
	tests := []struct {
		key  domain.Key
		want string
	}{
		{domain.PairKey("alice", "bob"), "amity.demo.rel.20"},
		{domain.PairKey("bob", "alice"), "amity.demo.rel.20"},
		{domain.PairKey("a.b c", "x*>{|"), "amity.demo.rel.46"},
		{domain.UserKey("alice"), "amity.demo.user.7"},
	}
	for _, tt := range tests {
		if got := domain.Subject("demo", tt.key, 64); got != tt.want {
			t.Errorf("Subject(demo, %v, 64) = %s, want %s", tt.key, got, tt.want)
		}
	}
}

func TestDecideGroupsAndImports(t *testing.T) {
	past := now.UnixMilli() - 1000
	withGroups := func(n int) []domain.Event {
		evs := registered("a", "b", "c")
		var gs []string
		for i := range n {
			gs = append(gs, fmt.Sprint("g", i))
		}
		return append(evs, ev(domain.FriendGroupsAdded{User: "a", Groups: gs}))
	}
	tests := []decideCase{
		{
			name:  "create groups keeps the existing ones",
			given: withGroups(2),
			when:  domain.AddFriendGroups{User: "a", Groups: []string{"g1", "new", "new"}},
			then:  domain.FriendGroupsAdded{User: "a", Groups: []string{"new"}},
		},
		{
			name:  "creating only existing groups changes nothing",
			given: withGroups(2),
			when:  domain.AddFriendGroups{User: "a", Groups: []string{"g0"}},
		},
		{
			name:  "the 33rd group is refused",
			given: withGroups(32),
			when:  domain.AddFriendGroups{User: "a", Groups: []string{"g32"}},
			err:   domain.ErrGroupLimit,
		},
		{
			name:  "an add into a 33rd group is refused",
			given: withGroups(32),
			when:  domain.AddFriend{User: "a", Friend: "b", Entry: domain.Entry{Groups: []string{"g0", "extra"}}},
			err:   domain.ErrGroupLimit,
		},
		{
			name:  "deleting a missing group fails",
			given: withGroups(1),
			when:  domain.DeleteFriendGroups{User: "a", Groups: []string{"g0", "nope"}},
			err:   domain.ErrGroupNotFound,
		},
		{
			name:  "import replaces an existing entry and keeps its times",
			given: append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{Alias: "old", CreateTime: past}})),
			when:  domain.ImportFriend{User: "a", Friend: "b", Entry: domain.Entry{Alias: "new", CreateTime: 1000, RemarkTime: 2000, AddSource: "AddSource_Type_Web"}},
			then:  domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{Alias: "new", CreateTime: 1000, RemarkTime: 2000, AddSource: "AddSource_Type_Web"}, Imported: true},
		},
		{
			name: "import of an entry as it is records nothing",
			given: append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b",
				Entry: &domain.Entry{Alias: "same", CreateTime: 1000, Attributes: map[string]string{"k0": "v"}}})),
			when: domain.ImportFriend{User: "a", Friend: "b", Entry: domain.Entry{Alias: "same", CreateTime: 1000, Attributes: map[string]string{"k0": "v"}}},
			then: nil,
		},
		{
			name:  "update replaces, then joins and leaves groups",
			given: append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b", Entry: &domain.Entry{Groups: []string{"x"}, CreateTime: past}})),
			when:  domain.UpdateFriend{User: "a", Friend: "b", Groups: &[]string{"y", "z", "y"}, AddGroups: []string{"w"}, RemoveGroups: []string{"z"}},
			then:  domain.FriendUpdated{User: "a", Friend: "b", Groups: &[]string{"y", "w"}, UpdateTime: now.UnixMilli()},
		},
		{
			name:  "delete of an unregistered account fails",
			given: registered("a"),
			when:  domain.DeleteUser{User: "z"},
			err:   domain.ErrUserNotRegistered,
		},
	}
	runDecide(t, tests)
}

func TestCustomValueJSON(t *testing.T) {
	for in, want := range map[string]domain.CustomValue{`"x"`: domain.StringValue("x"), `42`: domain.IntValue(42), `-7`: domain.IntValue(-7)} {
		var v domain.CustomValue
		if err := v.UnmarshalJSON([]byte(in)); err != nil || v != want {
			t.Errorf("UnmarshalJSON(%s) = %+v, %v, want %+v", in, v, err, want)
		}
		if b, _ := v.MarshalJSON(); string(b) != in {
			t.Errorf("MarshalJSON(%+v) = %s, want %s", v, b, in)
		}
	}
	var v domain.CustomValue
	for _, bad := range []string{`1.5`, `true`, `[]`, `{}`} {
		if err := v.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("UnmarshalJSON(%s) accepted", bad)
		}
	}
}

func TestDecideBlocks(t *testing.T) {
	past := now.UnixMilli() - 1000
	friends := append(registered("a", "b"), ev(domain.FriendAdded{User: "a", Friend: "b", Entry: entry(past), Reverse: entry(past)}))
	blocked := append(registered("a", "b"), ev(domain.UserBlocked{User: "b", Target: "a"}))
	tests := []decideCase{
		{"a Tencent block ends the friendship in the same event", friends,
			domain.BlockUser{User: "a", Target: "b", EndFriendship: true}, domain.UserBlocked{User: "a", Target: "b", Unfriended: true}, nil},
		{"a ZIM block keeps the friendship", friends,
			domain.BlockUser{User: "a", Target: "b"}, domain.UserBlocked{User: "a", Target: "b"}, nil},
		{"a block of strangers ends nothing", registered("a", "b"),
			domain.BlockUser{User: "a", Target: "b", EndFriendship: true}, domain.UserBlocked{User: "a", Target: "b"}, nil},
		{"blocking twice fails", blocked, domain.BlockUser{User: "b", Target: "a"}, nil, domain.ErrAlreadyBlocked},
		{"blocking oneself fails", registered("a"), domain.BlockUser{User: "a", Target: "a"}, nil, domain.ErrSelf},
		{"unblock", blocked, domain.UnblockUser{User: "b", Target: "a"}, domain.UserUnblocked{User: "b", Target: "a"}, nil},
		{"unblocking a stranger fails", registered("a", "b"), domain.UnblockUser{User: "a", Target: "b"}, nil, domain.ErrNotBlocked},
		{"unblocking twice fails differently", append(blocked, ev(domain.UserUnblocked{User: "b", Target: "a"})),
			domain.UnblockUser{User: "b", Target: "a"}, nil, domain.ErrAlreadyUnblocked},
		{"a Tencent add to someone one blocks fails", append(registered("a", "b"), ev(domain.UserBlocked{User: "a", Target: "b"})),
			domain.AddFriend{User: "a", Friend: "b", Reverse: &domain.Entry{}, RespectBlocks: true}, nil, domain.ErrYouBlocked},
		{"a Tencent add by someone blocked fails", blocked,
			domain.AddFriend{User: "a", Friend: "b", Reverse: &domain.Entry{}, RespectBlocks: true}, nil, domain.ErrBlockedByTarget},
		{"a ZIM add ignores blocks", blocked,
			domain.AddFriend{User: "a", Friend: "b"}, domain.FriendAdded{User: "a", Friend: "b", Entry: entry(now.UnixMilli())}, nil},
	}
	runDecide(t, tests)
}
