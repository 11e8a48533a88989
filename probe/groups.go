package probe

import (
	"context"
	"fmt"
	"slices"

	"padlock/registry"
	"padlock/tlswire"
)

// enumerateGroups finds the key-exchange groups the server accepts. With
// TLS 1.3 it offers every group and no key share, so the server names the
// group it wants in a HelloRetryRequest; without, it offers the ECDHE suites
// the server accepted and reads the curve from the ServerKeyExchange. Either
// way the chosen group is taken out and the rest offered again.
func (p *prober) enumerateGroups(ctx context.Context, has13 bool, versions []*versionProbe) GroupSupport {
	var gs GroupSupport
	var base hello
	var pick func(*flight) (uint16, bool)
	if has13 {
		gs.Via = registry.TLS13
		base = hello{version: registry.TLS13, suites: offerOrder(registry.TLS13), sni: p.ep.SNI, keyShares: []uint16{}}
		pick = func(f *flight) (uint16, bool) {
			data, ok := f.hello.Extension(tlswire.ExtKeyShare)
			if !ok {
				return 0, false
			}
			ks, err := tlswire.ParseKeyShareServer(data, f.hello.IsHelloRetryRequest())
			return ks.Group, err == nil
		}
	} else {
		best := bestClassic(versions)
		if best == nil {
			return gs
		}
		var ecdhe []uint16
		for _, id := range offerOrder(best.support.Protocol) {
			if s, ok := registry.SuiteByID(id); ok && s.Kx == registry.KxECDHE {
				ecdhe = append(ecdhe, id)
			}
		}
		if len(ecdhe) == 0 {
			return gs
		}
		gs.Via = best.support.Protocol
		base = hello{version: best.support.Protocol, suites: ecdhe, sni: p.ep.SNI}
		pick = func(f *flight) (uint16, bool) {
			ske, err := f.suiteKeyExchange()
			if err != nil || ske == nil || ske.ECDH == nil {
				return 0, false
			}
			return ske.ECDH.Group, true
		}
	}

	offered := orderGroups(groupsFor(gs.Via))
	for len(offered) > 0 && ctx.Err() == nil {
		h := base
		h.groups = offered
		f, err := p.exchange(ctx, h)
		if err != nil {
			if !refused(err) {
				gs.Inconclusive = fmt.Sprintf("group enumeration stopped after %d groups: %v", len(gs.Groups), err)
			}
			break
		}
		g, ok := pick(f)
		if !ok || !slices.Contains(offered, g) {
			if len(gs.Groups) == 0 && has13 && !f.hello.IsHelloRetryRequest() {
				// Some servers answer an empty key_share with a PSK-less
				// ServerHello they cannot finish; nothing to learn.
				gs.Inconclusive = "the server did not name a group"
			} else if !ok {
				gs.Inconclusive = "the server's answer named no group"
			} else {
				gs.Inconclusive = fmt.Sprintf("the server chose group 0x%04x, which was not offered", g)
			}
			break
		}
		gs.Groups = append(gs.Groups, g)
		offered = slices.DeleteFunc(offered, func(id uint16) bool { return id == g })
	}

	if len(gs.Groups) >= 2 {
		h := base
		h.groups = []uint16{gs.Groups[1], gs.Groups[0]}
		if f, err := p.exchange(ctx, h); err == nil {
			if g, ok := pick(f); ok {
				gs.PreferenceKnown = true
				gs.ServerPreference = g == gs.Groups[0]
			}
		} else {
			p.errorf("group preference: %v", err)
		}
	}
	return gs
}
