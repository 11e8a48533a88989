package pki

import (
	"crypto/x509"
	"testing"
)

// TestNoOCSPURL: a leaf that names no OCSP responder has nothing to staple.
func TestNoOCSPURL(t *testing.T) {
	p := sharedPKI(t)
	without := customLeaf(t, p.inter, nil, nil)
	with := customLeaf(t, p.inter, nil, func(c *x509.Certificate) { c.OCSPServer = []string{"http://ocsp.example.test"} })
	if r := analyze(t, testHost, Options{}, chainOf(without, p.inter.DER)); !r.Facts.NoOCSPURL {
		t.Error("a leaf without an OCSP URL: NoOCSPURL not set")
	}
	if r := analyze(t, testHost, Options{}, chainOf(with, p.inter.DER)); r.Facts.NoOCSPURL {
		t.Error("a leaf with an OCSP URL: NoOCSPURL set")
	}
}
