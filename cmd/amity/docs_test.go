package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/internal/testenv"
)

// docCommand is a command line shown in a fenced block of the README or a
// doc, with the place it is shown.
type docCommand struct {
	where string
	text  string
}

// docCommands reads every command line of README.md and docs/*.md: lines
// of fenced blocks (not json, go or promql ones) that start with amity,
// make, go, nats or curl, joined across trailing backslashes, comments cut.
func docCommands(t *testing.T) []docCommand {
	t.Helper()
	files, _ := filepath.Glob("../../docs/*.md")
	files = append([]string{"../../README.md"}, files...)
	var out []docCommand
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in, skip := false, false
		var cont string
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "```") {
				if !in {
					lang := strings.TrimPrefix(line, "```")
					skip = lang != "" && lang != "sh" && lang != "console"
				}
				in = !in
				continue
			}
			if !in || skip {
				continue
			}
			line = cont + strings.TrimSpace(line)
			if strings.HasSuffix(line, `\`) {
				cont = strings.TrimSuffix(line, `\`) + " "
				continue
			}
			cont = ""
			if c := strings.Index(line, "  #"); c > 0 {
				line = strings.TrimSpace(line[:c])
			}
			first, _, _ := strings.Cut(line, " ")
			if slices.Contains([]string{"amity", "make", "go", "nats", "curl"}, first) {
				out = append(out, docCommand{fmt.Sprintf("%s:%d", strings.TrimPrefix(f, "../../"), i+1), line})
			}
		}
	}
	return out
}

// words splits a command line as a shell would, for the simple quoting the
// docs use.
func words(line string) []string {
	var out []string
	var cur strings.Builder
	quote := byte(0)
	has := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '\'' || c == '"':
			quote, has = c, true
		case c == ' ':
			if cur.Len() > 0 || has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 || has {
		out = append(out, cur.String())
	}
	return out
}

var (
	placeholder = regexp.MustCompile(`\b(FILE|DIR|URL|ADDR|LEVEL|DURATION|NAME|N|U|SEQ|A)\b|\||nats://n1`)
	optional    = regexp.MustCompile(`\[([^\[\]]*)\]`)
	flagName    = regexp.MustCompile(`--([a-z][a-z0-9-]*)`)
)

// devService is `make run`'s service: amity serve with no config, on
// loopback ports, and what it printed.
type devService struct {
	*service
	dataDir, natsAddr, adminPassword, subscriberPassword string
}

func startDev(t *testing.T) *devService {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	s := &service{dataDir: dir, stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		s.done <- run(ctx, []string{"serve", "--data-dir", dir, "--http", "127.0.0.1:0", "--nats-listen", "127.0.0.1:0", "--log-level", "warn"},
			func(string) string { return "" }, s.stdout, s.stderr)
	}()
	t.Cleanup(func() { s.stop(t) })
	d := &devService{service: s, dataDir: dir}
	admin := regexp.MustCompile(`admin login (\S+) / (\S+)`)
	sub := regexp.MustCompile(`subscriber of dev: (\S+) / (\S+)`)
	if testenv.Eventually(60*time.Second, func() bool { return strings.Contains(s.stdout.String(), "ready at stream sequence") }) {
		out := s.stdout.String()
		s.httpURL = httpLine.FindStringSubmatch(out)[1]
		d.natsAddr = strings.TrimPrefix(natsLine.FindStringSubmatch(out)[1], "nats://")
		d.adminPassword = admin.FindStringSubmatch(out)[2]
		d.subscriberPassword = sub.FindStringSubmatch(out)[2]
		return d
	}
	t.Fatalf("the development service did not start:\n%s\n%s", s.stdout, s.stderr)
	return nil
}

// substitute makes a doc line runnable here: the service's addresses for
// make run's, and the printed passwords for the P and '<its password>'
// the docs write.
func (d *devService) substitute(line string) string {
	line = strings.ReplaceAll(line, "127.0.0.1:4222", d.natsAddr)
	line = strings.ReplaceAll(line, "127.0.0.1:8080", strings.TrimPrefix(d.httpURL, "http://"))
	line = strings.ReplaceAll(line, "--config apps.json", "--config "+filepath.Join(d.dataDir, "dev-app.json"))
	line = strings.ReplaceAll(line, "'<its password>'", "PASSWORD")
	if strings.Contains(line, "dev-subscriber") {
		line = strings.ReplaceAll(line, "PASSWORD", d.subscriberPassword)
	}
	line = strings.ReplaceAll(line, "PASSWORD", d.adminPassword)
	return regexp.MustCompile(`(--nats-password|--password) P\b`).ReplaceAllString(line, "$1 "+d.adminPassword)
}

