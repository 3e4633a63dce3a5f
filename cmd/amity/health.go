package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amity-im/amity/eventstore"
	"github.com/amity-im/amity/projections"
	"github.com/nats-io/nats.go"
)

// Health probes. /livez: the process answers. /readyz (and /healthz, its
// alias): the models have caught up with the stream, NATS is connected,
// the stream answered a probe within probeBound, and it takes writes.
const (
	probeEvery = 2 * time.Second
	probeBound = 10 * time.Second
)

// health is what the health endpoints tell: the state of the connection,
// the stream and the models, refreshed by probe.
type health struct {
	nc    *nats.Conn
	store *eventstore.Store
	model *projections.Model
	now   func() time.Time
	// natsAddr names the NATS server: the embedded one's own address
	// (the service's connection to it is in-process, and its URL names
	// no listener), or "" for the connection's server.
	natsAddr func() string

	// caughtUp: the first catch-up is done; the surfaces serve reads.
	caughtUp atomic.Bool

	mu          sync.Mutex
	lastOK      time.Time // the last probe that reached the stream
	probeErr    string
	streamSeq   uint64
	notifyLag   uint64
	deadLetters uint64
	downReason  string
}

// healthDetail is the JSON body of /readyz and /livez.
type healthDetail struct {
	Status string `json:"status"`
	// Reasons says why the service is not ready.
	Reasons         []string              `json:"reasons,omitempty"`
	NATSConnected   bool                  `json:"nats_connected"`
	NATSServer      string                `json:"nats_server,omitempty"`
	CaughtUp        bool                  `json:"caught_up"`
	StreamSeq       uint64                `json:"stream_seq"`
	ModelSeq        uint64                `json:"model_seq"`
	Followed        uint64                `json:"followed_seq"`
	Lag             uint64                `json:"lag"`
	NotifierPending uint64                `json:"notifier_pending"`
	LastProbeAgo    string                `json:"last_probe_ok_ago,omitempty"`
	Skipped         uint64                `json:"skipped_messages"`
	SkippedRecent   []projections.Skipped `json:"skipped_recent,omitempty"`
}

// probed returns what the last probe found: the stream's last sequence,
// the notifier's pending commits and the parked deliveries.
func (h *health) probed() (streamSeq, notifyLag, deadLetters uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.streamSeq, h.notifyLag, h.deadLetters
}

func (h *health) setCaughtUp() {
	h.caughtUp.Store(true)
}

// isCaughtUp reports whether the models have caught up with the stream
// once: the surfaces answer from then on, reads from the models even while
// NATS is away, writes with the system error while it is.
func (h *health) isCaughtUp() bool { return h.caughtUp.Load() }

func (h *health) detail() healthDetail {
	h.mu.Lock()
	defer h.mu.Unlock()
	d := healthDetail{NATSConnected: h.nc.IsConnected(), CaughtUp: h.caughtUp.Load(), StreamSeq: h.streamSeq,
		ModelSeq: h.model.Seq(), Followed: h.model.Followed(), NotifierPending: h.notifyLag}
	if d.NATSConnected {
		d.NATSServer = redactURL(h.nc.ConnectedUrl())
		if h.natsAddr != nil {
			d.NATSServer = h.natsAddr()
		}
	}
	d.Skipped, d.SkippedRecent = h.model.Skips()
	if len(d.SkippedRecent) > 10 {
		d.SkippedRecent = d.SkippedRecent[len(d.SkippedRecent)-10:]
	}
	if d.StreamSeq > d.Followed {
		d.Lag = d.StreamSeq - d.Followed
	}
	if !h.lastOK.IsZero() {
		d.LastProbeAgo = h.now().Sub(h.lastOK).Round(time.Millisecond).String()
	}
	if !d.CaughtUp {
		d.Reasons = append(d.Reasons, "catching up with the stream")
	}
	if !d.NATSConnected {
		d.Reasons = append(d.Reasons, "NATS disconnected")
	}
	if h.lastOK.IsZero() || h.now().Sub(h.lastOK) > probeBound {
		d.Reasons = append(d.Reasons, fmt.Sprintf("no answer from the stream within %s: %s", probeBound, h.probeErr))
	}
	if h.downReason != "" {
		d.Reasons = append(d.Reasons, h.downReason)
	}
	d.Status = "ready"
	if len(d.Reasons) > 0 {
		d.Status = "not_ready"
	}
	return d
}

// probe asks the stream for its end and the notifier for its backlog every
// probeEvery until ctx ends; down tells why writes are refused, if they are.
func (h *health) probe(ctx context.Context, down func() error) {
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, probeEvery)
		seq, err := h.store.LastSeq(pctx)
		lag, lerr := h.store.Pending(pctx, eventstore.NotifierConsumer)
		dead, derr := h.store.DeadLetterCount(pctx)
		cancel()
		h.mu.Lock()
		if err == nil {
			h.lastOK, h.streamSeq, h.probeErr = h.now(), seq, ""
		} else {
			h.probeErr = err.Error()
		}
		if lerr == nil {
			h.notifyLag = lag
		}
		if derr == nil {
			h.deadLetters = dead
		}
		h.downReason = ""
		if down != nil {
			if derr := down(); derr != nil {
				h.downReason = derr.Error()
			}
		}
		h.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// live answers /livez: the process serves.
func (h *health) live(w http.ResponseWriter, _ *http.Request) {
	writeHealth(w, http.StatusOK, map[string]string{"status": "alive"})
}

// ready answers /readyz and /healthz: 200 once ready, 503 with the reason
// before.
func (h *health) ready(w http.ResponseWriter, _ *http.Request) {
	d := h.detail()
	code := http.StatusOK
	if d.Status != "ready" {
		code = http.StatusServiceUnavailable
	}
	writeHealth(w, code, d)
}

func writeHealth(w http.ResponseWriter, code int, v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}
