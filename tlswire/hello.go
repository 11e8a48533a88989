package tlswire

import (
	"bytes"

	"golang.org/x/crypto/cryptobyte"
)

// HelloRetryRequestRandom is the ServerHello.random value that marks a
// HelloRetryRequest (RFC 8446 §4.1.3): SHA-256("HelloRetryRequest").
var HelloRetryRequestRandom = [32]byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// Downgrade sentinels a TLS 1.3-capable server puts in the last 8 bytes of
// ServerHello.random when it negotiates an older version (RFC 8446 §4.1.3).
var (
	downgradeTLS12 = []byte("DOWNGRD\x01")
	downgradeTLS11 = []byte("DOWNGRD\x00")
)

// IsGREASE reports whether v is one of the reserved GREASE values of RFC
// 8701 (0x0a0a, 0x1a1a, ..., 0xfafa), used for cipher suites, extensions,
// groups, signature algorithms and versions alike.
func IsGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// MaxSessionIDLen is the longest session ID the hello parsers accept
// (RFC 5246 §7.4.1.2).
const MaxSessionIDLen = 32

// ClientHello is a ClientHello message (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2).
type ClientHello struct {
	Version            uint16 // legacy_version in the hello body
	Random             [32]byte
	SessionID          []byte
	CipherSuites       []uint16 // in order, any values (including SCSVs and GREASE)
	CompressionMethods []uint8
	// Extensions in order. Marshal writes no extensions block at all when
	// Extensions is nil (an SSLv3-style hello) and an empty block when it is
	// non-nil but empty; ParseClientHello distinguishes the two the same way.
	Extensions []Extension
}

// Marshal returns the complete handshake message, header included. It fails
// only when a field overflows its length prefix; it does not enforce
// protocol limits such as the 32-byte session ID.
func (m *ClientHello) Marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(uint8(HandshakeClientHello))
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(m.Version)
		b.AddBytes(m.Random[:])
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddBytes(m.SessionID)
		})
		addUint16List(b, m.CipherSuites)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddBytes(m.CompressionMethods)
		})
		if m.Extensions != nil {
			addExtensions(b, m.Extensions)
		}
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, wrapMarshal("ClientHello", err)
	}
	return out, nil
}

// Extension returns the data of the first extension of type t.
func (m *ClientHello) Extension(t ExtensionType) ([]byte, bool) {
	return findExtension(m.Extensions, t)
}

// ParseClientHello parses a ClientHello body (without the 4-byte handshake
// header). It requires a session ID of at most 32 bytes, a non-empty,
// even-length cipher suite list and at least one compression method, and
// rejects trailing bytes. Extensions are not interpreted and may repeat.
// The result's slices alias body.
func ParseClientHello(body []byte) (*ClientHello, error) {
	const msg = "ClientHello"
	s := cryptobyte.String(body)
	m := new(ClientHello)
	var random []byte
	if !s.ReadUint16(&m.Version) || !s.ReadBytes(&random, 32) {
		return nil, malformed(msg, "truncated version or random")
	}
	copy(m.Random[:], random)
	if !s.ReadUint8LengthPrefixed((*cryptobyte.String)(&m.SessionID)) {
		return nil, malformed(msg, "truncated session_id")
	}
	if len(m.SessionID) > MaxSessionIDLen {
		return nil, malformed(msg, "session_id is %d bytes, more than %d", len(m.SessionID), MaxSessionIDLen)
	}
	var suites cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&suites) {
		return nil, malformed(msg, "truncated cipher_suites")
	}
	if suites.Empty() || len(suites)%2 != 0 {
		return nil, malformed(msg, "cipher_suites length %d is not a positive even number", len(suites))
	}
	m.CipherSuites = make([]uint16, 0, len(suites)/2)
	for !suites.Empty() {
		var cs uint16
		suites.ReadUint16(&cs)
		m.CipherSuites = append(m.CipherSuites, cs)
	}
	if !s.ReadUint8LengthPrefixed((*cryptobyte.String)(&m.CompressionMethods)) {
		return nil, malformed(msg, "truncated compression_methods")
	}
	if len(m.CompressionMethods) == 0 {
		return nil, malformed(msg, "no compression_methods")
	}
	if s.Empty() {
		return m, nil
	}
	var err error
	if m.Extensions, err = readExtensions(&s, msg, false); err != nil {
		return nil, err
	}
	if !s.Empty() {
		return nil, malformed(msg, "%d trailing bytes", len(s))
	}
	return m, nil
}

