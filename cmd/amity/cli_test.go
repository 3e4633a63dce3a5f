package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
	"time"
)

// TestCLI: -h is not an error on any command; a flag error is printed once
// (by the flag set, so main prints nothing more); version names the build.
func TestCLI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	noEnv := func(string) string { return "" }
	for _, args := range [][]string{{"serve", "-h"}, {"replay", "-h"}, {"verify", "--help"}, {"events", "tail", "-h"}, {"deadletters", "list", "-h"}, {"help"}} {
		var out, errb bytes.Buffer
		if err := run(ctx, args, noEnv, &out, &errb); err != nil {
			t.Errorf("amity %v = %v, want no error", args, err)
		}
		if args[0] != "help" && !strings.Contains(errb.String(), "[AMITY_NATS_URL]") {
			t.Errorf("amity %v lists no environment variables:\n%s", args, errb.String())
		}
	}
	var out, errb bytes.Buffer
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out.Reset()
		if err := run(ctx, args, noEnv, &out, &errb); err != nil || !strings.HasPrefix(out.String(), "amity ") || !strings.Contains(out.String(), "go1.") {
			t.Errorf("amity %v = %v, %q", args, err, out.String())
		}
	}
	if err := run(ctx, []string{"serve", "extra"}, noEnv, &out, &errb); err == nil || errors.Is(err, flag.ErrHelp) {
		t.Errorf("serve with an argument = %v", err)
	}
}

// TestHelpOfEveryCommand: -h on a command with verbs prints its usage and
// is not an error, and amity help <command> is amity <command> -h.
func TestHelpOfEveryCommand(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"events", "-h"}, "amity events tail"},
		{[]string{"deadletters", "-h"}, "amity deadletters list|replay"},
		{[]string{"deadletters", "--help"}, "amity deadletters list|replay"},
		{[]string{"migrate", "-h"}, "amity migrate copy|verify"},
		{[]string{"help", "serve"}, "usage of amity serve"},
		{[]string{"help", "events"}, "amity events tail"},
		{[]string{"help", "events", "tail"}, "usage of amity events tail"},
		{[]string{"help", "migrate", "copy"}, "usage of amity migrate copy"},
		{[]string{"help"}, "usage: amity <command>"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), c.args, noEnv, &out, &errb)
		if err != nil || !strings.Contains(out.String()+errb.String(), c.want) {
			t.Errorf("amity %s = %v, want no error and %q:\n%s%s", strings.Join(c.args, " "), err, c.want, out.String(), errb.String())
		}
	}
	for _, args := range [][]string{{"events"}, {"deadletters", "show"}, {"help", "nothing"}} {
		var out, errb bytes.Buffer
		if err := run(context.Background(), args, noEnv, &out, &errb); err == nil {
			t.Errorf("amity %s is not an error", strings.Join(args, " "))
		}
	}
}

// TestFlagErrorsStayOnScreen: a wrong flag or value is one line that says
// what is wrong, the flag meant and where the flags are listed, and the
// usage does not follow it and push it off the screen.
func TestFlagErrorsStayOnScreen(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"serve", "--snapshot-intervl", "5m"}, []string{"no flag --snapshot-intervl", "did you mean --snapshot-interval?", "amity serve -h"}},
		{[]string{"serve", "--htp", ":8080"}, []string{"did you mean --http?"}},
		{[]string{"serve", "--snapshot-interval", "5"}, []string{`--snapshot-interval "5"`, "unit", "5m"}},
		{[]string{"serve", "--replicas", "-1"}, []string{"--replicas -1", "1 to 5"}},
		{[]string{"serve", "--replicas", "6"}, []string{"--replicas 6", "1 to 5"}},
		{[]string{"serve", "--replicas", "three"}, []string{`--replicas "three"`, "whole number"}},
		{[]string{"serve", "--sync-interval", "-1s"}, []string{"--sync-interval", "negative"}},
		{[]string{"serve", "--nats-max-store", "-5"}, []string{"--nats-max-store -5"}},
		{[]string{"events", "tail", "--form", "3"}, []string{"did you mean --from?", "amity events tail -h"}},
		{[]string{"migrate", "copy", "--workers", "0"}, []string{"--workers 0"}},
		{[]string{"migrate", "verify", "--qps", "-2"}, []string{"--qps -2"}},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), c.args, noEnv, &out, &errb)
		if err == nil {
			t.Errorf("amity %s: no error", strings.Join(c.args, " "))
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("amity %s: %q does not say %q", strings.Join(c.args, " "), err, w)
			}
		}
		if strings.Contains(err.Error(), "\n") || strings.Contains(errb.String(), "usage of") {
			t.Errorf("amity %s: the error is not one line on its own:\n%v\n%s", strings.Join(c.args, " "), err, errb.String())
		}
	}
	var errb bytes.Buffer
	if _, err := parseServeFlags(nil, func(k string) string { return map[string]string{"AMITY_SNAPSHOT_INTERVAL": "5"}[k] }, &errb); err == nil ||
		!strings.Contains(err.Error(), "AMITY_SNAPSHOT_INTERVAL") || !strings.Contains(err.Error(), "unit") {
		t.Errorf("AMITY_SNAPSHOT_INTERVAL=5: %v", err)
	}
}

