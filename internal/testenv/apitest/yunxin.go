package apitest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/amity-im/amity/http/yunxin"
)

// YunxinValidator validates Yunxin calls against Amity's description of
// the surface. A request the description refuses must be refused by Amity
// too (a code other than 200).
func YunxinValidator(t testing.TB, baseURL string) *Validator {
	t.Helper()
	v := newValidator(t, baseURL, yunxin.OpenAPI, nil)
	v.refused = func(_ int, body []byte) bool {
		var a struct{ Code int }
		return json.Unmarshal(body, &a) == nil && a.Code != 200
	}
	return v
}

// Yunxin calls the Yunxin surface as one app, each call validated against
// Amity's description of the surface.
type Yunxin struct {
	t testing.TB
	C *yunxin.Client
	V *Validator
}

// NewYunxin calls the Yunxin surface at baseURL as the app of appKey.
func NewYunxin(t testing.TB, baseURL, appKey, appSecret string) *Yunxin {
	t.Helper()
	v := YunxinValidator(t, baseURL)
	return &Yunxin{t: t, V: v, C: &yunxin.Client{BaseURL: baseURL, AppKey: appKey, AppSecret: appSecret, HTTP: &http.Client{Transport: v}}}
}

// YunxinFriend is a friend as the v1 APIs answer it.
type YunxinFriend struct {
	FAccid      string `json:"faccid"`
	CreateTime  int64  `json:"createtime"`
	UpdateTime  int64  `json:"updatetime"`
	Bidirection bool   `json:"bidirection"`
	Alias       string `json:"alias"`
	Ex          string `json:"ex"`
	ServerEx    string `json:"serverex"`
}

// YunxinAnswer is a v1 answer with every field a v1 API answers.
type YunxinAnswer struct {
	Code      int            `json:"code"`
	Desc      string         `json:"desc"`
	Size      int            `json:"size"`
	Friends   []YunxinFriend `json:"friends"`
	Friend    YunxinFriend   `json:"friend"`
	MuteList  []string       `json:"mutelist"`
	BlackList []string       `json:"blacklist"`
	Info      struct {
		Token, Accid, Name string
	} `json:"info"`
}

// Post posts form (pairs of names and values) to a v1 API at path.
func (y *Yunxin) Post(path string, kv ...string) YunxinAnswer {
	y.t.Helper()
	return y.PostCtx(context.Background(), path, kv...)
}

// PostCtx is Post with ctx, which may mark a gap of the description.
func (y *Yunxin) PostCtx(ctx context.Context, path string, kv ...string) YunxinAnswer {
	y.t.Helper()
	f := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	var a YunxinAnswer
	if err := y.C.V1(ctx, path, f, &a); err != nil {
		y.t.Fatal(err)
	}
	return a
}

// V2 calls a v2 API and decodes its data into data (unless nil).
func (y *Yunxin) V2(method, path string, q url.Values, body, data any) yunxin.V2Answer {
	y.t.Helper()
	var a yunxin.V2Answer
	if err := y.C.V2(context.Background(), method, path, q, body, &a); err != nil {
		y.t.Fatal(err)
	}
	if data != nil && a.Code == 200 {
		if err := json.Unmarshal(a.Data, data); err != nil {
			y.t.Fatalf("%s %s data %s: %v", method, path, a.Data, err)
		}
	}
	return a
}

// WantYunxin fails t unless the v1 answer r has code.
func WantYunxin(t testing.TB, what string, r YunxinAnswer, code int) {
	t.Helper()
	if r.Code != code {
		t.Errorf("%s: code %d (%s), want %d", what, r.Code, r.Desc, code)
	}
}

// WantV2 fails t unless the v2 answer r has code.
func WantV2(t testing.TB, what string, r yunxin.V2Answer, code int) {
	t.Helper()
	if r.Code != code {
		t.Errorf("%s: code %d (%s), want %d", what, r.Code, r.Msg, code)
	}
}
