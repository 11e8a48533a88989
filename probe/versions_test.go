package probe

import (
	"context"
	"crypto/tls"
	"net"
	"net/netip"
	"testing"
	"time"

	"padlock/lab"
	"padlock/lab/peer"
	"padlock/registry"
)

// TestVersionRefusalAskedOnce: real TLS 1.2+ servers refuse the versions
// they lack. A protocol_version alert is taken at its word; OpenSSL's
// handshake_failure for SSLv3 would be asked again with the common suites,
// in case the long hello was the problem, but the server took the long
// hello at TLS 1.2: each version costs one hello. wolfSSL refuses a hello
// with every suite (more than it can hold) at TLS 1.2 too, so its TLS 1.2
// is asked again with the common suites: one hello more.
func TestVersionRefusalAskedOnce(t *testing.T) {
	t.Parallel()
	leaf, err := lab.SelfSigned(lab.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				_ = c.(*tls.Conn).Handshake()
			}()
		}
	}()
	// Refused versions whose refusal alone would be asked again.
	type askShort map[registry.Protocol]bool
	none := askShort{registry.SSLv3: false, registry.TLS10: false, registry.TLS11: false}
	openssl := askShort{registry.SSLv3: true, registry.TLS10: false, registry.TLS11: false}
	for _, c := range []struct {
		name string
		port func(t *testing.T) int
		want askShort
		// hellos is what probeVersions sends in all (SSLv2 to TLS 1.3).
		hellos int
	}{
		{"Go crypto/tls", func(*testing.T) int { return ln.Addr().(*net.TCPAddr).Port }, none, 6},
		{"nginx", func(t *testing.T) int { return peer.Nginx(t, peer.NginxOptions{Protocols: "TLSv1.2 TLSv1.3"}).Port }, openssl, 6},
		{"openssl s_server", func(t *testing.T) int { return peer.OpenSSL(t, peer.OpenSSLOptions{MinProtocol: "TLSv1.2"}).Port }, openssl, 6},
		{"gnutls-serv", func(t *testing.T) int {
			return peer.GnuTLS(t, peer.GnuTLSOptions{Priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3"}).Port
		}, none, 6},
		{"lighttpd (OpenSSL)", func(t *testing.T) int {
			return peer.Lighttpd(t, peer.LighttpdOptions{ConfCmd: [][2]string{{"MinProtocol", "TLSv1.2"}}}).Port
		}, openssl, 6},
		{"lighttpd (wolfSSL)", func(t *testing.T) int { return peer.Lighttpd(t, peer.LighttpdOptions{WolfSSL: true}).Port }, none, 7},
		{"Botan", func(t *testing.T) int { return peer.Botan(t, peer.BotanOptions{}).Port }, none, 6},
	} {
		t.Run(c.name, func(t *testing.T) {
			port := c.port(t)
			ep := Endpoint{Host: "localhost", IP: netip.MustParseAddr("127.0.0.1"), Port: uint16(port), SNI: "localhost"}
			newProber := func() *prober {
				return &prober{ep: ep, opts: Options{}.withDefaults(), dialer: newDialer(ep, 5*time.Second, 4), keys: &keyShares{}, res: &Result{}}
			}
			for v, want := range c.want {
				p := newProber()
				vp := p.probeVersion(context.Background(), v, false)
				if vp.support.Supported || vp.support.Negotiated != 0 || vp.support.Inconclusive != "" || vp.chunked || vp.askShort != want {
					t.Errorf("%v: %+v (%v), ask again %v, want refused, ask again %v", v, vp.support, vp.err, vp.askShort, want)
				}
				if got := int(p.dialer.count.Load()); got != 1 {
					t.Errorf("%v: %d hellos, want 1 (the server said %v)", v, got, vp.err)
				}
			}
			p := newProber()
			for _, vp := range p.probeVersions(context.Background()) {
				pr := vp.support.Protocol
				if pr <= registry.TLS12 && vp.support.Supported != (pr == registry.TLS12) || vp.support.Inconclusive != "" {
					t.Errorf("%v: %+v (%v)", pr, vp.support, vp.err)
				}
			}
			if got := int(p.dialer.count.Load()); got != c.hellos {
				t.Errorf("%d hellos for every version, want %d", got, c.hellos)
			}
		})
	}
}
