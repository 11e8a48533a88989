package probe

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"net"
	"slices"
	"sync"

	"golang.org/x/crypto/cryptobyte"

	"padlock/registry"
	"padlock/tlswire"
)

// Simulation is what one client profile negotiated with the server, as SSL
// Labs reports it in sims.results[]: the protocol, suite and key exchange
// group, or why the handshake failed.
type Simulation struct {
	Client    string // profile ID
	Name      string // "Chrome 137 / Win 11"
	Reference bool   // a reference (modern) client

	Protocol registry.Protocol // negotiated; 0 on failure
	Suite    uint16            // negotiated cipher suite; 0 on failure
	Group    uint16            // ECDHE or TLS 1.3 group, or 0
	DHBits   int               // size of the DHE prime (or FFDHE group), when DHE

	// Failed is set when the client could not connect (SSL Labs'
	// errorCode 1); Error then says why: the server's alert, the server
	// closing the connection, or what the client would reject in the
	// server's answer.
	Failed bool
	Error  string `json:",omitempty"`
	// Inconclusive marks a failure that says nothing about the server's
	// configuration (timeout, unreachable, scan cut short, a hello padlock
	// could not build). Such a result must not count against the server.
	Inconclusive bool `json:",omitempty"`
	// Attempts is the number of connections tried: 1, or 2 when the first
	// timed out or could not connect.
	Attempts int
	// Predicted marks a result worked out from the enumerated preferences
	// with no connection of its own (Attempts 0): another client with
	// the same predicted outcome was replayed live and agreed.
	Predicted bool `json:",omitempty"`
}

// ErrorCode is SSL Labs' errorCode: 0 for success, 1 for failure.
func (s Simulation) ErrorCode() int {
	if s.Failed {
		return 1
	}
	return 0
}

// simAttempts bounds the connections per profile: a second one only when the
// first told nothing (timeout, no connection).
const simAttempts = 2

// Simulate sends each profile's ClientHello to the endpoint of d, one
// connection per profile (a TLS 1.3 HelloRetryRequest is answered on the
// same connection, as the client would), and reports what was negotiated,
// in the order of profiles. sni is sent as server_name by the clients that
// send it ("" or an IP address: none). The Dialer caps the connections open
// at once; d must not be nil.
func Simulate(ctx context.Context, d *Dialer, sni string, profiles []registry.ClientProfile) []Simulation {
	out := make([]Simulation, len(profiles))
	var wg sync.WaitGroup
	for i, p := range profiles {
		wg.Go(func() { out[i] = simulate(ctx, d, sni, p) })
	}
	wg.Wait()
	return out
}

func simulate(ctx context.Context, d *Dialer, sni string, p registry.ClientProfile) Simulation {
	sim := Simulation{Client: p.ID, Name: p.Label(), Reference: p.Reference}
	for {
		sim.Attempts++
		r, err := simHandshake(ctx, d, sni, p)
		if err == nil {
			sim.Protocol, sim.Suite, sim.Group, sim.DHBits = r.version, r.suite, r.group, r.dhBits
			return sim
		}
		msg, inconclusive := simFailure(ctx, err)
		if inconclusive && sim.Attempts < simAttempts && ctx.Err() == nil && !errors.As(err, new(*simBuildError)) {
			continue
		}
		sim.Failed, sim.Error, sim.Inconclusive = true, msg, inconclusive
		return sim
	}
}

// simReject is the client refusing what the server chose.
type simReject struct{ reason string }

func (e *simReject) Error() string { return e.reason }

func reject(format string, args ...any) error {
	return &simReject{reason: fmt.Sprintf(format, args...)}
}

// simBuildError is padlock failing to build the client's hello.
type simBuildError struct{ err error }

func (e *simBuildError) Error() string { return "building the hello: " + e.err.Error() }
func (e *simBuildError) Unwrap() error { return e.err }

