package pki

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/x509roots/fallback/bundle"

	"padlock/lab"
	"padlock/registry"
)

func wantFacts(t *testing.T, got Facts, check func(f Facts) bool, what string) {
	t.Helper()
	if !check(got) {
		b, _ := json.MarshalIndent(got, "", "  ")
		t.Errorf("facts: want %s, got %s", what, b)
	}
}

func TestValidRSAChain(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyRSA2048})
	r := analyze(t, testHost, Options{}, leaf.Chain)

	f := r.Facts
	if !f.Trusted || f.Mismatch || f.Expired || f.NotYetValid || f.SelfSigned || f.Revoked ||
		f.Distrusted || f.SHA1Leaf || f.MD5OrMD2Leaf || f.InsecureKey || f.WeakKey || f.IncompleteChain || f.TrustProblem() {
		t.Fatalf("valid chain judged badly: %+v", f)
	}
	if f.LeafKey != (Key{Alg: "RSA", Bits: 2048, Strength: 2048, Exponent: 65537}) {
		t.Errorf("leaf key %+v", f.LeafKey)
	}
	if f.DaysLeft < 88 || f.DaysLeft > 90 {
		t.Errorf("days left %d, want ~89", f.DaysLeft)
	}
	if len(r.Chains) != 1 {
		t.Fatalf("%d chains", len(r.Chains))
	}
	c := r.Chains[0]
	if c.Issues != 0 || !c.Trusted || !c.NameMatch || c.NoSNI {
		t.Errorf("chain %+v", c)
	}
	if len(c.TrustPaths) != 1 {
		t.Fatalf("trust paths %+v", c.TrustPaths)
	}
	tp := c.TrustPaths[0]
	want := []string{certID(leaf.DER), certID(p.inter.DER), certID(p.root.DER)}
	if !slices.Equal(tp.CertIDs, want) || len(tp.Trust) != 1 || !tp.Trust[0].IsTrusted || tp.Trust[0].RootStore != StoreCustom {
		t.Errorf("trust path %+v, want %v trusted by Custom", tp, want)
	}
	if len(r.Certs) != 3 {
		t.Fatalf("%d certs, want leaf, intermediate, root", len(r.Certs))
	}
	lc, rc := r.Cert(certID(leaf.DER)), r.Cert(certID(p.root.DER))
	if lc == nil || rc == nil {
		t.Fatal("leaf or root missing from certs")
	}
	if rc.Source != SourceRoot || lc.Source != SourceSent {
		t.Errorf("sources: leaf %q root %q", lc.Source, rc.Source)
	}
	if lc.Issues != 0 || lc.KeyAlg != "RSA" || lc.KeySize != 2048 || lc.KeyStrength != 2048 || lc.SigAlg != "SHA256withRSA" ||
		lc.SigHash != "SHA256" || lc.RSAExponent != 65537 || lc.SelfSigned || lc.IsCA {
		t.Errorf("leaf cert %+v", lc)
	}
	if !slices.Equal(lc.CommonNames, []string{testHost}) || !slices.Equal(lc.AltNames, []string{testHost}) {
		t.Errorf("names %v %v", lc.CommonNames, lc.AltNames)
	}
	if lc.NotAfter != leaf.Cert.NotAfter.UnixMilli() || lc.SHA256Hash != lc.ID || len(lc.SHA1Hash) != 40 || lc.PinSHA256 == "" {
		t.Errorf("leaf cert hashes/dates %+v", lc)
	}
	if !rc.SelfSigned || !rc.IsCA {
		t.Errorf("root cert %+v", rc)
	}
}

func TestECDSAKeys(t *testing.T) {
	p := sharedPKI(t)
	for _, tc := range []struct {
		keyType        string
		bits, strength int
		curve          string
	}{
		{lab.KeyP256, 256, 3072, "P-256"},
		{lab.KeyP384, 384, 7680, "P-384"},
		{lab.KeyP521, 521, 15360, "P-521"},
	} {
		leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: tc.keyType})
		r := analyze(t, testHost, Options{}, leaf.Chain)
		want := Key{Alg: "EC", Bits: tc.bits, Strength: tc.strength, Curve: tc.curve}
		if r.Facts.LeafKey != want || !r.Facts.Trusted || r.Facts.WeakKey || r.Facts.InsecureKey {
			t.Errorf("%s: %+v, want key %+v trusted", tc.keyType, r.Facts, want)
		}
		if c := r.Cert(certID(leaf.DER)); c.KeyAlg != "EC" || c.KeyStrength != tc.strength || c.KeyCurve != tc.curve {
			t.Errorf("%s: cert %+v", tc.keyType, c)
		}
	}
}

