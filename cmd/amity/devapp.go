package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/yunxin"
	"golang.org/x/crypto/bcrypt"
)

// devApp returns the development config used when no config is given: one
// app, an admin NATS login and a subscriber of the app. Its secrets are
// made once and kept in the data directory, the NATS passwords as bcrypt
// hashes only; made is each password made (or hashed) by this call, by
// login, to print this once. A file from before NATS logins gains them; one
// with plain passwords has them hashed.
func devApp(dataDir string) (cfg config, made map[string]string, err error) {
	path := filepath.Join(dataDir, "dev-app.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b = fmt.Appendf(nil, `{"apps":[{"name":"dev","zim":{"app_id":1000001,"server_secret":%q},`+
			`"tencent":{"sdkappid":1400000001,"secret_key":%q,"admins":["administrator"],"follow":true},`+
			`"yunxin":{"app_key":%q,"app_secret":%q}}]}`+"\n", randomSecret(), randomSecret(), randomSecret(), randomSecret())
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return config{}, nil, fmt.Errorf("create data dir: %w", err)
		}
	} else if err != nil {
		return config{}, nil, fmt.Errorf("read %s: %w", path, err)
	}
	var fc fileConfig
	if err := json.Unmarshal(b, &fc); err != nil {
		return config{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	made = map[string]string{}
	if len(fc.NATSUsers) == 0 {
		fc.NATSUsers = []natsUserConfig{
			{User: devAdmin, Password: randomSecret(), Admin: true},
			{User: devSubscriber, Password: randomSecret(), Apps: []string{"dev"}},
		}
	}
	for i, u := range fc.NATSUsers {
		if strings.HasPrefix(u.Password, "$2") {
			continue
		}
		// The passwords are 128 random bits: no cost factor is what keeps
		// them from a guess, and the least keeps each login quick.
		hash, err := bcrypt.GenerateFromPassword([]byte(u.Password), bcrypt.MinCost)
		if err != nil {
			return config{}, nil, fmt.Errorf("hash the password of %s: %w", u.User, err)
		}
		made[u.User] = u.Password
		fc.NATSUsers[i].Password = string(hash)
	}
	if len(made) > 0 {
		if b, err = json.MarshalIndent(fc, "", "  "); err != nil {
			return config{}, nil, err
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
			return config{}, nil, fmt.Errorf("write %s: %w", path, err)
		}
	}
	cfg, err = parseConfig(b)
	if err != nil {
		return config{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, made, nil
}

// randomSecret is 128 random bits in hex: a development secret.
func randomSecret() string {
	var r [16]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

// The development config's NATS logins.
const (
	devAdmin      = "ops"
	devSubscriber = "dev-subscriber"
)

// printDevApp prints the development app's credentials, its NATS logins
// (the passwords in made, which are printed this once; the others were
// printed when they were made) and a signed call of each surface to paste.
func printDevApp(w io.Writer, cfg config, made map[string]string, httpAddr string) {
	app, z, t := cfg.apps[0], cfg.zim[0], cfg.tencent[0]
	sig, err := tencent.GenUserSig(t.SDKAppID, t.SecretKey, t.Admins[0], 24*time.Hour, time.Now())
	if err != nil {
		sig = "(usersig: " + err.Error() + ")"
	}
	fmt.Fprintf(w, `amity: development app %q (no --config given; kept in the data directory)
  ZIM      AppId=%d  ServerSecret=%s
  Tencent  sdkappid=%d  SecretKey=%s  admin=%s
`, app.Name, z.AppID, z.ServerSecret, t.SDKAppID, t.SecretKey, t.Admins[0])
	kept := false
	for _, u := range cfg.users {
		password, ok := made[u.Name]
		switch {
		case !ok:
			kept = true
			fmt.Fprintf(w, "  NATS     %s login %s (its password was printed when it was made)\n", map[bool]string{true: "admin", false: "subscriber"}[u.Admin], u.Name)
		case u.Admin:
			fmt.Fprintf(w, "  NATS     admin login %s / %s  (amity verify, replay, events tail, deadletters: --nats-user %s --nats-password %s)\n", u.Name, password, u.Name, password)
		default:
			fmt.Fprintf(w, "  NATS     subscriber of %s: %s / %s  (reply inbox prefix %s)\n", strings.Join(u.Apps, ","), u.Name, password, domain.InboxPrefix(u.Name))
		}
	}
	if len(made) > 0 {
		fmt.Fprintln(w, "           the data directory keeps these passwords as bcrypt hashes only: note them now")
	}
	if kept {
		fmt.Fprintln(w, "           the data directory keeps bcrypt hashes only; delete nats_users from its dev-app.json to have new passwords made and printed")
	}
	var yx *yunxin.App
	if len(cfg.yunxin) > 0 {
		yx = cfg.yunxin[0]
		fmt.Fprintf(w, "  Yunxin   AppKey=%s  AppSecret=%s\n", yx.AppKey, yx.AppSecret)
	}
	fmt.Fprintf(w, `  Try it (a signature is good for one call within 10 minutes):
    APPID=%d SECRET=%s
    NONCE=$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n'); TS=$(date +%%s)
    SIG=$(printf '%%s' "$APPID$NONCE$SECRET$TS" | md5sum | cut -c1-32)
    curl -s -X POST "http://%s/?Action=UserRegister&AppId=$APPID&SignatureNonce=$NONCE&Timestamp=$TS&SignatureVersion=2.0&Signature=$SIG" \
      -d '{"UserInfo":[{"UserId":"alice","UserName":"Alice"},{"UserId":"bob","UserName":"Bob"}]}'
  Tencent (this admin usersig is good for 24 hours):
    curl -s -X POST "http://%s/v4/sns/friend_add?sdkappid=%d&identifier=%s&usersig=%s&random=1&contenttype=json" \
      -d '{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddSource":"AddSource_Type_Web"}]}'
`, z.AppID, z.ServerSecret, httpAddr, httpAddr, t.SDKAppID, t.Admins[0], sig)
	if yx != nil {
		fmt.Fprintf(w, `  Yunxin (its four headers signed for each call):
    KEY=%s YXSECRET=%s
    NONCE=$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n'); CUR=$(date +%%s)
    SUM=$(printf '%%s' "$YXSECRET$NONCE$CUR" | sha1sum | cut -c1-40)
    curl -s -X POST "http://%s/nimserver/friend/get.action" -H "AppKey: $KEY" -H "Nonce: $NONCE" -H "CurTime: $CUR" -H "CheckSum: $SUM" \
      -d 'accid=alice&updatetime=0'
`, yx.AppKey, yx.AppSecret, httpAddr)
	}
}