// simFailure describes err for the report and says whether it leaves the
// server's behaviour unknown.
func simFailure(ctx context.Context, err error) (msg string, inconclusive bool) {
	var rej *simReject
	var build *simBuildError
	switch {
	case errors.As(err, &rej):
		return rej.reason, false
	case errors.As(err, &build):
		return "could not simulate: " + build.Error(), true
	case ctx.Err() != nil:
		return "scan cut short: " + ctx.Err().Error(), true
	}
	if a, ok := AlertOf(err); ok {
		return "server sent " + a.String(), false
	}
	switch {
	case lost(err):
		return err.Error(), true // the server answered, then broke off
	case errors.Is(err, errClosed):
		return "server closed the connection", false
	case errors.Is(err, errTimeout), errors.As(err, new(*dialError)),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err.Error(), true
	}
	// Anything else is an answer no client could use.
	return err.Error(), false
}

type simResult struct {
	version registry.Protocol
	suite   uint16
	group   uint16
	dhBits  int
}

func simHandshake(ctx context.Context, d *Dialer, sni string, p registry.ClientProfile) (*simResult, error) {
	h, err := newSimHello(p, sni, d.keys)
	if err != nil {
		return nil, &simBuildError{err}
	}
	msg, err := h.records()
	if err != nil {
		return nil, &simBuildError{err}
	}
	c, err := d.Dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Write(msg); err != nil {
		return nil, err
	}
	f, err := c.ReadFlight()
	if err != nil {
		return nil, err
	}
	if f.ServerHello.IsHelloRetryRequest() {
		if err := h.retry(f); err != nil {
			return nil, err
		}
		if msg, err = h.records(); err != nil {
			return nil, &simBuildError{err}
		}
		if err := c.Write(msg); err != nil {
			return nil, err
		}
		if f, err = c.ReadFlight(); err != nil {
			return nil, err
		}
		if f.ServerHello.IsHelloRetryRequest() {
			return nil, reject("server sent a second HelloRetryRequest")
		}
	}
	return h.check(f)
}

// simHello is one client's hello on one connection: the profile plus the
// per-connection values (randoms, GREASE, key shares), and what a
// HelloRetryRequest changed.
type simHello struct {
	p    registry.ClientProfile
	sni  string
	keys *keyShares

	random    [32]byte
	sessionID []byte
	// GREASE values: suite, group (also its key share), version, first
	// and later extensions (RFC 8701).
	greaseSuite, greaseGroup, greaseVersion, greaseExt1, greaseExt2 uint16
	echConfigID                                                     uint8

	shares  []tlswire.KeyShare // real key shares sent, GREASE excluded
	echData []byte             // the GREASE ECH extension, kept for a second hello

	retried  bool   // a HelloRetryRequest was answered
	hrrSuite uint16 // the suite the HelloRetryRequest chose
	cookie   []byte // cookie extension data to echo
}

func newSimHello(p registry.ClientProfile, sni string, keys *keyShares) (*simHello, error) {
	h := &simHello{p: p, sni: sni, keys: keys}
	if net.ParseIP(sni) != nil {
		h.sni = "" // clients send no IP address as SNI (RFC 6066 §3)
	}
	var seed [6]byte
	if _, err := rand.Read(h.random[:]); err != nil {
		return nil, err
	}
	if _, err := rand.Read(seed[:]); err != nil {
		return nil, err
	}
	grease := func(b byte) uint16 {
		n := uint16(b & 0xf0)
		return n<<8 | n | 0x0a0a
	}
	h.greaseSuite, h.greaseGroup, h.greaseVersion = grease(seed[0]), grease(seed[1]), grease(seed[2])
	h.greaseExt1, h.greaseExt2 = grease(seed[3]), grease(seed[4])
	if h.greaseExt2 == h.greaseExt1 {
		h.greaseExt2 ^= 0x1010
	}
	h.echConfigID = seed[5]
	if p.MaxVersion >= registry.TLS13 && !p.SSLv2Hello {
		// TLS 1.3 clients send a random legacy session ID (middlebox
		// compatibility mode, RFC 8446 §D.4).
		h.sessionID = make([]byte, 32)
		if _, err := rand.Read(h.sessionID); err != nil {
			return nil, err
		}
	}
	for _, g := range p.KeyShares {
		data, err := simShare(keys, g)
		if err != nil {
			return nil, err
		}
		h.shares = append(h.shares, tlswire.KeyShare{Group: g, Data: data})
	}
	return h, nil
}

