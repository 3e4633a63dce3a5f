package yunxin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/yunxin"
	"github.com/amity-im/amity/internal/testenv/apitest"
)

// raw sends a request as given, headers and all, and returns the answer's
// HTTP status and code.
func raw(t *testing.T, method, url, contentType, body string, h http.Header) (int, int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		req.Body, req.ContentLength = nil, 0
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var a struct{ Code int }
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, url, b)
	}
	return resp.StatusCode, a.Code, string(b)
}

// signed is the four headers of a call signed now with nonce, under the
// names given (HTTP names are case-insensitive).
func signed(key, secret, nonce string, at time.Time, names ...string) http.Header {
	if len(names) == 0 {
		names = []string{"AppKey", "Nonce", "CurTime", "CheckSum"}
	}
	cur := fmt.Sprint(at.Unix())
	h := http.Header{}
	for i, v := range []string{key, nonce, cur, yunxin.CheckSum(secret, nonce, cur)} {
		h[names[i]] = []string{v}
	}
	return h
}

// TestCheckSumHeaders: a call is taken with the four headers right, in any
// case of their names; refused 414 with one missing or wrong, a CurTime
// over 5 minutes away, an unknown AppKey or a Nonce over 128 characters;
// refused 431 when the same Nonce and CurTime come again.
func TestCheckSumHeaders(t *testing.T) {
	t.Parallel()
	demo, _, _ := apps()
	_, base := surface(t, demo)
	form := "application/x-www-form-urlencoded;charset=UTF-8"
	list := base + "/nimserver/user/listBlackAndMuteList.action"
	now := time.Now()
	y := apitest.NewYunxin(t, base, "demo-key", "demo-secret")
	apitest.WantYunxin(t, "create", y.Post("/user/create.action", "accid", "alice"), 200)
	for _, c := range []struct {
		name string
		h    http.Header
		want int
	}{
		{"canonical names", signed("demo-key", "demo-secret", "n1", now), 200},
		{"lower-case names", signed("demo-key", "demo-secret", "n2", now, "appkey", "nonce", "curtime", "checksum"), 200},
		{"the SDK's names", signed("demo-key", "demo-secret", "n3", now, "Appkey", "Nonce", "Curtime", "Checksum"), 200},
		{"replayed", signed("demo-key", "demo-secret", "n1", now), 431},
		{"the nonce again, another time", signed("demo-key", "demo-secret", "n1", now.Add(-time.Second)), 200},
		{"stale", signed("demo-key", "demo-secret", "n4", now.Add(-6*time.Minute)), 414},
		{"ahead", signed("demo-key", "demo-secret", "n5", now.Add(6*time.Minute)), 414},
		{"wrong secret", signed("demo-key", "not-the-secret", "n6", now), 414},
		{"unknown key", signed("nobody", "demo-secret", "n7", now), 414},
		{"a nonce of 129", signed("demo-key", "demo-secret", strings.Repeat("n", 129), now), 414},
		{"a nonce of 128", signed("demo-key", "demo-secret", strings.Repeat("n", 128), now), 200},
		{"no headers", http.Header{}, 414},
	} {
		status, code, body := raw(t, http.MethodPost, list, form, "accid=alice", c.h)
		if status != 200 || code != c.want {
			t.Errorf("%s: HTTP %d code %d, want 200 and %d: %s", c.name, status, code, c.want, body)
		}
	}
	h := signed("demo-key", "demo-secret", "n8", now)
	delete(h, "CheckSum")
	if _, code, _ := raw(t, http.MethodPost, list, form, "accid=alice", h); code != 414 {
		t.Errorf("no CheckSum: code %d", code)
	}
	// A wrong method and an API Amity does not serve answer in Yunxin's
	// format, after the CheckSum.
	if status, code, _ := raw(t, http.MethodGet, list, "", "", signed("demo-key", "demo-secret", "n9", now)); status != 200 || code != 414 {
		t.Errorf("GET of a POST API: HTTP %d code %d", status, code)
	}
	if status, code, _ := raw(t, http.MethodPost, base+"/nimserver/team/create.action", form, "x=1", signed("demo-key", "demo-secret", "n10", now)); status != 200 || code != 404 {
		t.Errorf("an API not served: HTTP %d code %d", status, code)
	}
	if status, code, _ := raw(t, http.MethodGet, base+"/nimserver/health/liveness.action", "", "", nil); status != 200 || code != 200 {
		t.Errorf("the health probe: HTTP %d code %d", status, code)
	}
}

