package pki

import (
	"crypto/x509"
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// MatchesHost reports whether the certificate is valid for host, following
// RFC 6125 as browsers apply it:
//
//   - An IP address (v4 or v6, optionally in brackets) matches only an
//     iPAddress subject alternative name, never a DNS name or the CN.
//   - A DNS name is compared, case-insensitively and ignoring a trailing
//     dot, with each dNSName SAN. The subject CN is used only when the
//     certificate has no dNSName SAN at all.
//   - A wildcard is only a whole left-most label ("*.example.com"). It
//     stands for exactly one non-empty label: it matches "www.example.com"
//     but neither "example.com" nor "a.b.example.com". Partial-label
//     wildcards ("w*.example.com", "*w.example.com"), wildcards elsewhere
//     and wildcards directly over a public suffix ("*.com", "*.co.uk") match
//     nothing.
//   - Internationalised names are compared in their A-label (punycode) form.
func MatchesHost(c *x509.Certificate, host string) bool {
	host = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), ".")
	if host == "" {
		return false
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap().WithZone("")
		for _, san := range c.IPAddresses {
			if a, ok := netip.AddrFromSlice(san); ok && a.Unmap() == ip {
				return true
			}
		}
		return false
	}
	name, ok := normalizeDNSName(host)
	if !ok {
		return false
	}
	patterns := c.DNSNames
	if len(patterns) == 0 {
		patterns = commonNames(c)
	}
	for _, p := range patterns {
		if matchPattern(p, name) {
			return true
		}
	}
	return false
}

// normalizeDNSName lower-cases a host name and converts it to its ASCII
// (A-label) form.
func normalizeDNSName(s string) (string, bool) {
	s = strings.TrimSuffix(s, ".")
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			a, err := idna.Lookup.ToASCII(s)
			if err != nil {
				return "", false
			}
			s = a
			break
		}
	}
	return strings.ToLower(s), s != ""
}

// matchPattern matches one certificate name (possibly a wildcard) against a
// normalised host name.
func matchPattern(pattern, host string) bool {
	pattern = strings.ToLower(strings.TrimSuffix(pattern, "."))
	if pattern == "" {
		return false
	}
	if !strings.Contains(pattern, "*") {
		p, ok := normalizeDNSName(pattern)
		return ok && p == host
	}
	base, ok := strings.CutPrefix(pattern, "*.")
	if !ok || strings.Contains(base, "*") {
		return false // partial-label or non-left-most wildcard
	}
	if !strings.Contains(base, ".") {
		return false // "*.com", "*.localhost": too broad
	}
	if suffix, icann := publicsuffix.PublicSuffix(base); icann && suffix == base {
		return false // "*.co.uk"
	}
	label, rest, ok := strings.Cut(host, ".")
	if !ok || label == "" {
		return false
	}
	b, ok := normalizeDNSName(base)
	return ok && rest == b
}

// commonNames returns every CN attribute of the subject, in order.
func commonNames(c *x509.Certificate) []string {
	var out []string
	for _, atv := range c.Subject.Names {
		if atv.Type.Equal(oidCommonName) {
			if s, ok := atv.Value.(string); ok {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 && c.Subject.CommonName != "" {
		out = []string{c.Subject.CommonName} // a Name built, not parsed
	}
	return out
}
