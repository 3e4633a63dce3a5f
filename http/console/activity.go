package console

import (
	"slices"
	"sync"
	"time"

	"github.com/amity-im/amity/domain"
)

// Window is how far back the console's activity charts reach, a point a
// minute.
const Window = 60

// recentKept is how many recently changed users an app's activity keeps.
const recentKept = 20

// Activity is what the overview draws: per app and per minute over the
// last hour, the friends added and deleted, the requests sent, the blocks
// and the commits, counted from the commits the read model applies
// (projections.Model.Observe); the notifier's waiting commits, sampled;
// and the users changed last. Events older than the window are not
// counted, so a replay at start fills the last hour from the stream.
type Activity struct {
	now func() time.Time

	mu      sync.Mutex
	apps    map[string]*appActivity
	pending [Window]sample // the notifier's waiting commits, by minute
}

// Series are the activity kinds, as the API names them.
var Series = []string{"added", "deleted", "requests", "blocks", "commits"}

type appActivity struct {
	minutes [Window]minute
	recent  []Change
}

// minute is one minute's counts, in Series order; at is the minute
// (Unix minutes) they are of, so a slot left from an hour ago reads as 0.
type minute struct {
	at     int64
	counts [5]int
}

type sample struct {
	at  int64
	max uint64
}

// Change is a recently changed user: who, what changed last, and when.
type Change struct {
	User string `json:"user_id"`
	Type string `json:"type"`
	Time int64  `json:"time"`
}

// NewActivity returns an empty Activity on the clock now (time.Now when
// nil).
func NewActivity(now func() time.Time) *Activity {
	if now == nil {
		now = time.Now
	}
	return &Activity{now: now, apps: map[string]*appActivity{}}
}

// seriesOf is the series an event counts in, or -1.
func seriesOf(typ string) int {
	switch typ {
	case domain.TypeFriendAdded, domain.TypeRequestAccepted:
		return 0
	case domain.TypeFriendDeleted:
		return 1
	case domain.TypeRequestSent:
		return 2
	case domain.TypeUserBlocked:
		return 3
	}
	return -1
}

// Commit counts commit c: a commit of its app, and each event in its
// series, in the minute of the event's time.
func (a *Activity) Commit(_ uint64, c domain.Commit) {
	if len(c.Events) == 0 {
		return
	}
	oldest := a.now().Add(-Window * time.Minute).Unix()
	first := c.Events[0].Time.Unix()
	if first < oldest {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	app := a.apps[c.App]
	if app == nil {
		app = &appActivity{}
		a.apps[c.App] = app
	}
	app.slot(first / 60).counts[4]++
	for _, ev := range c.Events {
		if s := seriesOf(ev.Type); s >= 0 {
			app.slot(ev.Time.Unix() / 60).counts[s]++
		}
		if us := ev.Users(); len(us) > 0 {
			app.touch(Change{User: us[0], Type: ev.Type, Time: ev.Time.UnixMilli()})
		}
	}
}

// slot is the counts of minute at, emptied when it held an older minute.
func (app *appActivity) slot(at int64) *minute {
	m := &app.minutes[at%Window]
	if m.at != at {
		*m = minute{at: at}
	}
	return m
}

// touch puts ch first among the recent changes, once per user.
func (app *appActivity) touch(ch Change) {
	app.recent = slices.DeleteFunc(app.recent, func(o Change) bool { return o.User == ch.User })
	app.recent = slices.Insert(app.recent, 0, ch)
	if len(app.recent) > recentKept {
		app.recent = app.recent[:recentKept]
	}
}

// Pending records that the notifier had n commits waiting now; a minute
// keeps its highest.
func (a *Activity) Pending(n uint64) {
	at := a.now().Unix() / 60
	a.mu.Lock()
	defer a.mu.Unlock()
	s := &a.pending[at%Window]
	if s.at != at {
		*s = sample{at: at}
	}
	s.max = max(s.max, n)
}

// Overview is an app's activity as the console's API answers it: the
// start of each minute (Unix ms), oldest first, each series' count in each
// minute, and the users changed last, newest first.
type Overview struct {
	Minutes         []int64          `json:"minutes"`
	Series          map[string][]int `json:"series"`
	NotifierPending []uint64         `json:"notifier_pending"`
	Recent          []Change         `json:"recent"`
}

// Of is app's overview now.
func (a *Activity) Of(app string) Overview {
	now := a.now().Unix() / 60
	o := Overview{Minutes: make([]int64, Window), Series: map[string][]int{}, NotifierPending: make([]uint64, Window), Recent: []Change{}}
	for _, s := range Series {
		o.Series[s] = make([]int, Window)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	act := a.apps[app]
	for i := range Window {
		at := now - Window + 1 + int64(i)
		o.Minutes[i] = at * 60_000
		if p := a.pending[at%Window]; p.at == at {
			o.NotifierPending[i] = p.max
		}
		if act == nil {
			continue
		}
		if m := act.minutes[at%Window]; m.at == at {
			for s, name := range Series {
				o.Series[name][i] = m.counts[s]
			}
		}
	}
	if act != nil {
		o.Recent = slices.Clone(act.recent)
	}
	return o
}
