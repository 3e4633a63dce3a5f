package main

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amity-im/amity/internal/testenv/apitest"
)

// TestDevAppKeepsOnlyHashes: the development app's NATS passwords are made
// once, handed back to be printed that once, and kept as bcrypt hashes;
// a file from before keeps its logins with their passwords hashed.
func TestDevAppKeepsOnlyHashes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, made, err := devApp(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 2 || made[devAdmin] == "" || made[devSubscriber] == "" {
		t.Fatalf("the first start made %v, want a password for %s and %s", made, devAdmin, devSubscriber)
	}
	file, err := os.ReadFile(filepath.Join(dir, "dev-app.json"))
	if err != nil {
		t.Fatal(err)
	}
	for user, password := range made {
		if strings.Contains(string(file), password) {
			t.Errorf("dev-app.json holds %s's password as text", user)
		}
	}
	for _, u := range cfg.users {
		if !bcryptLike.MatchString(u.Password) {
			t.Errorf("%s's password is kept as %q, not a bcrypt hash", u.Name, u.Password)
		}
	}
	if _, again, err := devApp(dir); err != nil || len(again) != 0 {
		t.Errorf("a second start made %v (%v), want nothing: the passwords are printed once", again, err)
	}

	old := t.TempDir()
	if err := os.WriteFile(filepath.Join(old, "dev-app.json"), []byte(`{"apps":[{"name":"dev","zim":{"app_id":1000001,"server_secret":"s"},
	 "tencent":{"sdkappid":1400000001,"secret_key":"k","admins":["administrator"]}}],
	 "nats_users":[{"user":"ops","password":"plain-old","admin":true}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, made, err = devApp(old)
	if err != nil || made["ops"] != "plain-old" || !bcryptLike.MatchString(cfg.users[0].Password) {
		t.Errorf("an older file: made %v, kept %q, %v; want its password hashed and printed once more", made, cfg.users[0].Password, err)
	}
}

var bcryptLike = regexp.MustCompile(`^\$2[abxy]\$\d{2}\$.{53}$`)

// TestMakeRun runs `make run` as a newcomer does: it starts with no
// warning about the logins it made itself, its app serves the documented
// follow calls, and Ctrl-C (SIGINT to the terminal's process group) ends
// the service cleanly and make with status 0, saying nothing of an error.
func TestMakeRun(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skipf("no make here: %v", err)
	}
	cmd := exec.Command("make", "--no-print-directory", "-C", "../..", "run")
	// Built as make test builds the packages (-race -trimpath), the binary
	// reuses what the test build compiled: only its link is new.
	cmd.Env = append(os.Environ(), "AMITY_DATA_DIR="+t.TempDir(), "AMITY_HTTP=127.0.0.1:0", "AMITY_NATS_LISTEN=127.0.0.1:0",
		"GOFLAGS=-race -trimpath")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a terminal's process group of its own
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); pw.Close() }()
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	lines := make(chan string, 1024)
	var all strings.Builder
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var httpURL string
	var sdkappid int
	var key string
	tencentLine := regexp.MustCompile(`Tencent  sdkappid=(\d+)  SecretKey=(\S+)`)
	deadline := time.After(3 * time.Minute) // the first build of a clean checkout
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("make run ended before it was ready:\n%s", &all)
			}
			all.WriteString(l + "\n")
			if m := httpLine.FindStringSubmatch(l); m != nil {
				httpURL = m[1]
			}
			if m := tencentLine.FindStringSubmatch(l); m != nil {
				sdkappid, _ = strconv.Atoi(m[1])
				key = m[2]
			}
			if strings.Contains(l, "ready at stream sequence") {
				break wait
			}
		case <-deadline:
			t.Fatalf("make run was not ready in 3 minutes:\n%s", &all)
		}
	}
	tc := apitest.NewTencent(t, httpURL, sdkappid, key)
	apitest.WantTC(t, "import", tc.Call("/v4/im_open_login_svc/multiaccount_import", apitest.Accounts("ann", "ben")), 0)
	apitest.WantTC(t, "the documented follow_add", tc.Call("/v4/follow/follow_add", apitest.Obj{"From_Account": "ann", "FollowItem": []apitest.Obj{{"To_Account": "ben"}}}), 0)

	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		t.Fatalf("make run did not end a minute after Ctrl-C:\n%s", &all)
	}
	for l := range lines {
		all.WriteString(l + "\n")
	}
	// make itself takes the Ctrl-C too: it ends as any program a Ctrl-C
	// stops does (killed by SIGINT, which a shell does not report), or with
	// status 0; never with an error status of its own.
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGINT) {
		t.Errorf("make run after Ctrl-C: %v, want status 0 or the SIGINT it was sent", err)
	}
	out := all.String()
	for _, bad := range []string{"make: ***", "Plaintext passwords", "level=ERROR"} {
		if strings.Contains(out, bad) {
			t.Errorf("make run printed %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "shutting down") {
		t.Errorf("make run did not shut the service down:\n%s", out)
	}
}
