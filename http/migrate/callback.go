package migrate

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	nethttp "net/http"
	"slices"
	"strconv"
	"time"

	"github.com/amity-im/amity/domain"
	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/http/tencent"
)

// CallbackPath is where an app moving from Tencent points its
// relationship-chain callbacks while it switches.
const CallbackPath = "/migrate/tencent/callback"

// CallbackWindow is how far a callback's RequestTime may be from the
// clock.
const CallbackWindow = 5 * time.Minute

// TencentApp is an app moving from Tencent that takes Tencent's callbacks.
type TencentApp struct {
	SDKAppID uint64
	// Token, when set, is what each callback's Sign is made with.
	Token  string
	Syncer *Syncer
}

// Config is what the migration's routes serve.
type Config struct {
	Tencent []*TencentApp
	Now     func() time.Time
	Logger  *slog.Logger
}

// Routes is the migration's table: Tencent's callbacks, applied as they
// come.
func Routes(cfg Config) amityhttp.Table {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &callbacks{cfg: cfg}
	return amityhttp.Table{Name: "migrate", Routes: []amityhttp.Route{
		{Method: nethttp.MethodPost, Path: CallbackPath, Handler: h},
	}}
}

type callbacks struct{ cfg Config }

// callbackBody holds what each relationship-chain callback may carry.
type callbackBody struct {
	CallbackCommand string
	PairList        []tencent.Pair
	From_Account    string          //nolint:revive // the wire name
	To_Account      json.RawMessage //nolint:revive // the wire name: a list (follow delete)
}

// users are the users whose graphs a callback tells of a change to.
func (b callbackBody) users() []string {
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	for _, p := range b.PairList {
		add(p.From_Account, p.To_Account)
	}
	add(b.From_Account)
	return out
}

var callbackCommands = []string{tencent.CmdFriendAdd, tencent.CmdFriendDelete, tencent.CmdBlackListAdd,
	tencent.CmdBlackListDelete, tencent.CmdFollowAdd, tencent.CmdFollowDelete}

// ServeHTTP applies one callback: it syncs every user the callback names
// with Tencent, and acknowledges only when all are in step, so that
// Tencent sends again a callback that could not be applied.
func (h *callbacks) ServeHTTP(w nethttp.ResponseWriter, r *nethttp.Request) {
	q := r.URL.Query()
	id, _ := strconv.ParseUint(q.Get("SdkAppid"), 10, 64)
	i := slices.IndexFunc(h.cfg.Tencent, func(a *TencentApp) bool { return a.SDKAppID == id })
	if i < 0 {
		ack(w, nethttp.StatusNotFound, fmt.Errorf("SdkAppid %q is not an app moving from Tencent", q.Get("SdkAppid")))
		return
	}
	app := h.cfg.Tencent[i]
	if err := h.authentic(app, q); err != nil {
		h.cfg.Logger.Warn("migration callback refused", "app", app.Syncer.App.Name, "err", err)
		ack(w, nethttp.StatusForbidden, err)
		return
	}
	var body callbackBody
	data, err := io.ReadAll(nethttp.MaxBytesReader(w, r.Body, amityhttp.MaxBodyBytes))
	if err == nil {
		err = json.Unmarshal(data, &body)
	}
	if cmd := q.Get("CallbackCommand"); err == nil && !slices.Contains(callbackCommands, cmd) {
		err = fmt.Errorf("CallbackCommand %q is not one of the relationship chain's", cmd)
	}
	if err != nil {
		ack(w, nethttp.StatusBadRequest, err)
		return
	}
	// Every graph is read before any is changed: a callback whose reads
	// fail changes nothing, and Tencent sends it again.
	var graphs []domain.Graph
	for _, user := range body.users() {
		g, err := app.Syncer.Source.Read(r.Context(), user)
		if err != nil {
			h.notApplied(w, app, user, err)
			return
		}
		graphs = append(graphs, g)
	}
	for _, g := range graphs {
		out, err := app.Syncer.Apply(r.Context(), g, Repair)
		if err == nil && len(out.Problems) > 0 {
			err = fmt.Errorf("%s", out.Problems[0])
		}
		if err != nil {
			h.notApplied(w, app, g.User, err)
			return
		}
	}
	ack(w, nethttp.StatusOK, nil)
}

// notApplied answers a callback that could not be applied, so that
// Tencent sends it again.
func (h *callbacks) notApplied(w nethttp.ResponseWriter, app *TencentApp, user string, err error) {
	h.cfg.Logger.Warn("migration callback not applied; Tencent sends it again", "app", app.Syncer.App.Name, "user", user, "err", err)
	ack(w, nethttp.StatusOK, fmt.Errorf("%s: %w", user, err))
}

// authentic checks a callback's Sign and RequestTime when the app has a
// token.
func (h *callbacks) authentic(app *TencentApp, q map[string][]string) error {
	if app.Token == "" {
		return nil
	}
	get := func(k string) string {
		if v := q[k]; len(v) == 1 {
			return v[0]
		}
		return ""
	}
	ts, err := strconv.ParseInt(get("RequestTime"), 10, 64)
	if err != nil {
		return fmt.Errorf("no RequestTime")
	}
	if d := h.cfg.Now().Sub(time.Unix(ts, 0)); d > CallbackWindow || d < -CallbackWindow {
		return fmt.Errorf("RequestTime is %s from the clock", d.Round(time.Second))
	}
	want := tencent.SignCallback(app.Token, get("RequestTime"))
	if subtle.ConstantTimeCompare([]byte(get("Sign")), []byte(want)) != 1 {
		return fmt.Errorf("wrong Sign")
	}
	return nil
}

// ack answers as Tencent's callbacks expect: ErrorCode 0 when handled, 1
// when not (Tencent then sends the callback again).
func ack(w nethttp.ResponseWriter, status int, err error) {
	body := map[string]any{"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}
	if err != nil {
		body = map[string]any{"ActionStatus": "FAIL", "ErrorCode": 1, "ErrorInfo": err.Error()}
	}
	amityhttp.WriteJSON(w, status, body)
}
