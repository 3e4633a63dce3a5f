package zim

import (
	"net/http"

	amityhttp "github.com/amity-im/amity/http"
)

// actionPathPrefix is where each action is also served at a path of its
// own, /zim/<Action>, as at /?Action=<Action> (the query carries the
// signature): the form OpenAPI tooling can describe, since it cannot tell
// operations apart by a query value.
const actionPathPrefix = "/zim/"

// Rate-limit classes: UserRegister has a code of its own when its rate is
// spent, every other action the app's.
const (
	limitRegister = "register"
	limitApp      = "app"
)

func limitCode(class string) int {
	if class == limitRegister {
		return codeRegisterQPS
	}
	return codeAppQPS
}

// action is one ZIM action Amity serves.
type action struct {
	name, method, limit string
	handle              amityhttp.Handler[App, response]
}

// actions lists every ZIM action Amity serves.
func (s *Server) actions() []action {
	return []action{
		{"UserRegister", http.MethodPost, limitRegister, s.userRegister},
		{"QueryUserInfos", http.MethodPost, limitApp, s.queryUserInfos},
		{"ModifyUserInfo", http.MethodPost, limitApp, s.modifyUserInfo},
		{"SendFriendApplication", http.MethodPost, limitApp, s.sendFriendApplication},
		{"AddFriends", http.MethodPost, limitApp, s.addFriends},
		{"DeleteFriends", http.MethodPost, limitApp, s.deleteFriends},
		{"DeleteAllFriends", http.MethodGet, limitApp, s.deleteAllFriends},
		{"QueryFriendList", http.MethodGet, limitApp, s.queryFriendList},
		{"CheckFriendsRelation", http.MethodPost, limitApp, s.checkFriendsRelation},
		{"UpdateFriendsAlias", http.MethodPost, limitApp, s.updateFriendsAlias},
		{"UpdateFriendAttributes", http.MethodPost, limitApp, s.updateFriendAttributes},
		{"AddUsersToBlacklist", http.MethodPost, limitApp, s.addUsersToBlacklist},
		{"RemoveUsersFromBlacklist", http.MethodPost, limitApp, s.removeUsersFromBlacklist},
		{"QueryBlacklist", http.MethodGet, limitApp, s.queryBlacklist},
		{"CheckUsersIsInBlacklist", http.MethodPost, limitApp, s.checkUsersIsInBlacklist},
	}
}

// Routes is the ZIM surface's table: every action at /?Action=<Action>,
// and again at /zim/<Action>. ZIM answers every call with HTTP 200 and a
// ZIM body: a call with another method than its action's, or naming no
// action served, is refused after its signature is checked, as ZIM does.
func (s *Server) Routes() amityhttp.Table {
	t := amityhttp.Table{Name: "zim", Dispatch: "Action", NotFoundPrefix: actionPathPrefix,
		NotFound:    s.calls.Handle(nil, nil),
		WrongMethod: func(rt amityhttp.Route) http.Handler { return rt.Handler }}
	for _, a := range s.actions() {
		for _, rt := range []amityhttp.Route{
			{Method: a.method, Path: "/", Action: a.name},
			{Method: a.method, Path: actionPathPrefix + a.name},
		} {
			rt.Metric, rt.Limit = a.name, a.limit
			rt.Handler = s.calls.Handle(&rt, a.handle)
			t.Routes = append(t.Routes, rt)
		}
	}
	return t
}
