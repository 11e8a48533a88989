package pki

import (
	"context"
	"crypto/x509"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"padlock/lab"
	"padlock/lab/peer"
	"padlock/probe"
	"padlock/registry"
)

// End to end: real servers (nginx, openssl s_server) on loopback serve the
// test chains, the prober collects what they send, and Analyze judges it.

func probeChains(t *testing.T, s *peer.Server, host string) []Chain {
	t.Helper()
	ep := probe.Endpoint{Host: host, IP: netip.MustParseAddr("127.0.0.1"), Port: uint16(s.Port), SNI: host}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := probe.Run(ctx, ep, probe.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("probe: %v\nserver log:\n%s", err, s.LogString())
	}
	for _, e := range res.Errors {
		t.Logf("probe error: %s", e)
	}
	if len(res.Chains) == 0 {
		t.Fatalf("no chain collected\nserver log:\n%s", s.LogString())
	}
	return fromProbe(res.Chains)
}

// fromProbe converts the prober's chains (pki does not import probe; its
// tests do).
func fromProbe(chains []probe.Chain) []Chain {
	out := make([]Chain, len(chains))
	for i, c := range chains {
		out[i] = Chain(c)
	}
	return out
}

func analyzeServed(t *testing.T, host string, chains []Chain, opts Options) *Report {
	t.Helper()
	if opts.ExtraRoots == nil {
		opts.ExtraRoots = []*x509.Certificate{sharedPKI(t).root.Cert}
	}
	opts.SkipLint = true
	return Analyze(context.Background(), host, chains, opts)
}

// dumpReport logs the chains of a report (seen with go test -v).
func dumpReport(t *testing.T, r *Report) {
	t.Helper()
	for _, c := range r.Chains {
		staple, leaf := -1, ""
		if c.OCSP != nil {
			staple = c.OCSP.RevocationStatus
		}
		if len(c.CertIDs) > 0 {
			lc := r.Cert(c.CertIDs[0])
			leaf = lc.Subject + " " + lc.KeyAlg
		}
		t.Logf("chain %v sni=%q certs=%d issues=%v trusted=%v staple=%d leaf=%s", c.Protocol, c.SNI, len(c.CertIDs), c.IssueNames, c.Trusted, staple, leaf)
	}
}

func leafAlg(t *testing.T, c Chain) string {
	t.Helper()
	x, err := x509.ParseCertificate(c.Certificates[0])
	if err != nil {
		t.Fatal(err)
	}
	return x.PublicKeyAlgorithm.String()
}

// TestEndToEndNginxDualAndDefault: one nginx virtual host with an RSA and
// an ECDSA certificate, and a different default (no-SNI) certificate.
func TestEndToEndNginxDualAndDefault(t *testing.T) {
	t.Parallel()
	p := sharedPKI(t)
	const host = "dual.example.test"
	rsaLeaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyRSA2048, DNSNames: []string{host}})
	ecLeaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256, DNSNames: []string{host}})
	defLeaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP384, DNSNames: []string{"default.example.test"}})
	dir := t.TempDir()
	ecCert, ecKey, err := ecLeaf.WritePEM(dir, "ecdsa")
	if err != nil {
		t.Fatal(err)
	}
	s := peer.Nginx(t, peer.NginxOptions{
		Leaf:       defLeaf,
		ServerName: "default.example.test",
		Protocols:  "TLSv1.2 TLSv1.3",
		Ciphers:    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
		VHosts: []peer.NginxVHost{{
			ServerName: host,
			Leaf:       rsaLeaf,
			Extra:      []string{"ssl_certificate " + ecCert, "ssl_certificate_key " + ecKey},
		}},
	})
	chains := probeChains(t, s, host)
	r := analyzeServed(t, host, chains, Options{})
	dumpReport(t, r)

	var sniAlgs []string
	var sawDefault, saw13 bool
	for i, c := range r.Chains {
		leafID := c.CertIDs[0]
		switch {
		case c.NoSNI:
			if leafID != certID(defLeaf.DER) {
				t.Errorf("no-SNI chain %d has leaf %s, want the default certificate", i, r.Cert(leafID).Subject)
			}
			if !c.Facts.Mismatch || !c.Facts.Trusted || c.Issues != 0 {
				t.Errorf("default chain facts %+v issues %v", c.Facts, c.IssueNames)
			}
			sawDefault = true
		default:
			sniAlgs = append(sniAlgs, leafAlg(t, chains[i]))
			if c.Facts.Mismatch || !c.Facts.Trusted || c.Issues != 0 || len(c.CertIDs) != 2 {
				t.Errorf("SNI chain %d (%v): facts %+v issues %v", i, c.Protocol, c.Facts, c.IssueNames)
			}
			saw13 = saw13 || c.Protocol == registry.TLS13
		}
	}
	slices.Sort(sniAlgs)
	if !slices.Equal(slices.Compact(sniAlgs), []string{"ECDSA", "RSA"}) {
		t.Errorf("SNI chains with leaf keys %v, want both ECDSA and RSA", sniAlgs)
	}
	if !sawDefault || !saw13 {
		t.Errorf("default chain seen %v, TLS 1.3 chain seen %v", sawDefault, saw13)
	}
	f := r.Facts
	if f.Mismatch || !f.Trusted || f.TrustProblem() || f.WeakKey || f.LeafKey.Alg != "RSA" {
		t.Errorf("host facts %+v (want the weaker RSA key, no problem)", f)
	}
	if c := r.Cert(certID(defLeaf.DER)); c == nil || c.Issues != CertHostnameMismatch {
		t.Errorf("default certificate %+v", c)
	}
}

