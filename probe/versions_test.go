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
// they lack; a protocol_version alert is taken at its word (one hello),
// while OpenSSL's handshake_failure for SSLv3 is asked again with the
// common suites, in case the long hello was the problem.
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
	type hellos map[registry.Protocol]int // hellos sent per refused version
	everyOnce := hellos{registry.SSLv3: 1, registry.TLS10: 1, registry.TLS11: 1}
	openssl := hellos{registry.SSLv3: 2, registry.TLS10: 1, registry.TLS11: 1}
	for _, c := range []struct {
		name string
		port func(t *testing.T) int
		want hellos
	}{
		{"Go crypto/tls", func(*testing.T) int { return ln.Addr().(*net.TCPAddr).Port }, everyOnce},
		{"nginx", func(t *testing.T) int { return peer.Nginx(t, peer.NginxOptions{Protocols: "TLSv1.2 TLSv1.3"}).Port }, openssl},
		{"openssl s_server", func(t *testing.T) int { return peer.OpenSSL(t, peer.OpenSSLOptions{MinProtocol: "TLSv1.2"}).Port }, openssl},
		{"gnutls-serv", func(t *testing.T) int {
			return peer.GnuTLS(t, peer.GnuTLSOptions{Priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3"}).Port
		}, everyOnce},
		{"lighttpd (OpenSSL)", func(t *testing.T) int {
			return peer.Lighttpd(t, peer.LighttpdOptions{ConfCmd: [][2]string{{"MinProtocol", "TLSv1.2"}}}).Port
		}, openssl},
		{"lighttpd (wolfSSL)", func(t *testing.T) int { return peer.Lighttpd(t, peer.LighttpdOptions{WolfSSL: true}).Port }, everyOnce},
		{"Botan", func(t *testing.T) int { return peer.Botan(t, peer.BotanOptions{}).Port }, everyOnce},
	} {
		t.Run(c.name, func(t *testing.T) {
			port := c.port(t)
			ep := Endpoint{Host: "localhost", IP: netip.MustParseAddr("127.0.0.1"), Port: uint16(port), SNI: "localhost"}
			for v, want := range c.want {
				p := &prober{ep: ep, opts: Options{}.withDefaults(), dialer: newDialer(ep, 5*time.Second, 1), keys: &keyShares{}, res: &Result{}}
				vp := p.probeVersion(context.Background(), v)
				if vp.support.Supported || vp.support.Negotiated != 0 || vp.support.Inconclusive != "" || vp.chunked {
					t.Errorf("%v: %+v (%v), want refused", v, vp.support, vp.err)
				}
				if got := int(p.dialer.count.Load()); got != want {
					t.Errorf("%v: %d hellos, want %d (the server said %v)", v, got, want, vp.err)
				}
			}
		})
	}
}