func TestValidity(t *testing.T) {
	p := sharedPKI(t)
	now := time.Now()
	t.Run("expired", func(t *testing.T) {
		// The intermediate must predate the leaf for the chain of trust
		// to exist apart from the expiry.
		inter := customCA(t, p.root, "padlock pki old intermediate", func(c *x509.Certificate) { c.NotBefore = now.AddDate(0, 0, -200) })
		der := customLeaf(t, inter, nil, func(c *x509.Certificate) { c.NotBefore, c.NotAfter = now.AddDate(0, 0, -100), now.AddDate(0, 0, -10) })
		leaf := &lab.Leaf{DER: der, Chain: chainOf(der, inter.DER)}
		r := analyze(t, testHost, Options{}, leaf.Chain)
		f := r.Facts
		wantFacts(t, f, func(f Facts) bool {
			return f.Expired && !f.Trusted && !f.NotYetValid && f.DaysLeft == -11 && f.TrustProblem() &&
				len(f.TrustErrors) == 1 && strings.Contains(f.TrustErrors[0], "expired")
		}, "expired, untrusted, 10 days past")
		lc := r.Cert(certID(leaf.DER))
		if lc.Issues != CertExpired {
			t.Errorf("leaf issues %b (%v), want only expired", lc.Issues, lc.IssueNames)
		}
		// The chain itself is fine: its path is reported, untrusted.
		tp := r.Chains[0].TrustPaths
		if len(tp) != 1 || len(tp[0].CertIDs) != 3 || tp[0].Trust[0].IsTrusted || tp[0].Trust[0].TrustErrorMessage == "" {
			t.Errorf("trust paths %+v", tp)
		}
	})
	t.Run("not yet valid", func(t *testing.T) {
		leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256, NotBefore: now.AddDate(0, 0, 5), NotAfter: now.AddDate(0, 0, 95)})
		r := analyze(t, testHost, Options{}, leaf.Chain)
		wantFacts(t, r.Facts, func(f Facts) bool {
			return f.NotYetValid && !f.Expired && !f.Trusted && f.TrustProblem()
		}, "not yet valid")
		if lc := r.Cert(certID(leaf.DER)); lc.Issues != CertNotYetValid {
			t.Errorf("leaf issues %v", lc.IssueNames)
		}
	})
	t.Run("judged at Options.Now", func(t *testing.T) {
		leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
		r := analyze(t, testHost, Options{Now: leaf.Cert.NotAfter.Add(time.Hour)}, leaf.Chain)
		if !r.Facts.Expired || r.Facts.Trusted {
			t.Errorf("facts at notAfter+1h: %+v", r.Facts)
		}
	})
}

func TestSelfSigned(t *testing.T) {
	leaf, err := lab.SelfSigned(lab.LeafOptions{KeyType: lab.KeyP256, DNSNames: []string{testHost}})
	if err != nil {
		t.Fatal(err)
	}
	r := analyze(t, testHost, Options{}, leaf.Chain)
	wantFacts(t, r.Facts, func(f Facts) bool {
		return f.SelfSigned && !f.Trusted && f.TrustProblem() && slices.Contains(f.TrustErrors, "the certificate is self-signed")
	}, "self-signed and untrusted")
	lc := r.Cert(certID(leaf.DER))
	if lc.Issues != CertSelfSigned|CertNoChainOfTrust || !lc.SelfSigned {
		t.Errorf("leaf issues %v", lc.IssueNames)
	}
	if r.Chains[0].Issues != 0 {
		t.Errorf("chain issues %v (a lone self-signed leaf is not a sent root)", r.Chains[0].IssueNames)
	}

	// Trusted explicitly (--ca-file with the certificate itself).
	r = analyze(t, testHost, Options{ExtraRoots: []*x509.Certificate{leaf.Cert}}, leaf.Chain)
	if !r.Facts.Trusted || r.Facts.SelfSigned || r.Facts.TrustProblem() {
		t.Errorf("self-signed but trusted: %+v", r.Facts)
	}
}

