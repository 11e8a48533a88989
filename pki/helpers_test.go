//go:debug rsa1024min=0

package pki

import (
	"context"
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"padlock/lab"
	"padlock/registry"
)

// The test binary allows RSA keys under 1024 bits (go:debug above) so that
// a 512-bit leaf, which must earn an F, can be made at all.

// testPKI is a root, an intermediate under it and a second, unrelated root.
type testPKI struct {
	root, inter, other *lab.CA
}

var (
	pkiOnce sync.Once
	pkiVal  testPKI
	pkiErr  error
)

// sharedPKI returns a process-wide test PKI (RSA keys are slow to make).
func sharedPKI(t testing.TB) testPKI {
	t.Helper()
	pkiOnce.Do(func() {
		// Like real CAs, these predate the leaves (some tests issue leaves
		// that expired months ago).
		validity := lab.CAValidity(time.Now().AddDate(-5, 0, 0), time.Now().AddDate(10, 0, 0))
		pkiVal.root, pkiErr = lab.NewCA("padlock pki test root", validity)
		if pkiErr != nil {
			return
		}
		pkiVal.inter, pkiErr = pkiVal.root.Intermediate("padlock pki test intermediate", validity)
		if pkiErr != nil {
			return
		}
		pkiVal.other, pkiErr = lab.NewCA("padlock pki unrelated root")
	})
	if pkiErr != nil {
		t.Fatalf("test PKI: %v", pkiErr)
	}
	return pkiVal
}

const testHost = "www.example.test"

// leafFrom issues a leaf for testHost (unless opts names others) from ca.
func leafFrom(t testing.TB, ca *lab.CA, opts lab.LeafOptions) *lab.Leaf {
	t.Helper()
	if len(opts.DNSNames) == 0 && len(opts.IPs) == 0 {
		opts.DNSNames = []string{testHost}
	}
	l, err := ca.Issue(opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// customLeaf issues a leaf for testHost from ca with a template the caller
// may change (extensions lab does not offer: AIA, OCSP, policies…).
func customLeaf(t testing.TB, ca *lab.CA, key crypto.Signer, edit func(*x509.Certificate)) []byte {
	t.Helper()
	if key == nil {
		k, err := lab.NewKey(lab.KeyP256)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	sn, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 100))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: testHost},
		DNSNames:              []string{testHost},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(90 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if edit != nil {
		edit(tmpl)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// customCA issues an intermediate CA certificate from parent with a
// template the caller may change, and returns it as a lab.CA.
func customCA(t testing.TB, parent *lab.CA, name string, edit func(*x509.Certificate)) *lab.CA {
	t.Helper()
	key, err := lab.NewKey(lab.KeyP256)
	if err != nil {
		t.Fatal(err)
	}
	sn, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 100))
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(5 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	if edit != nil {
		edit(tmpl)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent.Cert, key.Public(), parent.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &lab.CA{Cert: c, Key: key, DER: der}
}

// resignMD5 re-signs an RSA-issued certificate with md5WithRSAEncryption,
// which crypto/x509 refuses to produce: both signature AlgorithmIdentifiers
// are replaced and the TBS is signed again with the issuer's key.
func resignMD5(t testing.TB, der []byte, issuerKey *rsa.PrivateKey) []byte {
	t.Helper()
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		t.Fatal("resignMD5: bad certificate")
	}
	var version, serial, sigAlg cryptobyte.String
	if !tbs.ReadASN1Element(&version, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.ReadASN1Element(&serial, cbasn1.INTEGER) ||
		!tbs.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE) {
		t.Fatal("resignMD5: bad TBS")
	}
	md5Alg := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4})
			b.AddASN1NULL()
		})
	}
	var nb cryptobyte.Builder
	nb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(version)
		b.AddBytes(serial)
		md5Alg(b)
		b.AddBytes(tbs) // the rest of the TBS, unchanged
	})
	newTBS, err := nb.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(newTBS)
	sig, err := rsa.SignPKCS1v15(rand.Reader, issuerKey, crypto.MD5, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	var cb cryptobyte.Builder
	cb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(newTBS)
		md5Alg(b)
		b.AddASN1BitString(sig)
	})
	out, err := cb.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// exponentOneKey is a signer whose public key has the exponent 1: only its
// Public method is used (the CA signs the leaf).
type exponentOneKey struct{ *rsa.PrivateKey }

func (k exponentOneKey) Public() crypto.PublicKey {
	return &rsa.PublicKey{N: k.N, E: 1}
}

// analyze runs Analyze with the test root trusted and no lint (lint is
// slow-ish and tested separately).
func analyze(t testing.TB, host string, opts Options, chains ...[][]byte) *Report {
	t.Helper()
	return analyzeT(t, host, opts, chains...)
}

func analyzeT(t testing.TB, host string, opts Options, chains ...[][]byte) *Report {
	t.Helper()
	if opts.ExtraRoots == nil && opts.Roots == nil {
		opts.ExtraRoots = []*x509.Certificate{sharedPKI(t).root.Cert}
	}
	opts.SkipLint = true
	var in []Chain
	for _, c := range chains {
		in = append(in, Chain{Protocol: registry.TLS12, SNI: host, Certificates: c})
	}
	return Analyze(context.Background(), host, in, opts)
}

func chainOf(ders ...[]byte) [][]byte { return ders }

func localhostIPs() []net.IP { return []net.IP{net.IPv4(127, 0, 0, 1)} }
