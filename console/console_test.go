package console

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"padlock/assess"
	"padlock/grade"
	"padlock/pki"
	"padlock/registry"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func ms(t time.Time) int64 { return t.UnixMilli() }

func bp(b bool) *bool { return &b }

// testTime is when the hand-built assessment ended.
var testTime = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// sampleHost is a hand-built Host with a bit of everything: a dated but
// working endpoint, an unreachable one and one that speaks no TLS.
func sampleHost() *assess.Host {
	leaf := assess.Cert{
		ID: strings.Repeat("a1", 32), Subject: "CN=www.example.com,O=Example Corp,C=US", Source: pki.SourceSent,
		CommonNames: []string{"www.example.com"}, AltNames: []string{"www.example.com", "example.com"},
		NotBefore: ms(testTime.AddDate(0, -3, 0)), NotAfter: ms(testTime.Add(45*24*time.Hour + time.Hour)),
		IssuerSubject: "CN=Example Issuing CA 1,O=Example Corp,C=US", SigAlg: "SHA256withRSA", SigHash: "SHA256",
		KeyAlg: "RSA", KeySize: 2048, KeyStrength: 2048, RSAExponent: 65537, SHA256Hash: strings.Repeat("a1", 32),
		PolicyType: "DV", EmbeddedSCTs: []pki.SCT{{Source: pki.SCTFromCertificate}, {Source: pki.SCTFromCertificate}},
		Lint: &pki.Lint{Warnings: 1, Notices: 2, Findings: []pki.LintFinding{
			{Name: "w_ext_subject_key_identifier_missing_sub_cert", Status: "warn", Description: "Sub certificates SHOULD include Subject Key Identifier in end entity certs"},
			{Name: "n_subject_common_name_included", Status: "notice"},
		}},
	}
	inter := assess.Cert{
		ID: strings.Repeat("b2", 32), Subject: "CN=Example Issuing CA 1,O=Example Corp,C=US", Source: pki.SourceSent,
		CommonNames: []string{"Example Issuing CA 1"}, IsCA: true,
		NotBefore: ms(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)), NotAfter: ms(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)),
		IssuerSubject: "CN=Example Root CA,O=Example Corp,C=US", SigAlg: "SHA384withECDSA", SigHash: "SHA384",
		KeyAlg: "EC", KeySize: 384, KeyStrength: 7680, KeyCurve: "P-384", SHA256Hash: strings.Repeat("b2", 32),
		Lint: &pki.Lint{Errors: 1, Findings: []pki.LintFinding{
			{Name: "e_sub_ca_crl_distribution_points_missing", Status: "error", Description: "Subordinate CA Certificate: cRLDistributionPoints MUST be present"},
		}},
	}
	root := assess.Cert{
		ID: strings.Repeat("b0", 32), Subject: "CN=Example Root CA,O=Example Corp,C=US", Source: pki.SourceRoot,
		NotBefore: ms(time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)), NotAfter: ms(time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)),
		IssuerSubject: "CN=Example Root CA,O=Example Corp,C=US", SigAlg: "SHA1withRSA", SigHash: "SHA1", SelfSigned: true, IsCA: true,
		KeyAlg: "RSA", KeySize: 4096, KeyStrength: 4096, RSAExponent: 65537, SHA256Hash: strings.Repeat("b0", 32),
	}
	ecLeaf := assess.Cert{
		ID: strings.Repeat("a7", 32), Subject: "CN=www.example.com", Source: pki.SourceSent,
		CommonNames: []string{"www.example.com"}, AltNames: []string{"www.example.com"},
		NotBefore: ms(testTime.AddDate(0, -1, 0)), NotAfter: ms(testTime.Add(20 * 24 * time.Hour)),
		IssuerSubject: "CN=Example ECC CA 2,O=Example Corp,C=US", SigAlg: "SHA256withECDSA", SigHash: "SHA256",
		KeyAlg: "EC", KeySize: 256, KeyStrength: 3072, KeyCurve: "P-256", SHA256Hash: strings.Repeat("a7", 32),
		MustStaple: true, Lint: &pki.Lint{},
	}
	ecInter := assess.Cert{
		ID: strings.Repeat("b8", 32), Subject: "CN=Example ECC CA 2,O=Example Corp,C=US", Source: pki.SourceAIA,
		NotBefore: ms(time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)), NotAfter: ms(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)),
		IssuerSubject: "CN=Example Root CA,O=Example Corp,C=US", SigAlg: "SHA384withRSA", SigHash: "SHA384", IsCA: true,
		KeyAlg: "EC", KeySize: 384, KeyStrength: 7680, KeyCurve: "P-384", SHA256Hash: strings.Repeat("b8", 32), Lint: &pki.Lint{},
	}
	old := assess.Cert{
		ID: strings.Repeat("c3", 32), Subject: "CN=localhost.localdomain", Source: pki.SourceSent,
		CommonNames: []string{"localhost.localdomain"},
		NotBefore:   ms(time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC)), NotAfter: ms(time.Date(2016, 6, 1, 0, 0, 0, 0, time.UTC)),
		IssuerSubject: "CN=localhost.localdomain", SigAlg: "SHA1withRSA", SigHash: "SHA1", SelfSigned: true,
		KeyAlg: "RSA", KeySize: 1024, KeyStrength: 1024, RSAExponent: 3, SHA256Hash: strings.Repeat("c3", 32),
		Issues:     pki.CertNoChainOfTrust | pki.CertExpired | pki.CertHostnameMismatch | pki.CertSelfSigned,
		IssueNames: []string{"no chain of trust", "expired", "hostname mismatch", "self-signed"},
		Lint:       &pki.Lint{Errors: 3, Warnings: 2},
	}
	broken := assess.Cert{ID: strings.Repeat("d4", 32), SHA256Hash: strings.Repeat("d4", 32), Source: pki.SourceSent,
		ParseError: "x509: malformed certificate"}

	good := pki.Staple{RevocationStatus: pki.RevocationNotRevoked, Status: "good", Fresh: true, SerialMatches: true, SignatureValid: true, Responder: "issuer"}
	chains := []assess.CertChain{
		{
			ID: strings.Repeat("e5", 32), CertIDs: []string{leaf.ID, inter.ID}, Protocol: 772, SNI: "www.example.com",
			TrustPaths: []pki.TrustPath{{CertIDs: []string{leaf.ID, inter.ID, root.ID}, Trust: []pki.Trust{{RootStore: pki.StoreMozilla, IsTrusted: true}}}},
			NameMatch:  true, Trusted: true, OCSP: &good, HasSCT: 5,
			SCTs: []pki.SCT{
				{Source: pki.SCTFromCertificate, LogName: "Google 'Argon2026h1'", Timestamp: ms(testTime.AddDate(0, -3, 0))},
				{Source: pki.SCTFromCertificate, LogName: "Let's Encrypt 'Oak2026h1'", Timestamp: ms(testTime.AddDate(0, -3, 0))},
				{Source: pki.SCTFromTLS, LogID: "aGVsbG8=", Error: "truncated signature"},
			},
			Facts: pki.Facts{Trusted: true, DaysLeft: 45},
		},
		{
			ID: strings.Repeat("e9", 32), CertIDs: []string{ecLeaf.ID}, Protocol: 771, SNI: "www.example.com",
			TrustPaths: []pki.TrustPath{{CertIDs: []string{ecLeaf.ID, ecInter.ID, root.ID}, Trust: []pki.Trust{{RootStore: pki.StoreMozilla, IsTrusted: true}}}},
			Issues:     pki.ChainIncomplete, IssueNames: []string{"incomplete chain"},
			NameMatch: true, Trusted: true, AIAFetched: []string{ecInter.ID},
			OCSP:  &pki.Staple{RevocationStatus: pki.RevocationCheckError, ErrorMessage: "the response is stale (nextUpdate 2026-03-01)"},
			Facts: pki.Facts{Trusted: true, IncompleteChain: true, DaysLeft: 20},
		},
		{
			ID: strings.Repeat("f6", 32), CertIDs: []string{old.ID, broken.ID}, NoSNI: true, Protocol: 771,
			TrustPaths: []pki.TrustPath{{CertIDs: []string{old.ID}, Trust: []pki.Trust{{RootStore: pki.StoreMozilla, TrustErrorMessage: "x509: certificate has expired or is not yet valid"}}}},
			Issues:     pki.ChainUnrelatedOrDuplicate, IssueNames: []string{"unrelated or duplicate certificates"},
			TrustError: "x509: certificate has expired or is not yet valid",
			AIAErrors:  []string{"http://ca.example/old.cer: HTTP 404 Not Found"},
			Facts: pki.Facts{Mismatch: true, Expired: true, SelfSigned: true, DaysLeft: -3574,
				TrustErrors: []string{"the certificate expired on 2016-06-01", "the certificate is self-signed"}},
		},
	}
	store := pki.RootStore{Name: pki.StoreMozilla, Module: "golang.org/x/crypto/x509roots/fallback", Roots: 146}

	ready := assess.Endpoint{
		IPAddress: "192.0.2.10", StatusMessage: "Ready", Progress: 100, Duration: 83_400,
		Details: &assess.EndpointDetails{
			HostStartTime: ms(testTime.Add(-2 * time.Minute)),
			Protocols:     []assess.Protocol{{ID: 768, Name: "SSL", Version: "3.0"}, {ID: 769, Name: "TLS", Version: "1.0"}, {ID: 771, Name: "TLS", Version: "1.2"}, {ID: 772, Name: "TLS", Version: "1.3"}},
			PadlockProtocolTests: []assess.ProtocolTest{
				{Protocol: 512},
				{Protocol: 768, Supported: true},
				{Protocol: 769, Supported: true},
				{Protocol: 770, Inconclusive: "timed out waiting for the server"},
				{Protocol: 771, Supported: true},
				{Protocol: 772, Supported: true},
			},
			Suites: []assess.ProtocolSuites{
				{Protocol: 768, Preference: bp(true), List: []assess.Suite{
					{ID: 0x0005, Name: "TLS_RSA_WITH_RC4_128_SHA", CipherStrength: 128, KxType: "RSA", KxStrength: 2048},
					{ID: 0x000A, Name: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", CipherStrength: 112, KxType: "RSA", KxStrength: 2048},
				}},
				{Protocol: 769, Preference: bp(true), List: []assess.Suite{
					{ID: 0xC013, Name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", CipherStrength: 128, KxType: "ECDH", KxStrength: 3072, NamedGroupBits: 256, NamedGroupID: 23, NamedGroupName: "secp256r1"},
					{ID: 0x0033, Name: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", CipherStrength: 128, KxType: "DH", KxStrength: 1024, DHP: 128, DHG: 1, DHYs: 128, PadlockDHGroup: "RFC 2409 Oakley group 2 (1024-bit MODP)"},
					{ID: 0x0003, Name: "TLS_RSA_EXPORT_WITH_RC4_40_MD5", CipherStrength: 40, KxType: "RSA", KxStrength: 512},
				}},
				{Protocol: 771, Preference: bp(true), List: []assess.Suite{
					{ID: 0xC02F, Name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", CipherStrength: 128, KxType: "ECDH", KxStrength: 3072, NamedGroupBits: 255, NamedGroupID: 29, NamedGroupName: "x25519"},
					{ID: 0xCCA8, Name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", CipherStrength: 256, KxType: "ECDH", KxStrength: 3072, NamedGroupBits: 255, NamedGroupID: 29, NamedGroupName: "x25519"},
					{ID: 0x009E, Name: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", CipherStrength: 128, KxType: "DH", KxStrength: 2048, DHP: 256, DHG: 1, DHYs: 256, PadlockDHGroup: "RFC 7919 ffdhe2048"},
					{ID: 0x009C, Name: "TLS_RSA_WITH_AES_128_GCM_SHA256", CipherStrength: 128, KxType: "RSA", KxStrength: 2048},
				}},
				{Protocol: 772, Preference: bp(false), PadlockInconclusive: "enumeration stopped after 2 suites: timed out waiting for the server", List: []assess.Suite{
					{ID: 0x1301, Name: "TLS_AES_128_GCM_SHA256", CipherStrength: 128, KxType: "ECDH", KxStrength: 3072, NamedGroupBits: 255, NamedGroupID: 29, NamedGroupName: "x25519"},
					{ID: 0x1303, Name: "TLS_CHACHA20_POLY1305_SHA256", CipherStrength: 256, KxType: "ECDH", KxStrength: 3072, NamedGroupBits: 255, NamedGroupID: 29, NamedGroupName: "x25519"},
				}},
			},
			NamedGroups: &assess.NamedGroups{Preference: bp(true), List: []assess.NamedGroup{
				{ID: 0x11EC, Name: "X25519MLKEM768", Bits: 255, NamedGroupType: "HYBRID", PadlockProtocols: []int{772}},
				{ID: 29, Name: "x25519", Bits: 255, NamedGroupType: "EC", PadlockProtocols: []int{771, 772}},
				{ID: 23, Name: "secp256r1", Bits: 256, NamedGroupType: "EC", PadlockProtocols: []int{772}},
				{ID: 19, Name: "secp192r1", Bits: 192, NamedGroupType: "EC", PadlockProtocols: []int{771}},
				{ID: 22, Name: "secp256k1", Bits: 256, NamedGroupType: "EC", PadlockProtocols: []int{771}},
			}},
			PadlockGroupsVia:         772,
			RenegSupport:             2,
			SessionTickets:           1,
			CompressionMethods:       1,
			SupportsALPN:             true,
			ALPNProtocols:            "h2",
			Heartbeat:                true,
			PadlockExtensionsVia:     771,
			PadlockExtensions:        []uint16{0xff01, 23, 35, 16, 15, 0xabcd},
			ProtocolIntolerance:      16,
			PadlockIntolerance:       []assess.Intolerance{{Version: 0x0398, Label: "TLS 1.152", Reason: "server sent alert protocol_version"}},
			CertChains:               chains,
			PadlockRootStore:         &store,
			OCSPStapling:             true,
			StaplingRevocationStatus: pki.RevocationNotRevoked,
			HasSCT:                   5,
			PadlockConnections:       187,
			PadlockErrors:            []string{"TLS 1.3 certificate handshake: remote error: tls: handshake failure"},
		},
	}
	unreachable := assess.Endpoint{
		IPAddress: "2001:db8::10", StatusMessage: "Unable to connect to the server", Progress: 100, Duration: 20_000,
		PadlockFailure: assess.FailUnreachable,
		Details: &assess.EndpointDetails{
			PadlockConnections: 12,
			PadlockErrors:      []string{"endpoint unreachable: connecting: timed out waiting for the server"},
		},
	}
	var none []assess.ProtocolTest
	for _, id := range []int{512, 768, 769, 770, 771, 772} {
		none = append(none, assess.ProtocolTest{Protocol: id})
	}
	noTLS := assess.Endpoint{
		IPAddress: "192.0.2.11", StatusMessage: "No secure protocols supported", Progress: 100, Duration: 450,
		PadlockFailure: assess.FailNoTLS,
		Details:        &assess.EndpointDetails{PadlockConnections: 6, PadlockProtocolTests: none},
	}
	// The grade of the first endpoint, as the grading package judges TLS
	// 1.0-1.2 with a 2048-bit RSA key and no TLS 1.3.
	g := grade.Evaluate(grade.Facts{
		Protocols: []registry.Protocol{registry.TLS10, registry.TLS12},
		Suites: []grade.ProtocolSuites{
			{Protocol: registry.TLS10, Suites: []uint16{0xc013}, ServerPreference: true},
			{Protocol: registry.TLS12, Suites: []uint16{0xc02f, 0xc013}, ServerPreference: true},
		},
		LeafKey:     &grade.KeyFacts{Alg: grade.KeyRSA, Bits: 2048, Exponent: 65537},
		ECDHEGroups: []uint16{0x001d},
		Now:         testTime,
	})
	ready.Grade, ready.GradeTrustIgnored, ready.PadlockGrade = g.Grade, g.GradeTrustIgnored, &g
	return &assess.Host{
		Host: "www.example.com", Port: 443, Protocol: "http", Status: "READY",
		StartTime: ms(testTime.Add(-2 * time.Minute)), TestTime: ms(testTime),
		EngineVersion: "padlock-dev", CriteriaVersion: "padlock-2009r", PadlockSchema: assess.Schema,
		PadlockSNI: "www.example.com",
		Endpoints:  []assess.Endpoint{ready, unreachable, noTLS},
		Certs:      []assess.Cert{leaf, inter, root, ecLeaf, ecInter, old, broken},
	}
}

func dnsFailure() *assess.Host {
	return &assess.Host{
		Host: "nx.example", Port: 8443, Protocol: "http", Status: "ERROR", StatusMessage: "Unable to resolve domain name",
		StartTime: ms(testTime), TestTime: ms(testTime.Add(35 * time.Millisecond)),
		EngineVersion: "padlock-dev", CriteriaVersion: "padlock-2009r", PadlockSchema: assess.Schema,
		PadlockSNI: "nx.example", Endpoints: []assess.Endpoint{}, Certs: []assess.Cert{},
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		file string
		host *assess.Host
		opts Options
	}{
		{"host.golden", sampleHost(), Options{}},
		{"host_verbose.golden", sampleHost(), Options{Verbose: true}},
		{"host_color.golden", sampleHost(), Options{Color: true}},
		{"dns_error.golden", dnsFailure(), Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.host, tt.opts); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./console -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("output differs from %s (go test ./console -update rewrites it):\n%s", path, firstDiff(string(want), buf.String()))
			}
		})
	}
}

// firstDiff shows the first line that differs.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + w + "\n got:  " + g
		}
	}
	return "(no line differs)"
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestColorOnlyWhenAsked checks that plain output has no escape codes and
// that the coloured output is the plain output plus escape codes.
func TestColorOnlyWhenAsked(t *testing.T) {
	var plainOut, colorOut bytes.Buffer
	if err := Write(&plainOut, sampleHost(), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Write(&colorOut, sampleHost(), Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plainOut.String(), "\x1b") {
		t.Errorf("plain output has escape codes")
	}
	if !strings.Contains(colorOut.String(), "\x1b[") {
		t.Errorf("colour output has no escape codes")
	}
	if stripped := ansi.ReplaceAllString(colorOut.String(), ""); stripped != plainOut.String() {
		t.Errorf("colour output is not the plain output plus colour:\n%s", firstDiff(plainOut.String(), stripped))
	}
}

func TestWriteNeverFailsOnSparseHosts(t *testing.T) {
	hosts := []*assess.Host{
		nil,
		{},
		{Endpoints: []assess.Endpoint{{}}},
		{Endpoints: []assess.Endpoint{{Details: &assess.EndpointDetails{}}}},
		{Endpoints: []assess.Endpoint{{Details: &assess.EndpointDetails{
			Protocols:   []assess.Protocol{{ID: 771}},
			Suites:      []assess.ProtocolSuites{{Protocol: 771, List: []assess.Suite{{ID: 0xFFFF0}, {ID: 0x9999}}}},
			NamedGroups: &assess.NamedGroups{List: []assess.NamedGroup{{ID: 0x7777}}},
			CertChains:  []assess.CertChain{{CertIDs: []string{"missing"}}},
		}}}},
	}
	for i, h := range hosts {
		var buf bytes.Buffer
		if err := Write(&buf, h, Options{Color: true, Verbose: true}); err != nil {
			t.Errorf("host %d: %v", i, err)
		}
		if buf.Len() == 0 {
			t.Errorf("host %d: no output", i)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteReportsWriterErrors(t *testing.T) {
	if err := Write(failingWriter{}, sampleHost(), Options{}); err == nil {
		t.Errorf("Write to a failing writer returned nil")
	}
}
