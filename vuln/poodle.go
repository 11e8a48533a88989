package vuln

import (
	"context"

	"padlock/registry"
)

// POODLE (CVE-2014-3566): SSL 3.0 leaves CBC padding bytes unchecked, so
// any SSL 3.0 connection with a CBC suite is open to the padding oracle.
// Decided from the prober's result: SSL 3.0 accepted with a CBC suite.
func checkPoodle(_ context.Context, r *run) Finding {
	res := r.res
	for _, ps := range res.Protocols {
		if ps.Protocol == registry.SSLv3 && ps.Inconclusive != "" {
			return finding(CheckPoodle, Inconclusive, "SSL 3.0 support is unknown: %s", ps.Inconclusive)
		}
	}
	if !supported(res, registry.SSLv3) {
		return finding(CheckPoodle, NotApplicable, "SSL 3.0 is not accepted")
	}
	all := suites(res, func(u suiteUse) bool { return u.Protocol == registry.SSLv3 })
	cbc := suites(res, func(u suiteUse) bool { return u.Protocol == registry.SSLv3 && u.Suite.Cipher.CBC() })
	if len(cbc) > 0 {
		f := finding(CheckPoodle, Vulnerable, "SSL 3.0 is accepted with %d CBC suite(s)", len(cbc))
		f.Severity = SeverityExploitable
		f.add(suiteEvidence("CBC suite accepted", cbc, 4)...)
		return f
	}
	for _, ps := range res.Suites {
		if ps.Protocol == registry.SSLv3 && ps.Inconclusive != "" {
			return finding(CheckPoodle, Inconclusive, "SSL 3.0 suite enumeration incomplete: %s", ps.Inconclusive)
		}
	}
	f := finding(CheckPoodle, NotVulnerable, "SSL 3.0 is accepted, but with no CBC suite")
	f.add(suiteEvidence("SSL 3.0 suite accepted", all, 4)...)
	return f
}
