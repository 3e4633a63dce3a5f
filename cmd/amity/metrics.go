package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	amityhttp "github.com/amity-im/amity/http"
	"github.com/amity-im/amity/projections"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the service's Prometheus metrics (docs/operations.md lists
// them): what the surfaces, the writer and the senders count as they go,
// and what the read model and the last health probe hold, read at each
// scrape.
type metrics struct {
	reg                            *prometheus.Registry
	logger                         *slog.Logger
	requests                       *prometheus.CounterVec
	latency                        *prometheus.HistogramVec
	commits                        *prometheus.CounterVec
	commands                       prometheus.Histogram
	appends                        prometheus.Histogram
	conflict                       prometheus.Counter
	notifiedCommits, notifications prometheus.Counter
	delivery                       *prometheus.CounterVec

	mu sync.Mutex
	// lastNotified is the time of the last commit the notifier sent.
	lastNotified time.Time
}

// newMetrics registers every metric; model and h are read at each scrape.
func newMetrics(model *projections.Model, h *health, logger *slog.Logger) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{reg: reg, logger: logger}
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "amity_http_requests_total",
		Help: "Calls answered, by surface (zim, tencent, v1), action and result code."}, []string{"surface", "action", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "amity_http_request_duration_seconds",
		Help:    "Time from a call's arrival to its answer, by surface and action.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}}, []string{"surface", "action"})
	m.commits = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "amity_commits_total",
		Help: "Commits the writer stored (result ok) or failed to store (result error)."}, []string{"result"})
	m.commands = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "amity_commit_size_commands",
		Help: "Commands that changed something, per stored commit (group commit).", Buckets: prometheus.ExponentialBuckets(1, 2, 9)})
	m.appends = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "amity_append_duration_seconds",
		Help: "Time to store one commit on the stream, synced.", Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 12)})
	m.conflict = prometheus.NewCounter(prometheus.CounterOpts{Name: "amity_commit_conflicts_total",
		Help: "Commits that lost a race to another writer and were decided again (each is a retry)."})
	m.notifiedCommits = prometheus.NewCounter(prometheus.CounterOpts{Name: "amity_notifier_commits_read_total",
		Help: "Commits the notifier read from the stream."})
	m.notifications = prometheus.NewCounter(prometheus.CounterOpts{Name: "amity_notifier_notifications_published_total",
		Help: "Notifications the notifier published (live on NATS, not stored)."})
	m.delivery = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "amity_webhook_deliveries_total",
		Help: "Tries of webhook deliveries, by app, callback command and result (ok, retry, parked)."}, []string{"app", "command", "result"})
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.commits, m.commands, m.appends, m.conflict, m.notifiedCommits, m.notifications, m.delivery} {
		f(c)
	}
	m.readModel(model, f)
	m.probed(h, f)
	return m
}

// readModel registers the figures the read model keeps: its size, its
// position, and where history answers read from.
func (m *metrics) readModel(model *projections.Model, f func(prometheus.Collector)) {
	gauge := func(name, help string, v func() float64) {
		f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, v))
	}
	gauge("amity_model_users", "Registered users in the read model.", func() float64 { return float64(model.Size().Users) })
	gauge("amity_model_edges", "Directed friend edges in the read model (a two-way friendship is 2).", func() float64 { return float64(model.Size().Edges) })
	gauge("amity_model_blocks", "Blocklist entries in the read model.", func() float64 { return float64(model.Size().Blocks) })
	gauge("amity_model_history_index_bytes", "Memory of the read model's history index.", func() float64 { return float64(model.HistoryBytes()) })
	gauge("amity_model_sequence", "Highest stream sequence the read model applied.", func() float64 { return float64(model.Seq()) })
	gauge("amity_model_followed_sequence", "The in-order read's position: every commit at or below it is applied.", func() float64 { return float64(model.Followed()) })
	for _, src := range []string{"log", "stream"} {
		f(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "amity_history_events_total",
			Help:        "Events /v1 history answers read, by where from: the read model's event log, or (not in the log) their commits on the stream.",
			ConstLabels: prometheus.Labels{"source": src}}, func() float64 {
			given, missed := model.EventLogReads()
			if src == "log" {
				return float64(given)
			}
			return float64(missed)
		}))
	}
	f(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "amity_skipped_messages_total",
		Help: "Stored messages no projection could apply, skipped (docs/operations.md)."}, func() float64 {
		n, _ := model.Skips()
		return float64(n)
	}))
}

