package tencent_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/internal/testenv"
)

// TestBlocklistCapUnderConcurrentBlockers has 20 clients fill one user's
// blocklist at once: exactly 1000 blocks are taken, the other 200 are
// refused with 30013, and the list holds the 1000.
func TestBlocklistCapUnderConcurrentBlockers(t *testing.T) {
	core := testenv.Start(t)
	srv := httptest.NewServer(tencent.New(core.Deps(), tcApp).Routes().Handler())
	defer srv.Close()
	tc := &tencent.Client{BaseURL: srv.URL, SDKAppID: 1400000002, Identifier: "administrator", UserSig: officialSig(t, 1400000002, "tc-key", "administrator")}
	targets := make([]string, 1200)
	for i := range targets {
		targets[i] = fmt.Sprintf("b%04d", i)
	}
	for i := 0; i < len(targets); i += 100 {
		if r := tcCall(t, tc, "/v4/im_open_login_svc/multiaccount_import", map[string]any{"Accounts": targets[i : i+100]}); r.ErrorCode != 0 {
			t.Fatalf("import: %+v", r)
		}
	}
	if r := tcCall(t, tc, "/v4/im_open_login_svc/multiaccount_import", map[string]any{"Accounts": []string{"hub"}}); r.ErrorCode != 0 {
		t.Fatalf("import hub: %+v", r)
	}
	var ok, full, other atomic.Int64
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := targets[g*60 : (g+1)*60]
			for i := 0; i < len(mine); i += 10 {
				var r struct {
					ResultItem []struct{ ResultCode int }
				}
				if err := tc.Call(context.Background(), "/v4/sns/black_list_add", map[string]any{"From_Account": "hub", "To_Account": mine[i : i+10]}, &r); err != nil {
					t.Error(err)
					return
				}
				for _, it := range r.ResultItem {
					switch it.ResultCode {
					case 0:
						ok.Add(1)
					case 30013:
						full.Add(1)
					default:
						other.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	var page struct {
		BlackListItem []struct{ To_Account string } //nolint:revive // the wire name
		StartIndex    int
	}
	if err := tc.Call(context.Background(), "/v4/sns/black_list_get", map[string]any{"From_Account": "hub", "StartIndex": 0, "MaxLimited": 1000, "LastSequence": 0}, &page); err != nil {
		t.Fatal(err)
	}
	if ok.Load() != 1000 || full.Load() != 200 || other.Load() != 0 || len(page.BlackListItem) != 1000 || page.StartIndex != 0 {
		t.Errorf("%d blocked, %d refused with 30013, %d other; blocklist holds %d (next %d); want 1000, 200, 0, 1000, 0",
			ok.Load(), full.Load(), other.Load(), len(page.BlackListItem), page.StartIndex)
	}
}