// TestEndToEndOpenSSL serves one certificate case per s_server.
func TestEndToEndOpenSSL(t *testing.T) {
	t.Parallel()
	p := sharedPKI(t)
	now := time.Now()
	selfSigned, err := lab.SelfSigned(lab.LeafOptions{KeyType: lab.KeyP256, DNSNames: []string{testHost}})
	if err != nil {
		t.Fatal(err)
	}
	withChain := func(l *lab.Leaf, chain ...[]byte) *lab.Leaf {
		c := *l
		c.Chain = chain
		return &c
	}
	valid := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
	expired := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256, NotBefore: now.AddDate(0, 0, -60), NotAfter: now.AddDate(0, 0, -1)})
	sha1Leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyRSA2048, SignatureAlgorithm: x509.SHA1WithRSA})
	rsa1024 := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyRSA1024})
	wrongName := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256, DNSNames: []string{"elsewhere.example.test"}})
	untrusted := leafFrom(t, p.other, lab.LeafOptions{KeyType: lab.KeyP256})

	for _, tc := range []struct {
		name    string
		leaf    *lab.Leaf
		ciphers string
		check   func(t *testing.T, r *Report)
	}{
		{"valid", valid, "", func(t *testing.T, r *Report) {
			if !r.Facts.Trusted || r.Facts.TrustProblem() || r.Facts.Mismatch || r.Chains[0].Issues != 0 {
				t.Errorf("facts %+v issues %v", r.Facts, r.Chains[0].IssueNames)
			}
		}},
		{"expired", expired, "", func(t *testing.T, r *Report) {
			if !r.Facts.Expired || r.Facts.Trusted || r.Facts.DaysLeft >= 0 {
				t.Errorf("facts %+v", r.Facts)
			}
		}},
		{"self-signed", selfSigned, "", func(t *testing.T, r *Report) {
			if !r.Facts.SelfSigned || r.Facts.Trusted {
				t.Errorf("facts %+v", r.Facts)
			}
		}},
		{"SHA-1", sha1Leaf, "DEFAULT:@SECLEVEL=0", func(t *testing.T, r *Report) {
			if !r.Facts.SHA1Leaf || r.Facts.Trusted {
				t.Errorf("facts %+v", r.Facts)
			}
		}},
		{"RSA-1024", rsa1024, "DEFAULT:@SECLEVEL=0", func(t *testing.T, r *Report) {
			if !r.Facts.WeakKey || r.Facts.LeafKey.Bits != 1024 || !r.Facts.Trusted {
				t.Errorf("facts %+v", r.Facts)
			}
		}},
		{"wrong name", wrongName, "", func(t *testing.T, r *Report) {
			if !r.Facts.Mismatch || !r.Facts.Trusted {
				t.Errorf("facts %+v", r.Facts)
			}
		}},
		{"untrusted root", untrusted, "", func(t *testing.T, r *Report) {
			if r.Facts.Trusted || r.Facts.SelfSigned {
				t.Errorf("facts %+v", r.Facts)
			}
		}},
		{"wrong order, root sent", withChain(valid, valid.DER, p.root.DER, p.inter.DER), "", func(t *testing.T, r *Report) {
			for _, c := range r.Chains {
				if c.Issues != ChainWrongOrder|ChainSelfSignedRoot || !c.Trusted {
					t.Errorf("chain issues %v trusted %v", c.IssueNames, c.Trusted)
				}
			}
		}},
		{"duplicate", withChain(valid, valid.DER, p.inter.DER, p.inter.DER), "", func(t *testing.T, r *Report) {
			for _, c := range r.Chains {
				if c.Issues != ChainUnrelatedOrDuplicate || !c.Trusted {
					t.Errorf("chain issues %v trusted %v", c.IssueNames, c.Trusted)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := peer.OpenSSL(t, peer.OpenSSLOptions{Leaf: tc.leaf, Ciphers: tc.ciphers})
			chains := probeChains(t, s, testHost)
			for _, c := range chains {
				if c.SNI != testHost && c.SNI != "" {
					t.Errorf("chain with SNI %q", c.SNI)
				}
				if !slices.EqualFunc(c.Certificates, tc.leaf.Chain, func(a, b []byte) bool { return string(a) == string(b) }) {
					t.Errorf("%v chain of %d certificates differs from the %d served", c.Protocol, len(c.Certificates), len(tc.leaf.Chain))
				}
			}
			r := analyzeServed(t, testHost, chains, Options{})
			dumpReport(t, r)
			tc.check(t, r)
		})
	}
}

// TestEndToEndAIA: s_server sends the leaf alone; the intermediate is on a
// loopback HTTP server named in the leaf's AIA.
func TestEndToEndAIA(t *testing.T) {
	t.Parallel()
	p := sharedPKI(t)
	srv := newIssuerServer(t, map[string][]byte{"/inter.der": p.inter.DER})
	key, err := lab.NewKey(lab.KeyP256)
	if err != nil {
		t.Fatal(err)
	}
	der := customLeaf(t, p.inter, key, func(c *x509.Certificate) { c.IssuingCertificateURL = []string{srv.URL + "/inter.der"} })
	leaf := &lab.Leaf{Key: key, DER: der, Chain: chainOf(der)} // the intermediate is not sent
	s := peer.OpenSSL(t, peer.OpenSSLOptions{Leaf: leaf})
	chains := probeChains(t, s, testHost)

	offline := analyzeServed(t, testHost, chains, Options{})
	if offline.Facts.Trusted || offline.Facts.IncompleteChain {
		t.Errorf("offline: %+v", offline.Facts)
	}
	online := analyzeServed(t, testHost, chains, Options{FetchIssuer: HTTPIssuerFetcher(srv.Client(), 0, 0)})
	if !online.Facts.Trusted || !online.Facts.IncompleteChain || online.Facts.TrustProblem() {
		t.Errorf("with AIA: %+v", online.Facts)
	}
	for _, c := range online.Chains {
		if c.Issues != ChainIncomplete {
			t.Errorf("chain issues %v", c.IssueNames)
		}
	}
}

// TestEndToEndStapledOCSP: s_server staples a response from a file.
func TestEndToEndStapledOCSP(t *testing.T) {
	t.Parallel()
	p := sharedPKI(t)
	for _, status := range []int{ocsp.Good, ocsp.Revoked} {
		leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
		resp, err := ocsp.CreateResponse(p.inter.Cert, p.inter.Cert, ocsp.Response{
			Status: status, SerialNumber: leaf.Cert.SerialNumber,
			ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(24 * time.Hour), RevokedAt: time.Now().Add(-time.Hour),
		}, p.inter.Key)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "ocsp.der")
		if err := os.WriteFile(file, resp, 0o644); err != nil {
			t.Fatal(err)
		}
		s := peer.OpenSSL(t, peer.OpenSSLOptions{Leaf: leaf, Extra: []string{"-status_file", file}})
		chains := probeChains(t, s, testHost)
		r := analyzeServed(t, testHost, chains, Options{})
		dumpReport(t, r)
		want := map[int]int{ocsp.Good: RevocationNotRevoked, ocsp.Revoked: RevocationRevoked}[status]
		stapled := 0
		for _, c := range r.Chains {
			if c.OCSP == nil {
				t.Logf("%v chain without staple", c.Protocol)
				continue
			}
			stapled++
			if c.OCSP.RevocationStatus != want {
				t.Errorf("%v staple %+v", c.Protocol, c.OCSP)
			}
		}
		if stapled == 0 {
			t.Errorf("status %d: no chain carried the staple", status)
		}
		if r.Facts.Revoked != (status == ocsp.Revoked) {
			t.Errorf("status %d: facts %+v", status, r.Facts)
		}
	}
}
