package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/yunxin"
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
	yunxin  []*yunxin.App
	users   []eventstore.User
	// moving are the apps moving from Tencent, by their Tencent part.
	moving map[*tencent.App]*migrateFileConfig
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
	keys := map[string]string{}
	for _, y := range c.yunxin {
		keys[y.Name] = y.AppKey
	}
	return map[string]delivery.Style{"tencent": tencent.Callbacks{Apps: tcs}, "zim": zim.Callbacks{AppIDs: ids}, "yunxin": yunxin.Callbacks{AppKeys: keys}}
}

// styleCommands are the callback names of each style.
var styleCommands = map[string][]string{"tencent": tencent.Callbacks{}.Commands(), "zim": zim.Callbacks{}.Commands(), "yunxin": yunxin.Callbacks{}.Commands()}

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
	// MaxPendingRequests bounds one user's waiting requests, sent and
	// received each; 0 takes the default.
	MaxPendingRequests int `json:"max_pending_requests,omitempty"`
	// Partitions is the app's partition count, fixed when its stream data
	// is first written; 0 takes the recorded count, or the default.
	Partitions int `json:"partitions,omitempty"`
	// RequestExpiry is how long a friend request may be answered.
	RequestExpiry duration            `json:"request_expiry,omitzero"`
	ZIM           *zimFileConfig      `json:"zim,omitempty"`
	Callback      *callbackFileConfig `json:"callback,omitempty"`
	Tencent       *tencentFileConfig  `json:"tencent,omitempty"`
	Yunxin        *yunxinFileConfig   `json:"yunxin,omitempty"`
	Migrate       *migrateFileConfig  `json:"migrate,omitempty"`
}

// yunxinFileConfig is an app's yunxin part.
type yunxinFileConfig struct {
	AppKey    string `json:"app_key"`
	AppSecret string `json:"app_secret"`
	QPS       int    `json:"qps,omitempty"`
}

// migrateFileConfig is an app's migrate part: while it moves from Tencent,
// the callbacks Tencent sends it and where their missing fields are read.
type migrateFileConfig struct {
	// Source is Tencent's endpoint (tencent.DefaultEndpoint when empty).
	Source string `json:"source,omitempty"`
	// CallbackToken, when set, is what each callback's Sign is made with.
	CallbackToken string `json:"callback_token,omitempty"`
	// QPS bounds the reads of Tencent callbacks make (its documented
	// limit when 0).
	QPS int `json:"qps,omitempty"`
}

// zimFileConfig is an app's zim part.
type zimFileConfig struct {
	AppID        uint32 `json:"app_id"`
	ServerSecret string `json:"server_secret"`
	QPS          int    `json:"qps,omitempty"`
	BatchLimit   int    `json:"batch_limit,omitempty"`
}

// callbackFileConfig is an app's callback part.
type callbackFileConfig struct {
	URL         string   `json:"url"`
	Style       string   `json:"style,omitempty"`
	Commands    []string `json:"commands,omitempty"`
	Secret      string   `json:"secret,omitempty"`
	Token       string   `json:"token,omitempty"`
	MaxAttempts int      `json:"max_attempts,omitempty"`
	Backoff     duration `json:"backoff,omitzero"`
	MaxBackoff  duration `json:"max_backoff,omitzero"`
	Timeout     duration `json:"timeout,omitzero"`
}

// tencentFileConfig is an app's tencent part.
type tencentFileConfig struct {
	SDKAppID     uint64            `json:"sdkappid"`
	SecretKey    string            `json:"secret_key"`
	Admins       []string          `json:"admins"`
	QPS          int               `json:"qps,omitempty"`
	CustomFields []string          `json:"custom_fields,omitempty"`
	ZIMAttrs     map[string]string `json:"zim_attributes,omitempty"`
	Follow       bool              `json:"follow,omitempty"`
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
	if len(appConfigs) == 0 {
		return config{}, errors.New("config: no apps")
	}
	p := appsParser{names: map[string]bool{}, zimIDs: map[uint32]bool{}, tcIDs: map[uint64]bool{}, yxKeys: map[string]bool{}}
	for i, ac := range appConfigs {
		if err := p.app(fmt.Sprintf("config: apps[%d]", i), ac); err != nil {
			return config{}, err
		}
	}
	return p.cfg, nil
}