func TestWrongName(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256, DNSNames: []string{"other.example.test"}})
	r := analyze(t, testHost, Options{}, leaf.Chain)
	if !r.Facts.Mismatch || !r.Facts.Trusted || r.Facts.TrustProblem() {
		t.Errorf("facts %+v, want mismatch only", r.Facts)
	}
	if lc := r.Cert(certID(leaf.DER)); lc.Issues != CertHostnameMismatch {
		t.Errorf("leaf issues %v", lc.IssueNames)
	}
	if r.Chains[0].NameMatch {
		t.Error("chain NameMatch true")
	}
}

func TestWildcardLeaf(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256, DNSNames: []string{"*.example.test"}})
	for host, match := range map[string]bool{
		"www.example.test":  true,
		"WWW.Example.TEST.": true,
		"a.b.example.test":  false,
		"example.test":      false,
	} {
		r := analyze(t, host, Options{}, leaf.Chain)
		if r.Facts.Mismatch == match {
			t.Errorf("%s: mismatch %v, want %v", host, r.Facts.Mismatch, !match)
		}
	}
}

func TestSHA1Leaf(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyRSA2048, SignatureAlgorithm: x509.SHA1WithRSA})
	r := analyze(t, testHost, Options{}, leaf.Chain)
	wantFacts(t, r.Facts, func(f Facts) bool {
		return f.SHA1Leaf && !f.Trusted && !f.MD5OrMD2Leaf && f.TrustProblem() &&
			slices.Contains(f.TrustErrors, "the certificate is signed with SHA-1")
	}, "SHA-1 leaf, untrusted")
	lc := r.Cert(certID(leaf.DER))
	if lc.SigAlg != "SHA1withRSA" || lc.Issues&CertInsecureSignature != 0 || lc.Issues&CertNoChainOfTrust == 0 {
		t.Errorf("leaf %s issues %v", lc.SigAlg, lc.IssueNames)
	}
	// padlock still sees who issued it: no order or unrelated complaints,
	// and the path it reports runs through the intermediate.
	c := r.Chains[0]
	if c.Issues != 0 || len(c.TrustPaths) != 1 || !slices.Equal(c.TrustPaths[0].CertIDs, []string{certID(leaf.DER), certID(p.inter.DER)}) {
		t.Errorf("chain %v, paths %+v", c.IssueNames, c.TrustPaths)
	}
}

func TestMD5Leaf(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyRSA2048})
	md5 := resignMD5(t, leaf.DER, p.inter.Key.(*rsa.PrivateKey))
	r := analyze(t, testHost, Options{}, chainOf(md5, p.inter.DER))
	wantFacts(t, r.Facts, func(f Facts) bool { return f.MD5OrMD2Leaf && !f.SHA1Leaf && !f.Trusted }, "MD5 leaf")
	lc := r.Cert(certID(md5))
	if lc.SigAlg != "MD5withRSA" || lc.SigHash != "MD5" || lc.Issues&CertInsecureSignature == 0 {
		t.Errorf("leaf %s/%s issues %v", lc.SigAlg, lc.SigHash, lc.IssueNames)
	}
	if r.Chains[0].Issues != 0 {
		t.Errorf("chain issues %v: the MD5 signature should still link the leaf to its issuer", r.Chains[0].IssueNames)
	}
}

