package domain

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// SurfaceMigrate is the Surface of the events a migration records: changes
// copied from a vendor's graph, which keep the vendor's times and send no
// webhooks.
const SurfaceMigrate = "migrate"

// MigrationCommand reports whether c is one a migration records: what
// Plan returns. A migrating tool may ask the service for these only.
func MigrationCommand(c Command) bool {
	switch c.(type) {
	case RegisterUser, UpdateProfile, AddFriendGroups, DeleteFriendGroups, ImportFriend, DeleteFriend,
		BlockUser, UnblockUser, FollowUser, UnfollowUser, MuteUser, UnmuteUser:
		return true
	}
	return false
}

// Graph is what one user's relationship chain holds, at a vendor or in
// Amity, in the terms both share: what a migration copies and compares.
// Times are Unix milliseconds.
type Graph struct {
	User string
	// Known: the user exists (at the vendor: it knows the user; in Amity:
	// registered).
	Known   bool
	Profile Profile
	// Friends are the user's entries, one way: a one-way friendship is in
	// one user's graph only.
	Friends map[string]Entry
	// Blocks maps each user the user blocks to when the block began.
	Blocks map[string]int64
	// Groups are the user's friend groups, empty ones too, sorted.
	Groups []string
	// Follows maps each user the user follows to when the follow began.
	Follows map[string]int64
	// Mutes maps each user the user muted to when the mute began.
	Mutes map[string]int64
}

// Profile is the profile a vendor keeps of a user.
type Profile struct {
	Name, Avatar, Extra, AllowType string
}

// What a Difference is about.
const (
	DiffProfile       = "profile"
	DiffUserMissing   = "user missing"
	DiffFriendMissing = "friend missing"
	DiffFriendExtra   = "friend extra"
	DiffFriendField   = "friend field"
	DiffBlockMissing  = "block missing"
	DiffBlockExtra    = "block extra"
	DiffBlockTime     = "block time"
	DiffGroupMissing  = "group missing"
	DiffGroupExtra    = "group extra"
	DiffFollowMissing = "follow missing"
	DiffFollowExtra   = "follow extra"
	DiffFollowTime    = "follow time"
	DiffMuteMissing   = "mute missing"
	DiffMuteExtra     = "mute extra"
	DiffMuteTime      = "mute time"
)

// Difference is one way a user's graph in Amity differs from the vendor's.
type Difference struct {
	User string
	What string // one of the Diff constants
	// Other is the friend, blocked or followed user, or the group; "" for
	// the profile and a missing user.
	Other string
	// Field names the differing field of a friend entry or the profile.
	Field         string
	Vendor, Amity string
}

func (d Difference) String() string {
	s := fmt.Sprintf("%s: %s", d.User, d.What)
	if d.Other != "" {
		s += " " + strconv.Quote(d.Other)
	}
	if d.Field != "" {
		s += " " + d.Field
	}
	if d.Vendor != "" || d.Amity != "" {
		s += fmt.Sprintf(": vendor %q, amity %q", d.Vendor, d.Amity)
	}
	return s
}

// Compare lists how amity differs from vendor, the same user's graph,
// sorted by what and whom.
func Compare(vendor, amity Graph) []Difference {
	var out []Difference
	diff := func(what, other, field, v, a string) {
		out = append(out, Difference{User: vendor.User, What: what, Other: other, Field: field, Vendor: v, Amity: a})
	}
	if vendor.Known && !amity.Known {
		diff(DiffUserMissing, "", "", "", "")
	}
	for _, f := range profileFields {
		if v, a := f.get(vendor.Profile), f.get(amity.Profile); v != a {
			diff(DiffProfile, "", f.name, v, a)
		}
	}
	for _, id := range sortedKeys(vendor.Friends) {
		a, ok := amity.Friends[id]
		if !ok {
			diff(DiffFriendMissing, id, "", "", "")
			continue
		}
		for _, f := range entryFields {
			if v, a := f.get(vendor.Friends[id]), f.get(a); v != a {
				diff(DiffFriendField, id, f.name, v, a)
			}
		}
	}
	for _, id := range sortedKeys(amity.Friends) {
		if _, ok := vendor.Friends[id]; !ok {
			diff(DiffFriendExtra, id, "", "", "")
		}
	}
	compareTimes(vendor.Blocks, amity.Blocks, DiffBlockMissing, DiffBlockExtra, DiffBlockTime, diff)
	compareTimes(vendor.Follows, amity.Follows, DiffFollowMissing, DiffFollowExtra, DiffFollowTime, diff)
	compareTimes(vendor.Mutes, amity.Mutes, DiffMuteMissing, DiffMuteExtra, DiffMuteTime, diff)
	for _, g := range vendor.Groups {
		if !slices.Contains(amity.Groups, g) {
			diff(DiffGroupMissing, g, "", "", "")
		}
	}
	for _, g := range amity.Groups {
		if !slices.Contains(vendor.Groups, g) {
			diff(DiffGroupExtra, g, "", "", "")
		}
	}
	slices.SortStableFunc(out, func(a, b Difference) int {
		return cmp.Or(cmp.Compare(a.What, b.What), cmp.Compare(a.Other, b.Other), cmp.Compare(a.Field, b.Field))
	})
	return out
}

