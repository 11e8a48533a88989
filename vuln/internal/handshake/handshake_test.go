package handshake

import (
	"bytes"
	"crypto/rsa"
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"padlock/lab"
	"padlock/lab/peer"
	"padlock/registry"
	"padlock/tlswire"
)

func leaf(t *testing.T, keyType string) *lab.Leaf {
	t.Helper()
	ca, err := lab.NewCA("handshake test root")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ca.Issue(lab.LeafOptions{KeyType: keyType})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// goServer runs a crypto/tls server on loopback that echoes one line back
// upper-cased, and returns its address.
func goServer(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				tc := tls.Server(c, cfg)
				buf := make([]byte, 256)
				n, err := tc.Read(buf)
				if err != nil {
					return
				}
				tc.Write(bytes.ToUpper(buf[:n]))
				tc.Close()
			}()
		}
	}()
	return ln.Addr().String()
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// exchange sends a line of application data and reads the answer.
func exchange(t *testing.T, c *Conn) string {
	t.Helper()
	if err := c.WriteRecord(tlswire.TypeApplicationData, []byte("hello padlock")); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for {
		rec, err := c.ReadRecord()
		if err != nil {
			if err == io.EOF && len(got) > 0 {
				break
			}
			t.Fatalf("reading answer: %v (so far %q)", err, got)
		}
		if rec.Type == tlswire.TypeAlert {
			break
		}
		if rec.Type != tlswire.TypeApplicationData {
			t.Fatalf("unexpected %v record", rec.Type)
		}
		got = append(got, rec.Payload...)
	}
	return string(got)
}

func TestClientAgainstCryptoTLS(t *testing.T) {
	rsaLeaf := leaf(t, lab.KeyRSA2048)
	ecLeaf := leaf(t, lab.KeyP256)
	tests := []struct {
		name    string
		leaf    *lab.Leaf
		version uint16
		suite   uint16
		curves  []tls.CurveID
	}{
		{"TLS1.2 RSA AES128-CBC-SHA", rsaLeaf, tls.VersionTLS12, tls.TLS_RSA_WITH_AES_128_CBC_SHA, nil},
		{"TLS1.1 RSA AES128-CBC-SHA", rsaLeaf, tls.VersionTLS11, tls.TLS_RSA_WITH_AES_128_CBC_SHA, nil},
		{"TLS1.0 RSA AES128-CBC-SHA", rsaLeaf, tls.VersionTLS10, tls.TLS_RSA_WITH_AES_128_CBC_SHA, nil},
		{"TLS1.0 RSA AES256-CBC-SHA", rsaLeaf, tls.VersionTLS10, tls.TLS_RSA_WITH_AES_256_CBC_SHA, nil},
		{"TLS1.2 RSA AES128-CBC-SHA256", rsaLeaf, tls.VersionTLS12, tls.TLS_RSA_WITH_AES_128_CBC_SHA256, nil},
		{"TLS1.2 RSA 3DES", rsaLeaf, tls.VersionTLS12, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, nil},
		{"TLS1.0 RSA RC4", rsaLeaf, tls.VersionTLS10, tls.TLS_RSA_WITH_RC4_128_SHA, nil},
		{"TLS1.2 RSA AES256-GCM", rsaLeaf, tls.VersionTLS12, tls.TLS_RSA_WITH_AES_256_GCM_SHA384, nil},
		{"TLS1.2 ECDHE-RSA AES128-GCM X25519", rsaLeaf, tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, []tls.CurveID{tls.X25519}},
		{"TLS1.2 ECDHE-RSA AES256-GCM P-384", rsaLeaf, tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, []tls.CurveID{tls.CurveP384}},
		{"TLS1.2 ECDHE-ECDSA AES128-GCM P-256", ecLeaf, tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, []tls.CurveID{tls.CurveP256}},
		{"TLS1.0 ECDHE-ECDSA AES128-CBC-SHA", ecLeaf, tls.VersionTLS10, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, nil},
		{"TLS1.2 ECDHE-RSA AES128-CBC-SHA256", rsaLeaf, tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, nil},
		{"TLS1.2 ECDHE-RSA ChaCha20-Poly1305", rsaLeaf, tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, nil},
		{"TLS1.2 ECDHE-ECDSA ChaCha20-Poly1305", ecLeaf, tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := goServer(t, &tls.Config{
				Certificates:     []tls.Certificate{tt.leaf.TLSCertificate()},
				MinVersion:       tt.version,
				MaxVersion:       tt.version,
				CipherSuites:     []uint16{tt.suite},
				CurvePreferences: tt.curves,
			})
			c := Client(dial(t, addr), Config{Version: VersionTLS12, Suites: []uint16{tt.suite}, ServerName: "localhost"})
			if err := c.Handshake(); err != nil {
				t.Fatalf("handshake: %v", err)
			}
			if c.Version != tt.version || c.Suite.ID != tt.suite {
				t.Fatalf("negotiated 0x%04x/0x%04x", c.Version, c.Suite.ID)
			}
			if got := exchange(t, c); got != "HELLO PADLOCK" {
				t.Fatalf("answer %q", got)
			}
		})
	}
}

