package assess

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"padlock/grade"
	"padlock/lab"
	"padlock/lab/peer"
	"padlock/pki"
)

// End to end: real servers on loopback, configured to earn each grade, and
// the rules that must explain it.

// assessPeer assesses a loopback server as "localhost", offline, trusting
// the test roots (testRoots) besides the Mozilla store.
func assessPeer(t *testing.T, port int) *Endpoint {
	t.Helper()
	return assessPeerWith(t, port, pki.Options{})
}

// assessPeerWith is assessPeer with certificate analysis options; nil
// ExtraRoots means the test roots.
func assessPeerWith(t *testing.T, port int, po pki.Options) *Endpoint {
	t.Helper()
	if po.ExtraRoots == nil {
		po.ExtraRoots = testRoots(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := Assess(ctx, Target{Host: "localhost", Port: uint16(port), Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")}},
		Options{Probe: testProbeOptions(), PKI: po})
	if len(h.Endpoints) != 1 {
		t.Fatalf("host %s %q: %d endpoints", h.Status, h.StatusMessage, len(h.Endpoints))
	}
	return &h.Endpoints[0]
}

var (
	backdatedOnce sync.Once
	backdated     *lab.CA
	backdatedErr  error
)

// backdatedRoot is a test root valid for five years already, to issue
// leaves that expired while it was valid.
func backdatedRoot(t *testing.T) *lab.CA {
	t.Helper()
	backdatedOnce.Do(func() {
		now := time.Now()
		backdated, backdatedErr = lab.NewCA("padlock assess backdated root", lab.CAValidity(now.AddDate(-5, 0, 0), now.AddDate(5, 0, 0)))
	})
	if backdatedErr != nil {
		t.Fatal(backdatedErr)
	}
	return backdated
}

// testRoots are the roots the end-to-end tests trust: the peers' default
// root and backdatedRoot, as --ca-file would add them.
func testRoots(t *testing.T) []*x509.Certificate {
	t.Helper()
	return []*x509.Certificate{peer.RootCA(t).Cert, backdatedRoot(t).Cert}
}

// issue makes a leaf with lab, failing the test on error.
func issue(t *testing.T, ca *lab.CA, opts lab.LeafOptions) *lab.Leaf {
	t.Helper()
	l, err := ca.Issue(opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// aiaLeaf issues a localhost leaf from inter whose AIA caIssuers URLs are
// issuerURLs, served without its intermediate (the test serves the issuer
// itself, to count the fetches).
func aiaLeaf(t *testing.T, inter *lab.CA, issuerURLs ...string) *lab.Leaf {
	t.Helper()
	key, err := lab.NewKey(lab.KeyRSA2048)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 100))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"padlock lab"}},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(0, 0, 90),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IssuingCertificateURL: issuerURLs,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, inter.Cert, key.Public(), inter.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &lab.Leaf{Cert: cert, Key: key, DER: der, Chain: [][]byte{der}, Issuer: inter}
}

// rsa512Key makes an RSA-512 key, which crypto/rsa refuses to generate
// unless GODEBUG has rsa1024min=0. It changes GODEBUG for the process, so
// it must run before any parallel test starts.
func rsa512Key(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	old, had := os.LookupEnv("GODEBUG")
	os.Setenv("GODEBUG", strings.TrimPrefix(old+",rsa1024min=0", ","))
	defer func() {
		if had {
			os.Setenv("GODEBUG", old)
		} else {
			os.Unsetenv("GODEBUG")
		}
	}()
	k, err := rsa.GenerateKey(rand.Reader, 512)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// notFired fails the test when one of rules fired.
func notFired(t *testing.T, ep *Endpoint, rules ...grade.RuleID) {
	t.Helper()
	got := fired(ep)
	for _, r := range rules {
		if slices.Contains(got, r) {
			t.Errorf("rule %s fired; fired: %v", r, got)
		}
	}
}

// certEvaluated fails the test when a certificate rule pki answers was
// left "not evaluated".
func certEvaluated(t *testing.T, ep *Endpoint) {
	t.Helper()
	if ep.PadlockGrade == nil {
		t.Fatal("no grade")
	}
	for _, p := range ep.PadlockGrade.NotEvaluated {
		switch p.Rule {
		case grade.RuleA1, grade.RuleA2, grade.RuleA3, grade.RuleA4, grade.RuleA5, grade.RuleA7, grade.RuleA8,
			grade.RuleA9, grade.RuleA11, grade.RuleA12, grade.RuleA13, grade.RuleA14:
			t.Errorf("%s not evaluated: %s", p.Rule, p.Reason)
		}
	}
}

func fired(ep *Endpoint) []grade.RuleID {
	var ids []grade.RuleID
	if ep.PadlockGrade == nil {
		return nil
	}
	for _, f := range ep.PadlockGrade.Findings {
		if f.Effect != grade.EffectInfo && f.Effect != grade.EffectScore {
			ids = append(ids, f.Rule)
		}
	}
	return ids
}

func wantGrade(t *testing.T, ep *Endpoint, grade string, rules ...grade.RuleID) {
	t.Helper()
	t.Logf("grade %s (trust ignored %s), rules fired: %v", ep.Grade, ep.GradeTrustIgnored, fired(ep))
	if ep.Grade != grade {
		t.Errorf("grade %q, want %q (rules fired: %v)", ep.Grade, grade, fired(ep))
	}
	got := fired(ep)
	for _, r := range rules {
		if !slices.Contains(got, r) {
			t.Errorf("rule %s did not fire; fired: %v", r, got)
		}
	}
}

func TestGradesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real servers")
	}
	weakKey := rsa512Key(t) // before the parallel subtests: it sets GODEBUG
	t.Run("A- nginx TLS 1.2 only, modern suites", func(t *testing.T) {
		t.Parallel()
		s := peer.Nginx(t, peer.NginxOptions{
			Protocols: "TLSv1.2",
			Ciphers:   "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305",
		})
		wantGrade(t, assessPeer(t, s.Port), "A-", grade.RuleB6)
	})
	t.Run("B openssl with TLS 1.0", func(t *testing.T) {
		t.Parallel()
		s := peer.OpenSSL(t, peer.OpenSSLOptions{
			MinProtocol: "TLSv1",
			Ciphers:     "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:@SECLEVEL=0",
			ServerPref:  true,
		})
		wantGrade(t, assessPeer(t, s.Port), "B", grade.RuleB5)
	})
	t.Run("B DHE 1024", func(t *testing.T) {
		t.Parallel()
		s := peer.OpenSSL(t, peer.OpenSSLOptions{
			Protocols:  []string{"-no_tls1_1", "-no_tls1"},
			Ciphers:    "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
			DHParam:    peer.DHParamsFile(t, 1024),
			ServerPref: true,
		})
		wantGrade(t, assessPeer(t, s.Port), "B", grade.RuleC4)
	})
	t.Run("C gnutls TLS 1.0 only", func(t *testing.T) {
		t.Parallel()
		s := peer.GnuTLS(t, peer.GnuTLSOptions{
			Priority: "NONE:+VERS-TLS1.0:+ECDHE-RSA:+AES-128-CBC:+SHA1:+COMP-NULL:+SIGN-ALL:+CURVE-ALL",
		})
		wantGrade(t, assessPeer(t, s.Port), "C", grade.RuleB4)
	})
	t.Run("F NULL cipher", func(t *testing.T) {
		t.Parallel()
		s := peer.OpenSSL(t, peer.OpenSSLOptions{
			Protocols:  []string{"-tls1_2"},
			Ciphers:    "ECDHE-RSA-AES128-GCM-SHA256:NULL-SHA256:@SECLEVEL=0",
			ServerPref: true,
		})
		wantGrade(t, assessPeer(t, s.Port), "F", grade.RuleD1)
	})
	t.Run("F anonymous suites", func(t *testing.T) {
		t.Parallel()
		s := peer.OpenSSL(t, peer.OpenSSLOptions{
			Protocols: []string{"-tls1_2"},
			Ciphers:   "ECDHE-RSA-AES128-GCM-SHA256:AECDH-AES128-SHA:@SECLEVEL=0",
		})
		wantGrade(t, assessPeer(t, s.Port), "F", grade.RuleC1)
	})
	t.Run("F SSLv3 export suites", func(t *testing.T) {
		t.Parallel()
		s := peer.Legacy(t, peer.LegacyOptions{Min: "ssl3", Max: "tls1.0", Ciphers: []uint16{0x0004, 0x0003}})
		wantGrade(t, assessPeer(t, s.Port), "F", grade.RuleD2, grade.RuleB2)
	})
	t.Run("A openssl TLS 1.2-1.3, chain trusted through an extra root", func(t *testing.T) {
		t.Parallel()
		s := peer.OpenSSL(t, peer.OpenSSLOptions{
			Ciphers:    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305",
			ServerPref: true,
		})
		ep := assessPeer(t, s.Port)
		wantGrade(t, ep, "A")
		certEvaluated(t, ep)
		ch := ep.Details.CertChains[0]
		if !ch.Trusted || !ch.NameMatch || ch.Issues != 0 || len(ch.TrustPaths) == 0 || ch.TrustPaths[0].Trust[0].RootStore != pki.StoreCustom {
			t.Errorf("chain trusted %v name %v issues %v paths %+v", ch.Trusted, ch.NameMatch, ch.IssueNames, ch.TrustPaths)
		}
		// Without the extra root the same server is untrusted: T.
		wantGrade(t, assessPeerWith(t, s.Port, pki.Options{ExtraRoots: []*x509.Certificate{}}), "T", grade.RuleA2)
	})
	t.Run("T self-signed", func(t *testing.T) {
		t.Parallel()
		leaf, err := lab.SelfSigned(lab.LeafOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ep := assessPeer(t, peer.OpenSSL(t, peer.OpenSSLOptions{Leaf: leaf}).Port)
		wantGrade(t, ep, "T", grade.RuleA3)
		notFired(t, ep, grade.RuleA2)
		certEvaluated(t, ep)
	})
	t.Run("T expired", func(t *testing.T) {
		t.Parallel()
		now := time.Now()
		leaf := issue(t, backdatedRoot(t), lab.LeafOptions{NotBefore: now.AddDate(0, 0, -100), NotAfter: now.AddDate(0, 0, -10)})
		ep := assessPeer(t, peer.OpenSSL(t, peer.OpenSSLOptions{Leaf: leaf}).Port)
		wantGrade(t, ep, "T", grade.RuleA4)
		notFired(t, ep, grade.RuleA2)
	})
	t.Run("T untrusted root", func(t *testing.T) {
		t.Parallel()
		stranger, err := lab.NewCA("padlock assess unknown root")
		if err != nil {
			t.Fatal(err)
		}
		ep := assessPeer(t, peer.OpenSSL(t, peer.OpenSSLOptions{Leaf: issue(t, stranger, lab.LeafOptions{})}).Port)
		wantGrade(t, ep, "T", grade.RuleA2)
		notFired(t, ep, grade.RuleA3, grade.RuleA4)
	})
	t.Run("M wrong name", func(t *testing.T) {
		t.Parallel()
		leaf := issue(t, peer.RootCA(t), lab.LeafOptions{DNSNames: []string{"other.example"}})
		ep := assessPeer(t, peer.OpenSSL(t, peer.OpenSSLOptions{Leaf: leaf}).Port)
		wantGrade(t, ep, "M", grade.RuleA1)
		notFired(t, ep, grade.RuleA2)
		if ch := ep.Details.CertChains[0]; !ch.Trusted || ch.NameMatch {
			t.Errorf("chain trusted %v name match %v", ch.Trusted, ch.NameMatch)
		}
	})
	t.Run("B incomplete chain completed through AIA", func(t *testing.T) {
		t.Parallel()
		inter, err := peer.RootCA(t).Intermediate("padlock assess AIA intermediate")
		if err != nil {
			t.Fatal(err)
		}
		var hits atomic.Int32
		aia := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Header().Set("Content-Type", "application/pkix-cert")
			w.Write(inter.DER)
		}))
		t.Cleanup(aia.Close)
		s := peer.OpenSSL(t, peer.OpenSSLOptions{Leaf: aiaLeaf(t, inter, aia.URL+"/inter.cer")})

		ep := assessPeerWith(t, s.Port, pki.Options{ExtraRoots: testRoots(t), FetchIssuer: pki.HTTPIssuerFetcher(aia.Client(), 0, 0)})
		wantGrade(t, ep, "B", grade.RuleA13)
		notFired(t, ep, grade.RuleA2)
		if ch := ep.Details.CertChains[0]; !ch.Trusted || ch.Issues&pki.ChainIncomplete == 0 || len(ch.AIAFetched) != 1 {
			t.Errorf("chain trusted %v issues %v fetched %v errors %v", ch.Trusted, ch.IssueNames, ch.AIAFetched, ch.AIAErrors)
		}
		if hits.Load() == 0 {
			t.Errorf("the AIA URL was never fetched")
		}
		// Offline, the missing intermediate leaves the chain untrusted.
		wantGrade(t, assessPeer(t, s.Port), "T", grade.RuleA2)
	})
	t.Run("F RSA-512 certificate key", func(t *testing.T) {
		t.Parallel()
		leaf := issue(t, peer.RootCA(t), lab.LeafOptions{Key: weakKey})
		s := peer.OpenSSL(t, peer.OpenSSLOptions{
			Protocols: []string{"-tls1_2"},
			Ciphers:   "AES128-GCM-SHA256:@SECLEVEL=0",
			Leaf:      leaf,
		})
		ep := assessPeer(t, s.Port)
		wantGrade(t, ep, "F", grade.RuleA10)
		notFired(t, ep, grade.RuleA2)
	})
	t.Run("U nothing listening", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		wantGrade(t, assessPeer(t, port), "U")
	})
}
