package pki

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"padlock/lab"
	"padlock/lab/missing"
	"padlock/registry"
)

// debianMozillaRoots reads Debian's ca-certificates copy of the Mozilla
// store, which still holds the roots Mozilla has since removed.
func debianMozillaRoots(t *testing.T) []*x509.Certificate {
	t.Helper()
	files, _ := filepath.Glob("/usr/share/ca-certificates/mozilla/*.crt")
	var out []*x509.Certificate
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if p, _ := pem.Decode(b); p != nil {
			if c, err := x509.ParseCertificate(p.Bytes); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// TestDistrustedRootsMatchStores checks every key of the distrusted-root
// table against the root certificate of that name: in the embedded Mozilla
// bundle when it still holds it, else in Debian's ca-certificates.
func TestDistrustedRootsMatchStores(t *testing.T) {
	embedded := MozillaRootCerts()
	debian := debianMozillaRoots(t)
	if len(debian) == 0 {
		// Only the roots Mozilla removed need Debian's copy: the embedded
		// ones are still checked below, so this is not a skip.
		if missing.InCI() {
			t.Fatal("Debian's ca-certificates (/usr/share/ca-certificates/mozilla) is missing (CI=true: .ci/run installs it)")
		}
		t.Log("Debian's ca-certificates missing: roots Mozilla removed are not checked")
	}
	inEmbedded := 0
	for _, r := range distrustedRoots {
		find := func(certs []*x509.Certificate) *x509.Certificate {
			for _, c := range certs {
				if c.Subject.String() == r.subject {
					return c
				}
			}
			return nil
		}
		c := find(embedded)
		if c != nil {
			inEmbedded++
		} else if c = find(debian); c == nil {
			if len(debian) > 0 {
				t.Errorf("%s: no root named %q in the embedded bundle or Debian's store", r.ca, r.subject)
			}
			continue
		}
		if got := spkiHash(c); got != r.spki {
			t.Errorf("%s %q: key %s, table says %s", r.ca, r.subject, got, r.spki)
		}
	}
	// HiPKI and NetLock Arany are still in the embedded store.
	if inEmbedded < 2 {
		t.Errorf("only %d distrusted roots found in the embedded bundle, want HiPKI and NetLock Arany", inEmbedded)
	}
}

// namedRoot is a lab root carrying a real CA's name (its key is the lab's:
// the real roots' keys are not available), so that the name rule is tested.
func namedRoot(t *testing.T, name pkix.Name) *lab.CA {
	t.Helper()
	key, err := lab.NewKey(lab.KeyP256)
	if err != nil {
		t.Fatal(err)
	}
	sn, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 100))
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               name,
		NotBefore:             time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &lab.CA{Cert: c, Key: key, DER: der}
}

