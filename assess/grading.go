package assess

import (
	//lint:ignore SA1019 old servers still have DSA keys; only their size is read
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"time"

	"padlock/grade"
	"padlock/pki"
	"padlock/probe"
	"padlock/registry"
	"padlock/vuln"
	"padlock/web"
)

// evidence is everything one endpoint's grade is judged from. Parts that
// later stages gather (certificate trust, vulnerabilities, the HTTP side,
// handshake simulation) are nil until those stages exist or ran; the grade
// then lists the rules they feed as not evaluated.
type evidence struct {
	probe    *probe.Result
	probeErr error
	certs    *pki.Report  // the certificate analysis; nil when none ran
	web      *web.Result  // the plain-HTTP side; nil when not checked
	vulns    *vuln.Report // the vulnerability checks; nil when they did not run
	now      time.Time
}

// facts maps the evidence onto the grading package's facts.
func (e evidence) facts(host string) grade.Facts {
	f := grade.Facts{Host: host, Now: e.now}
	if e.web != nil {
		f.HTTP = httpFacts(e.web, chainPins(e.certs))
		if e.web.HTTPSRedirectsToHTTP {
			f.HTTPSRedirectsToHTTP = true
			if n := len(e.web.HTTPSRedirects); n > 0 {
				f.RedirectLocation = e.web.HTTPSRedirects[n-1].URL
			}
		}
	}
	res := e.probe
	switch {
	case e.probeErr != nil && errors.Is(e.probeErr, probe.ErrUnreachable):
		// Decision 1: a refused connection is "no secure connection"; a
		// port that drops everything is inconclusive, not U.
		if errors.Is(e.probeErr, syscall.ECONNREFUSED) {
			f.NoTLS, f.NoTLSReason = true, "connection refused on the HTTPS port"
		} else {
			f.Inconclusive = "could not connect: " + e.probeErr.Error()
		}
		return f
	case e.probeErr != nil:
		f.Inconclusive = e.probeErr.Error()
		return f
	case res == nil:
		f.Inconclusive = "no probe result"
		return f
	case e.certs != nil && e.certs.Incomplete != "":
		f.Inconclusive = e.certs.Incomplete
		return f
	}

	definiteNo := true
	for _, p := range res.Protocols {
		if p.Supported {
			f.Protocols = append(f.Protocols, p.Protocol)
		} else if p.Inconclusive != "" {
			definiteNo = false
			f.Incomplete = append(f.Incomplete, p.Protocol.String()+": "+p.Inconclusive)
		}
	}
	if len(f.Protocols) == 0 {
		if definiteNo {
			f.NoTLS, f.NoTLSReason = true, "every protocol from SSLv2 to TLS 1.3 was refused (an alert, or the connection closed without a ServerHello)"
		} else {
			f.Inconclusive = "no protocol accepted, and some answers were inconclusive (" + f.Incomplete[0] + ")"
		}
		return f
	}
	if res.Interrupted > 0 && (res.Complete == 0 || len(res.Chains) == 0) {
		// The server said yes (a ServerHello) and then broke handshakes
		// off: with no first flight ever read whole, or no certificate
		// seen, a grade would judge what nobody saw.
		what := "before finishing any first flight"
		if len(res.Chains) == 0 {
			what = "before sending its certificate"
		}
		f.Inconclusive = fmt.Sprintf("the server accepted %v but broke off every handshake %s (%d handshakes interrupted)",
			f.Protocols, what, res.Interrupted)
		return f
	}

	for _, ps := range res.Suites {
		if ps.Inconclusive != "" {
			f.Incomplete = append(f.Incomplete, ps.Protocol.String()+" suites: "+ps.Inconclusive)
		}
		if ps.Protocol == registry.SSLv2 {
			for _, a := range ps.Suites {
				f.SSLv2Ciphers = append(f.SSLv2Ciphers, a.ID)
			}
			continue
		}
		gs := grade.ProtocolSuites{Protocol: ps.Protocol, ServerPreference: ps.PreferenceKnown && ps.ServerPreference}
		for _, a := range ps.Suites {
			gs.Suites = append(gs.Suites, uint16(a.ID))
			if a.DH != nil && !slices.ContainsFunc(f.DHGroups, func(d grade.DHFacts) bool {
				return d.Bits == a.DH.Bits && d.Name == a.DH.KnownName
			}) {
				f.DHGroups = append(f.DHGroups, grade.DHFacts{Bits: a.DH.Bits, Name: a.DH.KnownName})
			}
			if a.Group != 0 && !slices.Contains(f.ECDHEGroups, a.Group) {
				f.ECDHEGroups = append(f.ECDHEGroups, a.Group)
			}
		}
		f.Suites = append(f.Suites, gs)
	}
	// Every group the server accepts counts in key exchange, not only the
	// one it picks from a broad offer: a client offering only secp192r1
	// gets secp192r1 (C5). FFDHE groups count through DHGroups.
	for _, id := range res.Groups.Groups {
		if g, ok := registry.GroupByID(id); ok && g.Kind != registry.GroupFFDHE && !slices.Contains(f.ECDHEGroups, id) {
			f.ECDHEGroups = append(f.ECDHEGroups, id)
		}
	}
	if res.Groups.Inconclusive != "" {
		f.Incomplete = append(f.Incomplete, "groups: "+res.Groups.Inconclusive)
	}
	if res.Extensions.Protocol != 0 {
		secure := res.Extensions.SecureRenegotiation
		f.SecureRenegotiation = &secure
		f.Compression = res.Extensions.Compression == 1
	}
	f.Incomplete = append(f.Incomplete, res.Errors...)
	if e.vulns != nil {
		f.Vulns = vulnFacts(e.vulns)
	}
	f.Cert, f.LeafKey = certFacts(e.certs)
	if f.LeafKey == nil {
		f.LeafKey = leafKey(res.Chains)
	}
	if len(res.Simulations) > 0 {
		f.Sims = &grade.SimFacts{}
		for _, s := range res.Simulations {
			if s.Inconclusive {
				f.Incomplete = append(f.Incomplete, "simulation of "+s.Name+": "+s.Error)
				continue
			}
			f.Sims.Clients = append(f.Sims.Clients, grade.SimClient{
				ID: s.Client, Name: s.Name, Reference: s.Reference, Failed: s.Failed, Error: s.Error,
				Protocol: s.Protocol, Suite: s.Suite, Group: s.Group,
			})
		}
	} else {
		f.Negotiated = grade.ModernHello(f.Protocols, f.Suites)
	}
	return f
}

