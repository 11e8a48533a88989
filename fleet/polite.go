package fleet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Politeness defaults: what one scan does to any one IP address, however
// many targets share it.
const (
	// DefaultPerIP is how many connections may be open at once to one IP
	// address (the prober opens up to 4 at once to an endpoint).
	DefaultPerIP = 4
	// DefaultRate is how many new connections per second one IP address
	// gets, with bursts of up to DefaultPerIP.
	DefaultRate = 10.0
)

// DialFunc opens a network connection (net.Dialer.DialContext's shape).
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Politeness bounds the connections of a scan per IP address: a semaphore
// per address caps the connections open at once, and a token bucket
// (golang.org/x/time/rate) per address caps new connections per second.
// Every connection the prober and the web check open goes through Dial.
// A Politeness is safe for concurrent use; one is shared by a whole scan.
type Politeness struct {
	perIP int
	rate  rate.Limit
	burst int

	mu  sync.Mutex
	ips map[netip.Addr]*ipState

	dials  atomic.Int64 // connections attempted
	opened atomic.Int64 // connections established

	// shared, when set, holds the limits for every process using the
	// same database (Share).
	shared      SharedLimits
	sharedErrs  atomic.Int64 // database errors met while waiting
	sharedWaits atomic.Int64 // polls that found the address held elsewhere
	sharedOps   atomic.Int64 // database writes of the shared limits
}

// SharedLimits keeps the per-IP limits in a database that every process
// scanning from it uses (store.Store implements it), so that an address
// sees no more connections however many workers run. One process at a
// time holds an address and applies the limits there itself; the next
// holder takes over the rate limit's state from the last.
type SharedLimits interface {
	HoldIP(ctx context.Context, addr, holder string, ttl time.Duration) (ok bool, tatAhead time.Duration, err error)
	RenewIP(ctx context.Context, addr, holder string, ttl time.Duration) (kept, wanted bool, err error)
	ReleaseIP(ctx context.Context, addr, holder string, tatAhead time.Duration) error
}

// Share makes p hold its limits together with every other process using
// s. Instead of asking the database for every connection, a process
// holds an address as a whole while it connects there (see hold): it
// takes the address when its first connection asks for it, applies the
// limits to its own connections as a single process does, renews the
// hold every few seconds while it connects, and releases it after a
// moment without connections or, once another process has asked for it,
// after its open connections have closed, leaving the rate limit's state
// to the next holder. A connection starts only while the hold still has
// the connection's longest life to run, so connections of two holders
// never overlap, even when the database is away or a holder was killed
// (its hold expires). It returns p.
func (p *Politeness) Share(s SharedLimits) *Politeness {
	p.shared = s
	return p
}

// SharedErrors counts the database errors met by the shared limits (the
// connection kept waiting through them).
func (p *Politeness) SharedErrors() int64 { return p.sharedErrs.Load() }

type ipState struct {
	sem     chan struct{}
	limiter *rate.Limiter // local limits only (shared: hold.lim)
	open    atomic.Int64
	peak    atomic.Int64
	hold    *hold // shared limits only
}

// NewPoliteness returns the per-IP policy: perIP connections at once and
// perSecond new connections per second (bursts of perIP). perIP <= 0 means
// DefaultPerIP; perSecond == 0 means DefaultRate and perSecond < 0 no rate
// limit.
func NewPoliteness(perIP int, perSecond float64) *Politeness {
	if perIP <= 0 {
		perIP = DefaultPerIP
	}
	lim := rate.Limit(perSecond)
	switch {
	case perSecond == 0:
		lim = DefaultRate
	case perSecond < 0 || math.IsInf(perSecond, 1):
		lim = rate.Inf
	}
	return &Politeness{perIP: perIP, rate: lim, burst: perIP, ips: map[netip.Addr]*ipState{}}
}

// PerIP returns the cap on connections open at once to one address.
func (p *Politeness) PerIP() int { return p.perIP }

