package yunxin

import (
	"net/http"

	amityhttp "github.com/amity-im/amity/http"
)

// V1Prefix is where the v1 form API is served, as at the bare path: a
// client may point at Amity with Yunxin's base URL's path or without it.
const V1Prefix = "/nimserver"

// V2Prefixes are where the v2 JSON API is served: the docs' prefix, the
// official SDK's, and both below V1Prefix.
var V2Prefixes = []string{"/im/v2", "/im/v2.1", V1Prefix + "/im/v2", V1Prefix + "/im/v2.1"}

// v1API is one v1 API: its path, which is also its name.
type v1API struct {
	path   string
	handle amityhttp.Handler[App, response]
}

func (s *Server) v1APIs() []v1API {
	return []v1API{
		{"/user/create.action", s.userCreate},
		{"/friend/add.action", s.friendAdd},
		{"/friend/update.action", s.friendUpdate},
		{"/friend/delete.action", s.friendDelete},
		{"/friend/get.action", s.friendGet},
		{"/friend/getByAccid.action", s.friendGetByAccid},
		{"/user/setSpecialRelation.action", s.setSpecialRelation},
		{"/user/listBlackAndMuteList.action", s.listBlackAndMuteList},
	}
}

// v2API is one v2 API: its method and path below a prefix.
type v2API struct {
	method, path string
	handle       amityhttp.Handler[App, any]
}

func (s *Server) v2APIs() []v2API {
	return []v2API{
		{http.MethodPost, "/friends", s.v2Add},
		{http.MethodGet, "/friends", s.v2List},
		{http.MethodGet, "/friends/{account_id}", s.v2Get},
		{http.MethodPatch, "/friends/{account_id}", s.v2Update},
		{http.MethodDelete, "/friends/{account_id}", s.v2Delete},
		{http.MethodPost, "/friends/actions/handle_friend_addition", s.v2Handle},
		{http.MethodPost, "/block_contacts", s.v2Block},
		{http.MethodGet, "/block_contacts", s.v2Blocked},
		{http.MethodDelete, "/block_contacts/{account_id}", s.v2Unblock},
	}
}

// Routes is the Yunxin surface's table: each v1 API (POST) at its path and
// below V1Prefix, each v2 API below every one of V2Prefixes, and the SDK's
// health probe. A call with another method than its API's, or below
// V1Prefix naming no API, is refused in Yunxin's format after its
// CheckSum is checked; every answer is HTTP 200.
func (s *Server) Routes() amityhttp.Table {
	t := amityhttp.Table{Name: "yunxin", NotFoundPrefix: V1Prefix + "/",
		NotFound:    s.v1.Handle(nil, nil),
		WrongMethod: func(rt amityhttp.Route) http.Handler { return rt.Handler }}
	for _, a := range s.v1APIs() {
		for _, path := range []string{V1Prefix + a.path, a.path} {
			rt := amityhttp.Route{Method: http.MethodPost, Path: path, Metric: a.path, Limit: a.path}
			rt.Handler = s.v1.Handle(&rt, a.handle)
			t.Routes = append(t.Routes, rt)
		}
	}
	for _, a := range s.v2APIs() {
		metric := "v2 " + a.method + " " + a.path
		for _, prefix := range V2Prefixes {
			rt := amityhttp.Route{Method: a.method, Path: prefix + a.path, Metric: metric, Limit: metric}
			rt.Handler = s.v2.Handle(&rt, a.handle)
			t.Routes = append(t.Routes, rt)
		}
	}
	health := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = contentType
		_, _ = w.Write([]byte(`{"code":200}` + "\n"))
	})
	for _, path := range []string{V1Prefix + "/health/liveness.action", "/health/liveness.action"} {
		t.Routes = append(t.Routes, amityhttp.Route{Method: http.MethodGet, Path: path, Handler: health})
	}
	return t
}
