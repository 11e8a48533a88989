// Package probe talks TLS on the wire to one endpoint and learns what it
// accepts: protocol versions from SSLv2 to TLS 1.3, every cipher suite per
// protocol and the server's preference, key-exchange groups and DH sizes,
// extensions, and the certificate chains it sends.
//
// It writes its own ClientHellos (package tlswire) so that it can offer what
// Go's crypto/tls cannot (SSLv2, SSLv3, export, NULL, anonymous, DHE...) and
// stops reading once the server's first flight is in: no key is ever
// exchanged. Every connection is bounded in time and bytes, the number of
// connections open at once to an endpoint is capped, and the whole run is
// bounded by a budget.
package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"padlock/registry"
	"padlock/tlswire"
)

// Options bound and tune a probe run. Zero values pick the defaults.
type Options struct {
	// Timeout bounds one connection: connect, send and read the answer.
	// Default 10s.
	Timeout time.Duration
	// Concurrency is how many connections may be open to the endpoint at
	// once. Default 4.
	Concurrency int
	// Budget bounds the whole run against the endpoint. Default 5 minutes.
	Budget time.Duration
	// Clients are the client profiles whose hellos are replayed (handshake
	// simulation, one connection each); nil means every registry profile.
	Clients []registry.ClientProfile
	// SkipSimulation turns handshake simulation off.
	SkipSimulation bool
	// Dial replaces the network dialer (for politeness wrappers and tests).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Budget <= 0 {
		o.Budget = 5 * time.Minute
	}
	return o
}

// ErrUnreachable is returned (wrapped) when no TCP connection to the
// endpoint could be opened at all.
var ErrUnreachable = errors.New("endpoint unreachable")

type prober struct {
	ep     Endpoint
	opts   Options
	dialer *dialer
	keys   *keyShares

	// minimal is set when the server refused every full hello and took
	// one without the optional extensions: every later hello is minimal.
	minimal atomic.Bool

	mu        sync.Mutex
	res       *Result
	firstLost error // the first handshake that broke off after its ServerHello
}

// noteLost counts a handshake the server answered and then broke off.
func (p *prober) noteLost(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.res.Interrupted++
	if p.firstLost == nil {
		p.firstLost = err
	}
}

func (p *prober) errorf(format string, args ...any) {
	p.mu.Lock()
	p.res.Errors = append(p.res.Errors, fmt.Sprintf(format, args...))
	p.mu.Unlock()
}

// Run probes one endpoint. It returns a result even when it also returns an
// error: whatever was learned before the failure is kept. The error is
// ErrUnreachable (wrapped) when the endpoint could not be connected to, or
// the context's error when the budget ran out.
func Run(ctx context.Context, ep Endpoint, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opts.Budget)
	defer cancel()
	p := &prober{
		ep:     ep,
		opts:   opts,
		dialer: newDialer(ep, opts.Timeout, opts.Concurrency),
		keys:   &keyShares{},
		res:    &Result{Endpoint: ep, Started: time.Now()},
	}
	if opts.Dial != nil {
		p.dialer.netDial = opts.Dial
	}
	err := p.run(ctx)
	if p.firstLost != nil {
		p.res.Errors = append(p.res.Errors, fmt.Sprintf("handshakes broken off after the server's first answer: %d (the first: %v)", p.res.Interrupted, p.firstLost))
	}
	p.res.Connections = int(p.dialer.count.Load())
	p.res.Duration = time.Since(p.res.Started)
	return p.res, err
}