// certFacts maps pki's analysis onto the grading facts: the certificate
// facts (rules A1-A9, A13-A15) and the leaf key (A10-A12), both summarised
// over the chains sent for the requested name, as pki's Report.Facts is.
// Both are nil when there is no certificate to judge.
//
// CertFacts.TrustError is set only for a failure to build a path to a
// trusted root (unknown issuer, a bad intermediate, an untrusted root...):
// an expired, not yet valid, self-signed, distrusted or SHA-1/MD5-signed
// leaf has a rule of its own, which would otherwise fire twice. Revocation
// is known only from a stapled OCSP response (pki makes no live CRL or
// OCSP queries); the blocklist (A15) and the Debian weak-key list are not
// consulted: those checks stay Unknown, "not evaluated".
func certFacts(r *pki.Report) (*grade.CertFacts, *grade.KeyFacts) {
	if r == nil || r.Facts.NoCertificate {
		return nil, nil
	}
	f := r.Facts
	first := r.Cert(f.LeafID)
	if first == nil {
		return nil, nil
	}
	c := &grade.CertFacts{
		Subject:      first.Subject,
		SHA256:       first.SHA256Hash,
		Names:        first.AltNames,
		NameMismatch: f.Mismatch,
		SelfSigned:   f.SelfSigned,
		Blacklisted:  grade.Check{State: grade.Unknown},
	}
	if len(c.Names) == 0 {
		c.Names = first.CommonNames
	}

	chains := gradedChains(r)
	var leaves []*pki.Cert
	issues, stapledGood := 0, len(chains) > 0
	for _, cr := range chains {
		issues |= cr.Issues
		if cr.OCSP == nil || cr.OCSP.RevocationStatus != pki.RevocationNotRevoked {
			stapledGood = false
		}
		if len(cr.CertIDs) == 0 {
			continue
		}
		if l := r.Cert(cr.CertIDs[0]); l != nil && l.ParseError == "" && !slices.Contains(leaves, l) {
			leaves = append(leaves, l)
		}
	}
	noPath := false
	worst := first
	for _, l := range leaves {
		// The validity every leaf has: the latest start, the earliest end.
		if nb := time.UnixMilli(l.NotBefore); c.NotBefore.IsZero() || nb.After(c.NotBefore) {
			c.NotBefore = nb
		}
		if na := time.UnixMilli(l.NotAfter); c.NotAfter.IsZero() || na.Before(c.NotAfter) {
			c.NotAfter = na
		}
		if hashRank(sigHash(l)) < hashRank(sigHash(worst)) {
			worst = l
		}
		noPath = noPath || l.Issues&pki.CertNoChainOfTrust != 0
	}
	c.SigAlg, c.SigHash = worst.SigAlg, sigHash(worst)

	c.ChainIncomplete = f.IncompleteChain || issues&pki.ChainIncomplete != 0
	c.ChainWrongOrder = issues&pki.ChainWrongOrder != 0
	c.ChainExtraCerts = issues&pki.ChainUnrelatedOrDuplicate != 0
	c.ChainSendsRoot = issues&pki.ChainSelfSignedRoot != 0

	switch {
	case f.Revoked:
		c.Revoked = grade.Check{State: grade.Vulnerable, Detail: "the stapled OCSP response says revoked"}
	case stapledGood:
		c.Revoked = grade.Check{State: grade.NotVulnerable, Detail: "the stapled OCSP response says good"}
	default:
		c.Revoked = grade.Check{State: grade.Unknown, Detail: "no live CRL or OCSP check; nothing usable stapled"}
	}
	// The dated distrusts (registry.Distrusts) are applied by grading from
	// CA and the dates, so that a re-grade at another date applies them
	// again; Distrusted carries only the trust store's own distrust-after.
	c.CA, c.CAByName = f.CA, f.CAByName
	if f.EarliestSCT != 0 {
		c.EarliestSCT = time.UnixMilli(f.EarliestSCT).UTC()
	}
	if f.StoreDistrusted {
		c.Distrusted = grade.Check{State: grade.Vulnerable, Detail: "Mozilla's root store distrusts the root for certificates issued after its distrust-after date"}
	} else {
		c.Distrusted = grade.Check{State: grade.NotVulnerable}
	}
	c.TrustError = trustError(f, noPath, chains)

	return c, keyFacts(f.LeafKey)
}

