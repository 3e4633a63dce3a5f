package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/nats-io/nats.go"
)

// natsFlags are how every command reaches an external NATS: its URL and a
// login (a credentials file, or a user and password, in the URL or
// given apart) over TLS where the server asks for it.
type natsFlags struct {
	url, creds, user, password string
	tlsCA, tlsCert, tlsKey     string
}

// register adds the NATS flags to fs, each defaulting to its env variable;
// defaultURL is the URL when neither the flag nor AMITY_NATS_URL is set.
func (n *natsFlags) register(fs *flag.FlagSet, defaultURL, urlUsage string) {
	fs.StringVar(&n.url, "nats-url", defaultURL, urlUsage)
	fs.StringVar(&n.creds, "nats-creds", "", "NATS credentials file (JWT and NKey seed)")
	fs.StringVar(&n.user, "nats-user", "", "NATS user")
	fs.StringVar(&n.password, "nats-password", "", "NATS password")
	fs.StringVar(&n.tlsCA, "nats-tls-ca", "", "CA certificate file that signs the NATS servers' certificates")
	fs.StringVar(&n.tlsCert, "nats-tls-cert", "", "client certificate file for NATS TLS")
	fs.StringVar(&n.tlsKey, "nats-tls-key", "", "client key file for NATS TLS")
}

// options are the login and TLS options the flags ask for.
func (n *natsFlags) options() ([]nats.Option, error) {
	var opts []nats.Option
	if n.creds != "" {
		if n.user != "" {
			return nil, fmt.Errorf("--nats-creds and --nats-user: give one login")
		}
		opts = append(opts, nats.UserCredentials(n.creds))
	}
	if n.user != "" || n.password != "" {
		if n.user == "" || n.password == "" {
			return nil, fmt.Errorf("--nats-user and --nats-password go together")
		}
		opts = append(opts, nats.UserInfo(n.user, n.password))
	}
	if n.tlsCA != "" {
		opts = append(opts, nats.RootCAs(n.tlsCA))
	}
	if (n.tlsCert == "") != (n.tlsKey == "") {
		return nil, fmt.Errorf("--nats-tls-cert and --nats-tls-key go together")
	}
	if n.tlsCert != "" {
		opts = append(opts, nats.ClientCert(n.tlsCert, n.tlsKey))
	}
	return opts, nil
}

// connect connects to the external NATS as name.
func (n *natsFlags) connect(name string, extra ...nats.Option) (*nats.Conn, error) {
	opts, err := n.options()
	if err != nil {
		return nil, err
	}
	nc, err := nats.Connect(n.url, append(append(opts, nats.Name(name)), extra...)...)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w%s", redactURL(n.url), err, n.loginHint(err))
	}
	return nc, nil
}

// loginHint tells, after the server refused a login (or none), where the
// login comes from.
func (n *natsFlags) loginHint(err error) string {
	if !errors.Is(err, nats.ErrAuthorization) && !errors.Is(err, nats.ErrAuthExpired) && !errors.Is(err, nats.ErrAuthRevoked) {
		return ""
	}
	given := "no login was given"
	switch {
	case n.creds != "":
		given = "the credentials file " + n.creds + " was refused"
	case n.user != "":
		given = "the login " + n.user + " was refused"
	case strings.Contains(n.url, "@"):
		given = "the login in the URL was refused"
	}
	return "\n  " + given + ": give an admin login (the apps file's nats_users; make run prints the development one) with" +
		"\n  --nats-user NAME --nats-password PASSWORD (AMITY_NATS_USER, AMITY_NATS_PASSWORD)," +
		"\n  --nats-creds FILE (AMITY_NATS_CREDS), or in the URL: nats://NAME:PASSWORD@host:4222"
}

// redactURL hides the passwords of a NATS URL list for printing.
func redactURL(urls string) string {
	u, err := url.Parse(urls)
	if err != nil || u.User == nil {
		return urls
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// openStream connects to the NATS of the flags, or, with no URL, starts a
// private embedded server on dataDir, which it locks (the service must not
// be running on it). It looks the stream up and changes nothing.
func openStream(ctx context.Context, nf natsFlags, dataDir string) (*eventstore.Store, *nats.Conn, func(), error) {
	if nf.url != "" {
		nc, err := nf.connect("amity tool")
		if err != nil {
			return nil, nil, nil, err
		}
		store, err := eventstore.Lookup(ctx, nc, eventstore.Config{})
		if err != nil {
			nc.Close()
			return nil, nil, nil, err
		}
		return store, nc, nc.Close, nil
	}
	if _, err := os.Stat(filepath.Join(dataDir, "jetstream")); err != nil {
		return nil, nil, nil, fmt.Errorf("no stream in %s: %w", dataDir, err)
	}
	unlock, err := lockDataDir(dataDir)
	if err != nil {
		return nil, nil, nil, err
	}
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: dataDir, Listen: "-", ServerName: "amity-tool"})
	if err != nil {
		unlock()
		return nil, nil, nil, err
	}
	var nc *nats.Conn
	closeAll := func() {
		if nc != nil {
			nc.Close()
		}
		ns.Shutdown()
		ns.WaitForShutdown()
		unlock()
	}
	if nc, err = ns.Connect(nats.Name("amity tool")); err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	store, err := eventstore.Lookup(ctx, nc, eventstore.Config{})
	if err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	return store, nc, closeAll, nil
}

// connectNATS connects to the external NATS given by --nats-url, or starts
// the embedded server with the config's logins and connects in-process as
// the service.
func connectNATS(f serveFlags, cfg config, logger *slog.Logger) (*nats.Conn, *eventstore.Embedded, error) {
	opts := []nats.Option{nats.Name("amity"), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				logger.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { logger.Info("nats reconnected", "url", redactURL(c.ConnectedUrl())) })}
	if f.nats.url != "" {
		nc, err := f.nats.connect("amity", opts...)
		if err != nil {
			return nil, nil, err
		}
		return nc, nil, nil
	}
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: f.dataDir, Listen: f.natsListen, SyncInterval: f.syncInterval,
		Users: cfg.users, Apps: cfg.appNames(), Logger: logger, MaxFileStore: f.maxStore})
	if err != nil {
		return nil, nil, err
	}
	nc, err := ns.Connect(opts...)
	if err != nil {
		ns.Shutdown()
		return nil, nil, err
	}
	return nc, ns, nil
}
