package pki

import (
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"padlock/lab"
	"padlock/registry"
)

// ocspResponse signs a response with key, embedding responder (nil: no
// certificate embedded, the issuer named as responder).
func ocspResponse(t *testing.T, issuer *lab.CA, responder *x509.Certificate, key crypto.Signer, tmpl ocsp.Response) []byte {
	t.Helper()
	id := issuer.Cert
	if responder != nil {
		id = responder
		tmpl.Certificate = responder
	}
	b, err := ocsp.CreateResponse(issuer.Cert, id, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func analyzeStaple(t *testing.T, leaf *lab.Leaf, staple []byte) *Report {
	t.Helper()
	p := sharedPKI(t)
	in := []Chain{{Protocol: registry.TLS12, SNI: testHost, Certificates: leaf.Chain, OCSPResponse: staple}}
	return Analyze(context.Background(), testHost, in, Options{ExtraRoots: []*x509.Certificate{p.root.Cert}, SkipLint: true})
}

func TestStapledOCSP(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
	now := time.Now()
	base := ocsp.Response{
		Status:       ocsp.Good,
		SerialNumber: leaf.Cert.SerialNumber,
		ThisUpdate:   now.Add(-time.Hour),
		NextUpdate:   now.Add(6 * 24 * time.Hour),
	}
	withStatus := func(s int) ocsp.Response {
		r := base
		r.Status = s
		if s == ocsp.Revoked {
			r.RevokedAt = now.Add(-2 * time.Hour)
			r.RevocationReason = ocsp.KeyCompromise
		}
		return r
	}
	delegated := customCA(t, p.inter, "padlock pki OCSP responder", func(c *x509.Certificate) {
		c.IsCA = false
		c.KeyUsage = x509.KeyUsageDigitalSignature
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	})
	noEKU := customCA(t, p.inter, "padlock pki not a responder", func(c *x509.Certificate) {
		c.IsCA = false
		c.KeyUsage = x509.KeyUsageDigitalSignature
	})
	stale := base
	stale.ThisUpdate, stale.NextUpdate = now.Add(-10*24*time.Hour), now.Add(-3*24*time.Hour)
	early := base
	early.ThisUpdate = now.Add(time.Hour)
	noNext := base
	noNext.NextUpdate = time.Time{}
	otherSerial := base
	otherSerial.SerialNumber = big.NewInt(42)
	sctResp := base
	sctResp.ExtraExtensions = []pkix.Extension{{Id: oidOCSPSCTList, Value: sctExtensionValue(sctBytes(t, "2AlVO5RPev/IFhlvlE+Fq7D4/F6HVSYPFdEucrtFSxQ=", 1767225600000))}}
	staleRevoked := withStatus(ocsp.Revoked)
	staleRevoked.ThisUpdate, staleRevoked.NextUpdate = stale.ThisUpdate, stale.NextUpdate

	for _, tc := range []struct {
		name      string
		der       []byte
		status    int
		state     string
		sigValid  bool
		responder string
		errPart   string
	}{
		{"good", ocspResponse(t, p.inter, p.inter.Cert, p.inter.Key, base), RevocationNotRevoked, "good", true, "issuer", ""},
		{"good, no certificate embedded", ocspResponse(t, p.inter, nil, p.inter.Key, base), RevocationNotRevoked, "good", true, "issuer", ""},
		{"revoked", ocspResponse(t, p.inter, p.inter.Cert, p.inter.Key, withStatus(ocsp.Revoked)), RevocationRevoked, "revoked", true, "issuer", ""},
		{"revoked, stale", ocspResponse(t, p.inter, p.inter.Cert, p.inter.Key, staleRevoked), RevocationRevoked, "revoked", true, "issuer", ""},
		{"unknown", ocspResponse(t, p.inter, p.inter.Cert, p.inter.Key, withStatus(ocsp.Unknown)), RevocationNoInformation, "unknown", true, "issuer", ""},
		{"expired window", ocspResponse(t, p.inter, p.inter.Cert, p.inter.Key, stale), RevocationCheckError, "good", true, "issuer", "response expired"},
		{"not yet valid", ocspResponse(t, p.inter, p.inter.Cert, p.inter.Key, early), RevocationCheckError, "good", true, "issuer", "not yet valid"},
		{"no nextUpdate", ocspResponse(t, p.inter, p.inter.Cert, p.inter.Key, noNext), RevocationNotRevoked, "good", true, "issuer", ""},
		{"other certificate", ocspResponse(t, p.inter, p.inter.Cert, p.inter.Key, otherSerial), RevocationCheckError, "good", true, "issuer", "another certificate"},
		{"signed by another CA", ocspResponse(t, p.inter, nil, p.other.Key, base), RevocationCheckError, "good", false, "issuer", "signature"},
		{"revoked, bad signature", ocspResponse(t, p.inter, nil, p.other.Key, withStatus(ocsp.Revoked)), RevocationCheckError, "revoked", false, "issuer", "signature"},
		{"delegated responder", ocspResponse(t, p.inter, delegated.Cert, delegated.Key, base), RevocationNotRevoked, "good", true, "CN=padlock pki OCSP responder", ""},
		{"responder without OCSPSigning", ocspResponse(t, p.inter, noEKU.Cert, noEKU.Key, base), RevocationCheckError, "good", false, "CN=padlock pki not a responder", "OCSPSigning"},
		{"responder of another CA", ocspResponse(t, p.inter, p.other.Cert, p.other.Key, base), RevocationCheckError, "good", false, p.other.Cert.Subject.String(), "not issued by"},
		{"try later", ocsp.TryLaterErrorResponse, RevocationCheckError, "", false, "", "try later"},
		{"garbage", []byte("not OCSP"), RevocationCheckError, "", false, "", "unparsable"},
		{"with SCT", ocspResponse(t, p.inter, p.inter.Cert, p.inter.Key, sctResp), RevocationNotRevoked, "good", true, "issuer", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := analyzeStaple(t, leaf, tc.der)
			c := r.Chains[0]
			s := c.OCSP
			if s == nil {
				t.Fatal("no staple analysis")
			}
			if s.RevocationStatus != tc.status || s.Status != tc.state || s.SignatureValid != tc.sigValid || s.Responder != tc.responder {
				t.Errorf("staple %+v; want status %d %q sig %v responder %q", s, tc.status, tc.state, tc.sigValid, tc.responder)
			}
			if tc.errPart == "" && s.ErrorMessage != "" || tc.errPart != "" && !strings.Contains(s.ErrorMessage, tc.errPart) {
				t.Errorf("error message %q, want one containing %q", s.ErrorMessage, tc.errPart)
			}
			revoked := tc.status == RevocationRevoked
			if r.Facts.Revoked != revoked || r.Facts.TrustProblem() != revoked || r.Facts.StapledOCSP != tc.status {
				t.Errorf("facts revoked %v trust problem %v stapled %d", r.Facts.Revoked, r.Facts.TrustProblem(), r.Facts.StapledOCSP)
			}
			lc := r.Cert(certID(leaf.DER))
			if revoked != (lc.Issues&CertRevoked != 0) {
				t.Errorf("leaf issues %v", lc.IssueNames)
			}
			if want := map[int]int{RevocationRevoked: 1, RevocationNotRevoked: 2}[tc.status]; lc.RevocationStatus != want {
				t.Errorf("leaf revocationStatus %d, want %d", lc.RevocationStatus, want)
			}
			if tc.name == "with SCT" {
				if c.HasSCT != 2 || len(c.SCTs) != 1 || c.SCTs[0].Source != SCTFromOCSP || c.SCTs[0].LogName != "Google 'Xenon2026h2'" {
					t.Errorf("OCSP SCTs: %d %+v", c.HasSCT, c.SCTs)
				}
			}
			if tc.name == "revoked" && (s.RevocationReason != ocsp.KeyCompromise || s.RevokedAt == 0) {
				t.Errorf("revocation details %+v", s)
			}
		})
	}
}

func TestStapleWithoutIssuer(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
	staple := ocspResponse(t, p.inter, nil, p.inter.Key, ocsp.Response{
		Status: ocsp.Revoked, SerialNumber: leaf.Cert.SerialNumber, ThisUpdate: time.Now(), RevokedAt: time.Now(),
	})
	// Only the leaf is sent and nothing is fetched: the issuer is unknown,
	// so a "revoked" cannot be believed.
	in := []Chain{{SNI: testHost, Certificates: chainOf(leaf.DER), OCSPResponse: staple}}
	r := Analyze(context.Background(), testHost, in, Options{SkipLint: true})
	s := r.Chains[0].OCSP
	if s.RevocationStatus != RevocationCheckError || s.SignatureValid || r.Facts.Revoked {
		t.Errorf("staple without issuer: %+v", s)
	}
}
