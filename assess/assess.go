package assess

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"padlock/pki"
	"padlock/probe"
	"padlock/vuln"
	"padlock/web"
)

// Resolver looks up the addresses of a host name. *net.Resolver satisfies
// it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options tune an assessment. Zero values pick the defaults.
type Options struct {
	Probe probe.Options // bounds of each endpoint's probe
	// Budget, when set, bounds the whole target: every endpoint, the
	// vulnerability checks and the plain-HTTP side. When it runs out, what
	// is left unfinished ends with padlockFailure "budget".
	Budget   time.Duration
	Resolver Resolver // default net.DefaultResolver
	// Concurrency is how many endpoints are probed at once. Default 2.
	Concurrency int
	// PKI tunes the certificate analysis of each endpoint (package pki):
	// Roots or ExtraRoots for private PKIs (--ca-file), FetchIssuer to
	// complete chains that lack intermediates (AIA), SkipLint. The zero
	// value judges offline against the embedded Mozilla root store. Now,
	// when zero, is the time the endpoint's probe ended.
	PKI pki.Options
	// Web, when set, also checks the plain-HTTP side (package web):
	// redirects to HTTPS, HSTS, forms asking for personal data. Its Dial is
	// wrapped so that a pinned target's name reaches the pinned address.
	Web *web.Options
	// Vuln, when set, runs the vulnerability checks (package vuln) on every
	// endpoint that speaks TLS.
	Vuln *vuln.Options
	// now replaces time.Now in tests.
	now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 2
	}
	if o.now == nil {
		o.now = time.Now
	}
	return o
}

// probeRun is probe.Run; tests replace it.
var probeRun = probe.Run

// Assess runs one target end to end: it resolves every A and AAAA record of
// t.Host (or uses t.Pin, or the address itself when t.Host is an IP
// literal), probes each address as an endpoint, at most opts.Concurrency at
// a time, and returns the Host.
//
// Status is READY when at least one endpoint is "Ready". It is ERROR, with
// StatusMessage saying why, when the name does not resolve ("Unable to
// resolve domain name"), is not valid, or when no endpoint could be assessed
// (then StatusMessage repeats the endpoints' messages and Endpoints still
// lists them). Assess never panics and always returns a Host.
func Assess(ctx context.Context, t Target, opts Options) *Host {
	opts = opts.withDefaults()
	if opts.Budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Budget)
		defer cancel()
	}
	start := opts.now()
	h := &Host{
		Host:            t.Host,
		Port:            int(t.port()),
		Protocol:        "http",
		Status:          StatusReady,
		StartTime:       start.UnixMilli(),
		EngineVersion:   EngineVersion,
		CriteriaVersion: CriteriaVersion,
		Endpoints:       []Endpoint{},
		Certs:           []Cert{},
		PadlockSchema:   Schema,
		PadlockSNI:      t.sni(),
	}
	finish := func(status, msg string) *Host {
		h.Status, h.StatusMessage = status, msg
		h.TestTime = opts.now().UnixMilli()
		return h
	}

	addrs, msg := addresses(ctx, t, opts.Resolver)
	if msg != "" {
		return finish(StatusError, msg)
	}

	results := make([]Endpoint, len(addrs))
	certs := make([][]*Cert, len(addrs))
	evs := make([]*evidence, len(addrs))
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	for i, a := range addrs {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				results[i] = FromProbe(nil, ctx.Err())
				results[i].IPAddress = a.String()
				return
			}
			results[i], certs[i], evs[i] = assessEndpoint(ctx, t, a, opts)
		})
	}
	var site *web.Result
	if opts.Web != nil {
		wg.Go(func() { site = checkWeb(ctx, t, *opts.Web, opts.PKI) })
	}
	wg.Wait()

	// Grading waits for the HTTP side: HSTS decides A+, and an HTTPS site
	// that only redirects to plain HTTP is U.
	for i := range results {
		if evs[i] == nil {
			continue
		}
		evs[i].web = site
		applyGrade(&results[i], t.Host, *evs[i])
		if site != nil && results[i].Details != nil {
			hsts := site.HSTSPolicy
			results[i].Details.HSTSPolicy = &hsts
		}
	}
	h.PadlockWeb = site

	var failures []string
	for i, ep := range results {
		if ep.Details != nil {
			ep.Details.HostStartTime = h.StartTime
		}
		h.Endpoints = append(h.Endpoints, ep)
		h.AddCerts(certs[i]...)
		if !ep.Ready() && !slices.Contains(failures, ep.StatusMessage) {
			failures = append(failures, ep.StatusMessage)
		}
	}
	h.PadlockSite = summarize(h, site)
	if !slices.ContainsFunc(h.Endpoints, func(e Endpoint) bool { return e.Ready() }) {
		return finish(StatusError, strings.Join(failures, "; "))
	}
	return finish(StatusReady, "")
}

