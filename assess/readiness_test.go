package assess

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"padlock/grade"
	"padlock/lab/peer"
	"padlock/registry"
)

// startGoTLS serves TLS with crypto/tls on 127.0.0.1 with the given groups
// (nil: Go's defaults, which put X25519MLKEM768 first) and TLS versions.
func startGoTLS(t *testing.T, groups []tls.CurveID, maxVersion uint16) uint16 {
	t.Helper()
	cert := makeCert(t, "localhost", false)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates:     []tls.Certificate{{Certificate: [][]byte{cert.der}, PrivateKey: cert.key}},
		MinVersion:       tls.VersionTLS12,
		MaxVersion:       maxVersion,
		CurvePreferences: groups,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				if tc, ok := c.(*tls.Conn); ok && tc.Handshake() == nil {
					c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
				}
			}()
		}
	}()
	_, p, _ := net.SplitHostPort(ln.Addr().String())
	port, _ := strconv.Atoi(p)
	return uint16(port)
}

// goClientGroup is the group a real Go 1.26 client (which offers
// X25519MLKEM768 and X25519, with key shares for both) gets: the plain
// handshake padlock's verdict is checked against.
func goClientGroup(t *testing.T, port uint16) tls.CurveID {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port))),
		&tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.ConnectionState().CurveID
}

// TestReadinessGoPeers assesses real crypto/tls servers with and without
// the X25519MLKEM768 hybrid, and one preferring X25519 over it, and checks
// the readiness against what a real Go client negotiates.
func TestReadinessGoPeers(t *testing.T) {
	if testing.Short() {
		t.Skip("probes live servers")
	}
	cases := []struct {
		name       string
		groups     []tls.CurveID
		max        uint16
		pq         []string
		firstPQ    *bool
		tls13, ems bool
	}{
		// Go 1.26 accepts three hybrids by default.
		{"Go defaults", nil, 0, []string{"X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024"}, boolPtr(true), true, true},
		// crypto/tls picks its own group order whatever CurvePreferences
		// says: listing X25519 first still gives a browser the hybrid,
		// and a real Go client confirms it. (No real peer here prefers
		// X25519 over an offered hybrid: Debian's OpenSSL 3.0 has no
		// ML-KEM; the "not first choice" verdict is tested from stored
		// results below.)
		{"X25519 listed first", []tls.CurveID{tls.X25519, tls.X25519MLKEM768}, 0, []string{"X25519MLKEM768"}, boolPtr(true), true, true},
		{"classical groups only", []tls.CurveID{tls.X25519, tls.CurveP256}, 0, nil, nil, true, true},
		{"TLS 1.2 only", []tls.CurveID{tls.X25519, tls.CurveP256}, tls.VersionTLS12, nil, nil, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			port := startGoTLS(t, c.groups, c.max)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			h := Assess(ctx, Target{Host: "localhost", Port: port, Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}, Options{Probe: testProbeOptions()})
			r, ok := h.Readiness()
			if !ok {
				t.Fatalf("no readiness: %s %s", h.Status, h.StatusMessage)
			}
			if r.TLS13 != c.tls13 || !slices.Equal(r.PQGroups, c.pq) {
				t.Errorf("TLS 1.3 %v, hybrid groups %v; want %v %v", r.TLS13, r.PQGroups, c.tls13, c.pq)
			}
			if (r.PQFirstChoice == nil) != (c.firstPQ == nil) || (r.PQFirstChoice != nil && *r.PQFirstChoice != *c.firstPQ) {
				t.Errorf("hybrid first choice %v, want %v", fmtBool(r.PQFirstChoice), fmtBool(c.firstPQ))
			}
			if r.EMS == nil || *r.EMS != c.ems {
				t.Errorf("EMS %v, want %v", fmtBool(r.EMS), c.ems)
			}
			// The plain handshake agrees: a Go client gets the hybrid
			// exactly when padlock says the server picks it.
			got := goClientGroup(t, port)
			if pq := got == tls.X25519MLKEM768; pq != (r.PQFirstChoice != nil && *r.PQFirstChoice) {
				t.Errorf("a Go client got %v; padlock's first choice %v", got, fmtBool(r.PQFirstChoice))
			}
		})
	}
}

func fmtBool(b *bool) string {
	if b == nil {
		return "unknown"
	}
	return strconv.FormatBool(*b)
}

