package pki

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"padlock/lab"
	"padlock/probe"
)

// pathBomb is a hostile mock of a certificate path-building bomb: n
// certificates with the same name, each signed by the one before it, with
// no key identifiers (so that only a signature check tells issuers apart).
// They are returned in the order that makes naive chain linking try every
// remaining certificate at each step: the last one (the leaf) first, then
// the others from the first (self-signed) up, so that each certificate's
// issuer is the last of those not yet linked. Ed25519 keeps each under
// 200 bytes: 1,200 of them fit in one 256 KiB Certificate message.
func pathBomb(t testing.TB, n int) [][]byte {
	ders, _ := pathBombWithKey(t, n)
	return ders
}

// pathBombWithKey is pathBomb that also returns the leaf's key, for a
// server to send the bomb with.
func pathBombWithKey(t testing.TB, n int) ([][]byte, ed25519.PrivateKey) {
	t.Helper()
	name := pkix.Name{CommonName: "b"}
	tmpl := &x509.Certificate{
		Subject:   name,
		NotBefore: time.Now().Add(-time.Hour),
		NotAfter:  time.Now().Add(24 * time.Hour),
	}
	ders := make([][]byte, n)
	var parent *x509.Certificate
	var parentKey ed25519.PrivateKey
	for i := range n {
		pub, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl.SerialNumber = big.NewInt(int64(i + 1))
		p, pk := parent, parentKey
		if p == nil {
			p, pk = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, p, pub, pk)
		if err != nil {
			t.Fatal(err)
		}
		if parent, err = x509.ParseCertificate(der); err != nil {
			t.Fatal(err)
		}
		parentKey = key
		ders[i] = der
	}
	return append([][]byte{ders[n-1]}, ders[:n-1]...), parentKey
}

func TestPathBombShape(t *testing.T) {
	b := pathBomb(t, 50)
	size := 0
	for _, d := range b {
		size += len(d) + 3
	}
	t.Logf("50 certificates: %d bytes (1200: ~%d)", size, size*24)
	if size*24 > 256<<10 {
		t.Errorf("1,200 certificates would not fit in 256 KiB")
	}
}

// bombVerdict checks what Analyze made of a path-building bomb: an honest
// "not trusted" from what was checked, never a panic or a trust verdict,
// and the report says how much was left out.
func bombVerdict(t *testing.T, r *Report, sent int) {
	t.Helper()
	if len(r.Chains) == 0 {
		t.Fatalf("no chain judged; errors %v", r.Errors)
	}
	c := r.Chains[0]
	if c.Trusted || r.Facts.Trusted || !r.Facts.TrustProblem() || c.TrustError == "" {
		t.Errorf("bomb judged trusted %v (facts %+v), trust error %q", c.Trusted, r.Facts, c.TrustError)
	}
	if want := max(0, sent-MaxChainCerts); c.CertsNotAnalysed != want || len(c.CertIDs) != min(sent, MaxChainCerts) {
		t.Errorf("not analysed %d (want %d), cert ids %d", c.CertsNotAnalysed, want, len(c.CertIDs))
	}
	if len(r.Certs) > MaxChainCerts+1 {
		t.Errorf("%d certificates registered", len(r.Certs))
	}
	joined := strings.Join(r.Errors, "\n")
	if sent > MaxChainCerts && !strings.Contains(joined, "only the first 32 were analysed") {
		t.Errorf("errors %q do not say certificates were left out", joined)
	}
	if sent == MaxChainCerts && !strings.Contains(joined, "limit of 256 signature checks") {
		t.Errorf("errors %q do not say linking stopped at its limit", joined)
	}
	if r.Incomplete != "" {
		t.Errorf("incomplete: %s", r.Incomplete)
	}
}

// TestPathBomb: 1,200 certificates that would cost ~720,000 signature
// checks to link are judged from the first 32, within 256 checks.
func TestPathBomb(t *testing.T) {
	bomb := pathBomb(t, 1200)
	start := time.Now()
	r := Analyze(context.Background(), "b", []Chain{{SNI: "b", Certificates: bomb}}, Options{})
	t.Logf("1,200-certificate bomb analysed (zlint on) in %v: trust error %q; errors %q", time.Since(start), r.Chains[0].TrustError, r.Errors)
	bombVerdict(t, r, len(bomb))
}