// assessEndpoint probes one address, judges the certificates it sent and
// grades it; it also returns the certificates of the analysis, for
// Host.Certs. A panic in the prober or the analysis is turned into an
// endpoint with an internal error rather than taking the program down.
func assessEndpoint(ctx context.Context, t Target, a netip.Addr, opts Options) (ep Endpoint, certs []*Cert, ev *evidence) {
	defer func() {
		if r := recover(); r != nil {
			ep = Endpoint{
				IPAddress:      a.String(),
				StatusMessage:  MsgInternalError,
				Progress:       100,
				PadlockFailure: FailInternalError,
				Details: &EndpointDetails{
					CertChains:    []CertChain{},
					Protocols:     []Protocol{},
					Suites:        []ProtocolSuites{},
					PadlockErrors: []string{fmt.Sprintf("panic: %v", r)},
				},
			}
			certs, ev = nil, nil
		}
	}()
	pe := probe.Endpoint{IP: a, Port: t.port(), SNI: t.sni()}
	if _, err := netip.ParseAddr(t.Host); err != nil {
		pe.Host = t.Host
	}
	// The certificate analysis shares the endpoint's budget with the probe.
	certCtx := ctx
	if opts.Probe.Budget > 0 {
		var cancel context.CancelFunc
		certCtx, cancel = context.WithTimeout(ctx, opts.Probe.Budget)
		defer cancel()
	}
	res, err := probeRun(ctx, pe, opts.Probe)
	now := opts.now()
	po := opts.PKI
	if po.Now.IsZero() {
		po.Now = now
	}
	ep, rep := fromProbe(certCtx, res, err, t.certName(), po)
	ep.IPAddress = a.String()
	ev = &evidence{probe: res, probeErr: err, certs: rep, now: now}
	if opts.Vuln != nil && err == nil {
		// The checks and the session measurements run side by side, through
		// one Dialer: one cap on the connections open to the endpoint, whose
		// slots the measurements take while the checks wait out silences.
		// The resumption test takes the full handshake of the
		// client-renegotiation check when that ends cleanly.
		dial := probe.NewDialer(pe, opts.Probe)
		vo := *opts.Vuln
		vo.Session = vuln.NewSessionShare()
		var vr *vuln.Report
		var wg sync.WaitGroup
		wg.Go(func() { vr = checkVulns(ctx, dial, res, vo) })
		wg.Go(func() { measureSession(ctx, dial, pe, res, vo, ep.Details, t.Host) })
		wg.Wait()
		addVulns(ep.Details, vr)
		if vr != nil && ep.Details != nil {
			ep.Details.PadlockConnections += vr.PadlockConnections
		}
		ev.vulns = vr
	}
	if rep != nil {
		certs = rep.Certs
	}
	return ep, certs, ev
}

// addresses returns the endpoints' addresses, sorted (IPv4 first) and
// without duplicates, or the host-level error message.
func addresses(ctx context.Context, t Target, r Resolver) ([]netip.Addr, string) {
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(t.Host); err == nil {
		addrs = []netip.Addr{a}
	} else if _, err := checkName(t.Host); err != nil {
		return nil, MsgInvalidTarget
	} else if len(t.Pin) > 0 {
		addrs = slices.Clone(t.Pin)
	} else {
		found, err := r.LookupNetIP(ctx, "ip", t.Host)
		if err != nil || len(found) == 0 {
			return nil, MsgResolveFailed
		}
		addrs = found
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		if !a.IsValid() {
			continue
		}
		out = append(out, a.Unmap().WithZone(""))
	}
	slices.SortFunc(out, netip.Addr.Compare)
	out = slices.Compact(out)
	if len(out) == 0 {
		return nil, MsgResolveFailed
	}
	return out, ""
}
