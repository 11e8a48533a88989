package tlswire

import (
	"fmt"
	"strconv"

	"golang.org/x/crypto/cryptobyte"
)

// KeyExchangeKind says which ServerKeyExchange layout to expect; it follows
// from the negotiated cipher suite, which the message itself does not name.
type KeyExchangeKind uint8

// ServerKeyExchange layouts.
const (
	SKEDHE       KeyExchangeKind = iota + 1 // DHE_RSA, DHE_DSS: signed ServerDHParams (RFC 5246 §7.4.3)
	SKEDHAnon                               // DH_anon: unsigned ServerDHParams
	SKEECDHE                                // ECDHE_RSA, ECDHE_ECDSA: signed ServerECDHParams (RFC 8422 §5.4)
	SKEECDHAnon                             // ECDH_anon: unsigned ServerECDHParams
	SKERSAExport                            // RSA_EXPORT: signed temporary ServerRSAParams (RFC 2246 §7.4.3)
	SKEPSK                                  // PSK, RSA_PSK: psk_identity_hint only (RFC 4279 §2)
	SKEDHEPSK                               // DHE_PSK: hint then unsigned ServerDHParams (RFC 4279 §3)
	SKEECDHEPSK                             // ECDHE_PSK: hint then unsigned ServerECDHParams (RFC 5489 §2)

	// SKEPSKHint is another name for SKEPSK.
	SKEPSKHint = SKEPSK
)

var kindNames = [...]string{
	SKEDHE:       "DHE",
	SKEDHAnon:    "DH_anon",
	SKEECDHE:     "ECDHE",
	SKEECDHAnon:  "ECDH_anon",
	SKERSAExport: "RSA_EXPORT",
	SKEPSK:       "PSK",
	SKEDHEPSK:    "DHE_PSK",
	SKEECDHEPSK:  "ECDHE_PSK",
}

func (k KeyExchangeKind) valid() bool { return k >= SKEDHE && k <= SKEECDHEPSK }

// String returns a short name for k ("ECDHE").
func (k KeyExchangeKind) String() string {
	if k.valid() {
		return kindNames[k]
	}
	return "KeyExchangeKind(" + strconv.Itoa(int(k)) + ")"
}

// Signed reports whether messages of kind k carry a signature.
func (k KeyExchangeKind) Signed() bool {
	return k == SKEDHE || k == SKEECDHE || k == SKERSAExport
}

func (k KeyExchangeKind) hasPSKHint() bool {
	return k == SKEPSK || k == SKEDHEPSK || k == SKEECDHEPSK
}

func (k KeyExchangeKind) hasDH() bool {
	return k == SKEDHE || k == SKEDHAnon || k == SKEDHEPSK
}

func (k KeyExchangeKind) hasECDH() bool {
	return k == SKEECDHE || k == SKEECDHAnon || k == SKEECDHEPSK
}

// ECCurveType values (RFC 4492 §5.4).
const (
	CurveTypeExplicitPrime uint8 = 1
	CurveTypeExplicitChar2 uint8 = 2
	CurveTypeNamedCurve    uint8 = 3
)

// DHParams are finite-field Diffie-Hellman parameters and the server's public
// value, as big-endian unsigned integers.
type DHParams struct {
	P, G, Y []byte
}

// ECDHParams are elliptic-curve Diffie-Hellman parameters. Only named curves
// are supported.
type ECDHParams struct {
	CurveType uint8  // CurveTypeNamedCurve; Marshal also takes 0 to mean it
	Group     uint16 // named_curve (a supported_groups code point)
	Point     []byte // encoded public point
}

// RSAParams is a temporary RSA key sent in an RSA_EXPORT ServerKeyExchange.
type RSAParams struct {
	Modulus, Exponent []byte
}

// ServerKeyExchange is a ServerKeyExchange message (RFC 5246 §7.4.3, RFC
// 8422 §5.4, RFC 4279). Exactly one of DH, ECDH and RSA is set, except for
// SKEPSK, which has none.
type ServerKeyExchange struct {
	DH   *DHParams
	ECDH *ECDHParams
	RSA  *RSAParams

	PSKIdentityHint []byte // PSK kinds only

	SignatureScheme uint16 // SignatureAndHashAlgorithm; signed kinds at TLS 1.2 only
	Signature       []byte // signed kinds only

	// Signed holds the bytes the signature covers after the two randoms:
	// the parameters exactly as they appeared on the wire. Set by
	// ParseServerKeyExchange; ignored by Marshal.
	Signed []byte
}

// readNonEmpty16 reads a uint16-prefixed, non-empty opaque value.
func readNonEmpty16(s *cryptobyte.String, out *[]byte, msg, field string) error {
	if !s.ReadUint16LengthPrefixed((*cryptobyte.String)(out)) {
		return malformed(msg, "truncated %s", field)
	}
	if len(*out) == 0 {
		return malformed(msg, "empty %s", field)
	}
	return nil
}

