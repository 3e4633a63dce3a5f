// Package delivery owns what leaves the service: per-user notifications on
// NATS and the webhooks of app backends, with their retries and dead
// letters. Both read the stream through durable consumers, at least once and
// in stream order; each message and each callback carries its event ID and
// stream sequence, so a receiver drops what it has seen. The surfaces give
// the webhooks their styles (http/zim, http/tencent); eventstore gives the
// subjects.
package delivery