// TestDocsCommandsRun runs the command lines of the README and docs
// against `make run`'s service (app dev), as written but for the
// addresses and passwords make run prints: examples run, and a synopsis
// (FILE, URL, ... or alternatives) is held to the command's flags. The
// make targets run dry (make -n); the benchmark commands are checked for
// their flags and compiled, not run (they take minutes: make bench).
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestDocsCommandsRun(t *testing.T) {
	t.Parallel() // not heavy: most of its time it waits for commands that run until stopped
	d := startDev(t)
	// The curl calls make run prints, run as a user would paste them.
	var printed []string
	sc := bufio.NewScanner(strings.NewReader(d.stdout.String()))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "APPID=") || strings.HasPrefix(l, "KEY=") || strings.HasPrefix(l, "NONCE=") || strings.HasPrefix(l, "SIG=") ||
			strings.HasPrefix(l, "SUM=") || strings.HasPrefix(l, "curl ") || strings.HasPrefix(l, "-d ") {
			printed = append(printed, l)
		}
	}
	script := strings.Join(printed, "\n")
	script = strings.ReplaceAll(script, "\\\n-d", " -d")
	out, err := exec.Command("sh", "-c", "set -e\n"+script).CombinedOutput()
	if err != nil || strings.Count(string(out), `"ErrorCode":0`)+strings.Count(string(out), `"Code":0`) != 2 || !strings.Contains(string(out), `"code":200`) {
		t.Errorf("the calls make run prints: %v\n%s\n%s", err, script, out)
	}

	cmds := docCommands(t)
	if len(cmds) < 15 {
		t.Fatalf("only %d command lines found in the docs", len(cmds))
	}
	helps := map[string]string{}
	help := func(sub []string) string {
		key := strings.Join(sub, " ")
		if h, ok := helps[key]; ok {
			return h
		}
		var o, e bytes.Buffer
		_ = run(context.Background(), append(slices.Clone(sub), "-h"), func(string) string { return "" }, &o, &e)
		helps[key] = o.String() + e.String()
		return helps[key]
	}
	benchHelp, natsPath := "", ""
	for _, c := range cmds {
		line := d.substitute(c.text)
		w := words(line)
		if w[0] == "nats" {
			t.Errorf("%s: say go tool nats, the CLI the module pins, not nats (a newcomer has no nats on the path): %s", c.where, c.text)
		}
		if len(w) > 2 && w[0] == "go" && w[1] == "tool" && w[2] == "nats" {
			w = w[2:]
		}
		switch w[0] {
		case "make":
			target := w[1]
			if out, err := exec.Command("make", "-C", "../..", "-n", target).CombinedOutput(); err != nil {
				t.Errorf("%s: make -n %s: %v\n%s", c.where, target, err, out)
			}
		case "go":
			switch {
			case strings.HasPrefix(line, "go run ./cmd/amity-bench"):
				if benchHelp == "" {
					out, _ := exec.Command("go", "run", "../amity-bench", "-h").CombinedOutput()
					benchHelp = string(out)
				}
				for _, m := range flagName.FindAllStringSubmatch(line, -1) {
					if !strings.Contains(benchHelp, "  -"+m[1]+" ") && !strings.Contains(benchHelp, "  -"+m[1]+"\n") {
						t.Errorf("%s: amity-bench has no flag --%s", c.where, m[1])
					}
				}
			case strings.HasPrefix(line, "go build"):
				// Built, to a place of the test's.
				args := slices.Clone(w[1:])
				if i := slices.Index(args, "-o"); i >= 0 && i+1 < len(args) {
					args[i+1] = filepath.Join(t.TempDir(), "built")
				}
				cmd := exec.Command("go", args...)
				cmd.Dir = "../.."
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("%s: %s: %v\n%s", c.where, line, err, out)
				}
			case strings.HasPrefix(line, "go test"):
				args := slices.Clone(w[1:])
				bench := false
				for i, a := range args {
					if a == "-bench" {
						args[i+1] = "^NoBenchmarkHasThisName$" // compile, run nothing
						bench = true
					}
				}
				if !bench {
					// A test command: its flags and packages are checked
					// (go test -n plans the build without running it), not
					// run, or the tests would run themselves again.
					args = slices.Insert(args, 1, "-n")
				}
				cmd := exec.Command("go", args...)
				cmd.Dir = "../.."
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("%s: %s: %v\n%s", c.where, line, err, out)
				}
			default:
				t.Errorf("%s: a go command the test does not know: %s", c.where, line)
			}
		case "nats":
			if natsPath == "" {
				// The tool's binary itself, so that stopping it stops it.
				cmd := exec.Command("go", "tool", "-n", "nats")
				cmd.Dir = "../.."
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("go tool -n nats: %v", err)
				}
				natsPath = strings.TrimSpace(string(out))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			cmd := exec.CommandContext(ctx, natsPath, w[1:]...)
			cmd.WaitDelay = time.Second
			out, err := cmd.CombinedOutput()
			cancel()
			// sub runs until stopped; the others end by themselves.
			if (err != nil && !(slices.Contains(w, "sub") && errors.Is(ctx.Err(), context.DeadlineExceeded))) ||
				strings.Contains(string(out), "nats: error") || strings.Contains(string(out), "Authorization Violation") {
				t.Errorf("%s: %s: %v\n%s", c.where, line, err, out)
			}
		case "amity":
			if placeholder.MatchString(line) {
				// A synopsis: each flag it names is one of the command's.
				sub := []string{w[1]}
				if w[1] == "events" || w[1] == "deadletters" || w[1] == "migrate" {
					sub = append(sub, w[2])
				}
				if strings.HasPrefix(w[1], "-") || w[1] == "version" {
					continue
				}
				h := help(sub)
				for _, m := range flagName.FindAllStringSubmatch(line, -1) {
					if !strings.Contains(h, "--"+m[1]+"  [") {
						t.Errorf("%s: amity %s has no flag --%s", c.where, strings.Join(sub, " "), m[1])
					}
				}
				continue
			}
			// An example: run it, with its optional parts.
			args := words(optional.ReplaceAllString(line, "$1"))[1:]
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			var o, e bytes.Buffer
			err := run(ctx, args, func(string) string { return "" }, &o, &e)
			cancel()
			if err != nil && ctx.Err() == nil {
				t.Errorf("%s: %s: %v\n%s%s", c.where, line, err, o.String(), e.String())
			}
		case "curl":
			line = strings.ReplaceAll(line, "ops:P ", "ops:"+d.adminPassword+" ")
			out, err := exec.Command("sh", "-c", line+" --fail-with-body").CombinedOutput()
			if err != nil {
				t.Errorf("%s: %s: %v\n%s", c.where, line, err, out)
			}
		}
	}
}
