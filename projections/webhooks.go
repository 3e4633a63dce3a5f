package projections

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/amity-im/amity/domain"
)

// Webhooks tell an app's backend of changes the way its platform does:
// Tencent apps get Sns.CallbackFriendAdd, Sns.CallbackFriendDelete,
// Sns.CallbackBlackListAdd and Sns.CallbackBlackListDelete with Tencent's
// query string and PairList bodies (friend_import sends none); ZIM apps get
// the same changes as ZIM-style signed callbacks. Each app's deliveries run
// through their own durable consumer, one commit at a time, so they arrive
// in stream order (and per user in order). A delivery that times out or
// answers other than 2xx is retried with backoff; after the last attempt it
// is parked on the dead-letter stream and the next one goes ahead.

// Callback commands.
const (
	CmdFriendAdd       = "Sns.CallbackFriendAdd"
	CmdFriendDelete    = "Sns.CallbackFriendDelete"
	CmdBlackListAdd    = "Sns.CallbackBlackListAdd"
	CmdBlackListDelete = "Sns.CallbackBlackListDelete"
	ZIMFriendAdded     = "friend_added"
	ZIMFriendDeleted   = "friend_deleted"
	ZIMFriendUpdated   = "friend_updated"
	ZIMBlacklistAdded  = "blacklist_added"
	ZIMBlacklistRemove = "blacklist_removed"
)

// defaultCallbackTimeout bounds one try of a callback.
const defaultCallbackTimeout = 5 * time.Second

