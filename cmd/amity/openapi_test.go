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
// the repository, loads as OpenAPI, and the ZIM one's action paths are
// served.
func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	s := startService(t, testConfig, "")
	for name, file := range map[string]string{"zim": "../../http/zim/openapi.yaml", "v1": "../../http/native/openapi.yaml", "tencent": tencentOpenAPI} {
		resp, err := http.Get(s.httpURL + "/openapi/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || !bytes.Equal(got, want) {
			t.Errorf("/openapi/%s.yaml: HTTP %d, %d bytes, want %s's %d", name, resp.StatusCode, len(got), file, len(want))
		}
		if _, err := openapi3.NewLoader().LoadFromData(got); err != nil {
			t.Errorf("/openapi/%s.yaml does not load: %v", name, err)
		}
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