func TestClientGetsTicket(t *testing.T) {
	l := leaf(t, lab.KeyRSA2048)
	addr := goServer(t, &tls.Config{
		Certificates: []tls.Certificate{l.TLSCertificate()},
		MaxVersion:   tls.VersionTLS12,
	})
	c := Client(dial(t, addr), Config{Suites: []uint16{0xc02f}, OfferTicket: true})
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	if len(c.Ticket) == 0 {
		t.Fatal("no ticket")
	}
	if got := exchange(t, c); got != "HELLO PADLOCK" {
		t.Fatalf("answer %q", got)
	}
}

// TestOwnServer runs the client against this package's server.
func TestOwnServer(t *testing.T) {
	l := leaf(t, lab.KeyRSA2048)
	key := l.Key.(*rsa.PrivateKey)
	for _, v := range []uint16{VersionTLS10, VersionTLS11, VersionTLS12} {
		// AES, 3DES, RC4, AES-GCM; ARIA-CBC and Camellia-GCM, which no
		// server on the test machine speaks (OpenSSL has neither as a TLS
		// suite, Debian's Mbed TLS is built without ARIA): their block
		// ciphers are checked against their RFCs and openssl enc, the
		// record layer against real servers with the other suites.
		for _, suite := range []uint16{0x002f, 0x0035, 0x000a, 0x003c, 0x0005, 0x009c, 0xc03c, 0xc03d, 0xc07a, 0xc07b, 0x0041, 0x00c0} {
			s, _ := SuiteByID(suite)
			if s.Min > 0x0303 || (v < VersionTLS12 && s.Min == 0x0303) {
				continue
			}
			cc, sc := net.Pipe()
			cfg := &ServerConfig{Certificates: l.Chain, Key: key, Suites: []uint16{suite}, Ticket: []byte("ticket!")}
			errc := make(chan error, 1)
			go func() {
				srv := Server(sc)
				err := srv.ServerHandshake(cfg)
				if err == nil {
					var rec tlswire.Record
					rec, err = srv.ReadRecord()
					if err == nil {
						err = srv.WriteRecord(tlswire.TypeApplicationData, bytes.ToUpper(rec.Payload))
					}
				}
				sc.Close()
				errc <- err
			}()
			cc.SetDeadline(time.Now().Add(5 * time.Second))
			c := Client(cc, Config{Version: v, Suites: []uint16{suite}, OfferTicket: true})
			if err := c.Handshake(); err != nil {
				t.Fatalf("0x%04x 0x%04x: %v", v, suite, err)
			}
			if string(c.Ticket) != "ticket!" {
				t.Errorf("ticket %q", c.Ticket)
			}
			if got := exchange(t, c); got != "HELLO PADLOCK" {
				t.Fatalf("answer %q", got)
			}
			if err := <-errc; err != nil {
				t.Fatalf("server: %v", err)
			}
			cc.Close()
		}
	}
}

// TestClientAgainstOpenSSL completes handshakes and exchanges data with
// openssl s_server for the suites crypto/tls does not serve: Camellia CBC
// (SHA-1, SHA-256, SHA-384 MACs), ARIA-GCM, the SHA-384 CBC MACs and
// ChaCha20-Poly1305 with DHE.
func TestClientAgainstOpenSSL(t *testing.T) {
	s := peer.OpenSSL(t, peer.OpenSSLOptions{
		MinProtocol: "TLSv1",
		MaxProtocol: "TLSv1.2",
		Ciphers:     "CAMELLIA:ARIA:ECDHE-RSA-AES256-SHA384:AES256-SHA256:DHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:@SECLEVEL=0",
		DHParam:     peer.DHParamsFile(t, 2048),
		Www:         true,
	})
	for _, tc := range []struct {
		version uint16
		name    string
	}{
		{VersionTLS10, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
		{VersionTLS11, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"},
		{VersionTLS12, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
		{VersionTLS12, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
		{VersionTLS12, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
		{VersionTLS12, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384"},
		{VersionTLS12, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
		{VersionTLS12, "TLS_RSA_WITH_ARIA_128_GCM_SHA256"},
		{VersionTLS12, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384"},
		{VersionTLS12, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
		{VersionTLS12, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
		{VersionTLS12, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
		{VersionTLS12, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, ok := registry.SuiteByName(tc.name)
			if !ok {
				t.Fatalf("unknown suite %s", tc.name)
			}
			if !Supported(rs.ID) {
				t.Fatalf("%s not supported", tc.name)
			}
			c := Client(dial(t, s.Addr), Config{Version: tc.version, Suites: []uint16{rs.ID}, ServerName: "localhost"})
			if err := c.Handshake(); err != nil {
				t.Fatalf("handshake: %v", err)
			}
			if c.Version != tc.version || c.Suite.ID != rs.ID {
				t.Fatalf("negotiated 0x%04x/0x%04x", c.Version, c.Suite.ID)
			}
			if err := c.WriteRecord(tlswire.TypeApplicationData, []byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
				t.Fatal(err)
			}
			// OpenSSL sends an empty record first at TLS 1.0 with CBC (its
			// BEAST countermeasure).
			var rec tlswire.Record
			var err error
			for range 3 {
				if rec, err = c.ReadRecord(); err != nil || len(rec.Payload) > 0 {
					break
				}
			}
			if err != nil {
				t.Fatalf("reading the answer: %v", err)
			}
			if rec.Type != tlswire.TypeApplicationData || !bytes.HasPrefix(rec.Payload, []byte("HTTP/1.0 200")) {
				t.Fatalf("answer %v %q", rec.Type, rec.Payload[:min(len(rec.Payload), 40)])
			}
		})
	}
}
