package tencent_test

import (
	"net/http/httptest"
	"testing"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
)

// both is an app served on the ZIM and the Tencent surface, one graph
// behind the two; small holds two friends and two blocks a user.
var (
	both    = &domain.App{Name: "both"}
	bothZIM = &zim.App{App: both, AppID: 2222, ServerSecret: "zim-secret", QPS: 1_000_000}
	bothTC  = &tencent.App{App: both, SDKAppID: 1400000002, SecretKey: "tc-key", Admins: []string{"administrator", "ops"}, QPS: 1_000_000,
		CustomFields: []string{"Tag_SNS_Custom_Note", "Tag_SNS_Custom_Level"}, ZIMAttributes: map[string]string{"Tag_SNS_Custom_Note": "k0"}}
	smallTC = &tencent.App{App: &domain.App{Name: "small", MaxFriends: 2, MaxBlocked: 2}, SDKAppID: 1400000003, SecretKey: "small-key",
		Admins: []string{"administrator"}, QPS: 1_000_000}
)

// serveBoth serves both's two surfaces and small's Tencent one over
// loopback HTTP, on a core with an in-memory stream.
func serveBoth(t *testing.T) string {
	t.Helper()
	core := testenv.Start(t)
	srv := httptest.NewServer(amityhttp.NewHandler(zim.New(core.Deps(), bothZIM).Routes(), tencent.New(core.Deps(), bothTC, smallTC).Routes()))
	t.Cleanup(srv.Close)
	return srv.URL
}
