package main

import (
	"context"
	"fmt"
	"io"
)

const deadLettersUsage = `usage: amity deadletters list|replay [--nats-url URL] [--app NAME] [flags]

  list    print each parked callback delivery, oldest first
  replay  send each parked delivery once more to its app's callback URL;
          those the backend takes leave the dead-letter stream

run "amity deadletters list -h" or "amity deadletters replay -h" for the flags
`

// deadLetters lists or replays the callback deliveries parked on the
// dead-letter stream:
//
//	amity deadletters list   [--nats-url URL] [--app NAME]
//	amity deadletters replay [--nats-url URL] [--app NAME] [--config FILE | --data-dir DIR]
//
// replay sends each parked delivery once more to its app's current callback
// URL and removes it from the stream when the backend answers 2xx.
func deadLetters(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	verb, err := pickVerb("deadletters", args, []string{"list", "replay"}, deadLettersUsage, stdout, stderr)
	if err != nil {
		return err
	}
	fs := newFlagSet("amity deadletters "+verb, stderr)
	var nf natsFlags
	nf.register(fs, "nats://127.0.0.1:4222", "NATS URL of the running service or cluster")
	app := fs.String("app", "", "only this app's deliveries")
	configPath := fs.String("config", getenv("AMITY_CONFIG"), "app config file (replay: the callback URLs and secrets)")
	dataDir := fs.String("data-dir", "data", "data directory of the development app, when no --config")
	if err := parseFlags(fs, args[1:], getenv); err != nil {
		return err
	}
	store, _, closeAll, err := openStream(ctx, nf, "")
	if err != nil {
		return err
	}
	defer closeAll()
	recs, err := store.DeadLetters(ctx, *app)
	if err != nil {
		return err
	}
	if verb == "list" {
		for _, r := range recs {
			fmt.Fprintf(stdout, "%d %s\n", r.Seq, r.Data)
		}
		fmt.Fprintf(stderr, "%d parked deliveries\n", len(recs))
		return nil
	}
	var cfg config
	if *configPath != "" {
		cfg, err = loadConfig(*configPath)
	} else {
		cfg, _, err = devApp(*dataDir)
	}
	if err != nil {
		return err
	}
	delivered, failed, err := replayDeadLetters(ctx, store, cfg, recs, func(format string, args ...any) { fmt.Fprintf(stderr, format, args...) })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "delivered %d, still parked %d\n", delivered, failed)
	if failed > 0 {
		return fmt.Errorf("%d deliveries still parked", failed)
	}
	return nil
}
