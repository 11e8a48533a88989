package vuln

import (
	"context"

	"padlock/registry"
)

// BEAST (CVE-2011-3389): CBC with the predictable IVs of SSL 3.0 and TLS
// 1.0. Browsers mitigate it on their side and SSL Labs no longer grades
// it (2009d), so this is information: a CBC suite accepted at SSL 3.0 or
// TLS 1.0.
func checkBEAST(_ context.Context, r *run) Finding {
	old := supported(r.res, registry.SSLv3) || supported(r.res, registry.TLS10)
	if !old {
		return finding(CheckBEAST, NotApplicable, "neither SSL 3.0 nor TLS 1.0 is accepted")
	}
	cbc := suites(r.res, func(u suiteUse) bool {
		return (u.Protocol == registry.SSLv3 || u.Protocol == registry.TLS10) && u.Suite.Cipher.CBC()
	})
	if len(cbc) == 0 {
		return noSuiteFinding(CheckBEAST, r, "no CBC suite at SSL 3.0 or TLS 1.0")
	}
	f := finding(CheckBEAST, Vulnerable, "%d CBC suite(s) accepted at SSL 3.0 or TLS 1.0 (information: mitigated by clients, no grade effect)", len(cbc))
	f.Severity = SeverityInfo
	f.add(suiteEvidence("CBC suite at SSL 3.0/TLS 1.0", cbc, 4)...)
	return f
}
