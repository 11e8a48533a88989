package server

import (
	"context"
	"net/netip"

	"padlock/assess"
	"padlock/netguard"
)

// ErrPrivateAddress is returned (wrapped) when a target resolves to, or a
// connection would go to, an address that is not public
// (netguard.ErrPrivateAddress).
var ErrPrivateAddress = netguard.ErrPrivateAddress

// guard is the served scanner's netguard.Guard: every target is resolved
// and checked through it, and every connection a scan opens (the probe,
// the plain-HTTP side, redirects, AIA fetches) dials through it. With
// allowPrivate every address is allowed.
type guard struct {
	*netguard.Guard
}

// dialFunc opens a connection (net.Dialer.DialContext's shape).
type dialFunc = netguard.DialFunc

// newGuard returns the server's guard; base replaces the socket dialer
// (tests).
func newGuard(allowPrivate bool, r assess.Resolver, base dialFunc) *guard {
	p := netguard.PublicOnly
	if allowPrivate {
		p = netguard.AllowPrivate
	}
	return &guard{&netguard.Guard{
		Policy:   p,
		Resolver: r,
		Next:     base,
		Hint:     "padlock serve refuses such targets unless started with --allow-internal-targets",
	}}
}

// check returns an error wrapping ErrPrivateAddress when a may not be
// reached.
func (g *guard) check(a netip.Addr) error { return g.Check(a) }

// resolve looks host up (or parses it as an address) and returns its
// addresses; it fails when the name does not resolve or when any address
// may not be reached (netguard.Guard.Resolve).
func (g *guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	return g.Resolve(ctx, host)
}
