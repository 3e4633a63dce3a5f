package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/google/go-cmp/cmp"
)

// commitOfData is a commit of app a holding one event of each payload.
func commitOfData(payloads ...domain.Payload) domain.Commit {
	c := domain.Commit{ID: "c", App: "a"}
	for _, d := range payloads {
		c.Events = append(c.Events, domain.Event{App: "a", Time: time.UnixMilli(1000), Data: d})
	}
	return c
}

// TestApplyOncePerSubjectInAnyOrder: a commit at or below its subject's
// applied sequence is not applied again; the model's sequence is the
// highest applied, whatever the order of subjects.
func TestApplyOncePerSubjectInAnyOrder(t *testing.T) {
	m := NewModel()
	m.Apply("amity.a.user.1", 5, commitOfData(domain.UserRegistered{User: "u"}))
	m.Apply("amity.a.user.2", 3, commitOfData(domain.UserRegistered{User: "v"}))
	m.Apply("amity.a.user.1", 5, commitOfData(domain.UserDeleted{User: "u"}))
	m.Apply("amity.a.user.1", 4, commitOfData(domain.UserDeleted{User: "u"}))
	if !m.Registered("a", "u") || !m.Registered("a", "v") {
		t.Error("a commit at or below its subject's sequence was applied")
	}
	if m.Seq() != 5 || m.Applied() != 2 || m.PartitionSeq("amity.a.user.2") != 3 {
		t.Errorf("seq %d, applied %d, partition %d; want 5, 2, 3", m.Seq(), m.Applied(), m.PartitionSeq("amity.a.user.2"))
	}
	m.Apply("amity.a.user.1", 6, commitOfData(domain.UserDeleted{User: "u"}))
	if m.Registered("a", "u") || m.Applied() != 3 {
		t.Error("the next commit of the subject was not applied")
	}
}

func TestWaitsEndAtTheirSequence(t *testing.T) {
	m := NewModel()
	m.applyFollowed(domain.Record{Subject: "amity.a.user.1", Seq: 4}, commitOfData(domain.UserRegistered{User: "u"}), nil)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.WaitFollowed(done, 4); err != nil {
		t.Errorf("WaitFollowed(4) at 4 = %v", err)
	}
	if err := m.WaitSeq(done, 4); err != nil {
		t.Errorf("WaitSeq(4) at 4 = %v", err)
	}
	if err := m.WaitFollowed(done, 5); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitFollowed(5) at 4 = %v, want it to wait", err)
	}
	if err := m.WaitSeq(done, 5); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitSeq(5) at 4 = %v, want it to wait", err)
	}
	// A skip moves the read too.
	m.applyFollowed(domain.Record{Subject: "amity.a.user.1", Seq: 5}, domain.Commit{}, domain.ErrBadRecord)
	if m.Followed() != 5 || m.Seq() != 5 || m.PartitionSeq("amity.a.user.1") != 5 {
		t.Errorf("after a skip: followed %d, seq %d", m.Followed(), m.Seq())
	}
}

func TestSkipsKeepTheLastThousand(t *testing.T) {
	m := NewModel()
	for seq := uint64(1); seq <= maxSkippedKept+2; seq++ {
		m.Skip("amity.a.rel.0", seq, domain.ErrBadRecord)
	}
	m.Skip("amity.a.rel.0", 3, domain.ErrBadRecord) // again: nothing
	n, list := m.Skips()
	if n != maxSkippedKept+2 || len(list) != maxSkippedKept || list[0].Seq != 3 || list[len(list)-1].Seq != maxSkippedKept+2 {
		t.Errorf("skips %d, listed %d from %d to %d", n, len(list), list[0].Seq, list[len(list)-1].Seq)
	}
}

// TestGroupsLiveWhileNamed: a group exists while an entry names it or it
// was created on its own, and goes with the last of them.
func TestGroupsLiveWhileNamed(t *testing.T) {
	m := NewModel()
	seq := uint64(0)
	apply := func(evs ...domain.Payload) {
		seq++
		m.Apply("amity.a.rel.0", seq, commitOfData(evs...))
	}
	apply(domain.FriendGroupsAdded{User: "u", Groups: []string{"g"}})
	apply(domain.FriendAdded{User: "u", Friend: "f1", Entry: &domain.Entry{Groups: []string{"g", "h"}}})
	apply(domain.FriendAdded{User: "u", Friend: "f2", Entry: &domain.Entry{Groups: []string{"h"}}})
	names := func() []string {
		var out []string
		for _, g := range m.Groups("a", "u") {
			out = append(out, fmt.Sprintf("%s%v", g.Name, g.Friends))
		}
		return out
	}
	if got := names(); !slices.Equal(got, []string{"g[f1]", "h[f1 f2]"}) {
		t.Errorf("groups %v", got)
	}
	apply(domain.FriendGroupsDeleted{User: "u", Groups: []string{"g"}})
	if !m.HasGroup("a", "u", "g") {
		t.Error("a group still named by an entry went with its own creation")
	}
	apply(domain.FriendDeleted{User: "u", Friend: "f1"})
	if m.HasGroup("a", "u", "g") || !m.HasGroup("a", "u", "h") {
		t.Errorf("after the last entry naming g went: %v", names())
	}
	apply(domain.FriendUpdated{User: "u", Friend: "f2", Groups: &[]string{"k"}})
	if m.HasGroup("a", "u", "h") || !m.HasGroup("a", "u", "k") {
		t.Errorf("after f2 moved from h to k: %v", names())
	}
	apply(domain.FriendGroupsDeleted{User: "u", Groups: []string{"nothing"}})
	if got := names(); !slices.Equal(got, []string{"k[f2]"}) {
		t.Errorf("groups %v", got)
	}
}

