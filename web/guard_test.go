package web

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"padlock/lab"
	"padlock/netguard"
)

// recordingDial sends every connection to 127.0.0.1 on the port asked,
// and records the addresses it was asked for.
type recordingDial struct {
	mu    sync.Mutex
	addrs []string
}

func (d *recordingDial) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.addrs = append(d.addrs, addr)
	d.mu.Unlock()
	return loopbackDial(ctx, network, addr)
}

func (d *recordingDial) asked() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}

// TestSiteCannotLeadToPrivateAddresses: a site (a Go net/http server on
// loopback, reached as site.example) redirects to a name on the same site
// that resolves to a non-public address. The checked host itself is
// reached; the other name is refused before any connection, unless the
// caller allows private addresses.
func TestSiteCannotLeadToPrivateAddresses(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, port, _ := net.SplitHostPort(r.Host)
		if strings.HasPrefix(r.Host, "site.example") {
			http.Redirect(w, r, "http://www.site.example:"+port+"/", http.StatusMovedPermanently)
			return
		}
		io.WriteString(w, "<html><title>www</title></html>")
	}))
	defer srv.Close()
	port, _ := strconv.Atoi(srv.URL[strings.LastIndex(srv.URL, ":")+1:])
	for _, private := range []string{"169.254.169.254", "10.0.0.1", "fd00::1", "100.64.0.1", "127.0.0.1"} {
		var d recordingDial
		res := Check(context.Background(), "site.example", uint16(port), 1, Options{
			Timeout:         2 * time.Second,
			Dial:            d.dial,
			Resolver:        lab.Names{"www.site.example": {private}},
			IgnoreRobotsTxt: true,
			MaxPages:        2,
		})
		hops := res.HTTPRedirects
		if len(hops) != 2 || hops[0].Status != 301 || !strings.Contains(hops[1].Error, "not a public address") {
			t.Errorf("%s: hops %+v", private, hops)
		}
		for _, a := range d.asked() {
			if !strings.HasPrefix(a, "site.example:") {
				t.Errorf("%s: dialled %s", private, a)
			}
		}
		if res.SecureByDefault {
			t.Errorf("%s: secure by default", private)
		}
	}

	// Allowed explicitly (tests and the lab), the same redirect is followed.
	var d recordingDial
	res := Check(context.Background(), "site.example", uint16(port), 1, Options{
		Timeout: 2 * time.Second, Dial: d.dial, Policy: netguard.AllowPrivate, IgnoreRobotsTxt: true, MaxPages: 2,
	})
	if hops := res.HTTPRedirects; len(hops) != 2 || hops[1].Status != 200 {
		t.Errorf("AllowPrivate: hops %+v", hops)
	}
	if got := d.asked(); !slices.ContainsFunc(got, func(a string) bool { return strings.HasPrefix(a, "www.site.example:") }) {
		t.Errorf("AllowPrivate: dialled %v", got)
	}
}

// TestGuardRefusesBeforeDialling: with the default dialer the redirect
// target's address is refused after resolution, and never connected to.
func TestGuardRefusesBeforeDialling(t *testing.T) {
	t.Parallel()
	dialled := 0
	g := guardedDial(Options{Timeout: time.Second, Resolver: lab.Names{"meta.example": {"169.254.169.254"}},
		Dial: func(context.Context, string, string) (net.Conn, error) {
			dialled++
			return nil, errors.New("test: no dialling")
		}}, "site.example")
	for _, addr := range []string{"meta.example:80", "169.254.169.254:80", "[fd00::1]:443", "10.1.2.3:8080"} {
		if _, err := g(context.Background(), "tcp", addr); !errors.Is(err, netguard.ErrPrivateAddress) {
			t.Errorf("%s: %v", addr, err)
		}
	}
	if dialled != 0 {
		t.Errorf("%d dials", dialled)
	}
	// The checked host goes through as it is, whatever it resolves to.
	if _, err := g(context.Background(), "tcp", "SITE.example.:80"); err == nil || dialled != 1 {
		t.Errorf("checked host: %v, %d dials", err, dialled)
	}
}

// hostileHTTP is a hostile mock of a plain-HTTP server: it answers every
// connection with resp, whatever was asked, then closes.
func hostileHTTP(t *testing.T, resp func(w io.Writer)) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
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
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				buf := make([]byte, 4096)
				_, _ = c.Read(buf)
				resp(c)
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestUnusableAnswerIsNotSilence: a 10 MB response header or a Location
// with escape bytes is refused, and reported as an answer padlock could not
// use, with the reason, not as "no answer on the HTTP port".
func TestUnusableAnswerIsNotSilence(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, want string
		resp       func(w io.Writer)
	}{
		{"10 MB header", "exceeded", func(w io.Writer) {
			io.WriteString(w, "HTTP/1.1 200 OK\r\nX-Big: ")
			chunk := strings.Repeat("a", 64<<10)
			for range 160 {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
			io.WriteString(w, "\r\n\r\n")
		}},
		{"escape bytes in Location", "malformed", func(w io.Writer) {
			io.WriteString(w, "HTTP/1.1 301 Moved\r\nLocation: https://x.example/\x1b[2J\x1b]0;owned\x07\r\nContent-Length: 0\r\n\r\n")
		}},
	} {
		port := hostileHTTP(t, c.resp)
		res := Check(context.Background(), "127.0.0.1", uint16(port), 1, Options{Timeout: 5 * time.Second, IgnoreRobotsTxt: true, MaxPages: 2})
		if res.SecureByDefaultReason != ReasonHTTPError {
			t.Errorf("%s: reason %s", c.name, res.SecureByDefaultReason)
		}
		if h := res.HTTPRedirects; len(h) != 1 || !strings.Contains(h[0].Error, "the server answered") || !strings.Contains(h[0].Error, c.want) {
			t.Errorf("%s: hops %+v", c.name, h)
		}
	}
}
