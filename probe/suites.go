package probe

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"sync"

	"padlock/registry"
	"padlock/tlswire"
)

// offerOrder lists the suites offered at version v, strongest first, so that
// a server choosing by client order picks what a careful client would.
//
// Up to TLS 1.2 every pre-1.3 suite is offered at every version, also those
// the RFCs confine to other versions (export suites after TLS 1.0, GCM
// before TLS 1.2): what a server accepts where it should not is a finding.
func offerOrder(v registry.Protocol) []uint16 {
	if s, ok := offerOrders()[v]; ok {
		return slices.Clone(s.order)
	}
	return rankSuites(v)
}

// offerSet is offerOrder(v) as a list and as a set, computed once per
// version: the registry does not change while padlock runs, and sorting
// every suite for each hello was a fifth of a fleet scan's CPU time.
type offerSet struct {
	order []uint16
	has   map[uint16]bool
}

var offerOrders = sync.OnceValue(func() map[registry.Protocol]offerSet {
	m := map[registry.Protocol]offerSet{}
	for _, v := range registry.Protocols {
		o := rankSuites(v)
		has := make(map[uint16]bool, len(o))
		for _, id := range o {
			has[id] = true
		}
		m[v] = offerSet{order: o, has: has}
	}
	return m
})

// proberOffers reports whether the prober offers suite id at v.
func proberOffers(v registry.Protocol, id uint16) bool {
	if s, ok := offerOrders()[v]; ok {
		return s.has[id]
	}
	return slices.Contains(rankSuites(v), id)
}

func rankSuites(v registry.Protocol) []uint16 {
	var suites []registry.Suite
	if v >= registry.TLS13 {
		suites = registry.SuitesFor(v)
	} else {
		for _, s := range registry.Suites() {
			if s.Min <= registry.TLS12 {
				suites = append(suites, s)
			}
		}
	}
	rank := func(s registry.Suite) int {
		r := 0
		if s.Kx == registry.KxAny {
			r += 4000
		}
		if s.ForwardSecret() {
			r += 2000
		}
		if s.AEAD() {
			r += 1000
		}
		if s.Anonymous() || s.Bits == 0 {
			r -= 3000
		}
		if s.Auth == registry.AuthECDSA {
			r += 1 // ECDSA before RSA at equal strength, as browsers do
		}
		return r + s.Bits
	}
	sort.SliceStable(suites, func(i, j int) bool { return rank(suites[i]) > rank(suites[j]) })
	ids := make([]uint16, len(suites))
	for i, s := range suites {
		ids[i] = s.ID
	}
	return ids
}

// chunkSize is how many suites a hello offers to a server that refused the
// full list.
const chunkSize = 64

// commonSuites are the pre-TLS 1.3 suites the client profiles send, the
// most widely sent first, at most chunkSize of them: a hello any server
// that works with real clients accepts.
var commonSuites = func() func(registry.Protocol) []uint16 {
	count := map[uint16]int{}
	for _, c := range registry.ClientProfiles() {
		for _, id := range c.Suites {
			if s, ok := registry.SuiteByID(id); ok && !s.SCSV && s.Min <= registry.TLS12 {
				count[id]++
			}
		}
	}
	ids := make([]uint16, 0, len(count))
	for id := range count {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if count[ids[i]] != count[ids[j]] {
			return count[ids[i]] > count[ids[j]]
		}
		return ids[i] < ids[j]
	})
	if len(ids) > chunkSize {
		ids = ids[:chunkSize]
	}
	return func(registry.Protocol) []uint16 { return slices.Clone(ids) }
}()

