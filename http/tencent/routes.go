package tencent

import "context"

type handlerFunc func(s *Server, ctx context.Context, c *call) (response, error)

// endpoint is one REST API.
type endpoint struct {
	path string
	// api prefixes ResultInfo reasons: Err_SNS_<api>_<reason>.
	api string
	// sns APIs answer parameter errors with 30001 (else 70402).
	sns bool
	// display: the answer carries ErrorDisplay.
	display bool
	handle  handlerFunc
}

// endpoints lists every API Amity serves, by path.
var endpoints = map[string]*endpoint{}

func init() {
	for _, e := range []*endpoint{
		{"/v4/im_open_login_svc/account_import", "AccountImport", false, false, (*Server).accountImport},
		{"/v4/im_open_login_svc/multiaccount_import", "MultiAccountImport", false, false, (*Server).multiAccountImport},
		{"/v4/im_open_login_svc/account_check", "AccountCheck", false, false, (*Server).accountCheck},
		{"/v4/im_open_login_svc/account_delete", "AccountDelete", false, false, (*Server).accountDelete},
		{"/v4/sns/friend_add", "FriendAdd", true, true, (*Server).friendAdd},
		{"/v4/sns/friend_import", "FriendImport", true, true, (*Server).friendImport},
		{"/v4/sns/friend_update", "FriendUpdate", true, true, (*Server).friendUpdate},
		{"/v4/sns/friend_delete", "FriendDelete", true, true, (*Server).friendDelete},
		{"/v4/sns/friend_delete_all", "FriendDeleteAll", true, true, (*Server).friendDeleteAll},
		{"/v4/sns/friend_check", "FriendCheck", true, true, (*Server).friendCheck},
		// friend_get's ErrorDisplay is typed integer in Tencent's OpenAPI
		// description and string elsewhere; it is left out.
		{"/v4/sns/friend_get", "FriendGet", true, false, (*Server).friendGet},
		{"/v4/sns/friend_get_list", "FriendGetList", true, true, (*Server).friendGetList},
		{"/v4/sns/group_add", "GroupAdd", true, true, (*Server).groupAdd},
		{"/v4/sns/group_delete", "GroupDelete", true, true, (*Server).groupDelete},
		{"/v4/sns/group_get", "GroupGet", true, true, (*Server).groupGet},
		{"/v4/sns/black_list_add", "BlackListAdd", true, true, (*Server).blackListAdd},
		{"/v4/sns/black_list_delete", "BlackListDelete", true, true, (*Server).blackListDelete},
		{"/v4/sns/black_list_get", "BlackListGet", true, true, (*Server).blackListGet},
		{"/v4/sns/black_list_check", "BlackListCheck", true, true, (*Server).blackListCheck},
	} {
		endpoints[e.path] = e
	}
}
