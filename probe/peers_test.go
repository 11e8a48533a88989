package probe_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"padlock/lab"
	"padlock/lab/peer"
	"padlock/probe"
	"padlock/registry"
)

// These tests run the prober against real TLS servers on loopback and
// assert exactly what each is configured to accept.

func run(t *testing.T, s *peer.Server) *probe.Result {
	t.Helper()
	ep := probe.Endpoint{Host: "localhost", IP: netip.MustParseAddr("127.0.0.1"), Port: uint16(s.Port), SNI: "localhost"}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := probe.Run(ctx, ep, probe.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("probe: %v\nserver log:\n%s", err, s.LogString())
	}
	for _, e := range res.Errors {
		t.Logf("probe error: %s", e)
	}
	return res
}

func protocols(res *probe.Result) []registry.Protocol {
	var out []registry.Protocol
	for _, p := range res.Protocols {
		if p.Inconclusive != "" {
			out = append(out, 0xffff) // never expected: fails the comparison visibly
		}
		if p.Supported {
			out = append(out, p.Protocol)
		}
	}
	return out
}

func suites(res *probe.Result, v registry.Protocol) (ids []uint32, ps probe.ProtocolSuites) {
	for _, ps := range res.Suites {
		if ps.Protocol == v {
			for _, s := range ps.Suites {
				ids = append(ids, s.ID)
			}
			return ids, ps
		}
	}
	return nil, probe.ProtocolSuites{}
}

func names(ids []uint32) []string {
	var out []string
	for _, id := range ids {
		if s, ok := registry.SuiteByID(uint16(id)); ok && id <= 0xffff {
			out = append(out, s.Name)
		} else {
			out = append(out, fmt.Sprintf("0x%06x", id))
		}
	}
	return out
}

func wantSuites(t *testing.T, res *probe.Result, v registry.Protocol, want []uint32, ordered bool) probe.ProtocolSuites {
	t.Helper()
	got, ps := suites(res, v)
	if ps.Inconclusive != "" {
		t.Errorf("%v: inconclusive: %s", v, ps.Inconclusive)
	}
	g, w := slices.Clone(got), slices.Clone(want)
	if !ordered {
		slices.Sort(g)
		slices.Sort(w)
	}
	if !slices.Equal(g, w) {
		t.Errorf("%v suites:\n got %v\nwant %v", v, names(got), names(want))
	}
	return ps
}

func TestOpenSSLServerOrder(t *testing.T) {
	t.Parallel()
	s := peer.OpenSSL(t, peer.OpenSSLOptions{
		Protocols:  []string{"-tls1_2"},
		Ciphers:    "ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-SHA:AES256-SHA256",
		ServerPref: true,
		DHParam:    peer.DHParamsFile(t, 2048),
		Groups:     "P-384:X25519",
	})
	res := run(t, s)
	if got := protocols(res); !slices.Equal(got, []registry.Protocol{registry.TLS12}) {
		t.Fatalf("protocols %v", got)
	}
	ps := wantSuites(t, res, registry.TLS12, []uint32{0xc030, 0x0033, 0x003d}, true)
	if !ps.PreferenceKnown || !ps.ServerPreference {
		t.Errorf("server preference not seen: %+v", ps)
	}
	for _, a := range ps.Suites {
		switch a.ID {
		case 0xc030:
			if a.Group != 0x0018 {
				t.Errorf("ECDHE suite used group 0x%04x, want P-384 (server order)", a.Group)
			}
		case 0x0033:
			if a.DH == nil || a.DH.Bits != 2048 || a.DH.KnownName != "RFC 7919 ffdhe2048" {
				t.Errorf("DHE group %+v, want ffdhe2048", a.DH)
			}
		}
	}
	// ffdhe2048 is the server's DHE prime (its dhparam file is that group).
	if !slices.Equal(res.Groups.Groups, []uint16{0x0018, 0x001d, 0x0100}) || !res.Groups.ServerPreference {
		t.Errorf("groups %+v, want [P-384 X25519] in server order, then ffdhe2048", res.Groups)
	}
	if !res.Extensions.SecureRenegotiation || !res.Extensions.ExtendedMasterSecret {
		t.Errorf("extensions %+v", res.Extensions)
	}
	if len(res.Chains) != 1 || len(res.Chains[0].Certificates) != 1 || res.Chains[0].SNI != "localhost" {
		t.Errorf("want the one chain (a leaf from the test root), got %d", len(res.Chains))
	}
}