// simShare returns a public key share for group: from the prober's cache
// where probe knows the group, otherwise freshly made (finite-field groups)
// or random bytes of the right length (X448, which Go lacks; the handshake
// stops at the ServerHello, so the key is never used).
func simShare(keys *keyShares, group uint16) ([]byte, error) {
	if b, err := keys.public(group); err == nil {
		return b, nil
	}
	g, ok := registry.GroupByID(group)
	switch {
	case ok && g.Kind == registry.GroupFFDHE:
		return ffdheShare(g.Bits)
	case group == 0x001e: // x448
		b := make([]byte, 56)
		_, err := rand.Read(b)
		return b, err
	}
	return nil, fmt.Errorf("no key share generator for group 0x%04x", group)
}

// ffdheShare returns g^x mod p for the RFC 7919 group of the given size,
// padded to the length of p (RFC 8446 §4.2.8.1).
func ffdheShare(bits int) ([]byte, error) {
	for i, kg := range knownGroups {
		if kg.fromPi || int(kg.bits) != bits {
			continue
		}
		p := knownPrimes()[i]
		x, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 384))
		if err != nil {
			return nil, err
		}
		y := new(big.Int).Exp(big.NewInt(2), x.Add(x, big.NewInt(2)), p)
		return y.FillBytes(make([]byte, (bits+7)/8)), nil
	}
	return nil, fmt.Errorf("no FFDHE group of %d bits", bits)
}

// records encodes the hello as the client sends it.
func (h *simHello) records() ([]byte, error) {
	p := h.p
	if p.SSLv2Hello {
		m := tlswire.SSLv2ClientHello{
			Version:     uint16(p.MaxVersion),
			CipherSpecs: p.SSLv2CipherSpecs,
			Challenge:   h.random[:],
		}
		return m.Marshal()
	}
	body, err := h.body()
	if err != nil {
		return nil, err
	}
	rv := uint16(p.RecordVersion)
	if rv == 0 {
		rv = uint16(registry.TLS10)
	}
	var out []byte
	if h.retried {
		// After a HelloRetryRequest: TLS 1.2 record version (RFC 8446
		// §5.1) and, in middlebox compatibility mode, the dummy
		// change_cipher_spec before the second hello (§D.4).
		rv = uint16(registry.TLS12)
		if len(h.sessionID) > 0 {
			out = tlswire.Record{Type: tlswire.TypeChangeCipherSpec, Version: rv, Payload: []byte{1}}.Marshal()
		}
	}
	for _, r := range tlswire.Fragment(tlswire.TypeHandshake, rv, body, 0) {
		out = append(out, r.Marshal()...)
	}
	return out, nil
}

// body builds the ClientHello handshake message.
func (h *simHello) body() ([]byte, error) {
	p := h.p
	suites := make([]uint16, 0, len(p.Suites)+1)
	if p.GREASE {
		suites = append(suites, h.greaseSuite)
	}
	suites = append(suites, p.Suites...)
	m := &tlswire.ClientHello{
		Version:            uint16(min(p.MaxVersion, registry.TLS12)),
		Random:             h.random,
		SessionID:          h.sessionID,
		CipherSuites:       suites,
		CompressionMethods: []uint8{0},
	}
	if len(p.Extensions) > 0 {
		m.Extensions = []tlswire.Extension{}
	}
	padAt := -1
	greaseSeen := false
	for _, t := range p.Extensions {
		switch {
		case t == registry.GREASEExtension:
			if !greaseSeen {
				m.Extensions = append(m.Extensions, tlswire.Extension{Type: tlswire.ExtensionType(h.greaseExt1), Data: []byte{}})
			} else {
				m.Extensions = append(m.Extensions, tlswire.Extension{Type: tlswire.ExtensionType(h.greaseExt2), Data: []byte{0}})
			}
			greaseSeen = true
			continue
		case t == uint16(tlswire.ExtPadding):
			padAt = len(m.Extensions)
			continue
		}
		e, ok, err := h.extension(t)
		if err != nil {
			return nil, err
		}
		if ok {
			m.Extensions = append(m.Extensions, e)
		}
		if t == uint16(tlswire.ExtKeyShare) && h.cookie != nil {
			m.Extensions = append(m.Extensions, tlswire.Extension{Type: tlswire.ExtCookie, Data: h.cookie})
		}
	}
	body, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	// The padding extension (RFC 7685) as BoringSSL and OpenSSL add it:
	// a hello of 256 to 511 bytes is padded to 512.
	if n := len(body); padAt >= 0 && n >= 256 && n < 512 {
		pad := max(512-n-4, 1)
		m.Extensions = slices.Insert(m.Extensions, padAt, tlswire.Padding(pad))
		if body, err = m.Marshal(); err != nil {
			return nil, err
		}
	}
	return body, nil
}

