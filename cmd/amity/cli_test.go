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
	err := run(ctx, []string{"serve", "--no-such-flag"}, noEnv, &out, &errb)
	var shown errShown
	if !errors.As(err, &shown) || strings.Count(errb.String(), "flag provided but not defined") != 1 {
		t.Errorf("a bad flag: %v (printed already: %v)\n%s", err, errors.As(err, &shown), errb.String())
	}
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
