package assess

import (
	"crypto/dsa" //nolint:staticcheck // old servers still have DSA keys; we only read their size
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"slices"
	"syscall"
	"time"

	"padlock/grade"
	"padlock/probe"
	"padlock/registry"
)

// evidence is everything one endpoint's grade is judged from. Parts that
// later stages gather (certificate trust, vulnerabilities, the HTTP side,
// handshake simulation) are nil until those stages exist or ran; the grade
// then lists the rules they feed as not evaluated.
type evidence struct {
	probe    *probe.Result
	probeErr error
	now      time.Time
}

// facts maps the evidence onto the grading package's facts.
func (e evidence) facts(host string) grade.Facts {
	f := grade.Facts{Host: host, Now: e.now}
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
			f.NoTLS, f.NoTLSReason = true, "no protocol from SSLv2 to TLS 1.3 completed a ServerHello"
		} else {
			f.Inconclusive = "no protocol accepted, and some answers were inconclusive"
		}
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
	if res.Groups.Inconclusive != "" {
		f.Incomplete = append(f.Incomplete, "groups: "+res.Groups.Inconclusive)
	}
	if res.Extensions.Protocol != 0 {
		secure := res.Extensions.SecureRenegotiation
		f.SecureRenegotiation = &secure
		f.Compression = res.Extensions.Compression == 1
	}
	f.Incomplete = append(f.Incomplete, res.Errors...)
	f.LeafKey = leafKey(res.Chains)
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

// leafKey describes the key of the leaf sent for the requested name.
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

// applyGrade evaluates the endpoint's grade and records it.
func applyGrade(ep *Endpoint, host string, ev evidence) {
	r := grade.Evaluate(ev.facts(host))
	ep.Grade = r.Grade
	ep.GradeTrustIgnored = r.GradeTrustIgnored
	ep.HasWarnings = r.HasWarnings
	ep.IsExceptional = r.IsExceptional
	ep.PadlockGrade = &r
}
