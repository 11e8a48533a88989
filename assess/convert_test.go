package assess

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"padlock/pki"
	"padlock/probe"
	"padlock/registry"
)

// fakePrime stands in for a DH prime of the given size: only its length
// matters here.
func fakePrime(bits int) []byte {
	p := make([]byte, bits/8)
	p[0] = 0xff
	p[len(p)-1] = 0x01
	return p
}

// richResult is a hand-built probe result exercising most conventions.
func richResult(t *testing.T) (*probe.Result, testCert, testCert) {
	t.Helper()
	leaf := makeCert(t, "example.com", true)
	other := makeCert(t, "default.example", false)
	dh := &probe.DHGroup{Bits: 1024, Prime: append([]byte{0}, fakePrime(1024)...), Generator: []byte{2}, PublicLen: 128, KnownName: "RFC 2409 Oakley group 2 (1024-bit MODP)"}
	res := &probe.Result{
		Endpoint:    probe.Endpoint{Host: "example.com", IP: netip.MustParseAddr("192.0.2.1"), Port: 443, SNI: "example.com"},
		Started:     time.UnixMilli(1_700_000_000_000),
		Duration:    1500 * time.Millisecond,
		Connections: 42,
		Protocols: []probe.ProtocolSupport{
			{Protocol: registry.SSLv2, Supported: true},
			{Protocol: registry.SSLv3},
			{Protocol: registry.TLS10, Negotiated: registry.TLS12},
			{Protocol: registry.TLS11, Inconclusive: "timed out waiting for the server"},
			{Protocol: registry.TLS12, Supported: true},
			{Protocol: registry.TLS13, Supported: true},
		},
		Suites: []probe.ProtocolSuites{
			{Protocol: registry.SSLv2, Suites: []probe.AcceptedSuite{{ID: 0x0700C0}, {ID: 0x010080}}},
			{Protocol: registry.TLS12, ServerPreference: true, PreferenceKnown: true, Suites: []probe.AcceptedSuite{
				{ID: 0xC030, Group: 0x0017}, // ECDHE-RSA-AES256-GCM-SHA384 on P-256
				{ID: 0x009F, DH: dh},        // DHE-RSA-AES256-GCM-SHA384
				{ID: 0x0035},                // AES256-SHA (RSA kx)
				{ID: 0x0005},                // RC4-SHA
				{ID: 0x0003, RSAExportBits: 512},
			}},
			{Protocol: registry.TLS13, PreferenceKnown: true, ServerPreference: false, Suites: []probe.AcceptedSuite{
				{ID: 0x1302, Group: 0x001d},
				{ID: 0x1301, Group: 0x0100},
			}, Inconclusive: "enumeration stopped after 2 suites: timed out"},
		},
		Groups: probe.GroupSupport{Via: registry.TLS13, Groups: []uint16{0x001d, 0x0017, 0x0100, 0x11ec, 0x0201, 0x0016}, ServerPreference: true, PreferenceKnown: true,
			Seen: []probe.GroupSeen{{Group: 0x001d, Protocols: []registry.Protocol{registry.TLS12, registry.TLS13}}, {Group: 0x0016, Protocols: []registry.Protocol{registry.TLS12}}}},
		Extensions: probe.Extensions{
			Protocol: registry.TLS12, SecureRenegotiation: true, Compression: 1, SessionTicket: true,
			ALPN: "h2", Heartbeat: true, HeartbeatMode: 1, Seen: []uint16{0xff01, 35, 16, 15},
		},
		Intolerance: []probe.Intolerance{
			{Version: 0x0398, Label: "TLS 1.152", Reason: "server sent alert protocol_version"},
			{Version: 0x0498, Label: "TLS 2.152", Reason: "connection closed by server"},
		},
		Chains: []probe.Chain{
			{Protocol: registry.TLS13, SNI: "example.com", Certificates: [][]byte{leaf.der}, SCTs: [][]byte{{1, 2, 3}}},
			{Protocol: registry.TLS12, SNI: "", Certificates: [][]byte{other.der}},
			{Protocol: registry.SSLv2, SNI: "", Certificates: [][]byte{leaf.der}, OCSPResponse: []byte{9, 9}},
		},
		Errors: []string{"TLS 1.2 cipher suite preference: timed out"},
	}
	return res, leaf, other
}

