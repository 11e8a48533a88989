package lab

import (
	"context"
	"net"
	"net/netip"
	"strings"
)

// Names is a made-up DNS for tests: each name answers with its
// addresses, and a name not in it does not resolve. It has net.Resolver's
// LookupNetIP, so it stands wherever padlock takes a resolver.
type Names map[string][]string

// LookupNetIP answers host (case and a trailing dot ignored) from n.
func (n Names) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	as, ok := n[strings.TrimSuffix(strings.ToLower(host), ".")]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	out := make([]netip.Addr, 0, len(as))
	for _, a := range as {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}
