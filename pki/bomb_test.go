package pki

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
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
	return append([][]byte{ders[n-1]}, ders[:n-1]...)
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