func TestWeakKeys(t *testing.T) {
	p := sharedPKI(t)
	t.Run("RSA-1024", func(t *testing.T) {
		leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyRSA1024})
		r := analyze(t, testHost, Options{}, leaf.Chain)
		wantFacts(t, r.Facts, func(f Facts) bool {
			return f.WeakKey && !f.InsecureKey && f.Trusted && f.LeafKey.Bits == 1024 && f.LeafKey.Strength == 1024
		}, "weak 1024-bit key, trusted")
		if lc := r.Cert(certID(leaf.DER)); lc.Issues != 0 {
			t.Errorf("leaf issues %v", lc.IssueNames)
		}
	})
	t.Run("RSA-512", func(t *testing.T) {
		k, err := rsa.GenerateKey(rand.Reader, 512)
		if err != nil {
			t.Fatal(err)
		}
		leaf := leafFrom(t, p.inter, lab.LeafOptions{Key: k})
		r := analyze(t, testHost, Options{}, leaf.Chain)
		wantFacts(t, r.Facts, func(f Facts) bool { return f.InsecureKey && !f.WeakKey && f.LeafKey.Bits == 512 }, "insecure 512-bit key")
		if lc := r.Cert(certID(leaf.DER)); lc.Issues&CertInsecureKey == 0 {
			t.Errorf("leaf issues %v", lc.IssueNames)
		}
	})
	t.Run("RSA exponent 1", func(t *testing.T) {
		k, err := lab.NewKey(lab.KeyRSA2048)
		if err != nil {
			t.Fatal(err)
		}
		leaf := leafFrom(t, p.inter, lab.LeafOptions{Key: exponentOneKey{k.(*rsa.PrivateKey)}})
		r := analyze(t, testHost, Options{}, leaf.Chain)
		wantFacts(t, r.Facts, func(f Facts) bool {
			return f.InsecureKey && f.LeafKey.Exponent == 1 && f.LeafKey.Bits == 2048
		}, "insecure key with exponent 1")
		if lc := r.Cert(certID(leaf.DER)); lc.RSAExponent != 1 || lc.Issues&CertInsecureKey == 0 {
			t.Errorf("leaf exponent %d issues %v", lc.RSAExponent, lc.IssueNames)
		}
	})
}

func TestUntrustedRoot(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.other, lab.LeafOptions{KeyType: lab.KeyP256})
	r := analyze(t, testHost, Options{}, leaf.Chain)
	wantFacts(t, r.Facts, func(f Facts) bool {
		return !f.Trusted && !f.SelfSigned && !f.Expired && f.TrustProblem() && len(f.TrustErrors) == 2 &&
			strings.Contains(f.TrustErrors[0], "no path to a trusted root") && strings.Contains(f.TrustErrors[1], "was not sent")
	}, "untrusted, unknown issuer")
	if lc := r.Cert(certID(leaf.DER)); lc.Issues != CertNoChainOfTrust {
		t.Errorf("leaf issues %v", lc.IssueNames)
	}
	tp := r.Chains[0].TrustPaths
	if len(tp) != 1 || tp[0].Trust[0].IsTrusted || tp[0].Trust[0].TrustErrorMessage == "" || tp[0].Trust[0].RootStore != StoreMozilla {
		t.Errorf("trust paths %+v", tp)
	}

	// By default only the embedded Mozilla store is trusted.
	good := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
	r = Analyze(context.Background(), testHost, []Chain{{SNI: testHost, Certificates: good.Chain}}, Options{SkipLint: true})
	if r.Facts.Trusted || r.RootStore.Name != StoreMozilla {
		t.Errorf("lab chain trusted by the Mozilla store: %+v", r.Facts)
	}
}

