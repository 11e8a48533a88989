package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"net"
	"slices"

	"padlock/registry"
	"padlock/tlswire"
)

// Handshake simulation from the enumerated preference model.
//
// After enumeration the prober knows the versions, the suites per version
// with the server's order or client order, ChaCha20 priority, the groups and
// their order, and the certificate chains. For most clients that decides
// what the server negotiates, and predict works it out without a
// connection. It decides a client only when nothing the prober did not test
// can change the answer; everything else (failures, HelloRetryRequests, DHE,
// suites or groups the prober never offered, clients without SNI, ALPN or
// point-format quirks, servers with intolerance or lost connections) is
// replayed live, as Simulate does.
//
// Predictions are confirmed: one client of each predicted outcome (version,
// suite, group) is replayed live. If any replay differs from its prediction,
// the model is not trusted for this server and every client is replayed.

// simPlan is what the model says of one client.
type simPlan struct {
	ok        bool // decided without a connection
	result    simResult
	downgrade bool // the client offers TLS 1.3 and gets an older version
	// refused is set (to the client's highest version) when the client
	// and the server have no version in common: the handshake fails.
	refused registry.Protocol
}

// simModel is the part of the enumeration the model reads.
type simModel struct {
	res     *Result
	sni     string // the endpoint's server_name ("" for none)
	minimal bool   // the server took only hellos without optional extensions
	lost    bool   // handshakes broke off after the server's first answer
}

// usable reports whether the enumeration is complete and clean enough to
// predict anything at all.
func (m *simModel) usable() bool {
	r := m.res
	if m.minimal || m.lost || r.Interrupted > 0 || len(r.Intolerance) > 0 || r.SNIRequired || len(r.Errors) > 0 {
		return false
	}
	for _, p := range r.Protocols {
		if p.Inconclusive != "" {
			return false
		}
	}
	return r.Groups.Inconclusive == ""
}

func (m *simModel) supported(v registry.Protocol) bool {
	for _, p := range m.res.Protocols {
		if p.Protocol == v {
			return p.Supported
		}
	}
	return false
}

// refuses reports whether the server supports no version the client
// accepts: every version from SSL 3.0 up to the client's highest was asked
// for and clearly refused, with no older version offered instead, and the
// server supports some newer version.
func (m *simModel) refuses(c registry.ClientProfile) bool {
	newer := false
	for _, p := range m.res.Protocols {
		switch {
		case p.Protocol == registry.SSLv2:
		case p.Protocol <= c.MaxVersion:
			if p.Supported || p.Inconclusive != "" || p.Negotiated != 0 {
				return false
			}
		case p.Supported:
			newer = true
		}
	}
	return newer && c.MaxVersion >= registry.SSLv3 && c.MaxVersion < registry.TLS13
}

// knownUnsupported reports whether the prober asked for v and the server
// clearly refused it.
func (m *simModel) knownUnsupported(v registry.Protocol) bool {
	for _, p := range m.res.Protocols {
		if p.Protocol == v {
			return !p.Supported && p.Inconclusive == ""
		}
	}
	return false
}

func (m *simModel) suitesAt(v registry.Protocol) *ProtocolSuites {
	for i := range m.res.Suites {
		if m.res.Suites[i].Protocol == v {
			return &m.res.Suites[i]
		}
	}
	return nil
}

