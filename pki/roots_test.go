package pki

import (
	"context"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"padlock/lab"
)

// ISRG Root X1 (Let's Encrypt), SHA-256 of the certificate.
const isrgRootX1 = "96bcec06264976f37460779acf28c5a7cfe8a3c0aae11a8ffcee05c0bddf08c6"

func TestMozillaStore(t *testing.T) {
	info := MozillaStore()
	// Test binaries carry no module versions: Version is checked only if set.
	if info.Name != StoreMozilla || info.Roots < 100 || info.Constrained < 1 || info.Module != rootStoreModule ||
		len(info.Fingerprint) != 64 || (info.Version != "" && !strings.HasPrefix(info.Version, "v")) {
		t.Errorf("store %+v", info)
	}
	found := false
	for _, c := range MozillaRootCerts() {
		if certID(c.Raw) == isrgRootX1 {
			found = true
		}
	}
	if !found {
		t.Fatal("ISRG Root X1 is not in the embedded store")
	}

	// A root of the store, presented as the whole chain, anchors a trusted
	// path in the Mozilla store (its validity permitting).
	var isrg *x509.Certificate
	for _, c := range MozillaRootCerts() {
		if certID(c.Raw) == isrgRootX1 {
			isrg = c
		}
	}
	in := []Chain{{Certificates: chainOf(isrg.Raw)}}
	r := Analyze(context.Background(), "", in, Options{SkipLint: true, Now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
	tp := r.Chains[0].TrustPaths
	if len(tp) != 1 || tp[0].Trust[0].RootStore != StoreMozilla || !tp[0].Trust[0].IsTrusted {
		t.Errorf("ISRG Root X1 as a chain: %+v (%s)", tp, r.Chains[0].TrustError)
	}
}

// TestHostTrustStoreIgnored runs the test binary again with the host trust
// store pointed (SSL_CERT_FILE, SSL_CERT_DIR) at a file holding only the
// lab root: a chain to it must stay untrusted (the host store is never
// used), and the embedded store must be intact, also with an empty host
// store.
func TestHostTrustStoreIgnored(t *testing.T) {
	if os.Getenv("PADLOCK_PKI_CHILD") != "" {
		t.Skip("child")
	}
	p := sharedPKI(t)
	dir := t.TempDir()
	rootFile, err := p.root.WriteRootPEM(dir, "root")
	if err != nil {
		t.Fatal(err)
	}
	leaf := leafFrom(t, p.inter, lab.LeafOptions{KeyType: lab.KeyP256})
	leafFile, _, err := leaf.WritePEM(dir, "leaf")
	if err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	emptyDir := t.TempDir()
	for _, certFile := range []string{rootFile, empty} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHostTrustStoreChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "PADLOCK_PKI_CHILD="+leafFile, "SSL_CERT_FILE="+certFile, "SSL_CERT_DIR="+emptyDir)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestHostTrustStoreChild") {
			t.Errorf("child with SSL_CERT_FILE=%s: %v\n%s", filepath.Base(certFile), err, out)
		}
	}
}

func TestHostTrustStoreChild(t *testing.T) {
	leafFile := os.Getenv("PADLOCK_PKI_CHILD")
	if leafFile == "" {
		t.Skip("run by TestHostTrustStoreIgnored")
	}
	b, err := os.ReadFile(leafFile)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := ParseIssuerCerts(b)
	if err != nil {
		t.Fatal(err)
	}
	var chain [][]byte
	for _, c := range certs {
		chain = append(chain, c.Raw)
	}
	// The host store really is the lab root (or empty) in this process…
	sys, err := x509.SystemCertPool()
	if err == nil && strings.HasSuffix(os.Getenv("SSL_CERT_FILE"), "root.pem") {
		if _, err := certs[0].Verify(x509.VerifyOptions{Roots: sys, Intermediates: poolOf(certs[1:])}); err != nil {
			t.Fatalf("the host store should trust the lab root here: %v", err)
		}
	}
	// …and padlock pays no attention to it.
	r := Analyze(context.Background(), testHost, []Chain{{SNI: testHost, Certificates: chain}}, Options{SkipLint: true})
	if r.Facts.Trusted {
		t.Error("a chain to a root only the host store holds is trusted")
	}
	if info := MozillaStore(); info.Roots < 100 {
		t.Errorf("embedded store has %d roots", info.Roots)
	}
}

func poolOf(certs []*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}