// TestRequestsShapedAsTheOfficialSDKSendsThem: the form bodies, headers
// (RequestId, X-Custom-Traceid, the SDK's User-Agent) and the v2 GET with
// no body and no Content-Type, byte for byte as the official Go SDK sends
// them (spec section 12).
func TestRequestsShapedAsTheOfficialSDKSendsThem(t *testing.T) {
	t.Parallel()
	demo, _, _ := apps()
	_, base := surface(t, demo)
	form := "application/x-www-form-urlencoded;charset=UTF-8"
	n := 0
	sdk := func(v2 bool) http.Header {
		n++
		h := signed("demo-key", "demo-secret", fmt.Sprintf("%032x", n), time.Now(), "Appkey", "Nonce", "Curtime", "Checksum")
		h.Set("User-Agent", "yunxin-server-sdk-golang/1.0.0")
		if v2 {
			h.Set("X-Custom-Traceid", fmt.Sprintf("trace-%d", n))
		} else {
			h.Set("Requestid", fmt.Sprintf("req-%d", n))
		}
		return h
	}
	for _, c := range []struct{ method, path, ct, body string }{
		{"POST", "/user/create.action", form, "accid=alice"},
		{"POST", "/user/create.action", form, "accid=bob"},
		{"POST", "/friend/add.action", form, "accid=alice&faccid=bob&type=1&msg=hi"},
		{"POST", "/friend/get.action", form, "accid=alice&updatetime=0"},
		{"POST", "/friend/getByAccid.action", form, "accid=alice&faccid=bob"},
		{"POST", "/friend/update.action", form, "accid=alice&faccid=bob&alias=B"},
		{"POST", "/user/setSpecialRelation.action", form, "value=1&accid=alice&targetAcc=bob&relationType=1"},
		{"POST", "/user/listBlackAndMuteList.action", form, "accid=alice"},
		{"GET", "/im/v2.1/friends?account_id=alice&limit=50", "", ""},
		{"POST", "/im/v2.1/friends", "application/json;charset=UTF-8", `{"account_id":"bob","friend_account_id":"alice","type":1}`},
		{"POST", "/friend/delete.action", form, "accid=alice&faccid=bob&isDeleteAlias=true"},
	} {
		status, code, body := raw(t, c.method, base+c.path, c.ct, c.body, sdk(strings.HasPrefix(c.path, "/im/")))
		if status != 200 || code != 200 {
			t.Errorf("%s %s %s: HTTP %d code %d: %s", c.method, c.path, c.body, status, code, body)
		}
	}
}

// TestCapsHoldUnderConcurrency: many callers at once cannot pass the
// friend cap, the blacklist cap or the mute cap of one account; and an
// app's rate answers 416 past it.
func TestCapsHoldUnderConcurrency(t *testing.T) {
	t.Parallel()
	capped := &yunxin.App{App: &domain.App{Name: "capped", MaxFriends: 5, MaxBlocked: 5}, AppKey: "capped-key", AppSecret: "capped-secret", QPS: 1_000_000}
	_, _, slow := apps()
	core, base := surface(t, capped, slow)
	y := apitest.NewYunxin(t, base, "capped-key", "capped-secret")
	// Accounts straight through the core: the mute cap needs thousands.
	users := []domain.Command{domain.RegisterUser{User: "hub"}}
	for i := range domain.MaxMuted + 20 {
		users = append(users, domain.RegisterUser{User: fmt.Sprint("u", i)})
	}
	for i := 0; i < len(users); i += 500 {
		for _, r := range core.Writer.Execute(context.Background(), capped.App, domain.Meta{}, users[i:min(i+500, len(users))]...) {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
		}
	}
	var mutes []domain.Command
	for i := range domain.MaxMuted - 10 {
		mutes = append(mutes, domain.MuteUser{User: "hub", Target: fmt.Sprint("u", i)})
	}
	for i := 0; i < len(mutes); i += 500 {
		core.Writer.Execute(context.Background(), capped.App, domain.Meta{}, mutes[i:min(i+500, len(mutes))]...)
	}
	counts := func(path string, form func(i int) []string, n int) map[int]int {
		var mu sync.Mutex
		got := map[int]int{}
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				r := y.Post(path, form(i)...)
				mu.Lock()
				got[r.Code]++
				mu.Unlock()
			})
		}
		wg.Wait()
		return got
	}
	base0 := domain.MaxMuted
	if got := counts("/friend/add.action", func(i int) []string { return []string{"accid", "hub", "faccid", fmt.Sprint("u", base0+i), "type", "1"} }, 20); got[200] != 5 || got[419] != 15 {
		t.Errorf("20 adds at once to a cap of 5: %v", got)
	}
	if got := counts("/user/setSpecialRelation.action", func(i int) []string {
		return []string{"accid", "u1", "targetAcc", fmt.Sprint("u", base0+i), "relationType", "1", "value", "1"}
	}, 20); got[200] != 5 || got[419] != 15 {
		t.Errorf("20 blacklistings at once to a cap of 5: %v", got)
	}
	if got := counts("/user/setSpecialRelation.action", func(i int) []string {
		return []string{"accid", "hub", "targetAcc", fmt.Sprint("u", base0+i), "relationType", "2", "value", "1"}
	}, 20); got[200] != 10 || got[419] != 10 {
		t.Errorf("20 mutes at once with room for 10: %v", got)
	}
	if n := len(y.Post("/user/listBlackAndMuteList.action", "accid", "hub").MuteList); n != domain.MaxMuted {
		t.Errorf("hub mutes %d users, want the cap, %d", n, domain.MaxMuted)
	}

	s := apitest.NewYunxin(t, base, "slow-key", "slow-secret")
	codes := map[int]int{}
	for range 5 {
		codes[s.Post("/user/listBlackAndMuteList.action", "accid", "nobody").Code]++
	}
	if codes[416] == 0 {
		t.Errorf("5 calls at once at 2 a second: %v, want some 416", codes)
	}
}
