// Package eventstore keeps Amity's events on NATS JetStream: it starts the
// embedded nats-server with its logins and permissions, creates the AMITY
// stream, appends commits with a per-subject expected sequence and a
// Nats-Msg-Id, and reads the stream in order for the projections. It owns
// the names of streams, subjects and Amity's own consumers; the packages
// above ask it for them. No NATS type crosses into domain: JetStream's
// "wrong last sequence" errors (10071, 10164) become domain.ErrConflict.
// Package memory holds the same store in memory, and storetest the
// behaviour both promise.
package eventstore
