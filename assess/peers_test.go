package assess

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"padlock/grade"
	"padlock/lab/peer"
)

// TestOpenSSLKeyExchangeConventions assesses a real OpenSSL server with the
// three classic key exchanges and checks the SSL Labs conventions on what
// the wire actually carried: RSA strength from the certificate, DH sizes in
// bytes, ECDH strength from the group.
func TestOpenSSLKeyExchangeConventions(t *testing.T) {
	if testing.Short() {
		t.Skip("starts openssl s_server")
	}
	t.Parallel()
	s := peer.OpenSSL(t, peer.OpenSSLOptions{
		Protocols:  []string{"-tls1_2"},
		Ciphers:    "ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-SHA:AES256-SHA256:@SECLEVEL=0",
		ServerPref: true,
		DHParam:    peer.DHParamsFile(t, 1024),
		Groups:     "P-384",
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h := Assess(ctx, Target{Host: "localhost", Port: uint16(s.Port), Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")}},
		Options{Probe: testProbeOptions()})
	if h.Status != StatusReady || len(h.Endpoints) != 1 || h.Endpoints[0].Details == nil {
		t.Fatalf("host %s %q: %+v\nserver log:\n%s", h.Status, h.StatusMessage, h.Endpoints, s.LogString())
	}
	d := h.Endpoints[0].Details
	if len(d.Suites) != 1 || d.Suites[0].Protocol != 771 || d.Suites[0].Preference == nil || !*d.Suites[0].Preference {
		t.Fatalf("suites %+v", d.Suites)
	}
	got := map[uint32]Suite{}
	var order []uint32
	for _, s := range d.Suites[0].List {
		got[s.ID] = s
		order = append(order, s.ID)
	}
	if len(order) != 3 || order[0] != 0xC030 || order[1] != 0x0033 || order[2] != 0x003D {
		t.Errorf("order %x, want the server's: c030 0033 003d", order)
	}
	if e := got[0xC030]; e.KxType != "ECDH" || e.KxStrength != 7680 || e.NamedGroupName != "secp384r1" || e.NamedGroupBits != 384 {
		t.Errorf("ECDHE suite %+v", e)
	}
	if e := got[0x0033]; e.KxType != "DH" || e.KxStrength != 1024 || e.DHP != 128 || e.DHG != 1 || e.DHYs < 120 || e.DHYs > 128 || e.PadlockDHGroup != "" {
		t.Errorf("DHE suite %+v", e)
	}
	if e := got[0x003D]; e.KxType != "RSA" || e.KxStrength != 2048 {
		t.Errorf("RSA suite %+v", e)
	}
	if d.DHUsesKnownPrimes == nil || *d.DHUsesKnownPrimes != 0 || len(d.DHPrimes) != 1 || len(d.DHPrimes[0]) != 256 {
		t.Errorf("dh primes %v known %v", d.DHPrimes, d.DHUsesKnownPrimes)
	}
	if d.ForwardSecrecy != 1 || !d.SupportsCBC || !d.SupportsAEAD || d.RenegSupport&2 == 0 {
		t.Errorf("fs %d cbc %v aead %v reneg %d", d.ForwardSecrecy, d.SupportsCBC, d.SupportsAEAD, d.RenegSupport)
	}
	if len(h.Certs) == 0 || h.Certs[0].ID != certID(s.Leaf.DER) || h.Certs[0].KeyAlg != "RSA" || h.Certs[0].KeySize != 2048 {
		t.Errorf("certs %+v", h.Certs)
	}
}

// A 192-bit curve the server takes only at TLS 1.2 (lighttpd with Groups
// X25519:P-192) reaches the grade: key exchange scored at 1024 bits RSA
// equivalent (80) and rule C5, though the server picks X25519 whenever it
// is offered. testssl.sh 3.2 and sslscan list the same curves.
func TestLighttpdWeakCurveGraded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts lighttpd")
	}
	t.Parallel()
	s := peer.Lighttpd(t, peer.LighttpdOptions{ConfCmd: [][2]string{
		{"Groups", "X25519:P-192"},
		{"CipherString", "ECDHE+AESGCM:@SECLEVEL=1"},
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	h := Assess(ctx, Target{Host: "localhost", Port: uint16(s.Port), Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")}},
		Options{Probe: testProbeOptions()})
	if len(h.Endpoints) != 1 || h.Endpoints[0].PadlockFacts == nil || h.Endpoints[0].PadlockGrade == nil {
		t.Fatalf("host %s %q: %+v", h.Status, h.StatusMessage, h.Endpoints)
	}
	ep := h.Endpoints[0]
	if !slices.Contains(ep.PadlockFacts.ECDHEGroups, 0x0013) {
		t.Errorf("facts' groups %x lack secp192r1", ep.PadlockFacts.ECDHEGroups)
	}
	if !slices.ContainsFunc(ep.PadlockGrade.Findings, func(f grade.Finding) bool { return f.Rule == grade.RuleC5 }) {
		t.Errorf("C5 did not fire: %+v", ep.PadlockGrade.Findings)
	}
	if k := ep.PadlockGrade.Scores.KeyExchange; k != 80 {
		t.Errorf("key exchange score %v, want 80 (secp192r1)", k)
	}
	var seen []int
	for _, g := range ep.Details.NamedGroups.List {
		if g.ID == 0x0013 {
			seen = g.PadlockProtocols
		}
	}
	if !slices.Equal(seen, []int{771}) {
		t.Errorf("secp192r1 seen at %v, want [771]", seen)
	}
}