// trustError says why no path leads from the leaf to a trusted root, or ""
// when one does or when the leaf's own problems (each its own rule)
// explain the failure. noPath: some leaf has no chain of trust even within
// its validity period.
func trustError(f pki.Facts, noPath bool, chains []*pki.ChainReport) string {
	if f.Trusted {
		return ""
	}
	// A distrust explains the failure only when it is the store's own
	// (Mozilla's): a chain Chrome distrusts and Mozilla cannot build either
	// still has A2's reason.
	ownRule := f.SelfSigned || slices.Contains(f.DistrustedBy, pki.StoreMozilla) || f.SHA1Leaf || f.MD5OrMD2Leaf
	if ownRule {
		// crypto/x509 never validates SHA-1 or MD5 signatures, and a
		// self-signed or distrusted leaf has no path by definition.
		return ""
	}
	if f.Expired || f.NotYetValid {
		if !noPath {
			return ""
		}
		return "no path to a trusted root, even within the certificate's validity period"
	}
	if !f.Revoked && len(f.TrustErrors) > 0 {
		return strings.Join(f.TrustErrors, "; ")
	}
	// pki explains a revoked leaf by its revocation only: give the path
	// validation error itself.
	for _, cr := range chains {
		if cr.TrustError != "" {
			return cr.TrustError
		}
	}
	return "no path to a trusted root"
}

// sigHash is the hash of a certificate's signature as grading names it.
func sigHash(c *pki.Cert) grade.HashAlg {
	switch c.SigAlg {
	case "Ed25519", "Ed448":
		return grade.HashIntrinsic
	}
	switch c.SigHash {
	case "MD2":
		return grade.HashMD2
	case "MD4":
		return grade.HashMD4
	case "MD5":
		return grade.HashMD5
	case "SHA1":
		return grade.HashSHA1
	case "SHA224":
		return grade.HashSHA224
	case "SHA256":
		return grade.HashSHA256
	case "SHA384":
		return grade.HashSHA384
	case "SHA512":
		return grade.HashSHA512
	}
	return grade.HashUnknown
}

