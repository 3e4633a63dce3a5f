package migrate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/migrate"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/internal/retry"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
)

func tencentApp(name string) *tencent.App {
	return &tencent.App{App: &domain.App{Name: name}, SDKAppID: 1400000077, SecretKey: "key", Admins: []string{"administrator"},
		QPS: 1_000_000, Follow: true}
}

// moving is an app moving from a Tencent source (an Amity core serving
// Tencent's surface) into a destination core, taking callbacks at url.
type moving struct {
	src    *apitest.Tencent
	dst    *testenv.Core
	syncer *migrate.Syncer
	url    string
}

func startMoving(t *testing.T, sourceURL func(string) string) *moving {
	t.Helper()
	srcCore := testenv.Start(t)
	srcSrv := httptest.NewServer(tencent.New(srcCore.Deps(), tencentApp("vendor")).Routes().Handler())
	t.Cleanup(srcSrv.Close)
	dst, app := testenv.Start(t), tencentApp("moving")
	client := &tencent.Client{BaseURL: sourceURL(srcSrv.URL), SDKAppID: app.SDKAppID, Identifier: "administrator", SecretKey: "key"}
	syncer := &migrate.Syncer{App: app.App, Writer: dst.Writer, Amity: migrate.ModelView{Model: dst.Model}, NewID: dst.NewID,
		Source: &tencent.Source{Client: client, App: app, Reads: amityhttp.VendorReads{Backoff: retry.Backoff{First: time.Millisecond, Attempts: 2}}}}
	cb := httptest.NewServer(migrate.Routes(migrate.Config{Tencent: []*migrate.TencentApp{{SDKAppID: app.SDKAppID, Token: "tok", Syncer: syncer}}}).Handler())
	t.Cleanup(cb.Close)
	return &moving{src: apitest.NewTencent(t, srcSrv.URL, 1400000077, "key"), dst: dst, syncer: syncer, url: cb.URL + migrate.CallbackPath}
}

type ack struct {
	ActionStatus string
	ErrorCode    int
	ErrorInfo    string
}

// callback posts a callback of command with body, signed at at with
// token, and returns the HTTP status and the ack.
func (m *moving) callback(t *testing.T, sdkappid, command, token string, at time.Time, body any) (int, ack) {
	t.Helper()
	ts := strconv.FormatInt(at.Unix(), 10)
	q := url.Values{"SdkAppid": {sdkappid}, "CallbackCommand": {command}, "contenttype": {"json"}, "RequestTime": {ts},
		"Sign": {tencent.SignCallback(token, ts)}}
	b, _ := json.Marshal(body)
	resp, err := http.Post(m.url+"?"+q.Encode(), "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a ack
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, a
}

// inStep fails t unless Amity holds what the source holds for users.
func (m *moving) inStep(t *testing.T, users ...string) {
	t.Helper()
	for _, u := range users {
		out, err := m.syncer.Sync(context.Background(), u, migrate.Verify)
		if err != nil || len(out.Differences) > 0 {
			t.Errorf("%s: %v %v", u, out.Differences, err)
		}
	}
}

// TestCallbacksKeepAmityInStep is one scenario, told in order: each
// relationship-chain callback brings the users it names into step with
// the source, reading the fields it does not carry; forged, stale and
// foreign callbacks are refused and change nothing.
func TestCallbacksKeepAmityInStep(t *testing.T) {
	m := startMoving(t, func(u string) string { return u })
	const app = "1400000077"
	now := time.Now()
	apitest.WantTC(t, "import", m.src.Call("/v4/im_open_login_svc/multiaccount_import", apitest.Accounts("ann", "bob", "cat")), 0)
	apitest.WantItems(t, "add", m.src.Call("/v4/sns/friend_add", apitest.Obj{"From_Account": "ann", "AddFriendItem": []apitest.Obj{
		{"To_Account": "bob", "Remark": "Bobby", "AddSource": "AddSource_Type_Web", "AddWording": "hi"}}}), map[string]int{"bob": 0})
	pairs := apitest.Obj{"PairList": []apitest.Obj{{"From_Account": "ann", "To_Account": "bob"}, {"From_Account": "bob", "To_Account": "ann"}}}

	before := m.dst.LastSeq()
	for _, c := range []struct {
		name, app, token string
		at               time.Time
		status           int
	}{
		{"forged", app, "not the token", now, http.StatusForbidden},
		{"stale", app, "tok", now.Add(-migrate.CallbackWindow - time.Minute), http.StatusForbidden},
		{"another app's", "1400000099", "tok", now, http.StatusNotFound},
	} {
		if status, a := m.callback(t, c.app, tencent.CmdFriendAdd, c.token, c.at, pairs); status != c.status || a.ErrorCode != 1 {
			t.Errorf("a %s callback: HTTP %d %+v, want %d and ErrorCode 1", c.name, status, a, c.status)
		}
	}
	if m.dst.LastSeq() != before {
		t.Fatal("a refused callback changed Amity")
	}

	if status, a := m.callback(t, app, tencent.CmdFriendAdd, "tok", now, pairs); status != 200 || a.ErrorCode != 0 {
		t.Fatalf("friend add callback: HTTP %d %+v", status, a)
	}
	if e, ok := m.dst.Model.Entry("moving", "ann", "bob"); !ok || e.Alias != "Bobby" || e.Wording != "hi" || e.AddSource != "AddSource_Type_Web" {
		t.Errorf("ann's entry for bob = %+v (%v)", e, ok)
	}
	m.inStep(t, "ann", "bob")

	apitest.WantItems(t, "block", m.src.Call("/v4/sns/black_list_add", apitest.Obj{"From_Account": "bob", "To_Account": []string{"cat"}}), map[string]int{"cat": 0})
	apitest.WantItems(t, "follow", m.src.Call("/v4/follow/follow_add", apitest.Obj{"From_Account": "cat", "FollowItem": []apitest.Obj{{"To_Account": "ann"}}}), map[string]int{"ann": 0})
	for cmd, body := range map[string]any{
		tencent.CmdBlackListAdd: apitest.Obj{"PairList": []apitest.Obj{{"From_Account": "bob", "To_Account": "cat"}}},
		tencent.CmdFollowAdd:    apitest.Obj{"From_Account": "cat", "FollowList": []apitest.Obj{{"To_Account": "ann"}}},
	} {
		if status, a := m.callback(t, app, cmd, "tok", now, body); status != 200 || a.ErrorCode != 0 {
			t.Errorf("%s: HTTP %d %+v", cmd, status, a)
		}
	}
	m.inStep(t, "ann", "bob", "cat")
}

// TestACallbackThatCannotBeReadChangesNothing: with the source out of
// reach, a callback is answered ErrorCode 1 (Tencent sends it again) and
// Amity is left as it was.
func TestACallbackThatCannotBeReadChangesNothing(t *testing.T) {
	m := startMoving(t, func(string) string { return "http://127.0.0.1:1" })
	before := m.dst.LastSeq()
	body := apitest.Obj{"PairList": []apitest.Obj{{"From_Account": "ann", "To_Account": "bob"}}}
	if status, a := m.callback(t, "1400000077", tencent.CmdFriendDelete, "tok", time.Now(), body); status != 200 || a.ErrorCode != 1 {
		t.Errorf("HTTP %d %+v, want ErrorCode 1", status, a)
	}
	if m.dst.LastSeq() != before {
		t.Error("a callback that could not be read changed Amity")
	}
}