// TestDatedDistrustLabChains: chains under lab roots named like Chunghwa
// Telecom's HiPKI and Entrust's AffirmTrust roots, with the earliest SCT
// and notBefore on either side of the browsers' cut-offs.
func TestDatedDistrustLabChains(t *testing.T) {
	hipki := namedRoot(t, pkix.Name{CommonName: "HiPKI Root CA - G1", Organization: []string{"Chunghwa Telecom Co., Ltd."}, Country: []string{"TW"}})
	affirm := namedRoot(t, pkix.Name{CommonName: "AffirmTrust Commercial", Organization: []string{"AffirmTrust"}, Country: []string{"US"}})
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	const logID = "7s3QZNXbGs7FXLedtM0TojKHRny87N7DUUhZRnEftZs=" // Google Argon 2025h1
	cases := []struct {
		name      string
		root      *lab.CA
		notBefore time.Time
		sct       time.Time // zero: none
		now       time.Time
		ca        string
		by        []string
		say       string
	}{
		{"Chunghwa after 2025-07-31: Chrome only", hipki, day(2025, 8, 10), day(2025, 8, 10), day(2025, 9, 1),
			registry.CAChunghwa, []string{"Chrome"}, "the Custom root store still trusts it"},
		{"Chunghwa before the cut-off", hipki, day(2025, 7, 1), day(2025, 7, 1), day(2025, 9, 1),
			registry.CAChunghwa, nil, ""},
		{"AffirmTrust between Chrome's and Mozilla's cut-offs", affirm, day(2024, 11, 20), day(2024, 11, 20), day(2025, 1, 5),
			registry.CAEntrust, []string{"Chrome"}, "earliest SCT is after 2024-11-11"},
		{"AffirmTrust after both", affirm, day(2024, 12, 3), day(2024, 12, 3), day(2025, 1, 5),
			registry.CAEntrust, []string{"Chrome", "Mozilla"}, "notBefore is after 2024-11-30"},
		{"AffirmTrust without SCT", affirm, day(2024, 11, 20), time.Time{}, day(2025, 1, 5),
			registry.CAEntrust, []string{"Chrome"}, "no SCT was seen"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			leaf := customLeaf(t, c.root, nil, func(x *x509.Certificate) {
				x.NotBefore, x.NotAfter = c.notBefore, c.notBefore.AddDate(0, 3, 0)
			})
			in := Chain{Protocol: registry.TLS12, SNI: testHost, Certificates: [][]byte{leaf}}
			if !c.sct.IsZero() {
				in.SCTs = [][]byte{sctBytes(t, logID, uint64(c.sct.UnixMilli()))}
			}
			r := Analyze(context.Background(), testHost, []Chain{in}, Options{Now: c.now, SkipLint: true, ExtraRoots: []*x509.Certificate{c.root.Cert}})
			f := r.Facts
			if f.CA != c.ca || !f.CAByName {
				t.Fatalf("CA %q by name %v, want %q by name", f.CA, f.CAByName, c.ca)
			}
			if !slices.Equal(f.DistrustedBy, c.by) || f.Distrusted != (len(c.by) > 0) || f.TrustProblem() != (len(c.by) > 0) {
				t.Fatalf("distrusted by %v (%v), want %v; reasons %q", f.DistrustedBy, f.Distrusted, c.by, f.DistrustReason)
			}
			if !c.sct.IsZero() && f.EarliestSCT != c.sct.UnixMilli() {
				t.Errorf("earliest SCT %d, want %d", f.EarliestSCT, c.sct.UnixMilli())
			}
			if c.say != "" && !strings.Contains(strings.Join(f.DistrustReason, "; "), c.say) {
				t.Errorf("reasons %q do not say %q", f.DistrustReason, c.say)
			}
			if len(c.by) > 0 && !strings.Contains(strings.Join(f.TrustErrors, "; "), c.by[0]+" distrusts") {
				t.Errorf("trust errors %q do not name %s", f.TrustErrors, c.by[0])
			}
		})
	}
}

// TestDistrustedRootByKey: the real HiPKI root (from the embedded bundle),
// sent in a chain whose leaf it did not sign, is recognised by its key;
// the chain is untrusted for that reason, and the CA is named all the same.
func TestDistrustedRootByKey(t *testing.T) {
	var hipki *x509.Certificate
	for _, c := range MozillaRootCerts() {
		if strings.HasPrefix(c.Subject.String(), "CN=HiPKI Root CA - G1,") {
			hipki = c
		}
	}
	if hipki == nil {
		t.Fatal("HiPKI Root CA - G1 is not in the embedded bundle")
	}
	p := sharedPKI(t)
	leaf := customLeaf(t, p.inter, nil, nil)
	in := Chain{Protocol: registry.TLS12, SNI: testHost, Certificates: [][]byte{leaf, hipki.Raw}}
	r := Analyze(context.Background(), testHost, []Chain{in}, Options{SkipLint: true})
	if r.Facts.CA != registry.CAChunghwa || r.Facts.CAByName {
		t.Fatalf("CA %q by name %v", r.Facts.CA, r.Facts.CAByName)
	}
	// Issued now without SCT: Chrome's rule covers it by notBefore. Its
	// distrust is not Mozilla's, so the path error is still given.
	f := r.Facts
	if f.Trusted || !slices.Equal(f.DistrustedBy, []string{"Chrome"}) {
		t.Fatalf("trusted %v distrusted by %v", f.Trusted, f.DistrustedBy)
	}
	if errs := strings.Join(f.TrustErrors, "; "); !strings.Contains(errs, "no path to a trusted root") || !strings.Contains(errs, "Chrome distrusts") {
		t.Fatalf("trust errors %q", errs)
	}
}
