package vuln

import (
	"context"
	"errors"

	"padlock/probe"
	"padlock/registry"
	"padlock/tlswire"
)

// TLS_FALLBACK_SCSV (RFC 7507): a client retrying at a lower version after
// a failed handshake adds 0x5600 to its suites; a server that supports a
// higher version must then refuse with inappropriate_fallback, which stops
// a man in the middle from forcing the downgrade.
//
// The probe offers the second-highest accepted version (SSL 3.0 to TLS
// 1.3; SSLv2 does not count) with the prober's usual suites plus the SCSV.
// With a single version there is nothing to fall back to: not applicable,
// and SSL Labs leaves fallbackScsv out. No grade effect since 2009r.
func checkFallbackSCSV(ctx context.Context, r *run) Finding {
	var versions []registry.Protocol
	for _, ps := range r.res.Protocols {
		if ps.Protocol == registry.SSLv2 {
			continue
		}
		if ps.Inconclusive != "" {
			return finding(CheckFallbackSCSV, Inconclusive, "support for %v is unknown: %s", ps.Protocol, ps.Inconclusive)
		}
		if ps.Supported {
			versions = append(versions, ps.Protocol)
		}
	}
	if len(versions) < 2 {
		return finding(CheckFallbackSCSV, NotApplicable, "only %d protocol version accepted: nothing to fall back to", len(versions))
	}
	best, lower := versions[len(versions)-1], versions[len(versions)-2]
	h := probe.Hello{
		Version: lower,
		Suites:  append(probe.OfferOrder(lower), registry.FallbackSCSV),
		SNI:     r.sni(),
	}
	var last Finding
	for try := 0; try < 2; try++ {
		fl, err := r.fallbackHello(ctx, h)
		ev := note("answer to the fallback hello", "%s", describeProbeErr(fl, err))
		switch a, isAlert := probe.AlertOf(err); {
		case err == nil && fl.Version == lower:
			f := finding(CheckFallbackSCSV, Vulnerable, "the server accepted a %v hello carrying TLS_FALLBACK_SCSV although it supports %v (information: no grade effect since 2009r)", lower, best)
			f.Severity = SeverityInfo
			f.add(ev)
			return f
		case err == nil:
			last = finding(CheckFallbackSCSV, Inconclusive, "the server answered the %v fallback hello with %v", lower, fl.Version)
		case isAlert && a.Description == tlswire.AlertInappropriateFallback:
			f := finding(CheckFallbackSCSV, NotVulnerable, "the server refused a %v hello carrying TLS_FALLBACK_SCSV with inappropriate_fallback (it supports %v)", lower, best)
			f.add(ev)
			return f
		case probe.Refused(err):
			f := finding(CheckFallbackSCSV, Inconclusive, "the server refused the %v fallback hello, but not with inappropriate_fallback, though it accepts %v", lower, lower)
			f.add(ev)
			return f
		default:
			last = finding(CheckFallbackSCSV, Inconclusive, "no clear answer to the %v fallback hello: %v", lower, err)
		}
		last.add(ev)
	}
	return last
}

// fallbackHello sends one hello and reads the first flight.
func (r *run) fallbackHello(ctx context.Context, h probe.Hello) (*probe.Flight, error) {
	msg, err := r.d.Marshal(h)
	if err != nil {
		return nil, err
	}
	pc, err := r.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer pc.Close()
	if err := pc.Write(msg); err != nil {
		return nil, err
	}
	fl, err := pc.ReadFlight()
	if fl != nil && fl.ServerHello != nil && err != nil && !probe.Refused(err) {
		// A ServerHello came; what followed does not matter here.
		err = nil
	}
	if err == nil && (fl == nil || fl.ServerHello == nil) {
		err = errUnexpected
	}
	return fl, err
}

func describeProbeErr(fl *probe.Flight, err error) string {
	if err == nil {
		return "ServerHello at " + fl.Version.String()
	}
	if a, ok := probe.AlertOf(err); ok {
		return a.String()
	}
	return err.Error()
}

// errUnexpected: the server answered, but with nothing the check can use.
var errUnexpected = errors.New("unexpected answer")