// probed registers the figures of the health probe: the stream's end,
// catch-up, readiness, the notifier's lag and the dead letters.
func (m *metrics) probed(h *health, f func(prometheus.Collector)) {
	gauge := func(name, help string, v func() float64) {
		f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, v))
	}
	model := h.model
	gauge("amity_stream_last_sequence", "The AMITY stream's last sequence, as of the last health probe.", func() float64 {
		seq, _, _ := h.probed()
		return float64(seq)
	})
	gauge("amity_catchup_remaining_commits", "Commits between the in-order read and the stream's end: replay or catch-up progress.", func() float64 {
		seq, _, _ := h.probed()
		return float64(max(seq, model.Followed()) - model.Followed())
	})
	gauge("amity_ready", "1 once the read models have caught up with the stream and the surfaces answer, else 0.", func() float64 {
		if h.isCaughtUp() {
			return 1
		}
		return 0
	})
	gauge("amity_notifier_pending_commits", "Commits the notifier has not sent yet, as of the last health probe.", func() float64 {
		_, lag, _ := h.probed()
		return float64(lag)
	})
	gauge("amity_notifier_lag_seconds", "How long ago the last commit the notifier sent was made, while commits wait; 0 when none waits.", func() float64 {
		if _, lag, _ := h.probed(); lag == 0 {
			return 0
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.lastNotified.IsZero() {
			return 0
		}
		return time.Since(m.lastNotified).Seconds()
	})
	gauge("amity_dead_letters", "Webhook deliveries parked on the dead-letter stream, of every app.", func() float64 {
		_, _, dead := h.probed()
		return float64(dead)
	})
}

// handler serves the metrics in Prometheus' text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(m.logger.Handler(), slog.LevelWarn)})
}

// observe counts an answered call and logs it at debug level with the
// request ID its answer carries.
func (m *metrics) observe(o amityhttp.Observation) {
	m.requests.WithLabelValues(o.Surface, o.Action, o.Code).Inc()
	m.latency.WithLabelValues(o.Surface, o.Action).Observe(o.Took.Seconds())
	// Checked first: the line's arguments cost allocations on every call.
	if m.logger.Enabled(context.Background(), slog.LevelDebug) {
		m.logger.Debug("request", "surface", o.Surface, "action", o.Action, "code", o.Code, "request_id", o.RequestID, "took", o.Took)
	}
}

// Committed implements writer.Meter.
func (m *metrics) Committed(commands int, took time.Duration, err error) {
	if err != nil {
		m.commits.WithLabelValues("error").Inc()
		return
	}
	m.commits.WithLabelValues("ok").Inc()
	m.commands.Observe(float64(commands))
	m.appends.Observe(took.Seconds())
}

// Conflict implements writer.Meter.
func (m *metrics) Conflict() { m.conflict.Inc() }

// Notified implements delivery.Meter.
func (m *metrics) Notified(commits, notifications int, last time.Time) {
	m.notifiedCommits.Add(float64(commits))
	m.notifications.Add(float64(notifications))
	if !last.IsZero() {
		m.mu.Lock()
		m.lastNotified = last
		m.mu.Unlock()
	}
}

// Delivered implements delivery.Meter.
func (m *metrics) Delivered(app, command, result string) {
	m.delivery.WithLabelValues(app, command, result).Inc()
}
