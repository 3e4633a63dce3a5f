package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// envName is the environment variable of a flag: AMITY_ and the flag's
// name in capitals, dashes as underscores (--nats-url: AMITY_NATS_URL).
func envName(flagName string) string {
	return "AMITY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// flagSetMade, when set, is told of every command's flag set as it is
// made: the tests hold every flag of every command to its variable.
var flagSetMade func(*flag.FlagSet)

// newFlagSet makes a command's flag set; its usage lists each flag with
// its environment variable.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if flagSetMade != nil {
		flagSetMade(fs)
	}
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage of %s (each flag also from its environment variable; the command line wins):\n", name)
		fs.VisitAll(func(f *flag.Flag) {
			def := ""
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
				def = fmt.Sprintf(" (default %q)", f.DefValue)
			}
			fmt.Fprintf(fs.Output(), "  --%s  [%s]\n    \t%s%s\n", f.Name, envName(f.Name), f.Usage, def)
		})
	}
	return fs
}

// parseFlags sets each flag of fs from its environment variable, when set,
// then parses args over them. -h prints the usage and is flag.ErrHelp.
// Any other error is one line: what is wrong, the flag meant when the name
// is misspelt, and where the flags are listed; the usage is not printed,
// so the error stays on the screen.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: %s; see %s -h", envName(f.Name), v, valueHint(f, err), fs.Name())
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	out := fs.Output()
	var usage bytes.Buffer
	fs.SetOutput(&usage)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		_, _ = out.Write(usage.Bytes())
		return err
	}
	if err != nil {
		return flagError(fs, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected arguments %q; see %s -h", strings.TrimPrefix(fs.Name(), "amity "), fs.Args(), fs.Name())
	}
	var negative error
	fs.Visit(func(f *flag.Flag) {
		if d, ok := f.Value.(flag.Getter).Get().(time.Duration); ok && d < 0 && negative == nil {
			negative = fmt.Errorf("--%s %s: a duration here cannot be negative", f.Name, d)
		}
	})
	return negative
}

// The flag package's parse errors, whose parts flagError rewords.
var (
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	invalidValue  = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]+): `)
)

// flagError says a parse error of fs the way the rest of amity says
// errors: the flag as --name, the closest flag to an unknown one, what a
// value should look like.
func flagError(fs *flag.FlagSet, err error) error {
	msg, cmd := err.Error(), strings.TrimPrefix(fs.Name(), "amity ")
	see := fmt.Sprintf("see %s -h", fs.Name())
	if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
		if near := closestFlag(fs, m[1]); near != "" {
			return fmt.Errorf("%s: no flag --%s; did you mean --%s? (%s)", cmd, m[1], near, see)
		}
		return fmt.Errorf("%s: no flag --%s; %s", cmd, m[1], see)
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		if f := fs.Lookup(m[2]); f != nil {
			return fmt.Errorf("%s: --%s %q: %s; %s", cmd, m[2], m[1], valueHint(f, errors.Unwrap(err)), see)
		}
	}
	return fmt.Errorf("%s: %s; %s", cmd, strings.Replace(msg, " -", " --", 1), see)
}

// valueHint says what a value of f must look like, after a Set that
// failed with err.
func valueHint(f *flag.Flag, err error) string {
	switch f.Value.(flag.Getter).Get().(type) {
	case time.Duration:
		return "not a duration: give a number with its unit, such as 30s, 5m, 1h or 500ms"
	case bool:
		return "not true or false"
	case int, int64:
		return "not a whole number"
	case uint, uint64:
		return "not a whole number of zero or more"
	}
	if err == nil {
		return "not a value of this flag"
	}
	return err.Error()
}

// closestFlag is the flag of fs whose name is nearest to name, when one
// is near enough to be a slip of the fingers.
func closestFlag(fs *flag.FlagSet, name string) string {
	best, bestDist := "", len(name)/2+2
	fs.VisitAll(func(f *flag.Flag) {
		if d := editDistance(name, f.Name); d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkRange is an error when the flag name's value n is outside lo..hi.
func checkRange(name string, n, lo, hi int64) error {
	if n < lo || n > hi {
		return fmt.Errorf("--%s %d: must be %d to %d", name, n, lo, hi)
	}
	return nil
}

// pickVerb reads the verb of a command that has verbs (amity events tail,
// amity deadletters list): -h, --help or help prints usage to stdout and
// is flag.ErrHelp; no verb or another word prints it to stderr and is an
// error.
func pickVerb(command string, args []string, verbs []string, usage string, stdout, stderr io.Writer) (string, error) {
	if len(args) > 0 && slices.Contains([]string{"-h", "-help", "--help", "help"}, args[0]) {
		fmt.Fprint(stdout, usage)
		return "", flag.ErrHelp
	}
	if len(args) > 0 && slices.Contains(verbs, args[0]) {
		return args[0], nil
	}
	fmt.Fprint(stderr, usage)
	if len(args) == 0 {
		return "", fmt.Errorf("%s: say %s", command, strings.Join(verbs, " or "))
	}
	return "", fmt.Errorf("%s: no verb %q; say %s", command, args[0], strings.Join(verbs, " or "))
}

// newLogger makes the logger of --log-level and --log-format.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

// version is the binary's module version and the revision it was built
// from, as the Go toolchain recorded them.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "amity (no build information)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	out := "amity " + v
	if rev != "" {
		out += fmt.Sprintf(" (revision %s%s, %s)", rev, dirty, at)
	}
	return out + " " + info.GoVersion
}
