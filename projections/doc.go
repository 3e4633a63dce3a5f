// Package projections builds Amity's read models from the stream and answers
// every query from them.
//
// Model holds users and relations (who is in whose list, with the entry
// data). It is fed in two ways that meet at one idempotent Apply:
//
//   - Follow, an ordered consumer over the whole stream from a sequence,
//     which delivers every commit once, in stream order (at-least-once across
//     restarts: a restart replays from the start or a checkpoint);
//   - the Writer (package writer), which applies a commit it has just stored
//     so the command that caused it can answer with the change visible
//     (read-your-writes).
//
// A stored message that is not a commit the model can apply is skipped by
// the same rule everywhere (Skip; domain.ErrBadRecord). The read models
// send nothing: notifications and webhooks are package delivery's.
//
// Apply keeps the last applied sequence of each partition subject and skips
// a commit at or below it, so a redelivered or doubly-applied commit changes
// nothing. Commits of one partition are applied in stream order; commits of
// different partitions touch different pairs and commute.
package projections