func TestChainShapes(t *testing.T) {
	p := sharedPKI(t)
	inter2 := customCA(t, p.inter, "padlock pki test intermediate 2", nil)
	leaf := customLeaf(t, inter2, nil, nil)
	unrelated := sharedPKI(t).other.DER
	for _, tc := range []struct {
		name    string
		chain   [][]byte
		issues  int
		trusted bool
	}{
		{"complete", chainOf(leaf, inter2.DER, p.inter.DER), 0, true},
		{"wrong order", chainOf(leaf, p.inter.DER, inter2.DER), ChainWrongOrder, true},
		{"root sent", chainOf(leaf, inter2.DER, p.inter.DER, p.root.DER), ChainSelfSignedRoot, true},
		{"root sent first", chainOf(leaf, p.root.DER, inter2.DER, p.inter.DER), ChainSelfSignedRoot | ChainWrongOrder, true},
		{"duplicate", chainOf(leaf, inter2.DER, inter2.DER, p.inter.DER), ChainUnrelatedOrDuplicate, true},
		{"unrelated", chainOf(leaf, inter2.DER, p.inter.DER, unrelated), ChainUnrelatedOrDuplicate | ChainSelfSignedRoot, true},
		{"missing intermediate", chainOf(leaf, p.inter.DER), ChainUnrelatedOrDuplicate, false},
		{"garbage appended", chainOf(leaf, inter2.DER, p.inter.DER, []byte("not a certificate")), ChainUnrelatedOrDuplicate, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := analyze(t, testHost, Options{}, tc.chain)
			c := r.Chains[0]
			if c.Issues != tc.issues || c.Trusted != tc.trusted || r.Facts.Trusted != tc.trusted {
				t.Errorf("issues %v (%d) trusted %v, want %d trusted %v", c.IssueNames, c.Issues, c.Trusted, tc.issues, tc.trusted)
			}
			if len(c.CertIDs) != len(tc.chain) {
				t.Errorf("%d cert ids for %d certificates", len(c.CertIDs), len(tc.chain))
			}
		})
	}
	t.Run("empty", func(t *testing.T) {
		r := analyze(t, testHost, Options{}, nil)
		if r.Chains[0].Issues != ChainCouldNotValidate || !r.Facts.NoCertificate || r.Facts.TrustProblem() {
			t.Errorf("empty chain: %+v / %+v", r.Chains[0], r.Facts)
		}
	})
	t.Run("unparsable leaf", func(t *testing.T) {
		r := analyze(t, testHost, Options{}, chainOf([]byte{0x30, 0x03, 0x02, 0x01, 0x01}))
		if r.Chains[0].Issues != ChainCouldNotValidate || r.Certs[0].ParseError == "" {
			t.Errorf("unparsable leaf: %+v", r.Chains[0])
		}
	})
}

func TestMissingIntermediateOffline(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
	r := analyze(t, testHost, Options{}, chainOf(leaf.DER))
	wantFacts(t, r.Facts, func(f Facts) bool {
		return !f.Trusted && !f.IncompleteChain && len(f.TrustErrors) == 2 && strings.Contains(f.TrustErrors[1], "fetching issuers (AIA) is off")
	}, "untrusted, AIA off mentioned")
	if r.Chains[0].Issues != 0 {
		t.Errorf("chain issues %v: without fetching, incompleteness is not established", r.Chains[0].IssueNames)
	}
}

func TestDistrustAfterConstraint(t *testing.T) {
	p := sharedPKI(t)
	cutoff := time.Now().Add(-24 * time.Hour)
	roots := func(yield func(bundle.Root) bool) {
		yield(bundle.Root{
			Certificate: p.root.DER,
			Constraint: func(chain []*x509.Certificate) error {
				for _, c := range chain {
					if c.NotBefore.After(cutoff) {
						return errDistrustAfterForTest
					}
				}
				return nil
			},
		})
	}
	pool, _, constrained, err := buildPool(roots)
	if err != nil || constrained != 1 {
		t.Fatalf("buildPool: %v, %d constrained", err, constrained)
	}
	before := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256, NotBefore: time.Now().Add(-48 * time.Hour)})
	after := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
	r := analyze(t, testHost, Options{Roots: pool}, before.Chain)
	if !r.Facts.Trusted || r.Facts.Distrusted || r.Chains[0].TrustPaths[0].Trust[0].RootStore != StoreCustom {
		t.Errorf("chain issued before the cutoff: %+v", r.Facts)
	}
	r = analyze(t, testHost, Options{Roots: pool}, after.Chain)
	wantFacts(t, r.Facts, func(f Facts) bool {
		return !f.Trusted && f.Distrusted && len(f.DistrustReason) == 1 && f.TrustProblem()
	}, "distrusted by the root's distrust-after date")
}

// errDistrustAfterForTest mimics the bundle's constraint error.
var errDistrustAfterForTest = &distrustErr{}

type distrustErr struct{}

func (*distrustErr) Error() string {
	return "certificate issued after distrust-after date \"2026-04-15 23:59:59 +0000 UTC\""
}

