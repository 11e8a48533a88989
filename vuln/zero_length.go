package vuln

// OpenSSL 0-length padding oracle (CVE-2019-1559): OpenSSL 1.0.2 before
// 1.0.2r, in applications that call SSL_shutdown twice after a fatal
// error, answered a 0-byte record with invalid padding differently from a
// 0-byte record with an invalid MAC. The probe (padding_oracle.go) sends
// both (each with an invalid MAC, as an attacker's would be). When records
// with data split the same way, that is GOLDENDOODLE showing on empty
// records, not this bug.
func judgeZeroLength(p *padResults, where string) Finding {
	f := p.oracle(CheckZeroLength, padZeroBadMAC, padZeroBadPad, "0-length records with an invalid MAC and with invalid padding", where)
	if f.State == Vulnerable && !p.differ(padZeroBadMAC, padBadMAC) && !p.differ(padZeroBadPad, padBadPad) {
		f = finding(CheckZeroLength, NotVulnerable, "0-length records are answered like records with data (the difference, if any, is GOLDENDOODLE's) (%s)", where)
		p.evidence(&f, padZeroBadMAC, padZeroBadPad, padBadMAC, padBadPad)
	}
	return f
}
