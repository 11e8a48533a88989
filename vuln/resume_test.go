package vuln

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"padlock/lab/peer"
	"padlock/probe"
)

// reusedByOpenSSL asks openssl s_client -reconnect (five reconnections
// offering the first session) whether the server resumes sessions by ID:
// the other tool the measurement is compared with.
func reusedByOpenSSL(t *testing.T, addr string) bool {
	t.Helper()
	bin := peer.Require(t, "openssl")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "s_client", "-connect", addr, "-servername", "localhost", "-tls1_2", "-no_ticket", "-reconnect")
	cmd.Stdin = strings.NewReader("")
	out, _ := cmd.Output()
	return strings.Contains(string(out), "\nReused, ")
}

// TestSessionResumption measures resumption on nginx with its three
// session cache settings and compares with openssl s_client -reconnect.
func TestSessionResumption(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cache   string
		tickets bool
		byID    int
		conns   int
	}{
		{"off", false, ResumptionNone, 1},       // "strictly prohibited": no session ID
		{"none", false, ResumptionNotReused, 2}, // IDs given, nothing stored
		// The hello offering the ID again asks for a ticket: the full
		// handshake it starts gives one...
		{"none", true, ResumptionNotReused, 3},
		// ... and so does the resumed one.
		{"shared:padlock:1m", true, ResumptionYes, 3},
	} {
		t.Run(fmt.Sprintf("%s tickets %v", c.cache, c.tickets), func(t *testing.T) {
			s := peer.Nginx(t, peer.NginxOptions{
				Protocols:      "TLSv1.2 TLSv1.3",
				SessionTickets: c.tickets,
				Extra:          []string{"ssl_session_cache " + c.cache},
			})
			ap := netip.MustParseAddrPort(s.Addr)
			ep := probe.Endpoint{Host: "localhost", IP: ap.Addr(), Port: ap.Port(), SNI: "localhost"}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			popts := probe.Options{Timeout: 5 * time.Second}
			res, err := probe.Run(ctx, ep, popts)
			if err != nil {
				t.Fatal(err)
			}
			r := SessionResumption(ctx, probe.NewDialer(ep, popts), res, Options{Wait: 3 * time.Second})
			t.Logf("%+v", r)
			if !r.Tested || r.ByID != c.byID {
				t.Errorf("by ID: %+v, want %d", r, c.byID)
			}
			if c.tickets && (!r.TicketTested || !r.ByTicket) {
				t.Errorf("tickets on: %+v", r)
			}
			if !c.tickets && r.TicketTested {
				t.Errorf("tickets off, yet tested: %+v", r)
			}
			if r.Connections != c.conns {
				t.Errorf("%d connections, want %d", r.Connections, c.conns)
			}
			if other := reusedByOpenSSL(t, s.Addr); other != (r.ByID == ResumptionYes) {
				t.Errorf("openssl s_client -reconnect says reused=%v; padlock %d", other, r.ByID)
			}
		})
	}
}