// Extension types the profiles use that tlswire has no name for.
const (
	extDelegatedCredentials = 34
	extALPSOld              = 17513
	extALPS                 = 17613
	extChannelID            = 30032
)

// extension returns the extension of type t for the hello; ok is false when
// the client would leave it out on this connection (server_name without a
// name).
func (h *simHello) extension(t uint16) (e tlswire.Extension, ok bool, err error) {
	p := h.p
	if data, ok := p.ExtensionData[t]; ok {
		return tlswire.Extension{Type: tlswire.ExtensionType(t), Data: data}, true, nil
	}
	withGrease := func(g uint16, vs []uint16) []uint16 {
		if !p.GREASE {
			return vs
		}
		return append([]uint16{g}, vs...)
	}
	switch tlswire.ExtensionType(t) {
	case tlswire.ExtServerName:
		if !p.SNI || h.sni == "" {
			return e, false, nil
		}
		return tlswire.ServerName(h.sni), true, nil
	case tlswire.ExtStatusRequest:
		return tlswire.StatusRequest(), true, nil
	case tlswire.ExtSupportedGroups:
		return tlswire.SupportedGroups(withGrease(h.greaseGroup, p.Groups)), true, nil
	case tlswire.ExtECPointFormats:
		return tlswire.ECPointFormats(p.PointFormats...), true, nil
	case tlswire.ExtSignatureAlgorithms:
		return tlswire.SignatureAlgorithms(p.SignatureSchemes), true, nil
	case tlswire.ExtSignatureAlgorithmsCert:
		return tlswire.SignatureAlgorithmsCert(p.SignatureSchemesCert), true, nil
	case tlswire.ExtHeartbeat:
		return tlswire.Heartbeat(tlswire.HeartbeatPeerAllowedToSend), true, nil
	case tlswire.ExtALPN:
		return tlswire.ALPN(p.ALPN), true, nil
	case tlswire.ExtRenegotiationInfo:
		return tlswire.RenegotiationInfo(nil), true, nil
	case tlswire.ExtSCT, tlswire.ExtEncryptThenMAC, tlswire.ExtExtendedMasterSecret,
		tlswire.ExtSessionTicket, tlswire.ExtPostHandshakeAuth, tlswire.ExtNextProtoNeg, extChannelID:
		return tlswire.Empty(tlswire.ExtensionType(t)), true, nil
	case tlswire.ExtSupportedVersions:
		var vs []uint16
		if p.GREASE {
			vs = append(vs, h.greaseVersion)
		}
		for _, v := range p.SupportedVersions() {
			vs = append(vs, uint16(v))
		}
		return tlswire.SupportedVersions(vs), true, nil
	case tlswire.ExtPSKModes:
		return tlswire.PSKKeyExchangeModes(tlswire.PSKModeDHEKE), true, nil
	case tlswire.ExtKeyShare:
		var ks []tlswire.KeyShare
		if p.GREASE && !h.retried {
			ks = append(ks, tlswire.KeyShare{Group: h.greaseGroup, Data: []byte{0}})
		}
		return tlswire.KeyShares(append(ks, h.shares...)), true, nil
	case tlswire.ExtCompressCertificate:
		return h.build(t, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, a := range p.CertCompression {
					b.AddUint16(a)
				}
			})
		})
	case tlswire.ExtRecordSizeLimit:
		return h.build(t, func(b *cryptobyte.Builder) { b.AddUint16(p.RecordSizeLimit) })
	case extDelegatedCredentials:
		return h.build(t, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, s := range p.DelegatedCredentials {
					b.AddUint16(s)
				}
			})
		})
	case extALPS, extALPSOld:
		return h.build(t, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, proto := range p.ALPS {
					b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(proto)) })
				}
			})
		})
	case tlswire.ExtEncryptedClientHello:
		// A GREASE ECH extension (RFC 9849 §6.2): an outer ClientHello
		// for HKDF-SHA256/AES-128-GCM with a random config id, a random
		// X25519-sized enc and a random payload; a second hello repeats it.
		if h.echData == nil {
			noise := make([]byte, 32+p.ECHGreasePayload)
			if _, err := rand.Read(noise); err != nil {
				return e, false, err
			}
			e, _, err := h.build(t, func(b *cryptobyte.Builder) {
				b.AddUint8(0) // outer
				b.AddUint16(0x0001)
				b.AddUint16(0x0001)
				b.AddUint8(h.echConfigID)
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(noise[:32]) })
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(noise[32:]) })
			})
			if err != nil {
				return e, false, err
			}
			h.echData = e.Data
		}
		return tlswire.Extension{Type: tlswire.ExtEncryptedClientHello, Data: h.echData}, true, nil
	}
	return e, false, fmt.Errorf("%s: no contents for extension %d", p.ID, t)
}

