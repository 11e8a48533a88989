package pki

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"iter"
	"runtime/debug"
	"sync"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// rootStoreModule is the module the embedded Mozilla root store comes from.
const rootStoreModule = "golang.org/x/crypto/x509roots/fallback"

// RootStore describes the embedded Mozilla (NSS) root store.
type RootStore struct {
	// Name is the store's name as used in trust paths ("Mozilla").
	Name string `json:"name"`
	// Module and Version identify the Go module the roots were taken from,
	// so that a stored result can say which store judged it. Version comes
	// from the binary's build information ("" where there is none, as in
	// test binaries).
	Module  string `json:"module"`
	Version string `json:"version,omitempty"`
	// Fingerprint is the SHA-256 (hex) of all roots' DER, in store order:
	// it identifies the store's content whatever the build.
	Fingerprint string `json:"fingerprint"`
	// Roots is how many roots the store holds, and Constrained how many of
	// them carry a distrust-after date (certificates issued after it are
	// not trusted through that root).
	Roots       int `json:"roots"`
	Constrained int `json:"constrained"`
}

type mozillaStore struct {
	pool  *x509.CertPool
	certs []*x509.Certificate
	info  RootStore
	err   error
}

var loadMozilla = sync.OnceValue(func() *mozillaStore {
	pool, certs, constrained, err := buildPool(bundle.Roots())
	s := &mozillaStore{pool: pool, certs: certs, err: err}
	s.info = RootStore{Name: StoreMozilla, Module: rootStoreModule, Roots: len(certs), Constrained: constrained}
	h := sha256.New()
	for _, c := range certs {
		h.Write(c.Raw)
	}
	s.info.Fingerprint = hex.EncodeToString(h.Sum(nil))
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == rootStoreModule {
				s.info.Version = m.Version
				if m.Replace != nil {
					s.info.Version = m.Replace.Version
				}
			}
		}
	}
	return s
})

// buildPool makes a certificate pool of roots, attaching each root's
// distrust-after constraint so that crypto/x509 refuses chains through it
// for certificates issued after that date.
func buildPool(roots iter.Seq[bundle.Root]) (*x509.CertPool, []*x509.Certificate, int, error) {
	pool := x509.NewCertPool()
	var certs []*x509.Certificate
	constrained := 0
	for r := range roots {
		c, err := x509.ParseCertificate(r.Certificate)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("pki: parsing an embedded root: %w", err)
		}
		if r.Constraint != nil {
			pool.AddCertWithConstraint(c, r.Constraint)
			constrained++
		} else {
			pool.AddCert(c)
		}
		certs = append(certs, c)
	}
	return pool, certs, constrained, nil
}

// MozillaRoots returns a new pool holding the embedded Mozilla root store
// (with its distrust-after constraints). The host's own trust store is never
// consulted. The caller may add to the pool.
func MozillaRoots() (*x509.CertPool, error) {
	s := loadMozilla()
	if s.err != nil {
		return nil, s.err
	}
	return s.pool.Clone(), nil
}

// MozillaRootCerts returns the certificates of the embedded Mozilla root
// store. The certificates are shared: do not modify them.
func MozillaRootCerts() []*x509.Certificate {
	return append([]*x509.Certificate(nil), loadMozilla().certs...)
}

// MozillaStore describes the embedded root store.
func MozillaStore() RootStore { return loadMozilla().info }

// certID is the SHA-256 of a certificate's DER, in lower-case hex: the id
// SSL Labs gives certificates.
func certID(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}
