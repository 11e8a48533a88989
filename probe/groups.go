package probe

import (
	"context"
	"fmt"
	"math/big"
	"slices"

	"padlock/registry"
	"padlock/tlswire"
)

// Group enumeration runs per protocol, and each step only asks about what
// the previous ones could not show:
//
//  1. TLS 1.3 (when supported): a hello with every group and an empty
//     key_share makes the server name its group in a HelloRetryRequest;
//     take it out and repeat. This runs alongside suite enumeration.
//  2. TLS 1.2 ECDHE (best version up to TLS 1.2), once the suites are
//     known and only if some ECDHE suite was accepted: offer those suites
//     with the elliptic curves TLS 1.3 did not show and read the curve from
//     ServerKeyExchange; take it out and repeat. A server whose TLS 1.2
//     curves are all TLS 1.3 groups costs one refused hello. Without TLS 1.3
//     this is the whole elliptic-curve enumeration.
//  3. TLS 1.2 FFDHE (RFC 7919), only if some DHE suite was accepted: offer
//     those suites with the FFDHE groups not yet seen and match the prime
//     of ServerKeyExchange to the RFC 7919 groups; take it out and repeat.
//     A server that ignores the offer (its own DH parameters) costs one.
//
// Every group also records the protocols it was seen at, including the
// groups the server chose during suite enumeration (no extra connection).

// maxGroupRounds bounds each enumeration loop (there are fewer groups).
const maxGroupRounds = 64

// enumerateGroups13 is step 1.
func (p *prober) enumerateGroups13(ctx context.Context) GroupSupport {
	gs := GroupSupport{Via: registry.TLS13}
	base := hello{version: registry.TLS13, suites: offerOrder(registry.TLS13), sni: p.ep.SNI, keyShares: []uint16{}}
	pick := func(f *flight) (uint16, bool) {
		data, ok := f.hello.Extension(tlswire.ExtKeyShare)
		if !ok {
			return 0, false
		}
		ks, err := tlswire.ParseKeyShareServer(data, f.hello.IsHelloRetryRequest())
		return ks.Group, err == nil
	}
	found, why := p.groupLoop(ctx, base, orderGroups(groupsFor(registry.TLS13)), pick, true)
	gs.Groups, gs.Inconclusive = found, why
	for _, g := range found {
		gs.Seen = append(gs.Seen, GroupSeen{Group: g, Protocols: []registry.Protocol{registry.TLS13}})
	}
	p.groupPreference(ctx, &gs, base, pick)
	return gs
}

// enumerateGroups12 is steps 2 and 3, and the record of what suite
// enumeration saw, added to gs (the TLS 1.3 result, or empty).
func (p *prober) enumerateGroups12(ctx context.Context, gs *GroupSupport, best *versionProbe) {
	if best != nil {
		v := best.support.Protocol
		var ecdhe, dhe []uint16
		for _, ps := range p.res.Suites {
			if ps.Protocol != v {
				continue
			}
			for _, a := range ps.Suites {
				s, ok := a.Suite()
				switch {
				case !ok:
				case s.Kx == registry.KxECDHE:
					ecdhe = append(ecdhe, s.ID)
				case s.Kx == registry.KxDHE:
					dhe = append(dhe, s.ID)
				}
			}
		}
		if gs.Via == 0 {
			gs.Via = v
		}
		if len(ecdhe) > 0 {
			var ec []uint16
			for _, id := range groupsFor(registry.TLS12) {
				if !slices.Contains(gs.Groups, id) {
					ec = append(ec, id)
				}
			}
			base := hello{version: v, suites: ecdhe, sni: p.ep.SNI}
			pick := func(f *flight) (uint16, bool) {
				ske, err := f.suiteKeyExchange()
				if err != nil || ske == nil || ske.ECDH == nil {
					return 0, false
				}
				return ske.ECDH.Group, true
			}
			first := len(gs.Groups) == 0
			found, why := p.groupLoop(ctx, base, orderGroups(ec), pick, first)
			addGroups(gs, v, found, why)
			if first {
				p.groupPreference(ctx, gs, base, pick)
			}
		}
		if len(dhe) > 0 {
			var ff []uint16
			for _, g := range registry.Groups() {
				if g.Kind == registry.GroupFFDHE && !slices.Contains(gs.Groups, g.ID) {
					ff = append(ff, g.ID)
				}
			}
			base := hello{version: v, suites: dhe, sni: p.ep.SNI}
			pick := func(f *flight) (uint16, bool) {
				ske, err := f.suiteKeyExchange()
				if err != nil || ske == nil || ske.DH == nil {
					return 0, false
				}
				return ffdheGroup(ske.DH.P)
			}
			found, _ := p.groupLoop(ctx, base, ff, pick, false)
			// A server with its own DH parameters ignores the offer: not
			// a failure of the enumeration.
			addGroups(gs, v, found, "")
		}
	}
	// What suite enumeration saw, at every version.
	for _, ps := range p.res.Suites {
		for _, a := range ps.Suites {
			if a.Group != 0 {
				gs.seenAt(a.Group, ps.Protocol)
			}
			if a.DH != nil {
				if g, ok := ffdheGroup(a.DH.Prime); ok {
					gs.seenAt(g, ps.Protocol)
				}
			}
		}
	}
}