// TestPathBombWithinCertLimit: a bomb of exactly MaxChainCerts
// certificates (~500 checks to link) is linked within 256 signature
// checks, and the report says linking stopped there.
func TestPathBombWithinCertLimit(t *testing.T) {
	bomb := pathBomb(t, MaxChainCerts)
	r := Analyze(context.Background(), "b", []Chain{{SNI: "b", Certificates: bomb}}, Options{SkipLint: true})
	bombVerdict(t, r, len(bomb))
	if c := r.Chains[0]; c.Issues&ChainUnrelatedOrDuplicate == 0 {
		t.Errorf("certificates not linked are not flagged: %v", c.IssueNames)
	}
}

// TestIntermediateBeyondCertLimit: certificates past MaxChainCerts are not
// analysed but still offered to path validation, so a real intermediate
// sent after 40 unrelated certificates still makes the chain trusted (no
// false T), with the unrelated ones flagged.
func TestIntermediateBeyondCertLimit(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.inter, lab.LeafOptions{})
	junk := pathBomb(t, 40)
	chain := append(append([][]byte{leaf.DER}, junk...), p.inter.DER)
	r := analyze(t, testHost, Options{}, chain)
	c := r.Chains[0]
	if !c.Trusted || !r.Facts.Trusted || r.Facts.TrustProblem() {
		t.Errorf("trusted %v, facts %+v, trust error %q", c.Trusted, r.Facts, c.TrustError)
	}
	if c.CertsNotAnalysed != len(chain)-MaxChainCerts || c.Issues&ChainUnrelatedOrDuplicate == 0 {
		t.Errorf("not analysed %d, issues %v", c.CertsNotAnalysed, c.IssueNames)
	}
	if len(c.TrustPaths) == 0 || len(c.TrustPaths[0].CertIDs) != 3 || r.Cert(c.TrustPaths[0].CertIDs[1]) == nil {
		t.Errorf("trust paths %+v", c.TrustPaths)
	}
}

// TestAnalyzeStopsWithContext: an ended context stops the analysis, and
// the report says so rather than judging.
func TestAnalyzeStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := Analyze(ctx, "b", []Chain{{SNI: "b", Certificates: pathBomb(t, 40)}}, Options{SkipLint: true})
	if r.Incomplete == "" || !strings.Contains(r.Incomplete, "canceled") || len(r.Chains) != 0 {
		t.Errorf("incomplete %q, %d chains", r.Incomplete, len(r.Chains))
	}
}

// TestPathBombServed: a hostile mock (a Go crypto/tls server that sends the
// 1,200-certificate bomb as its chain) is probed and analysed end to end,
// within the bounds; the time is logged for the closing note.
func TestPathBombServed(t *testing.T) {
	bomb, key := pathBombWithKey(t, 1200)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{{Certificate: bomb, PrivateKey: key}}})
	defer srv.Close()
	go func() {
		for {
			c, err := srv.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				_ = c.(*tls.Conn).Handshake()
			}()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	ep := probe.Endpoint{IP: netip.MustParseAddr("127.0.0.1"), Port: uint16(ln.Addr().(*net.TCPAddr).Port), SNI: "b", Host: "b"}
	res, err := probe.Run(ctx, ep, probe.Options{Timeout: 5 * time.Second, Budget: time.Minute})
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	probed := time.Since(start)
	chains := fromProbe(res.Chains)
	if len(chains) == 0 || len(chains[0].Certificates) != len(bomb) {
		t.Fatalf("the probe did not collect the bomb: %d chains", len(chains))
	}
	start = time.Now()
	r := Analyze(ctx, "b", chains, Options{})
	t.Logf("probe %v; %d chains analysed (zlint on) in %v", probed, len(chains), time.Since(start))
	bombVerdict(t, r, len(bomb))
}

// BenchmarkPathBomb measures the analysis of the 1,200-certificate bomb
// (zlint on), the figure the closing note reports.
func BenchmarkPathBomb(b *testing.B) {
	bomb := pathBomb(b, 1200)
	chains := []Chain{{SNI: "b", Certificates: bomb}}
	b.ReportAllocs()
	for b.Loop() {
		Analyze(context.Background(), "b", chains, Options{})
	}
}
