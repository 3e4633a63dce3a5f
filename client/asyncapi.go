package client

import _ "embed"

// AsyncAPI is the AsyncAPI 3.0 description of what a client reads: the
// commits channel amity.{app}.{kind}.{partition}, the notifications
// channel amity.{app}.notify.{token}, the logins each needs, and a JSON
// Schema of the commit, of every event's data and of a notification. amity
// serve serves it at /asyncapi.yaml; the tests validate every event type
// and notification against it.
//
//go:embed asyncapi.yaml
var AsyncAPI []byte
