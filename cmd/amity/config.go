package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/zim"
)

// fileConfig is the JSON config file (docs/configuration.md).
type fileConfig struct {
	Apps      []appConfig      `json:"apps"`
	NATSUsers []natsUserConfig `json:"nats_users,omitempty"`
}

// natsUserConfig is a login on the embedded NATS server.
type natsUserConfig struct {
	User     string   `json:"user"`
	Password string   `json:"password"`
	Admin    bool     `json:"admin,omitempty"`
	Apps     []string `json:"apps,omitempty"`
}

// config is a validated config file: the apps, each surface's part of
// them, and the NATS logins.
type config struct {
	apps    []*domain.App
	zim     []*zim.App
	tencent []*tencent.App
	users   []eventstore.User
}

// styles are the webhook styles of the config's apps, by the name an app's
// callback config gives.
func (c config) styles() map[string]delivery.Style {
	ids := map[string]uint32{}
	for _, z := range c.zim {
		ids[z.Name] = z.AppID
	}
	tcs := map[string]*tencent.App{}
	for _, t := range c.tencent {
		tcs[t.Name] = t
	}
	return map[string]delivery.Style{"tencent": tencent.Callbacks{Apps: tcs}, "zim": zim.Callbacks{AppIDs: ids}}
}

// styleCommands are the callback names of each style.
var styleCommands = map[string][]string{"tencent": tencent.Callbacks{}.Commands(), "zim": zim.Callbacks{}.Commands()}

// appNames lists the apps' names.
func (c config) appNames() []string {
	names := make([]string, len(c.apps))
	for i, a := range c.apps {
		names[i] = a.Name
	}
	return names
}

type appConfig struct {
	Name       string `json:"name"`
	MaxFriends int    `json:"max_friends,omitempty"`
	MaxBlocked int    `json:"max_blocked,omitempty"`
	// Partitions is the app's partition count, fixed when its stream data
	// is first written; 0 takes the recorded count, or the default.
	Partitions int `json:"partitions,omitempty"`
	// RequestExpiry is how long a friend request may be answered.
	RequestExpiry duration `json:"request_expiry,omitzero"`
	ZIM           *struct {
		AppID        uint32 `json:"app_id"`
		ServerSecret string `json:"server_secret"`
		QPS          int    `json:"qps,omitempty"`
		BatchLimit   int    `json:"batch_limit,omitempty"`
	} `json:"zim,omitempty"`
	Callback *struct {
		URL         string   `json:"url"`
		Style       string   `json:"style,omitempty"`
		Commands    []string `json:"commands,omitempty"`
		Secret      string   `json:"secret,omitempty"`
		Token       string   `json:"token,omitempty"`
		MaxAttempts int      `json:"max_attempts,omitempty"`
		Backoff     duration `json:"backoff,omitzero"`
		MaxBackoff  duration `json:"max_backoff,omitzero"`
		Timeout     duration `json:"timeout,omitzero"`
	} `json:"callback,omitempty"`
	Tencent *struct {
		SDKAppID     uint64            `json:"sdkappid"`
		SecretKey    string            `json:"secret_key"`
		Admins       []string          `json:"admins"`
		QPS          int               `json:"qps,omitempty"`
		CustomFields []string          `json:"custom_fields,omitempty"`
		ZIMAttrs     map[string]string `json:"zim_attributes,omitempty"`
		Follow       bool              `json:"follow,omitempty"`
	} `json:"tencent,omitempty"`
}

var (
	appName     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	customField = regexp.MustCompile(`^Tag_SNS_Custom_[A-Za-z]{1,8}$`)
	zimAttr     = regexp.MustCompile(`^k[0-4]$`)
)

// maxCustomFields is Tencent's limit of custom friend fields per app.
const maxCustomFields = 20

// loadConfig reads and validates a config file.
func loadConfig(path string) (config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return config{}, fmt.Errorf("read config: %w", err)
	}
	return parseConfig(b)
}

// reservedAppNames would make an app's subjects those of the service's own.
var reservedAppNames = []string{"admin", "dlq"}

