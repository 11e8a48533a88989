package vuln

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"padlock/probe"
	"padlock/registry"
	"padlock/vuln/internal/handshake"
)

// Helpers over the prober's result.

// supported reports whether protocol p was accepted.
func supported(res *probe.Result, p registry.Protocol) bool {
	for _, ps := range res.Protocols {
		if ps.Protocol == p {
			return ps.Supported
		}
	}
	return false
}

// protocolsInconclusive lists the protocols whose support is unknown.
func protocolsInconclusive(res *probe.Result) []string {
	var out []string
	for _, ps := range res.Protocols {
		if ps.Inconclusive != "" {
			out = append(out, ps.Protocol.String())
		}
	}
	return out
}

// suiteUse is one accepted suite at one protocol.
type suiteUse struct {
	Protocol registry.Protocol
	Suite    registry.Suite
	Accepted probe.AcceptedSuite
}

func (u suiteUse) String() string { return fmt.Sprintf("%s at %v", u.Suite.Name, u.Protocol) }

// suites returns the accepted TLS suites (SSLv3 to TLS 1.3) that match f,
// in the prober's order (newest protocol last).
func suites(res *probe.Result, f func(suiteUse) bool) []suiteUse {
	var out []suiteUse
	for _, ps := range res.Suites {
		if ps.Protocol == registry.SSLv2 {
			continue
		}
		for _, a := range ps.Suites {
			s, ok := a.Suite()
			if !ok {
				continue
			}
			u := suiteUse{Protocol: ps.Protocol, Suite: s, Accepted: a}
			if f == nil || f(u) {
				out = append(out, u)
			}
		}
	}
	return out
}

// suitesInconclusive names the protocols whose enumeration did not finish.
func suitesInconclusive(res *probe.Result) string {
	var parts []string
	for _, ps := range res.Suites {
		if ps.Inconclusive != "" {
			parts = append(parts, ps.Protocol.String()+": "+ps.Inconclusive)
		}
	}
	return strings.Join(parts, "; ")
}

// suiteEvidence lists up to n suite uses as evidence.
func suiteEvidence(label string, us []suiteUse, n int) []Evidence {
	var out []Evidence
	for i, u := range us {
		if i == n {
			out = append(out, note(label, "and %d more", len(us)-n))
			break
		}
		out = append(out, note(label, "%s", u))
	}
	return out
}

// handshakeTarget picks a protocol and suites this package's handshake
// client can complete, among those the server accepted and that match f:
// the highest TLS 1.0-1.2 version with such a suite, and its suites in
// the server's order.
func handshakeTarget(res *probe.Result, f func(*handshake.Suite) bool) (uint16, []uint16) {
	for i := len(res.Suites) - 1; i >= 0; i-- {
		ps := res.Suites[i]
		if ps.Protocol < registry.TLS10 || ps.Protocol > registry.TLS12 {
			continue
		}
		var ids []uint16
		for _, a := range ps.Suites {
			if a.ID > 0xffff {
				continue
			}
			s, ok := handshake.SuiteByID(uint16(a.ID))
			if ok && (f == nil || f(s)) {
				ids = append(ids, s.ID)
			}
		}
		if len(ids) > 0 {
			return uint16(ps.Protocol), ids
		}
	}
	return 0, nil
}

// bestClassic is the highest accepted version from TLS 1.0 to TLS 1.2.
func bestClassic(res *probe.Result) registry.Protocol {
	var best registry.Protocol
	for _, ps := range res.Protocols {
		if ps.Supported && ps.Protocol >= registry.TLS10 && ps.Protocol <= registry.TLS12 {
			best = max(best, ps.Protocol)
		}
	}
	return best
}

// keyFingerprints is the hex SHA-256 of each distinct leaf SPKI the server
// sent, space-separated.
func keyFingerprints(res *probe.Result) string {
	var out []string
	for _, ch := range res.Chains {
		if len(ch.Certificates) == 0 {
			continue
		}
		cert, err := x509.ParseCertificate(ch.Certificates[0])
		if err != nil {
			continue
		}
		sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
		h := hex.EncodeToString(sum[:])
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return strings.Join(out, " ")
}