func (h *simHello) build(t uint16, f func(b *cryptobyte.Builder)) (tlswire.Extension, bool, error) {
	var b cryptobyte.Builder
	f(&b)
	data, err := b.Bytes()
	if err != nil {
		return tlswire.Extension{}, false, fmt.Errorf("extension %d: %w", t, err)
	}
	return tlswire.Extension{Type: tlswire.ExtensionType(t), Data: data}, true, nil
}

// retry takes a HelloRetryRequest and prepares the second hello: one key
// share for the group the server asked for, and its cookie (RFC 8446 §4.1.4).
func (h *simHello) retry(f *Flight) error {
	p, sh := h.p, f.ServerHello
	if f.Version != registry.TLS13 || p.MaxVersion < registry.TLS13 {
		return reject("server sent a HelloRetryRequest for %v", f.Version)
	}
	if !p.Offers(sh.CipherSuite) {
		return reject("server's HelloRetryRequest chose cipher suite %s, which the client did not offer", suiteName(sh.CipherSuite))
	}
	data, ok := sh.Extension(tlswire.ExtKeyShare)
	if !ok {
		// Only a cookie: send the same hello again with it.
		if _, ok := sh.Extension(tlswire.ExtCookie); !ok {
			return reject("server's HelloRetryRequest asks for no change")
		}
	} else {
		ks, err := tlswire.ParseKeyShareServer(data, true)
		if err != nil {
			return err
		}
		if !slices.Contains(p.Groups, ks.Group) {
			return reject("server asked for a key share for %s, which the client does not support", groupName(ks.Group))
		}
		if slices.ContainsFunc(h.shares, func(s tlswire.KeyShare) bool { return s.Group == ks.Group }) {
			return reject("server asked for a key share for %s, which the client had sent", groupName(ks.Group))
		}
		share, err := simShare(h.keys, ks.Group)
		if err != nil {
			return &simBuildError{err}
		}
		h.shares = []tlswire.KeyShare{{Group: ks.Group, Data: share}}
	}
	if c, ok := sh.Extension(tlswire.ExtCookie); ok {
		h.cookie = c
	}
	h.retried = true
	h.hrrSuite = sh.CipherSuite
	return nil
}