// appsParser checks the apps of a config one by one, and what must differ
// between them.
type appsParser struct {
	cfg    config
	names  map[string]bool
	zimIDs map[uint32]bool
	tcIDs  map[uint64]bool
	yxKeys map[string]bool
}

// app checks one app's config, where in the file, and adds it.
func (p *appsParser) app(where string, ac appConfig) error {
	if !appName.MatchString(ac.Name) {
		return fmt.Errorf("%s: name %q must be 1-64 letters, digits, '-' or '_'", where, ac.Name)
	}
	if slices.Contains(reservedAppNames, ac.Name) {
		return fmt.Errorf("%s: name %q is reserved", where, ac.Name)
	}
	if p.names[ac.Name] {
		return fmt.Errorf("%s: name %q repeated", where, ac.Name)
	}
	p.names[ac.Name] = true
	where = fmt.Sprintf("%s (%s)", where, ac.Name)
	switch {
	case ac.ZIM == nil && ac.Tencent == nil && ac.Yunxin == nil:
		return fmt.Errorf("%s: needs a zim, a tencent or a yunxin part", where)
	case ac.MaxFriends < 0 || ac.MaxBlocked < 0 || ac.MaxPendingRequests < 0:
		return fmt.Errorf("%s: max_friends, max_blocked and max_pending_requests must not be negative", where)
	case ac.Partitions < 0 || ac.Partitions > domain.MaxPartitions:
		return fmt.Errorf("%s: partitions must be 1-%d, or left out", where, domain.MaxPartitions)
	case ac.RequestExpiry < 0:
		return fmt.Errorf("%s: request_expiry must not be negative", where)
	}
	app := &domain.App{Name: ac.Name, MaxFriends: ac.MaxFriends, MaxBlocked: ac.MaxBlocked, MaxPendingRequests: ac.MaxPendingRequests, Partitions: ac.Partitions,
		RequestExpiry: time.Duration(ac.RequestExpiry)}
	var zp *zim.App
	if z := ac.ZIM; z != nil {
		var err error
		if zp, err = p.zimPart(where, app, z); err != nil {
			return err
		}
	}
	if t := ac.Tencent; t != nil {
		if err := p.tencentPart(where, app, t); err != nil {
			return err
		}
	}
	if y := ac.Yunxin; y != nil {
		if err := p.yunxinPart(where, app, y, ac.MaxBlocked == 0); err != nil {
			return err
		}
	}
	if m := ac.Migrate; m != nil {
		switch {
		case ac.Tencent == nil:
			return fmt.Errorf("%s: migrate takes Tencent's callbacks, and needs the app's tencent part", where)
		case m.QPS < 0:
			return fmt.Errorf("%s: migrate.qps must not be negative", where)
		}
		if p.cfg.moving == nil {
			p.cfg.moving = map[*tencent.App]*migrateFileConfig{}
		}
		p.cfg.moving[p.cfg.tencent[len(p.cfg.tencent)-1]] = m
	}
	if cb := ac.Callback; cb != nil {
		var yp *yunxin.App
		if ac.Yunxin != nil {
			yp = p.cfg.yunxin[len(p.cfg.yunxin)-1]
		}
		c, err := appCallback(ac, cb, zp, yp)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		app.Callback = c
	}
	p.cfg.apps = append(p.cfg.apps, app)
	return nil
}

// yunxinPart checks an app's yunxin part and adds it. An app that sets
// no max_blocked takes Yunxin's blacklist cap.
func (p *appsParser) yunxinPart(where string, app *domain.App, y *yunxinFileConfig, defaultBlocks bool) error {
	switch {
	case y.AppKey == "" || y.AppSecret == "":
		return fmt.Errorf("%s: yunxin.app_key and yunxin.app_secret are required", where)
	case p.yxKeys[y.AppKey]:
		return fmt.Errorf("%s: yunxin.app_key %q repeated", where, y.AppKey)
	case y.QPS < 0:
		return fmt.Errorf("%s: yunxin.qps must not be negative", where)
	}
	p.yxKeys[y.AppKey] = true
	if defaultBlocks {
		app.MaxBlocked = yunxin.MaxList
	}
	p.cfg.yunxin = append(p.cfg.yunxin, &yunxin.App{App: app, AppKey: y.AppKey, AppSecret: y.AppSecret, QPS: y.QPS})
	return nil
}