func (p *prober) run(ctx context.Context) error {
	versions := p.probeVersions(ctx)
	var extIntolerance *Intolerance
	if refusedAll(versions) {
		// Before a U: some servers refuse any hello carrying an extension
		// they mishandle (lighttpd on wolfSSL with a self-signed
		// certificate fails every status_request). Ask once without them.
		if v, ok := p.acceptsMinimal(ctx); ok {
			p.minimal.Store(true)
			versions = p.probeVersions(ctx)
			extIntolerance = &Intolerance{Label: "optional extensions", Reason: fmt.Sprintf(
				"refused every hello offering session_ticket, status_request, ALPN, extended_master_secret, encrypt_then_mac, signed_certificate_timestamp and heartbeat (or DEFLATE), accepted %v without them: what the server does with those is unknown", v)}
		}
	}

	unreachable := true
	for _, v := range versions {
		// A connection reset during connect reached the endpoint: not
		// unreachable, just no answer.
		if v.support.Supported || !errors.As(v.err, new(*dialError)) || reset(v.err) {
			unreachable = false
		}
	}
	for _, v := range versions {
		p.res.Protocols = append(p.res.Protocols, v.support)
	}
	if unreachable {
		return fmt.Errorf("%w: %w", ErrUnreachable, versions[len(versions)-1].err)
	}

	var wg sync.WaitGroup
	suites := make([]*ProtocolSuites, len(versions))
	best := bestClassic(versions)
	for i, v := range versions {
		if !v.support.Supported {
			continue
		}
		wg.Go(func() {
			if v.support.Protocol == registry.SSLv2 {
				suites[i] = &ProtocolSuites{Protocol: registry.SSLv2, Suites: v.sslv2}
				return
			}
			if v != best {
				s := p.enumerateSuites(ctx, v.support.Protocol, v.first, v.chunked, nil)
				suites[i] = &s
				return
			}
			// The intolerance tests ride on this enumeration's hellos
			// where they can, and get their own after it.
			it := newIntolerance(best)
			s := p.enumerateSuites(ctx, v.support.Protocol, v.first, v.chunked, it)
			suites[i] = &s
			p.res.Intolerance = p.checkIntolerance(ctx, it)
		})
	}
	if best != nil {
		p.recordExtensions(best)
		p.recordChain(best.support.Protocol, p.ep.SNI, best.first)
	}
	if v := find(versions, registry.SSLv2); v != nil && v.support.Supported && v.sslv2Cert != nil {
		p.addChain(Chain{Protocol: registry.SSLv2, SNI: "", Certificates: [][]byte{v.sslv2Cert}})
	}
	tls13 := find(versions, registry.TLS13)
	has13 := tls13 != nil && tls13.support.Supported
	var groups GroupSupport
	if has13 {
		wg.Go(func() { groups = p.enumerateGroups13(ctx) })
	}
	if p.ep.SNI != "" && (best != nil || has13) {
		wg.Go(func() { p.checkSNI(ctx, best, has13) })
	}
	if has13 {
		wg.Go(func() { p.tls13Chain(ctx, p.ep.SNI) })
		if best == nil && p.ep.SNI != "" {
			// TLS 1.3 only: the default certificate needs its own full
			// handshake, as the raw hello cannot read it.
			wg.Go(func() { p.tls13Chain(ctx, "") })
		}
	}
	wg.Wait()

	for _, s := range suites {
		if s != nil {
			p.res.Suites = append(p.res.Suites, *s)
		}
	}
	if extIntolerance != nil {
		p.res.Intolerance = append(p.res.Intolerance, *extIntolerance)
	}
	// Both need the suites found.
	wg.Go(func() { p.enumerateGroups12(ctx, &groups, best) })
	if best != nil {
		wg.Go(func() { p.chainPerKeyType(ctx, best.support.Protocol) })
	}
	wg.Wait()
	p.res.Groups = groups
	if !p.opts.SkipSimulation && (best != nil || has13) {
		// After the enumeration: most clients' outcomes follow from it
		// (simmodel.go), and only the rest are replayed.
		profiles := p.opts.Clients
		if profiles == nil {
			profiles = registry.ClientProfiles()
		}
		m := &simModel{res: p.res, sni: p.ep.SNI, minimal: p.minimal.Load(), lost: p.firstLost != nil}
		p.res.Simulations = simulateModelled(ctx, &Dialer{d: p.dialer, keys: p.keys}, p.ep.SNI, m, profiles)
	}
	sort.Slice(p.res.Chains, func(i, j int) bool {
		a, b := p.res.Chains[i], p.res.Chains[j]
		if a.SNI != b.SNI {
			return a.SNI > b.SNI // the requested name first
		}
		return a.Protocol > b.Protocol
	})
	return ctx.Err()
}

func find(vs []*versionProbe, p registry.Protocol) *versionProbe {
	for _, v := range vs {
		if v.support.Protocol == p {
			return v
		}
	}
	return nil
}

// bestClassic is the highest supported version from SSLv3 to TLS 1.2,
// whose handshakes are in clear and show extensions and certificates.
func bestClassic(vs []*versionProbe) *versionProbe {
	var best *versionProbe
	for _, v := range vs {
		pr := v.support.Protocol
		if v.support.Supported && pr >= registry.SSLv3 && pr <= registry.TLS12 && v.first != nil {
			best = v
		}
	}
	return best
}

