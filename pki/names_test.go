package pki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"testing"
)

func TestMatchesHost(t *testing.T) {
	sans := func(names ...string) *x509.Certificate {
		return &x509.Certificate{DNSNames: names, Subject: pkix.Name{CommonName: "cn.example.test"}}
	}
	cnOnly := &x509.Certificate{Subject: pkix.Name{CommonName: "Legacy.Example.Test"}}
	ipCert := &x509.Certificate{
		IPAddresses: []net.IP{net.ParseIP("192.0.2.7"), net.ParseIP("2001:db8::1")},
		DNSNames:    []string{"192.0.2.8"},
		Subject:     pkix.Name{CommonName: "192.0.2.9"},
	}
	idn := sans("xn--bcher-kva.example")

	for _, tc := range []struct {
		cert  *x509.Certificate
		host  string
		match bool
	}{
		{sans("www.example.test"), "www.example.test", true},
		{sans("www.example.test"), "WWW.EXAMPLE.TEST", true},
		{sans("www.example.test"), "www.example.test.", true},
		{sans("WWW.Example.Test."), "www.example.test", true},
		{sans("www.example.test"), "example.test", false},
		{sans("www.example.test"), "wwww.example.test", false},
		{sans("www.example.test"), "", false},
		// The CN only counts without dNSName SANs.
		{sans("www.example.test"), "cn.example.test", false},
		{cnOnly, "legacy.example.test", true},
		{cnOnly, "other.example.test", false},
		// Wildcards: one whole left-most label, exactly one label.
		{sans("*.example.test"), "www.example.test", true},
		{sans("*.example.test"), "a.b.example.test", false},
		{sans("*.example.test"), "example.test", false},
		{sans("*.example.test"), ".example.test", false},
		{sans("*.Example.TEST"), "Mail.example.test.", true},
		{sans("w*.example.test"), "www.example.test", false},
		{sans("*w.example.test"), "www.example.test", false},
		{sans("www.*.test"), "www.example.test", false},
		{sans("*.*.test"), "a.b.test", false},
		{sans("*"), "localhost", false},
		{sans("*.test"), "example.test", false},
		{sans("*.com"), "example.com", false},
		{sans("*.co.uk"), "example.co.uk", false},
		{sans("*.example.co.uk"), "www.example.co.uk", true},
		{sans("*.example.test"), "192.0.2.1", false},
		// IP hosts match iPAddress SANs only.
		{ipCert, "192.0.2.7", true},
		{ipCert, "2001:db8::1", true},
		{ipCert, "[2001:db8::1]", true},
		{ipCert, "2001:DB8:0::1", true},
		{ipCert, "::ffff:192.0.2.7", true},
		{ipCert, "192.0.2.8", false},
		{ipCert, "192.0.2.9", false},
		// Internationalised names compare as A-labels.
		{idn, "bücher.example", true},
		{idn, "xn--bcher-kva.example", true},
		{idn, "bucher.example", false},
	} {
		if got := MatchesHost(tc.cert, tc.host); got != tc.match {
			t.Errorf("MatchesHost(%v / CN %q, %q) = %v, want %v", tc.cert.DNSNames, tc.cert.Subject.CommonName, tc.host, got, tc.match)
		}
	}
}
