package assess

import (
	"context"
	"net"
	"strings"

	"padlock/grade"
	"padlock/pki"
	"padlock/web"
)

// checkWeb runs the plain-HTTP side of the target. A pinned target's name
// is sent to its first pinned address, as the TLS probe does; other names
// (a redirect to another host) resolve normally, under opts.Policy. Unless
// opts.RootCAs is set, HTTPS hops are verified against the roots the TLS
// side judges chains with (pki: the Mozilla store plus --ca-file roots).
func checkWeb(ctx context.Context, t Target, opts web.Options, trust pki.Options) *web.Result {
	if opts.RootCAs == nil {
		opts.RootCAs, _ = trust.TrustPool() // an unreadable store is reported by pki
	}
	if len(t.Pin) > 0 {
		pin := t.Pin[0]
		next := opts.Dial
		if next == nil {
			var d net.Dialer
			next = d.DialContext
		}
		opts.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err == nil && strings.EqualFold(strings.TrimSuffix(host, "."), t.Host) {
				addr = net.JoinHostPort(pin.String(), port)
			}
			return next(ctx, network, addr)
		}
	}
	httpPort := t.HTTPPort
	if httpPort == 0 {
		httpPort = 80
	}
	return web.Check(ctx, t.Host, httpPort, t.port(), opts)
}

// httpFacts maps the plain-HTTP result onto the grading facts: the HSTS
// policy (F1–F4) and the HPKP policy matched against this endpoint's chain
// (F5). chainPins are the SPKI pins of the chain sent for the name.
func httpFacts(w *web.Result, chainPins []string) *grade.HTTPFacts {
	p := w.HSTSPolicy
	f := &grade.HTTPFacts{HSTSMaxAge: p.MaxAge, HSTSHeader: p.Header, HSTSError: p.Error}
	if err := f.HSTS.UnmarshalText([]byte(p.Status)); err != nil {
		f.HSTS = grade.HSTSUnknown
	}
	hp := w.HPKPPolicy
	hp.Match(chainPins)
	f.HPKPError = hp.Error
	switch hp.Status {
	case web.HPKPAbsent:
		f.HPKP = grade.HPKPAbsent
	case web.HPKPDisabled:
		f.HPKP = grade.HPKPDisabled
	case web.HPKPInvalid:
		f.HPKP = grade.HPKPInvalid
	case web.HPKPValid:
		f.HPKP = grade.HPKPValid
	case web.HPKPIncomplete, web.HPKPPartial:
		f.HPKP = grade.HPKPNoMatch
		if hp.PadlockProblem == "no-backup" {
			f.HPKP = grade.HPKPNoBackup
		}
	default: // unknown, or pins not yet matched (no chain)
		f.HPKP = grade.HPKPUnknown
	}
	return f
}

// chainPins are the SPKI pins (base64 SHA-256) of the first chain the
// certificate analysis judged, leaf first.
func chainPins(rep *pki.Report) []string {
	if rep == nil || len(rep.Chains) == 0 {
		return nil
	}
	var pins []string
	for _, id := range rep.Chains[0].CertIDs {
		if c := rep.Cert(id); c != nil && c.PinSHA256 != "" {
			pins = append(pins, c.PinSHA256)
		}
	}
	return pins
}
