package assess

import (
	"context"
	"crypto/x509"
	"slices"
	"strings"
	"testing"
	"time"

	"padlock/grade"
	"padlock/lab"
	"padlock/pki"
	"padlock/registry"
)

// judgeChain runs pki over one chain sent for www.example.test and maps the
// result as grading sees it; it also returns the rules that fire with just
// those facts (plus a sound TLS 1.3 configuration).
func judgeChain(t *testing.T, chain [][]byte, roots ...*x509.Certificate) (*grade.CertFacts, *grade.KeyFacts, []grade.RuleID) {
	t.Helper()
	now := time.Now()
	r := pki.Analyze(context.Background(), "www.example.test",
		[]pki.Chain{{Protocol: registry.TLS13, SNI: "www.example.test", Certificates: chain}},
		pki.Options{ExtraRoots: roots, Now: now, SkipLint: true})
	cf, kf := certFacts(r)
	res := grade.Evaluate(grade.Facts{
		Host:      "www.example.test",
		Now:       now,
		Protocols: []registry.Protocol{registry.TLS13},
		Suites:    []grade.ProtocolSuites{{Protocol: registry.TLS13, Suites: []uint16{0x1301}}},
		Cert:      cf,
		LeafKey:   kf,
	})
	var ids []grade.RuleID
	for _, f := range res.Findings {
		if f.Rule[0] == 'A' {
			ids = append(ids, f.Rule)
		}
	}
	return cf, kf, ids
}

