package projections

import "github.com/amity-im/amity/domain"

// PutBlock implements domain.Mutator.
func (m *Model) PutBlock(app, user, target string, at int64) {
	s := m.mutUserLocked(app, user)
	m.apps[app].intern(target)
	x := s.ext()
	if x.blocked == nil {
		x.blocked = map[string]int64{}
	}
	if _, ok := x.blocked[target]; !ok {
		m.size.Blocks++
	}
	x.blocked[target] = at
	delete(x.unblocked, target)
	x.blockSeq = max(x.blockSeq, m.cur)
}

// DeleteBlock implements domain.Mutator.
func (m *Model) DeleteBlock(app, user, target string) {
	s := m.userLocked(app, user)
	if s == nil {
		return
	}
	x := s.ext()
	if _, ok := x.blocked[target]; ok {
		m.size.Blocks--
		delete(x.blocked, target)
		if x.unblocked == nil {
			x.unblocked = map[string]bool{}
		}
		x.unblocked[target] = true
	}
	x.blockSeq = max(x.blockSeq, m.cur)
}

// Blocked reports whether user's blocklist holds target, and whether it
// held target once and no longer does.
func (m *Model) Blocked(app, user, target string) (blocked, wasBlocked bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.blockedLocked(app, user, target)
}

func (m *Model) blockedLocked(app, user, target string) (blocked, wasBlocked bool) {
	if u := m.userLocked(app, user); u != nil {
		_, blocked = u.more().blocked[target]
		wasBlocked = u.more().unblocked[target]
	}
	return blocked, wasBlocked
}

// Blocklist returns a page of user's blocklist in ID order and its size.
func (m *Model) Blocklist(app, user string, offset, limit int) ([]domain.Block, int) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	u := m.userLocked(app, user)
	if u == nil || len(u.more().blocked) == 0 {
		return nil, 0
	}
	blocked := u.x.blocked
	ids, total := pageOf(blocked, offset, limit)
	page := make([]domain.Block, len(ids))
	for i, id := range ids {
		page[i] = domain.Block{ID: id, Time: blocked[id]}
	}
	return page, total
}

// BlockSequence is the stream sequence of the last change to user's
// blocklist.
func (m *Model) BlockSequence(app, user string) uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if u := m.userLocked(app, user); u != nil {
		return u.more().blockSeq
	}
	return 0
}

// Pair is both directions of a pair, read at one instant.
type Pair struct {
	AHasB, BHasA       bool
	ABlocksB, BBlocksA bool
}

// Pair reads the friendship and blocks of {a, b} at one instant.
func (m *Model) Pair(app, a, b string) Pair {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var p Pair
	p.AHasB, p.BHasA = m.relationLocked(app, a, b)
	if u := m.userLocked(app, a); u != nil {
		_, p.ABlocksB = u.more().blocked[b]
	}
	if u := m.userLocked(app, b); u != nil {
		_, p.BBlocksA = u.more().blocked[a]
	}
	return p
}