func parseConfig(b []byte) (config, error) {
	var fc fileConfig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return config{}, decodeError(b, err)
	}
	if dec.More() {
		return config{}, fmt.Errorf("config: more than one JSON value (from byte %d)", dec.InputOffset())
	}
	cfg, err := parseApps(fc.Apps)
	if err != nil {
		return config{}, err
	}
	apps := cfg.apps
	for i, u := range fc.NATSUsers {
		for _, a := range u.Apps {
			if !slices.ContainsFunc(apps, func(app *domain.App) bool { return app.Name == a }) {
				return config{}, fmt.Errorf("config: nats_users[%d] (%s): no app %q", i, u.User, a)
			}
		}
		eu := eventstore.User{Name: u.User, Password: u.Password, Admin: u.Admin, Apps: u.Apps}
		if _, err := eventstore.Permissions(eu, nil); err != nil {
			return config{}, fmt.Errorf("config: nats_users[%d]: %w", i, err)
		}
		if u.Password == "" {
			return config{}, fmt.Errorf("config: nats_users[%d] (%s): password is required", i, u.User)
		}
		if slices.ContainsFunc(cfg.users, func(o eventstore.User) bool { return o.Name == u.User }) {
			return config{}, fmt.Errorf("config: nats_users[%d]: user %q repeated", i, u.User)
		}
		cfg.users = append(cfg.users, eu)
	}
	return cfg, nil
}

func parseApps(appConfigs []appConfig) (config, error) {
	var cfg config
	if len(appConfigs) == 0 {
		return cfg, errors.New("config: no apps")
	}
	names, zimIDs, tcIDs := map[string]bool{}, map[uint32]bool{}, map[uint64]bool{}
	for i, ac := range appConfigs {
		where := fmt.Sprintf("config: apps[%d]", i)
		if !appName.MatchString(ac.Name) {
			return cfg, fmt.Errorf("%s: name %q must be 1-64 letters, digits, '-' or '_'", where, ac.Name)
		}
		if slices.Contains(reservedAppNames, ac.Name) {
			return cfg, fmt.Errorf("%s: name %q is reserved", where, ac.Name)
		}
		if names[ac.Name] {
			return cfg, fmt.Errorf("%s: name %q repeated", where, ac.Name)
		}
		names[ac.Name] = true
		if ac.ZIM == nil && ac.Tencent == nil {
			return cfg, fmt.Errorf("%s (%s): needs a zim or a tencent part", where, ac.Name)
		}
		if ac.MaxFriends < 0 || ac.MaxBlocked < 0 {
			return cfg, fmt.Errorf("%s (%s): max_friends and max_blocked must not be negative", where, ac.Name)
		}
		if ac.Partitions < 0 || ac.Partitions > domain.MaxPartitions {
			return cfg, fmt.Errorf("%s (%s): partitions must be 1-%d, or left out", where, ac.Name, domain.MaxPartitions)
		}
		if ac.RequestExpiry < 0 {
			return cfg, fmt.Errorf("%s (%s): request_expiry must not be negative", where, ac.Name)
		}
		app := &domain.App{Name: ac.Name, MaxFriends: ac.MaxFriends, MaxBlocked: ac.MaxBlocked, Partitions: ac.Partitions,
			RequestExpiry: time.Duration(ac.RequestExpiry)}
		var zp *zim.App
		if z := ac.ZIM; z != nil {
			switch {
			case z.AppID == 0:
				return cfg, fmt.Errorf("%s (%s): zim.app_id is required", where, ac.Name)
			case zimIDs[z.AppID]:
				return cfg, fmt.Errorf("%s (%s): zim.app_id %d repeated", where, ac.Name, z.AppID)
			case z.ServerSecret == "":
				return cfg, fmt.Errorf("%s (%s): zim.server_secret is required", where, ac.Name)
			case z.QPS < 0 || z.BatchLimit < 0 || z.BatchLimit > zim.MaxBatch:
				return cfg, fmt.Errorf("%s (%s): zim.qps must be >= 0 and zim.batch_limit 0..%d", where, ac.Name, zim.MaxBatch)
			}
			zimIDs[z.AppID] = true
			zp = &zim.App{App: app, AppID: z.AppID, ServerSecret: z.ServerSecret, QPS: z.QPS, BatchLimit: z.BatchLimit}
			cfg.zim = append(cfg.zim, zp)
		}
		if t := ac.Tencent; t != nil {
			switch {
			case t.SDKAppID == 0:
				return cfg, fmt.Errorf("%s (%s): tencent.sdkappid is required", where, ac.Name)
			case tcIDs[t.SDKAppID]:
				return cfg, fmt.Errorf("%s (%s): tencent.sdkappid %d repeated", where, ac.Name, t.SDKAppID)
			case t.SecretKey == "" || len(t.Admins) == 0:
				return cfg, fmt.Errorf("%s (%s): tencent.secret_key and tencent.admins are required", where, ac.Name)
			}
			if len(t.CustomFields) > maxCustomFields {
				return cfg, fmt.Errorf("%s (%s): at most %d tencent.custom_fields", where, ac.Name, maxCustomFields)
			}
			for _, f := range t.CustomFields {
				if !customField.MatchString(f) {
					return cfg, fmt.Errorf("%s (%s): custom field %q must be Tag_SNS_Custom_ and 1-8 letters", where, ac.Name, f)
				}
			}
			used := map[string]bool{}
			for f, k := range t.ZIMAttrs {
				if !slices.Contains(t.CustomFields, f) || !zimAttr.MatchString(k) || used[k] {
					return cfg, fmt.Errorf("%s (%s): zim_attributes must map declared custom fields onto distinct keys k0-k4", where, ac.Name)
				}
				used[k] = true
			}
			tcIDs[t.SDKAppID] = true
			tp := &tencent.App{App: app, SDKAppID: t.SDKAppID, SecretKey: t.SecretKey, Admins: t.Admins, QPS: t.QPS,
				CustomFields: t.CustomFields, ZIMAttributes: t.ZIMAttrs, Follow: t.Follow}
			cfg.tencent = append(cfg.tencent, tp)
		}
		if cb := ac.Callback; cb != nil {
			style, secret := cb.Style, cb.Secret
			if style == "" {
				style = "zim"
				if ac.Tencent != nil {
					style = "tencent"
				}
			}
			if style == "zim" && secret == "" && zp != nil {
				secret = zp.ServerSecret
			}
			c, err := callbackConfig(cb.URL, style, cb.Commands, secret, cb.MaxAttempts, cb.Backoff, cb.MaxBackoff, cb.Timeout)
			if err != nil {
				return cfg, fmt.Errorf("%s (%s): %w", where, ac.Name, err)
			}
			if cb.Token != "" && (c.Style != "tencent" || len(cb.Token) > 128) {
				return cfg, fmt.Errorf("%s (%s): callback.token signs tencent-style callbacks and is 1-128 bytes", where, ac.Name)
			}
			c.Token = cb.Token
			app.Callback = c
		}
		cfg.apps = append(cfg.apps, app)
	}
	return cfg, nil
}

