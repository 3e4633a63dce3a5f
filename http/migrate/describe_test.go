package migrate

import (
	"strings"
	"testing"

	"github.com/amity-im/amity/domain"
)

// TestEveryPlannedCommandHasAName: a copy's report names each command a
// plan can hold in words, not by its Go type.
func TestEveryPlannedCommandHasAName(t *testing.T) {
	for _, c := range []domain.Command{
		domain.RegisterUser{User: "a"}, domain.UpdateProfile{User: "a"}, domain.AddFriendGroups{User: "a"},
		domain.DeleteFriendGroups{User: "a"}, domain.ImportFriend{User: "a", Friend: "b"}, domain.DeleteFriend{User: "a", Friend: "b"},
		domain.BlockUser{User: "a", Target: "b"}, domain.UnblockUser{User: "a", Target: "b"}, domain.FollowUser{User: "a", Target: "b"},
		domain.UnfollowUser{User: "a", Target: "b"}, domain.MuteUser{User: "a", Target: "b"}, domain.UnmuteUser{User: "a", Target: "b"},
	} {
		if got := describe(c); strings.HasPrefix(got, "domain.") {
			t.Errorf("%T is described as %q", c, got)
		}
	}
}
