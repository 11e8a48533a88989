package assess

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"padlock/probe"
)

func TestReadHead(t *testing.T) {
	for _, c := range []struct {
		in      string
		status  int
		headers int
		err     string
	}{
		{"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\n\r\nbody", 200, 2, ""},
		{"HTTP/1.0 301 Moved\nLocation: https://other.example/\n\n", 301, 1, ""},
		{"HTTP/1.1 200 OK\r\nX-Bad: a\x00b\r\n\r\n", 200, 0, "control character"},
		{"SSH-2.0-OpenSSH\r\n", 0, 0, "not an HTTP status line"},
		{"HTTP/1.1 200 OK\r\nServer: x\r\n", 200, 1, "ended early"},
		{"HTTP/1.1 200 OK\r\n" + strings.Repeat("A: b\r\n", 200) + "\r\n", 200, httpGetMaxHeaders, "more than"},
		{"HTTP/1.1 200 OK\r\nBig: " + strings.Repeat("x", 70<<10) + "\r\n\r\n", 200, 0, "64 KiB"},
	} {
		var tx HTTPTransaction
		err := readHead(strings.NewReader(c.in), &tx)
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%.40q: err %v, want %q", c.in, err, c.err)
		}
		if tx.StatusCode != c.status || len(tx.ResponseHeaders) != c.headers {
			t.Errorf("%.40q: status %d headers %d", c.in, tx.StatusCode, len(tx.ResponseHeaders))
		}
	}
}

// FuzzReadHead: any bytes give a bounded result or an error, never a
// panic, and never a control character in what is kept.
func FuzzReadHead(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 302 Found\r\nLocation: https://x.example/\r\nSet-Cookie: a=b\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 999\r\n\r\n"))
	f.Add([]byte("\x16\x03\x01\x00\x05hello"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var tx HTTPTransaction
		_ = readHead(strings.NewReader(string(b)), &tx)
		if len(tx.ResponseHeadersRaw) > httpGetMaxHeaders {
			t.Fatalf("%d headers kept", len(tx.ResponseHeadersRaw))
		}
		for _, l := range append(tx.ResponseHeadersRaw, tx.ResponseLine) {
			for _, r := range l {
				if (r < 0x20 && r != '\t') || r == 0x7f {
					t.Fatalf("control character kept: %q", l)
				}
			}
		}
		if utf8.ValidString(tx.ResponseLine) && !utf8.ValidString(clipText(tx.ResponseLine, 80)) {
			t.Fatalf("clipping broke UTF-8: %q", tx.ResponseLine)
		}
	})
}

// TestFollowGet drives followGet against a Go net/http TLS server on
// loopback: same-host redirects are followed, a redirect to another host
// is httpForwarding, a redirect loop stops after maxHTTPRedirects.
func TestFollowGet(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "lab/1")
		switch r.URL.Path {
		case "/":
			http.Redirect(w, r, "/a?x=1", http.StatusFound)
		case "/a":
			http.Redirect(w, r, "https://other.example/x", http.StatusMovedPermanently)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	srv.StartTLS()
	defer srv.Close()
	ap := netip.MustParseAddrPort(strings.TrimPrefix(srv.URL, "https://"))
	pe := probe.Endpoint{Host: "localhost", IP: ap.Addr(), Port: ap.Port(), SNI: "localhost"}
	dial := probe.NewDialer(pe, probe.Options{Timeout: 5 * time.Second})

	d := &EndpointDetails{}
	followGet(context.Background(), dial, pe, "localhost", d)
	if len(d.HTTPTransactions) != 2 || d.HTTPStatusCode != 301 || d.HTTPForwarding != "https://other.example/x" || d.ServerSignature != "lab/1" {
		t.Errorf("status %d forwarding %q server %q, %d transactions", d.HTTPStatusCode, d.HTTPForwarding, d.ServerSignature, len(d.HTTPTransactions))
	}
	if len(d.HTTPTransactions) == 2 && d.HTTPTransactions[1].RequestLine != "GET /a?x=1 HTTP/1.1" {
		t.Errorf("second request %q", d.HTTPTransactions[1].RequestLine)
	}

	tx := httpGet(context.Background(), dial, pe, "localhost", "/loop")
	if tx.StatusCode != 302 {
		t.Fatalf("loop: %+v", tx)
	}
	d = &EndpointDetails{}
	followLoop := func() { followGetAfter(context.Background(), dial, pe, "localhost", "/loop", nil, d) }
	followLoop()
	if len(d.HTTPTransactions) != maxHTTPRedirects+1 || d.HTTPStatusCode != 302 {
		t.Errorf("loop: %d transactions, status %d", len(d.HTTPTransactions), d.HTTPStatusCode)
	}
}

