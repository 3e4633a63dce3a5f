package tencent_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/amity-im/amity/internal/testenv/apitest"
)

// TestCrossSurface writes through one surface and reads through the other,
// for an app that has both.
func TestCrossSurface(t *testing.T) {
	t.Parallel()
	base := serveBoth(t)
	tc := apitest.NewTencent(t, base, 1400000002, "tc-key")
	z := apitest.NewZIM(t, base, 2222, "zim-secret")
	apitest.WantTC(t, "import", tc.CallCtx(apitest.WithRequestGap(context.Background(), "AccountList: the description knows only the Accounts form"), pMultiImport, apitest.Obj{"AccountList": []apitest.Obj{{"UserID": "t1", "Nick": "Tee One"}, {"UserID": "t2", "Nick": "Tee Two", "FaceUrl": "https://img/t2"}}}), 0)
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("z1", "z2")), 0)

	// Added through Tencent, read through ZIM.
	apitest.WantItems(t, "tencent add", tc.Call(pFriendAdd, apitest.Obj{"From_Account": "t1", "AddFriendItem": []apitest.Obj{
		{"To_Account": "z1", "Remark": "Zed", "AddWording": "hello", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"z1": 0})
	apitest.WantItems(t, "tencent note", tc.Call(pFriendUpdate, apitest.Obj{"From_Account": "t1", "UpdateItem": []apitest.Obj{
		{"To_Account": "z1", "SnsItem": []apitest.Obj{{"Tag": "Tag_SNS_Custom_Note", "Value": "tencent note"}}}}}), map[string]int{"z1": 0})
	if rel := apitest.Relations(z.Post("CheckFriendsRelation", apitest.Obj{"FromUserId": "t1", "UserIds": []string{"z1"}, "CheckType": 0})); rel["z1"] != 6 {
		t.Errorf("ZIM check of a Tencent two-way add = %v, want 6", rel)
	}
	list := z.Get("QueryFriendList", url.Values{"FromUserId": {"t1"}})
	if len(list.FriendInfos) != 1 {
		t.Fatalf("ZIM list of t1 = %+v", list.FriendInfos)
	}
	if f := list.FriendInfos[0]; f.UserId != "z1" || f.FriendAlias != "Zed" || f.Wording != "hello" || f.UserName != "name of z1" ||
		len(f.Attributes) != 1 || f.Attributes[0].Key != "k0" || f.Attributes[0].Value != "tencent note" {
		t.Errorf("ZIM view of t1's entry for z1 = %+v", f)
	}
	if r := z.Post("QueryUserInfos", apitest.Obj{"UserIds": []string{"t2"}}); len(r.Result) != 1 || r.Result[0].UserName != "Tee Two" || r.Result[0].UserAvatar != "https://img/t2" {
		t.Errorf("ZIM view of a Tencent account = %+v", r.Result)
	}

	// Added through ZIM, read through Tencent.
	apitest.WantCode(t, "zim add", z.Post("AddFriends", apitest.Obj{"FromUserId": "z2", "FriendInfos": []apitest.Obj{
		{"UserId": "t2", "FriendAlias": "Tee", "Wording": "hi from zim", "Attributes": []apitest.Obj{{"Key": "k0", "Value": "zim note"}}}}}), 0)
	if rel := tc.Check("z2", "CheckResult_Type_Both", "t2"); rel["t2"] != "CheckResult_Type_BothWay" {
		t.Errorf("Tencent check of a ZIM add = %v", rel)
	}
	r := tc.Call(pFriendGetList, apitest.Obj{"From_Account": "z2", "To_Account": []string{"t2"},
		"TagList": []string{"Tag_SNS_IM_Remark", "Tag_SNS_IM_AddWording", "Tag_SNS_Custom_Note", "Tag_Profile_IM_Nick"}})
	if p := r.InfoItem[0].SnsProfileItem; len(p) != 4 || p[0].Value != "Tee" || p[1].Value != "hi from zim" || p[2].Value != "zim note" || p[3].Value != "Tee Two" {
		t.Errorf("Tencent view of z2's entry for t2 = %+v", p)
	}
	apitest.WantCode(t, "zim one-way delete", z.Post("DeleteFriends", apitest.Obj{"FromUserId": "z2", "UserIds": []string{"t2"}, "DeleteType": 1}), 0)
	if rel := tc.Check("z2", "CheckResult_Type_Both", "t2"); rel["t2"] != "CheckResult_Type_BWithA" {
		t.Errorf("Tencent check after a ZIM one-way delete = %v", rel)
	}

	// Another app's credentials see none of it.
	small := apitest.NewTencent(t, base, 1400000003, "small-key")
	apitest.WantTC(t, "other app reads t1", small.Call(pFriendCheck, apitest.Obj{"From_Account": "t1", "To_Account": []string{"z1"}, "CheckType": "CheckResult_Type_Both"}), 30003)
}