// ServerHello is a ServerHello message (RFC 8446 §4.1.3, RFC 5246
// §7.4.1.3), which in TLS 1.3 may be a HelloRetryRequest.
type ServerHello struct {
	Version           uint16 // legacy_version in the hello body
	Random            [32]byte
	SessionID         []byte
	CipherSuite       uint16
	CompressionMethod uint8
	// Extensions in order; nil means the message had no extensions block,
	// non-nil empty a zero-length one. Marshal follows the same convention.
	Extensions []Extension
}

// Marshal returns the complete handshake message, header included. It fails
// only when a field overflows its length prefix.
func (m *ServerHello) Marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(uint8(HandshakeServerHello))
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(m.Version)
		b.AddBytes(m.Random[:])
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddBytes(m.SessionID)
		})
		b.AddUint16(m.CipherSuite)
		b.AddUint8(m.CompressionMethod)
		if m.Extensions != nil {
			addExtensions(b, m.Extensions)
		}
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, wrapMarshal("ServerHello", err)
	}
	return out, nil
}

// ParseServerHello parses a ServerHello body (without the 4-byte handshake
// header). It requires a session ID of at most 32 bytes and rejects
// duplicate extension types and trailing bytes. The result's slices alias
// body.
func ParseServerHello(body []byte) (*ServerHello, error) {
	const msg = "ServerHello"
	s := cryptobyte.String(body)
	m := new(ServerHello)
	var random []byte
	if !s.ReadUint16(&m.Version) || !s.ReadBytes(&random, 32) {
		return nil, malformed(msg, "truncated version or random")
	}
	copy(m.Random[:], random)
	if !s.ReadUint8LengthPrefixed((*cryptobyte.String)(&m.SessionID)) {
		return nil, malformed(msg, "truncated session_id")
	}
	if len(m.SessionID) > MaxSessionIDLen {
		return nil, malformed(msg, "session_id is %d bytes, more than %d", len(m.SessionID), MaxSessionIDLen)
	}
	if !s.ReadUint16(&m.CipherSuite) || !s.ReadUint8(&m.CompressionMethod) {
		return nil, malformed(msg, "truncated cipher_suite or compression_method")
	}
	if s.Empty() {
		return m, nil
	}
	var err error
	if m.Extensions, err = readExtensions(&s, msg, true); err != nil {
		return nil, err
	}
	if !s.Empty() {
		return nil, malformed(msg, "%d trailing bytes", len(s))
	}
	return m, nil
}

// IsHelloRetryRequest reports whether m is a TLS 1.3 HelloRetryRequest,
// recognised by its magic Random value.
func (m *ServerHello) IsHelloRetryRequest() bool {
	return m.Random == HelloRetryRequestRandom
}

// Extension returns the data of the extension of type t, if present.
func (m *ServerHello) Extension(t ExtensionType) ([]byte, bool) {
	return findExtension(m.Extensions, t)
}

// SelectedVersion returns the version the server selected: the value of a
// well-formed supported_versions extension if present, else Version.
func (m *ServerHello) SelectedVersion() uint16 {
	if data, ok := m.Extension(ExtSupportedVersions); ok {
		if v, err := ParseSupportedVersionServer(data); err == nil {
			return v
		}
	}
	return m.Version
}

// DowngradeSentinel reports the downgrade marker of RFC 8446 §4.1.3 in the
// last 8 bytes of Random: 0x0303 for "DOWNGRD\x01" (a TLS 1.3 server
// negotiating TLS 1.2), 0x0302 for "DOWNGRD\x00" (negotiating TLS 1.1 or
// below), and 0 if there is none.
func (m *ServerHello) DowngradeSentinel() uint16 {
	tail := m.Random[24:]
	switch {
	case bytes.Equal(tail, downgradeTLS12):
		return 0x0303
	case bytes.Equal(tail, downgradeTLS11):
		return 0x0302
	}
	return 0
}