// Delivery is one callback to send.
type Delivery struct {
	App     string          `json:"app"`
	Command string          `json:"command"`
	EventID string          `json:"event_id"`
	Seq     uint64          `json:"seq"`
	Body    json.RawMessage `json:"body"`
	// Attempts and LastError are set when the delivery is parked.
	Attempts  int       `json:"attempts,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	ParkedAt  time.Time `json:"parked_at,omitzero"`
}

// TencentPair is one entry of a Tencent PairList.
type TencentPair struct {
	From_Account      string `json:"From_Account"`                // nolint:revive // the wire name
	To_Account        string `json:"To_Account"`                  // nolint:revive // the wire name
	Initiator_Account string `json:"Initiator_Account,omitempty"` // nolint:revive // the wire name
}

// Deliveries returns the callbacks app's backend gets for commit c.
func Deliveries(app *domain.App, seq uint64, c domain.Commit) []Delivery {
	cb := app.Callback
	if cb == nil {
		return nil
	}
	var out []Delivery
	add := func(ev domain.Event, command string, body any) {
		if len(cb.Commands) > 0 && !slices.Contains(cb.Commands, command) {
			return
		}
		b, _ := json.Marshal(body)
		out = append(out, Delivery{App: app.Name, Command: command, EventID: ev.ID, Seq: seq, Body: b})
	}
	tencent := cb.Style != "zim"
	admin := ""
	if app.Tencent != nil && len(app.Tencent.Admins) > 0 {
		admin = app.Tencent.Admins[0]
	}
	tcPairs := func(ev domain.Event, command string, pairs []TencentPair, extra map[string]any) {
		body := map[string]any{"CallbackCommand": command, "PairList": pairs}
		for k, v := range extra {
			body[k] = v
		}
		add(ev, command, body)
	}
	zimEvent := func(ev domain.Event, event string, fields map[string]any) {
		fields["event"] = event
		fields["event_id"] = ev.ID
		fields["seq"] = seq
		fields["event_time"] = ev.Time.UnixMilli()
		add(ev, event, fields)
	}
	for _, ev := range c.Events {
		switch d := ev.Data.(type) {
		case domain.FriendAdded:
			if d.Imported {
				continue
			}
			if tencent {
				var pairs []TencentPair
				if d.Entry != nil {
					pairs = append(pairs, TencentPair{d.User, d.Friend, d.User})
				}
				if d.Reverse != nil {
					pairs = append(pairs, TencentPair{d.Friend, d.User, d.User})
				}
				tcPairs(ev, CmdFriendAdd, pairs, map[string]any{"ClientCmd": "friend_add", "Admin_Account": admin, "ForceFlag": 1})
			} else {
				zimEvent(ev, ZIMFriendAdded, map[string]any{"from_user_id": d.User, "user_id": d.Friend, "two_way": d.Entry != nil && d.Reverse != nil})
			}
		case domain.FriendDeleted:
			if tencent {
				pairs := []TencentPair{{From_Account: d.User, To_Account: d.Friend}}
				if d.Both {
					pairs = append(pairs, TencentPair{From_Account: d.Friend, To_Account: d.User})
				}
				tcPairs(ev, CmdFriendDelete, pairs, nil)
			} else {
				zimEvent(ev, ZIMFriendDeleted, map[string]any{"from_user_id": d.User, "user_id": d.Friend, "two_way": d.Both})
			}
		case domain.FriendUpdated:
			if !tencent {
				f := map[string]any{"from_user_id": d.User, "user_id": d.Friend}
				if d.Alias != nil {
					f["friend_alias"] = *d.Alias
				}
				if len(d.Attributes) > 0 {
					f["attributes"] = d.Attributes
				}
				zimEvent(ev, ZIMFriendUpdated, f)
			}
		case domain.UserBlocked:
			if tencent {
				tcPairs(ev, CmdBlackListAdd, []TencentPair{{From_Account: d.User, To_Account: d.Target}}, nil)
				if d.Unfriended {
					tcPairs(ev, CmdFriendDelete, []TencentPair{{From_Account: d.User, To_Account: d.Target}, {From_Account: d.Target, To_Account: d.User}}, nil)
				}
			} else {
				zimEvent(ev, ZIMBlacklistAdded, map[string]any{"from_user_id": d.User, "user_id": d.Target})
			}
		case domain.UserUnblocked:
			if tencent {
				tcPairs(ev, CmdBlackListDelete, []TencentPair{{From_Account: d.User, To_Account: d.Target}}, nil)
			} else {
				zimEvent(ev, ZIMBlacklistRemove, map[string]any{"from_user_id": d.User, "user_id": d.Target})
			}
		}
	}
	return out
}

// SignZIMCallback is ZIM's callback signature: the lowercase hex SHA-1 of
// the secret, timestamp and nonce, sorted and joined.
func SignZIMCallback(secret, timestamp, nonce string) string {
	parts := []string{secret, timestamp, nonce}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// SignTencentCallback is the Sign of a Tencent-style callback made at
// requestTime (Unix seconds) with the app's webhook token: the lowercase hex
// SHA-256 of the token followed by the time.
func SignTencentCallback(token, requestTime string) string {
	sum := sha256.Sum256([]byte(token + requestTime))
	return hex.EncodeToString(sum[:])
}

// Sender posts deliveries to their app's callback URL.
type Sender struct {
	Client *http.Client
	Now    func() time.Time
}

// Send makes one attempt at d for app.
func (s *Sender) Send(ctx context.Context, app *domain.App, d Delivery) error {
	cb := app.Callback
	if cb == nil {
		return fmt.Errorf("app %s has no callback", app.Name)
	}
	target, body := cb.URL, []byte(d.Body)
	if cb.Style == "zim" {
		var fields map[string]any
		if err := json.Unmarshal(d.Body, &fields); err != nil {
			return fmt.Errorf("delivery body: %w", err)
		}
		var nonce [8]byte
		_, _ = rand.Read(nonce[:])
		ts := strconv.FormatInt(s.Now().Unix(), 10)
		fields["nonce"] = hex.EncodeToString(nonce[:])
		fields["timestamp"] = ts
		if app.ZIM != nil {
			fields["appid"] = strconv.FormatUint(uint64(app.ZIM.AppID), 10)
		}
		fields["signature"] = SignZIMCallback(cb.Secret, ts, fields["nonce"].(string))
		var err error
		if body, err = json.Marshal(fields); err != nil {
			return err
		}
	} else {
		q := url.Values{"CallbackCommand": {d.Command}, "contenttype": {"json"}, "ClientIP": {""}, "OptPlatform": {"RESTAPI"}}
		if app.Tencent != nil {
			q.Set("SdkAppid", strconv.FormatUint(app.Tencent.SDKAppID, 10))
		}
		if cb.Token != "" {
			ts := strconv.FormatInt(s.Now().Unix(), 10)
			q.Set("RequestTime", ts)
			q.Set("Sign", SignTencentCallback(cb.Token, ts))
		}
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + q.Encode()
	}
	timeout := cb.Timeout
	if timeout <= 0 {
		timeout = defaultCallbackTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("callback request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amity-Event-Id", d.EventID)
	req.Header.Set("X-Amity-Sequence", strconv.FormatUint(d.Seq, 10))
	resp, err := s.Client.Do(req)
	if err != nil {
		return fmt.Errorf("post callback: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("callback answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// WebhookConsumer is the durable consumer name of app's callbacks.
func WebhookConsumer(app string) string { return "amity_webhooks_" + app }

// RunWebhooks delivers app's callbacks until ctx ends, parking on the
// dead-letter stream each delivery that fails every attempt.
func RunWebhooks(ctx context.Context, src Durable, app *domain.App, s *Sender, park func(ctx context.Context, app, msgID string, data []byte) error, logger *slog.Logger) error {
	cb := app.Callback
	attempts, backoff, maxBackoff := cb.MaxAttempts, cb.Backoff, cb.MaxBackoff
	if attempts <= 0 {
		attempts = 10
	}
	if backoff <= 0 {
		backoff = 500 * time.Millisecond
	}
	if maxBackoff <= 0 {
		maxBackoff = 8 * time.Second
	}
	timeout := cb.Timeout
	if timeout <= 0 {
		timeout = defaultCallbackTimeout
	}
	// A commit stays with a dispatcher for one try plus a margin; progress
	// before every try and every wait keeps it there while it retries.
	err := src.Consume(ctx, WebhookConsumer(app.Name), []string{"amity." + app.Name + "." + domain.KindRelation + ".*"}, timeout+5*time.Second,
		func(ctx context.Context, r domain.Record, progress func()) error {
			c, err := domain.DecodeRecord(r)
			if err != nil {
				logger.Error("webhooks: bad message skipped", "app", app.Name, "seq", r.Seq, "subject", r.Subject, "err", err)
				return nil
			}
			for _, d := range Deliveries(app, r.Seq, c) {
				wait := backoff
				for try := 1; ; try++ {
					progress()
					err := s.Send(ctx, app, d)
					if err == nil {
						break
					}
					if ctx.Err() != nil {
						return ctx.Err()
					}
					if try >= attempts {
						d.Attempts, d.LastError, d.ParkedAt = try, err.Error(), s.Now()
						data, _ := json.Marshal(d)
						if perr := park(ctx, app.Name, fmt.Sprintf("%s:%s", d.EventID, d.Command), data); perr != nil {
							return perr
						}
						logger.Warn("webhooks: delivery parked", "app", app.Name, "command", d.Command, "event", d.EventID, "attempts", try, "err", err)
						break
					}
					progress()
					select {
					case <-time.After(wait):
					case <-ctx.Done():
						return ctx.Err()
					}
					wait = min(2*wait, maxBackoff)
				}
			}
			return nil
		})
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("webhooks %s: %w", app.Name, err)
	}
	return nil
}
