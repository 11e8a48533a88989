package server

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"time"

	"padlock/assess"
	"padlock/pki"
)

// Guard is the address guard of a served scanner, for `padlock worker`,
// which works scans queued by anyone with the database: a resolver that
// refuses names resolving to non-public addresses, a dialer that connects
// only to public addresses (checked again on the socket), and an issuer
// fetcher (AIA) through that dialer. With allowPrivate every address is
// allowed.
type Guard struct {
	g *guard
}

// NewGuard returns a Guard over the default resolver and dialer.
func NewGuard(allowPrivate bool) Guard {
	return Guard{newGuard(allowPrivate, nil, nil)}
}

// LookupNetIP implements assess.Resolver.
func (g Guard) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return g.g.LookupNetIP(ctx, network, host)
}

// Dial connects through the guard.
func (g Guard) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	return g.g.Dial(ctx, network, addr)
}

// IssuerFetcher fetches missing intermediates through the guard, bounded
// as padlock serve's are.
func (g Guard) IssuerFetcher() pki.IssuerFetcher {
	client := &http.Client{Transport: &http.Transport{
		Proxy:                  nil,
		DialContext:            g.g.Dial,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  10 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}}
	return pki.HTTPIssuerFetcher(client, 0, 0)
}

var _ assess.Resolver = Guard{}
