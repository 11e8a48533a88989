package assess

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"slices"

	"padlock/pki"
	"padlock/probe"
	"padlock/registry"
)

// AddCerts adds certificates to h.Certs, in the order given, skipping those
// already there (certificates are identified by the SHA-256 of their DER).
// The first description of a certificate is kept.
func (h *Host) AddCerts(certs ...*Cert) {
	seen := make(map[string]bool, len(h.Certs))
	for _, c := range h.Certs {
		seen[c.ID] = true
	}
	for _, c := range certs {
		if c == nil || seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		h.Certs = append(h.Certs, *c)
	}
}

// Cert returns the certificate with the given id from h.Certs.
func (h *Host) Cert(id string) (Cert, bool) {
	for _, c := range h.Certs {
		if c.ID == id {
			return c, true
		}
	}
	return Cert{}, false
}

func certID(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// certName is the name a certificate must be valid for: the server_name
// padlock sends, else the host (an IP address target, matched against IP
// SANs).
func (t Target) certName() string {
	if s := t.sni(); s != "" {
		return s
	}
	return t.Host
}

// probeCertName is certName for a bare probe result: the server_name sent,
// else the host name, else the address.
func probeCertName(res *probe.Result) string {
	switch {
	case res.Endpoint.SNI != "":
		return res.Endpoint.SNI
	case res.Endpoint.Host != "":
		return res.Endpoint.Host
	case res.Endpoint.IP.IsValid():
		return res.Endpoint.IP.Unmap().WithZone("").String()
	}
	return ""
}

// sentChains lists the chains the server sent, as pki takes them, dropping
// a chain whose certificates were already seen (the prober puts the chain
// for the requested name first) but keeping a stapled response or SCTs
// only the dropped one carried. Protocol is converted to the SSL Labs id
// (see CertChain).
func sentChains(res *probe.Result) []pki.Chain {
	var out []pki.Chain
	for _, c := range res.Chains {
		if len(c.Certificates) == 0 {
			continue
		}
		dup := slices.IndexFunc(out, func(k pki.Chain) bool {
			return slices.EqualFunc(k.Certificates, c.Certificates, bytes.Equal)
		})
		if dup >= 0 {
			if len(out[dup].OCSPResponse) == 0 && len(c.OCSPResponse) > 0 {
				out[dup].OCSPResponse = c.OCSPResponse
			}
			if len(out[dup].SCTs) == 0 && len(c.SCTs) > 0 {
				out[dup].SCTs = c.SCTs
			}
			continue
		}
		pc := pki.Chain(c)
		pc.Protocol = registry.Protocol(ProtocolID(c.Protocol))
		out = append(out, pc)
	}
	return out
}

// analyzeCerts judges the chains of one probe result with package pki,
// for the name name, and fixes NoSNI to assess's convention.
func analyzeCerts(ctx context.Context, res *probe.Result, name string, opts pki.Options) *pki.Report {
	chains := sentChains(res)
	r := pki.Analyze(ctx, name, chains, opts)
	for i, cr := range r.Chains {
		if i < len(chains) {
			cr.NoSNI = chains[i].SNI == "" && res.Endpoint.SNI != ""
		}
	}
	return r
}

// applyCerts records a certificate analysis in the endpoint's details.
func applyCerts(d *EndpointDetails, r *pki.Report, sni string) {
	if r == nil {
		return
	}
	d.CertChains = make([]CertChain, 0, len(r.Chains))
	for _, cr := range r.Chains {
		d.CertChains = append(d.CertChains, *cr)
		d.HasSCT |= cr.HasSCT
	}
	if ch := primaryChain(r, sni); ch != nil && ch.OCSP != nil {
		d.StaplingRevocationStatus = ch.OCSP.RevocationStatus
		d.StaplingRevocationErrorMessage = ch.OCSP.ErrorMessage
	}
	store := r.RootStore
	d.PadlockRootStore = &store
	for _, e := range r.Errors {
		d.PadlockErrors = append(d.PadlockErrors, "certificate analysis: "+e)
	}
}

// primaryChain is the first chain sent for the requested name sni (the
// first chain of all when none was, as for IP targets), or nil.
func primaryChain(r *pki.Report, sni string) *pki.ChainReport {
	for _, cr := range r.Chains {
		if cr.SNI == sni {
			return cr
		}
	}
	if len(r.Chains) > 0 {
		return r.Chains[0]
	}
	return nil
}

// gradedChains are the chains pki's Report.Facts summarise: those sent with
// SNI, or all of them when none was.
func gradedChains(r *pki.Report) []*pki.ChainReport {
	var out []*pki.ChainReport
	for _, cr := range r.Chains {
		if cr.SNI != "" {
			out = append(out, cr)
		}
	}
	if len(out) == 0 {
		return r.Chains
	}
	return out
}

// rsaKeyBits returns the size of the certificate's RSA key, or 0 when it
// is not an RSA certificate or cannot be parsed.
func rsaKeyBits(der []byte) int {
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return 0
	}
	if k, ok := x.PublicKey.(*rsa.PublicKey); ok {
		return k.N.BitLen()
	}
	return 0
}
