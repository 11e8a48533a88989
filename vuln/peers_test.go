package vuln

import (
	"crypto/tls"
	"testing"

	"padlock/lab"
	"padlock/lab/peer"
)

// These tests run every check against real TLS servers on loopback. None
// of them is vulnerable to Heartbleed, CCS injection, ROBOT, Ticketbleed or
// the padding oracles: each must read "not vulnerable" there (not
// "inconclusive"). The positives real servers can show are tested too:
// SSLv3 with CBC, export RSA and DHE, RC4 and 3DES, weak DH, missing
// secure renegotiation, client-initiated renegotiation, 0-RTT.

// notVulnerableImplementation are the implementation bugs no maintained
// server has.
var notVulnerableImplementation = map[string]want{
	CheckHeartbleed:     nv,
	CheckCCS:            nv,
	CheckROBOT:          nv,
	CheckPoodleTLS:      nv,
	CheckLuckyMinus20:   nv,
	CheckZombiePoodle:   nv,
	CheckGoldenDoodle:   nv,
	CheckZeroLength:     nv,
	CheckSleepingPoodle: nv,
}

func merge(ms ...map[string]want) map[string]want {
	out := map[string]want{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func TestOpenSSLServer(t *testing.T) {
	t.Parallel()
	s := peer.OpenSSL(t, peer.OpenSSLOptions{
		MinProtocol: "TLSv1",
		Ciphers:     "ALL:!aNULL:@SECLEVEL=0",
		DHParam:     peer.DHParamsFile(t, 2048),
		Www:         true,
	})
	_, rep := scanAddr(t, s.Addr, scanOpts{serial: true})
	expect(t, rep, merge(notVulnerableImplementation, map[string]want{
		CheckHeartbeat:             nv,
		CheckPoodle:                na,
		CheckFallbackSCSV:          nv,
		CheckSecureRenegotiation:   nv,
		CheckInsecureRenegotiation: nv,
		CheckClientRenegotiation:   nv,
		CheckCompression:           nv,
		CheckFREAK:                 nv,
		CheckLogjam:                nv,
		CheckDHPrimes:              vuln(SeverityInfo), // ffdhe2048: known, not weak
		CheckDROWN:                 nv,
		CheckSWEET32:               nv,
		CheckRC4:                   nv,
		CheckBEAST:                 vuln(SeverityInfo),
		CheckLucky13:               vuln(SeverityInfo),
		CheckTicketbleed:           nv,
		CheckZeroRTT:               nv,
	}))
	if rep.OpenSSLCCS != 1 || rep.Bleichenbacher != 1 || rep.PoodleTLS != 1 || rep.Ticketbleed != 1 ||
		rep.ZombiePoodle != 1 || rep.GoldenDoodle != 1 || rep.ZeroLengthPaddingOracle != 1 ||
		rep.SleepingPoodle != 1 || rep.OpenSSLLuckyMinus20 != 1 || rep.ZeroRTTEnabled != 0 ||
		rep.RenegSupport != 2 || rep.FallbackSCSV == nil || !*rep.FallbackSCSV ||
		rep.DHUsesKnownPrimes == nil || *rep.DHUsesKnownPrimes != 1 || !rep.VulnBeast {
		t.Errorf("SSL Labs fields: %+v", rep)
	}
}

func TestOpenSSLEarlyDataAndClientRenegotiation(t *testing.T) {
	t.Parallel()
	// -early_data excludes -www: the server echoes instead.
	s := peer.OpenSSL(t, peer.OpenSSLOptions{
		Extra: []string{"-early_data", "-client_renegotiation"},
	})
	_, rep := scanAddr(t, s.Addr, scanOpts{serial: true, checks: []string{
		CheckZeroRTT, CheckSecureRenegotiation, CheckInsecureRenegotiation, CheckClientRenegotiation, CheckFallbackSCSV,
	}})
	expect(t, rep, map[string]want{
		CheckZeroRTT:               vuln(SeverityInfo),
		CheckSecureRenegotiation:   nv,
		CheckInsecureRenegotiation: nv,
		CheckClientRenegotiation:   vuln(SeverityInfo),
		CheckFallbackSCSV:          nv,
	})
	if rep.ZeroRTTEnabled != 1 || rep.RenegSupport != 2|4 {
		t.Errorf("zeroRTTEnabled %d renegSupport %d", rep.ZeroRTTEnabled, rep.RenegSupport)
	}
}

func TestGnuTLSWeakDH(t *testing.T) {
	t.Parallel()
	s := peer.GnuTLS(t, peer.GnuTLSOptions{
		Priority: "NORMAL:-KX-ALL:+DHE-RSA:-VERS-ALL:+VERS-TLS1.2:%PROFILE_VERY_WEAK",
		DHParams: peer.DHParamsFile(t, 512),
	})
	_, rep := scanAddr(t, s.Addr, scanOpts{serial: true, checks: []string{
		CheckLogjam, CheckDHPrimes, CheckFREAK, CheckFallbackSCSV, CheckROBOT, CheckZeroRTT, CheckBEAST, CheckPoodle,
	}})
	expect(t, rep, map[string]want{
		CheckLogjam:       vuln(SeverityExploitable),
		CheckDHPrimes:     nv, // a freshly generated prime
		CheckFREAK:        nv,
		CheckFallbackSCSV: na, // one version
		CheckROBOT:        na, // no RSA key exchange
		CheckZeroRTT:      na,
		CheckBEAST:        na,
		CheckPoodle:       na,
	})
	if !rep.Logjam || rep.FallbackSCSV != nil || rep.DHUsesKnownPrimes == nil || *rep.DHUsesKnownPrimes != 0 ||
		rep.ZeroRTTEnabled != -1 || rep.Bleichenbacher != 1 {
		t.Errorf("SSL Labs fields: %+v", rep)
	}
}

func TestOpenSSLTLS13Only(t *testing.T) {
	t.Parallel()
	s := peer.OpenSSL(t, peer.OpenSSLOptions{Protocols: []string{"-tls1_3"}, Www: true})
	_, rep := scanAddr(t, s.Addr, scanOpts{serial: true})
	expect(t, rep, map[string]want{
		CheckHeartbleed:            na,
		CheckHeartbeat:             na,
		CheckCCS:                   na,
		CheckPoodle:                na,
		CheckPoodleTLS:             na,
		CheckFallbackSCSV:          na,
		CheckSecureRenegotiation:   na,
		CheckInsecureRenegotiation: na,
		CheckClientRenegotiation:   na,
		CheckCompression:           na,
		CheckFREAK:                 na,
		CheckLogjam:                na,
		CheckDHPrimes:              na,
		CheckDROWN:                 nv,
		CheckSWEET32:               na,
		CheckRC4:                   na,
		CheckBEAST:                 na,
		CheckLucky13:               na,
		CheckROBOT:                 na,
		CheckTicketbleed:           na,
		CheckLuckyMinus20:          na,
		CheckZombiePoodle:          na,
		CheckGoldenDoodle:          na,
		CheckZeroLength:            na,
		CheckSleepingPoodle:        na,
		CheckZeroRTT:               nv,
	})
}

func TestGnuTLSHeartbeatAndRenegotiation(t *testing.T) {
	t.Parallel()
	s := peer.GnuTLS(t, peer.GnuTLSOptions{
		Priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:%DISABLE_SAFE_RENEGOTIATION",
		Extra:    []string{"--heartbeat"},
	})
	_, rep := scanAddr(t, s.Addr, scanOpts{serial: true})
	expect(t, rep, merge(notVulnerableImplementation, map[string]want{
		CheckHeartbeat:             vuln(SeverityInfo),
		CheckSecureRenegotiation:   vuln(SeverityInfo),
		CheckInsecureRenegotiation: vuln(SeverityExploitable),
		CheckClientRenegotiation:   na,
		CheckFallbackSCSV:          nv,
		CheckTicketbleed:           nv,
	}))
	if !rep.Heartbeat || rep.Heartbleed || rep.RenegSupport != 1 {
		t.Errorf("heartbeat %v heartbleed %v renegSupport %d", rep.Heartbeat, rep.Heartbleed, rep.RenegSupport)
	}
}

// TestGnuTLSRequiresSafeRenegotiation: a server that refuses hellos
// without renegotiation_info or its SCSV is "required", whether the
// renegotiation checks ask alone or the first-flight checks' hello (which
// then carries neither) asks for them; Heartbleed and CCS injection still
// get their answers on hellos of their own. A server that takes such a
// hello is not "required" either way.
func TestGnuTLSRequiresSafeRenegotiation(t *testing.T) {
	t.Parallel()
	reneg := []string{CheckSecureRenegotiation, CheckClientRenegotiation, CheckInsecureRenegotiation}
	withFirstFlight := append([]string{CheckHeartbleed, CheckHeartbeat, CheckCCS}, reneg...)
	for _, tt := range []struct {
		name     string
		priority string
		checks   []string
		required bool
		conns    int
	}{
		// secureRequired's hello and clientRenegotiation's handshake.
		{"required, renegotiation checks alone", "NORMAL:%SAFE_RENEGOTIATION", reneg, true, 2},
		// The shared hello, refused; then each probe's own.
		{"required, with the first-flight checks", "NORMAL:%SAFE_RENEGOTIATION", withFirstFlight, true, 5},
		{"not required, renegotiation checks alone", "NORMAL", reneg, false, 2},
		// One hello answers Heartbleed, CCS and secureRequired.
		{"not required, with the first-flight checks", "NORMAL", withFirstFlight, false, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := peer.GnuTLS(t, peer.GnuTLSOptions{Priority: tt.priority})
			_, rep := scanAddr(t, s.Addr, scanOpts{serial: true, checks: tt.checks})
			secure := want{state: NotVulnerable}
			if tt.required {
				secure.variant = VariantRequired
			}
			wants := map[string]want{CheckSecureRenegotiation: secure, CheckInsecureRenegotiation: nv}
			if len(tt.checks) > len(reneg) {
				wants[CheckHeartbleed], wants[CheckHeartbeat], wants[CheckCCS] = nv, nv, nv
			}
			expect(t, rep, wants)
			if f, _ := rep.Finding(CheckSecureRenegotiation); !tt.required && f.Variant != "" {
				t.Errorf("variant %q on a server that takes hellos without renegotiation_info", f.Variant)
			}
			if tt.required && rep.RenegSupport&(2|8) != 2|8 {
				t.Errorf("renegSupport %d", rep.RenegSupport)
			}
			if rep.PadlockConnections != tt.conns {
				t.Errorf("%d connections, want %d", rep.PadlockConnections, tt.conns)
			}
		})
	}
}

func TestGnuTLSLegacyCiphers(t *testing.T) {
	t.Parallel()
	s := peer.GnuTLS(t, peer.GnuTLSOptions{
		Priority: "NORMAL:-VERS-ALL:+VERS-TLS1.0:+3DES-CBC:+ARCFOUR-128:+RSA",
	})
	_, rep := scanAddr(t, s.Addr, scanOpts{serial: true, checks: []string{CheckRC4, CheckSWEET32, CheckBEAST, CheckFallbackSCSV, CheckROBOT, CheckZombiePoodle, CheckPoodleTLS}})
	expect(t, rep, map[string]want{
		CheckRC4:          vuln(SeverityExploitable),
		CheckSWEET32:      vuln(SeverityExploitable),
		CheckBEAST:        vuln(SeverityInfo),
		CheckFallbackSCSV: na,
		CheckROBOT:        nv,
		CheckZombiePoodle: nv,
		CheckPoodleTLS:    nv,
	})
	if !rep.SupportsRC4 || rep.RC4Only {
		t.Errorf("supportsRc4 %v rc4Only %v", rep.SupportsRC4, rep.RC4Only)
	}
}

func TestGnuTLSRC4Only(t *testing.T) {
	t.Parallel()
	s := peer.GnuTLS(t, peer.GnuTLSOptions{
		Priority: "NONE:+VERS-TLS1.2:+ARCFOUR-128:+RSA:+SHA1:+MD5:+COMP-NULL:+SIGN-ALL:+GROUP-ALL",
	})
	_, rep := scanAddr(t, s.Addr, scanOpts{serial: true, checks: []string{CheckRC4, CheckPoodleTLS, CheckLucky13}})
	expect(t, rep, map[string]want{
		CheckRC4:       {state: Vulnerable, variant: VariantRC4Only},
		CheckPoodleTLS: na,
		CheckLucky13:   na,
	})
	if !rep.RC4Only || rep.PoodleTLS != 1 {
		t.Errorf("rc4Only %v poodleTls %d", rep.RC4Only, rep.PoodleTLS)
	}
}

func TestNginx(t *testing.T) {
	t.Parallel()
	s := peer.Nginx(t, peer.NginxOptions{
		Protocols:      "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3",
		Ciphers:        "HIGH:!aNULL:@SECLEVEL=0",
		SessionTickets: true,
	})
	_, rep := scanAddr(t, s.Addr, scanOpts{})
	expect(t, rep, merge(notVulnerableImplementation, map[string]want{
		CheckHeartbeat:             nv,
		CheckFallbackSCSV:          nv,
		CheckSecureRenegotiation:   nv,
		CheckInsecureRenegotiation: nv,
		CheckClientRenegotiation:   nv,
		CheckCompression:           nv,
		CheckTicketbleed:           nv,
		CheckZeroRTT:               nv,
	}))
}

func TestLegacySSLv3Export(t *testing.T) {
	t.Parallel()
	s := peer.Legacy(t, peer.LegacyOptions{Min: "ssl3", Max: "tls1.0"})
	_, rep := scanAddr(t, s.Addr, scanOpts{checks: []string{
		CheckPoodle, CheckFREAK, CheckLogjam, CheckDHPrimes, CheckSWEET32, CheckRC4, CheckBEAST, CheckFallbackSCSV,
		CheckROBOT, CheckCCS, CheckHeartbleed,
	}})
	expect(t, rep, map[string]want{
		CheckPoodle:       vuln(SeverityExploitable),
		CheckFREAK:        vuln(SeverityExploitable),
		CheckLogjam:       {state: Vulnerable, severity: SeverityNotExploitable}, // DHE_EXPORT, 2048-bit group
		CheckFallbackSCSV: vuln(SeverityInfo),                                    // zcrypto does not implement RFC 7507
		CheckDHPrimes:     vuln(SeverityInfo),                                    // RFC 5114 2048-bit group
		CheckSWEET32:      vuln(SeverityExploitable),
		CheckRC4:          vuln(SeverityExploitable),
		CheckBEAST:        vuln(SeverityInfo),
		CheckROBOT:        nv,
		CheckCCS:          nv,
		CheckHeartbleed:   nv,
	})
	if !rep.Poodle || !rep.Freak || rep.Logjam || rep.FallbackSCSV == nil || *rep.FallbackSCSV {
		t.Errorf("poodle %v freak %v logjam %v fallbackScsv %v", rep.Poodle, rep.Freak, rep.Logjam, rep.FallbackSCSV)
	}
}

func TestLegacySSLv3RC4Only(t *testing.T) {
	t.Parallel()
	s := peer.Legacy(t, peer.LegacyOptions{Min: "ssl3", Max: "tls1.0", Ciphers: []uint16{0x0005, 0x0004}})
	_, rep := scanAddr(t, s.Addr, scanOpts{checks: []string{CheckPoodle, CheckTicketbleed, CheckRC4, CheckPoodleTLS, CheckBEAST}})
	expect(t, rep, map[string]want{
		CheckPoodle:      nv, // SSL 3.0 without CBC
		CheckTicketbleed: na, // no session tickets
		CheckRC4:         vulnVariant(VariantRC4Only),
		CheckPoodleTLS:   na,
		CheckBEAST:       nv,
	})
	if rep.Poodle || !rep.RC4Only || rep.Ticketbleed != 1 {
		t.Errorf("poodle %v rc4Only %v ticketbleed %d", rep.Poodle, rep.RC4Only, rep.Ticketbleed)
	}
}

func TestOpenSSLChaChaOnly0RTT(t *testing.T) {
	t.Parallel()
	// Issue 12 item 2: a TLS 1.3 server that picks ChaCha20-Poly1305 gets
	// a definite 0-RTT answer, as one that picks AES-GCM does.
	for _, tc := range []struct {
		name  string
		extra []string
		www   bool
		want  want
		field int
	}{
		{"tickets without early data", nil, true, nv, 0},
		{"early data", []string{"-early_data"}, false, vuln(SeverityInfo), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := peer.OpenSSL(t, peer.OpenSSLOptions{
				Protocols:    []string{"-tls1_3"},
				Ciphersuites: "TLS_CHACHA20_POLY1305_SHA256",
				Www:          tc.www,
				Extra:        tc.extra,
			})
			_, rep := scanAddr(t, s.Addr, scanOpts{serial: true, checks: []string{CheckZeroRTT}})
			expect(t, rep, map[string]want{CheckZeroRTT: tc.want})
			if rep.ZeroRTTEnabled != tc.field {
				t.Errorf("zeroRTTEnabled %d, want %d", rep.ZeroRTTEnabled, tc.field)
			}
		})
	}
}

