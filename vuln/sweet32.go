package vuln

import "context"

// SWEET32 (CVE-2016-2183): a 64-bit block cipher (3DES, DES, IDEA,
// RC2...) lets a birthday attack recover plaintext from long
// connections. Decided from the suites accepted; whether clients actually
// negotiate them (the grade cap) is for the grading to judge.
func checkSWEET32(_ context.Context, r *run) Finding {
	small := suites(r.res, func(u suiteUse) bool { return u.Suite.Cipher.BlockBits() == 64 })
	if len(small) > 0 {
		f := finding(CheckSWEET32, Vulnerable, "%d suite(s) with a 64-bit block cipher accepted", len(small))
		f.Severity = SeverityExploitable
		f.add(suiteEvidence("64-bit block suite accepted", small, 6)...)
		return f
	}
	return noSuiteFinding(CheckSWEET32, r, "no suite with a 64-bit block cipher is accepted")
}