// TestSequencesFollowEachKindOfChange: the standard sequence moves with
// every change to a user's friend data, the custom one only with custom
// fields.
func TestSequencesFollowEachKindOfChange(t *testing.T) {
	m := NewModel()
	custom := map[string]domain.CustomValue{"Tag_SNS_Custom_X": domain.IntValue(1)}
	steps := []struct {
		ev             domain.Payload
		std, customSeq uint64
	}{
		{domain.FriendAdded{User: "u", Friend: "f", Entry: &domain.Entry{}}, 1, 0},
		{domain.FriendAdded{User: "u", Friend: "g", Entry: &domain.Entry{Custom: custom}}, 2, 2},
		{domain.FriendUpdated{User: "u", Friend: "f", Alias: new(string)}, 3, 2},
		{domain.FriendUpdated{User: "u", Friend: "f", Custom: custom}, 4, 4},
		{domain.FriendUpdated{User: "u", Friend: "f", Custom: custom}, 5, 4},
		{domain.FriendDeleted{User: "u", Friend: "f"}, 6, 6},
		{domain.FriendDeleted{User: "u", Friend: "absent"}, 6, 6},
		{domain.FriendGroupsAdded{User: "u", Groups: []string{"x"}}, 8, 6},
		{domain.FriendGroupsDeleted{User: "u", Groups: []string{"x"}}, 9, 6},
		{domain.FriendUpdated{User: "u", Friend: "absent", Alias: new(string)}, 9, 6},
	}
	for i, st := range steps {
		m.Apply("amity.a.rel.0", uint64(i+1), commitOfData(st.ev))
		if std, c := m.Sequences("a", "u"); std != st.std || c != st.customSeq {
			t.Errorf("after %T at %d: sequences %d, %d; want %d, %d", st.ev, i+1, std, c, st.std, st.customSeq)
		}
	}
}

func TestRegisteringAgainKeepsTheFirstTimeAndTakesTheNewProfile(t *testing.T) {
	m := NewModel()
	m.Apply("amity.a.user.0", 1, commitOfData(domain.UserRegistered{User: "u", Name: "N", Avatar: "A"}))
	c := commitOfData(domain.UserRegistered{User: "u"})
	c.Events[0].Time = time.UnixMilli(5000)
	m.Apply("amity.a.user.0", 2, c)
	u, ok := m.User("a", "u")
	if !ok || u.Name != "" || u.Avatar != "" || u.RegisteredAt != 1000 {
		t.Errorf("user after a second registration = %+v, %v", u, ok)
	}
	m.Apply("amity.a.user.0", 3, commitOfData(domain.UserDeleted{User: "u"}))
	if m.Registered("a", "u") {
		t.Error("a deleted user is registered")
	}
}

func TestSkippingTheSameMessageTwiceCountsIt(t *testing.T) {
	m := NewModel()
	m.Skip("amity.a.rel.0", 4, domain.ErrBadRecord)
	m.Skip("amity.a.rel.0", 4, domain.ErrBadRecord)
	if n, list := m.Skips(); n != 1 || len(list) != 1 {
		t.Errorf("skips %d, listed %d after the same message twice", n, len(list))
	}
}

func TestProfilesOfOneField(t *testing.T) {
	m := NewModel()
	m.Apply("amity.a.user.0", 1, commitOfData(domain.UserRegistered{User: "n", Name: "Name"}, domain.UserRegistered{User: "v", Avatar: "pic"}))
	if u, _ := m.User("a", "n"); u.Name != "Name" {
		t.Errorf("a name alone: %+v", u)
	}
	if u, _ := m.User("a", "v"); u.Avatar != "pic" {
		t.Errorf("an avatar alone: %+v", u)
	}
}

