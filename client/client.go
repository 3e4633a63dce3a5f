// Package client is for services outside Amity that follow an app's
// friend graph from the NATS stream Amity writes: every change as it is
// stored, from a position the service kept, then live.
//
// Connect with a NATS login of the app (a subscriber's, from the apps
// file's nats_users, or an admin's), then pick how to follow:
//
//   - [Client.Follow] reads every commit of one app after a stream
//     sequence, in stream order, decoded into the domain's typed events,
//     then each new one as it is stored, in one loop that rides out a
//     server restart or a leader change, and says when it has caught up.
//     The caller keeps the last sequence it handled (in a file, a
//     database) and starts from it next time.
//   - [Client.Consume] has the server keep the position instead: a named
//     durable consumer, at least once, each commit acknowledged after the
//     caller's handler returns.
//   - [Client.Notifications] is the per-user notifications the notifier
//     publishes, live, with the commits of a gap (before the subscription,
//     or while the connection was away) read from the stream and handed
//     over in order, once.
//   - [Client.Rebuild] runs a [Projection] over an app's whole stream as
//     fast as it can be read, then keeps it live.
//
// The commits' form is docs/events.md, and /asyncapi.yaml describes the
// subjects and every event's schema for other languages.
package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/internal/retry"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config is how a client reaches Amity's NATS.
type Config struct {
	// URL is the NATS server, or several comma-separated
	// (nats://127.0.0.1:4222).
	URL string
	// User and Password are a login of the apps file's nats_users: a
	// subscriber of the app, or an admin. CredsFile is a credentials file
	// instead.
	User, Password string
	CredsFile      string
	// TLS, when set, is used to reach the server.
	TLS *tls.Config
	// Name names the connection in the server's monitoring.
	Name string
}

// Client is a connection to Amity's NATS. It reconnects by itself.
type Client struct {
	nc *nats.Conn
	js jetstream.JetStream
	// reconnected is closed and replaced each time the connection comes
	// back: what Notifications catches up after.
	reconnected chan struct{}
	mu          chan struct{} // guards reconnected and refused
	// refused is the last permission violation the server reported: the
	// server tells it apart from the request it refused, which times out.
	refused error
}

// Connect logs in to Amity's NATS with cfg. A subscriber's replies come
// under its own inbox prefix (_INBOX.<user>), the only one its login may
// read; the client reconnects for as long as it lives.
func Connect(cfg Config) (*Client, error) {
	c := &Client{reconnected: make(chan struct{}), mu: make(chan struct{}, 1)}
	opts := []nats.Option{nats.Name(cfg.Name), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectHandler(func(*nats.Conn) { c.signalReconnect() }),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			if errors.Is(err, nats.ErrPermissionViolation) {
				c.mu <- struct{}{}
				c.refused = err
				<-c.mu
			}
		})}
	if cfg.User != "" {
		opts = append(opts, nats.UserInfo(cfg.User, cfg.Password), nats.CustomInboxPrefix(domain.InboxPrefix(cfg.User)))
	}
	if cfg.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(cfg.CredsFile))
	}
	if cfg.TLS != nil {
		opts = append(opts, nats.Secure(cfg.TLS))
	}
	nc, err := nats.Connect(cfg.URL, opts...)
	if err != nil {
		if errors.Is(err, nats.ErrAuthorization) {
			return nil, fmt.Errorf("connect %s: the server refused the login %q: give a subscriber login of the app (the apps file's nats_users) "+
				"or an admin's, with its password: %w", cfg.URL, cfg.User, err)
		}
		return nil, fmt.Errorf("connect %s: %w", cfg.URL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	c.nc, c.js = nc, js
	return c, nil
}

// Close closes the connection.
func (c *Client) Close() { c.nc.Close() }

// Conn is the client's NATS connection, for what this package does not do.
func (c *Client) Conn() *nats.Conn { return c.nc }

func (c *Client) signalReconnect() {
	c.mu <- struct{}{}
	close(c.reconnected)
	c.reconnected = make(chan struct{})
	<-c.mu
}

// reconnects is a channel closed at the next reconnection.
func (c *Client) reconnects() <-chan struct{} {
	c.mu <- struct{}{}
	defer func() { <-c.mu }()
	return c.reconnected
}

// Commit is one commit of the stream: its sequence, and its events, typed
// (domain.FriendAdded, domain.UserBlocked, ...).
type Commit struct {
	// Seq is the commit's stream sequence: the position to keep.
	Seq     uint64
	Subject string
	domain.Commit
	// Redelivered marks a commit a durable consumer hands out again,
	// after a try that was not acknowledged in time.
	Redelivered bool
}

// refusal turns a server's refusal of what a login may not do into an
// error that says what to do; other errors pass as they are. A refused
// request has no answer but the server's report of the violation, which
// names app's subjects.
func (c *Client) refusal(app string, err error) error {
	if err == nil {
		return nil
	}
	c.mu <- struct{}{}
	violation := c.refused
	if violation != nil && strings.Contains(violation.Error(), strings.TrimSuffix(domain.AppFilter(app), ">")) {
		c.refused = nil
	} else {
		violation = nil
	}
	<-c.mu
	if violation != nil || errors.Is(err, nats.ErrPermissionViolation) {
		return fmt.Errorf("%w: the login may not read app %q: a subscriber reads only the apps its nats_users entry names (docs/operations.md): %w",
			ErrRefused, app, errors.Join(err, violation))
	}
	return err
}

// ErrRefused is the server refusing what the login may not do: another
// app's commits, a stream's administration, Amity's own consumers.
var ErrRefused = errors.New("refused by the server")

// ErrNoApp is an app the Amity of the stream does not serve.
var ErrNoApp = errors.New("no such app")

// appsBucket is where amity serve records each app it serves (with its
// partition count) when it starts.
const appsBucket = "AMITY_APPS"

// appKnown refuses an app, without commits, that the apps amity serve
// records do not name: a misspelt name. A login that may not read the
// record (a subscriber's) is not told: its own apps are served.
func (c *Client) appKnown(ctx context.Context, app string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	kv, err := c.js.KeyValue(ctx, appsBucket)
	if err != nil {
		return nil
	}
	_, err = kv.Get(ctx, app)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("%w: %q: this Amity serves no app of that name, and its stream holds none of its commits (the apps file names the apps)", ErrNoApp, app)
	}
	return nil
}

// decode reads a stream message as a commit.
func decode(msg jetstream.Msg, seq uint64) (Commit, error) {
	c, err := domain.DecodeRecord(domain.Record{Subject: msg.Subject(), Seq: seq, Data: msg.Data()})
	if err != nil {
		return Commit{Seq: seq, Subject: msg.Subject()}, err
	}
	return Commit{Seq: seq, Subject: msg.Subject(), Commit: c}, nil
}

// reconnect paces the tries after the server went away: from 100 ms,
// doubling up to 2 s, a fifth of each drawn at random so that services
// that lost the server together do not come back together.
var reconnect = retry.Backoff{First: 100 * time.Millisecond, Max: 2 * time.Second, Jitter: 0.2}
