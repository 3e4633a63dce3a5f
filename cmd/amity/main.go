// Command amity is the Amity friendship service.
//
//	amity serve [--config FILE] [--data-dir DIR] [--http ADDR] [--nats-listen ADDR] [--nats-url URL]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "amity:", err)
		os.Exit(1)
	}
}

const usage = `usage: amity <command> [flags]

commands:
  serve        run the service (embedded NATS by default)
  deadletters  list or replay callback deliveries that failed every attempt
  migrate      copy an app's friend graph from ZIM or Tencent, verify and repair it
  replay       rebuild every read model from the stream and print its digest
  verify       compare a running instance's read models with a replay
  events tail  print events as they arrive
  version      print the version and the revision it was built from

run "amity <command> -h" (or "amity help <command>") for the command's flags;
each flag can also be set by its environment variable, AMITY_<FLAG NAME>
(--nats-url: AMITY_NATS_URL)
`

// run is the whole program; main only supplies the process's context,
// arguments, environment and streams. -h on any command is not an error.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if err := command(ctx, args, getenv, stdout, stderr); err != nil && !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil
}

func command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "replay":
		return replayCmd(ctx, args[1:], getenv, stdout, stderr)
	case "events":
		return eventsCmd(ctx, args[1:], getenv, stdout, stderr)
	case "verify":
		return verifyCmd(ctx, args[1:], getenv, stdout, stderr)
	case "deadletters":
		return deadLetters(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[1] != "help" && !strings.HasPrefix(args[1], "-") {
			return command(ctx, append(args[1:], "-h"), getenv, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return nil
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, version())
		return nil
	default:
		return fmt.Errorf("unknown command %q; run \"amity help\" for the commands", args[0])
	}
}
