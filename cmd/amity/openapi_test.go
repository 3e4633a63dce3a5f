package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/zim"
	"github.com/getkin/kin-openapi/openapi3"
)

const tencentOpenAPI = "../../http/tencent/openapi.yaml"

// TestOpenAPIIsServed: each surface's description is served as kept in
// the repository but for its first server, which is the address it was
// asked at; it loads as OpenAPI, and the ZIM one's action paths are
// served.
func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	s := startService(t, testConfig, "")
	for name, file := range map[string]string{"zim": "../../http/zim/openapi.yaml", "v1": "../../http/native/openapi.yaml", "tencent": tencentOpenAPI,
		"yunxin": "../../http/yunxin/openapi.yaml"} {
		resp, err := http.Get(s.httpURL + "/openapi/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		kept, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Errorf("/openapi/%s.yaml: HTTP %d", name, resp.StatusCode)
		}
		served, err := openapi3.NewLoader().LoadFromData(got)
		if err != nil {
			t.Fatalf("/openapi/%s.yaml does not load: %v", name, err)
		}
		want, err := openapi3.NewLoader().LoadFromData(kept)
		if err != nil {
			t.Fatal(err)
		}
		// Served as kept, but that its first server is this instance, at
		// the address the request reached (not the default port).
		if len(served.Servers) == 0 || served.Servers[0].URL != s.httpURL {
			t.Errorf("/openapi/%s.yaml names %v as its server, want %s first", name, served.Servers, s.httpURL)
		}
		for _, sv := range served.Servers {
			if sv.URL == "http://127.0.0.1:8080" {
				t.Errorf("/openapi/%s.yaml still names the default address", name)
			}
		}
		if name == "tencent" && (len(served.Servers) != 2 || served.Servers[1].URL != "https://console.tim.qq.com") {
			t.Errorf("/openapi/tencent.yaml lost Tencent's own server: %v", served.Servers)
		}
		served.Servers, want.Servers = nil, nil
		a, _ := served.MarshalJSON()
		b, _ := want.MarshalJSON()
		if !bytes.Equal(a, b) {
			t.Errorf("/openapi/%s.yaml differs from %s in more than its servers", name, file)
		}
	}
	// The stream's contract, for clients in any language.
	resp, err := http.Get(s.httpURL + "/asyncapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if kept, _ := os.ReadFile("../../client/asyncapi.yaml"); resp.StatusCode != 200 || !bytes.Equal(got, kept) {
		t.Errorf("/asyncapi.yaml: HTTP %d, %d bytes, want client/asyncapi.yaml's %d", resp.StatusCode, len(got), len(kept))
	}
	z := s.zim(t, 1234567, "demo-secret")
	var r zim.Answer
	q := zim.SignedQuery("", 1234567, "demo-secret", "alias-nonce", time.Now())
	q.Del("Action")
	if err := amityhttp.DoJSON(context.Background(), nil, http.MethodPost, s.httpURL+"/zim/UserRegister?"+q.Encode(),
		map[string]any{"UserInfo": []map[string]string{{"UserId": "via-path"}}}, &r); err != nil || r.Code != 0 {
		t.Errorf("POST /zim/UserRegister: %+v, %v", r, err)
	}
	if r := z.Post("QueryUserInfos", map[string]any{"UserIds": []string{"via-path"}}); len(r.Result) != 1 {
		t.Errorf("the user registered through /zim/UserRegister is not there: %+v", r)
	}
}