func TestCustomSequenceMovesOnlyWithCustomFields(t *testing.T) {
	m := NewModel()
	custom := map[string]domain.CustomValue{"Tag_SNS_Custom_X": domain.IntValue(1)}
	m.Apply("amity.a.rel.0", 1, commitOfData(domain.FriendAdded{User: "u", Friend: "f", Entry: &domain.Entry{Custom: custom}}))
	// Replaced by an entry without custom fields: they changed.
	m.Apply("amity.a.rel.0", 2, commitOfData(domain.FriendAdded{User: "u", Friend: "f", Entry: &domain.Entry{}}))
	if _, c := m.Sequences("a", "u"); c != 2 {
		t.Errorf("custom sequence %d after custom fields went with a replaced entry, want 2", c)
	}
	m.Apply("amity.a.rel.0", 3, commitOfData(domain.FriendAdded{User: "u", Friend: "g", Entry: &domain.Entry{}}))
	m.Apply("amity.a.rel.0", 4, commitOfData(domain.FriendDeleted{User: "u", Friend: "g"}))
	if std, c := m.Sequences("a", "u"); std != 4 || c != 2 {
		t.Errorf("sequences %d, %d after an entry without custom fields came and went, want 4, 2", std, c)
	}
}

func TestReplayStopsAtEachPartitionLimit(t *testing.T) {
	recs := records(t, 40)
	limits := map[string]uint64{"amity.a.rel.1": 15, "amity.a.rel.2": 16}
	m, events, err := Replay(context.Background(), sliceSource{recs}, 40, limits, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.PartitionSeq("amity.a.rel.1"); got != 15 {
		t.Errorf("partition 1 replayed to %d, want its limit 15", got)
	}
	if got := m.PartitionSeq("amity.a.rel.2"); got != 16 {
		t.Errorf("partition 2 replayed to %d, want its limit 16", got)
	}
	// Partition 1 holds 1, 8, 15 up to its limit, partition 2 holds 2, 9, 16.
	if m.PartitionSeq("amity.a.rel.3") != 0 || events != 6 {
		t.Errorf("a partition without a limit replayed (%d events, want the 6 within the limits)", events)
	}
}

// failingSource fails its in-order read at once.
type failingSource struct{ sliceSource }

func (failingSource) Follow(context.Context, uint64, func(domain.Record) error) error {
	return errors.New("connection lost")
}

func TestFollowReturnsTheReadsFailure(t *testing.T) {
	err := Follow(context.Background(), failingSource{}, NewModel(), 1, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "connection lost") {
		t.Errorf("Follow of a failing read = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Follow(ctx, failingSource{}, NewModel(), 1, slog.New(slog.DiscardHandler)); err != nil {
		t.Errorf("Follow after its context ended = %v, want nil", err)
	}
}

func TestDigestCountsUsers(t *testing.T) {
	m := NewModel()
	m.Apply("amity.a.user.0", 1, commitOfData(domain.UserRegistered{User: "x"}, domain.UserRegistered{User: "y"}))
	m.Apply("amity.a.rel.0", 2, commitOfData(domain.FriendAdded{User: "w", Friend: "x", Entry: &domain.Entry{}}))
	if d := m.Digest(); d.Users != 3 || d.Seq != 2 || len(d.Buckets) != DigestBuckets {
		t.Errorf("digest of 3 users with state: %d users, seq %d", d.Users, d.Seq)
	}
}

// TestEveryEntryFieldIsKept: an entry with any one field set is kept whole,
// however the friend list stores it.
func TestEveryEntryFieldIsKept(t *testing.T) {
	for name, e := range map[string]domain.Entry{
		"alias": {Alias: "A"}, "wording": {Wording: "hi"}, "attributes": {Attributes: map[string]string{"k0": "v"}},
		"source": {AddSource: "AddSource_Type_X"}, "groups": {Groups: []string{"g"}},
		"custom":      {Custom: map[string]domain.CustomValue{"Tag_SNS_Custom_X": domain.IntValue(1)}},
		"update time": {UpdateTime: 7}, "remark time": {RemarkTime: 8}, "create time alone": {CreateTime: 9},
	} {
		m := NewModel()
		m.Apply("amity.a.rel.0", 1, commitOfData(domain.FriendAdded{User: "u", Friend: "f", Entry: &e}))
		if got, ok := m.Entry("a", "u", "f"); !ok || !cmp.Equal(got, e) {
			t.Errorf("%s: entry kept as %+v, want %+v", name, got, e)
		}
	}
}

func TestAReservationGivenBackFreesItsSlot(t *testing.T) {
	m := NewModel()
	app := &domain.App{Name: "a", MaxFriends: 1}
	m.Decide(app, "c", func(v domain.View) {
		if !v.Reserve("u") {
			t.Fatal("the first slot was refused")
		}
		if v.Reserve("u") {
			t.Fatal("a slot beyond the cap was taken")
		}
		v.Unreserve("u")
		if !v.Reserve("u") {
			t.Error("the slot given back was not free again")
		}
	})
}