func (p *prober) recordExtensions(v *versionProbe) {
	sh := v.first.hello
	e := Extensions{Protocol: v.support.Protocol, Compression: sh.CompressionMethod}
	for _, x := range sh.Extensions {
		e.Seen = append(e.Seen, uint16(x.Type))
	}
	_, e.SecureRenegotiation = sh.Extension(0xff01)
	_, e.SessionTicket = sh.Extension(35)
	_, stapleAck := sh.Extension(5)
	e.OCSPStapling = stapleAck && v.first.status != nil
	_, e.ExtendedMasterSecret = sh.Extension(23)
	_, e.EncryptThenMAC = sh.Extension(22)
	_, e.SCT = sh.Extension(18)
	if d, ok := sh.Extension(15); ok {
		e.Heartbeat = true
		e.HeartbeatMode = heartbeatMode(d)
	}
	if d, ok := sh.Extension(16); ok {
		e.ALPN = alpn(d)
	}
	p.res.Extensions = e
}

func (p *prober) recordChain(pr registry.Protocol, sni string, f *flight) {
	if f == nil || f.certificate == nil || len(f.certificate.Certificates) == 0 {
		return
	}
	c := Chain{Protocol: pr, SNI: sni, Certificates: f.certificate.Certificates}
	if f.status != nil {
		c.OCSPResponse = f.status.Response
	}
	if data, ok := f.hello.Extension(tlswire.ExtSCT); ok {
		scts, err := tlswire.ParseSCTList(data)
		if err != nil {
			p.errorf("signed_certificate_timestamp extension: %v", err)
		}
		c.SCTs = scts
	}
	p.addChain(c)
}

// chainPerKeyType collects the chain of each certificate of a server that
// has several (RSA and ECDSA, typically): one hello per authentication type
// offering only the accepted suites of that type. A server with a single
// certificate costs nothing here.
func (p *prober) chainPerKeyType(ctx context.Context, v registry.Protocol) {
	byAuth := map[registry.Auth][]uint16{}
	var order []registry.Auth
	for _, ps := range p.res.Suites {
		if ps.Protocol != v {
			continue
		}
		for _, a := range ps.Suites {
			s, ok := a.Suite()
			if !ok || (s.Auth != registry.AuthRSA && s.Auth != registry.AuthECDSA && s.Auth != registry.AuthDSS) {
				continue
			}
			if byAuth[s.Auth] == nil {
				order = append(order, s.Auth)
			}
			byAuth[s.Auth] = append(byAuth[s.Auth], s.ID)
		}
	}
	if len(order) < 2 {
		return
	}
	for _, auth := range order {
		f, err := p.exchange(ctx, hello{version: v, suites: byAuth[auth], sni: p.ep.SNI})
		if !answered(f, err) {
			p.errorf("collecting the %v certificate: %v", auth, err)
			continue
		}
		p.recordChain(v, p.ep.SNI, f)
	}
}

// addChain keeps a chain unless an identical one is kept already: the same
// certificates seen without SNI, or over TLS 1.3, are not repeated.
func (p *prober) addChain(c Chain) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, have := range p.res.Chains {
		if slices.EqualFunc(have.Certificates, c.Certificates, func(a, b []byte) bool { return string(a) == string(b) }) {
			// Keep what only the later handshake carried.
			if have.OCSPResponse == nil {
				p.res.Chains[i].OCSPResponse = c.OCSPResponse
			}
			if have.SCTs == nil {
				p.res.Chains[i].SCTs = c.SCTs
			}
			return
		}
	}
	p.res.Chains = append(p.res.Chains, c)
}

// refusedAll reports whether every version was refused outright: no
// acceptance, no lower version offered, nothing inconclusive, and some
// connection reached the server.
func refusedAll(vs []*versionProbe) bool {
	reached := false
	for _, v := range vs {
		if v.support.Supported || v.support.Negotiated != 0 || v.support.Inconclusive != "" {
			return false
		}
		reached = reached || !errors.As(v.err, new(*dialError))
	}
	return reached
}

// acceptsMinimal asks for TLS 1.2, then TLS 1.3, with a hello without the
// optional extensions; it reports the version a ServerHello accepted.
func (p *prober) acceptsMinimal(ctx context.Context) (registry.Protocol, bool) {
	for _, v := range []registry.Protocol{registry.TLS12, registry.TLS13} {
		suites := commonSuites(v)
		if v == registry.TLS13 {
			suites = offerOrder(v)
		}
		f, err := p.exchange(ctx, hello{version: v, suites: suites, sni: p.ep.SNI, minimal: true})
		if answered(f, err) && f.version == v {
			return v, true
		}
	}
	return 0, false
}