func compareTimes(vendor, amity map[string]int64, missing, extra, changed string, diff func(what, other, field, v, a string)) {
	for _, id := range sortedKeys(vendor) {
		switch a, ok := amity[id]; {
		case !ok:
			diff(missing, id, "", "", "")
		case a != vendor[id]:
			diff(changed, id, "", strconv.FormatInt(vendor[id], 10), strconv.FormatInt(a, 10))
		}
	}
	for _, id := range sortedKeys(amity) {
		if _, ok := vendor[id]; !ok {
			diff(extra, id, "", "", "")
		}
	}
}

type field[T any] struct {
	name string
	get  func(T) string
}

var profileFields = []field[Profile]{
	{"name", func(p Profile) string { return p.Name }},
	{"avatar", func(p Profile) string { return p.Avatar }},
	{"extra", func(p Profile) string { return p.Extra }},
	{"allow_type", func(p Profile) string { return p.AllowType }},
}

var entryFields = []field[Entry]{
	{"alias", func(e Entry) string { return e.Alias }},
	{"wording", func(e Entry) string { return e.Wording }},
	{"add_source", func(e Entry) string { return e.AddSource }},
	{"attributes", func(e Entry) string { return fmt.Sprint(sortedPairs(e.Attributes)) }},
	{"custom", func(e Entry) string { return fmt.Sprint(sortedPairs(e.Custom)) }},
	{"groups", func(e Entry) string { return fmt.Sprint(slices.Sorted(slices.Values(e.Groups))) }},
	{"create_time", func(e Entry) string { return strconv.FormatInt(e.CreateTime, 10) }},
	{"remark_time", func(e Entry) string { return strconv.FormatInt(e.RemarkTime, 10) }},
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func sortedPairs[V any](m map[string]V) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, k+"="+fmt.Sprint(m[k]))
	}
	return out
}

// Plan returns the commands that make amity, a user's graph in Amity, the
// vendor's, in steps to run one after the other: the users to register,
// bare (the user and any user they name whom registered says Amity
// lacks), then
// the profile and groups, then friends, blocks, follows and mutes, then the
// blocks, follows and mutes whose times changed, made again. With prune it also removes
// what the vendor does not hold; without it (a first copy) it leaves it.
func Plan(vendor, amity Graph, registered func(string) bool, prune bool) [][]Command {
	user := vendor.User
	var users, profile, edges, again []Command
	named := map[string]bool{}
	register := func(id string) {
		if !named[id] && !registered(id) {
			named[id] = true
			users = append(users, RegisterUser{User: id})
		}
	}
	if vendor.Known && !amity.Known {
		// Registered bare, as the users it names are, and given its profile
		// next: registered meanwhile as another user's friend, it still
		// gets it, and is not registered twice.
		register(user)
	}
	if p := profileChange(user, vendor.Profile, amity.Profile); p != nil {
		profile = append(profile, *p)
	}
	if missing := slices.DeleteFunc(slices.Clone(vendor.Groups), func(g string) bool { return slices.Contains(amity.Groups, g) }); len(missing) > 0 {
		profile = append(profile, AddFriendGroups{User: user, Groups: missing})
	}
	for _, id := range sortedKeys(vendor.Friends) {
		if a, ok := amity.Friends[id]; !ok || !sameEntry(a, vendor.Friends[id]) {
			register(id)
			edges = append(edges, ImportFriend{User: user, Friend: id, Entry: vendor.Friends[id]})
		}
	}
	e, a := timed(vendor.Blocks, amity.Blocks, register,
		func(id string, since int64) Command { return BlockUser{User: user, Target: id, Since: since} },
		func(id string) Command { return UnblockUser{User: user, Target: id} })
	edges, again = append(edges, e...), append(again, a...)
	e, a = timed(vendor.Follows, amity.Follows, register,
		func(id string, since int64) Command { return FollowUser{User: user, Target: id, Since: since} },
		func(id string) Command { return UnfollowUser{User: user, Target: id} })
	edges, again = append(edges, e...), append(again, a...)
	e, a = timed(vendor.Mutes, amity.Mutes, register,
		func(id string, since int64) Command { return MuteUser{User: user, Target: id, Since: since} },
		func(id string) Command { return UnmuteUser{User: user, Target: id} })
	edges, again = append(edges, e...), append(again, a...)
	if prune {
		edges, again = append(edges, pruned(vendor, amity)...), append(again, prunedGroups(vendor, amity)...)
	}
	return slices.DeleteFunc([][]Command{users, profile, edges, again}, func(step []Command) bool { return len(step) == 0 })
}

