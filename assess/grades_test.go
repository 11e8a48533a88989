package assess

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"padlock/grade"
	"padlock/lab/peer"
)

// End to end: real servers on loopback, configured to earn each grade, and
// the rules that must explain it.

func assessPeer(t *testing.T, port int) *Endpoint {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := Assess(ctx, Target{Host: "localhost", Port: uint16(port), Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")}},
		Options{Probe: testProbeOptions()})
	if len(h.Endpoints) != 1 {
		t.Fatalf("host %s %q: %d endpoints", h.Status, h.StatusMessage, len(h.Endpoints))
	}
	return &h.Endpoints[0]
}

func fired(ep *Endpoint) []grade.RuleID {
	var ids []grade.RuleID
	if ep.PadlockGrade == nil {
		return nil
	}
	for _, f := range ep.PadlockGrade.Findings {
		if f.Effect != grade.EffectInfo && f.Effect != grade.EffectScore {
			ids = append(ids, f.Rule)
		}
	}
	return ids
}

func wantGrade(t *testing.T, ep *Endpoint, grade string, rules ...grade.RuleID) {
	t.Helper()
	if ep.Grade != grade {
		t.Errorf("grade %q, want %q (rules fired: %v)", ep.Grade, grade, fired(ep))
	}
	got := fired(ep)
	for _, r := range rules {
		if !slices.Contains(got, r) {
			t.Errorf("rule %s did not fire; fired: %v", r, got)
		}
	}
}

func TestGradesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real servers")
	}
	t.Run("A- nginx TLS 1.2 only, modern suites", func(t *testing.T) {
		t.Parallel()
		s := peer.Nginx(t, peer.NginxOptions{
			Protocols: "TLSv1.2",
			Ciphers:   "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305",
		})
		wantGrade(t, assessPeer(t, s.Port), "A-", grade.RuleB6)
	})
	t.Run("B openssl with TLS 1.0", func(t *testing.T) {
		t.Parallel()
		s := peer.OpenSSL(t, peer.OpenSSLOptions{
			MinProtocol: "TLSv1",
			Ciphers:     "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:@SECLEVEL=0",
			ServerPref:  true,
		})
		wantGrade(t, assessPeer(t, s.Port), "B", grade.RuleB5)
	})
	t.Run("B DHE 1024", func(t *testing.T) {
		t.Parallel()
		s := peer.OpenSSL(t, peer.OpenSSLOptions{
			Protocols:  []string{"-no_tls1_1", "-no_tls1"},
			Ciphers:    "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
			DHParam:    peer.DHParamsFile(t, 1024),
			ServerPref: true,
		})
		wantGrade(t, assessPeer(t, s.Port), "B", grade.RuleC4)
	})
	t.Run("C gnutls TLS 1.0 only", func(t *testing.T) {
		t.Parallel()
		s := peer.GnuTLS(t, peer.GnuTLSOptions{
			Priority: "NONE:+VERS-TLS1.0:+ECDHE-RSA:+AES-128-CBC:+SHA1:+COMP-NULL:+SIGN-ALL:+CURVE-ALL",
		})
		wantGrade(t, assessPeer(t, s.Port), "C", grade.RuleB4)
	})
	t.Run("F NULL cipher", func(t *testing.T) {
		t.Parallel()
		s := peer.OpenSSL(t, peer.OpenSSLOptions{
			Protocols:  []string{"-tls1_2"},
			Ciphers:    "ECDHE-RSA-AES128-GCM-SHA256:NULL-SHA256:@SECLEVEL=0",
			ServerPref: true,
		})
		wantGrade(t, assessPeer(t, s.Port), "F", grade.RuleD1)
	})
	t.Run("F anonymous suites", func(t *testing.T) {
		t.Parallel()
		s := peer.OpenSSL(t, peer.OpenSSLOptions{
			Protocols: []string{"-tls1_2"},
			Ciphers:   "ECDHE-RSA-AES128-GCM-SHA256:AECDH-AES128-SHA:@SECLEVEL=0",
		})
		wantGrade(t, assessPeer(t, s.Port), "F", grade.RuleC1)
	})
	t.Run("F SSLv3 export suites", func(t *testing.T) {
		t.Parallel()
		s := peer.Legacy(t, peer.LegacyOptions{Min: "ssl3", Max: "tls1.0", Ciphers: []uint16{0x0004, 0x0003}})
		wantGrade(t, assessPeer(t, s.Port), "F", grade.RuleD2, grade.RuleB2)
	})
	t.Run("U nothing listening", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		wantGrade(t, assessPeer(t, port), "U")
	})
}
