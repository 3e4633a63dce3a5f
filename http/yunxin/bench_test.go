package yunxin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/yunxin"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
)

// BenchmarkGetByAccid answers friend/getByAccid.action in process, its
// CheckSum checked, over 1000 users each with a friend: the server's own
// cost of Yunxin's one-pair read, beside ZIM's BenchmarkCheckOne.
func BenchmarkGetByAccid(b *testing.B) {
	demo, _, _ := apps()
	core := testenv.Start(b)
	h := yunxin.New(core.Deps(), demo).Routes().Handler()
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	y := apitest.NewYunxin(b, srv.URL, "demo-key", "demo-secret")
	const n = 1000
	for i := range n {
		y.Post("/user/create.action", "accid", fmt.Sprint("u", i))
	}
	for i := range n {
		y.Post("/friend/add.action", "accid", fmt.Sprint("u", i), "faccid", fmt.Sprint("u", (i+1)%n), "type", "1")
	}
	now := time.Now()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		form := url.Values{"accid": {fmt.Sprint("u", i%n)}, "faccid": {fmt.Sprint("u", (i+1)%n)}}.Encode()
		req := httptest.NewRequest(http.MethodPost, "/nimserver/friend/getByAccid.action", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
		yunxin.Sign(req.Header, "demo-key", "demo-secret", fmt.Sprintf("n%d", i), now)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if !strings.Contains(w.Body.String(), `"code":200`) {
			b.Fatalf("%s", w.Body)
		}
		i++
	}
}

// BenchmarkZIMCheckOne is ZIM's one-pair read, CheckFriendsRelation of one
// user, on the same users and friendships: what BenchmarkGetByAccid is
// held beside.
func BenchmarkZIMCheckOne(b *testing.B) {
	core := testenv.Start(b)
	app := &zim.App{App: &domain.App{Name: "demo"}, AppID: 1234567, ServerSecret: "demo-secret", QPS: 1_000_000}
	h := zim.New(core.Deps(), app).Routes().Handler()
	const n = 1000
	var cmds []domain.Command
	for i := range n {
		cmds = append(cmds, domain.RegisterUser{User: fmt.Sprint("u", i)})
	}
	for i := range n {
		cmds = append(cmds, domain.AddFriend{User: fmt.Sprint("u", i), Friend: fmt.Sprint("u", (i+1)%n), Reverse: &domain.Entry{}})
	}
	for _, r := range core.Writer.Execute(context.Background(), app.App, domain.Meta{}, cmds...) {
		if r.Err != nil {
			b.Fatal(r.Err)
		}
	}
	now := time.Now()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		body := fmt.Sprintf(`{"FromUserId":"u%d","UserIds":["u%d"],"CheckType":1}`, i%n, (i+1)%n)
		q := zim.SignedQuery("CheckFriendsRelation", 1234567, "demo-secret", fmt.Sprintf("n%d", i), now)
		req := httptest.NewRequest(http.MethodPost, "/?"+q.Encode(), strings.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if !strings.Contains(w.Body.String(), `"Code":0`) {
			b.Fatalf("%s", w.Body)
		}
		i++
	}
}
