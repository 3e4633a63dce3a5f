package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime/pprof"
	"slices"
	"strings"

	"github.com/amity-im/amity/http/tencent"
	"github.com/amity-im/amity/http/zim"
)

// minimalRef is a reference request rate for one workload: what a Go HTTP
// handler that decodes the workload's request into a struct and answers a
// constant serves of the same requests, sent by the same client.
type minimalRef struct {
	name string
	of   string // the workload compared with it
	// newReq returns a value to decode a request into.
	newReq func() any
	answer string
	f      func(c *zim.Client, tc *tencent.Client) op
}

// minimalRefs are the references of the workloads with a target ratio;
// their requests are built as the workloads build theirs.
func minimalRefs(a, b, ta []string, n int64) []minimalRef {
	const zimOK = `{"Code":0,"Message":"success","RequestId":"1","ErrorList":[]}`
	return []minimalRef{
		{name: "minimal handler, AddFriends 1 (ref.)", of: "ZIM AddFriends, 1 target", answer: zimOK,
			newReq: func() any {
				return &struct {
					FromUserId  string //nolint:revive // the wire name
					FriendInfos []struct {
						UserId, Wording, FriendAlias string //nolint:revive // the wire name
						FriendTime                   int64
					}
				}{}
			},
			f: func(c *zim.Client, _ *tencent.Client) op {
				return func(ctx context.Context, k int64, _ *rand.Rand) error {
					return call(ctx, c, "AddFriends", zimAdd1(a, n, k))
				}
			}},
		{name: "minimal handler, check of 20 (ref.)", of: "ZIM CheckFriendsRelation, 20 targets", answer: zimOK,
			newReq: func() any {
				return &struct {
					FromUserId string   //nolint:revive // the wire name
					UserIds    []string //nolint:revive // the wire name
					CheckType  int
				}{}
			},
			f: func(c *zim.Client, _ *tencent.Client) op {
				return func(ctx context.Context, _ int64, rng *rand.Rand) error {
					return call(ctx, c, "CheckFriendsRelation", zimCheck20(b, n, rng))
				}
			}},
		{name: "minimal handler, friend_add 1 (ref.)", of: "Tencent friend_add Both, 1 item",
			answer: `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ResultItem":[]}`,
			newReq: func() any {
				return &struct {
					From_Account  string //nolint:revive // the wire name
					AddType       string
					AddFriendItem []struct {
						To_Account, AddSource, Remark, GroupName, AddWording string //nolint:revive // the wire name
					}
				}{}
			},
			f: func(_ *zim.Client, tc *tencent.Client) op {
				return func(ctx context.Context, k int64, _ *rand.Rand) error {
					return tcCall(ctx, tc, "/v4/sns/friend_add", tencentAdd1(ta, n, k))
				}
			}},
	}
}

// pairedRounds runs the workload that m is the reference of, from where
// its earlier runs stopped (issued), and m's minimal handler one after the
// other, half --duration each, --paired-rounds times, so that both meet
// the machine in the same state; it returns each round's ratio and their
// median.
func pairedRounds(ctx context.Context, o options, hc *http.Client, natsURL string, m minimalRef, f op, issued map[string]int64, stderr io.Writer) (string, error) {
	half := o
	half.duration = o.duration / 2
	var ratios []float64
	var rounds []string
	for range o.pairedRounds {
		if _, _, err := waitNotifier(ctx, natsURL); err != nil {
			return "", err
		}
		fmt.Fprintf(stderr, "paired round: %s, then %s, %s each\n", m.of, m.name, half.duration)
		base := issued[m.of]
		w := drive(ctx, m.of, o.conns, half.duration, func(ctx context.Context, k int64, rng *rand.Rand) error {
			return f(ctx, base+k, rng)
		})
		issued[m.of] += w.issued
		if w.errors > 0 {
			return "", fmt.Errorf("paired round of %s: %d errors", m.of, w.errors)
		}
		ref, err := minimalHandler(ctx, half, hc, m)
		if err != nil {
			return "", err
		}
		ratios = append(ratios, w.rate()/ref.rate())
		rounds = append(rounds, fmt.Sprintf("%.1f %% (%.0f of %.0f)", 100*w.rate()/ref.rate(), w.rate(), ref.rate()))
	}
	sorted := slices.Sorted(slices.Values(ratios))
	return fmt.Sprintf("%-38s median %5.1f %%; rounds %s", m.of, 100*sorted[len(sorted)/2], strings.Join(rounds, ", ")), nil
}

// minimalHandler serves m's handler on loopback and drives it with m's
// requests at the same connections.
func minimalHandler(ctx context.Context, o options, hc *http.Client, m minimalRef) (result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	answer := []byte(m.answer + "\n")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := json.NewDecoder(r.Body).Decode(m.newReq()); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	})}
	go func() {
		// Its connections carry the handler's name as a profile label.
		pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels("server", m.name)))
		_ = srv.Serve(ln)
	}()
	defer srv.Close()
	c, tc, err := clients("http://"+ln.Addr().String(), hc)
	if err != nil {
		return result{}, err
	}
	return drive(ctx, m.name, o.conns, o.duration, m.f(c, tc)), nil
}
