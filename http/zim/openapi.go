package zim

import (
	_ "embed"
	"net/http"
	"net/url"
	"strings"
)

// OpenAPI is the OpenAPI 3 description of the ZIM surface, served at
// /openapi/zim.yaml. It describes each action at /zim/<Action> (see
// ActionPaths); the tests validate the ZIM scenarios against it.
//
//go:embed openapi.yaml
var OpenAPI []byte

// ActionPaths serves each action at /zim/<Action> as at /?Action=<Action>
// (the path names the action; the query carries the signature): the form
// OpenAPI tooling can describe, since it cannot tell operations apart by a
// query value.
func (s *Server) ActionPaths() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = "/"
		u.RawQuery = "Action=" + url.QueryEscape(strings.TrimPrefix(r.URL.Path, "/zim/"))
		if r.URL.RawQuery != "" {
			u.RawQuery += "&" + r.URL.RawQuery
		}
		r2.URL = &u
		s.ServeHTTP(w, r2)
	})
}
