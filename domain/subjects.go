package domain

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Every NATS subject Amity uses has its shape here, built and parsed side by
// side. All of them start with the app's token after "amity.", so one app's
// permissions (amity.<app>.>) never reach another's:
//
//	amity.<app>.<kind>.<partition>   a commit on the AMITY stream (kind rel or user)
//	amity.<app>.notify.<user token>  a user's live notifications
//	amity.<app>.call.<holder>        a call forwarded to the holder of the app's write lease
//	amity.dlq.<app>                  a parked webhook delivery (DLQ stream)
//	amity.admin.<request>            the tools' requests to the service
//
// User IDs never appear as themselves: a user token is the ID in base64url
// without padding (UserToken), so '.', '*' and '>' in an ID stay data.
const subjectRoot = "amity."

// Aggregate kinds, the third token of a commit subject.
const (
	KindRelation = "rel"
	KindUser     = "user"
)

// The third token of the subjects that are not commits.
const (
	kindNotify = "notify"
	kindCall   = "call"
)

// The subjects of the tools' requests to the service: the digest of its
// read models, the users of one digest bucket, and a migration's changes.
const (
	AdminSubjects     = "amity.admin.>"
	AdminDigest       = "amity.admin.digest"
	AdminDigestBucket = "amity.admin.digest.bucket"
	// AdminMigrate carries a migration's changes (a Call of the migration
	// commands, MigrationCommand) for the service to record.
	AdminMigrate = "amity.admin.migrate"
	// AdminGraph asks for one user's graph as the service holds it, for a
	// migration to compare with the vendor's.
	AdminGraph = "amity.admin.graph"
)

// AllSubjects is the filter of every subject of Amity's.
const AllSubjects = "amity.>"

// StreamSubjects are the subjects of the AMITY stream: every app's commits.
var StreamSubjects = []string{CommitFilter("*", KindRelation), CommitFilter("*", KindUser)}

// Subject is the stream subject that holds the commits of k's partition:
// amity.<app>.<kind>.<partition>.
func Subject(app string, k Key, partitions int) string {
	return subjectRoot + app + "." + k.Kind + "." + strconv.Itoa(k.Partition(partitions))
}

// ParseSubject splits a commit subject amity.<app>.<kind>.<partition>; ok
// is false for anything else.
func ParseSubject(subject string) (app, kind, partition string, ok bool) {
	app, rest, ok := cutToken(subject)
	kind, partition, found := strings.Cut(rest, ".")
	if !ok || !found || kind == "" || partition == "" || strings.Contains(partition, ".") {
		return "", "", "", false
	}
	return app, kind, partition, true
}

// SubjectApp returns the app of a commit subject; ok is false for anything
// that is not one.
func SubjectApp(subject string) (string, bool) {
	app, _, _, ok := ParseSubject(subject)
	return app, ok
}

// AppFilter is the filter of every subject of app ("*": of every app).
func AppFilter(app string) string { return subjectRoot + app + ".>" }

// StreamName is the JetStream stream that holds every app's commits.
const StreamName = "AMITY"

// CommitFilter is the filter of app's commits of one kind ("*": every app).
func CommitFilter(app, kind string) string { return subjectRoot + app + "." + kind + ".*" }

// RelationFilter is the filter of app's relation commits ("*": every app).
func RelationFilter(app string) string { return CommitFilter(app, KindRelation) }

// UserFilter is the filter of app's user commits ("*": every app).
func UserFilter(app string) string { return CommitFilter(app, KindUser) }

// UserToken encodes a user ID as a subject token: base64url, no padding.
func UserToken(user string) string { return base64.RawURLEncoding.EncodeToString([]byte(user)) }

// ParseUserToken decodes a token UserToken made.
func ParseUserToken(token string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || token == "" {
		return "", false
	}
	return string(b), true
}

// NotifySubject is the subject of user's notifications in app.
func NotifySubject(app, user string) string {
	return subjectRoot + app + "." + kindNotify + "." + UserToken(user)
}

// NotifyFilter is the filter of every notification of app ("*": every app).
func NotifyFilter(app string) string { return subjectRoot + app + "." + kindNotify + ".>" }

// ParseNotifySubject returns the app and user of a notification subject.
func ParseNotifySubject(subject string) (app, user string, ok bool) {
	app, rest, ok := cutToken(subject)
	token, found := strings.CutPrefix(rest, kindNotify+".")
	if !ok || !found || strings.Contains(token, ".") {
		return "", "", false
	}
	user, ok = ParseUserToken(token)
	return app, user, ok
}

// CallSubject is where the instance holder takes app's forwarded calls
// (app "*": every app's).
func CallSubject(app, holder string) string {
	return subjectRoot + app + "." + kindCall + "." + holder
}

// ParseCallSubject returns the app and holder of a forwarded call's subject.
func ParseCallSubject(subject string) (app, holder string, ok bool) {
	app, rest, ok := cutToken(subject)
	holder, found := strings.CutPrefix(rest, kindCall+".")
	if !ok || !found || holder == "" || strings.Contains(holder, ".") {
		return "", "", false
	}
	return app, holder, true
}

// DeadLetterSubject is the subject of app's parked webhook deliveries
// ("*": every app's).
func DeadLetterSubject(app string) string { return subjectRoot + "dlq." + app }

// ParseDeadLetterSubject returns the app of a parked delivery's subject.
func ParseDeadLetterSubject(subject string) (string, bool) {
	app, ok := strings.CutPrefix(subject, subjectRoot+"dlq.")
	if !ok || app == "" || strings.Contains(app, ".") {
		return "", false
	}
	return app, true
}

// InboxPrefix is the reply-inbox prefix a subscriber login's client must
// use (nats.CustomInboxPrefix): a subscriber may only receive replies
// there, so no one reads another's.
func InboxPrefix(login string) string { return "_INBOX." + login }

// cutToken splits "amity.<app>.<rest>" into app and rest.
func cutToken(subject string) (app, rest string, ok bool) {
	s, ok := strings.CutPrefix(subject, subjectRoot)
	if !ok {
		return "", "", false
	}
	app, rest, ok = strings.Cut(s, ".")
	if !ok || app == "" || rest == "" {
		return "", "", false
	}
	return app, rest, true
}

// SubjectHasApp reports whether subject is one of app's.
func SubjectHasApp(subject, app string) bool {
	owner, _, ok := cutToken(subject)
	return ok && owner == app
}
