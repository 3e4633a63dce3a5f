// Package domain owns Amity's friend graph: users, the pair aggregate that holds
// both directions of a friendship, the commands that change them, the events
// those commands record, and the typed errors they return.
//
// The package imports only the standard library. Time, ids and storage are
// passed in: the event store, the read model and the clock are ports
// (interfaces) that cmd/amity wires to JetStream and the projections.
//
// State changes only by recording events. A command is decided against the
// current state of its aggregate and yields one event or a domain error; the
// Writer groups the events of commands waiting on one partition into a commit
// and appends it with the partition's expected last sequence.
package domain