// predict decides one client, or says it cannot (ok false).
func (m *simModel) predict(c registry.ClientProfile) simPlan {
	if c.SSLv2Hello || c.RecordVersion > registry.TLS12 {
		return simPlan{}
	}
	// server_name: a client that sends none may get another certificate
	// or configuration than the one enumerated.
	if m.sni != "" && net.ParseIP(m.sni) == nil && !c.SNI {
		return simPlan{}
	}
	if c.Sends(uint16(tlswire.ExtECPointFormats)) && len(c.PointFormats) > 0 && !slices.Contains(c.PointFormats, 0) {
		return simPlan{} // no uncompressed points
	}
	if len(c.ALPN) > 0 && m.res.Extensions.ALPN != "" && !slices.Contains(c.ALPN, m.res.Extensions.ALPN) {
		return simPlan{} // the server may refuse a client without a protocol it speaks
	}

	// Version: the highest both support, as the server answered when the
	// prober asked for each version.
	var maxServer registry.Protocol
	for _, p := range m.res.Protocols {
		if p.Supported && p.Protocol > maxServer {
			maxServer = p.Protocol
		}
	}
	v := min(c.MaxVersion, maxServer)
	if m.refuses(c) {
		// No version in common: refused. The message is the server's,
		// taken from the live client of the same maximum version.
		return simPlan{ok: true, refused: c.MaxVersion}
	}
	if v < c.MinVersion || !m.supported(v) || v < registry.TLS10 {
		return simPlan{} // a failure the model cannot word: ask the server
	}
	// A client that offers TLS 1.3 and gets less checks the downgrade
	// sentinel (RFC 8446 §4.1.3), which a server sets only when it speaks
	// TLS 1.3 itself. Decided only when the server is known not to; such
	// clients are confirmed apart from the others (simPlan.downgrade).
	downgrade := c.MaxVersion >= registry.TLS13 && v < registry.TLS13
	if downgrade && !m.knownUnsupported(registry.TLS13) {
		return simPlan{}
	}
	ps := m.suitesAt(v)
	if ps == nil || !ps.PreferenceKnown || ps.Chunked || ps.Inconclusive != "" {
		return simPlan{}
	}

	// The suites the client offers at v, each of which the prober tested.
	var offered []uint16
	for _, id := range c.Suites {
		s, known := registry.SuiteByID(id)
		switch {
		case known && s.SCSV:
			continue
		case known && v < registry.TLS13 && s.Min >= registry.TLS13:
			continue // a TLS 1.3 suite in an older handshake
		case known && v >= registry.TLS13 && !s.ValidFor(v):
			continue
		case !proberOffers(v, id):
			return simPlan{}
		}
		offered = append(offered, id)
	}
	accepted := func(id uint16) *AcceptedSuite {
		for i := range ps.Suites {
			if ps.Suites[i].ID == uint32(id) {
				return &ps.Suites[i]
			}
		}
		return nil
	}
	// Candidates in the order the server picks from.
	var order []uint16
	if ps.ServerPreference {
		// ChaCha20 priority (the server picks ChaCha20 for a client
		// that lists it first) leaves the server's order alone when the
		// client's first suite is one the server accepts and not
		// ChaCha20; what "first" means otherwise differs by server.
		if ps.ChaCha20Preference && slices.ContainsFunc(offered, isChaCha) &&
			(len(offered) == 0 || accepted(offered[0]) == nil || isChaCha(offered[0])) {
			return simPlan{}
		}
		for _, a := range ps.Suites {
			if a.ID <= 0xffff && slices.Contains(offered, uint16(a.ID)) {
				order = append(order, uint16(a.ID))
			}
		}
	} else {
		for _, id := range offered {
			if accepted(id) != nil {
				order = append(order, id)
			}
		}
	}
	if len(order) == 0 {
		return simPlan{}
	}

	// The first candidate decides, if the client can use it as the
	// prober did; otherwise the server's next step is not known.
	id := order[0]
	s, _ := registry.SuiteByID(id)
	r := simResult{version: v, suite: id}
	if v >= registry.TLS13 {
		g, ok := m.group13(c)
		if !ok {
			return simPlan{}
		}
		r.group = g
		if gr, ok := registry.GroupByID(g); ok && gr.Kind == registry.GroupFFDHE {
			r.dhBits = gr.Bits
		}
		return simPlan{ok: true, result: r, downgrade: downgrade}
	}
	switch s.Kx {
	case registry.KxECDHE:
		g, ok := m.group12(c, v)
		if !ok {
			return simPlan{}
		}
		r.group = g
	case registry.KxRSA:
	default:
		return simPlan{} // DHE parameters, static DH, PSK, anonymous: ask the server
	}
	if !m.certificateFits(c, s, v) {
		return simPlan{}
	}
	return simPlan{ok: true, result: r, downgrade: downgrade}
}

func isChaCha(id uint16) bool {
	s, ok := registry.SuiteByID(id)
	return ok && s.Cipher == registry.ChaCha20Poly1305
}