// Rate returns the cap on new connections per second to one address
// (rate.Inf when unlimited).
func (p *Politeness) Rate() rate.Limit { return p.rate }

func (p *Politeness) state(a netip.Addr) *ipState {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.ips[a]
	if s == nil {
		s = &ipState{sem: make(chan struct{}, p.perIP)}
		if p.shared != nil {
			s.hold = &hold{addr: a.String(), demand: map[time.Duration]int{}, changed: make(chan struct{}), wake: make(chan struct{}, 1)}
		} else {
			s.limiter = rate.NewLimiter(p.rate, p.burst)
		}
		p.ips[a] = s
	}
	return s
}

// acquire waits for a connection slot and a rate token for a; need bounds
// how long the connection may live. The returned release must be called
// exactly once when the connection is closed (or was never opened).
func (p *Politeness) acquire(ctx context.Context, a netip.Addr, need time.Duration) (release func(), err error) {
	s := p.state(a)
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var releaseShared func()
	if p.shared != nil {
		r, err := p.acquireShared(ctx, s.hold, need)
		if err != nil {
			<-s.sem
			return nil, err
		}
		releaseShared = r
	} else if err := s.limiter.Wait(ctx); err != nil {
		<-s.sem
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	n := s.open.Add(1)
	for {
		peak := s.peak.Load()
		if n <= peak || s.peak.CompareAndSwap(peak, n) {
			break
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			s.open.Add(-1)
			if releaseShared != nil {
				releaseShared()
			}
			<-s.sem
		})
	}, nil
}

// Stats is what a Politeness saw.
type Stats struct {
	// Dials are the connections attempted, Opened those established.
	Dials, Opened int64
	// Addresses is how many IP addresses were connected to.
	Addresses int
	// PeakPerIP is the most connections open at once to any one address.
	PeakPerIP int64
	// PeakAddr is an address where PeakPerIP was reached.
	PeakAddr netip.Addr
	// SharedWrites are the database writes of the shared limits (taking,
	// renewing and releasing holds of addresses, Share); 0 with local
	// limits.
	SharedWrites int64
}

// Stats returns the counters so far.
func (p *Politeness) Stats() Stats {
	st := Stats{Dials: p.dials.Load(), Opened: p.opened.Load(), SharedWrites: p.sharedOps.Load()}
	p.mu.Lock()
	defer p.mu.Unlock()
	st.Addresses = len(p.ips)
	addrs := make([]netip.Addr, 0, len(p.ips))
	for a := range p.ips {
		addrs = append(addrs, a)
	}
	sort.Slice(addrs, func(i, j int) bool { return addrs[i].Less(addrs[j]) })
	for _, a := range addrs {
		if pk := p.ips[a].peak.Load(); pk > st.PeakPerIP {
			st.PeakPerIP, st.PeakAddr = pk, a
		}
	}
	return st
}

// DialOptions tune one Dial function.
type DialOptions struct {
	// Base opens the connection; default a net.Dialer.
	Base DialFunc
	// ConnTimeout, when set, bounds each connection from the moment it has
	// its slot and rate token: the dial, and every deadline later set on
	// it (a later deadline is brought forward). The caller's own timeout
	// can then be generous, so that waiting for a slot at a busy address
	// does not eat into the connection's time. Zero: the caller's
	// deadlines stand.
	ConnTimeout time.Duration
	// Pins maps host names (lower case) to the addresses to use for them
	// instead of resolving (the targets file's ip column).
	Pins map[string][]netip.Addr
	// Resolver looks up host names that are not pinned; default
	// net.DefaultResolver.
	Resolver interface {
		LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	}
}