// TestKeyShareReuse: nginx (OpenSSL) and legacy-tls-server (zcrypto) make
// a fresh DHE and ECDHE key for every handshake; legacy-tls-server with
// -fixed-rand draws its keys from a constant stream and sends the same ones
// every time (no maintained server reuses them by design). The answer
// comes from the prober's own handshakes, with no connection of the
// check's; with those values taken away, from two connections per kind,
// and it must be the same.
func TestKeyShareReuse(t *testing.T) {
	t.Parallel()
	ecdheDHE := []uint16{0xC013, 0x0033} // ECDHE-RSA-AES128-SHA, DHE-RSA-AES128-SHA
	for _, c := range []struct {
		name   string
		start  func(t *testing.T) *peer.Server
		reused bool
	}{
		{"nginx", func(t *testing.T) *peer.Server {
			return peer.Nginx(t, peer.NginxOptions{
				Protocols: "TLSv1.2",
				Ciphers:   "ECDHE+AESGCM:DHE+AESGCM",
				DHParam:   peer.DHParamsFile(t, 2048),
			})
		}, false},
		{"zcrypto", func(t *testing.T) *peer.Server {
			return peer.Legacy(t, peer.LegacyOptions{Min: "tls1.0", Max: "tls1.2", Ciphers: ecdheDHE})
		}, false},
		{"zcrypto with a constant random stream", func(t *testing.T) *peer.Server {
			return peer.Legacy(t, peer.LegacyOptions{Min: "tls1.0", Max: "tls1.2", Ciphers: ecdheDHE, Extra: []string{"-fixed-rand"}})
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := c.start(t)
			ap := netip.MustParseAddrPort(s.Addr)
			ep := probe.Endpoint{Host: "localhost", IP: ap.Addr(), Port: ap.Port(), SNI: "localhost"}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			popts := probe.Options{Timeout: 5 * time.Second, SkipSimulation: true}
			res, err := probe.Run(ctx, ep, popts)
			if err != nil {
				t.Fatal(err)
			}
			check := func(kr KeyReuse, conns int) {
				t.Helper()
				t.Logf("%+v", kr)
				if !kr.DHTested || kr.DHReused != c.reused || !kr.ECDHTested || kr.ECDHReused != c.reused || kr.Connections != conns {
					t.Errorf("%+v, want both tested, reused %v, %d connections", kr, c.reused, conns)
				}
			}
			check(KeyShareReuse(ctx, probe.NewDialer(ep, popts), res, Options{Wait: 3 * time.Second}), 0)
			own := *res
			own.EphemeralKeys = nil
			check(KeyShareReuse(ctx, probe.NewDialer(ep, popts), &own, Options{Wait: 3 * time.Second}), 4)
		})
	}
}

// TestResumptionTakesRenegotiationSession runs Check and SessionResumption
// side by side with one SessionShare, as assess does: the full handshake of
// the client-renegotiation check serves the resumption test when the
// server refused the renegotiation with a warning (nginx: no_renegotiation),
// and the answer is the one the test gets alone; a server that accepts the
// renegotiation (gnutls-serv) leaves the test its own full handshake.
func TestResumptionTakesRenegotiationSession(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		server func(t *testing.T) *peer.Server
		byID   int
		conns  int // the resumption test's
		shared bool
	}{
		{"nginx, cache none", func(t *testing.T) *peer.Server {
			return peer.Nginx(t, peer.NginxOptions{Protocols: "TLSv1.2 TLSv1.3", Extra: []string{"ssl_session_cache none"}})
		}, ResumptionNotReused, 1, true},
		{"nginx, shared cache", func(t *testing.T) *peer.Server {
			return peer.Nginx(t, peer.NginxOptions{Protocols: "TLSv1.2 TLSv1.3", Extra: []string{"ssl_session_cache shared:padlock:1m"}})
		}, ResumptionYes, 1, true},
		{"gnutls-serv renegotiates", func(t *testing.T) *peer.Server {
			return peer.GnuTLS(t, peer.GnuTLSOptions{Priority: "NORMAL:-VERS-TLS1.3", NoTicket: true})
		}, ResumptionYes, 2, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := c.server(t)
			ap := netip.MustParseAddrPort(s.Addr)
			ep := probe.Endpoint{Host: "localhost", IP: ap.Addr(), Port: ap.Port(), SNI: "localhost"}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			popts := probe.Options{Timeout: 5 * time.Second}
			res, err := probe.Run(ctx, ep, popts)
			if err != nil {
				t.Fatal(err)
			}
			alone := SessionResumption(ctx, probe.NewDialer(ep, popts), res, Options{Wait: 3 * time.Second})

			opts := Options{Wait: 3 * time.Second, Session: NewSessionShare()}
			d := probe.NewDialer(ep, popts)
			var r Resumption
			done := make(chan struct{})
			go func() {
				defer close(done)
				r = SessionResumption(ctx, d, res, opts)
			}()
			rep := Check(ctx, d, res, opts)
			<-done
			t.Logf("alone %+v, beside Check %+v", alone, r)
			if !r.Tested || r.ByID != c.byID || alone.ByID != c.byID {
				t.Errorf("by ID beside Check %d, alone %d, want %d", r.ByID, alone.ByID, c.byID)
			}
			if r.Connections != c.conns {
				t.Errorf("%d connections, want %d", r.Connections, c.conns)
			}
			f, _ := rep.Finding(CheckClientRenegotiation)
			if refused := f.State == NotVulnerable; refused != c.shared {
				t.Errorf("client renegotiation %v (%s), shared session expected: %v", f.State, f.Reason, c.shared)
			}
		})
	}
}