func addGroups(gs *GroupSupport, v registry.Protocol, found []uint16, why string) {
	for _, g := range found {
		gs.seenAt(g, v)
	}
	if why != "" {
		gs.Inconclusive = joinReasons(gs.Inconclusive, fmt.Sprintf("at %v: %s", v, why))
	}
}

// seenAt records that group g was seen at protocol v, adding g to Groups
// if it is new.
func (gs *GroupSupport) seenAt(g uint16, v registry.Protocol) {
	i := slices.IndexFunc(gs.Seen, func(s GroupSeen) bool { return s.Group == g })
	if i < 0 {
		gs.Groups = append(gs.Groups, g)
		gs.Seen = append(gs.Seen, GroupSeen{Group: g})
		i = len(gs.Seen) - 1
	}
	if !slices.Contains(gs.Seen[i].Protocols, v) {
		gs.Seen[i].Protocols = append(gs.Seen[i].Protocols, v)
		slices.Sort(gs.Seen[i].Protocols)
	}
}

func joinReasons(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// groupLoop offers groups, takes the server's choice out and offers the
// rest again until the server refuses or nothing is left. It returns the
// groups in the order chosen and, when it stopped without a refusal, why.
// strict: an answer naming no offered group is worth reporting (TLS 1.3
// and the first elliptic-curve enumeration); otherwise it just ends.
func (p *prober) groupLoop(ctx context.Context, base hello, offered []uint16, pick func(*flight) (uint16, bool), strict bool) ([]uint16, string) {
	var found []uint16
	offered = slices.Clone(offered)
	for round := 0; len(offered) > 0 && ctx.Err() == nil && round < maxGroupRounds; round++ {
		h := base
		h.groups = offered
		f, err := p.exchange(ctx, h)
		if !answered(f, err) {
			if !refused(err) {
				return found, fmt.Sprintf("group enumeration stopped after %d groups: %v", len(found), err)
			}
			return found, ""
		}
		g, ok := pick(f)
		if !ok || !slices.Contains(offered, g) {
			if !strict {
				return found, ""
			}
			_, hasShare := f.hello.Extension(tlswire.ExtKeyShare)
			switch {
			case f.hello.IsHelloRetryRequest() && !hasShare:
				// wolfSSL answers a hello with no group it takes by a
				// HelloRetryRequest that asks for none: no group left.
				return found, ""
			case lost(err):
				return found, fmt.Sprintf("group enumeration stopped after %d groups: %v", len(found), err)
			case len(found) == 0 && base.version >= registry.TLS13 && !f.hello.IsHelloRetryRequest():
				// Some servers answer an empty key_share with a PSK-less
				// ServerHello they cannot finish; nothing to learn.
				return found, "the server did not name a group"
			case !ok:
				return found, "the server's answer named no group"
			default:
				return found, fmt.Sprintf("the server chose group 0x%04x, which was not offered", g)
			}
		}
		found = append(found, g)
		offered = slices.DeleteFunc(offered, func(id uint16) bool { return id == g })
	}
	return found, ""
}

// groupPreference offers the first two groups found reversed: a server
// with its own order picks the first again.
func (p *prober) groupPreference(ctx context.Context, gs *GroupSupport, base hello, pick func(*flight) (uint16, bool)) {
	if len(gs.Groups) < 2 {
		return
	}
	h := base
	h.groups = []uint16{gs.Groups[1], gs.Groups[0]}
	f, err := p.exchange(ctx, h)
	if !answered(f, err) {
		p.errorf("group preference: %v", err)
		return
	}
	if g, ok := pick(f); ok {
		gs.PreferenceKnown = true
		gs.ServerPreference = g == gs.Groups[0]
	}
}

// ffdheGroup names the RFC 7919 group whose prime is p.
func ffdheGroup(p []byte) (uint16, bool) {
	prime := new(big.Int).SetBytes(p)
	for i, g := range knownGroups {
		if g.fromPi || uint(prime.BitLen()) != g.bits || prime.Cmp(knownPrimes()[i]) != 0 {
			continue
		}
		for _, rg := range registry.Groups() {
			if rg.Kind == registry.GroupFFDHE && rg.Bits == int(g.bits) {
				return rg.ID, true
			}
		}
	}
	return 0, false
}
