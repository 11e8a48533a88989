package assess

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"padlock/grade"
	"padlock/pki"
	"padlock/registry"
)

// Stored facts re-grade to the same answer after a JSON round trip, and a
// fact learned later (another endpoint of the fleet shares the key and
// speaks SSLv2) changes the grade through Regrade.
func TestRegradeFromStoredFacts(t *testing.T) {
	f := grade.Facts{
		Host:      "example.org",
		Protocols: []registry.Protocol{registry.TLS12, registry.TLS13},
		Suites: []grade.ProtocolSuites{
			{Protocol: registry.TLS12, Suites: []uint16{0xc02f}, ServerPreference: true},
			{Protocol: registry.TLS13, Suites: []uint16{0x1301}},
		},
		LeafKey:     &grade.KeyFacts{Alg: grade.KeyRSA, Bits: 2048, Exponent: 65537},
		ECDHEGroups: []uint16{0x001d},
	}
	h := &Host{Endpoints: []Endpoint{{IPAddress: "192.0.2.1", StatusMessage: MsgReady}}}
	ep := &h.Endpoints[0]
	ep.PadlockFacts = &f
	setGrade(ep, grade.Evaluate(f))
	before := ep.Grade

	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var back Host
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	Regrade(&back, nil)
	if got := back.Endpoints[0].Grade; got != before {
		t.Fatalf("regraded %q, was %q", got, before)
	}

	Regrade(&back, func(_ *Endpoint, f *grade.Facts) {
		f.DROWN = &grade.DROWNFacts{Hosts: []string{"mail.example.org:443"}}
	})
	if got := back.Endpoints[0].Grade; got != "F" {
		t.Errorf("with a DROWN-vulnerable twin the grade is %q, want F", got)
	}
	if back.PadlockSite.Grade != "F" {
		t.Errorf("site %+v", back.PadlockSite)
	}
}

// A stored result whose CA browsers distrust from a later date carries the
// future grade, and re-grading it after that date gives it as the grade:
// the dated rules are applied from the stored facts, not from the scan.
func TestRegradeAtADate(t *testing.T) {
	at := time.Date(2018, 5, 1, 0, 0, 0, 0, time.UTC)
	f := grade.Facts{
		Host:      "example.org",
		Protocols: []registry.Protocol{registry.TLS12},
		Suites:    []grade.ProtocolSuites{{Protocol: registry.TLS12, Suites: []uint16{0xc02f}, ServerPreference: true}},
		LeafKey:   &grade.KeyFacts{Alg: grade.KeyRSA, Bits: 2048, Exponent: 65537},
		Cert: &grade.CertFacts{
			Subject: "CN=example.org", CA: registry.CASymantec,
			NotBefore: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
			SigHash: grade.HashSHA256, Distrusted: grade.Check{State: grade.NotVulnerable},
		},
		ECDHEGroups: []uint16{0x001d},
		Now:         at,
	}
	h := &Host{Endpoints: []Endpoint{{IPAddress: "192.0.2.1", StatusMessage: MsgReady}}}
	ep := &h.Endpoints[0]
	ep.PadlockFacts = &f
	setGrade(ep, grade.Evaluate(f))
	if ep.Grade == "T" || ep.FutureGrade != "T" {
		t.Fatalf("grade %s future %s", ep.Grade, ep.FutureGrade)
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var back Host
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	Regrade(&back, func(_ *Endpoint, f *grade.Facts) { f.Now = time.Date(2018, 11, 1, 0, 0, 0, 0, time.UTC) })
	if got := back.Endpoints[0]; got.Grade != "T" || got.FutureGrade != "" {
		t.Fatalf("re-graded after Chrome 70: grade %s future %s", got.Grade, got.FutureGrade)
	}
}

// A result stored before the CA was recorded (its facts name none) gains
// the dated distrusts when re-graded with RecordCA, from its stored
// certificates and SCTs: a lab root named like Chunghwa Telecom's HiPKI
// (the real key is not available), a leaf whose SCT is after 2025-07-31.
func TestRegradeRecordsCA(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "HiPKI Root CA - G1", Organization: []string{"Chunghwa Telecom Co., Ltd."}, Country: []string{"TW"}},
		NotBefore:    time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2037, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	issued := time.Date(2025, 8, 10, 0, 0, 0, 0, time.UTC)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "www.example.tw"}, DNSNames: []string{"www.example.tw"},
		NotBefore: issued, NotAfter: issued.AddDate(0, 3, 0), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, root, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	var sct cryptobyte.Builder // an RFC 6962 SCT with a dummy signature
	sct.AddUint8(0)
	sct.AddBytes(make([]byte, 32))
	sct.AddUint64(uint64(issued.UnixMilli()))
	sct.AddUint16LengthPrefixed(func(*cryptobyte.Builder) {})
	sct.AddUint8(4)
	sct.AddUint8(3)
	sct.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}) })
	now := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	r := pki.Analyze(context.Background(), "www.example.tw", []pki.Chain{{Protocol: registry.TLS12, SNI: "www.example.tw",
		Certificates: [][]byte{leafDER}, SCTs: [][]byte{sct.BytesOrPanic()}}}, pki.Options{Now: now, SkipLint: true, ExtraRoots: []*x509.Certificate{root}})
	cf, kf := certFacts(r)
	if cf == nil || cf.CA != registry.CAChunghwa {
		t.Fatalf("certificate facts %+v", cf)
	}
	cf.CA, cf.CAByName, cf.EarliestSCT = "", false, time.Time{} // as stored before they were recorded
	f := grade.Facts{
		Host: "www.example.tw", Protocols: []registry.Protocol{registry.TLS12},
		Suites:  []grade.ProtocolSuites{{Protocol: registry.TLS12, Suites: []uint16{0xc02f}, ServerPreference: true}},
		LeafKey: kf, ECDHEGroups: []uint16{0x001d}, Cert: cf, Now: now,
	}
	h := &Host{}
	for _, c := range r.Certs {
		h.Certs = append(h.Certs, *c)
	}
	ep := Endpoint{IPAddress: "192.0.2.1", StatusMessage: MsgReady, Details: &EndpointDetails{}, PadlockFacts: &f}
	for _, c := range r.Chains {
		ep.Details.CertChains = append(ep.Details.CertChains, *c)
	}
	h.Endpoints = []Endpoint{ep}
	Regrade(h, nil)
	if g := h.Endpoints[0].Grade; g == "T" {
		t.Fatalf("without the CA recorded the old result is %s", g)
	}
	Regrade(h, func(ep *Endpoint, f *grade.Facts) { RecordCA(h, ep, f) })
	got := h.Endpoints[0]
	if got.Grade != "T" {
		t.Fatalf("re-graded with the CA recorded: %s", got.Grade)
	}
	for _, fd := range got.PadlockGrade.Findings {
		if fd.Rule == grade.RuleA7 && (len(fd.Evidence.Browsers) != 1 || fd.Evidence.Browsers[0] != "Chrome" || !strings.Contains(fd.Evidence.Text, "this certificate's is 2025-08-10")) {
			t.Errorf("A7 %+v", fd.Evidence)
		}
	}
}
