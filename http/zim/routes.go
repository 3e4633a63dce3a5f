package zim

import "net/http"

// actions lists every ZIM action Amity serves, with its method.
var actions map[string]action

func init() {
	actions = map[string]action{
		"UserRegister":             {http.MethodPost, (*Server).userRegister, codeRegisterQPS},
		"QueryUserInfos":           {http.MethodPost, (*Server).queryUserInfos, codeAppQPS},
		"ModifyUserInfo":           {http.MethodPost, (*Server).modifyUserInfo, codeAppQPS},
		"SendFriendApplication":    {http.MethodPost, (*Server).sendFriendApplication, codeAppQPS},
		"AddFriends":               {http.MethodPost, (*Server).addFriends, codeAppQPS},
		"DeleteFriends":            {http.MethodPost, (*Server).deleteFriends, codeAppQPS},
		"DeleteAllFriends":         {http.MethodGet, (*Server).deleteAllFriends, codeAppQPS},
		"QueryFriendList":          {http.MethodGet, (*Server).queryFriendList, codeAppQPS},
		"CheckFriendsRelation":     {http.MethodPost, (*Server).checkFriendsRelation, codeAppQPS},
		"UpdateFriendsAlias":       {http.MethodPost, (*Server).updateFriendsAlias, codeAppQPS},
		"UpdateFriendAttributes":   {http.MethodPost, (*Server).updateFriendAttributes, codeAppQPS},
		"AddUsersToBlacklist":      {http.MethodPost, (*Server).addUsersToBlacklist, codeAppQPS},
		"RemoveUsersFromBlacklist": {http.MethodPost, (*Server).removeUsersFromBlacklist, codeAppQPS},
		"QueryBlacklist":           {http.MethodGet, (*Server).queryBlacklist, codeAppQPS},
		"CheckUsersIsInBlacklist":  {http.MethodPost, (*Server).checkUsersIsInBlacklist, codeAppQPS},
	}
}
