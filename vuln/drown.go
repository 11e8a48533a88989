package vuln

import (
	"context"
	"crypto/x509"
	"fmt"
	"strings"

	"padlock/probe"
	"padlock/registry"
)

// DROWN (CVE-2016-0800): SSLv2 on any server holding the same RSA key
// lets an attacker decrypt TLS sessions. This check decides for this
// endpoint (SSLv2 accepted, even with no cipher spec, as SSL Labs counts
// it); the report's PadlockKeyFingerprint and PadlockSSLv2 let the fleet
// scan mark every endpoint sharing a key with an SSLv2 one.
func checkDROWN(_ context.Context, r *run) Finding {
	fp := keyFingerprints(r.res)
	for _, ps := range r.res.Protocols {
		if ps.Protocol == registry.SSLv2 && ps.Inconclusive != "" {
			return finding(CheckDROWN, Inconclusive, "SSLv2 support is unknown: %s", ps.Inconclusive)
		}
	}
	if !supported(r.res, registry.SSLv2) {
		if rsa, known := servesRSAKey(r.res); known && !rsa {
			f := finding(CheckDROWN, NotApplicable, "no SSLv2, and no RSA key for an SSLv2 server elsewhere to share (DROWN attacks RSA key exchange)")
			f.add(note("leaf keys", "none RSA among %d chain(s)", len(r.res.Chains)))
			return f
		}
		f := finding(CheckDROWN, NotVulnerable, "this endpoint does not accept SSLv2; endpoints sharing its key are checked by the fleet scan")
		f.add(note("SSLv2 CLIENT-HELLO", "no SERVER-HELLO in answer"))
		if fp != "" {
			f.add(note("leaf key SHA-256", "%s", fp))
		}
		return f
	}
	var specs []string
	for _, ps := range r.res.Suites {
		if ps.Protocol != registry.SSLv2 {
			continue
		}
		for _, a := range ps.Suites {
			name := fmt.Sprintf("0x%06x", a.ID)
			if c, ok := registry.SSLv2CipherByID(a.ID); ok {
				name = c.Name
			}
			specs = append(specs, name)
		}
	}
	f := finding(CheckDROWN, Vulnerable, "SSLv2 is accepted, with %d cipher spec(s)", len(specs))
	f.Severity = SeverityExploitable
	f.add(note("SSLv2 CLIENT-HELLO", "answered with a SERVER-HELLO"))
	for i, s := range specs {
		if i == 6 {
			break
		}
		f.add(note("SSLv2 cipher spec", "%s", s))
	}
	if fp != "" {
		f.add(note("leaf key SHA-256", "%s", fp))
	}
	return f
}

// servesRSAKey reports whether any leaf certificate the server sent has an
// RSA key; known is false when no chain was recorded.
func servesRSAKey(res *probe.Result) (rsaKey, known bool) {
	for _, ch := range res.Chains {
		if len(ch.Certificates) == 0 {
			continue
		}
		cert, err := x509.ParseCertificate(ch.Certificates[0])
		if err != nil {
			continue
		}
		known = true
		if cert.PublicKeyAlgorithm == x509.RSA {
			return true, true
		}
	}
	return false, known
}

// FleetDROWN applies DROWN across the endpoints of one fleet scan: every
// report whose leaf key (PadlockKeyFingerprint) is also served by another
// endpoint that accepts SSLv2 (PadlockSSLv2) becomes DROWN-vulnerable, with
// that endpoint named in the evidence. names[i] labels reps[i] (e.g.
// "host 192.0.2.1:443"). Reports already vulnerable stay so.
func FleetDROWN(names []string, reps []*Report) {
	holders := map[string][]int{} // key fingerprint -> SSLv2 endpoints
	for i, r := range reps {
		if r == nil || !r.PadlockSSLv2 {
			continue
		}
		for _, fp := range strings.Fields(r.PadlockKeyFingerprint) {
			holders[fp] = append(holders[fp], i)
		}
	}
	for i, r := range reps {
		if r == nil || r.PadlockSSLv2 {
			continue
		}
		var others []string
		for _, fp := range strings.Fields(r.PadlockKeyFingerprint) {
			for _, j := range holders[fp] {
				if j != i && j < len(names) {
					others = append(others, names[j])
				}
			}
		}
		if len(others) == 0 {
			continue
		}
		r.DrownVulnerable = true
		for k := range r.PadlockFindings {
			f := &r.PadlockFindings[k]
			if f.Check != CheckDROWN {
				continue
			}
			f.State = Vulnerable
			f.Severity = SeverityExploitable
			f.Variant = ""
			f.Reason = fmt.Sprintf("its RSA key is also served by %d endpoint(s) that accept SSLv2", len(others))
			for _, o := range others {
				f.add(note("same key, SSLv2 accepted", "%s", o))
			}
		}
	}
}
