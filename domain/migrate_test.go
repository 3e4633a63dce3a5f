package domain

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func graph(mut func(g *Graph)) Graph {
	g := Graph{User: "ann", Known: true, Profile: Profile{Name: "Ann"},
		Friends: map[string]Entry{"bob": {Alias: "B", CreateTime: 1000}},
		Blocks:  map[string]int64{"cat": 2000}, Groups: []string{"work"}, Follows: map[string]int64{"dan": 3000}}
	if mut != nil {
		mut(&g)
	}
	return g
}

// TestPlanMakesAmityTheVendors: for each way Amity's graph of a user can
// differ from the vendor's, Compare names it and Plan's steps record
// exactly what removes it (the deletions only when pruning).
//
// Its length is its table of cases.
func TestPlanMakesAmityTheVendors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		amity  func(*Graph)
		vendor func(*Graph)
		prune  bool
		diffs  []string
		steps  [][]string
	}{
		{name: "the same", diffs: nil, steps: nil},
		{name: "user missing", amity: func(g *Graph) { *g = Graph{User: "ann"} },
			diffs: []string{"ann: block missing \"cat\"", "ann: follow missing \"dan\"", "ann: friend missing \"bob\"", "ann: group missing \"work\"",
				`ann: profile name: vendor "Ann", amity ""`, "ann: user missing"},
			steps: [][]string{{"RegisterUser ann  "}, {"UpdateProfile ann name=Ann extra= allow=", "AddFriendGroups ann [work]"},
				{"ImportFriend ann bob B 1000", "BlockUser ann cat 2000", "FollowUser ann dan 3000"}}},
		{name: "a friend missing, not registered", vendor: func(g *Graph) { g.Friends["eve"] = Entry{CreateTime: 5} },
			diffs: []string{`ann: friend missing "eve"`},
			steps: [][]string{{"RegisterUser eve  "}, {"ImportFriend ann eve  5"}}},
		{name: "a field", vendor: func(g *Graph) { g.Friends["bob"] = Entry{Alias: "Bobby", CreateTime: 1000} },
			diffs: []string{`ann: friend field "bob" alias: vendor "Bobby", amity "B"`},
			steps: [][]string{{"ImportFriend ann bob Bobby 1000"}}},
		{name: "extra, kept on a copy", amity: func(g *Graph) { g.Friends["fay"] = Entry{}; g.Blocks["gus"] = 1; g.Groups = append(g.Groups, "old") },
			diffs: []string{`ann: block extra "gus"`, `ann: friend extra "fay"`, `ann: group extra "old"`}, steps: nil},
		{name: "extra, removed on a repair", prune: true,
			amity: func(g *Graph) {
				g.Friends["fay"] = Entry{}
				g.Blocks["gus"] = 1
				g.Follows["hal"] = 1
				g.Groups = append(g.Groups, "old")
			},
			diffs: []string{`ann: block extra "gus"`, `ann: follow extra "hal"`, `ann: friend extra "fay"`, `ann: group extra "old"`},
			steps: [][]string{{"DeleteFriend ann fay", "UnblockUser ann gus", "UnfollowUser ann hal"}, {"DeleteFriendGroups ann [old]"}}},
		{name: "times", vendor: func(g *Graph) { g.Blocks["cat"] = 2500; g.Follows["dan"] = 3500 },
			diffs: []string{`ann: block time "cat": vendor "2500", amity "2000"`, `ann: follow time "dan": vendor "3500", amity "3000"`},
			steps: [][]string{{"UnblockUser ann cat", "UnfollowUser ann dan"}, {"BlockUser ann cat 2500", "FollowUser ann dan 3500"}}},
		{name: "profile", vendor: func(g *Graph) { g.Profile.Extra = "x"; g.Profile.AllowType = NeedConfirm },
			diffs: []string{`ann: profile allow_type: vendor "AllowType_Type_NeedConfirm", amity ""`, `ann: profile extra: vendor "x", amity ""`},
			steps: [][]string{{"UpdateProfile ann extra=x allow=AllowType_Type_NeedConfirm"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			vendor, amity := graph(tt.vendor), graph(tt.amity)
			registered := func(id string) bool { return id != "eve" && (id != amity.User || amity.Known) }
			var diffs []string
			for _, d := range Compare(vendor, amity) {
				diffs = append(diffs, d.String())
			}
			if d := cmp.Diff(tt.diffs, diffs); d != "" {
				t.Errorf("Compare (-want +got):\n%s", d)
			}
			var steps [][]string
			for _, step := range Plan(vendor, amity, registered, tt.prune) {
				var s []string
				for _, c := range step {
					s = append(s, describeCommand(c))
				}
				steps = append(steps, s)
			}
			if d := cmp.Diff(tt.steps, steps); d != "" {
				t.Errorf("Plan (-want +got):\n%s", d)
			}
		})
	}
}

func describeCommand(c Command) string {
	switch c := c.(type) {
	case RegisterUser:
		s := fmt.Sprintf("RegisterUser %s %s", c.User, c.Name)
		if c.Upsert {
			s += " upsert"
		} else {
			s += " "
		}
		return s
	case ImportFriend:
		return fmt.Sprintf("ImportFriend %s %s %s %d", c.User, c.Friend, c.Entry.Alias, c.Entry.CreateTime)
	case BlockUser:
		return fmt.Sprintf("BlockUser %s %s %d", c.User, c.Target, c.Since)
	case FollowUser:
		return fmt.Sprintf("FollowUser %s %s %d", c.User, c.Target, c.Since)
	case UpdateProfile:
		s := "UpdateProfile " + c.User
		if c.Name != nil {
			s += " name=" + *c.Name
		}
		return s + fmt.Sprintf(" extra=%s allow=%s", deref(c.Extra), deref(c.AllowType))
	case AddFriendGroups:
		return fmt.Sprintf("AddFriendGroups %s %v", c.User, c.Groups)
	case DeleteFriendGroups:
		return fmt.Sprintf("DeleteFriendGroups %s %v", c.User, c.Groups)
	case DeleteFriend:
		return fmt.Sprintf("DeleteFriend %s %s", c.User, c.Friend)
	case UnblockUser:
		return fmt.Sprintf("UnblockUser %s %s", c.User, c.Target)
	case UnfollowUser:
		return fmt.Sprintf("UnfollowUser %s %s", c.User, c.Target)
	}
	return fmt.Sprintf("%T", c)
}

// TestSinceKeepsTheVendorsTime: a block or follow copied with its vendor's
// time survives the commit's encoding and is the time Apply records.
func TestSinceKeepsTheVendorsTime(t *testing.T) {
	for _, p := range []Payload{UserBlocked{User: "a", Target: "b", Since: 1234}, UserFollowed{User: "a", Target: "b", Since: 5678}} {
		c := Commit{ID: "c", App: "x", Events: []Event{{ID: "e", Type: p.Type(), Version: SchemaVersion, App: "x", Surface: SurfaceMigrate, Data: p}}}
		b, err := MarshalCommit(c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := UnmarshalCommit(b)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(c.Events[0].Data, got.Events[0].Data); d != "" || got.Events[0].Surface != SurfaceMigrate {
			t.Errorf("%s (-sent +decoded):\n%s\nsurface %q", b, d, got.Events[0].Surface)
		}
	}
}