func TestOpenSSLClientOrder(t *testing.T) {
	t.Parallel()
	s := peer.OpenSSL(t, peer.OpenSSLOptions{
		Protocols: []string{"-tls1_2"},
		Ciphers:   "AES256-SHA256:DHE-RSA-AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384:@SECLEVEL=0",
		DHParam:   peer.DHParamsFile(t, 1024),
		Extra:     []string{"-sigalgs", "RSA+SHA256:RSA+SHA1"},
	})
	res := run(t, s)
	ps := wantSuites(t, res, registry.TLS12, []uint32{0xc030, 0x0033, 0x003d}, false)
	if !ps.PreferenceKnown || ps.ServerPreference {
		t.Errorf("client order not seen: %+v", ps)
	}
	for _, a := range ps.Suites {
		if a.ID == 0x0033 && (a.DH == nil || a.DH.Bits != 1024 || a.DH.KnownName != "") {
			t.Errorf("DHE group %+v, want a 1024-bit unnamed prime", a.DH)
		}
	}
}

func TestOpenSSLEverything(t *testing.T) {
	t.Parallel()
	s := peer.OpenSSL(t, peer.OpenSSLOptions{
		Ciphers:     "ALL:COMPLEMENTOFALL:@SECLEVEL=0",
		MinProtocol: "TLSv1",
		ServerPref:  true,
	})
	res := run(t, s)
	want := []registry.Protocol{registry.TLS10, registry.TLS11, registry.TLS12, registry.TLS13}
	if got := protocols(res); !slices.Equal(got, want) {
		t.Fatalf("protocols %v, want %v", got, want)
	}
	// OpenSSL's default TLS 1.3 order.
	wantSuites(t, res, registry.TLS13, []uint32{0x1302, 0x1303, 0x1301}, true)
	tls12, _ := suites(res, registry.TLS12)
	for _, want := range []struct {
		id   uint32
		what string
	}{
		{0xc018, "anonymous ECDH (AECDH-AES128-SHA)"},
		{0x00a6, "anonymous DH with GCM (ADH-AES128-GCM-SHA256)"},
		{0x003b, "NULL cipher (NULL-SHA256)"},
		{0xc0a0, "CCM_8 (AES128-CCM8)"},
		{0x0041, "Camellia (CAMELLIA128-SHA)"},
		{0xc061, "ARIA (ECDHE-ARIA256-GCM-SHA384)"},
	} {
		if !slices.Contains(tls12, want.id) {
			t.Errorf("TLS 1.2 misses %s", want.what)
		}
	}
	if n := len(tls12); n != 61 {
		t.Errorf("TLS 1.2: %d suites, want the 61 sslscan also finds", n)
	}
	if _, ps := suites(res, registry.TLS10); len(ps.Suites) != 20 {
		t.Errorf("TLS 1.0: %d suites, want 20", len(ps.Suites))
	}
}

func TestGnuTLS(t *testing.T) {
	t.Parallel()
	s := peer.GnuTLS(t, peer.GnuTLSOptions{
		Priority: "NONE:+VERS-TLS1.0:+VERS-TLS1.2:+RSA:+ECDHE-RSA:+3DES-CBC:+ARCFOUR-128:+AES-128-GCM:+SHA1:+AEAD:+COMP-NULL:+SIGN-ALL:+CURVE-SECP256R1:%SERVER_PRECEDENCE:%DISABLE_SAFE_RENEGOTIATION",
	})
	res := run(t, s)
	want := []registry.Protocol{registry.TLS10, registry.TLS12}
	if got := protocols(res); !slices.Equal(got, want) {
		t.Fatalf("protocols %v, want %v", got, want)
	}
	// TLS_RSA_WITH_RC4_128_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA,
	// TLS_ECDHE_RSA_WITH_RC4_128_SHA, TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA.
	legacy := []uint32{0x0005, 0x000a, 0xc011, 0xc012}
	wantSuites(t, res, registry.TLS10, legacy, false)
	wantSuites(t, res, registry.TLS12, append([]uint32{0x009c, 0xc02f}, legacy...), false)
	if res.Extensions.SecureRenegotiation {
		t.Error("secure renegotiation reported although the server disabled it")
	}
}

