// Package eventstore keeps Amity's events on NATS JetStream: it starts the
// embedded nats-server, creates the AMITY stream, appends commits with a
// per-subject expected sequence and a Nats-Msg-Id, and reads the stream in
// order for the projections. No NATS type crosses into domain: JetStream's
// "wrong last sequence" errors (10071, 10164) become domain.ErrConflict.
package eventstore
