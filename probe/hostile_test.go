package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"padlock/lab"
	"padlock/lab/hostile"
	"padlock/registry"
)

// These tests use hostile mock servers: peers that misbehave in ways no
// real TLS server can be configured to. Each must give a clear error for
// the endpoint, never a crash, a hang or unbounded memory.

// mockServer accepts connections on loopback and hands each to serve.
func mockServer(t *testing.T, serve func(c net.Conn)) Endpoint {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				serve(c)
			})
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	ap := netip.MustParseAddrPort(ln.Addr().String())
	return Endpoint{Host: "localhost", IP: ap.Addr(), Port: ap.Port(), SNI: "localhost"}
}

// readHello drains what the client sends first, bounded.
func readHello(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 64<<10)
	_, _ = c.Read(buf)
}

func TestHostilePeers(t *testing.T) {
	tests := []struct {
		name  string
		serve func(c net.Conn)
		// want is a substring expected in the result's errors or
		// inconclusive reasons ("" when a clean "no TLS" is expected).
		want string
	}{
		{"closes at once", func(c net.Conn) {}, ""},
		{"reads then closes", func(c net.Conn) { readHello(c) }, ""},
		{"answers HTTP", func(c net.Conn) {
			readHello(c)
			_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
		}, "not"},
		{"sends garbage", func(c net.Conn) {
			readHello(c)
			_, _ = c.Write([]byte{0x16, 0x03, 0x03, 0xff, 0xff, 1, 2, 3})
		}, ""},
		{"stalls", func(c net.Conn) {
			readHello(c)
			time.Sleep(3 * time.Second)
		}, "timed out"},
		{"floods", func(c net.Conn) {
			readHello(c)
			// An endless handshake record stream of junk messages.
			rec := append([]byte{0x16, 0x03, 0x03, 0x40, 0x00}, make([]byte, 0x4000)...)
			for i := 0; i < 200; i++ {
				if _, err := c.Write(rec); err != nil {
					return
				}
			}
		}, ""},
		{"huge handshake header", func(c net.Conn) {
			readHello(c)
			_, _ = c.Write([]byte{0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0xff, 0xff, 0xff})
		}, ""},
		{"unoffered suite", func(c net.Conn) {
			readHello(c)
			sh := []byte{0x02, 0x00, 0x00, 0x26, 0x03, 0x03}
			sh = append(sh, make([]byte, 32)...)
			sh = append(sh, 0x00, 0x1a, 0x1a, 0x00) // no session id, suite 0x1a1a (GREASE, never offered), no compression
			rec := append([]byte{0x16, 0x03, 0x03, 0x00, byte(len(sh))}, sh...)
			_, _ = c.Write(rec)
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ep := mockServer(t, tt.serve)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			start := time.Now()
			res, err := Run(ctx, ep, Options{Timeout: time.Second, Budget: 20 * time.Second})
			if time.Since(start) > 25*time.Second {
				t.Fatalf("took %v", time.Since(start))
			}
			if res == nil {
				t.Fatal("nil result")
			}
			if errors.Is(err, ErrUnreachable) {
				t.Fatalf("reported unreachable: %v", err)
			}
			for _, p := range res.Protocols {
				if p.Supported {
					t.Errorf("%v reported supported by a hostile peer", p.Protocol)
				}
			}
			if tt.want != "" {
				var all []string
				for _, p := range res.Protocols {
					all = append(all, p.Inconclusive)
				}
				all = append(all, res.Errors...)
				if !strings.Contains(strings.Join(all, "\n"), tt.want) {
					t.Errorf("no %q in the reasons: %q", tt.want, all)
				}
			}
			if res.Connections == 0 || res.Connections > 40 {
				t.Errorf("opened %d connections", res.Connections)
			}
		})
	}
}

func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ap := netip.MustParseAddrPort(ln.Addr().String())
	ln.Close() // nothing listens there now
	res, err := Run(context.Background(), Endpoint{IP: ap.Addr(), Port: ap.Port()}, Options{Timeout: time.Second})
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if res == nil || res.Connections == 0 {
		t.Fatalf("result %+v", res)
	}
}

