package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"padlock/lab"
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
		{"fd00::1", false},           // ULA
		{"fd12:3456:789a::1", false}, // ULA
		{"fec0::1", false},           // site-local
		{"2001:db8::1", false},       // documentation
		{"::ffff:10.0.0.1", false},   // IPv4-mapped private
		{"::ffff:127.0.0.1", false},  // IPv4-mapped loopback
		{"::ffff:169.254.169.254", false},
		{"::10.0.0.1", false},          // IPv4-compatible
		{"64:ff9b::a00:1", false},      // NAT64 of 10.0.0.1
		{"64:ff9b::7f00:1", false},     // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", false},  // NAT64 of 169.254.169.254
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
		if !AllowPrivate.Allows(a) {
			t.Errorf("AllowPrivate refuses %s", c.addr)
		}
		if got := PublicOnly.Allows(a); got != c.public {
			t.Errorf("PublicOnly.Allows(%s) = %v", c.addr, got)
		}
	}
	if IsPublic(netip.Addr{}) {
		t.Error("the zero Addr is public")
	}
	var zero Policy
	if zero != PublicOnly {
		t.Error("the zero Policy is not PublicOnly")
	}
}

// noDial fails the test if anything is dialled.
func noDial(t *testing.T) DialFunc {
	return func(_ context.Context, network, addr string) (net.Conn, error) {
		t.Errorf("unexpected dial %s %s", network, addr)
		return nil, errors.New("test: dialing is not allowed here")
	}
}

// TestDialRefusesBeforeConnecting: refused names and addresses never reach
// the dialer (nothing is sent anywhere: Next fails the test if called).
func TestDialRefusesBeforeConnecting(t *testing.T) {
	r := lab.Names{
		"intranet.example": {"10.1.2.3"},
		"mixed.example":    {"8.8.8.8", "192.168.0.10"},
		"mapped.example":   {"::ffff:10.0.0.1"},
		"meta.example":     {"169.254.169.254"},
		"v6local.example":  {"fe80::1"},
		"ula.example":      {"fd00::1"},
		"cgnat.example":    {"100.64.1.1"},
	}
	g := &Guard{Resolver: r, Next: noDial(t), Hint: "test hint"}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, addr := range []string{
		"10.0.0.1:443", "127.0.0.1:443", "[::1]:443", "[::ffff:10.0.0.1]:443", "[64:ff9b::a00:1]:443",
		"[2002:a00:1::1]:443", "0.0.0.0:80", "[fd00::1]:443", "169.254.169.254:80", "100.64.0.1:80",
		"intranet.example:443", "mixed.example:443", "mapped.example:80", "meta.example:80", "v6local.example:443",
		"ula.example:443", "cgnat.example:80",
	} {
		c, err := g.Dial(ctx, "tcp", addr)
		if c != nil {
			c.Close()
		}
		if !errors.Is(err, ErrPrivateAddress) || !strings.HasSuffix(err.Error(), "; test hint") {
			t.Errorf("Dial(%s): err %v, want ErrPrivateAddress with the hint", addr, err)
		}
	}
	if _, err := g.Dial(ctx, "tcp", "unknown.example:443"); !errors.Is(err, ErrUnresolved) || errors.Is(err, ErrPrivateAddress) {
		t.Errorf("unknown name: %v", err)
	}
	// As a resolver, the guard makes such names unresolvable.
	if as, err := g.LookupNetIP(ctx, "ip", "intranet.example"); err == nil {
		t.Errorf("LookupNetIP(intranet.example) = %v", as)
	}
	// With AllowPrivate the same addresses pass, resolved: the dialer gets
	// the address, not the name.
	var dialled []string
	open := &Guard{Policy: AllowPrivate, Resolver: r, Next: func(_ context.Context, _, addr string) (net.Conn, error) {
		dialled = append(dialled, addr)
		return nil, errors.New("test: not really dialing")
	}}
	if _, err := open.Dial(ctx, "tcp", "intranet.example:443"); errors.Is(err, ErrPrivateAddress) || len(dialled) != 1 || dialled[0] != "10.1.2.3:443" {
		t.Errorf("AllowPrivate: err %v, dials %v", err, dialled)
	}
}

// TestSocketControl checks the last line of defence: the default dialer's
// Control refuses a loopback socket address even when the address did not
// come through the guard's own checks; under AllowPrivate it connects.
func TestSocketControl(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := NewDialer(PublicOnly, "", time.Second).DialContext(ctx, "tcp", ln.Addr().String())
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
	// The zero Guard dials through such a dialer.
	var g Guard
	if c, err := g.Dial(ctx, "tcp", ln.Addr().String()); err == nil || !errors.Is(err, ErrPrivateAddress) {
		if c != nil {
			c.Close()
		}
		t.Errorf("zero Guard: %v", err)
	}
	open := &Guard{Policy: AllowPrivate}
	c, err = open.Dial(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
	c.Close()
	select {
	case <-accepted:
	case <-time.After(5 * time.Second):
		t.Error("AllowPrivate: the connection did not arrive")
	}
}
