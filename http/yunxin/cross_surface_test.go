package yunxin_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/native"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/yunxin"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
)

// TestCrossSurface writes through each surface and reads through the
// others, for an app that has all three parts: one graph behind them.
func TestCrossSurface(t *testing.T) {
	t.Parallel()
	all := &domain.App{Name: "all", MaxBlocked: yunxin.MaxList}
	core := testenv.Start(t)
	deps := core.Deps()
	zimSrv := zim.New(deps, &zim.App{App: all, AppID: 3333, ServerSecret: "zim-secret", QPS: 1_000_000})
	tcSrv := tencent.New(deps, &tencent.App{App: all, SDKAppID: 1400000004, SecretKey: "tc-key", Admins: []string{"administrator"}, QPS: 1_000_000,
		CustomFields:  []string{"Tag_SNS_Custom_Ex", "Tag_SNS_Custom_SrvEx"},
		ZIMAttributes: map[string]string{"Tag_SNS_Custom_Ex": "k3", "Tag_SNS_Custom_SrvEx": "k4"}})
	yxSrv := yunxin.New(deps, &yunxin.App{App: all, AppKey: "yx-key", AppSecret: "yx-secret", QPS: 1_000_000})
	v1 := native.Routes(native.Config{Now: core.Now, History: core.Store, Index: core.Model, Writer: core.Writer, Requests: core.Model,
		NewID: core.NewID, ZIM: zimSrv, Tencent: tcSrv, Yunxin: yxSrv})
	srv := httptest.NewServer(amityhttp.NewHandler(zimSrv.Routes(), tcSrv.Routes(), yxSrv.Routes(), v1))
	t.Cleanup(srv.Close)
	z := apitest.NewZIM(t, srv.URL, 3333, "zim-secret")
	tc := apitest.NewTencent(t, srv.URL, 1400000004, "tc-key")
	y := apitest.NewYunxin(t, srv.URL, "yx-key", "yx-secret")

	// Accounts made through any surface are everyone's.
	apitest.WantYunxin(t, "yunxin create", y.Post(create, "accid", "yann", "name", "Yann"), 200)
	apitest.WantYunxin(t, "yunxin create", y.Post(create, "accid", "yve"), 200)
	apitest.WantCode(t, "zim register", z.Post("UserRegister", apitest.Users("zoe")), 0)
	apitest.WantTC(t, "tencent import", tc.Call("/v4/im_open_login_svc/multiaccount_import", apitest.Accounts("tom")), 0)

	// Added through Yunxin, with an alias and both extensions: seen by
	// ZIM (alias, attributes k3 and k4) and Tencent (remark, the custom
	// fields the app maps k3 and k4 to).
	apitest.WantYunxin(t, "yunxin add", y.Post(add, "accid", "yann", "faccid", "zoe", "type", "1"), 200)
	apitest.WantYunxin(t, "yunxin update", y.Post(update, "accid", "yann", "faccid", "zoe", "alias", "Zo", "ex", "e-val", "serverex", "s-val"), 200)
	if rel := apitest.Relations(z.Post("CheckFriendsRelation", apitest.Obj{"FromUserId": "yann", "UserIds": []string{"zoe"}, "CheckType": 0})); rel["zoe"] != 6 {
		t.Errorf("ZIM check of a Yunxin add = %v, want 6 (both ways)", rel)
	}
	list := z.Get("QueryFriendList", url.Values{"FromUserId": {"yann"}})
	if len(list.FriendInfos) != 1 || list.FriendInfos[0].FriendAlias != "Zo" || len(list.FriendInfos[0].Attributes) != 2 ||
		list.FriendInfos[0].Attributes[0].Key != "k3" || list.FriendInfos[0].Attributes[0].Value != "e-val" || list.FriendInfos[0].Attributes[1].Value != "s-val" {
		t.Errorf("ZIM view of yann's entry for zoe = %+v", list.FriendInfos)
	}
	if rel := tc.Check("yann", "CheckResult_Type_Both", "zoe"); rel["zoe"] != "CheckResult_Type_BothWay" {
		t.Errorf("Tencent check of a Yunxin add = %v", rel)
	}
	r := tc.Call("/v4/sns/friend_get_list", apitest.Obj{"From_Account": "yann", "To_Account": []string{"zoe"},
		"TagList": []string{"Tag_SNS_IM_Remark", "Tag_SNS_Custom_Ex", "Tag_SNS_Custom_SrvEx"}})
	if p := r.InfoItem[0].SnsProfileItem; len(p) != 3 || p[0].Value != "Zo" || p[1].Value != "e-val" || p[2].Value != "s-val" {
		t.Errorf("Tencent view of yann's entry for zoe = %+v", p)
	}

	// Added through ZIM and Tencent, read through Yunxin.
	apitest.WantCode(t, "zim add", z.Post("AddFriends", apitest.Obj{"FromUserId": "zoe", "FriendInfos": []apitest.Obj{{"UserId": "yve", "FriendAlias": "Eve"}}}), 0)
	if g := y.Post(getOne, "accid", "zoe", "faccid", "yve"); g.Code != 200 || g.Friend.Alias != "Eve" || !g.Friend.Bidirection {
		t.Errorf("Yunxin view of a ZIM add = %+v", g)
	}
	apitest.WantItems(t, "tencent add", tc.Call("/v4/sns/friend_add", apitest.Obj{"From_Account": "tom", "AddFriendItem": []apitest.Obj{
		{"To_Account": "yve", "Remark": "Yv", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"yve": 0})
	if g := y.Post(get, "accid", "tom", "updatetime", "0"); g.Size != 1 || g.Friends[0].FAccid != "yve" || g.Friends[0].Alias != "Yv" {
		t.Errorf("Yunxin list of a Tencent add = %+v", g)
	}

	// A Yunxin blacklisting is ZIM's and Tencent's blocklist, the
	// friendship kept; a mute is in /v1 through Yunxin's headers.
	apitest.WantYunxin(t, "yunxin blacklist", y.Post(special, "accid", "yann", "targetAcc", "zoe", "relationType", "1", "value", "1"), 200)
	apitest.WantYunxin(t, "yunxin mute", y.Post(special, "accid", "yann", "targetAcc", "yve", "relationType", "2", "value", "1"), 200)
	if b := z.Get("QueryBlacklist", url.Values{"FromUserId": {"yann"}}); len(b.Blacklist) != 1 || b.Blacklist[0].UserId != "zoe" {
		t.Errorf("ZIM blacklist of yann = %+v", b)
	}
	if rel := apitest.Relations(z.Post("CheckFriendsRelation", apitest.Obj{"FromUserId": "yann", "UserIds": []string{"zoe"}, "CheckType": 0})); rel["zoe"] != 6 {
		t.Errorf("a Yunxin blacklisting ended the friendship: %v", rel)
	}
	var mutes struct {
		Mutes []struct {
			UserID string `json:"user_id"`
		} `json:"mutes"`
	}
	if err := y.C.V2(t.Context(), http.MethodGet, "/v1/mutes", url.Values{"user": {"yann"}}, nil, &mutes); err != nil || len(mutes.Mutes) != 1 || mutes.Mutes[0].UserID != "yve" {
		t.Errorf("/v1/mutes through Yunxin's headers: %+v %v", mutes, err)
	}
	// The pair's history holds the mute beside the friendship.
	var history struct {
		Events []struct {
			Event struct {
				Type    string `json:"type"`
				Surface string `json:"surface"`
			} `json:"event"`
		} `json:"events"`
	}
	if err := y.C.V2(t.Context(), http.MethodGet, "/v1/pairs/history", url.Values{"user_a": {"yann"}, "user_b": {"yve"}}, nil, &history); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range history.Events {
		types = append(types, e.Event.Type+"/"+e.Event.Surface)
	}
	if len(types) == 0 || types[len(types)-1] != "UserMuted/yunxin" {
		t.Errorf("yann and yve's history: %v, want it to end with the mute made through Yunxin", types)
	}
}
