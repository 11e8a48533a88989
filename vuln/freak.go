package vuln

import (
	"context"

	"padlock/registry"
)

// FREAK (CVE-2015-0204): a server that accepts an RSA_EXPORT suite hands
// out a 512-bit RSA key an attacker can factor, and a buggy client can be
// made to use it. Decided from the prober's suite enumeration, which
// offers the export suites at every version.
func checkFREAK(_ context.Context, r *run) Finding {
	exp := suites(r.res, func(u suiteUse) bool { return u.Suite.Kx == registry.KxRSA && u.Suite.Export })
	if len(exp) > 0 {
		f := finding(CheckFREAK, Vulnerable, "%d RSA export suite(s) accepted", len(exp))
		f.Severity = SeverityExploitable
		for i, u := range exp {
			if i == 4 {
				break
			}
			if u.Accepted.RSAExportBits > 0 {
				f.add(note("RSA export suite accepted", "%s with a %d-bit temporary key", u, u.Accepted.RSAExportBits))
			} else {
				f.add(note("RSA export suite accepted", "%s", u))
			}
		}
		return f
	}
	return noSuiteFinding(CheckFREAK, r, "no RSA export suite is accepted")
}

// noSuiteFinding is the answer of a suite-based check that found no
// offending suite: not vulnerable if the enumeration was complete and some
// SSL 3.0-TLS 1.2 protocol is accepted, inconclusive if the enumeration
// stopped early, not applicable if no such protocol is accepted.
func noSuiteFinding(check string, r *run, reason string) Finding {
	if s := suitesInconclusive(r.res); s != "" {
		return finding(check, Inconclusive, "suite enumeration incomplete (%s)", s)
	}
	any := false
	for _, p := range []registry.Protocol{registry.SSLv3, registry.TLS10, registry.TLS11, registry.TLS12} {
		any = any || supported(r.res, p)
	}
	if !any {
		if ps := protocolsInconclusive(r.res); len(ps) > 0 {
			return finding(check, Inconclusive, "support for %v is unknown", ps)
		}
		return finding(check, NotApplicable, "no SSL 3.0 to TLS 1.2 protocol is accepted")
	}
	f := finding(check, NotVulnerable, "%s", reason)
	f.add(note("suites accepted", "%d across SSL 3.0 to TLS 1.3", len(suites(r.res, nil))))
	return f
}
