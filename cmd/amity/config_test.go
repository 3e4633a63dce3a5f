package main

import (
	"strings"
	"testing"

	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/internal/testenv/apitest"
)

func TestParseConfigRefuses(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"no apps":          `{"apps":[]}`,
		"unknown key":      `{"apps":[{"name":"a","zim":{"app_id":1,"server_secret":"s","qsp":5}}]}`,
		"bad name":         `{"apps":[{"name":"a.b","zim":{"app_id":1,"server_secret":"s"}}]}`,
		"repeated name":    `{"apps":[{"name":"a","zim":{"app_id":1,"server_secret":"s"}},{"name":"a","zim":{"app_id":2,"server_secret":"s"}}]}`,
		"repeated app_id":  `{"apps":[{"name":"a","zim":{"app_id":1,"server_secret":"s"}},{"name":"b","zim":{"app_id":1,"server_secret":"s"}}]}`,
		"no surface":       `{"apps":[{"name":"a"}]}`,
		"no secret":        `{"apps":[{"name":"a","zim":{"app_id":1}}]}`,
		"batch over 50":    `{"apps":[{"name":"a","zim":{"app_id":1,"server_secret":"s","batch_limit":51}}]}`,
		"tencent no admin": `{"apps":[{"name":"a","tencent":{"sdkappid":1,"secret_key":"k"}}]}`,
		"not json":         `{"apps":`,
		"partitions < 0":   `{"apps":[{"name":"a","partitions":-1,"zim":{"app_id":1,"server_secret":"s"}}]}`,
		"partitions big":   `{"apps":[{"name":"a","partitions":1025,"zim":{"app_id":1,"server_secret":"s"}}]}`,
		"yunxin no secret": `{"apps":[{"name":"a","yunxin":{"app_key":"k"}}]}`,
		"yunxin qps < 0":   `{"apps":[{"name":"a","yunxin":{"app_key":"k","app_secret":"s","qps":-1}}]}`,
		"repeated app_key": `{"apps":[{"name":"a","yunxin":{"app_key":"k","app_secret":"s"}},{"name":"b","yunxin":{"app_key":"k","app_secret":"t"}}]}`,
	}
	for name, cfg := range tests {
		if _, err := parseConfig([]byte(cfg)); err == nil {
			t.Errorf("%s: parseConfig(%s) = nil error", name, cfg)
		}
	}
	cfg, err := parseConfig([]byte(`{"apps":[{"name":"a","max_friends":10,"zim":{"app_id":1,"server_secret":"s","qps":5,"batch_limit":50}},
		{"name":"b","tencent":{"sdkappid":1400000001,"secret_key":"k","admins":["administrator"]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	apps := cfg.apps
	if a, z := apps[0], cfg.zim[0]; a.FriendCap() != 10 || z.App != a || z.QPS != 5 || z.BatchLimit != 50 || len(cfg.zim) != 1 ||
		cfg.tencent[0].App != apps[1] || cfg.tencent[0].Admins[0] != "administrator" || len(cfg.tencent) != 1 {
		t.Errorf("parsed apps = %+v, %+v; zim %+v; tencent %+v", apps[0], apps[1], cfg.zim, cfg.tencent)
	}
	// A yunxin part, alone or beside the others, on the app's one graph;
	// an app without max_blocked takes Yunxin's blacklist cap.
	cfg, err = parseConfig([]byte(`{"apps":[{"name":"y","yunxin":{"app_key":"yk","app_secret":"ys","qps":7}},
		{"name":"all","max_blocked":9,"zim":{"app_id":2,"server_secret":"s"},"yunxin":{"app_key":"ak","app_secret":"as"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if y := cfg.yunxin[0]; len(cfg.yunxin) != 2 || y.App != cfg.apps[0] || y.AppKey != "yk" || y.AppSecret != "ys" || y.QPS != 7 || y.BlockCap() != 3000 ||
		cfg.yunxin[1].App != cfg.zim[0].App || cfg.apps[1].BlockCap() != 9 {
		t.Errorf("yunxin parts = %+v %+v", cfg.yunxin[0], cfg.yunxin[1])
	}
}

// TestExternalNATSAndAppLimits runs amity against a NATS server it did not
// start (--nats-url), with an app whose limits are set in the config.
func TestExternalNATSAndAppLimits(t *testing.T) {
	t.Parallel()
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0", ServerName: "external"})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	cfg := `{"apps":[{"name":"small","max_friends":2,"zim":{"app_id":5,"server_secret":"s5","qps":1000,"batch_limit":3}}]}`
	s := startService(t, cfg, "", "--nats-url", ns.ServiceURL())
	if out := s.stdout.String(); !strings.Contains(out, "@"+ns.Addr().String()+", stream") || strings.Contains(out, ns.ServiceURL()) {
		t.Errorf("startup output does not name the external server, or shows its password:\n%s", s.stdout)
	}
	z := s.zim(t, 5, "s5")
	registerAll(t, z, []string{"a", "b", "c", "d", "e"})
	apitest.WantCode(t, "4 targets over batch_limit 3", z.Post("AddFriends", map[string]any{"FromUserId": "a",
		"FriendInfos": []fi{{"UserId": "b"}, {"UserId": "c"}, {"UserId": "d"}, {"UserId": "e"}}}), 660800019)
	r := z.Post("AddFriends", map[string]any{"FromUserId": "a", "FriendInfos": []fi{{"UserId": "b"}, {"UserId": "c"}, {"UserId": "d"}}})
	apitest.WantCode(t, "3 adds at max_friends 2", r, 0)
	// The three targets sit in different partitions and are decided in
	// parallel: any one of them may be the one refused.
	if subs := r.SubCodes(); len(subs) != 1 {
		t.Errorf("3 adds at max_friends 2: failures %v, want exactly one 660800028", subs)
	} else {
		for _, code := range subs {
			if code != 660800028 {
				t.Errorf("3 adds at max_friends 2: failure %v, want 660800028", subs)
			}
		}
	}
	// The stream is on the external server.
	if seq := s.streamLastSeq(t); seq == 0 {
		t.Error("the external server's stream is empty")
	}
}

// TestConfigErrorsSayWhere: a config that does not decode is refused with
// the JSON path of the value at fault and its line and column.
func TestConfigErrorsSayWhere(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct{ cfg, want string }{
		"an unknown key": {"{\"apps\":[\n {\"name\":\"a\",\n  \"zim\":{\"app_id\":1,\"server_secret\":\"s\",\"qsp\":5}}]}",
			`config: apps[0].zim.qsp (line 3, column 41): unknown field "qsp"`},
		"a duration without unit": {"{\"apps\":[{\"name\":\"a\",\"zim\":{\"app_id\":1,\"server_secret\":\"s\"}},\n {\"name\":\"b\",\"request_expiry\":\"5\",\"zim\":{\"app_id\":2,\"server_secret\":\"s\"}}]}",
			`config: apps[1].request_expiry (line 2, column 31): time: missing unit in duration "5"`},
		"a string for a number": {`{"apps":[{"name":"a","zim":{"app_id":"one","server_secret":"s"}}]}`,
			`config: apps[0].zim.app_id (line 1, column 38): expected a whole number of zero or more, found the string "one"`},
		"a string for a limit": {`{"apps":[{"name":"a","zim":{"app_id":1,"server_secret":"s","qps":"many"}}]}`,
			`config: apps[0].zim.qps (line 1, column 66): expected a whole number, found the string "many"`},
		"a fraction for a whole number": {`{"apps":[{"name":"a","max_friends":2.5,"zim":{"app_id":1,"server_secret":"s"}}]}`,
			`config: apps[0].max_friends (line 1, column 36): expected a whole number, found the number 2.5`},
		"a string for a list": {`{"apps":[{"name":"a","tencent":{"sdkappid":1,"secret_key":"s","admins":"root"}}]}`,
			`config: apps[0].tencent.admins (line 1, column 72): expected a list [...] of strings, found the string "root"`},
		"an object for a list": {`{"apps":{"name":"a"}}`, `config: apps (line 1, column 9): expected a list [...] of objects, found an object`},
		"a number for a switch": {`{"apps":[{"name":"a","tencent":{"sdkappid":1,"secret_key":"s","admins":["r"],"follow":1}}]}`,
			`config: apps[0].tencent.follow (line 1, column 87): expected true or false, found the number 1`},
		"a cut file":     {"{\"apps\":[\n{\"name\":\"a\"", `config: apps[0].name (line 2, column 12): unexpected EOF`},
		"a syntax error": {"{\"apps\":[{\"name\" \"a\"}]}", `config: apps[0].name (line 1, column 18): invalid character '"' after object key`},
		"an empty file":  {"", `config: the file is empty`},
		"a second value": {`{"apps":[]} {}`, `config: more than one JSON value`},
		"nats users repeated": {`{"apps":[{"name":"a","zim":{"app_id":1,"server_secret":"s"}}],"nats_users":[{"user":"u","password":"p","admin":true},{"user":"u","password":"q","admin":true}]}`,
			`config: nats_users[1]: user "u" repeated`},
	} {
		_, err := parseConfig([]byte(tt.cfg))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: parseConfig error = %v\nwant one starting %s", name, err, tt.want)
		}
		// The file's reader wrote JSON, not Go: no Go type or field names.
		if err != nil && (strings.Contains(err.Error(), "Go struct") || strings.Contains(err.Error(), "FileConfig")) {
			t.Errorf("%s: the error speaks Go: %v", name, err)
		}
	}
}
