package vuln

import "padlock/tlswire"

// OpenSSL padding oracle CVE-2016-2107 ("LuckyMinus20"): OpenSSL's AES-NI
// CBC-HMAC code, fixed in 1.0.1t and 1.0.2h, did not notice when the
// padding covered the whole record, leaving no room for the MAC; such a
// record drew record_overflow where other bad records drew bad_record_mac,
// a padding oracle. The probe (padding_oracle.go) sends a record made only
// of valid padding and compares its answer with a bad MAC's.
func judgeLuckyMinus20(p *padResults, where string) Finding {
	var f Finding
	a, ok := p[padAllPadding].alert()
	if ok && a.Description == tlswire.AlertRecordOverflow && p.differ(padAllPadding, padBadMAC) {
		f = finding(CheckLuckyMinus20, Vulnerable, "a record made only of padding draws record_overflow where a bad MAC draws something else: OpenSSL's AES-NI padding-check bug (%s)", where)
		f.Severity = SeverityExploitable
	} else {
		f = finding(CheckLuckyMinus20, NotVulnerable, "a record made only of padding is not answered with the CVE-2016-2107 record_overflow (%s)", where)
	}
	p.evidence(&f, padAllPadding, padBadMAC)
	return f
}