// mutualGroups returns the client's groups the server supports, in the
// client's order and in the server's order; ok is false when a client
// group was never offered by the prober at v.
func (m *simModel) mutualGroups(c registry.ClientProfile, v registry.Protocol, tested []uint16) (client, server []uint16, ok bool) {
	gs := m.res.Groups
	for _, g := range c.Groups {
		if !slices.Contains(tested, g) {
			return nil, nil, false
		}
		if slices.Contains(gs.Groups, g) {
			client = append(client, g)
		}
	}
	for _, g := range gs.Groups {
		if slices.Contains(client, g) {
			server = append(server, g)
		}
	}
	return client, server, len(client) > 0
}

// pickGroup is the group a server with the enumerated preference picks
// from the mutual groups: decided when the preference is known at the
// protocol it was measured with, or when both orders agree.
func (m *simModel) pickGroup(client, server []uint16, v registry.Protocol) (uint16, bool) {
	gs := m.res.Groups
	switch {
	case client[0] == server[0]:
		return client[0], true
	case !gs.PreferenceKnown || gs.Via != v:
		return 0, false
	case gs.ServerPreference:
		return server[0], true
	default:
		return client[0], true
	}
}

// group13 is the TLS 1.3 key exchange group, decided only when the client
// sent a key share for it and for no mutual group before it (so the server
// answers with no HelloRetryRequest whether it goes by its preference or by
// the client's shares).
func (m *simModel) group13(c registry.ClientProfile) (uint16, bool) {
	if m.res.Groups.Via != registry.TLS13 {
		return 0, false
	}
	client, server, ok := m.mutualGroups(c, registry.TLS13, groupsFor(registry.TLS13))
	if !ok {
		return 0, false
	}
	g, ok := m.pickGroup(client, server, registry.TLS13)
	if !ok {
		return 0, false
	}
	for _, ks := range c.KeyShares {
		if slices.Contains(client, ks) {
			return g, ks == g
		}
	}
	return 0, false
}

// group12 is the ECDHE curve at v (TLS 1.2 or older). The prober offers at
// TLS 1.2 only the curves it did not find at TLS 1.3, so an elliptic curve
// found at TLS 1.3 counts as supported at v too; the live confirmation of
// each predicted outcome (simulateModelled) checks that for the curve
// chosen. Hybrid, post-quantum and finite-field groups are TLS 1.3 only.
func (m *simModel) group12(c registry.ClientProfile, v registry.Protocol) (uint16, bool) {
	if !c.Sends(uint16(tlswire.ExtSupportedGroups)) {
		return 0, false
	}
	gs := m.res.Groups
	at := func(g uint16) bool {
		if seenAt(gs, g, v) {
			return true
		}
		k, ok := registry.GroupByID(g)
		return ok && gs.Via == registry.TLS13 && (k.Kind == registry.GroupECDHE || k.Kind == registry.GroupX)
	}
	var client, server []uint16
	for _, g := range c.Groups {
		switch {
		case !slices.Contains(groupsFor(registry.TLS12), g):
			if slices.Contains(gs.Groups, g) {
				return 0, false // a TLS 1.3-only group the server has
			}
		case slices.Contains(gs.Groups, g):
			if !at(g) {
				return 0, false
			}
			client = append(client, g)
		}
	}
	for _, g := range gs.Groups {
		if slices.Contains(client, g) {
			server = append(server, g)
		}
	}
	if len(client) == 0 {
		return 0, false
	}
	return m.pickGroup(client, server, v)
}

// certificateFits checks, for a handshake at v up to TLS 1.2 with suite s,
// that the client can verify the server's signature and accepts its
// certificate: the chain sent at v for s's key type must be known and pass
// the client's limits, and the client must offer a signature scheme for
// that key type.
func (m *simModel) certificateFits(c registry.ClientProfile, s registry.Suite, v registry.Protocol) bool {
	var want x509.PublicKeyAlgorithm
	switch s.Auth {
	case registry.AuthRSA:
		want = x509.RSA
	case registry.AuthECDSA:
		want = x509.ECDSA
	default:
		return false
	}
	if v == registry.TLS12 && c.Sends(uint16(tlswire.ExtSignatureAlgorithms)) && !slices.ContainsFunc(c.SignatureSchemes, func(sc uint16) bool { return schemeKey(sc) == want }) {
		return false
	}
	found := false
	for _, ch := range m.res.Chains {
		if ch.Protocol > registry.TLS12 || ch.Protocol < registry.SSLv3 || ch.SNI != m.sni || len(ch.Certificates) == 0 {
			continue
		}
		leaf, err := x509.ParseCertificate(ch.Certificates[0])
		if err != nil || leaf.PublicKeyAlgorithm != want {
			continue
		}
		if certificateLimit(c, leaf) != nil {
			return false
		}
		found = true
	}
	return found
}

