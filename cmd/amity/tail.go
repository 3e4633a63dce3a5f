package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/amity-im/amity/domain"
)

const eventsUsage = `usage: amity events tail [--nats-url URL] [--app A] [--user U] [--from SEQ]

  tail  print each event as it is stored, one JSON line each

run "amity events tail -h" for the flags
`

// eventsCmd runs "amity events tail": print events as they arrive.
//
//	amity events tail [--nats-url URL | --data-dir DIR] [--app A] [--user U] [--from SEQ]
func eventsCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if _, err := pickVerb("events", args, []string{"tail"}, eventsUsage, stdout, stderr); err != nil {
		return err
	}
	fs := newFlagSet("amity events tail", stderr)
	var nf natsFlags
	nf.register(fs, "nats://127.0.0.1:4222", "NATS URL of the running service or cluster")
	app := fs.String("app", "", "only this app's events")
	user := fs.String("user", "", "only events about this user")
	from := fs.Uint64("from", 0, "start at this stream sequence (default: only new events)")
	if err := parseFlags(fs, args[1:], getenv); err != nil {
		return err
	}
	store, _, closeAll, err := openStream(ctx, nf, "")
	if err != nil {
		return err
	}
	defer closeAll()
	start := *from
	if start == 0 {
		last, err := store.LastSeq(ctx)
		if err != nil {
			return err
		}
		start = last + 1
	}
	subjects := domain.AppFilter("*")
	if *app != "" {
		subjects = domain.AppFilter(*app)
	}
	enc := json.NewEncoder(stdout)
	err = store.Tail(ctx, subjects, start, func(r domain.Record) error {
		c, err := domain.DecodeRecord(r)
		if err != nil {
			fmt.Fprintf(stderr, "amity: message %d on %s skipped: %v\n", r.Seq, r.Subject, err)
			return nil
		}
		for _, ev := range c.Events {
			if *user != "" && !slices.Contains(ev.Users(), *user) {
				continue
			}
			if err := enc.Encode(struct {
				Seq     uint64       `json:"seq"`
				Subject string       `json:"subject"`
				Event   domain.Event `json:"event"`
			}{r.Seq, r.Subject, ev}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