// check applies the client's rules to the server's first flight and returns
// what was negotiated, or the client's objection.
func (h *simHello) check(f *Flight) (*simResult, error) {
	p, sh, v := h.p, f.ServerHello, f.Version
	if !p.Accepts(v) {
		return nil, reject("server chose %v; the client supports %v to %v", v, p.MinVersion, p.MaxVersion)
	}
	s, known := registry.SuiteByID(sh.CipherSuite)
	switch {
	case !p.Offers(sh.CipherSuite) || (known && s.SCSV):
		return nil, reject("server chose cipher suite %s, which the client did not offer", suiteName(sh.CipherSuite))
	case known && !s.ValidFor(v):
		return nil, reject("server chose %s, which cannot be used with %v", s.Name, v)
	case h.retried && sh.CipherSuite != h.hrrSuite:
		return nil, reject("server chose %s after asking for %s in its HelloRetryRequest", suiteName(sh.CipherSuite), suiteName(h.hrrSuite))
	case sh.CompressionMethod != 0:
		return nil, reject("server chose compression method %d, which the client did not offer", sh.CompressionMethod)
	}
	r := &simResult{version: v, suite: sh.CipherSuite}

	if v >= registry.TLS13 {
		data, ok := sh.Extension(tlswire.ExtKeyShare)
		if !ok {
			return nil, reject("server's TLS 1.3 ServerHello has no key share")
		}
		ks, err := tlswire.ParseKeyShareServer(data, false)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(h.shares, func(s tlswire.KeyShare) bool { return s.Group == ks.Group }) {
			return nil, reject("server answered with a key share for %s, which the client did not send", groupName(ks.Group))
		}
		r.group = ks.Group
		if g, ok := registry.GroupByID(ks.Group); ok && g.Kind == registry.GroupFFDHE {
			r.dhBits = g.Bits
		}
		return r, nil
	}

	if p.MaxVersion >= registry.TLS13 && sh.DowngradeSentinel() != 0 {
		return nil, reject("server chose %v but its random carries the TLS 1.3 downgrade sentinel", v)
	}
	ske, err := f.KeyExchange()
	if err != nil {
		return nil, err
	}
	switch {
	case known && (s.Kx == registry.KxECDHE || (s.Kx == registry.KxECDH && s.Auth == registry.AuthNull)):
		if ske == nil || ske.ECDH == nil {
			return nil, reject("server sent no ECDHE parameters for %s", s.Name)
		}
		g := ske.ECDH.Group
		if p.Sends(uint16(tlswire.ExtSupportedGroups)) && !slices.Contains(p.Groups, g) {
			return nil, reject("server chose curve %s, which the client does not support", groupName(g))
		}
		r.group = g
	case known && (s.Kx == registry.KxDHE || (s.Kx == registry.KxDH && s.Auth == registry.AuthNull)):
		if ske == nil || ske.DH == nil {
			return nil, reject("server sent no DHE parameters for %s", s.Name)
		}
		r.dhBits = new(big.Int).SetBytes(ske.DH.P).BitLen()
		if p.MinDHBits > 0 && r.dhBits < p.MinDHBits {
			return nil, reject("client requires DH parameters of at least %d bits; the server sent %d", p.MinDHBits, r.dhBits)
		}
		if p.MaxDHBits > 0 && r.dhBits > p.MaxDHBits {
			return nil, reject("client does not support DH parameters > %d bits; the server sent %d", p.MaxDHBits, r.dhBits)
		}
	}
	if ske != nil && ske.Signature != nil && v == registry.TLS12 && p.Sends(uint16(tlswire.ExtSignatureAlgorithms)) &&
		!slices.Contains(p.SignatureSchemes, ske.SignatureScheme) {
		return nil, reject("server signed its key exchange with %s, which the client did not offer", sigName(ske.SignatureScheme))
	}
	if err := checkCertificate(p, f); err != nil {
		return nil, err
	}
	return r, nil
}

// checkCertificate applies the client's limits on the server certificate
// (seen in the clear up to TLS 1.2): key sizes and SHA-2.
func checkCertificate(p registry.ClientProfile, f *Flight) error {
	if f.Certificate == nil || len(f.Certificate.Certificates) == 0 {
		return nil
	}
	leaf, err := x509.ParseCertificate(f.Certificate.Certificates[0])
	if err != nil {
		return nil // a certificate Go cannot read: leave it to the certificate checks
	}
	return certificateLimit(p, leaf)
}

func suiteName(id uint16) string {
	if s, ok := registry.SuiteByID(id); ok {
		return s.Name
	}
	return fmt.Sprintf("0x%04x", id)
}

func groupName(id uint16) string {
	if g, ok := registry.GroupByID(id); ok {
		return g.Name
	}
	return fmt.Sprintf("0x%04x", id)
}

func sigName(id uint16) string {
	if s, ok := registry.SignatureSchemeByID(id); ok {
		return s.Name
	}
	return fmt.Sprintf("0x%04x", id)
}
