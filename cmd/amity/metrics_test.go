package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amity-im/amity/internal/testenv"
	"github.com/amity-im/amity/internal/testenv/apitest"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads /metrics and parses it with Prometheus' own text parser.
func scrape(t *testing.T, s *service) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(s.httpURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: HTTP %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

// value is the value of the sample of family name whose labels include
// labels: a counter's or gauge's value, a histogram's count; -1 when there
// is none.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// TestMetricsAfterAScenario scrapes /metrics after calls on each surface,
// a webhook and its notifications, and checks what each should have moved.
//
// It is one scenario, told in order: each step builds on the state the
// steps before it left, so it stays one function.
func TestMetricsAfterAScenario(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, nil)
	s := startService(t, socialConfig(rcv.srv.URL), "")
	z := s.zim(t, 3333, "social-secret")
	apitest.WantCode(t, "register", z.Post("UserRegister", apitest.Users("ann", "ben", "cal")), 0)
	for _, id := range []string{"ben", "cal"} {
		apitest.WantCode(t, "add", z.Post("AddFriends", obj{"FromUserId": "ann", "FriendInfos": []fi{{"UserId": id}}}), 0)
	}
	apitest.WantCode(t, "add again", z.Post("AddFriends", obj{"FromUserId": "ann", "FriendInfos": []fi{{"UserId": "ben"}}}), 660800027)
	z.Post("NoSuchAction", obj{})
	apitest.WantCode(t, "block", z.Post("AddUsersToBlacklist", obj{"FromUserId": "cal", "UserIds": []string{"ann"}}), 0)
	tc := s.tencent(t, 1400000007, "social-key")
	apitest.WantTC(t, "a bad check", tc.CallCtx(apitest.WithRequestGap(context.Background(), "malformed on purpose"), "/v4/sns/friend_check", obj{"From_Account": "ann"}), 30001)
	var l v1Requests
	if code := s.v1(t, http.MethodGet, "/v1/requests", url.Values{"user": {"ann"}, "direction": {"sent"}}, nil, &l); code != 200 {
		t.Fatalf("/v1/requests: HTTP %d", code)
	}
	rcv.wait(t, 3, 30*time.Second) // two adds and a block

	var fams map[string]*dto.MetricFamily
	// The notifier and the health probe report on their own time.
	testenv.Eventually(30*time.Second, func() bool {
		fams = scrape(t, s)
		return value(fams, "amity_notifier_notifications_published_total") >= 5 && value(fams, "amity_stream_last_sequence") >= 4
	})
	for _, c := range []struct {
		name   string
		labels []string
		min    float64
	}{
		{"amity_http_requests_total", []string{"surface", "zim", "action", "AddFriends", "code", "0"}, 2},
		{"amity_http_requests_total", []string{"surface", "zim", "action", "AddFriends", "code", "660800027"}, 1},
		{"amity_http_requests_total", []string{"surface", "zim", "action", "unknown", "code", "100000007"}, 1},
		{"amity_http_requests_total", []string{"surface", "tencent", "action", "/v4/sns/friend_check", "code", "30001"}, 1},
		{"amity_http_requests_total", []string{"surface", "v1", "action", "/v1/requests", "code", "ok"}, 1},
		{"amity_http_request_duration_seconds", []string{"surface", "zim", "action", "AddFriends"}, 3},
		{"amity_commits_total", []string{"result", "ok"}, 4},
		{"amity_commit_size_commands", nil, 4},
		{"amity_append_duration_seconds", nil, 4},
		{"amity_commit_conflicts_total", nil, 0},
		{"amity_model_users", nil, 3},
		{"amity_model_edges", nil, 4},
		{"amity_model_blocks", nil, 1},
		{"amity_model_history_index_bytes", nil, 1},
		{"amity_model_followed_sequence", nil, 4},
		{"amity_stream_last_sequence", nil, 4},
		{"amity_ready", nil, 1},
		{"amity_notifier_commits_read_total", nil, 3},
		{"amity_notifier_notifications_published_total", nil, 5},
		{"amity_notifier_pending_commits", nil, 0},
		{"amity_notifier_lag_seconds", nil, 0},
		{"amity_webhook_deliveries_total", []string{"app", "social", "command", "Sns.CallbackFriendAdd", "result", "ok"}, 2},
		{"amity_dead_letters", nil, 0},
		{"amity_skipped_messages_total", nil, 0},
		{"amity_catchup_remaining_commits", nil, 0},
		{"go_goroutines", nil, 1},
		{"process_resident_memory_bytes", nil, 1},
	} {
		if got := value(fams, c.name, c.labels...); got < c.min {
			t.Errorf("%s%v = %v, want at least %v", c.name, c.labels, got, c.min)
		}
	}
	if got := value(fams, "amity_model_users"); got != 3 {
		t.Errorf("amity_model_users = %v, want 3", got)
	}
	// Names follow Prometheus' conventions: counters end in _total, times
	// are in seconds.
	for name, f := range fams {
		if !strings.HasPrefix(name, "amity_") {
			continue
		}
		if (f.GetType() == dto.MetricType_COUNTER) != strings.HasSuffix(name, "_total") {
			t.Errorf("%s is a %s", name, f.GetType())
		}
		if strings.Contains(name, "duration") || strings.Contains(name, "lag_") {
			if !strings.HasSuffix(name, "_seconds") {
				t.Errorf("%s measures time but is not in seconds", name)
			}
		}
		if f.GetHelp() == "" {
			t.Errorf("%s has no help", name)
		}
		// A histogram's name ends in its unit: seconds, bytes, or the
		// thing counted after _size_ (amity_commit_size_commands).
		if f.GetType() == dto.MetricType_HISTOGRAM && !regexp.MustCompile(`_(seconds|bytes)$|_size_[a-z]+$`).MatchString(name) {
			t.Errorf("histogram %s has no unit suffix", name)
		}
		// One metric counts one thing: a label that names what is
		// counted (kind) makes a sum across it meaningless.
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if l.GetName() == "kind" {
					t.Errorf("%s counts different things under its kind label (%s)", name, l.GetValue())
				}
			}
		}
	}
}

// TestRequestLogNamesTheAnswersRequestId: at debug level, in JSON, each
// call is one log line whose request_id is the RequestId its answer
// carries.
func TestRequestLogNamesTheAnswersRequestId(t *testing.T) {
	t.Parallel()
	s := startService(t, testConfig, "", "--log-level", "debug", "--log-format", "json")
	z := s.zim(t, 1234567, "demo-secret")
	r := z.Post("UserRegister", apitest.Users("alice"))
	if r.RequestId == "" {
		t.Fatal("no RequestId")
	}
	var entry map[string]any
	found := testenv.Eventually(10*time.Second, func() bool {
		for _, line := range strings.Split(s.stderr.String(), "\n") {
			var e map[string]any
			if json.Unmarshal([]byte(line), &e) == nil && e["msg"] == "request" && e["request_id"] == r.RequestId {
				entry = e
				return true
			}
		}
		return false
	})
	if !found {
		t.Fatalf("no JSON log line names request %s:\n%s", r.RequestId, s.stderr)
	}
	if entry["surface"] != "zim" || entry["action"] != "UserRegister" || entry["code"] != "0" || entry["level"] != "DEBUG" {
		t.Errorf("request log line %v", entry)
	}
}
