package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/migrate"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/yunxin"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
)

// faults answers every period-th call with a fault of a vendor's, in
// turn: its busy code, a 503, a slow answer, a dropped connection; the
// others reach next.
type faults struct {
	next   http.Handler
	busy   string // the vendor's rate-limit answer
	period int64
	n      atomic.Int64
	seen   [4]atomic.Int64
}

func (f *faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.n.Add(1)
	if n%f.period != 0 {
		f.next.ServeHTTP(w, r)
		return
	}
	kind := (n / f.period) % 4
	f.seen[kind].Add(1)
	switch kind {
	case 0:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(f.busy))
	case 1:
		http.Error(w, "upstream unavailable", http.StatusServiceUnavailable)
	case 2:
		// A slow answer is the fault itself: held back, then given.
		select {
		case <-time.After(300 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		f.next.ServeHTTP(w, r)
	case 3:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}
}

// allSeen fails t unless every kind of fault was injected.
func (f *faults) allSeen(t *testing.T) {
	t.Helper()
	for kind := range f.seen {
		if f.seen[kind].Load() == 0 {
			t.Errorf("fault %d never injected", kind)
		}
	}
}

// fakeVendor serves an app's vendor surface on an in-memory core, loaded
// through the returned URL's twin without faults: loadURL. The migration
// reads url, behind the fault injector.
func fakeVendor(t *testing.T, table func(amityhttp.Deps) amityhttp.Table, busy string, period int64) (url, loadURL string, f *faults) {
	t.Helper()
	core := testenv.Start(t)
	h := amityhttp.NewHandler(table(core.Deps()))
	load := httptest.NewServer(h)
	t.Cleanup(load.Close)
	f = &faults{next: h, busy: busy, period: period}
	faulty := httptest.NewServer(f)
	t.Cleanup(faulty.Close)
	return faulty.URL, load.URL, f
}

const migrateConfig = `{"apps":[
 {"name":"moving","max_blocked":1500,
  "tencent":{"sdkappid":1400000042,"secret_key":"mig-key","admins":["administrator"],"qps":1000000,"follow":true,
   "custom_fields":["Tag_SNS_Custom_Note","Tag_SNS_Custom_Level"],"zim_attributes":{"Tag_SNS_Custom_Note":"k0"}},
  "zim":{"app_id":4242,"server_secret":"mig-secret","qps":1000000},
  "yunxin":{"app_key":"mig-yx-key","app_secret":"mig-yx-secret","qps":1000000}}
]}`

var (
	sourceApp = &domain.App{Name: "vendor", MaxBlocked: 1500}
	sourceTC  = &tencent.App{App: sourceApp, SDKAppID: 1400000042, SecretKey: "mig-key", Admins: []string{"administrator"}, QPS: 1_000_000,
		Follow: true, CustomFields: []string{"Tag_SNS_Custom_Note", "Tag_SNS_Custom_Level"}, ZIMAttributes: map[string]string{"Tag_SNS_Custom_Note": "k0"}}
	sourceZIM = &zim.App{App: sourceApp, AppID: 4242, ServerSecret: "mig-secret", QPS: 1_000_000}
	sourceYX  = &yunxin.App{App: sourceApp, AppKey: "mig-yx-key", AppSecret: "mig-yx-secret", QPS: 1_000_000}
)

// migration runs `amity migrate` against s with args, and returns its
// output and error.
func (s *service) migrate(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "apps.json")
	if err := os.WriteFile(cfg, []byte(migrateConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	// The test's defaults first: a flag of args given again wins.
	full := append([]string{"migrate", args[0], "--config", cfg, "--app", "moving", "--nats-url", s.natsURL, "--retry-wait", "20ms", "--qps", "5000"}, args[1:]...)
	err := run(context.Background(), full, func(string) string { return "" }, &out, &errb)
	t.Logf("amity migrate %s:\n%s%s", strings.Join(args, " "), out.String(), errb.String())
	return out.String(), err
}

func usersFile(t *testing.T, ids ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "users.txt")
	if err := os.WriteFile(p, []byte(strings.Join(ids, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantLines fails t for each want no line of out contains.
func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
}

// migratedOnly fails t unless every event on s's stream was recorded by a
// migration.
func migratedOnly(t *testing.T, s *service) {
	t.Helper()
	st, err := s.jetstream(t).Stream(context.Background(), eventstore.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); seq <= s.streamLastSeq(t); seq++ {
		m, err := st.GetMsg(context.Background(), seq)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Events []struct{ Type, Surface string }
		}
		if err := json.Unmarshal(m.Data, &c); err != nil {
			t.Fatal(err)
		}
		for _, ev := range c.Events {
			if ev.Surface != domain.SurfaceMigrate {
				t.Fatalf("commit %d holds a %s by %q, not marked as migrated", seq, ev.Type, ev.Surface)
			}
		}
	}
}

// tencentCallback posts a friend-add callback for app 1400000042 to s,
// signed with token, and returns the HTTP status and ErrorCode.
func (s *service) tencentCallback(t *testing.T, token string, body obj) (int, int) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	q := url.Values{"SdkAppid": {"1400000042"}, "CallbackCommand": {tencent.CmdFriendAdd}, "RequestTime": {ts}, "Sign": {tencent.SignCallback(token, ts)}}
	b, _ := json.Marshal(body)
	resp, err := http.Post(s.httpURL+"/migrate/tencent/callback?"+q.Encode(), "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a struct{ ErrorCode int }
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, a.ErrorCode
}

// TestMigrateTencent is one scenario, told in order: a copy through
// faults, a clean verify, a second copy that records nothing, a change
// brought by Tencent's callback (a forged one refused), differences planted
// on both sides and each reported, repaired, verified clean.
func TestMigrateTencent(t *testing.T) {
	t.Parallel()
	url, loadURL, f := fakeVendor(t, func(d amityhttp.Deps) amityhttp.Table { return tencent.New(d, sourceTC).Routes() },
		`{"ActionStatus":"FAIL","ErrorCode":60007,"ErrorInfo":"API rate limit"}`, 9)
	src := apitest.NewTencent(t, loadURL, 1400000042, "mig-key")
	users := loadTencent(t, src)
	// The app takes Tencent's callbacks while it moves, reading from the source.
	moving := strings.Replace(migrateConfig, `"zim":{"app_id":4242`, `"migrate":{"source":"`+url+`","callback_token":"cb-token"},"zim":{"app_id":4242`, 1)
	s := startService(t, moving, "")
	list := usersFile(t, append(users, "ghost")...)

	out, err := s.migrate(t, "copy", "--vendor", "tencent", "--source", url, "--users", list)
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	wantLines(t, out, "ghost: not known at the vendor", fmt.Sprintf("copied %d users", len(users)+1))
	f.allSeen(t)
	migratedOnly(t, s)
	if out, err := s.migrate(t, "verify", "--vendor", "tencent", "--source", url, "--users", list); err != nil {
		t.Fatalf("verify after the copy: %v\n%s", err, out)
	}
	last := s.streamLastSeq(t)
	out, err = s.migrate(t, "copy", "--vendor", "tencent", "--source", url, "--users", list, "--checkpoint", filepath.Join(t.TempDir(), "again"))
	if err != nil || !strings.Contains(out, " 0 changes recorded") || s.streamLastSeq(t) != last {
		t.Errorf("a second copy: %v, stream %d -> %d\n%s", err, last, s.streamLastSeq(t), out)
	}

	// A change at the source reaches Amity by its callback; a forged one
	// is refused.
	apitest.WantItems(t, "source add", src.Call("/v4/sns/friend_add", obj{"From_Account": "bob", "AddFriendItem": []obj{
		{"To_Account": "pal20", "Remark": "twenty", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"pal20": 0})
	pairs := obj{"PairList": []obj{{"From_Account": "bob", "To_Account": "pal20"}, {"From_Account": "pal20", "To_Account": "bob"}}}
	if status, code := s.tencentCallback(t, "forged", pairs); status != http.StatusForbidden || code != 1 {
		t.Errorf("a forged callback: HTTP %d ErrorCode %d", status, code)
	}
	if status, code := s.tencentCallback(t, "cb-token", pairs); status != http.StatusOK || code != 0 {
		t.Fatalf("the callback: HTTP %d ErrorCode %d", status, code)
	}
	if out, err := s.migrate(t, "verify", "--vendor", "tencent", "--source", url, "--users", usersFile(t, "bob", "pal20")); err != nil {
		t.Errorf("verify after the callback: %v\n%s", err, out)
	}

	// Differences of every kind, planted at the vendor and in Amity.
	dst := s.tencent(t, 1400000042, "mig-key")
	apitest.WantTC(t, "source nick", src.Call("/v4/profile/portrait_set", obj{"From_Account": "ann", "ProfileItem": []obj{{"Tag": "Tag_Profile_IM_Nick", "Value": "Ann B."}}}), 0)
	apitest.WantTC(t, "source friend", src.Call("/v4/sns/friend_import", obj{"From_Account": "ann", "AddFriendItem": []obj{{"To_Account": "pal7", "AddSource": "AddSource_Type_Web", "AddTime": 1_600_000_000}}}), 0)
	apitest.WantTC(t, "source remark", src.Call("/v4/sns/friend_update", obj{"From_Account": "ann", "UpdateItem": []obj{{"To_Account": "bob", "SnsItem": []obj{{"Tag": "Tag_SNS_IM_Remark", "Value": "Robert"}}}}}), 0)
	apitest.WantTC(t, "source group", src.Call("/v4/sns/group_add", obj{"From_Account": "ann", "GroupName": []string{"new group"}}), 0)
	apitest.WantTC(t, "source block", src.Call("/v4/sns/black_list_add", obj{"From_Account": "bob", "To_Account": []string{"pal140"}}), 0)
	apitest.WantTC(t, "source follow", src.Call("/v4/follow/follow_add", obj{"From_Account": "bob", "FollowItem": []obj{{"To_Account": "pal9"}}}), 0)
	apitest.WantTC(t, "amity extra friend", dst.Call("/v4/sns/friend_import", obj{"From_Account": "bob", "AddFriendItem": []obj{{"To_Account": "pal150", "AddSource": "AddSource_Type_Web"}}}), 0)
	apitest.WantTC(t, "amity extra block", dst.Call("/v4/sns/black_list_add", obj{"From_Account": "ann", "To_Account": []string{"pal11"}}), 0)
	apitest.WantTC(t, "amity unfollow", dst.Call("/v4/follow/follow_delete", obj{"From_Account": "ann", "To_Account": []string{"pal1"}}), 0)
	apitest.WantTC(t, "amity extra follow", dst.Call("/v4/follow/follow_add", obj{"From_Account": "bob", "FollowItem": []obj{{"To_Account": "pal30"}}}), 0)
	apitest.WantTC(t, "amity extra group", dst.Call("/v4/sns/group_add", obj{"From_Account": "bob", "GroupName": []string{"amity only"}}), 0)
	apitest.WantTC(t, "source new user", src.Call("/v4/im_open_login_svc/account_import", obj{"UserID": "newbie", "Nick": "New"}), 0)
	list = usersFile(t, append(users, "ghost", "newbie")...)
	out, err = s.migrate(t, "verify", "--vendor", "tencent", "--source", url, "--users", list)
	if err == nil {
		t.Error("verify found no difference")
	}
	wantLines(t, out, `ann: profile name: vendor "Ann B.", amity "Ann"`, `ann: friend missing "pal7"`,
		`ann: friend field "bob" alias: vendor "Robert", amity "Bobby"`, `ann: group missing "new group"`,
		`bob: block missing "pal140"`, `bob: follow missing "pal9"`, `bob: friend extra "pal150"`,
		`ann: block extra "pal11"`, `ann: follow missing "pal1"`, `bob: follow extra "pal30"`, `bob: group extra "amity only"`,
		`newbie: user missing`, "differences in 3 users")
	if out, err := s.migrate(t, "verify", "--repair", "--vendor", "tencent", "--source", url, "--users", list); err != nil {
		t.Fatalf("verify --repair: %v\n%s", err, out)
	}
	if out, err := s.migrate(t, "verify", "--vendor", "tencent", "--source", url, "--users", list); err != nil {
		t.Errorf("verify after the repair: %v\n%s", err, out)
	}
}

// bulk makes a bulk call of the dataset with tc's client but not its
// validation (the same calls, smaller, are validated elsewhere).
func bulk(t *testing.T, tc *apitest.Tencent, path string, body obj) {
	t.Helper()
	plain := &tencent.Client{BaseURL: tc.C.BaseURL, SDKAppID: tc.C.SDKAppID, Identifier: tc.C.Identifier, UserSig: tc.C.UserSig}
	var a struct{ ErrorCode int }
	if err := plain.Call(context.Background(), path, body, &a); err != nil || a.ErrorCode != 0 {
		t.Fatalf("%s: %v, ErrorCode %d", path, err, a.ErrorCode)
	}
}

// loadTencent fills a Tencent source with every field Amity keeps: profiles
// with AllowType, friends with remark, groups, add source and wording,
// original add and remark times and custom fields, one-way friends, empty
// groups, more than a page of friends, blocks and follows, IDs and remarks
// with unicode and punctuation. It returns the users.
func loadTencent(t *testing.T, tc *apitest.Tencent) []string {
	t.Helper()
	odd := "x.y*z>{|}" // Tencent IDs are printable ASCII; remarks and nicks take any text
	pals := apitest.IDs("pal", 1200)
	for i := 0; i < len(pals); i += 100 {
		bulk(t, tc, "/v4/im_open_login_svc/multiaccount_import", apitest.Accounts(pals[i:i+100]...))
	}
	for _, u := range []obj{{"UserID": "ann", "Nick": "Ann", "FaceUrl": "https://img/ann"}, {"UserID": "bob", "Nick": "Bob"}, {"UserID": odd, "Nick": "Ödd ✓"}} {
		apitest.WantTC(t, "import", tc.Call("/v4/im_open_login_svc/account_import", u), 0)
	}
	apitest.WantTC(t, "allow type", tc.Call("/v4/profile/portrait_set", obj{"From_Account": "bob", "ProfileItem": []obj{{"Tag": "Tag_Profile_IM_AllowType", "Value": "AllowType_Type_NeedConfirm"}}}), 0)
	apitest.WantTC(t, "groups", tc.Call("/v4/sns/group_add", obj{"From_Account": "ann", "GroupName": []string{"work", "empty"}}), 0)
	ints := apitest.WithRequestGap(context.Background(), "CustomItem integer value: the description types Value as string")
	apitest.WantTC(t, "ann's friends", tc.CallCtx(ints, "/v4/sns/friend_import", obj{"From_Account": "ann", "AddFriendItem": []obj{
		{"To_Account": "bob", "Remark": "Bobby", "GroupName": []string{"work"}, "AddSource": "AddSource_Type_Android", "AddWording": "hi, it's ann",
			"AddTime": 1_500_000_000, "RemarkTime": 1_500_000_100, "CustomItem": []obj{{"Tag": "Tag_SNS_Custom_Note", "Value": "met at work"}, {"Tag": "Tag_SNS_Custom_Level", "Value": 7}}},
		{"To_Account": odd, "Remark": "ödd · 名", "AddSource": "AddSource_Type_Web", "AddTime": 1_400_000_000},
	}}), 0)
	// bob's list holds ann (two-way) and 130 pals, one way.
	items := []obj{{"To_Account": "ann", "AddSource": "AddSource_Type_Web", "AddTime": 1_500_000_000}}
	for _, p := range pals[:130] {
		items = append(items, obj{"To_Account": p, "AddSource": "AddSource_Type_Bulk", "AddTime": 1_450_000_000})
	}
	for i := 0; i < len(items); i += 100 {
		apitest.WantTC(t, "bob's friends", tc.Call("/v4/sns/friend_import", obj{"From_Account": "bob", "AddFriendItem": items[i:min(len(items), i+100)]}), 0)
	}
	blocked := pals[100:1110] // more than a page
	for i := 0; i < len(blocked); i += 1000 {
		bulk(t, tc, "/v4/sns/black_list_add", obj{"From_Account": odd, "To_Account": blocked[i:min(len(blocked), i+1000)]})
	}
	var follows []obj
	for _, p := range pals[:101] {
		follows = append(follows, obj{"To_Account": p})
	}
	for i := 0; i < len(follows); i += 20 {
		apitest.WantTC(t, "ann's follows", tc.Call("/v4/follow/follow_add", obj{"From_Account": "ann", "FollowItem": follows[i:min(len(follows), i+20)]}), 0)
	}
	// The users file lists the main users and a few pals; the other pals
	// reach Amity as the friends, blocks and follows of these.
	return append([]string{"ann", "bob", odd}, pals[:12]...)
}

// TestMigrateZIM is one scenario, told in order: a copy through faults, a
// clean verify, differences planted on both sides, each reported,
// repaired, verified clean.
func TestMigrateZIM(t *testing.T) {
	t.Parallel()
	url, loadURL, f := fakeVendor(t, func(d amityhttp.Deps) amityhttp.Table { return zim.New(d, sourceZIM).Routes() },
		`{"Code":660300005,"Message":"app QPS limit"}`, 3)
	src := apitest.NewZIM(t, loadURL, 4242, "mig-secret")
	users := loadZIM(t, src)
	s := startService(t, migrateConfig, "")
	list := usersFile(t, append(users, "ghost")...)
	zimArgs := []string{"--vendor", "zim", "--source", url, "--users", list}

	out, err := s.migrate(t, append([]string{"copy"}, zimArgs...)...)
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	wantLines(t, out, "ghost: not known at the vendor")
	f.allSeen(t)
	migratedOnly(t, s)
	if out, err := s.migrate(t, append([]string{"verify"}, zimArgs...)...); err != nil {
		t.Fatalf("verify after the copy: %v\n%s", err, out)
	}
	last := s.streamLastSeq(t)
	out, err = s.migrate(t, append([]string{"copy", "--checkpoint", filepath.Join(t.TempDir(), "again")}, zimArgs...)...)
	if err != nil || !strings.Contains(out, " 0 changes recorded") || s.streamLastSeq(t) != last {
		t.Errorf("a second copy: %v, stream %d -> %d\n%s", err, last, s.streamLastSeq(t), out)
	}

	dst := s.zim(t, 4242, "mig-secret")
	apitest.WantCode(t, "source alias", src.Post("UpdateFriendsAlias", fi{"FromUserId": "ann", "UserIds": []fi{{"UserId": "bob", "FriendAlias": "Robert"}}}), 0)
	apitest.WantCode(t, "source extra", src.Post("ModifyUserInfo", fi{"UserInfo": []fi{{"UserId": "bob", "Extra": "moved"}}}), 0)
	apitest.WantCode(t, "source block", src.Post("AddUsersToBlacklist", fi{"FromUserId": "bob", "UserIds": []string{"u5"}}), 0)
	apitest.WantCode(t, "amity extra friend", dst.Post("AddFriends", fi{"FromUserId": "ann", "FriendInfos": []fi{{"UserId": "u9"}}}), 0)
	out, err = s.migrate(t, append([]string{"verify"}, zimArgs...)...)
	if err == nil {
		t.Error("verify found no difference")
	}
	wantLines(t, out, `ann: friend field "bob" alias: vendor "Robert", amity "Bobby"`, `bob: profile extra: vendor "moved", amity "{\"vip\":true}"`,
		`bob: block missing "u5"`, `ann: friend extra "u9"`, `u9: friend extra "ann"`)
	if out, err := s.migrate(t, append([]string{"verify", "--repair"}, zimArgs...)...); err != nil {
		t.Fatalf("verify --repair: %v\n%s", err, out)
	}
	if out, err := s.migrate(t, append([]string{"verify"}, zimArgs...)...); err != nil {
		t.Errorf("verify after the repair: %v\n%s", err, out)
	}
}

// TestMigrateYunxin copies an app from Yunxin's friend APIs (behind the
// fault injector, answering 416 now and then): friends with alias, ex,
// serverex and create time, one-way friends, the blacklist and the mute
// list; verify finds nothing, then finds what changed on either side, and
// --repair makes Amity the vendor's again.
func TestMigrateYunxin(t *testing.T) {
	t.Parallel()
	url, loadURL, f := fakeVendor(t, func(d amityhttp.Deps) amityhttp.Table { return yunxin.New(d, sourceYX).Routes() },
		`{"code":416,"desc":"frequency control"}`, 3)
	src := apitest.NewYunxin(t, loadURL, "mig-yx-key", "mig-yx-secret")
	users := []string{"ann", "bob", "cy", "u0", "u1", "u2", "u3", "u4"}
	for _, u := range users {
		apitest.WantYunxin(t, "create "+u, src.Post("/user/create.action", "accid", u), 200)
	}
	apitest.WantYunxin(t, "ann adds bob", src.Post("/friend/add.action", "accid", "ann", "faccid", "bob", "type", "1"), 200)
	apitest.WantYunxin(t, "ann's bob", src.Post("/friend/update.action", "accid", "ann", "faccid", "bob", "alias", "Bobby", "ex", "e", "serverex", "s"), 200)
	apitest.WantYunxin(t, "ann adds cy", src.Post("/friend/add.action", "accid", "ann", "faccid", "cy", "type", "1"), 200)
	apitest.WantYunxin(t, "cy deletes ann: one way", src.Post("/friend/delete.action", "accid", "cy", "faccid", "ann"), 200)
	apitest.WantYunxin(t, "ann blacklists u1", src.Post("/user/setSpecialRelation.action", "accid", "ann", "targetAcc", "u1", "relationType", "1", "value", "1"), 200)
	apitest.WantYunxin(t, "ann mutes u2", src.Post("/user/setSpecialRelation.action", "accid", "ann", "targetAcc", "u2", "relationType", "2", "value", "1"), 200)
	s := startService(t, migrateConfig, "")
	args := []string{"--vendor", "yunxin", "--source", url, "--users", usersFile(t, append(users, "ghost")...)}
	out, err := s.migrate(t, append([]string{"copy"}, args...)...)
	if err != nil {
		t.Fatalf("copy: %v\n%s", err, out)
	}
	wantLines(t, out, "ghost: not known at the vendor")
	f.allSeen(t)
	if out, err := s.migrate(t, append([]string{"verify"}, args...)...); err != nil {
		t.Fatalf("verify after the copy: %v\n%s", err, out)
	}
	dst := apitest.NewYunxin(t, s.httpURL, "mig-yx-key", "mig-yx-secret")
	if r := dst.Post("/friend/getByAccid.action", "accid", "ann", "faccid", "bob"); r.Friend.Alias != "Bobby" || r.Friend.Ex != "e" || r.Friend.ServerEx != "s" || !r.Friend.Bidirection {
		t.Errorf("ann's bob in Amity: %+v", r)
	}
	if r := dst.Post("/friend/getByAccid.action", "accid", "cy", "faccid", "ann"); r.Code != 404 {
		t.Errorf("cy's ann in Amity, deleted one way at the vendor: %+v", r)
	}
	if r := dst.Post("/user/listBlackAndMuteList.action", "accid", "ann"); strings.Join(r.BlackList, ",") != "u1" || strings.Join(r.MuteList, ",") != "u2" {
		t.Errorf("ann's lists in Amity: %+v", r)
	}

	apitest.WantYunxin(t, "source alias", src.Post("/friend/update.action", "accid", "ann", "faccid", "bob", "alias", "Robert"), 200)
	apitest.WantYunxin(t, "source mute", src.Post("/user/setSpecialRelation.action", "accid", "ann", "targetAcc", "u4", "relationType", "2", "value", "1"), 200)
	apitest.WantYunxin(t, "amity mute", dst.Post("/user/setSpecialRelation.action", "accid", "ann", "targetAcc", "u0", "relationType", "2", "value", "1"), 200)
	out, err = s.migrate(t, append([]string{"verify"}, args...)...)
	if err == nil {
		t.Error("verify found no difference")
	}
	wantLines(t, out, `ann: friend field "bob" alias: vendor "Robert", amity "Bobby"`, `ann: mute missing "u4"`, `ann: mute extra "u0"`)
	if out, err := s.migrate(t, append([]string{"verify", "--repair"}, args...)...); err != nil {
		t.Fatalf("verify --repair: %v\n%s", err, out)
	}
	if out, err := s.migrate(t, append([]string{"verify"}, args...)...); err != nil {
		t.Errorf("verify after the repair: %v\n%s", err, out)
	}
}

// loadZIM fills a ZIM source with every field ZIM keeps: names, avatars
// and extras, friends with alias, wording, attributes and original create
// times, one-way friends, more than a page of friends and of blocks,
// unicode and punctuation. It returns the users.
func loadZIM(t *testing.T, z *apitest.ZIM) []string {
	t.Helper()
	odd := "x.y z>{|}"
	many := apitest.IDs("u", 130)
	for i := 0; i < len(many); i += 100 {
		apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users(many[i:min(len(many), i+100)]...)), 0)
	}
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("ann", "bob", odd)), 0)
	apitest.WantCode(t, "extra", z.Post("ModifyUserInfo", fi{"UserInfo": []fi{{"UserId": "bob", "UserName": "Bób ✓", "Extra": `{"vip":true}`}}}), 0)
	created := time.Now().Add(-400 * 24 * time.Hour).UnixMilli()
	apitest.WantCode(t, "ann's friends", z.Post("AddFriends", fi{"FromUserId": "ann", "FriendInfos": []fi{
		{"UserId": "bob", "FriendAlias": "Bobby", "Wording": "hi, it's ann", "FriendTime": created,
			"Attributes": []fi{{"Key": "k0", "Value": "met at work"}, {"Key": "k1", "Value": "ü"}}},
		{"UserId": odd, "FriendAlias": "ödd · 名", "FriendTime": created + 1000},
	}}), 0)
	// odd keeps ann one way.
	apitest.WantCode(t, "one way", z.Post("DeleteFriends", fi{"FromUserId": "ann", "UserIds": []string{odd}, "DeleteType": 1}), 0)
	for i := 0; i < 120; i += 20 {
		var items []fi
		for _, u := range many[i : i+20] {
			items = append(items, fi{"UserId": u, "FriendTime": created})
		}
		apitest.WantCode(t, "bob's friends", z.Post("AddFriends", fi{"FromUserId": "bob", "FriendInfos": items}), 0)
	}
	for i := 0; i < 110; i += 10 {
		apitest.WantCode(t, "blocks", z.Post("AddUsersToBlacklist", fi{"FromUserId": odd, "UserIds": many[i : i+10]}), 0)
	}
	return []string{"ann", "bob", odd, "u9"}
}

// TestMigrateSurvivesKill9: a copy killed with SIGKILL at two random points
// and run again ends with exactly the vendor's graph, and the stream holds
// no change recorded twice.
func TestMigrateSurvivesKill9(t *testing.T) {
	t.Parallel()
	url, loadURL, _ := fakeVendor(t, func(d amityhttp.Deps) amityhttp.Table { return tencent.New(d, sourceTC).Routes() },
		`{"ActionStatus":"FAIL","ErrorCode":60007,"ErrorInfo":"API rate limit"}`, 50)
	// Loaded with the plain client: the other scenarios validate the calls.
	src := &tencent.Client{BaseURL: loadURL, SDKAppID: 1400000042, Identifier: "administrator", SecretKey: "mig-key"}
	load := func(path string, body obj) {
		var a struct{ ErrorCode int }
		if err := src.Call(context.Background(), path, body, &a); err != nil || a.ErrorCode != 0 {
			t.Fatalf("%s: %v, ErrorCode %d", path, err, a.ErrorCode)
		}
	}
	users := apitest.IDs("k", 120)
	for i := 0; i < len(users); i += 100 {
		load("/v4/im_open_login_svc/multiaccount_import", apitest.Accounts(users[i:min(len(users), i+100)]...))
	}
	for i, u := range users {
		var items []obj
		for j := 1; j <= 5; j++ {
			items = append(items, obj{"To_Account": users[(i+j*7)%len(users)], "AddSource": "AddSource_Type_Bulk", "Remark": fmt.Sprint("r", j), "AddTime": 1_500_000_000 + j})
		}
		load("/v4/sns/friend_import", obj{"From_Account": u, "AddFriendItem": items})
	}
	s := startService(t, migrateConfig, "")
	list := usersFile(t, users...)
	cfg := filepath.Join(t.TempDir(), "apps.json")
	if err := os.WriteFile(cfg, []byte(migrateConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"migrate", "copy", "--vendor", "tencent", "--source", url, "--users", list, "--config", cfg, "--app", "moving",
		"--nats-url", s.natsURL, "--qps", "200", "--retry-wait", "20ms"}
	for kill := range 2 {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "AMITY_TEST_AS_MAIN=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		// At a random point of the copy: once it has recorded 1 to 100
		// more commits (or finished, if it had fewer left).
		before := s.streamLastSeq(t)
		at := before + 1 + rand.Uint64N(100)
		var err error
		done := false
		testenv.WaitFor(t, 60*time.Second, "the copy's progress", func() bool {
			select {
			case err = <-exited:
				done = true
			default:
			}
			return done || s.streamLastSeq(t) >= at
		})
		if !done {
			_ = cmd.Process.Kill()
			err = <-exited
		}
		t.Logf("kill %d at stream sequence %d: %v", kill, s.streamLastSeq(t), err)
	}
	kept, _ := os.ReadFile(list + ".checkpoint")
	out, err := s.migrate(t, "copy", "--vendor", "tencent", "--source", url, "--users", list, "--checkpoint", list+".checkpoint")
	if err != nil {
		t.Fatalf("the copy run again: %v\n%s", err, out)
	}
	if n, _ := strconv.Atoi(strings.TrimSpace(string(kept))); n > 0 && !strings.Contains(out, fmt.Sprintf("%d done by an earlier run", n)) {
		t.Errorf("the checkpoint kept %d users done, but the last run did not go on from there:\n%s", n, out)
	}
	if out, err := s.migrate(t, "verify", "--vendor", "tencent", "--source", url, "--users", list); err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	noChangeTwice(t, s)
}

// noChangeTwice fails t for each event on s's stream that repeats an
// earlier one: the same type and data.
func noChangeTwice(t *testing.T, s *service) {
	t.Helper()
	st, err := s.jetstream(t).Stream(context.Background(), eventstore.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]uint64{}
	for seq := uint64(1); seq <= s.streamLastSeq(t); seq++ {
		m, err := st.GetMsg(context.Background(), seq)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Events []struct {
				Type string
				Data json.RawMessage
			}
		}
		if err := json.Unmarshal(m.Data, &c); err != nil {
			t.Fatal(err)
		}
		for _, ev := range c.Events {
			key := ev.Type + string(ev.Data)
			if first, ok := seen[key]; ok {
				t.Errorf("commit %d records again what commit %d did: %s %s", seq, first, ev.Type, ev.Data)
			}
			seen[key] = seq
		}
	}
}

// TestMigrateSaysHowFarAndWhatItWaitsFor: in a log, a line of progress
// (users done of all, edges a second, time left) each time, and what a
// read waits for, at most once a second.
func TestMigrateSaysHowFarAndWhatItWaitsFor(t *testing.T) {
	var b bytes.Buffer
	progressLine(&b)(migrate.Progress{Done: 5, Total: 10, Edges: 50, Took: 2 * time.Second})
	waiting := waitingLine(&b)
	waiting("/v4/sns/friend_get", fmt.Errorf("%w: 60007", amityhttp.ErrVendorBusy), 40*time.Millisecond)
	waiting("/v4/sns/friend_get", errors.New("again"), 80*time.Millisecond)
	want := "migrate: 5 of 10 users, 25 edges/s, 2s left\n" +
		"migrate: waiting 40ms to try /v4/sns/friend_get again: the vendor answered the vendor is busy: 60007\n"
	if b.String() != want {
		t.Errorf("printed %q, want %q", b.String(), want)
	}
}

// TestMigrateCatchesChangesDuringTheCopy: changes made at the source while
// a copy runs reach Amity by Tencent's callbacks and by verify --repair;
// the last verify is clean.
func TestMigrateCatchesChangesDuringTheCopy(t *testing.T) {
	t.Parallel()
	url, loadURL, _ := fakeVendor(t, func(d amityhttp.Deps) amityhttp.Table { return tencent.New(d, sourceTC).Routes() },
		`{"ActionStatus":"FAIL","ErrorCode":60007,"ErrorInfo":"API rate limit"}`, 1000)
	src := apitest.NewTencent(t, loadURL, 1400000042, "mig-key")
	users := apitest.IDs("c", 40)
	apitest.WantTC(t, "import", src.Call("/v4/im_open_login_svc/multiaccount_import", apitest.Accounts(users...)), 0)
	for i, u := range users {
		apitest.WantTC(t, "friends", src.Call("/v4/sns/friend_import", obj{"From_Account": u, "AddFriendItem": []obj{
			{"To_Account": users[(i+1)%len(users)], "AddSource": "AddSource_Type_Bulk", "AddTime": 1_500_000_000}}}), 0)
	}
	moving := strings.Replace(migrateConfig, `"zim":{"app_id":4242`, `"migrate":{"source":"`+url+`","callback_token":"cb-token"},"zim":{"app_id":4242`, 1)
	s := startService(t, moving, "")
	list := usersFile(t, users...)
	copied := make(chan error, 1)
	go func() {
		_, err := s.migrate(t, "copy", "--vendor", "tencent", "--source", url, "--users", list, "--qps", "60")
		copied <- err
	}()
	testenv.WaitFor(t, 30*time.Second, "the copy's first changes", func() bool { return s.streamLastSeq(t) > 0 })
	// While it runs: a friend added at both ends, told by a callback; a
	// remark changed, told by none.
	apitest.WantItems(t, "add", src.Call("/v4/sns/friend_add", obj{"From_Account": "c0", "AddFriendItem": []obj{
		{"To_Account": "c20", "Remark": "during", "AddSource": "AddSource_Type_Web"}}}), map[string]int{"c20": 0})
	if status, code := s.tencentCallback(t, "cb-token", obj{"PairList": []obj{{"From_Account": "c0", "To_Account": "c20"}, {"From_Account": "c20", "To_Account": "c0"}}}); status != 200 || code != 0 {
		t.Errorf("the callback: HTTP %d ErrorCode %d", status, code)
	}
	apitest.WantItems(t, "remark", src.Call("/v4/sns/friend_update", obj{"From_Account": "c39", "UpdateItem": []obj{
		{"To_Account": "c0", "SnsItem": []obj{{"Tag": "Tag_SNS_IM_Remark", "Value": "late"}}}}}), map[string]int{"c0": 0})
	if err := <-copied; err != nil {
		t.Fatalf("copy: %v", err)
	}
	if out, err := s.migrate(t, "verify", "--repair", "--vendor", "tencent", "--source", url, "--users", list); err != nil {
		t.Fatalf("verify --repair: %v\n%s", err, out)
	}
	if out, err := s.migrate(t, "verify", "--vendor", "tencent", "--source", url, "--users", list); err != nil {
		t.Errorf("verify after the repair: %v\n%s", err, out)
	}
}