// zimPart checks an app's zim part and adds it.
func (p *appsParser) zimPart(where string, app *domain.App, z *zimFileConfig) (*zim.App, error) {
	switch {
	case z.AppID == 0:
		return nil, fmt.Errorf("%s: zim.app_id is required", where)
	case p.zimIDs[z.AppID]:
		return nil, fmt.Errorf("%s: zim.app_id %d repeated", where, z.AppID)
	case z.ServerSecret == "":
		return nil, fmt.Errorf("%s: zim.server_secret is required", where)
	case z.QPS < 0 || z.BatchLimit < 0 || z.BatchLimit > zim.MaxBatch:
		return nil, fmt.Errorf("%s: zim.qps must be >= 0 and zim.batch_limit 0..%d", where, zim.MaxBatch)
	}
	p.zimIDs[z.AppID] = true
	zp := &zim.App{App: app, AppID: z.AppID, ServerSecret: z.ServerSecret, QPS: z.QPS, BatchLimit: z.BatchLimit}
	p.cfg.zim = append(p.cfg.zim, zp)
	return zp, nil
}

// tencentPart checks an app's tencent part and adds it.
func (p *appsParser) tencentPart(where string, app *domain.App, t *tencentFileConfig) error {
	switch {
	case t.SDKAppID == 0:
		return fmt.Errorf("%s: tencent.sdkappid is required", where)
	case p.tcIDs[t.SDKAppID]:
		return fmt.Errorf("%s: tencent.sdkappid %d repeated", where, t.SDKAppID)
	case t.SecretKey == "" || len(t.Admins) == 0:
		return fmt.Errorf("%s: tencent.secret_key and tencent.admins are required", where)
	case len(t.CustomFields) > maxCustomFields:
		return fmt.Errorf("%s: at most %d tencent.custom_fields", where, maxCustomFields)
	}
	for _, f := range t.CustomFields {
		if !customField.MatchString(f) {
			return fmt.Errorf("%s: custom field %q must be Tag_SNS_Custom_ and 1-8 letters", where, f)
		}
	}
	used := map[string]bool{}
	for f, k := range t.ZIMAttrs {
		if !slices.Contains(t.CustomFields, f) || !zimAttr.MatchString(k) || used[k] {
			return fmt.Errorf("%s: zim_attributes must map declared custom fields onto distinct keys k0-k4", where)
		}
		used[k] = true
	}
	p.tcIDs[t.SDKAppID] = true
	p.cfg.tencent = append(p.cfg.tencent, &tencent.App{App: app, SDKAppID: t.SDKAppID, SecretKey: t.SecretKey, Admins: t.Admins, QPS: t.QPS,
		CustomFields: t.CustomFields, ZIMAttributes: t.ZIMAttrs, Follow: t.Follow})
	return nil
}

// appCallback checks an app's callback part: its style defaults to the
// app's surface (tencent when it has one), a zim-style secret to the app's
// ZIM ServerSecret.
func appCallback(ac appConfig, cb *callbackFileConfig, zp *zim.App, yp *yunxin.App) (*domain.Callback, error) {
	style, secret := cb.Style, cb.Secret
	if style == "" {
		switch {
		case ac.Tencent != nil:
			style = "tencent"
		case ac.ZIM == nil && yp != nil:
			style = "yunxin"
		default:
			style = "zim"
		}
	}
	switch {
	case style == "zim" && secret == "" && zp != nil:
		secret = zp.ServerSecret
	case style == "yunxin" && secret == "" && yp != nil:
		secret = yp.AppSecret
	}
	if style == "yunxin" && yp == nil {
		return nil, errors.New("callback.style yunxin signs with the app's yunxin part, which it lacks")
	}
	c, err := callbackConfig(cb.URL, style, cb.Commands, secret, cb.MaxAttempts, cb.Backoff, cb.MaxBackoff, cb.Timeout)
	if err != nil {
		return nil, err
	}
	if cb.Token != "" && (c.Style != "tencent" || len(cb.Token) > 128) {
		return nil, errors.New("callback.token signs tencent-style callbacks and is 1-128 bytes")
	}
	c.Token = cb.Token
	return c, nil
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
		return nil, fmt.Errorf("callback.style must be tencent, zim or yunxin")
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
