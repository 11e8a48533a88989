package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"padlock/fleet"
)

func TestIsPublic(t *testing.T) {
	for _, c := range []struct {
		addr   string
		public bool
	}{
		{"8.8.8.8", true},
		{"93.184.216.34", true},
		{"2606:4700::1111", true},
		{"2a00:1450:4009:81f::200e", true},
		{"100.63.255.255", true},
		{"100.128.0.0", true},
		{"172.32.0.1", true},
		{"64:ff9b::808:808", true},   // NAT64 of 8.8.8.8
		{"2002:808:808::1", true},    // 6to4 of 8.8.8.8
		{"::ffff:8.8.8.8", true},     // IPv4-mapped public
		{"10.0.0.1", false},          // private
		{"10.255.255.255", false},    // private
		{"172.16.0.1", false},        // private
		{"172.31.255.255", false},    // private
		{"192.168.1.1", false},       // private
		{"127.0.0.1", false},         // loopback
		{"127.8.9.10", false},        // loopback
		{"::1", false},               // loopback
		{"0.0.0.0", false},           // unspecified
		{"::", false},                // unspecified
		{"0.1.2.3", false},           // this network
		{"169.254.169.254", false},   // link-local (cloud metadata)
		{"fe80::1", false},           // link-local
		{"fe80::1%eth0", false},      // link-local with zone
		{"100.64.0.1", false},        // CGNAT
		{"100.127.255.254", false},   // CGNAT
		{"224.0.0.1", false},         // multicast
		{"239.255.255.250", false},   // multicast
		{"ff02::1", false},           // multicast
		{"ff05::2", false},           // multicast
		{"255.255.255.255", false},   // broadcast
		{"240.0.0.1", false},         // reserved
		{"192.0.2.1", false},         // documentation
		{"198.51.100.7", false},      // documentation
		{"203.0.113.9", false},       // documentation
		{"198.18.0.1", false},        // benchmarking
		{"192.0.0.8", false},         // IETF protocol assignments
		{"fc00::1", false},           // ULA
		{"fd12:3456:789a::1", false}, // ULA
		{"fec0::1", false},           // site-local
		{"2001:db8::1", false},       // documentation
		{"::ffff:10.0.0.1", false},   // IPv4-mapped private
		{"::ffff:127.0.0.1", false},  // IPv4-mapped loopback
		{"::ffff:169.254.169.254", false},
		{"::10.0.0.1", false},          // IPv4-compatible
		{"64:ff9b::a00:1", false},      // NAT64 of 10.0.0.1
		{"64:ff9b::7f00:1", false},     // NAT64 of 127.0.0.1
		{"64:ff9b:1::1", false},        // local-use NAT64
		{"2002:a00:1::1", false},       // 6to4 of 10.0.0.1
		{"2002:7f00:1::1", false},      // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", false},    // 6to4 of 192.168.1.1
		{"2001:0:4136:e378::1", false}, // Teredo
		{"100::1", false},              // discard
	} {
		a := netip.MustParseAddr(c.addr)
		if got := IsPublic(a); got != c.public {
			t.Errorf("IsPublic(%s) = %v, want %v", c.addr, got, c.public)
		}
	}
	if IsPublic(netip.Addr{}) {
		t.Error("the zero Addr is public")
	}
}

func TestGuardDialRefusesBeforeConnecting(t *testing.T) {
	r := stubResolver{
		"intranet.example": {"10.1.2.3"},
		"mixed.example":    {"8.8.8.8", "192.168.0.10"},
		"mapped.example":   {"::ffff:10.0.0.1"},
		"meta.example":     {"169.254.169.254"},
		"v6local.example":  {"fe80::1"},
	}
	g := newGuard(false, r, noDial(t))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, addr := range []string{
		"10.0.0.1:443", "127.0.0.1:443", "[::1]:443", "[::ffff:10.0.0.1]:443", "[64:ff9b::a00:1]:443",
		"[2002:a00:1::1]:443", "0.0.0.0:80", "[fd00::1]:443",
		"intranet.example:443", "mixed.example:443", "mapped.example:80", "meta.example:80", "v6local.example:443",
	} {
		c, err := g.Dial(ctx, "tcp", addr)
		if c != nil {
			c.Close()
		}
		if !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("Dial(%s): err %v, want ErrPrivateAddress", addr, err)
		}
	}
	if _, err := g.Dial(ctx, "tcp", "unknown.example:443"); err == nil || errors.Is(err, ErrPrivateAddress) {
		t.Errorf("unknown name: %v", err)
	}
	// As a resolver, the guard makes such names unresolvable.
	if as, err := g.LookupNetIP(ctx, "ip", "intranet.example"); err == nil {
		t.Errorf("LookupNetIP(intranet.example) = %v", as)
	}
	// With AllowPrivate the same addresses pass.
	called := 0
	open := newGuard(true, r, func(context.Context, string, string) (net.Conn, error) {
		called++
		return nil, errors.New("test: not really dialing")
	})
	if _, err := open.Dial(ctx, "tcp", "intranet.example:443"); errors.Is(err, ErrPrivateAddress) || called != 1 {
		t.Errorf("AllowPrivate: err %v, dials %d", err, called)
	}
}