// longHelloIntolerant is a hostile mock in front of a real Go TLS server:
// it drops any connection whose ClientHello offers more than 128 suites
// (as some middleboxes and old servers do) and relays the rest untouched.
func longHelloIntolerant(t *testing.T, backend string) Endpoint {
	return mockServer(t, func(c net.Conn) {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf, ok := readFirstRecord(c)
		if !ok {
			return
		}
		// Handshake header (4) + version (2) + random (32) + session id.
		body := buf[5:]
		if len(body) < 39 {
			return
		}
		off := 38 + 1 + int(body[38])
		if len(body) < off+2 {
			return
		}
		if n := (int(body[off])<<8 | int(body[off+1])) / 2; n > 128 {
			return // the intolerance: close without a word
		}
		_ = c.SetReadDeadline(time.Time{})
		relay(c, backend, buf)
	})
}

// readFirstRecord reads the client's first TLS record whole, within c's
// deadline.
func readFirstRecord(c net.Conn) ([]byte, bool) {
	buf := make([]byte, 0, 8192)
	tmp := make([]byte, 8192)
	for len(buf) < 5 || len(buf) < 5+(int(buf[3])<<8|int(buf[4])) {
		n, err := c.Read(tmp)
		if err != nil {
			return nil, false
		}
		buf = append(buf, tmp[:n]...)
	}
	return buf, true
}

// relay passes a mock's connection through to the real server at
// backend: first (what the mock read) and then both directions until
// either side ends.
func relay(c net.Conn, backend string, first []byte) {
	b, err := net.Dial("tcp", backend)
	if err != nil {
		return
	}
	defer b.Close()
	if _, err := b.Write(first); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(b, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, b); done <- struct{}{} }()
	<-done
}

func TestLongHelloIntolerance(t *testing.T) {
	leaf, err := lab.SelfSigned(lab.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{leaf.TLSCertificate()},
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_CBC_SHA},
	})
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
	ep := longHelloIntolerant(t, ln.Addr().String())
	res, err := Run(context.Background(), ep, Options{Timeout: 3 * time.Second, SkipSimulation: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []registry.Protocol
	for _, p := range res.Protocols {
		if p.Supported {
			got = append(got, p.Protocol)
		}
	}
	if len(got) != 1 || got[0] != registry.TLS12 {
		t.Fatalf("protocols %v, want TLS 1.2 (found through the short hello)", got)
	}
	if len(res.Suites) != 1 || !res.Suites[0].Chunked || len(res.Suites[0].Suites) != 2 {
		t.Fatalf("suites %+v, want both suites, enumerated in chunks", res.Suites)
	}
	if res.SNIRequired {
		t.Error("SNI reported required: the no-SNI hello must be short too")
	}
	found := false
	for _, in := range res.Intolerance {
		found = found || in.Label == "long ClientHello"
	}
	if !found {
		t.Errorf("intolerance %+v lacks the long hello", res.Intolerance)
	}
}

// A server that resets the versions it has disabled (as SChannel does)
// still gets a definite "no" for them: it answered TLS 1.2, so it speaks
// TLS and the resets are its refusals.
func TestResetRefusalFromATLSServer(t *testing.T) {
	ap := hostile.Serve(t, hostile.ResetBelowTLS12)
	res, err := Run(context.Background(), Endpoint{IP: ap.Addr(), Port: ap.Port()},
		Options{Timeout: 2 * time.Second, SkipSimulation: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Protocols {
		switch {
		case p.Protocol == registry.TLS12 && !p.Supported:
			t.Errorf("TLS 1.2 not supported: %+v", p)
		case p.Protocol != registry.TLS12 && (p.Supported || p.Inconclusive != ""):
			t.Errorf("%v: %+v, want a definite no", p.Protocol, p)
		}
	}
}
