package projections

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/amity-im/amity/domain"
)

// snapSpec is a snapshot payload written field by field, so a test can
// damage any one field and see the decoder refuse it.
type snapSpec struct {
	schema         uint64
	names          []string
	users          []snapUser
	skippedCount   int
	trailing       []byte
	appsCount      int // -1: len(apps) (one app)
	namesCountPlus int
	history        []snapHistory
	logEnd         uint64 // the event log's, named "L"
}

// snapHistory is one user's part of the history index.
type snapHistory struct {
	id     uint64
	deltas []byte // written with their length
}

type snapUser struct {
	id                       uint64
	registered               uint64
	profileID, name, avatar  string
	edges                    [][2]uint64 // (id delta, created)
	extra                    []snapExtra
	groups                   []string
	blocked                  []uint64
	unblocked                []uint64
	customSeq, blockSeq, std uint64
	social                   string
}

type snapExtra struct {
	id    uint64
	entry string
}

// validSpec is app "a" with users x (friends with y, blocking z) and y.
func validSpec() snapSpec {
	return snapSpec{schema: SnapshotSchema, names: []string{"x", "y", "z"}, appsCount: -1, users: []snapUser{
		{id: 0, registered: 1, profileID: "x", name: "X", edges: [][2]uint64{{1, 5}}, extra: []snapExtra{{1, `{"alias":"Y","create_time":5}`}},
			groups: []string{"g"}, blocked: []uint64{2}, unblocked: []uint64{1}, customSeq: 3, blockSeq: 4, std: 2,
			social: `{"extra":"e","allow_type":"AllowType_Type_NeedConfirm","requests":{"y":{"from":"y","to":"x","entry":{"wording":"hi","create_time":6},"expire_time":99,"state":1,"update_time":6}},"following":{"y":8}}`},
		{id: 1, registered: 1, profileID: "y", edges: [][2]uint64{{0, 5}}, social: `{"sent_to":{"x":true},"fans":{"x":8}}`},
	}, logEnd: 100, history: []snapHistory{{0, []byte{3, 0, 2, 2, 1, 40}}, {1, []byte{3, 0, 2}}, {2, []byte{5, 1, 0}}}}
}

func (sp snapSpec) payload() []byte {
	var out bytes.Buffer
	e := &snapWriter{w: bufio.NewWriter(&out)}
	e.uint(sp.schema)
	e.str("AMITY@t")
	e.uint(9) // seq
	e.uint(9) // followed
	e.uint(uint64(sp.skippedCount))
	e.str("L")
	e.uint(sp.logEnd)
	e.uint(uint64(sp.skippedCount))
	for i := range sp.skippedCount {
		e.uint(uint64(i + 1))
		e.str("amity.a.rel.0")
		e.str("bad record")
	}
	e.uint(1)
	e.str("amity.a.rel.0")
	e.uint(9)
	apps := 1
	if sp.appsCount >= 0 {
		apps = sp.appsCount
	}
	e.uint(uint64(apps))
	if apps > 0 {
		e.str("a")
		e.uint(uint64(len(sp.names) + sp.namesCountPlus))
		for _, n := range sp.names {
			e.str(n)
		}
		e.uint(uint64(len(sp.users)))
		for _, u := range sp.users {
			e.uint(u.id)
			e.uint(u.registered)
			e.str(u.profileID)
			e.str(u.name)
			e.str(u.avatar)
			e.int(100)
			e.uint(u.std)
			e.uint(u.customSeq)
			e.uint(u.blockSeq)
			e.uint(uint64(len(u.edges)))
			for _, ed := range u.edges {
				e.uint(ed[0])
				e.int(int64(ed[1]))
			}
			e.uint(uint64(len(u.extra)))
			for _, x := range u.extra {
				e.uint(x.id)
				e.str(x.entry)
			}
			e.uint(uint64(len(u.groups)))
			for _, g := range u.groups {
				e.str(g)
			}
			e.uint(uint64(len(u.blocked)))
			for _, b := range u.blocked {
				e.uint(b)
				e.int(7)
			}
			e.uint(uint64(len(u.unblocked)))
			for _, b := range u.unblocked {
				e.uint(b)
			}
			e.str(u.social)
		}
		e.uint(uint64(len(sp.history)))
		for _, h := range sp.history {
			e.uint(h.id)
			e.uint(uint64(len(h.deltas)))
			e.w.Write(h.deltas)
		}
	}
	_ = e.w.Flush()
	return append(out.Bytes(), sp.trailing...)
}

