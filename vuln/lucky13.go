package vuln

import "context"

// Lucky13 (CVE-2013-0169): a timing side channel in MAC-then-encrypt CBC
// record processing. Whether an implementation is constant-time cannot be
// told from a few connections, so this is information: CBC suites are
// accepted, which is the attack's precondition.
func checkLucky13(_ context.Context, r *run) Finding {
	cbc := suites(r.res, func(u suiteUse) bool { return u.Suite.Cipher.CBC() })
	if len(cbc) == 0 {
		f := noSuiteFinding(CheckLucky13, r, "")
		if f.State == NotVulnerable {
			return finding(CheckLucky13, NotApplicable, "no CBC suite is accepted")
		}
		return f
	}
	f := finding(CheckLucky13, Vulnerable, "%d CBC suite(s) accepted: exposed to Lucky13 timing unless the implementation is constant-time (information, timing not measured)", len(cbc))
	f.Severity = SeverityInfo
	f.add(suiteEvidence("CBC suite accepted", cbc, 4)...)
	return f
}
