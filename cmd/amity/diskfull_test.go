package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
)

// smallDisk mounts a tmpfs of size bytes and returns its path; where the
// test cannot mount one (not root, or no mount allowed) it skips, saying
// so.
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a full disk needs a small tmpfs, which only root may mount here; CI runs as root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("a full disk needs a small tmpfs, and mounting one failed: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file of n bytes, or as much of it as fits.
func fill(path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for written := 0; written < n; written += len(buf) {
		if _, err := f.Write(buf); err != nil {
			return
		}
	}
	_ = f.Sync()
}

// TestFullDiskRefusesWritesFastAndRecovers fills the disk under the
// embedded JetStream (a small tmpfs): writes are refused at once with the
// system error code, reads go on, /readyz says why, and writes work again
// once space returns, with no restart.
func TestFullDiskRefusesWritesFastAndRecovers(t *testing.T) {
	heavyTest(t)
	disk := smallDisk(t, 16<<20)
	dataDir, ballast := filepath.Join(disk, "data"), filepath.Join(disk, "ballast")
	s := startService(t, testConfig, dataDir, "--snapshot-interval", "0")
	z := s.zim(t, 1234567, "demo-secret")
	users := apitest.IDs("u", 400)
	registerAll(t, z, users)
	// Leave the stream a few hundred kilobytes.
	var st syscall.Statfs_t
	if err := syscall.Statfs(disk, &st); err != nil {
		t.Fatal(err)
	}
	fill(ballast, int(st.Bavail)*int(st.Bsize)-(256<<10))

	// Add until a write is refused; time the refusal.
	var refusedIn time.Duration
	var added int
	codes := map[int]int{}
	for i := 0; refusedIn == 0; i++ {
		if i >= 20000 {
			t.Fatalf("%d adds and none refused; codes %v", i, codes)
		}
		// Every pair once: u[k] with the u[k+1+i/400] after it.
		a, b := users[i%len(users)], users[(i%len(users)+1+i/len(users))%len(users)]
		start := time.Now()
		var r zim.Answer
		err := z.C.Call(context.Background(), "POST", "AddFriends", nil, map[string]any{"FromUserId": a, "FriendInfos": []fi{{"UserId": b}}}, &r)
		if err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
		codes[r.Code]++
		switch {
		case r.Code == 660000001:
			refusedIn = time.Since(start)
		case r.Code == 0 && len(r.ErrorList) == 0:
			added++
		}
	}
	t.Logf("%d adds stored, then a write refused in %s", added, refusedIn.Round(time.Millisecond))
	if refusedIn > 5*time.Second {
		t.Errorf("the refusal took %s; a full disk must refuse writes at once, not wait out the write deadline", refusedIn)
	}
	// Reads go on.
	if r := z.Get("QueryFriendList", map[string][]string{"FromUserId": {users[0]}, "Limit": {"10"}}); r.Code != 0 {
		t.Errorf("a read while the disk is full: Code %d", r.Code)
	}
	// The probe runs every 2s: it says so within one round.
	if !testenv.Eventually(probeEvery+time.Second, func() bool { code, d := readyDetail(t, s); return code != 200 && len(d.Reasons) > 0 }) {
		code, d := readyDetail(t, s)
		t.Errorf("/readyz = %d %+v while the disk is full", code, d)
	}

	// Space returns: the ballast goes.
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	freed := time.Now()
	i := 0
	var code int
	var msg string
	if !testenv.Eventually(60*time.Second, func() bool {
		a, b := "u"+fmt.Sprint(i%200), "u"+fmt.Sprint(200+i%200)
		i++
		r := z.Post("AddFriends", map[string]any{"FromUserId": a, "FriendInfos": []fi{{"UserId": b}}})
		code, msg = r.Code, r.Message
		return r.Code == 0
	}) {
		t.Fatalf("writes still refused 60s after space returned: Code %d %s\n%s", code, msg, s.stderr)
	}
	t.Logf("writes work again %s after space returned", time.Since(freed).Round(time.Millisecond))
	if !testenv.Eventually(30*time.Second, func() bool { _, d := readyDetail(t, s); return d.Status == "ready" }) {
		_, d := readyDetail(t, s)
		t.Fatalf("/readyz not ready after recovery: %+v", d)
	}
}