// callbackConfig checks an app's callback config; style is the one asked
// for or the app's default, secret the one given or the app's ZIM secret.
func callbackConfig(rawURL, style string, commands []string, secret string, attempts int, backoff, maxBackoff, timeout duration) (*domain.Callback, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("callback.url %q must be an http(s) URL", rawURL)
	}
	known, ok := styleCommands[style]
	if !ok {
		return nil, fmt.Errorf("callback.style must be tencent or zim")
	}
	for _, c := range commands {
		if !slices.Contains(known, c) {
			return nil, fmt.Errorf("callback.commands: %q is not a %s callback (%v)", c, style, known)
		}
	}
	if style == "zim" && secret == "" {
		return nil, fmt.Errorf("callback.secret is required for zim-style callbacks")
	}
	if attempts < 0 || backoff < 0 || maxBackoff < 0 || timeout < 0 {
		return nil, fmt.Errorf("callback: attempts and durations must not be negative")
	}
	return &domain.Callback{URL: rawURL, Style: style, Commands: commands, Secret: secret, MaxAttempts: attempts,
		Backoff: time.Duration(backoff), MaxBackoff: time.Duration(maxBackoff), Timeout: time.Duration(timeout)}, nil
}

// duration reads a JSON string such as "500ms".
type duration time.Duration

func (d *duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"500ms\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return &valueError{value: s, err: err}
	}
	*d = duration(v)
	return nil
}

