package eventstore

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/amity-im/amity/domain"
	"github.com/nats-io/nats-server/v2/server"
)

// User is a NATS login of the apps file (docs/configuration.md): an admin,
// who may do what the amity subcommands do, or a subscriber of some apps.
type User struct {
	Name     string
	Password string
	Admin    bool
	Apps     []string
}

// userName: a user's name is also a subject token of its reply inbox.
var userName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Subjects and consumers the permissions name.
const (
	apiPrefix = "$JS.API."
	ackPrefix = "$JS.ACK."
	// NotifierConsumer is the notifier's durable consumer on the stream.
	NotifierConsumer = "amity_notifier"
)

// WebhookConsumer is the durable consumer of app's callbacks.
func WebhookConsumer(app string) string { return "amity_webhooks_" + app }

// Permissions returns what u may do on the server holding the streams.
//
// An admin reads every stream, answers nothing and publishes no commit: it
// may make JetStream lookups, read messages, run consumers, ask the service
// for digests and remove dead letters. A subscriber receives its apps'
// notifications and commits as core messages, and runs ordered or durable
// pull consumers on AMITY whose filter lies inside its apps' subjects (the filtered consumer-create API subject carries the filter, so
// the server checks it); it cannot publish on amity.>, administer a stream,
// read a stream's subjects, touch Amity's own consumers, or receive replies
// outside its own inbox prefix. apps are every configured app, whose
// webhook consumers are Amity's own.
func Permissions(u User, apps []string) (*server.Permissions, error) {
	if !userName.MatchString(u.Name) {
		return nil, fmt.Errorf("nats user %q: a name is 1-64 letters, digits, '-' or '_'", u.Name)
	}
	if u.Admin {
		if len(u.Apps) > 0 {
			return nil, fmt.Errorf("nats user %q: an admin reads every app; give it no apps", u.Name)
		}
		return &server.Permissions{
			Publish: &server.SubjectPermission{Allow: []string{
				apiPrefix + "INFO",
				apiPrefix + "STREAM.INFO.*",
				apiPrefix + "STREAM.NAMES",
				apiPrefix + "STREAM.LIST",
				apiPrefix + "STREAM.MSG.GET.*",
				apiPrefix + "DIRECT.GET.>",
				apiPrefix + "CONSUMER.>",
				apiPrefix + "STREAM.MSG.DELETE." + DeadLetterStream,
				ackPrefix + ">",
				domain.AdminSubjects,
			}},
			Subscribe: &server.SubjectPermission{Allow: []string{">"}},
		}, nil
	}
	if len(u.Apps) == 0 {
		return nil, fmt.Errorf("nats user %q: name its apps, or make it an admin", u.Name)
	}
	pub := []string{apiPrefix + "INFO"}
	sub := []string{domain.InboxPrefix(u.Name) + ".>"}
	for _, app := range u.Apps {
		pub = append(pub, apiPrefix+"CONSUMER.CREATE."+StreamName+".*."+domain.AppFilter(app))
		sub = append(sub, domain.NotifyFilter(app))
		sub = append(sub, domain.RelationFilter(app), domain.UserFilter(app))
	}
	var deny []string
	pub = append(pub,
		apiPrefix+"CONSUMER.MSG.NEXT."+StreamName+".*",
		apiPrefix+"CONSUMER.INFO."+StreamName+".*",
		apiPrefix+"CONSUMER.DELETE."+StreamName+".*",
		ackPrefix+StreamName+".>")
	own := []string{NotifierConsumer}
	for _, app := range apps {
		own = append(own, WebhookConsumer(app))
	}
	for _, c := range own {
		deny = append(deny,
			apiPrefix+"CONSUMER.*."+StreamName+"."+c,
			apiPrefix+"CONSUMER.*."+StreamName+"."+c+".>",
			apiPrefix+"CONSUMER.MSG.NEXT."+StreamName+"."+c,
			ackPrefix+StreamName+"."+c+".>")
	}
	return &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: pub, Deny: deny},
		Subscribe: &server.SubjectPermission{Allow: sub},
	}, nil
}

// ServicePermissions is what Amity's own user needs on an external
// cluster: its subjects, JetStream's API and acknowledgements, replies,
// and the advisories of stream leader elections.
// docs/operations.md shows it as a nats-server config block.
func ServicePermissions() *server.Permissions {
	return &server.Permissions{
		Publish:   &server.SubjectPermission{Allow: []string{domain.AllSubjects, apiPrefix + ">", ackPrefix + ">", "_INBOX.>", "$KV." + AppsBucket + ".>", "$KV." + LeasesBucket + ".>"}},
		Subscribe: &server.SubjectPermission{Allow: []string{domain.AllSubjects, "_INBOX.>", leaderElected + ">"}},
	}
}

// ServicePermissionsConfig renders ServicePermissions as the permissions
// block of a nats-server config file.
func ServicePermissionsConfig() string {
	p := ServicePermissions()
	list := func(s []string) string {
		q := make([]string, len(s))
		for i, v := range s {
			q[i] = fmt.Sprintf("%q", v)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	return fmt.Sprintf("permissions: {\n  publish: { allow: %s }\n  subscribe: { allow: %s }\n}\n",
		list(p.Publish.Allow), list(p.Subscribe.Allow))
}
