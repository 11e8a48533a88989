package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"time"

	"padlock/assess"
)

// ErrPrivateAddress is returned (wrapped) when a target resolves to, or a
// connection would go to, an address that is not public.
var ErrPrivateAddress = errors.New("not a public address")

// nonPublic are the ranges the served scanner refuses by default: private,
// loopback, link-local, shared (CGNAT), multicast, documentation,
// benchmarking, reserved and unspecified addresses, IPv4 and IPv6.
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		// IPv4 (RFC 6890 and successors).
		"0.0.0.0/8",       // "this network", unspecified
		"10.0.0.0/8",      // private
		"100.64.0.0/10",   // shared address space (CGNAT)
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local
		"172.16.0.0/12",   // private
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation (TEST-NET-1)
		"192.88.99.0/24",  // 6to4 relay anycast (deprecated)
		"192.168.0.0/16",  // private
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation (TEST-NET-2)
		"203.0.113.0/24",  // documentation (TEST-NET-3)
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, and the broadcast address
		"::/128",          // unspecified
		"::1/128",         // loopback
		"::/96",           // IPv4-compatible (deprecated)
		"64:ff9b:1::/48",  // local-use NAT64
		"100::/64",        // discard-only
		"2001::/32",       // Teredo (embeds an obfuscated IPv4 address)
		"2001:2::/48",     // benchmarking
		"2001:db8::/32",   // documentation
		"3fff::/20",       // documentation
		"fc00::/7",        // unique local (ULA)
		"fe80::/10",       // link-local
		"fec0::/10",       // site-local (deprecated)
		"ff00::/8",        // multicast
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// IsPublic reports whether a is a public unicast address: one the served
// scanner may connect to without AllowPrivate. IPv4-mapped IPv6 addresses
// are judged by their IPv4 address, and so are the IPv4 addresses embedded
// in NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses.
func IsPublic(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		switch {
		case nat64.Contains(a):
			b := a.As16()
			return IsPublic(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(a):
			b := a.As16()
			return IsPublic(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() || a.IsMulticast() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// guard decides which addresses the server's scans may reach, and dials
// only those. With allowPrivate every address is allowed.
type guard struct {
	allowPrivate bool
	resolver     assess.Resolver
	// base opens connections to addresses already checked (tests replace
	// it); default a net.Dialer whose Control checks the socket address
	// once more.
	base dialFunc
}

// dialFunc opens a connection (net.Dialer.DialContext's shape).
type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

func newGuard(allowPrivate bool, r assess.Resolver, base dialFunc) *guard {
	g := &guard{allowPrivate: allowPrivate, resolver: r, base: base}
	if g.resolver == nil {
		g.resolver = net.DefaultResolver
	}
	if g.base == nil {
		d := &net.Dialer{Timeout: 30 * time.Second, Control: g.control}
		g.base = d.DialContext
	}
	return g
}

// check returns an error wrapping ErrPrivateAddress when a may not be
// reached.
func (g *guard) check(a netip.Addr) error {
	if g.allowPrivate || IsPublic(a) {
		return nil
	}
	return fmt.Errorf("%s is %w (private, loopback, link-local, shared, multicast or reserved); padlock serve refuses such targets unless started with --allow-internal-targets", a.Unmap(), ErrPrivateAddress)
}

// control is net.Dialer.Control: the last check, on the very address the
// socket is about to connect to.
func (g *guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("guard: unexpected socket address %q", address)
	}
	return g.check(ap.Addr())
}

// resolve looks host up (or parses it as an address) and returns its
// addresses, unmapped, without zone, sorted and without duplicates. It
// fails when the name does not resolve or when any address may not be
// reached: a name with one private address among public ones is refused
// whole, so that what was checked is exactly what will be assessed.
func (g *guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	var found []netip.Addr
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		found = []netip.Addr{a}
	} else {
		found, err = g.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errResolve, err)
		}
	}
	out := make([]netip.Addr, 0, len(found))
	for _, a := range found {
		if !a.IsValid() {
			continue
		}
		a = a.Unmap().WithZone("")
		if err := g.check(a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no address", errResolve)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out), nil
}

// errResolve: the name did not resolve.
var errResolve = errors.New("unable to resolve domain name")

// LookupNetIP lets the guard stand in as a Resolver: names resolving to a
// refused address do not resolve at all.
func (g *guard) LookupNetIP(ctx context.Context, _, host string) ([]netip.Addr, error) {
	return g.resolve(ctx, host)
}

// Dial connects to addr ("host:port"), resolving a name with the guard's
// resolver and refusing addresses that may not be reached; each address is
// checked again at the socket. It is the dialer of every connection the
// server's scans open.
func (g *guard) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	addrs, err := g.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		c, err := g.base(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}
