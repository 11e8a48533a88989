package vuln

// POODLE TLS (CVE-2014-8730): TLS implementations that checked CBC padding
// the SSL 3.0 way — the length byte only, not the padding bytes — let the
// POODLE attack work on TLS (F5 and A10 load balancers, 2014). The probe
// (padding_oracle.go) sends a request whose padding bytes are wrong but
// whose MAC and length byte are right: a server that answers it as it
// answers the well-formed request is vulnerable. No answer at all within
// the wait is SSL Labs' "timeout" (-3).
func judgePoodleTLS(p *padResults, where string) Finding {
	var f Finding
	switch {
	case p[padPoodle].dataLen() > 0 || (p[padValid].dataLen() > 0 && !p.differ(padPoodle, padValid)):
		f = finding(CheckPoodleTLS, Vulnerable, "the server processed a record whose padding bytes were wrong (only the length byte right) (%s)", where)
		f.Severity = SeverityExploitable
	case p[padPoodle].End == endTimeout && len(p[padPoodle].Records) == 0:
		f = finding(CheckPoodleTLS, Inconclusive, "no answer to a record with SSLv3-style padding within the wait (%s)", where)
		f.Variant = VariantTimeout
	case p.differ(padPoodle, padValid):
		f = finding(CheckPoodleTLS, NotVulnerable, "the server rejected a record whose padding bytes were wrong (%s)", where)
	default:
		f = finding(CheckPoodleTLS, Inconclusive, "the valid and the badly padded records drew the same answer, without data (%s)", where)
	}
	p.evidence(&f, padValid, padPoodle)
	return f
}