// TestReadinessFromStoredFacts: certificate days left, lifetime and the
// future grade come from the stored facts; a site is as ready as its
// weakest endpoint.
func TestReadinessFromStoredFacts(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	ep := func(groups []NamedGroup, notAfter time.Time, future string) Endpoint {
		pref := true
		e := Endpoint{StatusMessage: MsgReady, Grade: "A", Details: &EndpointDetails{
			Protocols:            []Protocol{{ID: ProtocolID(registry.TLS12)}, {ID: ProtocolID(registry.TLS13)}},
			NamedGroups:          &NamedGroups{List: groups, Preference: &pref},
			PadlockExtensionsVia: ProtocolID(registry.TLS12),
			PadlockExtensions:    []uint16{0xff01, extEMS},
		}}
		e.PadlockFacts = &grade.Facts{Now: now, Cert: &grade.CertFacts{NotBefore: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), NotAfter: notAfter}}
		e.PadlockGrade = &grade.Result{Grade: "A"}
		if future != "" {
			e.PadlockGrade.FutureGrade, e.PadlockGrade.FutureGradeFrom = future, now.AddDate(0, 1, 0)
		}
		return e
	}
	hybrid := NamedGroup{ID: 0x11EC, Name: "X25519MLKEM768"}
	x25519 := NamedGroup{ID: 0x001D, Name: "x25519"}
	h := &Host{Endpoints: []Endpoint{
		ep([]NamedGroup{hybrid, x25519}, now.AddDate(0, 0, 20), ""),
		ep([]NamedGroup{x25519, hybrid}, time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC), "T"),
	}}
	h.PadlockSite = Site{Grade: "A"}
	a, _ := h.Endpoints[0].Readiness()
	if !a.ExpiringWithin(grade.ExpiryWarningDays) || *a.CertDaysLeft != 20 || a.PQFirstChoice == nil || !*a.PQFirstChoice || a.EMS == nil || !*a.EMS {
		t.Fatalf("first endpoint %+v", a)
	}
	b, _ := h.Endpoints[1].Readiness()
	if b.CertLifetime != 366 || b.CertLifetimeMax != 200 || *b.PQFirstChoice {
		t.Fatalf("second endpoint %+v", b)
	}
	s, ok := h.Readiness()
	if !ok || !s.TLS13 || !slices.Equal(s.PQGroups, []string{"X25519MLKEM768"}) || s.PQFirstChoice == nil || *s.PQFirstChoice {
		t.Fatalf("site %+v", s)
	}
	if *s.CertDaysLeft != 20 || s.CertLifetime != 366 || s.FutureGrade != "T" {
		t.Fatalf("site certificate and future %+v", s)
	}
}

func TestStapling(t *testing.T) {
	noURL := CertChain{}
	noURL.Facts.NoOCSPURL = true
	cases := []struct {
		d    EndpointDetails
		want string
	}{
		{EndpointDetails{OCSPStapling: true}, "yes"},
		{EndpointDetails{CertChains: []CertChain{{}}}, "no"},
		{EndpointDetails{CertChains: []CertChain{noURL}}, "not applicable (the certificate names no OCSP responder)"},
		{EndpointDetails{}, "no"},
	}
	for _, c := range cases {
		if got := Stapling(&c.d); got != c.want {
			t.Errorf("Stapling = %q, want %q", got, c.want)
		}
	}
}

// TestReadinessOpenSSLPeers: openssl s_server (Debian's OpenSSL 3.0, which
// has no ML-KEM: `openssl list -kem-algorithms` lists RSA only) with and
// without the extended master secret; openssl s_client reports the same
// ("Extended master secret: no").
func TestReadinessOpenSSLPeers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts openssl s_server")
	}
	for _, noEMS := range []bool{false, true} {
		s := peer.OpenSSL(t, peer.OpenSSLOptions{Www: true, NoEMS: noEMS})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		h := Assess(ctx, Target{Host: "localhost", Port: uint16(s.Port), Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}, Options{Probe: testProbeOptions()})
		cancel()
		r, ok := h.Readiness()
		if !ok {
			t.Fatalf("no readiness: %s %s\n%s", h.Status, h.StatusMessage, s.LogString())
		}
		if !r.TLS13 || r.PQ() || r.PQFirstChoice != nil {
			t.Errorf("no-EMS %v: TLS 1.3 %v, hybrid %v (%s)", noEMS, r.TLS13, r.PQGroups, fmtBool(r.PQFirstChoice))
		}
		if r.EMS == nil || *r.EMS == noEMS {
			t.Errorf("no-EMS %v: EMS %s", noEMS, fmtBool(r.EMS))
		}
		// The plain handshake agrees.
		cmd := exec.CommandContext(context.Background(), "openssl", "s_client", "-connect", s.Addr, "-tls1_2")
		cmd.Stdin = strings.NewReader("")
		out, _ := cmd.Output()
		want := "Extended master secret: yes"
		if noEMS {
			want = "Extended master secret: no"
		}
		if !strings.Contains(string(out), want) {
			t.Errorf("openssl s_client does not say %q", want)
		}
	}
}