// schemeKey is the key type a TLS 1.2 signature scheme signs with.
func schemeKey(sc uint16) x509.PublicKeyAlgorithm {
	switch {
	case sc&0xff == 0x01 || (sc >= 0x0804 && sc <= 0x0806) || (sc >= 0x0809 && sc <= 0x080b):
		return x509.RSA
	case sc&0xff == 0x03:
		return x509.ECDSA
	}
	return x509.UnknownPublicKeyAlgorithm
}

// simulateModelled runs the simulation for the prober: predicted clients
// are confirmed by one live client per outcome, the others replayed live.
func simulateModelled(ctx context.Context, d *Dialer, sni string, m *simModel, profiles []registry.ClientProfile) []Simulation {
	out := make([]Simulation, len(profiles))
	plans := make([]simPlan, len(profiles))
	if m.usable() {
		for i, c := range profiles {
			plans[i] = m.predict(c)
		}
	}
	// Live: every undecided client, and the first of each outcome (a
	// client downgraded from TLS 1.3 apart).
	live := make([]bool, len(profiles))
	sample := map[simPlan]bool{}
	for i, pl := range plans {
		if !pl.ok {
			live[i] = true
		} else if !sample[pl] {
			sample[pl] = true
			live[i] = true
		}
	}
	runLive := func(want []bool) {
		var idx []int
		var ps []registry.ClientProfile
		for i, w := range want {
			if w {
				idx = append(idx, i)
				ps = append(ps, profiles[i])
			}
		}
		for k, s := range Simulate(ctx, d, sni, ps) {
			out[idx[k]] = s
		}
	}
	runLive(live)
	trusted := true
	sampled := map[simPlan]Simulation{}
	for i, pl := range plans {
		if pl.ok && live[i] {
			s := out[i]
			sampled[pl] = s
			switch {
			case pl.refused != 0:
				if !s.Failed || s.Inconclusive {
					trusted = false
				}
			case s.Failed || s.Protocol != pl.result.version || s.Suite != pl.result.suite || s.Group != pl.result.group || s.DHBits != pl.result.dhBits:
				trusted = false
			}
		}
	}
	rest := make([]bool, len(profiles))
	anyRest := false
	for i, pl := range plans {
		if !live[i] {
			if trusted {
				c := profiles[i]
				out[i] = Simulation{Client: c.ID, Name: c.Label(), Reference: c.Reference, Predicted: true,
					Protocol: pl.result.version, Suite: pl.result.suite, Group: pl.result.group, DHBits: pl.result.dhBits}
				if pl.refused != 0 {
					out[i].Failed, out[i].Error = true, sampled[pl].Error
				}
			} else {
				rest[i], anyRest = true, true
			}
		}
	}
	if anyRest {
		runLive(rest)
	}
	return out
}

// certificateLimit applies the client's limits on the server's leaf
// certificate: key sizes and SHA-2.
func certificateLimit(p registry.ClientProfile, leaf *x509.Certificate) error {
	switch k := leaf.PublicKey.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		if p.MinRSABits > 0 && bits < p.MinRSABits {
			return reject("client requires RSA keys of at least %d bits; the server's has %d", p.MinRSABits, bits)
		}
		if p.MaxRSABits > 0 && bits > p.MaxRSABits {
			return reject("client does not support RSA keys > %d bits; the server's has %d", p.MaxRSABits, bits)
		}
	case *ecdsa.PublicKey:
		if bits := k.Curve.Params().BitSize; p.MinECDSABits > 0 && bits < p.MinECDSABits {
			return reject("client requires ECDSA keys of at least %d bits; the server's has %d", p.MinECDSABits, bits)
		}
	}
	if p.RequiresSHA2 {
		switch leaf.SignatureAlgorithm {
		case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
			return reject("client requires a SHA-2 certificate signature; the server's is %v", leaf.SignatureAlgorithm)
		}
	}
	return nil
}

func seenAt(gs GroupSupport, g uint16, v registry.Protocol) bool {
	for _, s := range gs.Seen {
		if s.Group == g {
			return slices.Contains(s.Protocols, v)
		}
	}
	return false
}