// timed plans the blocks or the follows of a user, each with the time it
// began: add those amity lacks (registering the users they name), and
// remove, then add again, those whose time differs.
func timed(vendor, amity map[string]int64, register func(string), add func(string, int64) Command, remove func(string) Command) (edges, again []Command) {
	for _, id := range sortedKeys(vendor) {
		switch at, ok := amity[id]; {
		case !ok:
			register(id)
			edges = append(edges, add(id, vendor[id]))
		case at != vendor[id]:
			edges = append(edges, remove(id))
			again = append(again, add(id, vendor[id]))
		}
	}
	return edges, again
}

// pruned removes the friends, blocks and follows amity holds and vendor
// does not.
func pruned(vendor, amity Graph) []Command {
	var out []Command
	for _, id := range absent(amity.Friends, vendor.Friends) {
		out = append(out, DeleteFriend{User: vendor.User, Friend: id})
	}
	for _, id := range absent(amity.Blocks, vendor.Blocks) {
		out = append(out, UnblockUser{User: vendor.User, Target: id})
	}
	for _, id := range absent(amity.Follows, vendor.Follows) {
		out = append(out, UnfollowUser{User: vendor.User, Target: id})
	}
	for _, id := range absent(amity.Mutes, vendor.Mutes) {
		out = append(out, UnmuteUser{User: vendor.User, Target: id})
	}
	return out
}

// absent returns the keys of have that want lacks, in order.
func absent[V, W any](have map[string]V, want map[string]W) []string {
	var out []string
	for _, id := range sortedKeys(have) {
		if _, ok := want[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}

// prunedGroups removes the groups amity holds and vendor does not, once
// the entries no longer name them.
func prunedGroups(vendor, amity Graph) []Command {
	extra := slices.DeleteFunc(slices.Clone(amity.Groups), func(g string) bool { return slices.Contains(vendor.Groups, g) })
	if len(extra) == 0 {
		return nil
	}
	return []Command{DeleteFriendGroups{User: vendor.User, Groups: extra}}
}

// profileChange is the update that makes amity's profile vendor's, or nil.
func profileChange(user string, vendor, amity Profile) *UpdateProfile {
	p := UpdateProfile{User: user}
	set := func(dst **string, v, a string) {
		if v != a {
			*dst = &v
		}
	}
	set(&p.Name, vendor.Name, amity.Name)
	set(&p.Avatar, vendor.Avatar, amity.Avatar)
	set(&p.Extra, vendor.Extra, amity.Extra)
	if vendor.AllowType != amity.AllowType && vendor.AllowType != "" {
		p.AllowType = &vendor.AllowType
	}
	if p.Name == nil && p.Avatar == nil && p.Extra == nil && p.AllowType == nil {
		return nil
	}
	return &p
}

func sameEntry(a, b Entry) bool {
	for _, f := range entryFields {
		if f.get(a) != f.get(b) {
			return false
		}
	}
	return true
}