// TestSnapshotDecoderRefusesEachDamage: the hand-written payload decodes to
// the state it describes, and each damage to it is refused, naming what is
// wrong, as is every truncation of it.
//
// Its length is its table of cases.
func TestSnapshotDecoderRefusesEachDamage(t *testing.T) {
	m, err := decodeSnapshot(validSpec().payload())
	if err != nil {
		t.Fatalf("the valid payload: %v", err)
	}
	if e, ok := m.Entry("a", "x", "y"); !ok || e.Alias != "Y" || e.CreateTime != 5 {
		t.Errorf("entry x→y = %+v, %v", e, ok)
	}
	if b, _ := m.Blocked("a", "x", "z"); !b || !m.Registered("a", "y") || m.Registered("a", "z") || !m.HasGroup("a", "x", "g") {
		t.Error("the decoded model lacks a block, a registration or a group")
	}
	if r, ok := m.Request("a", "y", "x"); !ok || r.Entry.Wording != "hi" || r.StateAt(50) != domain.RequestWaiting {
		t.Errorf("request y→x = %+v, %v", r, ok)
	}
	if u, _ := m.User("a", "x"); u.Extra != "e" || u.AllowType != domain.NeedConfirm || !m.Follows("a", "x", "y") {
		t.Errorf("x's profile %+v, or x does not follow y", u)
	}
	if std, custom := m.Sequences("a", "x"); std != 2 || custom != 3 {
		t.Errorf("sequences %d, %d", std, custom)
	}
	if got := m.UserHistory("a", "x", 0, math.MaxUint64, 0); fmt.Sprint(got) != "[{3 0 1} {5 1 21}]" {
		t.Errorf("x's history %v, want [{3 0 1} {5 1 21}]", got)
	}
	if got := m.PairHistory("a", "x", "y"); fmt.Sprint(got) != "[{3 0 1}]" {
		t.Errorf("x-y history %v, want [{3 0 1}]", got)
	}
	if id, end := m.EventLogState(); id != "L" || end != 100 {
		t.Errorf("event log %q to %d, want L to 100", id, end)
	}
	for name, damage := range map[string]struct {
		spec func(*snapSpec)
		want string
	}{
		"another schema":             {func(s *snapSpec) { s.schema = SnapshotSchema + 1 }, "schema"},
		"trailing bytes":             {func(s *snapSpec) { s.trailing = []byte{0} }, "trailing"},
		"a user id named twice":      {func(s *snapSpec) { s.names = []string{"x", "x", "z"} }, "repeated"},
		"a user twice":               {func(s *snapSpec) { s.users[1].id = 0 }, "repeated"},
		"a user out of range":        {func(s *snapSpec) { s.users[1].id = 3 }, "out of range"},
		"a profile of another id":    {func(s *snapSpec) { s.users[1].profileID = "x" }, "profile ID"},
		"an edge twice":              {func(s *snapSpec) { s.users[0].edges = [][2]uint64{{1, 5}, {0, 5}} }, "repeated edge"},
		"a friend out of range":      {func(s *snapSpec) { s.users[0].edges = [][2]uint64{{3, 5}} }, "out of range"},
		"an entry without edge":      {func(s *snapSpec) { s.users[0].extra = []snapExtra{{2, `{}`}} }, "without an edge"},
		"an entry not JSON":          {func(s *snapSpec) { s.users[0].extra = []snapExtra{{1, `{`}} }, "entry"},
		"a block out of range":       {func(s *snapSpec) { s.users[0].blocked = []uint64{3} }, "out of range"},
		"an unblock out of range":    {func(s *snapSpec) { s.users[0].unblocked = []uint64{9} }, "out of range"},
		"more ids than bytes":        {func(s *snapSpec) { s.namesCountPlus = 1 << 20 }, "count"},
		"more users than ids":        {func(s *snapSpec) { s.users = append(s.users, snapUser{id: 2}, snapUser{id: 2}) }, "count"},
		"more skipped than kept":     {func(s *snapSpec) { s.skippedCount = maxSkippedKept + 1 }, "count"},
		"a history out of range":     {func(s *snapSpec) { s.history[2].id = 3 }, "history of user 3"},
		"a history twice":            {func(s *snapSpec) { s.history[1].id = 0 }, "history of user 0"},
		"an empty history":           {func(s *snapSpec) { s.history[1].deltas = nil }, "history of user 1"},
		"a history not ascending":    {func(s *snapSpec) { s.history[0].deltas = []byte{3, 1, 0, 0, 0, 0} }, "damaged"},
		"a history from seq 0":       {func(s *snapSpec) { s.history[0].deltas = []byte{0, 0, 0} }, "damaged"},
		"a history cut in a seq":     {func(s *snapSpec) { s.history[0].deltas = []byte{3, 0x80} }, "damaged"},
		"a history cut in a pair":    {func(s *snapSpec) { s.history[0].deltas = []byte{3} }, "damaged"},
		"a history cut in an offset": {func(s *snapSpec) { s.history[0].deltas = []byte{3, 0} }, "damaged"},
		"a history past its log":     {func(s *snapSpec) { s.history[0].deltas = []byte{3, 0, 200} }, "damaged"},
		"a history before its log":   {func(s *snapSpec) { s.history[0].deltas = []byte{3, 0, 1} }, "damaged"},
		"a log end past int64":       {func(s *snapSpec) { s.logEnd = math.MaxUint64 }, "event log end"},
		"more histories than ids":    {func(s *snapSpec) { s.history = append(s.history, s.history...) }, "count"},
		"social state not JSON":      {func(s *snapSpec) { s.users[1].social = `{"fans":` }, "social"},
	} {
		sp := validSpec()
		damage.spec(&sp)
		_, err := decodeSnapshot(sp.payload())
		if err == nil || !strings.Contains(err.Error(), damage.want) {
			t.Errorf("%s: decode error = %v, want one saying %q", name, err, damage.want)
		}
	}
	full := validSpec()
	full.skippedCount = maxSkippedKept
	if m, err := decodeSnapshot(full.payload()); err != nil {
		t.Errorf("%d skipped messages, as many as are kept: %v", maxSkippedKept, err)
	} else if n, list := m.Skips(); n != maxSkippedKept || len(list) != maxSkippedKept {
		t.Errorf("skips %d, listed %d", n, len(list))
	}
	p := validSpec().payload()
	for n := range len(p) {
		if _, err := decodeSnapshot(p[:n]); err == nil {
			t.Fatalf("the payload cut to %d of %d bytes decoded", n, len(p))
		}
	}
}

// TestSnapshotRoundTripOfEveryField writes a model with every kind of state
// (a long list with its index, names, groups, blocks, skips) and reads back
// the same bytes.
func TestSnapshotRoundTripOfEveryField(t *testing.T) {
	m, err := decodeSnapshot(validSpec().payload())
	if err != nil {
		t.Fatal(err)
	}
	for i := range indexAbove + 5 {
		m.PutEntry("a", "x", fmt.Sprint("f", i), domain.Entry{CreateTime: int64(i)})
	}
	var first, second bytes.Buffer
	m.encodeSnapshot(&first)
	m2, err := decodeSnapshot(first.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	m2.encodeSnapshot(&second)
	if m.Digest().Sum != m2.Digest().Sum {
		t.Error("the digest changed through a snapshot")
	}
	if first.Len() != second.Len() {
		t.Errorf("re-encoded payload %d bytes, first %d", second.Len(), first.Len())
	}
	if e, ok := m2.Entry("a", "x", fmt.Sprint("f", indexAbove+4)); !ok || e.CreateTime != indexAbove+4 {
		t.Errorf("a friend of a long list after the round trip: %+v, %v", e, ok)
	}
}