// TestALPNList: the whole list from a real crypto/tls server, and no list
// claimed complete when a connection is lost midway (a hostile mock that
// resets every connection after the first).
func TestALPNList(t *testing.T) {
	for _, tc := range []struct {
		name         string
		protos       []string
		dropAfter    int // close connections after this many (0: never)
		want         []string
		wantComplete bool
	}{
		{"whole list, server order", []string{"http/1.1", "h2"}, 0, []string{"http/1.1", "h2"}, true},
		{"one protocol", []string{"http/1.1"}, 0, []string{"http/1.1"}, true},
		// crypto/tls with only h2 lets a client offering http/1.1 in
		// without ALPN: it selects nothing, which ends the list.
		{"h2 only, then no selection", []string{"h2"}, 0, []string{"h2"}, true},
		{"no ALPN at all", nil, 0, nil, true},
		{"lost midway (hostile mock)", []string{"http/1.1", "h2"}, 1, []string{"http/1.1"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cert := httptest.NewUnstartedServer(nil)
			cert.StartTLS() // only for its certificate
			defer cert.Close()
			cfg := cert.TLS.Clone()
			cfg.NextProtos = tc.protos
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				for n := 1; ; n++ {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					if tc.dropAfter > 0 && n > tc.dropAfter {
						c.Close()
						continue
					}
					go func() {
						tc := tls.Server(c, cfg)
						_ = tc.Handshake()
						tc.Close()
					}()
				}
			}()
			ap := netip.MustParseAddrPort(ln.Addr().String())
			pe := probe.Endpoint{Host: "localhost", IP: ap.Addr(), Port: ap.Port(), SNI: "localhost"}
			list, complete, conns := alpnList(context.Background(), probe.NewDialer(pe, probe.Options{Timeout: 5 * time.Second}), pe, nil)
			if !slices.Equal(list, tc.want) || complete != tc.wantComplete || conns == 0 {
				t.Errorf("list %q complete %v (%d connections), want %q complete %v", list, complete, conns, tc.want, tc.wantComplete)
			}
		})
	}
}

// TestGetOnALPNConnection: GET / rides on the ALPN list's first connection
// when a Go net/http TLS server chooses HTTP/1.1 there, with the same
// transaction as on a connection of its own; when it chooses h2, GET /
// opens its own connection. The redirect it answers is followed on a new
// connection either way.
func TestGetOnALPNConnection(t *testing.T) {
	for _, tc := range []struct {
		name      string
		http2     bool
		wantALPN  []string
		wantConns int // ALPN list and GET / together
	}{
		{"HTTP/1.1 only", false, []string{"http/1.1"}, 2 + 1},
		{"h2 first", true, []string{"h2", "http/1.1"}, 3 + 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Server", "lab/1")
				if r.URL.Path == "/" {
					http.Redirect(w, r, "/next", http.StatusFound)
					return
				}
				w.WriteHeader(http.StatusTeapot)
			}))
			srv.EnableHTTP2 = tc.http2
			if tc.http2 {
				srv.TLS = &tls.Config{NextProtos: []string{"h2", "http/1.1"}}
			}
			srv.StartTLS()
			defer srv.Close()
			ap := netip.MustParseAddrPort(strings.TrimPrefix(srv.URL, "https://"))
			pe := probe.Endpoint{Host: "localhost", IP: ap.Addr(), Port: ap.Port(), SNI: "localhost"}
			dial := probe.NewDialer(pe, probe.Options{Timeout: 5 * time.Second})
			ctx := context.Background()

			var first *HTTPTransaction
			get := func(c *tls.Conn) {
				tx := newGet(pe, "localhost", "/")
				sendGet(c, &tx)
				first = &tx
			}
			list, complete, _ := alpnList(ctx, dial, pe, get)
			if !slices.Equal(list, tc.wantALPN) || !complete {
				t.Errorf("ALPN %q complete %v, want %q", list, complete, tc.wantALPN)
			}
			if (first != nil) == tc.http2 {
				t.Fatalf("GET on the ALPN connection: %v, server offers h2: %v", first != nil, tc.http2)
			}
			d := &EndpointDetails{}
			followGetAfter(ctx, dial, pe, "localhost", "/", first, d)
			if got := dial.Connections(); got != tc.wantConns {
				t.Errorf("%d connections, want %d", got, tc.wantConns)
			}
			alone := httpGet(ctx, probe.NewDialer(pe, probe.Options{Timeout: 5 * time.Second}), pe, "localhost", "/")
			if len(d.HTTPTransactions) != 2 || d.HTTPStatusCode != http.StatusTeapot || d.ServerSignature != "lab/1" {
				t.Fatalf("status %d server %q, %d transactions", d.HTTPStatusCode, d.ServerSignature, len(d.HTTPTransactions))
			}
			got, want := d.HTTPTransactions[0], alone
			if got.RequestLine != want.RequestLine || got.StatusCode != want.StatusCode || !slices.Equal(got.RequestHeaders, want.RequestHeaders) ||
				len(got.ResponseHeaders) != len(want.ResponseHeaders) || got.PadlockError != "" {
				t.Errorf("GET / on the ALPN connection %+v, alone %+v", got, want)
			}
		})
	}
}
