package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/amity-im/amity/delivery"
	"github.com/amity-im/amity/domain"
)

// deadLetters lists or replays the callback deliveries parked on the
// dead-letter stream:
//
//	amity deadletters list   [--nats-url URL] [--app NAME]
//	amity deadletters replay [--nats-url URL] [--app NAME] [--config FILE | --data-dir DIR]
//
// replay sends each parked delivery once more to its app's current callback
// URL and removes it from the stream when the backend answers 2xx.
func deadLetters(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "replay") {
		return fmt.Errorf("usage: amity deadletters list|replay [flags]")
	}
	verb := args[0]
	fs := newFlagSet("amity deadletters "+verb, stderr)
	var nf natsFlags
	nf.register(fs, getenv, "nats://127.0.0.1:4222", "NATS URL of the running service or cluster")
	app := fs.String("app", "", "only this app's deliveries")
	configPath := fs.String("config", getenv("AMITY_CONFIG"), "app config file (replay: the callback URLs and secrets)")
	dataDir := fs.String("data-dir", orDefault(getenv("AMITY_DATA_DIR"), "data"), "data directory of the development app, when no --config")
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
		cfg, err = devApp(*dataDir)
	}
	if err != nil {
		return err
	}
	byName := map[string]*domain.App{}
	for _, a := range cfg.apps {
		byName[a.Name] = a
	}
	sender := newSender(&http.Client{Timeout: 30 * time.Second}, cfg)
	delivered, failed := 0, 0
	for _, r := range recs {
		var d delivery.Delivery
		if err := json.Unmarshal(r.Data, &d); err != nil {
			fmt.Fprintf(stderr, "dead letter %d: %v\n", r.Seq, err)
			failed++
			continue
		}
		a := byName[d.App]
		if a == nil || a.Callback == nil {
			fmt.Fprintf(stderr, "dead letter %d: app %q has no callback in the config\n", r.Seq, d.App)
			failed++
			continue
		}
		if err := sender.Send(ctx, a, d); err != nil {
			fmt.Fprintf(stderr, "dead letter %d (%s %s): %v\n", r.Seq, d.App, d.Command, err)
			failed++
			continue
		}
		if err := store.DropDeadLetter(ctx, r.Seq); err != nil {
			return err
		}
		delivered++
	}
	fmt.Fprintf(stdout, "delivered %d, still parked %d\n", delivered, failed)
	if failed > 0 {
		return fmt.Errorf("%d deliveries still parked", failed)
	}
	return nil
}
