package server

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"padlock/assess"
	"padlock/fleet"
	"padlock/store"
)

// saveSingle stores a finished single-host assessment so that it is
// served from the store after a restart (analyze with fromCache, maxAge,
// getEndpointData).
func (s *Server) saveSingle(ctx context.Context, h *assess.Host, started time.Time) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := fleet.SaveHost(ctx, s.cfg.Store, "analyze "+h.Host, store.SingleHostFile, h, started); err != nil {
		s.log.Error("saving an assessment", "host", h.Host, "err", err)
	}
}

// fleetScans returns the finished scans other than single-host
// assessments, newest first.
func (s *Server) fleetScans(ctx context.Context) ([]store.Scan, error) {
	all, err := s.cfg.Store.LatestFinished(ctx, 0)
	if err != nil {
		return nil, err
	}
	return store.FleetScans(all), nil
}

// addrLooker is a resolver that can also look up PTR records (the
// default resolver can; test stubs need not).
type addrLooker interface {
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// lookupNames fills what SSL Labs reports from DNS for each endpoint:
// serverName (the PTR record) and delegation (bit 0: the address is one
// of the name without "www.", bit 1: one of the name with it). Lookups
// go to the resolver, never to the target; each is bounded.
func (s *Server) lookupNames(ctx context.Context, h *assess.Host) {
	if _, err := netip.ParseAddr(h.Host); err == nil {
		// An address has no name to reach it by: delegation 0 is the answer.
		for i := range h.Endpoints {
			h.Endpoints[i].PadlockDelegationChecked = true
		}
		return
	}
	var res assess.Resolver = net.DefaultResolver
	if s.cfg.Resolver != nil {
		res = s.cfg.Resolver
	}
	lookup := func(name string) []netip.Addr {
		c, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		as, err := res.LookupNetIP(c, "ip", name)
		if err != nil {
			return nil
		}
		for i := range as {
			as[i] = as[i].Unmap()
		}
		return as
	}
	s.lookupCAA(ctx, h)
	bare := strings.TrimPrefix(h.Host, "www.")
	plain, www := lookup(bare), lookup("www."+bare)
	ptr, _ := res.(addrLooker)
	for i := range h.Endpoints {
		ep := &h.Endpoints[i]
		a, err := netip.ParseAddr(ep.IPAddress)
		if err != nil {
			continue
		}
		a = a.Unmap()
		ep.PadlockDelegationChecked = true
		if slices.Contains(plain, a) {
			ep.Delegation |= 1
		}
		if slices.Contains(www, a) {
			ep.Delegation |= 2
		}
		if ptr != nil && ep.ServerName == "" {
			c, cancel := context.WithTimeout(ctx, 3*time.Second)
			names, err := ptr.LookupAddr(c, a.String())
			cancel()
			if err == nil && len(names) > 0 {
				ep.ServerName = strings.TrimSuffix(names[0], ".")
			}
		}
	}
}

// lookupCAA fills the host's CAA policy (asked of the resolver, never of
// the target).
func (s *Server) lookupCAA(ctx context.Context, h *assess.Host) {
	server := s.cfg.caaServer
	if server == "" {
		if s.cfg.Resolver != nil {
			return // a test resolver: no DNS server to ask
		}
		server = systemNameserver()
	}
	if server == "" {
		return
	}
	p, err := lookupCAA(ctx, server, h.Host)
	if err != nil {
		s.log.Warn("CAA lookup", "host", h.Host, "err", err)
		return
	}
	h.PadlockCAA = p
}
