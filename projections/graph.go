package projections

import (
	"math"

	"github.com/amity-im/amity/domain"
)

// Graph is user's relationship chain in app as the model holds it now:
// what a migration compares with a vendor's.
func (m *Model) Graph(app, user string) domain.Graph {
	g := domain.Graph{User: user, Friends: map[string]domain.Entry{}, Blocks: map[string]int64{}, Follows: map[string]int64{}, Mutes: map[string]int64{}}
	if u, ok := m.User(app, user); ok {
		g.Known = true
		g.Profile = domain.Profile{Name: u.Name, Avatar: u.Avatar, Extra: u.Extra, AllowType: u.AllowType}
	}
	friends, _ := m.Friends(app, user, 0, math.MaxInt)
	for _, f := range friends {
		g.Friends[f.ID] = f.Entry
	}
	blocks, _ := m.Blocklist(app, user, 0, math.MaxInt)
	for _, b := range blocks {
		g.Blocks[b.ID] = b.Time
	}
	for _, gr := range m.Groups(app, user) {
		g.Groups = append(g.Groups, gr.Name)
	}
	follows, _ := m.FollowList(app, user, domain.Following, "", math.MaxInt)
	for _, f := range follows {
		g.Follows[f.ID] = f.Time
	}
	for _, mu := range m.Mutes(app, user) {
		g.Mutes[mu.ID] = mu.Time
	}
	return g
}