func TestGoCryptoTLS(t *testing.T) {
	t.Parallel()
	l, _ := rsaLeaf(t)
	s, err := lab.StartGo(t.Context(), "vuln", &tls.Config{
		Certificates: []tls.Certificate{l.TLSCertificate()},
		MinVersion:   tls.VersionTLS10,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
			tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	_, rep := scanAddr(t, s.Addr, scanOpts{})
	expect(t, rep, merge(notVulnerableImplementation, map[string]want{
		CheckHeartbeat:             nv,
		CheckFallbackSCSV:          nv,
		CheckSecureRenegotiation:   nv,
		CheckInsecureRenegotiation: nv,
		CheckClientRenegotiation:   nv,
		CheckTicketbleed:           nv,
		CheckZeroRTT:               nv,
		CheckBEAST:                 vuln(SeverityInfo),
	}))
}

func TestOpenSSLECDSAOnly(t *testing.T) {
	t.Parallel()
	leaf, err := peer.RootCA(t).Issue(lab.LeafOptions{KeyType: lab.KeyP256})
	if err != nil {
		t.Fatal(err)
	}
	s := peer.OpenSSL(t, peer.OpenSSLOptions{Leaf: leaf, Protocols: []string{"-tls1_2"}, Www: true})
	_, rep := scanAddr(t, s.Addr, scanOpts{serial: true, checks: []string{CheckDROWN, CheckROBOT, CheckLucky13}})
	expect(t, rep, map[string]want{
		CheckDROWN:   na, // no RSA key to share with an SSLv2 server
		CheckROBOT:   na,
		CheckLucky13: vuln(SeverityInfo),
	})
}