func TestCertFacts(t *testing.T) {
	root := backdatedRoot(t)
	inter, err := root.Intermediate("padlock assess test intermediate", lab.CAValidity(time.Now().AddDate(-4, 0, 0), time.Now().AddDate(4, 0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	name := []string{"www.example.test"}
	now := time.Now()
	good := issue(t, inter, lab.LeafOptions{DNSNames: name})
	expired := issue(t, inter, lab.LeafOptions{DNSNames: name, NotBefore: now.AddDate(0, 0, -100), NotAfter: now.AddDate(0, 0, -10)})
	sha1 := issue(t, inter, lab.LeafOptions{DNSNames: name, SignatureAlgorithm: x509.SHA1WithRSA})
	ec := issue(t, inter, lab.LeafOptions{DNSNames: name, KeyType: lab.KeyP256})
	self, err := lab.SelfSigned(lab.LeafOptions{DNSNames: name})
	if err != nil {
		t.Fatal(err)
	}
	edCA, err := lab.NewCA("padlock assess Ed25519 root", lab.CAKeyType(lab.KeyEd25519))
	if err != nil {
		t.Fatal(err)
	}
	ed := issue(t, edCA, lab.LeafOptions{DNSNames: name, KeyType: lab.KeyEd25519})

	t.Run("trusted", func(t *testing.T) {
		cf, kf, rules := judgeChain(t, good.Chain, root.Cert)
		if cf == nil || kf == nil {
			t.Fatal("no facts")
		}
		if cf.TrustError != "" || cf.NameMismatch || cf.SelfSigned || cf.ChainIncomplete || cf.ChainWrongOrder || cf.ChainExtraCerts || cf.ChainSendsRoot {
			t.Errorf("facts %+v", cf)
		}
		if cf.Subject != good.Cert.Subject.String() || cf.SHA256 != certID(good.DER) || !slices.Equal(cf.Names, name) {
			t.Errorf("evidence %q %q %v", cf.Subject, cf.SHA256, cf.Names)
		}
		if !cf.NotAfter.Equal(good.Cert.NotAfter) || !cf.NotBefore.Equal(good.Cert.NotBefore) || cf.SigAlg != "SHA256withRSA" || cf.SigHash != grade.HashSHA256 {
			t.Errorf("validity %v-%v sig %s %v", cf.NotBefore, cf.NotAfter, cf.SigAlg, cf.SigHash)
		}
		if cf.Revoked.State != grade.Unknown || cf.Distrusted.State != grade.NotVulnerable || cf.Blacklisted.State != grade.Unknown {
			t.Errorf("checks revoked %v distrusted %v blacklisted %v", cf.Revoked, cf.Distrusted, cf.Blacklisted)
		}
		if kf.Alg != grade.KeyRSA || kf.Bits != 2048 || kf.Strength != 2048 || kf.Exponent != 65537 || kf.DebianWeak.State != grade.Unknown {
			t.Errorf("key %+v", kf)
		}
		if len(rules) != 0 {
			t.Errorf("rules fired: %v", rules)
		}
	})
	t.Run("unknown root", func(t *testing.T) {
		cf, _, rules := judgeChain(t, good.Chain)
		if !strings.Contains(cf.TrustError, "no path to a trusted root") || !slices.Equal(rules, []grade.RuleID{grade.RuleA2}) {
			t.Errorf("trust error %q, rules %v", cf.TrustError, rules)
		}
	})
	t.Run("expired, trusted root", func(t *testing.T) {
		cf, _, rules := judgeChain(t, expired.Chain, root.Cert)
		if cf.TrustError != "" || !slices.Equal(rules, []grade.RuleID{grade.RuleA4}) {
			t.Errorf("trust error %q, rules %v", cf.TrustError, rules)
		}
	})
	t.Run("expired, unknown root", func(t *testing.T) {
		cf, _, rules := judgeChain(t, expired.Chain)
		if cf.TrustError == "" || !slices.Equal(rules, []grade.RuleID{grade.RuleA2, grade.RuleA4}) {
			t.Errorf("trust error %q, rules %v", cf.TrustError, rules)
		}
	})
	t.Run("self-signed", func(t *testing.T) {
		cf, _, rules := judgeChain(t, self.Chain, root.Cert)
		if !cf.SelfSigned || cf.TrustError != "" || !slices.Equal(rules, []grade.RuleID{grade.RuleA3}) {
			t.Errorf("self-signed %v trust error %q, rules %v", cf.SelfSigned, cf.TrustError, rules)
		}
	})
	t.Run("SHA-1 signature", func(t *testing.T) {
		cf, _, rules := judgeChain(t, sha1.Chain, root.Cert)
		if cf.SigHash != grade.HashSHA1 || cf.TrustError != "" || !slices.Equal(rules, []grade.RuleID{grade.RuleA9}) {
			t.Errorf("hash %v trust error %q, rules %v", cf.SigHash, cf.TrustError, rules)
		}
	})
	t.Run("wrong name", func(t *testing.T) {
		other := issue(t, inter, lab.LeafOptions{DNSNames: []string{"other.example.test"}})
		cf, _, rules := judgeChain(t, other.Chain, root.Cert)
		if !cf.NameMismatch || cf.TrustError != "" || !slices.Equal(cf.Names, []string{"other.example.test"}) || !slices.Equal(rules, []grade.RuleID{grade.RuleA1}) {
			t.Errorf("mismatch %v names %v trust error %q, rules %v", cf.NameMismatch, cf.Names, cf.TrustError, rules)
		}
	})
	t.Run("chain sent out of order, with its root", func(t *testing.T) {
		cf, _, rules := judgeChain(t, [][]byte{good.DER, root.DER, inter.DER}, root.Cert)
		if !cf.ChainWrongOrder || !cf.ChainSendsRoot || cf.ChainIncomplete || cf.TrustError != "" || !slices.Equal(rules, []grade.RuleID{grade.RuleA14}) {
			t.Errorf("order %v root %v incomplete %v trust %q, rules %v", cf.ChainWrongOrder, cf.ChainSendsRoot, cf.ChainIncomplete, cf.TrustError, rules)
		}
	})
	t.Run("EC key", func(t *testing.T) {
		_, kf, _ := judgeChain(t, ec.Chain, root.Cert)
		if kf.Alg != grade.KeyECDSA || kf.Bits != 256 || kf.Strength != 3072 || kf.Curve != "P-256" {
			t.Errorf("key %+v", kf)
		}
	})
	t.Run("Ed25519", func(t *testing.T) {
		cf, kf, rules := judgeChain(t, ed.Chain, edCA.Cert)
		if kf.Alg != grade.KeyEdDSA || kf.Strength != 3072 || cf.SigHash != grade.HashIntrinsic || len(rules) != 0 {
			t.Errorf("key %+v hash %v rules %v", kf, cf.SigHash, rules)
		}
	})
	t.Run("nothing to judge", func(t *testing.T) {
		if cf, kf := certFacts(nil); cf != nil || kf != nil {
			t.Errorf("nil report gave %+v %+v", cf, kf)
		}
		r := pki.Analyze(context.Background(), "x.example", nil, pki.Options{SkipLint: true})
		if cf, kf := certFacts(r); cf != nil || kf != nil {
			t.Errorf("no chain gave %+v %+v", cf, kf)
		}
		r = pki.Analyze(context.Background(), "x.example", []pki.Chain{{Certificates: [][]byte{[]byte("junk")}}}, pki.Options{SkipLint: true})
		if cf, kf := certFacts(r); cf != nil || kf != nil {
			t.Errorf("unparsable leaf gave %+v %+v", cf, kf)
		}
	})
}

// TestTrustErrorRevoked: pki explains a revoked leaf by its revocation
// alone; the path error must come from the chain.
func TestTrustErrorRevoked(t *testing.T) {
	f := pki.Facts{Revoked: true, TrustErrors: []string{"the certificate is revoked (stapled OCSP response)"}}
	chains := []*pki.ChainReport{{TrustError: "x509: certificate signed by unknown authority"}}
	if got := trustError(f, true, chains); got != "x509: certificate signed by unknown authority" {
		t.Errorf("trustError = %q", got)
	}
	f.Trusted = true
	if got := trustError(f, false, chains); got != "" {
		t.Errorf("trusted, yet trustError = %q", got)
	}
}