// TestGuardSocketControl checks the last line of defence: the default
// dialer's Control refuses a loopback socket address even when the
// address did not come through the guard's own checks.
func TestGuardSocketControl(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- struct{}{}
			c.Close()
		}
	}()
	g := newGuard(false, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := g.base(ctx, "tcp", ln.Addr().String())
	if err == nil {
		c.Close()
		t.Fatal("the guarded socket dialer connected to loopback")
	}
	if !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("err %v", err)
	}
	select {
	case <-accepted:
		t.Error("a connection reached the listener")
	case <-time.After(100 * time.Millisecond):
	}
}

// TestPrivateTargetsRefused: the served scanner refuses loopback and
// private targets unless AllowPrivate, after resolution, without sending
// anything.
func TestPrivateTargetsRefused(t *testing.T) {
	ts, _ := newTestServer(t, Config{
		Resolver: stubResolver{
			"intranet.example": {"10.1.2.3"},
			"mixed.example":    {"8.8.8.8", "10.9.9.9"},
			"v6.example":       {"fd00::53"},
		},
		dial:        noDial(t),
		ScanOptions: fleet.Options{Retries: -1},
	})
	for _, host := range []string{"127.0.0.1", "10.0.0.1:8443", "[::1]", "intranet.example", "mixed.example", "v6.example", "169.254.169.254"} {
		r := do(t, "GET", ts.URL+"/api/v3/analyze?startNew=on&all=done&host="+host, testToken, nil)
		if h, _, _ := strings.Cut(strings.Trim(host, "[]"), "]"); net.ParseIP(strings.Split(h, ":8443")[0]) != nil {
			// Address literals are refused at once, as /api/v1/check does.
			if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "not a public address") {
				t.Errorf("%s: %d %s", host, r.status, r.body)
			}
			continue
		}
		if r.status != 200 {
			t.Fatalf("%s: %d %s", host, r.status, r.body)
		}
		var m map[string]any
		waitFor(t, 10*time.Second, 20*time.Millisecond, host+" to end", func() bool {
			m = do(t, "GET", ts.URL+"/api/v3/analyze?all=done&host="+host, "", nil).json(t)
			return m["status"] == "ERROR" || m["status"] == "READY"
		})
		if m["status"] != "ERROR" || !strings.Contains(m["statusMessage"].(string), "not a public address") {
			t.Errorf("%s: %v", host, m)
		}
		if eps := m["endpoints"].([]any); len(eps) != 0 {
			t.Errorf("%s: endpoints %v", host, eps)
		}
		if m["cacheExpiryTime"] == nil {
			t.Errorf("%s: an error without cacheExpiryTime", host)
		}
	}
	// The v1 check refuses address literals at once.
	r := do(t, "POST", ts.URL+"/api/v1/check", testToken, map[string]string{"host": "192.168.1.1"})
	if r.status != http.StatusBadRequest || errorCode(t, r) != "private_address" {
		t.Errorf("check 192.168.1.1: %d %s", r.status, r.body)
	}
	r = do(t, "POST", ts.URL+"/api/v1/scans", testToken, map[string]any{"targets": []map[string]string{{"url": "https://[fd00::1]:8443/"}}})
	if r.status != http.StatusBadRequest || errorCode(t, r) != "private_address" {
		t.Errorf("scan of fd00::1: %d %s", r.status, r.body)
	}
	// A scan of a name that resolves privately runs, and ends
	// inconclusive without a connection.
	r = do(t, "POST", ts.URL+"/api/v1/scans", testToken, map[string]any{"name": "sneaky", "targets": []map[string]string{{"organisation": "Intranet", "url": "https://intranet.example/"}}})
	if r.status != http.StatusAccepted {
		t.Fatalf("scan: %d %s", r.status, r.body)
	}
	id := r.json(t)["scan"].(map[string]any)["id"].(float64)
	waitFor(t, 30*time.Second, 50*time.Millisecond, "the scan to finish", func() bool {
		r := do(t, "GET", ts.URL+"/api/v1/scans/"+ftoa(id), "", nil)
		return r.json(t)["scan"].(map[string]any)["status"] == "finished"
	})
	r = do(t, "GET", ts.URL+"/api/v1/scans/"+ftoa(id)+"/assessments", "", nil)
	a := r.json(t)["assessments"].([]any)[0].(map[string]any)
	if a["grade"] != "" || a["inconclusive"] == "" {
		t.Errorf("private scan target: %v", a)
	}
}

func ftoa(f float64) string { return strconv.Itoa(int(f)) }
