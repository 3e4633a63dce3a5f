package console

import (
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"
)

// Failed logins allowed before the console refuses a login name, or a
// client address, for a while: loginBurst at once, then one every
// loginEvery. A correct login spends nothing.
const (
	loginBurst = 5
	loginEvery = 12 * time.Second
)

// bcryptHash is what nats-server takes for a bcrypt hash (server/auth.go):
// a password of that form is checked as one, never compared as text.
var bcryptHash = regexp.MustCompile(`^\$2[abxy]\$\d{2}\$.{53}$`)

// authenticator checks every login to the console, by the form or by
// Basic auth alike: the admins' passwords as the NATS server checks them
// (bcrypt hashes as bcrypt, plain ones in constant time), a limit of
// failures per login name and per client address, and a warning in the
// log for each failure.
type authenticator struct {
	admins  []Admin
	proxies []netip.Prefix
	log     *slog.Logger
	now     func() time.Time

	mu     sync.Mutex
	failed map[string]*rate.Limiter // "name:" or "addr:" and the key
}

func newAuthenticator(admins []Admin, proxies []netip.Prefix, log *slog.Logger) *authenticator {
	return &authenticator{admins: admins, proxies: proxies, log: log, now: time.Now, failed: map[string]*rate.Limiter{}}
}

// loginResult is what a login attempt came to.
type loginResult int

const (
	loginOK loginResult = iota
	loginWrong
	loginLimited // too many failures of this name or address: wait
)

// check checks user and password from the client of r. An unknown name
// and a wrong password take the same time and get the same answer: every
// admin's password is checked whatever the name.
func (a *authenticator) check(r *http.Request, user, password string) loginResult {
	addr := a.clientAddr(r)
	now := a.now()
	name, from := a.limiter("name:"+user), a.limiter("addr:"+addr)
	if name.TokensAt(now) < 1 || from.TokensAt(now) < 1 {
		a.log.Warn("console: login refused, too many failures", "user", user, "remote", addr)
		return loginLimited
	}
	ok := 0
	for _, ad := range a.admins {
		ok |= subtle.ConstantTimeCompare([]byte(user), []byte(ad.User)) & passwordMatches(ad.Password, password)
	}
	if ok == 1 {
		return loginOK
	}
	name.AllowN(now, 1)
	from.AllowN(now, 1)
	a.log.Warn("console: login refused", "user", user, "remote", addr)
	return loginWrong
}

// passwordMatches is 1 when given is the password configured: a bcrypt
// hash checked as bcrypt (the hash itself never matches), a plain password
// compared in constant time.
func passwordMatches(configured, given string) int {
	if bcryptHash.MatchString(configured) {
		if bcrypt.CompareHashAndPassword([]byte(configured), []byte(given)) == nil {
			return 1
		}
		return 0
	}
	return subtle.ConstantTimeCompare([]byte(configured), []byte(given))
}

func (a *authenticator) limiter(key string) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	l := a.failed[key]
	if l == nil {
		if len(a.failed) > 100_000 {
			a.forgetFull()
		}
		l = rate.NewLimiter(rate.Every(loginEvery), loginBurst)
		a.failed[key] = l
	}
	return l
}

// forgetFull drops the limiters that have refilled: they hold nothing a
// fresh one would not.
func (a *authenticator) forgetFull() {
	now := a.now()
	for k, l := range a.failed {
		if l.TokensAt(now) >= loginBurst {
			delete(a.failed, k)
		}
	}
}

// trusted reports whether addr is one of the configured proxies.
func (a *authenticator) trusted(addr netip.Addr) bool {
	for _, p := range a.proxies {
		if p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// clientAddr is the address of r's client: the connection's peer, or,
// when the peer is a trusted proxy, the last address of X-Forwarded-For
// that is not one of the trusted proxies.
func (a *authenticator) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !a.trusted(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !a.trusted(hop) {
			return hop.Unmap().String()
		}
	}
	return host
}

// overTLS reports whether r reached the console over TLS: directly, or
// through a trusted proxy that says so (X-Forwarded-Proto: https).
func (a *authenticator) overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	peer, err := netip.ParseAddr(host)
	return err == nil && a.trusted(peer) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// securityHeaders are on every console answer: no script, style or frame
// but the console's own, nothing sniffed, no referrer sent on.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	"X-Content-Type-Options": "nosniff",
	"X-Frame-Options":        "DENY",
	"Referrer-Policy":        "no-referrer",
}

// secure adds the security headers to every answer of next.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range securityHeaders {
			h.Set(k, v)
		}
		next.ServeHTTP(w, r)
	})
}
