package tencent

import (
	"context"
	"net/http"

	amityhttp "github.com/amity-im/amity/http"
)

type handlerFunc func(s *Server, ctx context.Context, c *call) (response, error)

// endpoint is one REST API.
type endpoint struct {
	path string
	// api prefixes ResultInfo reasons: Err_SNS_<api>_<reason>.
	api string
	// param is the code of a parameter error: 30001 for the sns and
	// follow APIs, 40001 for profiles, 70402 for accounts.
	param int
	// display: the answer carries ErrorDisplay.
	display bool
	handle  handlerFunc
}

// endpoints lists every API Amity serves, by path.
var endpoints = map[string]*endpoint{}

func init() {
	for _, e := range list {
		endpoints[e.path] = e
	}
}

// list is every API Amity serves.
var list = []*endpoint{
	{"/v4/im_open_login_svc/account_import", "AccountImport", codeInvalidParams, false, (*Server).accountImport},
	{"/v4/im_open_login_svc/multiaccount_import", "MultiAccountImport", codeInvalidParams, false, (*Server).multiAccountImport},
	{"/v4/im_open_login_svc/account_check", "AccountCheck", codeInvalidParams, false, (*Server).accountCheck},
	{"/v4/im_open_login_svc/account_delete", "AccountDelete", codeInvalidParams, false, (*Server).accountDelete},
	{"/v4/sns/friend_add", "FriendAdd", codeSNSParam, true, (*Server).friendAdd},
	{"/v4/sns/friend_import", "FriendImport", codeSNSParam, true, (*Server).friendImport},
	{"/v4/sns/friend_update", "FriendUpdate", codeSNSParam, true, (*Server).friendUpdate},
	{"/v4/sns/friend_delete", "FriendDelete", codeSNSParam, true, (*Server).friendDelete},
	{"/v4/sns/friend_delete_all", "FriendDeleteAll", codeSNSParam, true, (*Server).friendDeleteAll},
	{"/v4/sns/friend_check", "FriendCheck", codeSNSParam, true, (*Server).friendCheck},
	// friend_get's ErrorDisplay is typed integer in Tencent's OpenAPI
	// description and string elsewhere; it is left out.
	{"/v4/sns/friend_get", "FriendGet", codeSNSParam, false, (*Server).friendGet},
	{"/v4/sns/friend_get_list", "FriendGetList", codeSNSParam, true, (*Server).friendGetList},
	{"/v4/sns/group_add", "GroupAdd", codeSNSParam, true, (*Server).groupAdd},
	{"/v4/sns/group_delete", "GroupDelete", codeSNSParam, true, (*Server).groupDelete},
	{"/v4/sns/group_get", "GroupGet", codeSNSParam, true, (*Server).groupGet},
	{"/v4/sns/black_list_add", "BlackListAdd", codeSNSParam, true, (*Server).blackListAdd},
	{"/v4/sns/black_list_delete", "BlackListDelete", codeSNSParam, true, (*Server).blackListDelete},
	{"/v4/sns/black_list_get", "BlackListGet", codeSNSParam, true, (*Server).blackListGet},
	{"/v4/sns/black_list_check", "BlackListCheck", codeSNSParam, true, (*Server).blackListCheck},
	{"/v4/profile/portrait_set", "PortraitSet", codeProfileParam, true, (*Server).portraitSet},
	{"/v4/profile/portrait_get", "PortraitGet", codeProfileParam, true, (*Server).portraitGet},
	{"/v4/follow/follow_add", "FollowAdd", codeSNSParam, true, (*Server).followAdd},
	{"/v4/follow/follow_delete", "FollowDelete", codeSNSParam, true, (*Server).followDelete},
	{"/v4/follow/follow_check", "FollowCheck", codeSNSParam, true, (*Server).followCheck},
	{"/v4/follow/follow_get", "FollowGet", codeSNSParam, true, (*Server).followGet},
	{"/v4/follow/follow_get_info", "FollowGetInfo", codeSNSParam, true, (*Server).followGetInfo},
}

// apiPrefix holds every path of the REST API.
const apiPrefix = "/v4/"

// Routes is the Tencent surface's table: every API at its path, taking
// POST. Tencent answers every call with HTTP 200 and its envelope: a path
// below /v4/ it does not serve, or another method, is refused before the
// signature is checked, as Tencent does.
func (s *Server) Routes() amityhttp.Table {
	t := amityhttp.Table{Name: "tencent", NotFoundPrefix: apiPrefix, NotFound: s.calls.Handle(nil, nil),
		WrongMethod: func(rt amityhttp.Route) http.Handler { return rt.Handler }}
	for _, e := range list {
		handle := e.handle
		rt := amityhttp.Route{Method: http.MethodPost, Path: e.path, Metric: e.path, Limit: e.path}
		rt.Handler = s.calls.Handle(&rt, func(ctx context.Context, c *call) (response, error) { return handle(s, ctx, c) })
		t.Routes = append(t.Routes, rt)
	}
	return t
}

// ep is the API c calls; nil for a path no route serves.
func ep(c *call) *endpoint {
	if c.Route == nil {
		return nil
	}
	return endpoints[c.Route.Path]
}