func TestFromProbeConventions(t *testing.T) {
	res, leaf, other := richResult(t)
	ep := FromProbe(res, nil)
	if ep.StatusMessage != "Ready" || ep.PadlockFailure != "" || ep.Progress != 100 {
		t.Fatalf("status = %q %q %d", ep.StatusMessage, ep.PadlockFailure, ep.Progress)
	}
	if ep.IPAddress != "192.0.2.1" || ep.Duration != 1500 {
		t.Errorf("ip %q duration %d", ep.IPAddress, ep.Duration)
	}
	d := ep.Details
	if d.HostStartTime != 1_700_000_000_000 || d.PadlockConnections != 42 {
		t.Errorf("hostStartTime %d connections %d", d.HostStartTime, d.PadlockConnections)
	}

	// Protocols: supported only, SSL Labs ids (512 for SSL 2.0).
	wantProtos := []Protocol{{512, "SSL", "2.0"}, {771, "TLS", "1.2"}, {772, "TLS", "1.3"}}
	if !slices.Equal(d.Protocols, wantProtos) {
		t.Errorf("protocols = %+v, want %+v", d.Protocols, wantProtos)
	}
	wantTests := []ProtocolTest{
		{Protocol: 512, Supported: true},
		{Protocol: 768},
		{Protocol: 769, Negotiated: 771},
		{Protocol: 770, Inconclusive: "timed out waiting for the server"},
		{Protocol: 771, Supported: true},
		{Protocol: 772, Supported: true},
	}
	if !slices.Equal(d.PadlockProtocolTests, wantTests) {
		t.Errorf("protocol tests = %+v", d.PadlockProtocolTests)
	}

	// Suites: one entry per protocol, order kept.
	if len(d.Suites) != 3 {
		t.Fatalf("%d suite lists", len(d.Suites))
	}
	var ids [][]uint32
	for _, ps := range d.Suites {
		var l []uint32
		for _, s := range ps.List {
			l = append(l, s.ID)
		}
		ids = append(ids, l)
	}
	wantIDs := [][]uint32{{0x0700C0, 0x010080}, {0xC030, 0x009F, 0x0035, 0x0005, 0x0003}, {0x1302, 0x1301}}
	if fmt.Sprint(ids) != fmt.Sprint(wantIDs) {
		t.Errorf("suite order = %x, want %x", ids, wantIDs)
	}
	sslv2, tls12, tls13 := d.Suites[0], d.Suites[1], d.Suites[2]
	if sslv2.Protocol != 512 || tls12.Protocol != 771 || tls13.Protocol != 772 {
		t.Errorf("suite protocols %d %d %d", sslv2.Protocol, tls12.Protocol, tls13.Protocol)
	}
	if sslv2.Preference != nil {
		t.Errorf("SSLv2 preference should be unknown (absent)")
	}
	if tls12.Preference == nil || !*tls12.Preference || tls13.Preference == nil || *tls13.Preference {
		t.Errorf("preferences: TLS 1.2 %v, TLS 1.3 %v", tls12.Preference, tls13.Preference)
	}
	if tls13.PadlockInconclusive == "" {
		t.Errorf("TLS 1.3 inconclusive reason lost")
	}

	tests := []struct {
		got  Suite
		want Suite
	}{
		{sslv2.List[0], Suite{ID: 0x0700C0, Name: "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", CipherStrength: 112, KxType: "RSA", KxStrength: 2048}},
		{sslv2.List[1], Suite{ID: 0x010080, Name: "SSL_CK_RC4_128_WITH_MD5", CipherStrength: 128, KxType: "RSA", KxStrength: 2048}},
		{tls12.List[0], Suite{ID: 0xC030, Name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", CipherStrength: 256, KxType: "ECDH", KxStrength: 3072,
			NamedGroupBits: 256, NamedGroupID: 23, NamedGroupName: "secp256r1"}},
		{tls12.List[1], Suite{ID: 0x009F, Name: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", CipherStrength: 256, KxType: "DH", KxStrength: 1024,
			DHP: 128, DHG: 1, DHYs: 128, PadlockDHGroup: "RFC 2409 Oakley group 2 (1024-bit MODP)"}},
		{tls12.List[2], Suite{ID: 0x0035, Name: "TLS_RSA_WITH_AES_256_CBC_SHA", CipherStrength: 256, KxType: "RSA", KxStrength: 2048}},
		{tls12.List[3], Suite{ID: 0x0005, Name: "TLS_RSA_WITH_RC4_128_SHA", CipherStrength: 128, KxType: "RSA", KxStrength: 2048}},
		{tls12.List[4], Suite{ID: 0x0003, Name: "TLS_RSA_EXPORT_WITH_RC4_40_MD5", CipherStrength: 40, KxType: "RSA", KxStrength: 512}},
		{tls13.List[0], Suite{ID: 0x1302, Name: "TLS_AES_256_GCM_SHA384", CipherStrength: 256, KxType: "ECDH", KxStrength: 3072,
			NamedGroupBits: 255, NamedGroupID: 29, NamedGroupName: "x25519"}},
		{tls13.List[1], Suite{ID: 0x1301, Name: "TLS_AES_128_GCM_SHA256", CipherStrength: 128, KxType: "DH", KxStrength: 2048,
			NamedGroupBits: 2048, NamedGroupID: 256, NamedGroupName: "ffdhe2048"}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("suite 0x%X:\n got  %+v\n want %+v", tt.want.ID, tt.got, tt.want)
		}
	}

	// Named groups.
	ng := d.NamedGroups
	if ng == nil || ng.Preference == nil || !*ng.Preference {
		t.Fatalf("named groups = %+v", ng)
	}
	wantGroups := []NamedGroup{
		{29, "x25519", 255, "EC", []int{771, 772}}, {23, "secp256r1", 256, "EC", nil}, {256, "ffdhe2048", 2048, "DH", nil},
		{0x11ec, "X25519MLKEM768", 255, "HYBRID", nil}, {0x0201, "MLKEM768", 0, "KEM", nil}, {0x0016, "secp256k1", 256, "EC", []int{771}},
	}
	if !slices.EqualFunc(ng.List, wantGroups, func(a, b NamedGroup) bool {
		return a.ID == b.ID && a.Name == b.Name && a.Bits == b.Bits && a.NamedGroupType == b.NamedGroupType && slices.Equal(a.PadlockProtocols, b.PadlockProtocols)
	}) {
		t.Errorf("groups = %+v", ng.List)
	}
	if d.PadlockGroupsVia != 772 {
		t.Errorf("groups via %d", d.PadlockGroupsVia)
	}

	// Bit masks and flags.
	checks := []struct {
		name      string
		got, want any
	}{
		{"renegSupport", d.RenegSupport, 2},
		{"sessionTickets", d.SessionTickets, 1},
		{"compressionMethods", d.CompressionMethods, 1},
		{"supportsAlpn", d.SupportsALPN, true},
		{"alpnProtocols", d.ALPNProtocols, "h2"},
		{"heartbeat", d.Heartbeat, true},
		{"ocspStapling", d.OCSPStapling, true}, // stapled in the SSLv2-era chain
		{"sniRequired", d.SNIRequired, false},
		{"protocolIntolerance", d.ProtocolIntolerance, 16 | 32},
		{"supportsRc4", d.SupportsRC4, true},
		{"rc4Only", d.RC4Only, false},
		{"forwardSecrecy", d.ForwardSecrecy, 1},
		{"supportsAead", d.SupportsAEAD, true},
		{"supportsCBC", d.SupportsCBC, true},
		{"dhUsesKnownPrimes", *d.DHUsesKnownPrimes, 2},
		{"dhPrimes", len(d.DHPrimes), 1},
		{"dhPrime length", len(d.DHPrimes[0]), 256},
		{"padlockExtensionsVia", d.PadlockExtensionsVia, 771},
		{"padlockExtensions", fmt.Sprint(d.PadlockExtensions), "[65281 35 16 15]"},
		{"padlockIntolerance", len(d.PadlockIntolerance), 2},
		{"padlockErrors", fmt.Sprint(d.PadlockErrors), "[TLS 1.2 cipher suite preference: timed out]"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	// Chains: the SSLv2 duplicate of the SNI chain is dropped (its staple
	// kept), the different no-SNI chain is marked.
	if len(d.CertChains) != 2 {
		t.Fatalf("%d chains: %+v", len(d.CertChains), d.CertChains)
	}
	c0, c1 := d.CertChains[0], d.CertChains[1]
	if c0.NoSNI || c0.Protocol != 772 || c0.SNI != "example.com" || len(c0.SCTs) != 1 || c0.HasSCT != 4 {
		t.Errorf("chain 0 = %+v", c0)
	}
	// The staple (two bytes of rubbish) came with the SSLv2 duplicate.
	if c0.OCSP == nil || c0.OCSP.RevocationStatus != 3 || d.StaplingRevocationStatus != 3 || d.StaplingRevocationErrorMessage == "" {
		t.Errorf("chain 0 staple %+v, endpoint %d %q", c0.OCSP, d.StaplingRevocationStatus, d.StaplingRevocationErrorMessage)
	}
	if !c1.NoSNI || c1.Protocol != 771 || c1.SNI != "" || c1.OCSP != nil {
		t.Errorf("chain 1 = %+v", c1)
	}
	if c0.CertIDs[0] != certID(leaf.der) || c1.CertIDs[0] != certID(other.der) || c0.Issues != 0 {
		t.Errorf("cert ids %v %v", c0.CertIDs, c1.CertIDs)
	}
	if len(c0.ID) != 64 || c0.ID == c1.ID {
		t.Errorf("chain ids %q %q", c0.ID, c1.ID)
	}
	// Judged, offline, against the Mozilla store: self-signed test
	// certificates, the SNI one valid for example.com.
	if c0.Trusted || !c0.NameMatch || c1.NameMatch || len(c0.TrustPaths) != 1 || c0.TrustError == "" {
		t.Errorf("chain 0 trusted %v name %v paths %+v; chain 1 name %v", c0.Trusted, c0.NameMatch, c0.TrustPaths, c1.NameMatch)
	}
	if d.HasSCT != 4 || d.PadlockRootStore == nil || d.PadlockRootStore.Name != "Mozilla" || d.PadlockRootStore.Roots == 0 {
		t.Errorf("hasSct %d root store %+v", d.HasSCT, d.PadlockRootStore)
	}
}

// TestSentChains: duplicates dropped (what only they carried kept), empty
// chains skipped, protocols as SSL Labs ids, NoSNI only when SNI was sent.
func TestSentChains(t *testing.T) {
	a := makeCert(t, "a.example", false)
	b := makeCert(t, "b.example", false)
	res := &probe.Result{
		Endpoint: probe.Endpoint{IP: netip.MustParseAddr("192.0.2.1"), Port: 443},
		Chains: []probe.Chain{
			{Protocol: registry.SSLv2, Certificates: [][]byte{a.der}},
			{Protocol: registry.TLS12},
			{Protocol: registry.TLS12, Certificates: [][]byte{a.der}, OCSPResponse: []byte{1}, SCTs: [][]byte{{2}}},
			{Protocol: registry.TLS13, Certificates: [][]byte{b.der}},
		},
	}
	got := sentChains(res)
	if len(got) != 2 || got[0].Protocol != 512 || len(got[0].OCSPResponse) != 1 || len(got[0].SCTs) != 1 || got[1].Protocol != registry.TLS13 {
		t.Fatalf("sent chains %+v", got)
	}
	r := analyzeCerts(context.Background(), res, "192.0.2.1", pki.Options{SkipLint: true})
	if len(r.Chains) != 2 || r.Chains[0].NoSNI || r.Chains[1].NoSNI {
		t.Errorf("an IP target has no SNI chains to differ from: %+v", r.Chains)
	}
	res.Endpoint.SNI = "a.example"
	res.Chains[3].SNI = "a.example"
	r = analyzeCerts(context.Background(), res, "a.example", pki.Options{SkipLint: true})
	if !r.Chains[0].NoSNI || r.Chains[1].NoSNI {
		t.Errorf("noSni %v %v, want true false", r.Chains[0].NoSNI, r.Chains[1].NoSNI)
	}
}

func TestFromProbeForwardSecrecyAll(t *testing.T) {
	res := &probe.Result{
		Endpoint:  probe.Endpoint{IP: netip.MustParseAddr("2001:db8::5"), Port: 443},
		Protocols: []probe.ProtocolSupport{{Protocol: registry.TLS12, Supported: true}, {Protocol: registry.TLS13, Supported: true}},
		Suites: []probe.ProtocolSuites{
			{Protocol: registry.TLS12, Suites: []probe.AcceptedSuite{{ID: 0xC02F, Group: 0x001d}, {ID: 0xCCA8, Group: 0x001d}}},
			{Protocol: registry.TLS13, Suites: []probe.AcceptedSuite{{ID: 0x1301, Group: 0x001d}}},
		},
	}
	d := FromProbe(res, nil).Details
	if d.ForwardSecrecy != 5 || !d.SupportsAEAD || d.SupportsCBC || d.SupportsRC4 || d.DHUsesKnownPrimes != nil || d.DHPrimes != nil {
		t.Errorf("fs %d aead %v cbc %v rc4 %v known %v", d.ForwardSecrecy, d.SupportsAEAD, d.SupportsCBC, d.SupportsRC4, d.DHUsesKnownPrimes)
	}
	if d.NamedGroups != nil {
		t.Errorf("no groups enumerated, yet namedGroups = %+v", d.NamedGroups)
	}
	if d.Suites[0].Preference != nil {
		t.Errorf("preference unknown must be absent")
	}
}

func TestFromProbeErrors(t *testing.T) {
	unreachable := &probe.Result{
		Endpoint:  probe.Endpoint{IP: netip.MustParseAddr("127.0.0.1"), Port: 1},
		Protocols: []probe.ProtocolSupport{{Protocol: registry.TLS12, Inconclusive: "connecting: connection refused"}},
	}
	noTLS := &probe.Result{
		Endpoint:  probe.Endpoint{IP: netip.MustParseAddr("127.0.0.1"), Port: 2},
		Protocols: []probe.ProtocolSupport{{Protocol: registry.TLS12}, {Protocol: registry.TLS13}},
	}
	partial, _, _ := richResult(t)
	tests := []struct {
		name    string
		res     *probe.Result
		err     error
		msg     string
		failure string
	}{
		{"unreachable", unreachable, fmt.Errorf("%w: connecting: connection refused", probe.ErrUnreachable), "Unable to connect to the server", FailUnreachable},
		{"no tls", noTLS, nil, "No secure protocols supported", FailNoTLS},
		{"budget", partial, fmt.Errorf("probe: %w", context.DeadlineExceeded), "Assessment time budget exceeded", FailBudget},
		{"cancelled", partial, context.Canceled, "Assessment cancelled", FailCancelled},
		{"other", partial, errors.New("something odd"), "something odd", FailProbe},
		{"nil result", nil, probe.ErrUnreachable, "Unable to connect to the server", FailUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := FromProbe(tt.res, tt.err)
			if ep.StatusMessage != tt.msg || ep.PadlockFailure != tt.failure || ep.Ready() {
				t.Errorf("got %q / %q, want %q / %q", ep.StatusMessage, ep.PadlockFailure, tt.msg, tt.failure)
			}
			if tt.res == nil {
				if ep.Details != nil {
					t.Errorf("details without a result")
				}
				return
			}
			if ep.Details == nil {
				t.Fatalf("details lost")
			}
			if tt.err != nil && !slices.Contains(ep.Details.PadlockErrors, tt.err.Error()) {
				t.Errorf("error not recorded: %v", ep.Details.PadlockErrors)
			}
		})
	}
	// A partial result keeps what was learned.
	ep := FromProbe(partial, context.DeadlineExceeded)
	if len(ep.Details.Protocols) != 3 || len(ep.Details.Suites) != 3 {
		t.Errorf("partial result dropped: %+v", ep.Details.Protocols)
	}
}

func TestProtocolIDs(t *testing.T) {
	for _, p := range registry.Protocols {
		if ProtocolFromID(ProtocolID(p)) != p {
			t.Errorf("%v does not round-trip", p)
		}
	}
	if ProtocolID(registry.SSLv2) != 512 || ProtocolID(registry.SSLv3) != 768 || ProtocolID(registry.TLS13) != 772 {
		t.Errorf("ids: %d %d %d", ProtocolID(registry.SSLv2), ProtocolID(registry.SSLv3), ProtocolID(registry.TLS13))
	}
}

func TestAddCerts(t *testing.T) {
	a := makeCert(t, "a.example", true)
	b := makeCert(t, "b.example", false)
	opts := pki.Options{SkipLint: true}
	r1 := pki.Analyze(context.Background(), "a.example", []pki.Chain{{Certificates: [][]byte{a.der, b.der}}, {Certificates: [][]byte{b.der}}}, opts)
	r2 := pki.Analyze(context.Background(), "a.example", []pki.Chain{{Certificates: [][]byte{a.der, []byte("not a certificate")}}}, opts)
	h := &Host{}
	h.AddCerts(r1.Certs...)
	h.AddCerts(r2.Certs...)
	h.AddCerts(nil)
	if len(h.Certs) != 3 {
		t.Fatalf("%d certs, want 3 (deduplicated)", len(h.Certs))
	}
	ca := h.Certs[0]
	if ca.ID != certID(a.der) || ca.SHA256Hash != ca.ID || len(ca.SHA1Hash) != 40 {
		t.Errorf("hashes: %+v", ca)
	}
	// pki's convention: crypto/x509's RFC 4514 string, most specific first.
	if ca.Subject != `CN=a.example,O=Padlock Test\, Inc.,C=NL` || ca.IssuerSubject != ca.Subject {
		t.Errorf("subject %q issuer %q", ca.Subject, ca.IssuerSubject)
	}
	if ca.KeyAlg != "RSA" || ca.KeySize != 2048 || ca.KeyStrength != 2048 || ca.SigAlg != "SHA256withRSA" || ca.RSAExponent != 65537 {
		t.Errorf("key %s %d %d sig %s", ca.KeyAlg, ca.KeySize, ca.KeyStrength, ca.SigAlg)
	}
	if !slices.Equal(ca.CommonNames, []string{"a.example"}) || !slices.Equal(ca.AltNames, []string{"a.example", "127.0.0.1", "::1"}) {
		t.Errorf("names %v %v", ca.CommonNames, ca.AltNames)
	}
	if ca.NotBefore != time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli() || ca.RevocationInfo != 2 || len(ca.OCSPURIs) != 1 {
		t.Errorf("notBefore %d revocationInfo %d", ca.NotBefore, ca.RevocationInfo)
	}
	if ca.PinSHA256 == "" || ca.SerialNumber == "" || ca.Raw[:27] != "-----BEGIN CERTIFICATE-----" {
		t.Errorf("pin %q serial %q raw %.30q", ca.PinSHA256, ca.SerialNumber, ca.Raw)
	}
	if !ca.SelfSigned || !slices.Contains(ca.IssueNames, "self-signed") {
		t.Errorf("self-signed leaf: selfSigned %v issues %v", ca.SelfSigned, ca.IssueNames)
	}
	cb := h.Certs[1]
	if cb.KeyAlg != "EC" || cb.KeySize != 256 || cb.KeyStrength != 3072 || cb.SigAlg != "SHA256withECDSA" {
		t.Errorf("EC key %s %d %d %s", cb.KeyAlg, cb.KeySize, cb.KeyStrength, cb.SigAlg)
	}
	bad := h.Certs[2]
	if bad.ParseError == "" || bad.ID == "" || bad.Raw == "" || bad.Subject != "" {
		t.Errorf("unparsable cert: %+v", bad)
	}
	if c, ok := h.Cert(certID(b.der)); !ok || c.ID != certID(b.der) {
		t.Errorf("Cert lookup failed")
	}
	if _, ok := h.Cert("nope"); ok {
		t.Errorf("Cert found a certificate that is not there")
	}
}