// TestEveryFlagHasItsVariable sets every flag of amity serve from its
// environment variable, and checks the command line wins over it.
func TestEveryFlagHasItsVariable(t *testing.T) {
	t.Parallel()
	env := map[string]string{}
	var errb bytes.Buffer
	// The usage names each flag's variable.
	if _, err := parseServeFlags([]string{"-h"}, func(string) string { return "" }, &errb); !errors.Is(err, flag.ErrHelp) ||
		!strings.Contains(errb.String(), "--sync-interval  [AMITY_SYNC_INTERVAL]") {
		t.Fatalf("-h: %v, usage:\n%s", err, errb.String())
	}
	env["AMITY_SYNC_INTERVAL"] = "250ms"
	env["AMITY_REPLICAS"] = "3"
	env["AMITY_LOG_FORMAT"] = "json"
	env["AMITY_SNAPSHOT_INTERVAL"] = "1m"
	env["AMITY_HTTP_IDLE_TIMEOUT"] = "7s"
	env["AMITY_NATS_PASSWORD"] = "pw"
	got, err := parseServeFlags([]string{"--replicas", "5"}, func(k string) string { return env[k] }, &errb)
	if err != nil {
		t.Fatal(err)
	}
	if got.syncInterval != 250*time.Millisecond || got.replicas != 5 || got.logFormat != "json" || got.snapEvery != time.Minute ||
		got.http.idle != 7*time.Second || got.nats.password != "pw" {
		t.Errorf("flags from the environment: %+v", got)
	}
	env["AMITY_SYNC_INTERVAL"] = "soon"
	if _, err := parseServeFlags(nil, func(k string) string { return env[k] }, &errb); err == nil || !strings.Contains(err.Error(), "AMITY_SYNC_INTERVAL") {
		t.Errorf("a bad variable: %v", err)
	}
}

// TestEveryFlagOfEveryCommandHasItsVariable: each flag of each command is
// set by its AMITY_ variable, and the usage names that variable.
func TestEveryFlagOfEveryCommandHasItsVariable(t *testing.T) {
	var sets []*flag.FlagSet
	flagSetMade = func(fs *flag.FlagSet) { sets = append(sets, fs) }
	defer func() { flagSetMade = nil }()
	for _, cmd := range [][]string{{"serve"}, {"replay"}, {"verify"}, {"events", "tail"}, {"deadletters", "list"}, {"deadletters", "replay"},
		{"migrate", "copy"}, {"migrate", "verify"}} {
		var out, errb bytes.Buffer
		if err := run(context.Background(), append(cmd, "-h"), func(string) string { return "" }, &out, &errb); err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("amity %s -h: %v", strings.Join(cmd, " "), err)
		}
		if len(sets) == 0 || !strings.Contains(errb.String(), "[AMITY_") {
			t.Fatalf("amity %s -h made no flag set, or its usage names no variable:\n%s", strings.Join(cmd, " "), errb.String())
		}
	}
	if len(sets) != 8 {
		t.Fatalf("%d flag sets for 8 commands", len(sets))
	}
	flags := 0
	for _, fs := range sets {
		var usage bytes.Buffer
		fs.SetOutput(&usage)
		fs.Usage()
		fs.VisitAll(func(f *flag.Flag) {
			flags++
			v := valueFor(f)
			env := map[string]string{envName(f.Name): v}
			if err := parseFlags(fs, nil, func(k string) string { return env[k] }); err != nil {
				t.Errorf("%s --%s from %s=%q: %v", fs.Name(), f.Name, envName(f.Name), v, err)
				return
			}
			if got := f.Value.String(); got != v {
				t.Errorf("%s --%s from %s=%q is %q", fs.Name(), f.Name, envName(f.Name), v, got)
			}
			if !strings.Contains(usage.String(), "--"+f.Name+"  ["+envName(f.Name)+"]") {
				t.Errorf("%s usage does not name %s for --%s", fs.Name(), envName(f.Name), f.Name)
			}
		})
	}
	t.Logf("%d flags of %d commands", flags, len(sets))
}

// valueFor is a value of f's type other than its default.
func valueFor(f *flag.Flag) string {
	switch f.Value.(flag.Getter).Get().(type) {
	case bool:
		if f.DefValue == "true" {
			return "false"
		}
		return "true"
	case int, int64, uint, uint64:
		return "7"
	case time.Duration:
		return "7s"
	default:
		return "value-of-" + f.Name
	}
}

func TestLogFormats(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	l, err := newLogger(&b, "info", "json")
	if err != nil {
		t.Fatal(err)
	}
	l.Info("request", "request_id", "r1")
	if !strings.HasPrefix(b.String(), `{"time":`) || !strings.Contains(b.String(), `"request_id":"r1"`) {
		t.Errorf("json log line %q", b.String())
	}
	if _, err := newLogger(&b, "info", "xml"); err == nil {
		t.Error("--log-format xml was taken")
	}
	if _, err := newLogger(&b, "loud", "text"); err == nil {
		t.Error("--log-level loud was taken")
	}
}

func TestTrustedProxiesParse(t *testing.T) {
	got, err := parsePrefixes(" 10.0.0.0/8, 192.0.2.7 ,::1,,2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "::1/128", "2001:db8::/32"}
	if len(got) != len(want) {
		t.Fatalf("parsePrefixes = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("parsePrefixes[%d] = %v, want %s", i, got[i], want[i])
		}
	}
	if _, err := parsePrefixes("10.0.0.0/8,proxy.example"); err == nil || !strings.Contains(err.Error(), "proxy.example") {
		t.Errorf("parsePrefixes of a name = %v, want an error naming it", err)
	}
	var errb bytes.Buffer
	if _, err := parseServeFlags([]string{"--trusted-proxies", "nonsense"}, func(string) string { return "" }, &errb); err == nil || !strings.Contains(err.Error(), "--trusted-proxies") {
		t.Errorf("--trusted-proxies nonsense: %v", err)
	}
}
