package zim_test

import (
	"context"
	"testing"

	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/retry"
	"github.com/amity-im/amity/internal/testenv/apitest"
)

// TestSourceReadsAUsersGraph: the migration's reader gets a user's
// profile, friends with every field and blocklist back from a ZIM
// surface, and a user ZIM does not know as unknown, at once.
func TestSourceReadsAUsersGraph(t *testing.T) {
	_, base := surface(t, demo)
	z := apitest.NewZIM(t, base, 1234567, "demo-secret")
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("ann", "bob", "cat")), 0)
	apitest.WantCode(t, "add", z.Post("AddFriends", fi{"FromUserId": "ann", "FriendInfos": []fi{
		{"UserId": "bob", "FriendAlias": "B", "Wording": "hi", "FriendTime": 1_600_000_000_000, "Attributes": []fi{{"Key": "k1", "Value": "v"}}}}}), 0)
	apitest.WantCode(t, "block", z.Post("AddUsersToBlacklist", fi{"FromUserId": "ann", "UserIds": []string{"cat"}}), 0)
	src := &zim.Source{Client: &zim.Client{BaseURL: base, AppID: 1234567, Secret: "demo-secret"},
		Reads: amityhttp.VendorReads{Backoff: retry.Backoff{First: 1, Attempts: 2}}}
	g, err := src.Read(context.Background(), "ann")
	if err != nil {
		t.Fatal(err)
	}
	e := g.Friends["bob"]
	if !g.Known || g.Profile.Name != "name of ann" || len(g.Friends) != 1 || e.Alias != "B" || e.Wording != "hi" ||
		e.CreateTime != 1_600_000_000_000 || e.Attributes["k1"] != "v" || len(g.Blocks) != 1 || g.Blocks["cat"] == 0 {
		t.Errorf("ann's graph = %+v", g)
	}
	g, err = src.Read(context.Background(), "ghost")
	if err != nil || g.Known {
		t.Errorf("an unknown user: %+v, %v", g, err)
	}
}
