package migrate

import (
	nethttp "net/http"
	"time"

	"golang.org/x/time/rate"
)

// LimitedClient is an HTTP client that sends at most qps requests a
// second (any number when qps is 0 or less) and gives each timeout for its
// answer: what keeps a migration within a vendor's rate limit.
func LimitedClient(qps int, timeout time.Duration) *nethttp.Client {
	limit := rate.Inf
	if qps > 0 {
		limit = rate.Limit(qps)
	}
	// Connections kept for reuse: one for each call under way, not
	// net/http's two a host, so that a copy's workers do not open a
	// connection a call.
	base := nethttp.DefaultTransport.(*nethttp.Transport).Clone()
	base.MaxIdleConnsPerHost = 256
	return &nethttp.Client{Timeout: timeout, Transport: &limited{base: base, lim: rate.NewLimiter(limit, 1)}}
}

type limited struct {
	base nethttp.RoundTripper
	lim  *rate.Limiter
}

func (l *limited) RoundTrip(r *nethttp.Request) (*nethttp.Response, error) {
	if err := l.lim.Wait(r.Context()); err != nil {
		return nil, err
	}
	return l.base.RoundTrip(r)
}