func TestSymantecDistrust(t *testing.T) {
	// A root and intermediate that existed in 2015, standing in for
	// VeriSign's: their keys are put in the distrust table for the test.
	validity := lab.CAValidity(time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC))
	root, err := lab.NewCA("padlock pki legacy root", lab.CAKeyType(lab.KeyP256), validity)
	if err != nil {
		t.Fatal(err)
	}
	inter, err := root.Intermediate("padlock pki legacy intermediate", validity)
	if err != nil {
		t.Fatal(err)
	}
	p := testPKI{root: root, inter: inter}
	h := spkiHash(p.root.Cert)
	symantecRoots[h] = true
	defer delete(symantecRoots, h)
	analyze := func(t *testing.T, host string, opts Options, chains ...[][]byte) *Report {
		opts.ExtraRoots = []*x509.Certificate{root.Cert}
		return analyzeT(t, host, opts, chains...)
	}

	now := time.Now()
	old := customLeaf(t, p.inter, nil, func(c *x509.Certificate) {
		c.NotBefore = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
		c.NotAfter = now.AddDate(1, 0, 0)
	})
	newer := customLeaf(t, p.inter, nil, nil)
	r := analyze(t, testHost, Options{}, chainOf(old, p.inter.DER))
	wantFacts(t, r.Facts, func(f Facts) bool {
		return f.Trusted && f.Distrusted && f.TrustProblem() && strings.Contains(f.DistrustReason[0], "before 2016-06-01")
	}, "phase-1 Symantec distrust")
	if lc := r.Cert(certID(old)); lc.Issues&CertNoChainOfTrust == 0 {
		t.Errorf("distrusted leaf issues %v", lc.IssueNames)
	}
	r = analyze(t, testHost, Options{}, chainOf(newer, p.inter.DER))
	if !r.Facts.Distrusted || !strings.Contains(r.Facts.DistrustReason[0], "Chrome 70") {
		t.Errorf("phase-2 Symantec distrust: %+v", r.Facts)
	}
	// Before Chrome 70 a post-June-2016 certificate was still trusted.
	r = analyze(t, testHost, Options{Now: time.Date(2018, 5, 1, 0, 0, 0, 0, time.UTC)}, chainOf(old, p.inter.DER))
	if !r.Facts.Distrusted || !r.Facts.Trusted {
		t.Errorf("phase 1 in May 2018: %+v", r.Facts)
	}
	mayLeaf := customLeaf(t, p.inter, nil, func(c *x509.Certificate) {
		c.NotBefore = time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)
		c.NotAfter = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	})
	r = analyze(t, testHost, Options{Now: time.Date(2018, 5, 1, 0, 0, 0, 0, time.UTC)}, chainOf(mayLeaf, p.inter.DER))
	if r.Facts.Distrusted || !r.Facts.Trusted {
		t.Errorf("2017 certificate in May 2018 (before Chrome 70): %+v", r.Facts)
	}

	// An exempt (independently operated) sub-CA lifts the distrust.
	e := spkiHash(p.inter.Cert)
	symantecExceptions[e] = true
	defer delete(symantecExceptions, e)
	r = analyze(t, testHost, Options{}, chainOf(newer, p.inter.DER))
	if r.Facts.Distrusted {
		t.Errorf("exempt sub-CA still distrusted: %+v", r.Facts)
	}
}

func TestSymantecTables(t *testing.T) {
	if len(symantecRoots) != 58 || len(symantecExceptions) != 9 || len(symantecManagedCAs) != 2 {
		t.Errorf("tables hold %d/%d/%d keys, want 58/9/2 (Chromium's lists)", len(symantecRoots), len(symantecExceptions), len(symantecManagedCAs))
	}
	for _, m := range []map[string]bool{symantecRoots, symantecExceptions, symantecManagedCAs} {
		for h := range m {
			if len(h) != 64 || strings.ToLower(h) != h {
				t.Errorf("bad hash %q", h)
			}
		}
	}
	// No root of today's Mozilla store is a legacy Symantec root.
	for _, c := range MozillaRootCerts() {
		if symantecRoots[spkiHash(c)] {
			t.Errorf("Mozilla root %s is in the Symantec table", c.Subject)
		}
	}
}