func TestNginx(t *testing.T) {
	t.Parallel()
	ecdsa, err := peer.RootCA(t).Issue(lab.LeafOptions{KeyType: lab.KeyP256, DNSNames: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	s := peer.Nginx(t, peer.NginxOptions{
		Leaf:                ecdsa,
		Protocols:           "TLSv1.2 TLSv1.3",
		Ciphers:             "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384",
		Ciphersuites:        "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256",
		PreferServerCiphers: true,
		ECDHCurve:           "X25519:secp384r1",
		SessionTickets:      true,
	})
	res := run(t, s)
	want := []registry.Protocol{registry.TLS12, registry.TLS13}
	if got := protocols(res); !slices.Equal(got, want) {
		t.Fatalf("protocols %v, want %v", got, want)
	}
	wantSuites(t, res, registry.TLS12, []uint32{0xc02b, 0xcca9, 0xc02c}, true)
	wantSuites(t, res, registry.TLS13, []uint32{0x1301, 0x1303}, true)
	if !slices.Equal(res.Groups.Groups, []uint16{0x001d, 0x0018}) || res.Groups.Via != registry.TLS13 {
		t.Errorf("groups %+v", res.Groups)
	}
	if !res.Extensions.SessionTicket || res.Extensions.ALPN != "" && res.Extensions.ALPN != "http/1.1" {
		t.Errorf("extensions %+v", res.Extensions)
	}
	if res.SNIRequired {
		t.Error("SNI reported required")
	}
}

func TestNginxSNIRequired(t *testing.T) {
	t.Parallel()
	s := peer.Nginx(t, peer.NginxOptions{
		ServerName: "default.invalid",
		Protocols:  "TLSv1.2 TLSv1.3",
		Extra:      []string{"ssl_reject_handshake on"},
		VHosts:     []peer.NginxVHost{{ServerName: "localhost"}},
	})
	res := run(t, s)
	if !res.SNIRequired {
		t.Error("SNI requirement not seen")
	}
}

func TestLegacySSLv3Export(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the legacy server module")
	}
	t.Parallel()
	s := peer.Legacy(t, peer.LegacyOptions{
		Min:     "ssl3",
		Max:     "tls1.0",
		Ciphers: []uint16{0x0004, 0x0003, 0x000a},
	})
	res := run(t, s)
	want := []registry.Protocol{registry.SSLv3, registry.TLS10}
	if got := protocols(res); !slices.Equal(got, want) {
		t.Fatalf("protocols %v, want %v", got, want)
	}
	ps := wantSuites(t, res, registry.SSLv3, []uint32{0x0004, 0x0003, 0x000a}, true)
	for _, a := range ps.Suites {
		if a.ID == 0x0003 && a.RSAExportBits != 512 {
			t.Errorf("RSA export key of %d bits, want 512", a.RSAExportBits)
		}
	}
	wantSuites(t, res, registry.TLS10, []uint32{0x0004, 0x0003, 0x000a}, true)
}

func TestGoTLS13Only(t *testing.T) {
	t.Parallel()
	leaf, err := peer.RootCA(t).Issue(lab.LeafOptions{KeyType: lab.KeyP256, DNSNames: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := lab.StartGo(context.Background(), "tls13", &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{leaf.TLSCertificate()},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ep := probe.Endpoint{Host: "localhost", IP: netip.MustParseAddr("127.0.0.1"), Port: uint16(srv.Port), SNI: "localhost"}
	res, err := probe.Run(context.Background(), ep, probe.Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if got := protocols(res); !slices.Equal(got, []registry.Protocol{registry.TLS13}) {
		t.Fatalf("protocols %v", got)
	}
	wantSuites(t, res, registry.TLS13, []uint32{0x1301, 0x1302, 0x1303}, false)
	for _, g := range []uint16{0x11ec, 0x001d, 0x0017, 0x0018, 0x0019} {
		if !slices.Contains(res.Groups.Groups, g) {
			t.Errorf("group 0x%04x missing from %v", g, res.Groups.Groups)
		}
	}
	if len(res.Chains) != 1 || res.Chains[0].Protocol != registry.TLS13 || len(res.Chains[0].Certificates) != 1 {
		t.Errorf("TLS 1.3 chain not collected: %+v", res.Chains)
	}
}

func TestNginxDualCertificates(t *testing.T) {
	t.Parallel()
	ecdsa, err := peer.RootCA(t).Issue(lab.LeafOptions{KeyType: lab.KeyP256, DNSNames: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile, err := ecdsa.WritePEM(dir, "ecdsa")
	if err != nil {
		t.Fatal(err)
	}
	s := peer.Nginx(t, peer.NginxOptions{
		Protocols: "TLSv1.2",
		Ciphers:   "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
		Extra:     []string{"ssl_certificate " + certFile, "ssl_certificate_key " + keyFile},
	})
	res := run(t, s)
	wantSuites(t, res, registry.TLS12, []uint32{0xc02b, 0xc02f}, false)
	var algs []string
	for _, c := range res.Chains {
		cert, err := x509.ParseCertificate(c.Certificates[0])
		if err != nil {
			t.Fatal(err)
		}
		algs = append(algs, cert.PublicKeyAlgorithm.String())
	}
	slices.Sort(algs)
	if !slices.Equal(algs, []string{"ECDSA", "RSA"}) {
		t.Errorf("chains with leaf keys %v, want one ECDSA and one RSA", algs)
	}
}

func TestOpenSSLPrioritizeChaCha(t *testing.T) {
	t.Parallel()
	s := peer.OpenSSL(t, peer.OpenSSLOptions{
		Protocols:  []string{"-tls1_2"},
		Ciphers:    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256",
		ServerPref: true,
		Extra:      []string{"-prioritize_chacha"},
	})
	res := run(t, s)
	ps := wantSuites(t, res, registry.TLS12, []uint32{0xc030, 0xcca8, 0xc02f}, true)
	if !ps.PreferenceKnown || !ps.ServerPreference || !ps.ChaCha20Preference {
		t.Errorf("want server order with ChaCha20 preference, got %+v", ps)
	}
}

// groupsSeen maps each enumerated group to the protocols it was seen at.
func groupsSeen(res *probe.Result) map[uint16][]registry.Protocol {
	out := map[uint16][]registry.Protocol{}
	for _, s := range res.Groups.Seen {
		out[s.Group] = s.Protocols
	}
	return out
}

// wantGroupsAt checks that every group in want was enumerated and seen at
// least at the given protocol.
func wantGroupsAt(t *testing.T, res *probe.Result, v registry.Protocol, want ...uint16) {
	t.Helper()
	seen := groupsSeen(res)
	for _, g := range want {
		if !slices.Contains(seen[g], v) {
			t.Errorf("group 0x%04x not seen at %v; groups %+v", g, v, res.Groups)
		}
	}
}

// A TLS 1.2-only group next to a TLS 1.3 one (issue 12): lighttpd on
// OpenSSL with Groups X25519:P-192 takes secp192r1 at TLS 1.2 only, which
// the TLS 1.3 enumeration cannot show. sslscan and testssl.sh 3.2 list the
// same two groups (secp192r1 at TLS 1.2; X25519).
func TestGroupsLighttpdTLS12Only(t *testing.T) {
	t.Parallel()
	s := peer.Lighttpd(t, peer.LighttpdOptions{ConfCmd: [][2]string{
		{"Groups", "X25519:P-192"},
		{"CipherString", "HIGH:@SECLEVEL=1"}, // SECLEVEL 2 forbids a 96-bit curve
	}})
	res := run(t, s)
	if got := res.Groups.Groups; !slices.Equal(got, []uint16{0x001d, 0x0013}) {
		t.Errorf("groups %x, want x25519 then secp192r1", got)
	}
	wantGroupsAt(t, res, registry.TLS13, 0x001d)
	wantGroupsAt(t, res, registry.TLS12, 0x001d, 0x0013)
	if slices.Contains(groupsSeen(res)[0x0013], registry.TLS13) {
		t.Errorf("secp192r1 reported at TLS 1.3")
	}
	if res.Groups.Inconclusive != "" {
		t.Errorf("groups inconclusive: %s", res.Groups.Inconclusive)
	}
}

// wolfSSL (lighttpd's mod_wolfssl) takes secp256k1 and the brainpool
// curves at TLS 1.2 only. testssl.sh 3.2 lists secp256k1 but not the
// brainpool curves (its OpenSSL asks with a hello wolfSSL answers
// differently); a plain openssl s_client -tls1_2 -groups brainpoolP256r1
// handshake confirms each. sslscan 2.0 lists every curve at "TLSv1.3",
// misled by wolfSSL's HelloRetryRequest without key_share.
func TestGroupsWolfSSL(t *testing.T) {
	t.Parallel()
	s := peer.Lighttpd(t, peer.LighttpdOptions{WolfSSL: true})
	res := run(t, s)
	wantGroupsAt(t, res, registry.TLS13, 0x001d, 0x0017)
	wantGroupsAt(t, res, registry.TLS12, 0x0016, 0x001a, 0x001b, 0x001c)
	for _, g := range []uint16{0x0016, 0x001a, 0x001b, 0x001c} {
		if slices.Contains(groupsSeen(res)[g], registry.TLS13) {
			t.Errorf("group 0x%04x reported at TLS 1.3", g)
		}
	}
	if res.Groups.Inconclusive != "" {
		t.Errorf("groups inconclusive: %s", res.Groups.Inconclusive)
	}
	t.Logf("%d connections", res.Connections)
}

// Botan negotiates RFC 7919 FFDHE groups at TLS 1.2 (issue 12: they were
// not listed): offered only ffdhe3072 and ffdhe4096 besides x25519, the
// DHE prime names the group. testssl.sh 3.2 agrees ("Finite field group:
// ffdhe3072 ffdhe4096"; "Elliptic curves offered: brainpoolP256r1 X25519");
// nmap's ssl-enum-ciphers shows only the group of each suite.
func TestGroupsBotanFFDHE(t *testing.T) {
	t.Parallel()
	s := peer.Botan(t, peer.BotanOptions{Policy: []string{
		"key_exchange_methods = DH ECDH",
		"key_exchange_groups = x25519 ffdhe/ietf/3072 ffdhe/ietf/4096 brainpool256r1",
		"ciphers = AES-256/GCM AES-128/GCM",
	}})
	res := run(t, s)
	if got := res.Groups.Groups; !slices.Equal(got, []uint16{0x001d, 0x001a, 0x0101, 0x0102}) {
		t.Errorf("groups %x, want x25519, brainpoolP256r1, ffdhe3072, ffdhe4096", got)
	}
	wantGroupsAt(t, res, registry.TLS12, 0x001d, 0x001a, 0x0101, 0x0102)
	if res.Groups.Via != registry.TLS12 || res.Groups.Inconclusive != "" {
		t.Errorf("groups %+v", res.Groups)
	}
	for _, a := range res.Suites[0].Suites {
		if s, _ := a.Suite(); s.Kx == registry.KxDHE && (a.DH == nil || a.DH.KnownName != "RFC 7919 ffdhe3072") {
			t.Errorf("DHE suite %s used %+v, want ffdhe3072 (the server's first)", s.Name, a.DH)
		}
	}
}

// lighttpd on wolfSSL with a self-signed certificate fails every hello
// that offers OCSP stapling (wolfSSL cannot build the status for it and
// lighttpd closes the connection): padlock's full hellos are all refused.
// That is not "no TLS" (openssl s_client without -status connects): the
// prober asks once without the optional extensions before a U.
func TestExtensionIntolerantWolfSSL(t *testing.T) {
	t.Parallel()
	leaf, err := lab.SelfSigned(lab.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := peer.Lighttpd(t, peer.LighttpdOptions{WolfSSL: true, Leaf: leaf})
	res := run(t, s)
	if got := protocols(res); !slices.Equal(got, []registry.Protocol{registry.TLS12, registry.TLS13}) {
		t.Errorf("protocols %v, want TLS 1.2 and 1.3", got)
	}
	found := false
	for _, in := range res.Intolerance {
		found = found || in.Label == "optional extensions"
	}
	if !found {
		t.Errorf("intolerance %+v lacks the optional extensions", res.Intolerance)
	}
	if len(res.Chains) == 0 {
		t.Errorf("no certificate chain")
	}
}
