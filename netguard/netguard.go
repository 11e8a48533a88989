// Package netguard keeps padlock's connections away from private, loopback,
// link-local and other non-public addresses when they were not the
// operator's choice.
//
// The targets an operator names are theirs to choose; the addresses a
// scanned site hands padlock (AIA caIssuers URLs, redirects, links, and in
// `padlock serve` the targets an API client names) are not. A Guard checks
// such addresses against a Policy twice: after DNS resolution (a name with
// one refused address among allowed ones is refused whole, so that what was
// checked is exactly what is dialled) and once more at the socket
// (net.Dialer.Control), on the very address the connection is about to use.
// Redirects are covered because every hop is a new dial through the Guard.
//
// The zero Policy, PublicOnly, refuses every non-public address;
// AllowPrivate (tests, the lab and demo on loopback) allows everything.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"time"
)

// ErrPrivateAddress is returned (wrapped) when a name resolves to, or a
// connection would go to, an address the Policy refuses.
var ErrPrivateAddress = errors.New("not a public address")

// ErrUnresolved is returned (wrapped) when a name does not resolve.
var ErrUnresolved = errors.New("unable to resolve domain name")

// Policy says which addresses a Guard lets through.
type Policy uint8

const (
	// PublicOnly refuses every address that is not public (IsPublic): the
	// default.
	PublicOnly Policy = iota
	// AllowPrivate lets every address through: for tests, the lab and the
	// demo, which run on loopback, and for operators scanning their own
	// private networks on purpose.
	AllowPrivate
)

func (p Policy) String() string {
	switch p {
	case PublicOnly:
		return "public-only"
	case AllowPrivate:
		return "allow-private"
	}
	return fmt.Sprintf("Policy(%d)", uint8(p))
}

// Allows reports whether the policy lets a connection go to a.
func (p Policy) Allows(a netip.Addr) bool { return p == AllowPrivate || IsPublic(a) }

// nonPublic are the ranges PublicOnly refuses beyond those netip.Addr
// classifies itself: private, loopback, link-local, shared (CGNAT),
// multicast, documentation, benchmarking, reserved and unspecified
// addresses, IPv4 and IPv6.
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		// IPv4 (RFC 6890 and successors).
		"0.0.0.0/8",       // "this network", unspecified
		"10.0.0.0/8",      // private
		"100.64.0.0/10",   // shared address space (CGNAT)
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local (and cloud metadata services)
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
		"fc00::/7",        // unique local (ULA), fd00::/8 included
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

// IsPublic reports whether a is a public unicast address. IPv4-mapped IPv6
// addresses are judged by their IPv4 address, and so are the IPv4
// addresses embedded in NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
// addresses.
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

// Resolver looks up the addresses of a host name. *net.Resolver satisfies
// it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// SiteHint ends the refusal of an address a scanned site handed padlock
// (an AIA URL, a redirect, a link).
const SiteHint = "padlock does not follow a scanned site to such addresses unless its operator allows them (check and scan: --allow-internal-fetches; serve: --allow-internal-targets)"

// DialFunc opens a connection (net.Dialer.DialContext's shape).
type DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// DefaultDialTimeout bounds a connection of the Guard's own dialer.
const DefaultDialTimeout = 30 * time.Second

// Guard resolves names and opens connections under a Policy. Its zero
// value refuses every non-public address, resolves with
// net.DefaultResolver and dials with a net.Dialer whose Control checks the
// socket address. A Guard is safe for concurrent use.
type Guard struct {
	Policy Policy
	// Resolver resolves names (default net.DefaultResolver).
	Resolver Resolver
	// Next opens connections to addresses already checked ("IP:port");
	// default NewDialer(Policy, Hint, 0).DialContext, which checks the
	// socket address once more. A caller that needs its own dialer (per-IP
	// politeness, a test's loopback) sets it and gives up that last check.
	Next DialFunc
	// Hint ends every refusal, telling the operator how to allow it, e.g.
	// "padlock serve refuses such targets unless started with
	// --allow-internal-targets".
	Hint string
}

// Check returns an error wrapping ErrPrivateAddress when the policy
// refuses a.
func (g *Guard) Check(a netip.Addr) error { return check(g.Policy, a, g.Hint) }

func check(p Policy, a netip.Addr, hint string) error {
	if p.Allows(a) {
		return nil
	}
	err := fmt.Errorf("%s is %w (private, loopback, link-local, shared, multicast or reserved)", a.Unmap(), ErrPrivateAddress)
	if hint != "" {
		err = fmt.Errorf("%w; %s", err, hint)
	}
	return err
}

// NewDialer returns a net.Dialer (timeout 0: DefaultDialTimeout) whose
// Control refuses, under p, the address every socket is about to connect
// to: the last line of defence, whatever resolved the name.
func NewDialer(p Policy, hint string, timeout time.Duration) *net.Dialer {
	if timeout <= 0 {
		timeout = DefaultDialTimeout
	}
	return &net.Dialer{Timeout: timeout, Control: func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("netguard: unexpected socket address %q", address)
		}
		return check(p, ap.Addr(), hint)
	}}
}

// Resolve looks host up (or parses it as an address, brackets allowed) and
// returns its addresses, unmapped, without zone, sorted and without
// duplicates. It fails when the name does not resolve or when the policy
// refuses any of its addresses: a name with one private address among
// public ones is refused whole.
func (g *Guard) Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	var found []netip.Addr
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		found = []netip.Addr{a}
	} else {
		r := g.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		found, err = r.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnresolved, err)
		}
	}
	out := make([]netip.Addr, 0, len(found))
	for _, a := range found {
		if !a.IsValid() {
			continue
		}
		a = a.Unmap().WithZone("")
		if err := g.Check(a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no address", ErrUnresolved)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out), nil
}

// LookupNetIP lets the Guard stand in as a Resolver: names resolving to a
// refused address do not resolve at all.
func (g *Guard) LookupNetIP(ctx context.Context, _, host string) ([]netip.Addr, error) {
	return g.Resolve(ctx, host)
}

// Dial connects to addr ("host:port"): it resolves a name (Resolve),
// refuses addresses the policy does not allow before any connection is
// attempted, and tries the addresses in turn with Next.
func (g *Guard) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	addrs, err := g.Resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	next := g.Next
	if next == nil {
		next = NewDialer(g.Policy, g.Hint, 0).DialContext
	}
	var errs []error
	for _, a := range addrs {
		c, err := next(ctx, network, net.JoinHostPort(a.String(), port))
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

// Transport returns an HTTP transport whose every connection, redirects
// included, dials through g, never through a proxy from the environment,
// with bounded handshakes and response headers: for fetching what a site
// points to (AIA caIssuers URLs).
func (g *Guard) Transport() *http.Transport {
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            g.Dial,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  10 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
}