// hashRank orders signature hashes from the worst for grading (MD2, MD5:
// F) through SHA-1 (T) to the rest; an unknown hash ranks with the good
// ones, so that it never hides a known bad one.
func hashRank(h grade.HashAlg) int {
	switch h {
	case grade.HashMD2, grade.HashMD4, grade.HashMD5:
		return 0
	case grade.HashSHA1:
		return 1
	}
	return 2
}

// keyFacts maps pki's description of the leaf key; nil when pki could not
// tell the algorithm.
func keyFacts(k pki.Key) *grade.KeyFacts {
	kf := &grade.KeyFacts{Bits: k.Bits, Strength: k.Strength, Exponent: int64(k.Exponent), Curve: k.Curve,
		DebianWeak: grade.Check{State: grade.Unknown}}
	switch k.Alg {
	case "RSA":
		kf.Alg = grade.KeyRSA
	case "EC":
		kf.Alg = grade.KeyECDSA
	case "Ed25519", "Ed448":
		kf.Alg = grade.KeyEdDSA
	case "DSA":
		kf.Alg = grade.KeyDSA
	default:
		return nil
	}
	return kf
}

// leafKey describes the key of the leaf sent for the requested name
// straight from the certificate: the fallback when pki gave no key.
func leafKey(chains []probe.Chain) *grade.KeyFacts {
	if len(chains) == 0 || len(chains[0].Certificates) == 0 {
		return nil
	}
	cert, err := x509.ParseCertificate(chains[0].Certificates[0])
	if err != nil {
		return nil
	}
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return &grade.KeyFacts{Alg: grade.KeyRSA, Bits: k.N.BitLen(), Exponent: int64(k.E)}
	case *ecdsa.PublicKey:
		return &grade.KeyFacts{Alg: grade.KeyECDSA, Bits: k.Curve.Params().BitSize, Curve: k.Curve.Params().Name}
	case ed25519.PublicKey:
		return &grade.KeyFacts{Alg: grade.KeyEdDSA, Bits: 256, Curve: "Ed25519"}
	case *dsa.PublicKey:
		return &grade.KeyFacts{Alg: grade.KeyDSA, Bits: k.P.BitLen()}
	}
	return nil
}

// applyGrade evaluates the endpoint's grade and records it, with the facts
// it was judged from, so that the grade can be re-derived later.
func applyGrade(ep *Endpoint, host string, ev evidence) {
	f := ev.facts(host)
	ep.PadlockFacts = &f
	setGrade(ep, grade.Evaluate(f))
}

func setGrade(ep *Endpoint, r grade.Result) {
	ep.Grade = r.Grade
	ep.GradeTrustIgnored = r.GradeTrustIgnored
	ep.HasWarnings = r.HasWarnings
	ep.IsExceptional = r.IsExceptional
	ep.FutureGrade = r.FutureGrade
	ep.PadlockGrade = &r
}

// Regrade re-evaluates every endpoint of h from its stored facts, after
// applying change to each endpoint's facts (nil: none). It is how facts
// learned after the assessment reach the grade (fleet-wide DROWN), and how
// stored results are re-graded when the rules change. Endpoints without
// stored facts keep their grade. The site verdict is recomputed.
func Regrade(h *Host, change func(ep *Endpoint, f *grade.Facts)) {
	for i := range h.Endpoints {
		ep := &h.Endpoints[i]
		if ep.PadlockFacts == nil {
			continue
		}
		if change != nil {
			change(ep, ep.PadlockFacts)
		}
		setGrade(ep, grade.Evaluate(*ep.PadlockFacts))
	}
	star, sbd := h.PadlockSite.Star, h.PadlockSite.SecureByDefault
	site := summarize(h, h.PadlockWeb)
	if h.PadlockWeb == nil {
		site.Star, site.SecureByDefault = star, sbd
		if site.Star && site.Grade != "" {
			site.Display = site.Grade + "*"
		}
	}
	h.PadlockSite = site
}
