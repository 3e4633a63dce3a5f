package eventstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/domain"
	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// authServer starts an embedded server with an admin, a subscriber of
// app demo, and the streams holding a commit of demo and one of other.
func authServer(t *testing.T) (*eventstore.Embedded, *eventstore.Store) {
	t.Helper()
	ns, nc := startEmbedded(t, eventstore.EmbeddedConfig{Apps: []string{"demo", "other"},
		Users: []eventstore.User{
			{Name: "ops", Password: "ops-secret", Admin: true},
			{Name: "chat", Password: "chat-secret", Apps: []string{"demo"}},
		}})
	ctx := context.Background()
	s, err := eventstore.Open(ctx, nc, eventstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, "amity.demo.rel.0", 0, "c-demo", []byte(`{"app":"demo"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, "amity.other.rel.0", 0, "c-other", []byte(`{"app":"other"}`)); err != nil {
		t.Fatal(err)
	}
	// Amity's own notifier consumer.
	js, _ := jetstream.New(nc)
	if _, err := js.CreateOrUpdateConsumer(ctx, eventstore.StreamName, jetstream.ConsumerConfig{Durable: eventstore.NotifierConsumer, AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatal(err)
	}
	return ns, s
}

// login connects as user over TCP and returns the connection and the
// permission errors the server sends it.
func login(t *testing.T, ns *eventstore.Embedded, user, password string) (*nats.Conn, <-chan error) {
	t.Helper()
	errs := make(chan error, 16)
	nc, err := nats.Connect(ns.ClientURL(), nats.UserInfo(user, password), nats.CustomInboxPrefix(domain.InboxPrefix(user)),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			select {
			case errs <- err:
			default:
			}
		}))
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	t.Cleanup(nc.Close)
	return nc, errs
}

func TestAnonymousClientsAreRefused(t *testing.T) {
	ns, _ := authServer(t)
	if nc, err := nats.Connect(ns.ClientURL()); err == nil {
		nc.Close()
		t.Fatal("anonymous connect succeeded")
	} else if !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("anonymous connect error = %v, want an authorization violation", err)
	}
	if nc, err := nats.Connect(ns.ClientURL(), nats.UserInfo("chat", "wrong")); err == nil {
		nc.Close()
		t.Fatal("connect with a wrong password succeeded")
	}
}

// TestSubscriberReadsOnlyItsApp is one scenario, told in order: each step builds on the
// state the steps before it left, so it stays one function.
func TestSubscriberReadsOnlyItsApp(t *testing.T) {
	ns, s := authServer(t)
	nc, errs := login(t, ns, "chat", "chat-secret")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Its app's notifications, live.
	notes, err := nc.SubscribeSync("amity.demo.notify.>")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(ctx, []eventstore.Outgoing{{Subject: "amity.demo.notify.YWxpY2U", MsgID: "n1", Data: []byte(`{}`)}}); err != nil {
		t.Fatal(err)
	}
	if m, err := notes.NextMsg(5 * time.Second); err != nil || m.Subject != "amity.demo.notify.YWxpY2U" {
		t.Fatalf("notification: %v, %v", m, err)
	}
	// Another app's notifications never reach it.
	if _, err := nc.SubscribeSync("amity.other.notify.>"); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), "Permissions Violation") {
			t.Fatalf("subscribe to another app's notifications: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("subscribing to another app's notifications was not refused")
	}
	// Its app's events, through JetStream: what a subscriber that was away
	// catches up from.
	got, err := testenv.ReadSubjects(ctx, nc, eventstore.StreamName, "amity.demo.>")
	if err != nil || len(got) != 1 || got[0] != "amity.demo.rel.0" {
		t.Fatalf("ordered consumer on amity.demo.> = %v, %v; want the demo commit", got, err)
	}

	// Nothing of another app, nothing unfiltered, no administration: each
	// is refused by the server as a permissions violation of its API
	// subject (not merely unanswered: a slow or absent server would be
	// that too).
	refused := func(what, subject string, op func(ctx context.Context) error) {
		t.Helper()
		for len(errs) > 0 {
			<-errs
		}
		opCtx, stop := context.WithTimeout(ctx, 10*time.Second)
		defer stop()
		done := make(chan error, 1)
		go func() { done <- op(opCtx) }()
		select {
		case err := <-errs:
			if !strings.Contains(err.Error(), "Permissions Violation for Publish") || !strings.Contains(err.Error(), subject) {
				t.Errorf("%s: %v, want a permissions violation of %s", what, err, subject)
			}
		case <-opCtx.Done():
			t.Errorf("%s: no permissions violation of %s", what, subject)
		}
		stop() // a refused request has no answer: end its wait
		if err := <-done; err == nil {
			t.Errorf("%s: allowed", what)
		}
	}
	read := func(filter string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := testenv.ReadSubjects(ctx, nc, eventstore.StreamName, filter)
			return err
		}
	}
	create := "$JS.API.CONSUMER.CREATE." + eventstore.StreamName
	refused("ordered consumer on amity.other.>", "amity.other.>", read("amity.other.>"))
	refused("unfiltered ordered consumer", create, read(""))
	refused("ordered consumer on amity.*.>", "amity.*.>", read("amity.*.>"))
	js, _ := jetstream.New(nc)
	refused("delete stream", "$JS.API.STREAM.DELETE."+eventstore.StreamName, func(ctx context.Context) error {
		return js.DeleteStream(ctx, eventstore.StreamName)
	})
	refused("stream info (lists subjects)", "$JS.API.STREAM.INFO."+eventstore.StreamName, func(ctx context.Context) error {
		_, err := js.Stream(ctx, eventstore.StreamName)
		return err
	})
	next := "$JS.API.CONSUMER.MSG.NEXT." + eventstore.StreamName + "." + eventstore.NotifierConsumer
	refused("pull from Amity's notifier consumer", next, func(ctx context.Context) error {
		_, err := nc.RequestWithContext(ctx, next, []byte(`{"batch":1}`))
		return err
	})
	refused("redefine Amity's notifier consumer", create+"."+eventstore.NotifierConsumer, func(ctx context.Context) error {
		_, err := js.CreateOrUpdateConsumer(ctx, eventstore.StreamName, jetstream.ConsumerConfig{Durable: eventstore.NotifierConsumer, FilterSubject: "amity.demo.>"})
		return err
	})

	// A forged commit is refused and never stored.
	for len(errs) > 0 {
		<-errs
	}
	last, _ := s.LastSeq(ctx)
	if err := nc.Publish("amity.demo.rel.0", []byte(`{"forged":true}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Subscribe("amity.other.notify.>", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	_ = nc.Flush()
	var violations []string
	for deadline := time.After(5 * time.Second); len(violations) < 2; {
		select {
		case err := <-errs:
			violations = append(violations, err.Error())
		case <-deadline:
			t.Fatalf("permission violations reported: %v, want the publish and the subscription", violations)
		}
	}
	joined := strings.Join(violations, "\n")
	if !strings.Contains(joined, `Publish to "amity.demo.rel.0"`) || !strings.Contains(joined, `Subscription to "amity.other.notify.>"`) {
		t.Errorf("violations = %v", violations)
	}
	if now, _ := s.LastSeq(ctx); now != last {
		t.Errorf("stream sequence %d after a forged publish, want %d", now, last)
	}
	if _, err := s.LastSeq(ctx); err != nil {
		t.Errorf("the stream is gone: %v", err)
	}
}

func TestAdminReadsEverythingAndWritesNothing(t *testing.T) {
	ns, s := authServer(t)
	nc, errs := login(t, ns, "ops", "ops-secret")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := eventstore.Lookup(ctx, nc, eventstore.Config{}); err != nil {
		t.Fatalf("admin lookup: %v", err)
	}
	if got, err := testenv.ReadSubjects(ctx, nc, eventstore.StreamName, ""); err != nil || len(got) != 2 {
		t.Fatalf("admin reads %v, %v; want both apps' commits", got, err)
	}
	last, _ := s.LastSeq(ctx)
	if err := nc.Publish("amity.demo.rel.0", []byte(`{"forged":true}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), "Publish") {
			t.Errorf("violation = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an admin's publish of a commit went unrefused")
	}
	if now, _ := s.LastSeq(ctx); now != last {
		t.Errorf("stream sequence %d after an admin's publish, want %d", now, last)
	}
	js, _ := jetstream.New(nc)
	short, done := context.WithTimeout(ctx, 2*time.Second)
	defer done()
	if err := js.DeleteStream(short, eventstore.StreamName); err == nil {
		t.Error("an admin deleted the stream")
	}
}

func TestPermissionsRefuseBadUsers(t *testing.T) {
	for name, u := range map[string]eventstore.User{
		"no apps":        {Name: "a", Password: "p"},
		"admin with app": {Name: "a", Password: "p", Admin: true, Apps: []string{"demo"}},
		"dotted name":    {Name: "a.b", Password: "p", Apps: []string{"demo"}},
	} {
		if _, err := eventstore.Permissions(u, nil); err == nil {
			t.Errorf("%s: Permissions(%+v) = nil error", name, u)
		}
	}
	if _, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: t.TempDir(), Listen: "-",
		Users: []eventstore.User{{Name: "amity", Password: "x", Admin: true}}}); err == nil {
		t.Error("a user named as the service's own was taken")
	}
}
