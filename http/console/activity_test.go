package console

import (
	"slices"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
)

// TestActivityCountsTheLastHourByMinute: each event counts in its series
// in its own minute; a commit counts once; events older than the window,
// and a slot's counts from an hour before, read as nothing; the notifier's
// sample keeps a minute's highest; the recent users are distinct, newest
// first.
func TestActivityCountsTheLastHourByMinute(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 30, 15, 0, time.UTC)
	a := NewActivity(func() time.Time { return now })
	ev := func(at time.Time, d domain.Payload) domain.Event {
		return domain.Event{Type: d.Type(), App: "app", Time: at, Data: d}
	}
	commit := func(evs ...domain.Event) domain.Commit { return domain.Commit{App: "app", Events: evs} }
	at := func(minutesAgo int) time.Time { return now.Add(-time.Duration(minutesAgo) * time.Minute) }
	a.Commit(1, commit(ev(at(2), domain.FriendAdded{User: "ann", Friend: "ben"}), ev(at(2), domain.FriendAdded{User: "ben", Friend: "ann"})))
	a.Commit(2, commit(ev(at(1), domain.FriendDeleted{User: "ann", Friend: "ben"})))
	a.Commit(3, commit(ev(at(0), domain.FriendRequestSent{User: "cal", Target: "ann"}), ev(at(0), domain.UserBlocked{User: "ann", Target: "dan"})))
	a.Commit(4, commit(ev(at(0), domain.FriendRequestAccepted{User: "ann", From: "cal"})))
	a.Commit(5, commit(ev(at(61), domain.FriendAdded{User: "old", Friend: "older"}))) // before the window
	a.Commit(6, domain.Commit{App: "other", Events: []domain.Event{{Type: domain.TypeFriendAdded, App: "other", Time: at(0), Data: domain.FriendAdded{User: "x", Friend: "y"}}}})
	a.Pending(3)
	a.Pending(9)
	a.Pending(4)

	o := a.Of("app")
	if len(o.Minutes) != Window || o.Minutes[Window-1] != now.Truncate(time.Minute).UnixMilli() || o.Minutes[0] != at(Window-1).Truncate(time.Minute).UnixMilli() {
		t.Fatalf("minutes run from %d to %d", o.Minutes[0], o.Minutes[len(o.Minutes)-1])
	}
	want := map[string][3]int{ // two minutes ago, one, now
		"added":    {2, 0, 1},
		"deleted":  {0, 1, 0},
		"requests": {0, 0, 1},
		"blocks":   {0, 0, 1},
		"commits":  {1, 1, 2},
	}
	for name, w := range want {
		got := o.Series[name][Window-3:]
		if !slices.Equal(got, w[:]) {
			t.Errorf("%s over the last three minutes = %v, want %v", name, got, w)
		}
		total := 0
		for _, n := range o.Series[name] {
			total += n
		}
		if total != w[0]+w[1]+w[2] {
			t.Errorf("%s counts %d in all, more than the last three minutes hold", name, total)
		}
	}
	if o.NotifierPending[Window-1] != 9 {
		t.Errorf("notifier waiting now = %d, want the minute's highest, 9", o.NotifierPending[Window-1])
	}
	var users []string
	for _, c := range o.Recent {
		users = append(users, c.User)
	}
	if !slices.Equal(users, []string{"ann", "cal", "ben"}) || o.Recent[0].Type != domain.TypeRequestAccepted {
		t.Errorf("recent = %+v, want ann (accepted), cal, ben", o.Recent)
	}
	if other := a.Of("other"); other.Series["added"][Window-1] != 1 {
		t.Errorf("another app's adds: %v", other.Series["added"][Window-3:])
	}

	// An hour on, the slots of an hour ago read as nothing, and are
	// counted afresh.
	now = now.Add(Window * time.Minute)
	a.Commit(7, commit(ev(now, domain.FriendDeleted{User: "ann", Friend: "cal"})))
	o = a.Of("app")
	if o.Series["added"][Window-1] != 0 || o.Series["deleted"][Window-1] != 1 || o.Series["commits"][Window-1] != 1 || o.NotifierPending[Window-1] != 0 {
		t.Errorf("an hour on: added %v deleted %v commits %v waiting %v", o.Series["added"][Window-1], o.Series["deleted"][Window-1],
			o.Series["commits"][Window-1], o.NotifierPending[Window-1])
	}
	if o.Series["added"][Window-3] != 0 {
		t.Errorf("the adds of an hour ago are still counted: %v", o.Series["added"][Window-3:])
	}
}