// devApp returns the development config used when no config is given: one
// app, an admin NATS login and a subscriber of the app. Its secrets are
// made once and kept in the data directory; a file from before NATS logins
// gains them.
func devApp(dataDir string) (config, error) {
	path := filepath.Join(dataDir, "dev-app.json")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b = fmt.Appendf(nil, `{"apps":[{"name":"dev","zim":{"app_id":1000001,"server_secret":%q},`+
			`"tencent":{"sdkappid":1400000001,"secret_key":%q,"admins":["administrator"]}}]}`+"\n", randomSecret(), randomSecret())
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return config{}, fmt.Errorf("create data dir: %w", err)
		}
	} else if err != nil {
		return config{}, fmt.Errorf("read %s: %w", path, err)
	}
	var fc fileConfig
	if err := json.Unmarshal(b, &fc); err != nil {
		return config{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(fc.NATSUsers) == 0 {
		fc.NATSUsers = []natsUserConfig{
			{User: devAdmin, Password: randomSecret(), Admin: true},
			{User: devSubscriber, Password: randomSecret(), Apps: []string{"dev"}},
		}
		if b, err = json.MarshalIndent(fc, "", "  "); err != nil {
			return config{}, err
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
			return config{}, fmt.Errorf("write %s: %w", path, err)
		}
	}
	cfg, err := parseConfig(b)
	if err != nil {
		return config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// The development config's NATS logins.
const (
	devAdmin      = "ops"
	devSubscriber = "dev-subscriber"
)

func randomSecret() string {
	var r [16]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

// decodeError says where in the config file b the error err of decoding
// it happened: the JSON path of the value and its line and column.
func decodeError(b []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var ve *valueError
	var msg = strings.TrimPrefix(err.Error(), "json: ")
	at := int64(-1)
	where := ""
	switch {
	case errors.As(err, &se):
		at = se.Offset - 1 // the offset is after the character at fault
	case errors.As(err, &te):
		at = te.Offset // after the value: the value is the last token before it
	case errors.As(err, &ve):
		walkJSON(b, func(t jsonToken) bool {
			if s, ok := t.tok.(string); ok && !t.key && s == ve.value {
				at, where = t.start, t.path
				return false
			}
			return true
		})
	case strings.HasPrefix(msg, "unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(msg, "unknown field "))
		walkJSON(b, func(t jsonToken) bool {
			if t.key && t.tok == name {
				at, where = t.start, t.path
				return false
			}
			return true
		})
	case errors.Is(err, io.EOF):
		return errors.New("config: the file is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		at = int64(len(b))
	}
	if at < 0 {
		return fmt.Errorf("config: %s", msg)
	}
	if where == "" {
		where = "the top level"
		last := at
		walkJSON(b, func(t jsonToken) bool {
			if t.start >= at {
				return false
			}
			where, last = t.path, t.start
			return true
		})
		if te != nil {
			at = last
		}
	}
	line, col := lineCol(b, at)
	return fmt.Errorf("config: %s (line %d, column %d): %s", where, line, col, msg)
}

// valueError is a value a config type refused, kept so that the error can
// say where it is.
type valueError struct {
	value string
	err   error
}

func (e *valueError) Error() string { return e.err.Error() }
func (e *valueError) Unwrap() error { return e.err }

// lineCol turns a byte offset into a line and column, both from 1.
func lineCol(b []byte, at int64) (line, col int) {
	at = min(max(at, 0), int64(len(b)))
	before := b[:at]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(at) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// jsonToken is one token of a JSON text with where it starts and the path
// of the value it belongs to (apps[0].zim.qps); key marks an object key.
type jsonToken struct {
	tok   json.Token
	start int64
	path  string
	key   bool
}

// walkJSON calls fn for each token of b, in order, until fn returns false
// or the text ends or breaks.
func walkJSON(b []byte, fn func(jsonToken) bool) {
	type level struct {
		key    string
		index  int
		array  bool
		wanted bool // an object waiting for a key
	}
	var stack []level
	path := func() string {
		var sb strings.Builder
		for _, l := range stack {
			switch {
			case l.array && l.index >= 0:
				fmt.Fprintf(&sb, "[%d]", l.index)
			case !l.array && l.key != "":
				if sb.Len() > 0 {
					sb.WriteByte('.')
				}
				sb.WriteString(l.key)
			}
		}
		if sb.Len() == 0 {
			return "the top level"
		}
		return sb.String()
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		start := dec.InputOffset()
		for start < int64(len(b)) && strings.IndexByte(" \t\r\n,:", b[start]) >= 0 {
			start++
		}
		tok, err := dec.Token()
		if err != nil {
			return
		}
		t := jsonToken{tok: tok, start: start}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			t.path = path()
			stack = stack[:len(stack)-1]
			if !fn(t) {
				return
			}
			continue
		}
		if s, ok := tok.(string); ok && len(stack) > 0 && !stack[len(stack)-1].array && stack[len(stack)-1].wanted {
			stack[len(stack)-1].key, stack[len(stack)-1].wanted = s, false
			t.key, t.path = true, path()
			if !fn(t) {
				return
			}
			continue
		}
		// A value, or a container's start, in the innermost container:
		// the next element of an array; in an object, the value of the
		// last key, after which a key is wanted again.
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].wanted = true
			}
		}
		t.path = path()
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, level{array: d == '[', index: -1, wanted: d == '{'})
		}
		if !fn(t) {
			return
		}
	}
}
