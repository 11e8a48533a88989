package server

// Who may start assessments through the SSL Labs-compatible API, and the
// one rule on which targets may be assessed at all.

import (
	"net"
	"net/http"
	"net/mail"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"padlock/assess"
)

// DefaultAnonymousPerHour bounds the assessments one client address may
// start anonymously in an hour (Config.AnonymousPerHour).
const DefaultAnonymousPerHour = 10

// anonCoolOff is the least time between two assessments one client
// address starts anonymously: Info.newAssessmentCoolOff, SSL Labs' own
// value.
const anonCoolOff = time.Second

// maxAnonClients bounds the addresses the rate limiter remembers.
const maxAnonClients = 10000

// admitTarget is the rule on targets every way of starting an assessment
// applies before anything starts: an IP literal outside the public
// ranges is refused at once (names are checked the same way once
// resolved, by the guard). /api/v1/check and /api/v3 and /api/v4 analyze
// answer alike.
func (s *Server) admitTarget(t assess.Target) error {
	if a, err := netip.ParseAddr(t.Host); err == nil {
		if err := s.guard.check(a); err != nil {
			return &errRequest{http.StatusBadRequest, "private_address", "host: " + err.Error()}
		}
	}
	return nil
}

// isV4 reports whether a request came through /api/v4/.
func isV4(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/v4/") }

// emailOK reports whether the request's email header (SSL Labs API v4)
// is one the operator registered.
func (s *Server) emailOK(r *http.Request) bool {
	e := normEmail(r.Header.Get("email"))
	return e != "" && slices.Contains(s.emails, e)
}

// normEmail returns an address lower-cased, or "" when it is not one.
func normEmail(e string) string {
	e = strings.TrimSpace(e)
	if e == "" || len(e) > 254 {
		return ""
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Name != "" || a.Address != e {
		return ""
	}
	return strings.ToLower(e)
}

// clientAddr is the address a request came from (the TCP peer: headers
// such as X-Forwarded-For are not trusted).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		a = a.Unmap()
		if a.Is6() {
			// One client usually holds a whole /64.
			p, _ := a.Prefix(64)
			return p.String()
		}
		return a.String()
	}
	return host
}

// anonLimiter counts the assessments each client address started without
// credentials over the last hour.
type anonLimiter struct {
	perHour int
	mu      sync.Mutex
	starts  map[string][]time.Time
	now     func() time.Time
}

func newAnonLimiter(perHour int) *anonLimiter {
	return &anonLimiter{perHour: perHour, starts: map[string][]time.Time{}, now: time.Now}
}

// recentLocked drops the starts older than an hour and returns the rest.
func (l *anonLimiter) recentLocked(addr string, now time.Time) []time.Time {
	ts := l.starts[addr]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= time.Hour {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.starts, addr)
	} else {
		l.starts[addr] = ts
	}
	return ts
}

// wait is how long addr must wait before starting another assessment (0:
// it may start one now).
func (l *anonLimiter) wait(addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	ts := l.recentLocked(addr, now)
	if len(ts) >= l.perHour {
		return time.Hour - now.Sub(ts[0])
	}
	if len(ts) > 0 && now.Sub(ts[len(ts)-1]) < anonCoolOff {
		return anonCoolOff - now.Sub(ts[len(ts)-1])
	}
	return 0
}

// record counts a start by addr.
func (l *anonLimiter) record(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.starts) >= maxAnonClients {
		for a := range l.starts {
			l.recentLocked(a, now)
		}
		if len(l.starts) >= maxAnonClients {
			// Still full: forget an arbitrary client rather than grow.
			for a := range l.starts {
				delete(l.starts, a)
				break
			}
		}
	}
	l.starts[addr] = append(l.recentLocked(addr, now), now)
}

// setClock replaces the limiter's clock (tests).
func (l *anonLimiter) setClock(now func() time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now = now
}
