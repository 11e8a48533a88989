package grade

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"padlock/registry"
)

func TestHashOfTable(t *testing.T) {
	cases := map[x509.SignatureAlgorithm]HashAlg{
		x509.MD2WithRSA: HashMD2, x509.MD5WithRSA: HashMD5,
		x509.SHA1WithRSA: HashSHA1, x509.ECDSAWithSHA1: HashSHA1, x509.DSAWithSHA1: HashSHA1,
		x509.SHA256WithRSA: HashSHA256, x509.SHA256WithRSAPSS: HashSHA256, x509.ECDSAWithSHA256: HashSHA256,
		x509.SHA384WithRSA: HashSHA384, x509.ECDSAWithSHA384: HashSHA384,
		x509.SHA512WithRSA: HashSHA512, x509.ECDSAWithSHA512: HashSHA512,
		x509.PureEd25519: HashIntrinsic, x509.UnknownSignatureAlgorithm: HashUnknown,
	}
	for a, want := range cases {
		if got := HashOf(a); got != want {
			t.Errorf("HashOf(%v) = %v, want %v", a, got, want)
		}
	}
}

// docs/grading.md §1.3's EC table.
func TestECStrength(t *testing.T) {
	cases := []struct{ bits, want int }{
		{100, 256}, {112, 512}, {159, 512}, {160, 1024}, {223, 1024}, {224, 2048}, {255, 2048},
		{256, 3072}, {383, 3072}, {384, 7680}, {511, 7680}, {521, 15360},
	}
	for _, c := range cases {
		if got := registry.ECRSAEquivalent(c.bits); got != c.want {
			t.Errorf("registry.ECRSAEquivalent(%d) = %d, want %d", c.bits, got, c.want)
		}
	}
	if eddsaStrength(255) != 3072 || eddsaStrength(448) != 7680 {
		t.Error("EdDSA strengths")
	}
	// The registry's group table agrees with the EC table (x25519 and
	// x448 are listed by security level, as SSL Labs does).
	for _, g := range registry.Groups() {
		if g.Kind != registry.GroupECDHE || g.Bits == 0 {
			continue
		}
		if got := registry.ECRSAEquivalent(g.Bits); got != g.RSAEquivalent {
			t.Errorf("%s: table %d, registry %d", g.Name, got, g.RSAEquivalent)
		}
	}
}

func TestUnknownInputsAreCaveats(t *testing.T) {
	f := modern()
	addSuites(&f, registry.TLS12, 0xfefd) // unassigned
	f.SSLv2Ciphers = []uint32{0x123456}
	f.Protocols = append(f.Protocols, registry.Protocol(0x7f1c)) // a draft version
	r := Evaluate(f)
	if r.Grade != "A+" || !r.Provisional || len(r.Caveats) != 2 {
		t.Fatalf("grade %s provisional %v caveats %q", r.Grade, r.Provisional, r.Caveats)
	}
	if !strings.Contains(r.Caveats[0], "0xfefd") || !strings.Contains(r.Caveats[1], "0x123456") {
		t.Fatalf("caveats %q", r.Caveats)
	}
	// Facts.Incomplete comes first.
	f.Incomplete = []string{"cut short"}
	if r := Evaluate(f); r.Caveats[0] != "cut short" {
		t.Fatalf("caveats %q", r.Caveats)
	}
}

func TestKeyEdgeCases(t *testing.T) {
	f := modern()
	f.LeafKey = &KeyFacts{Alg: KeyUnknown, DebianWeak: clean}
	r := Evaluate(f)
	for _, id := range []RuleID{RuleA10, RuleA11} {
		if _, ok := pendingFor(r, id); !ok {
			t.Errorf("%s should wait for the key size: %+v", id, r.NotEvaluated)
		}
	}
	if r.Scores.KeyExchange != 90 { // X25519 still scores
		t.Errorf("K %v", r.Scores.KeyExchange)
	}

	f = modern()
	f.LeafKey.Exponent = 0
	if _, ok := pendingFor(Evaluate(f), RuleA12); !ok {
		t.Error("A12 should wait for the exponent")
	}

	f = modern()
	*f.LeafKey = KeyFacts{Alg: KeyDSA, Bits: 1024, DebianWeak: clean}
	if r := Evaluate(f); r.Grade != "B" || r.Scores.KeyExchange != 80 {
		t.Errorf("DSA-1024: %s K %v", r.Grade, r.Scores.KeyExchange)
	}
	// An ECDSA key makes the fleet-wide DROWN lookup moot.
	f = modern()
	*f.LeafKey = KeyFacts{Alg: KeyECDSA, Bits: 256, DebianWeak: clean}
	f.DROWN = nil
	r = Evaluate(f)
	if _, ok := pendingFor(r, RuleE5); ok || r.Provisional {
		t.Errorf("E5 pending with an ECDSA key: %+v", r.NotEvaluated)
	}
}

func TestCertEdgeCases(t *testing.T) {
	f := modern()
	f.Cert.NotAfter, f.Cert.NotBefore = time.Time{}, time.Time{}
	f.Cert.SigHash = HashUnknown
	r := Evaluate(f)
	for _, id := range []RuleID{RuleA4, RuleA5, RuleA8, RuleA9} {
		if p, ok := pendingFor(r, id); !ok || p.WaitsFor != SourcePKI {
			t.Errorf("%s should wait for pki: %+v", id, p)
		}
	}
	// MD4 is not a rule of its own (docs/grading.md A8 names MD2 and MD5);
	// such a certificate fails trust (A2) anyway.
	f = modern()
	f.Cert.SigHash = HashMD4
	if r := Evaluate(f); len(r.Findings) != 0 {
		t.Errorf("MD4: %v", ruleIDs(r.Findings))
	}
	// Evidence carries the certificate.
	f = modern()
	f.Cert.TrustError = "unknown authority"
	fd, _ := findingFor(Evaluate(f), RuleA2)
	if !strings.HasPrefix(fd.Evidence.Certificate, "CN=example.com (SHA-256 3f1a9c0e5b7d2a4c") {
		t.Errorf("certificate %q", fd.Evidence.Certificate)
	}
}

func TestHTTPEdgeCases(t *testing.T) {
	f := modern()
	f.HTTP.HSTS = HSTSUnknown
	f.HTTP.HPKP = HPKPUnknown
	r := Evaluate(f)
	if p, ok := pendingFor(r, RuleF1); !ok || !strings.Contains(p.Reason, "HSTS header") {
		t.Errorf("F1 %+v", p)
	}
	if _, ok := pendingFor(r, RuleF5); !ok || r.Grade != "A" || !r.Provisional {
		t.Errorf("F5 pending; grade %s", r.Grade)
	}
	f = modern()
	f.HTTP.HPKP, f.HTTP.HPKPError = HPKPInvalid, "two headers"
	fd, _ := findingFor(Evaluate(f), RuleF5)
	if !strings.Contains(fd.Evidence.Text, "two headers") {
		t.Errorf("F5 evidence %+v", fd.Evidence)
	}
}

// A rule evidence lists many suites briefly in the text, all of them in
// the structured part.
func TestSuiteEvidenceShort(t *testing.T) {
	f := modern()
	addSuites(&f, registry.TLS12, 0x0004, 0x0005, 0xc011, 0xc007, 0x0018, 0x0066)
	fd, ok := findingFor(Evaluate(f), RuleD3)
	if !ok || len(fd.Evidence.Suites) != 6 || !strings.Contains(fd.Evidence.Text, "and 2 more") {
		t.Fatalf("%+v", fd.Evidence)
	}
}