// enumerateSuites finds every suite accepted at v by offering all of them,
// taking the server's choice out and offering the rest again until the
// server refuses: one connection per accepted suite, plus one. With a
// server that has its own preference the choices come in that order.
//
// A server that refuses the full list (chunked) is asked chunk by chunk:
// the commonest suites first, then the rest of the list in chunkSize
// pieces. Its order is then known within each chunk only.
//
// it, when not nil, are the version intolerance tests, carried on the
// enumeration's hellos at the best version (see rideAlong).
func (p *prober) enumerateSuites(ctx context.Context, v registry.Protocol, first *flight, chunked bool, it *intolerance) ProtocolSuites {
	ps := ProtocolSuites{Protocol: v, Chunked: chunked}
	var chunks [][]uint16
	if chunked {
		common := commonSuites(v)
		chunks = append(chunks, common)
		rest := slices.DeleteFunc(offerOrder(v), func(id uint16) bool { return slices.Contains(common, id) })
		for len(rest) > 0 {
			n := min(chunkSize, len(rest))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
	} else {
		chunks = [][]uint16{offerOrder(v)}
	}
	for i, offered := range chunks {
		f := first
		if i > 0 {
			f = p.firstOf(ctx, v, offered, &ps)
		}
		p.enumerateChunk(ctx, v, f, offered, &ps, it)
	}
	if len(ps.Suites) >= 2 {
		p.suitePreference(ctx, &ps)
	}
	return ps
}

// firstOf asks once for a chunk; nil when the server takes none of it.
func (p *prober) firstOf(ctx context.Context, v registry.Protocol, offered []uint16, ps *ProtocolSuites) *flight {
	for try := 0; try < attempts; try++ {
		f, err := p.exchange(ctx, hello{version: v, suites: offered, sni: p.ep.SNI})
		switch {
		case answered(f, err) && f.version == v:
			return f
		case err == nil || refused(err):
			return nil
		default:
			ps.Inconclusive = fmt.Sprintf("enumeration of a chunk of suites failed: %v", err)
			if ctx.Err() != nil {
				return nil
			}
		}
	}
	return nil
}

// enumerateChunk takes the server's choice out of offered and asks again
// until the server refuses.
func (p *prober) enumerateChunk(ctx context.Context, v registry.Protocol, first *flight, offered []uint16, ps *ProtocolSuites, it *intolerance) {
	offered = slices.Clone(offered)
	f := first
	for f != nil {
		chosen := f.hello.CipherSuite
		ps.Suites = append(ps.Suites, p.accepted(f))
		offered = slices.DeleteFunc(offered, func(id uint16) bool { return id == chosen })
		if len(offered) == 0 {
			break
		}
		f = nil
		for try := 0; try < attempts && f == nil; try++ {
			next, err := p.rideAlong(ctx, hello{version: v, suites: offered, sni: p.ep.SNI}, it)
			switch {
			case answered(next, err) && next.version == v:
				f = next // a ServerHello names the suite, even if the flight broke off
			case err == nil || refused(err):
				// A lower version, an alert or a closed connection: no
				// suite is left at this version.
				try = attempts
			default:
				ps.Inconclusive = fmt.Sprintf("enumeration stopped after %d suites: %v", len(ps.Suites), err)
				if ctx.Err() != nil {
					try = attempts
				}
			}
		}
		if f != nil {
			ps.Inconclusive = ""
		}
	}
}

// suitePreference offers two of the suites found in the reverse of the
// order the server chose them. A server with its own order picks the same
// suite again; one that follows the client picks the other. ChaCha20 suites
// are kept out of the pair: servers that prioritise ChaCha20 for clients
// listing it first (OpenSSL's PrioritizeChaCha) would otherwise look like
// they follow the client. Such a server is then tested for exactly that.
func (p *prober) suitePreference(ctx context.Context, ps *ProtocolSuites) {
	var pair, chacha []uint16
	for _, a := range ps.Suites {
		s, ok := a.Suite()
		switch {
		case ok && s.Cipher == registry.ChaCha20Poly1305:
			chacha = append(chacha, s.ID)
		case len(pair) < 2:
			pair = append(pair, uint16(a.ID))
		}
	}
	if len(pair) < 2 {
		pair = []uint16{uint16(ps.Suites[0].ID), uint16(ps.Suites[1].ID)}
	}
	a, b := pair[0], pair[1]
	f, err := p.exchange(ctx, hello{version: ps.Protocol, suites: []uint16{b, a}, sni: p.ep.SNI})
	if !answered(f, err) {
		p.errorf("%v cipher suite preference: %v", ps.Protocol, err)
		return
	}
	ps.PreferenceKnown = true
	ps.ServerPreference = f.hello.CipherSuite == a
	if !ps.ServerPreference || len(chacha) == 0 || uint16(ps.Suites[0].ID) == chacha[0] {
		return
	}
	// The server has its own order with ChaCha20 below the top: does a
	// client that lists ChaCha20 first get it anyway?
	top := uint16(ps.Suites[0].ID)
	f, err = p.exchange(ctx, hello{version: ps.Protocol, suites: []uint16{chacha[0], top}, sni: p.ep.SNI})
	if !answered(f, err) {
		p.errorf("%v ChaCha20 preference: %v", ps.Protocol, err)
		return
	}
	ps.ChaCha20Preference = f.hello.CipherSuite == chacha[0]
}

// accepted describes the suite the server chose in f, with its key exchange.
func (p *prober) accepted(f *flight) AcceptedSuite {
	a := AcceptedSuite{ID: uint32(f.hello.CipherSuite)}
	if f.version >= registry.TLS13 {
		if ks, ok := f.hello.Extension(tlswire.ExtKeyShare); ok {
			if share, err := tlswire.ParseKeyShareServer(ks, f.hello.IsHelloRetryRequest()); err == nil {
				a.Group = share.Group
			}
		}
		return a
	}
	ske, err := f.suiteKeyExchange()
	if err != nil {
		p.errorf("%v", err)
		return a
	}
	switch {
	case ske == nil:
	case ske.ECDH != nil:
		a.Group = ske.ECDH.Group
	case ske.DH != nil:
		a.DH = dhGroup(ske.DH)
	case ske.RSA != nil:
		a.RSAExportBits = new(big.Int).SetBytes(ske.RSA.Modulus).BitLen()
	}
	return a
}

func dhGroup(d *tlswire.DHParams) *DHGroup {
	prime := new(big.Int).SetBytes(d.P)
	g := &DHGroup{
		Bits:      prime.BitLen(),
		Prime:     d.P,
		Generator: d.G,
		PublicLen: len(d.Y),
	}
	g.KnownName = KnownDHGroup(prime)
	return g
}