func TestCertificateExtensions(t *testing.T) {
	p := sharedPKI(t)
	argon := "DleUvPOuqT4zGyyZB7P3kN+bwj1xMiXdIaklrGHFTiE="
	sctExt := sctListExtension(t, sctBytes(t, argon, 1767225600000), sctBytes(t, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", 1767225600001))
	leaf := customLeaf(t, p.inter, nil, func(c *x509.Certificate) {
		c.PolicyIdentifiers = nil
		c.Policies = []x509.OID{mustOID(t, "2.23.140.1.1"), mustOID(t, "1.3.6.1.4.1.99999.1")}
		c.OCSPServer = []string{"http://ocsp.example.test"}
		c.CRLDistributionPoints = []string{"http://crl.example.test/ca.crl"}
		c.IssuingCertificateURL = []string{"http://ca.example.test/inter.der"}
		c.ExtraExtensions = append(c.ExtraExtensions,
			mustStapleExtension(),
			sctExt,
		)
	})
	r := analyze(t, testHost, Options{}, chainOf(leaf, p.inter.DER))
	lc := r.Cert(certID(leaf))
	if !lc.MustStaple || lc.RevocationInfo != 3 || !slices.Equal(lc.OCSPURIs, []string{"http://ocsp.example.test"}) ||
		!slices.Equal(lc.CRLURIs, []string{"http://crl.example.test/ca.crl"}) || !slices.Equal(lc.IssuerURLs, []string{"http://ca.example.test/inter.der"}) {
		t.Errorf("revocation/must-staple/AIA fields: %+v", lc)
	}
	if !lc.EVPolicy || lc.PolicyType != "EV" || lc.ValidationType != "E" || len(lc.Policies) != 2 {
		t.Errorf("EV fields: ev %v type %q validation %q policies %v", lc.EVPolicy, lc.PolicyType, lc.ValidationType, lc.Policies)
	}
	if !lc.SCT || len(lc.EmbeddedSCTs) != 2 {
		t.Fatalf("SCTs: %v %+v", lc.SCT, lc.EmbeddedSCTs)
	}
	s := lc.EmbeddedSCTs[0]
	if s.Source != SCTFromCertificate || s.LogID != argon || s.LogName != "Google 'Argon2026h1'" || s.Timestamp != 1767225600000 ||
		s.HashAlgorithm != "SHA256" || s.SignatureAlgorithm != "ECDSA" || s.Error != "" {
		t.Errorf("first SCT %+v", s)
	}
	if lc.EmbeddedSCTs[1].LogName != "" || lc.EmbeddedSCTs[1].Error != "" {
		t.Errorf("second (unknown log) SCT %+v", lc.EmbeddedSCTs[1])
	}
	c := r.Chains[0]
	if c.HasSCT != 1 || len(c.SCTs) != 2 {
		t.Errorf("chain SCTs: hasSct %d, %d SCTs", c.HasSCT, len(c.SCTs))
	}

	// An untrusted EV certificate is not validation type E.
	r = analyze(t, testHost, Options{}, chainOf(leaf))
	if lc := r.Cert(certID(leaf)); lc.ValidationType != "" || !lc.EVPolicy {
		t.Errorf("untrusted EV: %q", lc.ValidationType)
	}
}

func TestTLSExtensionSCTs(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
	good := sctBytes(t, "1219ENGn9XfCx+lf1wC/+YLJM1pl4dCzAXMXwMjFaXc=", 1767225600000)
	in := []Chain{{Protocol: registry.TLS13, SNI: testHost, Certificates: leaf.Chain, SCTs: [][]byte{good, {1, 2, 3}}}}
	r := Analyze(context.Background(), testHost, in, Options{ExtraRoots: []*x509.Certificate{p.root.Cert}, SkipLint: true})
	c := r.Chains[0]
	if c.HasSCT != 4 || len(c.SCTs) != 2 || c.SCTs[0].LogName != "Google 'Argon2026h2'" || c.SCTs[0].Source != SCTFromTLS || c.SCTs[1].Error == "" {
		t.Errorf("TLS SCTs: hasSct %d %+v", c.HasSCT, c.SCTs)
	}
	if c.Protocol != registry.TLS13 {
		t.Errorf("protocol %v", c.Protocol)
	}
}

func TestLint(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
	r := Analyze(context.Background(), testHost, []Chain{{SNI: testHost, Certificates: leaf.Chain}},
		Options{ExtraRoots: []*x509.Certificate{p.root.Cert}})
	lc := r.Cert(certID(leaf.DER))
	if lc.Lint == nil || lc.Lint.Error != "" {
		t.Fatalf("leaf lint %+v", lc.Lint)
	}
	// A lab leaf has no AIA, CRL or policies: zlint must say so.
	var names []string
	for _, f := range lc.Lint.Findings {
		names = append(names, f.Name)
		if f.Status == "" || f.Source == "" {
			t.Errorf("finding %+v", f)
		}
	}
	if lc.Lint.Errors+lc.Lint.Warnings+lc.Lint.Notices != len(lc.Lint.Findings) || !slices.Contains(names, "e_sub_cert_aia_missing") {
		t.Errorf("lint findings %v", names)
	}
	if ic := r.Cert(certID(p.inter.DER)); ic.Lint == nil {
		t.Error("intermediate not linted")
	}
	if rc := r.Cert(certID(p.root.DER)); rc.Lint != nil {
		t.Error("root linted")
	}
	// The same certificate again comes from the cache: the same findings,
	// in a copy of the caller's own.
	again := lintCertificate(leaf.DER)
	if !reflect.DeepEqual(again, lc.Lint) {
		t.Errorf("linted again: %+v, first %+v", again, lc.Lint)
	}
	again.Findings[0].Name = "changed"
	if lintCertificate(leaf.DER).Findings[0].Name == "changed" {
		t.Error("a caller's change reached the cache")
	}
}

func TestDualAndDefaultChains(t *testing.T) {
	p := sharedPKI(t)
	rsaLeaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyRSA2048})
	ecLeaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
	def := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyRSA1024, DNSNames: []string{"default.example.test"}})
	in := []Chain{
		{Protocol: registry.TLS12, SNI: testHost, Certificates: rsaLeaf.Chain},
		{Protocol: registry.TLS12, SNI: testHost, Certificates: ecLeaf.Chain},
		{Protocol: registry.TLS12, SNI: "", Certificates: def.Chain},
	}
	r := Analyze(context.Background(), testHost, in, Options{ExtraRoots: []*x509.Certificate{p.root.Cert}, SkipLint: true})
	f := r.Facts
	if f.Mismatch || !f.Trusted || f.WeakKey || len(f.ChainIDs) != 2 || f.LeafKey.Alg != "RSA" {
		t.Errorf("facts of the SNI chains: %+v", f)
	}
	d := r.Chains[2]
	if !d.NoSNI || d.NameMatch || !d.Facts.Mismatch || !d.Facts.WeakKey {
		t.Errorf("default chain %+v", d)
	}
	if lc := r.Cert(certID(def.DER)); lc.Issues != CertHostnameMismatch {
		t.Errorf("default leaf issues %v", lc.IssueNames)
	}
	if len(r.Certs) != 5 {
		t.Errorf("%d certs, want 3 leaves + intermediate + root", len(r.Certs))
	}

	// A bare IP: no chain has SNI, so all are judged.
	ipLeaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256, IPs: localhostIPs()})
	r = Analyze(context.Background(), "127.0.0.1", []Chain{{Certificates: ipLeaf.Chain}}, Options{ExtraRoots: []*x509.Certificate{p.root.Cert}, SkipLint: true})
	if r.Facts.Mismatch || !r.Facts.Trusted || len(r.Facts.ChainIDs) != 1 {
		t.Errorf("IP host facts %+v", r.Facts)
	}
}

func TestReportJSON(t *testing.T) {
	p := sharedPKI(t)
	leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
	r := analyze(t, testHost, Options{}, leaf.Chain)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Certs  []map[string]any `json:"certs"`
		Chains []map[string]any `json:"certChains"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "subject", "serialNumber", "commonNames", "altNames", "notBefore", "notAfter", "issuerSubject",
		"sigAlg", "revocationInfo", "revocationStatus", "mustStaple", "issues", "sct", "sha1Hash", "sha256Hash", "pinSha256",
		"keyAlg", "keySize", "keyStrength", "keyKnownDebianInsecure", "raw"} {
		if _, ok := m.Certs[0][k]; !ok {
			t.Errorf("cert JSON lacks %q", k)
		}
	}
	for _, k := range []string{"id", "certIds", "trustPaths", "issues", "noSni"} {
		if _, ok := m.Chains[0][k]; !ok {
			t.Errorf("chain JSON lacks %q", k)
		}
	}
}
