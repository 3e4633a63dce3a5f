package tencent_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/internal/retry"
	"github.com/amity-im/amity/internal/testenv/apitest"
)

func source(base string, app *tencent.App) *tencent.Source {
	return &tencent.Source{App: app, Reads: amityhttp.VendorReads{Backoff: retry.Backoff{First: 1, Attempts: 3}},
		Client: &tencent.Client{BaseURL: base, SDKAppID: app.SDKAppID, Identifier: "administrator", SecretKey: app.SecretKey}}
}

// TestSourceReadsAUsersGraph: the migration's reader gets every field
// friend_get answers, the blocklist, the groups and the profile back from
// a Tencent surface, and a user Tencent does not know as unknown.
func TestSourceReadsAUsersGraph(t *testing.T) {
	base := serveBoth(t)
	tc := apitest.NewTencent(t, base, 1400000002, "tc-key")
	apitest.WantTC(t, "import", tc.Call("/v4/im_open_login_svc/multiaccount_import", apitest.Accounts("ann", "bob", "cat")), 0)
	ints := apitest.WithRequestGap(context.Background(), "CustomItem integer value: the description types Value as string")
	apitest.WantTC(t, "friend", tc.CallCtx(ints, "/v4/sns/friend_import", apitest.Obj{"From_Account": "ann", "AddFriendItem": []apitest.Obj{
		{"To_Account": "bob", "Remark": "B", "AddSource": "AddSource_Type_Web", "AddTime": 1_500_000_000, "GroupName": []string{"g"},
			"CustomItem": []apitest.Obj{{"Tag": "Tag_SNS_Custom_Note", "Value": "n"}, {"Tag": "Tag_SNS_Custom_Level", "Value": 3}}}}}), 0)
	apitest.WantTC(t, "block", tc.Call("/v4/sns/black_list_add", apitest.Obj{"From_Account": "ann", "To_Account": []string{"cat"}}), 0)
	g, err := source(base, bothTC).Read(context.Background(), "ann")
	if err != nil {
		t.Fatal(err)
	}
	e := g.Friends["bob"]
	if !g.Known || e.Alias != "B" || e.CreateTime != 1_500_000_000_000 || e.Attributes["k0"] != "n" || e.Custom["Tag_SNS_Custom_Level"].Int != 3 ||
		len(g.Groups) != 1 || g.Groups[0] != "g" || g.Blocks["cat"] == 0 || g.Profile.AllowType != "AllowType_Type_AllowAny" {
		t.Errorf("ann's graph = %+v", g)
	}
	if g, err := source(base, bothTC).Read(context.Background(), "ghost"); err != nil || g.Known {
		t.Errorf("an unknown user: %+v, %v", g, err)
	}
	// A field the app does not declare is one Amity cannot hold: the read
	// fails, naming it.
	undeclared := *bothTC
	undeclared.CustomFields = []string{"Tag_SNS_Custom_Note"}
	if _, err := source(base, &undeclared).Read(context.Background(), "ann"); err == nil || !strings.Contains(err.Error(), "Tag_SNS_Custom_Level") {
		t.Errorf("a custom field not declared: %v", err)
	}
}

// TestSourceTriesAgainOnlyWhatMayPass: a busy code is tried again; a
// malformed answer and a refusal are final, at once.
func TestSourceTriesAgainOnlyWhatMayPass(t *testing.T) {
	for _, c := range []struct {
		name, answer string
		calls        int64
		final        error
	}{
		{"busy", `{"ActionStatus":"FAIL","ErrorCode":60007,"ErrorInfo":"limit"}`, 3, amityhttp.ErrVendorBusy},
		{"malformed", `{"ActionStatus":"OK","ErrorCode":0,"UserProfileItem":"x"}`, 1, amityhttp.ErrBadAnswer},
		{"refused", `{"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"usersig expired"}`, 1, amityhttp.ErrVendorRefused},
	} {
		var calls atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			calls.Add(1)
			_, _ = w.Write([]byte(c.answer))
		}))
		_, err := source(srv.URL, bothTC).Read(context.Background(), "ann")
		srv.Close()
		if !errors.Is(err, c.final) || calls.Load() != c.calls {
			t.Errorf("%s: %v after %d calls, want %v after %d", c.name, err, calls.Load(), c.final, c.calls)
		}
	}
}
