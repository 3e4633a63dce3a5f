package main

import (
	"testing"

	"github.com/amity-im/amity/internal/testenv/apitest"
)

const tencentConfig = `{"apps":[
 {"name":"both","zim":{"app_id":2222,"server_secret":"zim-secret","qps":1000000},
  "tencent":{"sdkappid":1400000002,"secret_key":"tc-key","admins":["administrator","ops"],"qps":1000000,
   "custom_fields":["Tag_SNS_Custom_Note","Tag_SNS_Custom_Level"],"zim_attributes":{"Tag_SNS_Custom_Note":"k0"}}},
 {"name":"small","max_friends":2,"max_blocked":2,"tencent":{"sdkappid":1400000003,"secret_key":"small-key","admins":["administrator"],"qps":1000000}},
 {"name":"slow","tencent":{"sdkappid":1400000004,"secret_key":"slow-key","admins":["administrator"],"qps":2}}
]}`

type obj = apitest.Obj

// tencent calls the Tencent surface as app sdkappid's administrator.
func (s *service) tencent(t testing.TB, sdkappid int, key string) *apitest.Tencent {
	return apitest.NewTencent(t, s.httpURL, sdkappid, key)
}
