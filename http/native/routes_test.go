package native

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	amityhttp "github.com/amity-im/amity/http"
)

// TestUnknownRoutesAnswerJSON: /v1 answers a path it does not know and a
// method a route does not take with the JSON error every /v1 error has.
func TestUnknownRoutesAnswerJSON(t *testing.T) {
	r := amityhttp.NewHandler(Routes(Config{Now: time.Now}))
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{http.MethodGet, "/v1/nothing", http.StatusNotFound, "not_found"},
		{http.MethodPost, "/v1/friends", http.StatusMethodNotAllowed, "method_not_allowed"},
		{http.MethodGet, "/v1/friends", http.StatusUnauthorized, "unauthorized"},
	} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		var body struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != tc.status || body.Error.Code != tc.code ||
			rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s %s = %d %q (%v), want %d with error code %s", tc.method, tc.path, rec.Code, rec.Body, err, tc.status, tc.code)
		}
	}
}
