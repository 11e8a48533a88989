package assess

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"padlock/grade"
	"padlock/lab/peer"
	"padlock/pki"
	"padlock/web"
)

// The plain-HTTP side joins the grade: HSTS decides A+ (F1), and the site
// verdict carries secure by default.
func TestWebSideEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx")
	}
	tests := []struct {
		name    string
		hsts    string
		grade   string
		display string
		rule    grade.RuleID
	}{
		{"A+ with a year of HSTS", "max-age=31536000", "A+", "A+", ""},
		{"A without HSTS", "", "A", "A", grade.RuleF4},
		{"A- with HSTS disabled", "max-age=0", "A-", "A-", grade.RuleF2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := peer.NginxOptions{
				Protocols: "TLSv1.2 TLSv1.3",
				Ciphers:   "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305",
				HTTP:      true,
			}
			if tt.hsts != "" {
				opts.Extra = []string{`add_header Strict-Transport-Security "` + tt.hsts + `" always`}
			}
			s := peer.Nginx(t, opts)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			h := Assess(ctx, Target{
				Host: "localhost", Port: uint16(s.Port), HTTPPort: uint16(s.HTTPPort),
				Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")},
			}, Options{
				Probe: testProbeOptions(),
				PKI:   pkiOptionsWithTestRoots(t),
				Web:   &web.Options{RootCAs: peer.RootCA(t).Pool(), IgnoreRobotsTxt: true, MaxPages: 2},
			})
			if len(h.Endpoints) != 1 {
				t.Fatalf("host %s %q", h.Status, h.StatusMessage)
			}
			ep := &h.Endpoints[0]
			wantGrade(t, ep, tt.grade)
			if tt.rule != "" && !firedOrPending(ep, tt.rule) {
				t.Errorf("rule %s not reported; fired %v", tt.rule, fired(ep))
			}
			if h.PadlockSite.Display != tt.display {
				t.Errorf("site %+v, want %s", h.PadlockSite, tt.display)
			}
			// nginx answers plain HTTP with a page, not a redirect.
			if sbd := h.PadlockSite.SecureByDefault; sbd == nil || *sbd {
				t.Errorf("secure by default %v, want false", sbd)
			}
			if ep.Details.HSTSPolicy == nil {
				t.Error("no hstsPolicy in the endpoint details")
			}
		})
	}
}

// TestWebTrustsCAFile: with no roots of its own, the plain-HTTP side
// verifies HTTPS with the roots the TLS side uses (--ca-file included):
// nginx's chain from the test CA is trusted on both sides.
func TestWebTrustsCAFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx")
	}
	t.Parallel()
	s := peer.Nginx(t, peer.NginxOptions{Protocols: "TLSv1.2 TLSv1.3", HTTP: true})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := Assess(ctx, Target{
		Host: "localhost", Port: uint16(s.Port), HTTPPort: uint16(s.HTTPPort),
		Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")},
	}, Options{
		Probe: testProbeOptions(),
		PKI:   pkiOptionsWithTestRoots(t),
		Web:   &web.Options{IgnoreRobotsTxt: true, MaxPages: 2},
	})
	if len(h.Endpoints) != 1 || h.PadlockWeb == nil {
		t.Fatalf("host %s %q", h.Status, h.StatusMessage)
	}
	if ch := h.Endpoints[0].Details.CertChains; len(ch) == 0 || !ch[0].Trusted {
		t.Errorf("TLS side: chain not trusted")
	}
	hops := h.PadlockWeb.HTTPSRedirects
	if len(hops) == 0 || !hops[0].Secure || hops[0].Status == 0 || hops[0].TLSError != "" {
		t.Errorf("HTTPS hops %+v", hops)
	}
}

// firedOrPending reports whether rule r is among the endpoint's findings or
// the reasons it missed A+.
func firedOrPending(ep *Endpoint, r grade.RuleID) bool {
	for _, f := range append(ep.PadlockGrade.Findings, ep.PadlockGrade.WhyNotAPlus...) {
		if f.Rule == r {
			return true
		}
	}
	return false
}

func pkiOptionsWithTestRoots(t *testing.T) pki.Options {
	return pki.Options{ExtraRoots: testRoots(t)}
}
