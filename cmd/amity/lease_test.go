package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/http/zim"
	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
	"github.com/nats-io/nats.go/jetstream"
)

// wideConfig has an app spread over 64 partitions, as apps from before
// recorded counts are: its pairs never share a partition's sequence check,
// so only one writer per app keeps its caps.
const wideConfig = `{"apps":[{"name":"wide","partitions":64,"zim":{"app_id":1234567,"server_secret":"demo-secret","qps":1000000}}]}`

// externalNATS starts a nats-server for Amity instances to share.
func externalNATS(t *testing.T) *eventstore.Embedded {
	t.Helper()
	ns, err := eventstore.StartEmbedded(eventstore.EmbeddedConfig{StoreDir: t.TempDir(), Listen: "127.0.0.1:0", ServerName: "external"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	return ns
}

// leaseHolder reads who holds app's write lease.
func leaseHolder(t *testing.T, js jetstream.JetStream, app string) string {
	t.Helper()
	kv, err := js.KeyValue(context.Background(), eventstore.LeasesBucket)
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(context.Background(), app)
	if err != nil {
		return ""
	}
	return string(e.Value())
}

// TestTwoInstancesHoldACapExactly adds 3100 friends to one user through two
// instances at once, 16 clients on each: exactly 3000 adds are taken, the
// other 100 refused at the cap, and both instances count 3000.
func TestTwoInstancesHoldACapExactly(t *testing.T) {
	heavyTest(t)
	if testing.Short() {
		t.Skip("3100 adds through two instances")
	}
	ns := externalNATS(t)
	a := startService(t, wideConfig, "", "--nats-url", ns.ServiceURL())
	b := startService(t, wideConfig, "", "--nats-url", ns.ServiceURL())
	za, zb := a.zim(t, 1234567, "demo-secret"), b.zim(t, 1234567, "demo-secret")
	targets := apitest.IDs("c", 3100)
	registerAll(t, za, append([]string{"hub"}, targets...))

	var added, refused, other atomic.Int64
	var wg sync.WaitGroup
	for g := range 32 {
		z := za
		if g%2 == 1 {
			z = zb
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < len(targets); i += 32 {
				r := z.Post("AddFriends", map[string]any{"FromUserId": "hub", "FriendInfos": []fi{{"UserId": targets[i]}}})
				// One item: a refusal is also the answer's code.
				switch code, failed := r.SubCodes()[targets[i]]; {
				case !failed && r.Code == 0:
					added.Add(1)
				case code == 660800028 && r.Code == 660800028:
					refused.Add(1)
				default:
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if added.Load() != 3000 || refused.Load() != 100 || other.Load() != 0 {
		t.Errorf("%d adds taken, %d refused at the cap, %d other answers; want 3000, 100, 0", added.Load(), refused.Load(), other.Load())
	}
	for name, z := range map[string]*apitest.ZIM{"a": za, "b": zb} {
		if n := z.Get("QueryFriendList", url.Values{"FromUserId": {"hub"}, "Limit": {"1"}}).TotalCount; n != 3000 {
			t.Errorf("instance %s counts %d friends of hub, want 3000", name, n)
		}
	}
}

// TestKillingTheLeaseHolderLosesNothing writes through two instance
// processes on one NATS server and kills the one holding the app's write
// lease with SIGKILL in the middle: the other takes the lease, every add
// either instance acknowledged is stored, and no add is stored twice.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestKillingTheLeaseHolderLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	heavyTest(t)
	ns := externalNATS(t)
	files := func(name string) (string, string) {
		dir := t.TempDir()
		cfgPath := filepath.Join(dir, "amity.json")
		if err := os.WriteFile(cfgPath, []byte(withTestAdmin(t, wideConfig)), 0o600); err != nil {
			t.Fatal(err)
		}
		return cfgPath, filepath.Join(dir, name)
	}
	cfgA, dirA := files("a")
	a, procA := startProcess(t, cfgA, dirA, "--nats-url", ns.ServiceURL())
	nc, err := ns.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	holderA := ""
	testenv.Eventually(10*time.Second, func() bool { holderA = leaseHolder(t, js, "wide"); return holderA != "" })
	if holderA == "" {
		t.Fatal("the first instance took no lease")
	}
	cfgB, dirB := files("b")
	b, _ := startProcess(t, cfgB, dirB, "--nats-url", ns.ServiceURL())
	za, zb := a.zim(t, 1234567, "demo-secret"), b.zim(t, 1234567, "demo-secret")
	people := apitest.IDs("k", 400)
	registerAll(t, zb, people)

	// Each client adds its own pairs, one per call, until it has made 150
	// calls; a's clients stop at the kill, b's go on through it.
	type ack struct{ from, to string }
	var mu sync.Mutex
	var acked []ack
	var failedB atomic.Int64
	killed := make(chan struct{})
	var killedAt atomic.Int64
	var failover atomic.Int64 // the quickest add sent after the kill, answered

	var wg sync.WaitGroup
	for c := range 16 {
		z := za
		if c%2 == 1 {
			z = zb
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 150 {
				from, to := people[c], people[16+(c*150+i)%384]
				if from == to {
					continue
				}
				sent := time.Now().UnixNano()
				var r zim.Answer
				err := z.C.Call(context.Background(), "POST", "AddFriends", nil, map[string]any{"FromUserId": from, "FriendInfos": []fi{{"UserId": to}}}, &r)
				ok := err == nil && r.Code == 0 && len(r.ErrorList) == 0
				if z == za {
					select {
					case <-killed:
						return
					default:
					}
				} else if !ok {
					failedB.Add(1)
				}
				if ok {
					mu.Lock()
					acked = append(acked, ack{from, to})
					mu.Unlock()
					if k := killedAt.Load(); k > 0 && sent > k {
						took := time.Now().UnixNano() - k
						for old := failover.Load(); (old == 0 || took < old) && !failover.CompareAndSwap(old, took); old = failover.Load() {
						}
					}
				}
			}
		}()
	}
	until(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 300 })
	killedAt.Store(time.Now().UnixNano())
	if err := procA.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	close(killed)
	_ = procA.Wait()
	wg.Wait()

	holderB := leaseHolder(t, js, "wide")
	if holderB == "" || holderB == holderA {
		t.Errorf("lease held by %q after the kill; it was %q", holderB, holderA)
	}
	if failedB.Load() != 0 {
		t.Errorf("%d adds through the surviving instance failed; its calls in flight must be answered", failedB.Load())
	}
	t.Logf("writes through the survivor resumed %s after the kill (the first add sent after it, answered)", time.Duration(failover.Load()).Round(time.Millisecond))
	adds := committedFriendAdds(t, ns.ServiceURL())
	stored := map[string]int{}
	for _, p := range adds {
		stored[p[0]+">"+p[1]]++
	}
	for k, n := range stored {
		if n != 1 {
			t.Errorf("add %s stored %d times", k, n)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, a := range acked {
		if stored[a.from+">"+a.to] != 1 {
			t.Errorf("acknowledged add %s>%s stored %d times", a.from, a.to, stored[a.from+">"+a.to])
		}
	}
	t.Logf("%d adds acknowledged, %d stored", len(acked), len(adds))
}
