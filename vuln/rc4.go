package vuln

import (
	"context"

	"padlock/registry"
)

func isRC4(c registry.Cipher) bool {
	return c == registry.RC4_40 || c == registry.RC4_56 || c == registry.RC4_64 || c == registry.RC4_128
}

// RC4 (RFC 7465 prohibits it): biases in the keystream leak plaintext.
// supportsRc4 is any RC4 suite accepted; rc4Only is every accepted suite
// (TLS 1.3 ones included) being RC4.
func checkRC4(_ context.Context, r *run) Finding {
	rc4 := suites(r.res, func(u suiteUse) bool { return isRC4(u.Suite.Cipher) })
	if len(rc4) == 0 {
		return noSuiteFinding(CheckRC4, r, "no RC4 suite is accepted")
	}
	all := suites(r.res, nil)
	f := finding(CheckRC4, Vulnerable, "%d RC4 suite(s) accepted", len(rc4))
	f.Severity = SeverityExploitable
	if len(rc4) == len(all) && !supported(r.res, registry.TLS13) {
		f.Variant = VariantRC4Only
		f.Reason = "only RC4 suites are accepted"
	}
	f.add(suiteEvidence("RC4 suite accepted", rc4, 6)...)
	return f
}