// Dial returns a dial function that applies the per-IP limits: each
// connection first waits for a slot at its address and for a rate token
// (both bounded by ctx), and gives the slot back when it is closed. An
// address that is a host name is resolved (or looked up in Pins) and its
// addresses are tried in order.
func (p *Politeness) Dial(o DialOptions) DialFunc {
	base := o.Base
	if base == nil {
		d := &net.Dialer{}
		base = d.DialContext
	}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		addrs, err := o.lookup(ctx, host)
		if err != nil {
			return nil, err
		}
		var errs []error
		for _, a := range addrs {
			if ctx.Err() != nil {
				break
			}
			c, err := p.dialOne(ctx, network, a, port, base, o.ConnTimeout)
			if err == nil {
				return c, nil
			}
			errs = append(errs, err)
		}
		if ctx.Err() != nil && len(errs) == 0 {
			return nil, ctx.Err()
		}
		return nil, errors.Join(errs...)
	}
}

func (o DialOptions) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.Unmap()}, nil
	}
	if pins := o.Pins[normalizeName(host)]; len(pins) > 0 {
		return pins, nil
	}
	r := o.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	found, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("no address for %s", host)
	}
	out := make([]netip.Addr, len(found))
	for i, a := range found {
		out[i] = a.Unmap().WithZone("")
	}
	return out, nil
}

func (p *Politeness) dialOne(ctx context.Context, network string, a netip.Addr, port string, base DialFunc, connTimeout time.Duration) (net.Conn, error) {
	// How long the connection may live, for the shared limits: its
	// timeout and the close, and a margin for a caller slow to close it
	// (a minute without a timeout).
	need := time.Minute
	if connTimeout > 0 {
		need = connTimeout + lingerMax + 5*time.Second
	}
	release, err := p.acquire(ctx, a, need)
	if err != nil {
		return nil, err
	}
	p.dials.Add(1)
	dctx := ctx
	var limit time.Time
	if connTimeout > 0 {
		limit = time.Now().Add(connTimeout)
		var cancel context.CancelFunc
		dctx, cancel = context.WithDeadline(ctx, limit)
		defer cancel()
	}
	c, err := base(dctx, network, net.JoinHostPort(a.String(), port))
	if err != nil {
		release()
		return nil, err
	}
	p.opened.Add(1)
	pc := &politeConn{Conn: c, release: release, limit: limit}
	if !limit.IsZero() {
		_ = c.SetDeadline(limit)
	}
	return pc, nil
}

// politeConn gives its slot back on Close and keeps its deadlines within
// its limit.
type politeConn struct {
	net.Conn
	release   func()
	limit     time.Time
	closeOnce sync.Once
	closeErr  error
}

// lingerMax bounds how long Close waits for the server to close its side.
const lingerMax = 300 * time.Millisecond

// Close shuts the connection down so that the server has closed its side
// before the slot goes to the next connection: it half-closes (FIN),
// reads and discards what the server still sends until its end of stream
// (at most 64 KiB and lingerMax), then closes. The server therefore never
// counts more than the per-IP limit, even while a close and the next
// connect cross; a server that ignores the half-close costs lingerMax.
func (c *politeConn) Close() error {
	c.closeOnce.Do(func() {
		if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
			limit := time.Now().Add(lingerMax)
			if !c.limit.IsZero() && c.limit.Before(limit) {
				limit = c.limit
			}
			if c.Conn.SetReadDeadline(limit) == nil {
				_, _ = io.Copy(io.Discard, io.LimitReader(c.Conn, 64<<10))
			}
		}
		c.closeErr = c.Conn.Close()
		c.release()
	})
	return c.closeErr
}

func (c *politeConn) clamp(t time.Time) time.Time {
	if c.limit.IsZero() {
		return t
	}
	if t.IsZero() || t.After(c.limit) {
		return c.limit
	}
	return t
}

func (c *politeConn) SetDeadline(t time.Time) error      { return c.Conn.SetDeadline(c.clamp(t)) }
func (c *politeConn) SetReadDeadline(t time.Time) error  { return c.Conn.SetReadDeadline(c.clamp(t)) }
func (c *politeConn) SetWriteDeadline(t time.Time) error { return c.Conn.SetWriteDeadline(c.clamp(t)) }

// normalizeName lower-cases a host name and drops a final dot.
func normalizeName(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ".")
}