// ParseServerKeyExchange parses a ServerKeyExchange body laid out as kind
// says. For signed kinds, version (the negotiated protocol version) decides
// whether a SignatureAndHashAlgorithm precedes the signature: it does from
// TLS 1.2 (0x0303) on. Integers, points and the PSK hint alias body; so does
// Signed. Explicit curve parameters yield an error matching ErrExplicitCurve;
// everything else that does not fit the layout matches ErrMalformed.
func ParseServerKeyExchange(body []byte, kind KeyExchangeKind, version uint16) (*ServerKeyExchange, error) {
	msg := kind.String() + " ServerKeyExchange"
	if !kind.valid() {
		return nil, fmt.Errorf("tlswire: parsing ServerKeyExchange: unknown %s", kind)
	}
	s := cryptobyte.String(body)
	m := new(ServerKeyExchange)
	if kind.hasPSKHint() {
		// psk_identity_hint<0..2^16-1>: may be empty.
		if !s.ReadUint16LengthPrefixed((*cryptobyte.String)(&m.PSKIdentityHint)) {
			return nil, malformed(msg, "truncated psk_identity_hint")
		}
	}
	switch {
	case kind.hasDH():
		m.DH = new(DHParams)
		for _, f := range []struct {
			out  *[]byte
			name string
		}{{&m.DH.P, "dh_p"}, {&m.DH.G, "dh_g"}, {&m.DH.Y, "dh_Ys"}} {
			if err := readNonEmpty16(&s, f.out, msg, f.name); err != nil {
				return nil, err
			}
		}
	case kind.hasECDH():
		m.ECDH = new(ECDHParams)
		if !s.ReadUint8(&m.ECDH.CurveType) {
			return nil, malformed(msg, "missing curve_type")
		}
		switch m.ECDH.CurveType {
		case CurveTypeNamedCurve:
		case CurveTypeExplicitPrime, CurveTypeExplicitChar2:
			return nil, fmt.Errorf("%w: %s has curve_type %d", ErrExplicitCurve, msg, m.ECDH.CurveType)
		default:
			return nil, malformed(msg, "unknown curve_type %d", m.ECDH.CurveType)
		}
		if !s.ReadUint16(&m.ECDH.Group) {
			return nil, malformed(msg, "truncated named_curve")
		}
		if !s.ReadUint8LengthPrefixed((*cryptobyte.String)(&m.ECDH.Point)) {
			return nil, malformed(msg, "truncated public point")
		}
		if len(m.ECDH.Point) == 0 {
			return nil, malformed(msg, "empty public point")
		}
	case kind == SKERSAExport:
		m.RSA = new(RSAParams)
		if err := readNonEmpty16(&s, &m.RSA.Modulus, msg, "rsa_modulus"); err != nil {
			return nil, err
		}
		if err := readNonEmpty16(&s, &m.RSA.Exponent, msg, "rsa_exponent"); err != nil {
			return nil, err
		}
	}
	m.Signed = body[:len(body)-len(s)]
	if kind.Signed() {
		if version >= 0x0303 && !s.ReadUint16(&m.SignatureScheme) {
			return nil, malformed(msg, "truncated signature algorithm")
		}
		if !s.ReadUint16LengthPrefixed((*cryptobyte.String)(&m.Signature)) {
			return nil, malformed(msg, "truncated signature")
		}
	}
	if !s.Empty() {
		return nil, malformed(msg, "%d trailing bytes", len(s))
	}
	return m, nil
}

// Marshal returns the complete handshake message, header included, laid out
// as kind and version say (see ParseServerKeyExchange). It fails if the
// parameters kind needs are missing or a value overflows its length prefix.
// Signed is not used: the parameters are encoded from the structured fields.
func (m *ServerKeyExchange) Marshal(kind KeyExchangeKind, version uint16) ([]byte, error) {
	msg := kind.String() + " ServerKeyExchange"
	switch {
	case !kind.valid():
		return nil, fmt.Errorf("tlswire: marshaling ServerKeyExchange: unknown %s", kind)
	case kind.hasDH() && m.DH == nil:
		return nil, fmt.Errorf("tlswire: marshaling %s: no DH parameters", msg)
	case kind.hasECDH() && m.ECDH == nil:
		return nil, fmt.Errorf("tlswire: marshaling %s: no ECDH parameters", msg)
	case kind.hasECDH() && m.ECDH.CurveType != 0 && m.ECDH.CurveType != CurveTypeNamedCurve:
		return nil, fmt.Errorf("tlswire: marshaling %s: curve_type %d is not supported", msg, m.ECDH.CurveType)
	case kind == SKERSAExport && m.RSA == nil:
		return nil, fmt.Errorf("tlswire: marshaling %s: no RSA parameters", msg)
	}
	add16 := func(b *cryptobyte.Builder, v []byte) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(v) })
	}
	var b cryptobyte.Builder
	b.AddUint8(uint8(HandshakeServerKeyExchange))
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		if kind.hasPSKHint() {
			add16(b, m.PSKIdentityHint)
		}
		switch {
		case kind.hasDH():
			add16(b, m.DH.P)
			add16(b, m.DH.G)
			add16(b, m.DH.Y)
		case kind.hasECDH():
			b.AddUint8(CurveTypeNamedCurve)
			b.AddUint16(m.ECDH.Group)
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.ECDH.Point) })
		case kind == SKERSAExport:
			add16(b, m.RSA.Modulus)
			add16(b, m.RSA.Exponent)
		}
		if kind.Signed() {
			if version >= 0x0303 {
				b.AddUint16(m.SignatureScheme)
			}
			add16(b, m.Signature)
		}
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, wrapMarshal(msg, err)
	}
	return out, nil
}
