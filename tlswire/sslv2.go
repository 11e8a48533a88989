package tlswire

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// SSLv2 message types (draft-hickman-netscape-ssl-00, "SSL Handshake
// Protocol").
const (
	SSLv2MsgError              uint8 = 0
	SSLv2MsgClientHello        uint8 = 1
	SSLv2MsgClientMasterKey    uint8 = 2
	SSLv2MsgClientFinished     uint8 = 3
	SSLv2MsgServerHello        uint8 = 4
	SSLv2MsgServerVerify       uint8 = 5
	SSLv2MsgServerFinished     uint8 = 6
	SSLv2MsgRequestCertificate uint8 = 7
	SSLv2MsgClientCertificate  uint8 = 8
)

// SSLv2 error codes carried by an SSLv2 ERROR message.
const (
	SSLv2NoCipherError                   uint16 = 0x0001
	SSLv2NoCertificateError              uint16 = 0x0002
	SSLv2BadCertificateError             uint16 = 0x0004
	SSLv2UnsupportedCertificateTypeError uint16 = 0x0006
)

// SSLv2CertificateTypeX509 is the only SSLv2 CERTIFICATE-TYPE in use.
const SSLv2CertificateTypeX509 uint8 = 1

// MaxSSLv2Record is the largest SSLv2 record body a 2-byte header can
// announce; 3-byte headers allow at most 16383.
const MaxSSLv2Record = 32767

// SSLv2Error is returned by ParseSSLv2ServerHello when the server answered
// with an SSLv2 ERROR message instead of a SERVER-HELLO.
type SSLv2Error struct {
	Code uint16
}

// As lets errors.As find an SSLv2Error through a *SSLv2Error target as well,
// so callers may write either errors.As(err, new(SSLv2Error)) or
// errors.As(err, new(*SSLv2Error)).
func (e SSLv2Error) As(target any) bool {
	if p, ok := target.(**SSLv2Error); ok {
		*p = &SSLv2Error{Code: e.Code}
		return true
	}
	return false
}

func (e SSLv2Error) Error() string {
	var name string
	switch e.Code {
	case SSLv2NoCipherError:
		name = "NO-CIPHER-ERROR"
	case SSLv2NoCertificateError:
		name = "NO-CERTIFICATE-ERROR"
	case SSLv2BadCertificateError:
		name = "BAD-CERTIFICATE-ERROR"
	case SSLv2UnsupportedCertificateTypeError:
		name = "UNSUPPORTED-CERTIFICATE-TYPE-ERROR"
	default:
		name = "unknown error"
	}
	return fmt.Sprintf("tlswire: SSLv2 peer sent ERROR %s (%#04x)", name, e.Code)
}

// sslv2Record wraps msg in a 2-byte SSLv2 record header.
func sslv2Record(name string, msg []byte) ([]byte, error) {
	if len(msg) > MaxSSLv2Record {
		return nil, fmt.Errorf("tlswire: marshaling %s: %d bytes exceed the SSLv2 record limit of %d", name, len(msg), MaxSSLv2Record)
	}
	out := make([]byte, 2, 2+len(msg))
	out[0] = 0x80 | byte(len(msg)>>8)
	out[1] = byte(len(msg))
	return append(out, msg...), nil
}

func addCipherSpecs(b *cryptobyte.Builder, specs []uint32) {
	for _, cs := range specs {
		if cs > 0xffffff {
			b.SetError(fmt.Errorf("cipher spec %#x does not fit in 3 bytes", cs))
			return
		}
		b.AddUint24(cs)
	}
}

func readCipherSpecs(data []byte) []uint32 {
	s := cryptobyte.String(data)
	specs := make([]uint32, 0, len(data)/3)
	var cs uint32
	for s.ReadUint24(&cs) {
		specs = append(specs, cs)
	}
	return specs
}

// SSLv2ClientHello is an SSLv2 CLIENT-HELLO message. With Version 0x0300 or
// higher it is the SSLv2-compatible hello that old TLS clients send.
type SSLv2ClientHello struct {
	Version     uint16
	CipherSpecs []uint32 // 3-byte cipher kinds; TLS suites are 0x00XXYY
	SessionID   []byte   // empty or 16 bytes
	Challenge   []byte   // 16 to 32 bytes
}

// Marshal returns a complete SSLv2 record: a 2-byte header (high bit set)
// and the CLIENT-HELLO message. It fails if the message exceeds 32767 bytes
// or a cipher spec does not fit in 3 bytes; the field lengths themselves are
// not checked against the specification's ranges.
func (m *SSLv2ClientHello) Marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(SSLv2MsgClientHello)
	b.AddUint16(m.Version)
	b.AddUint16(uint16(3 * len(m.CipherSpecs)))
	b.AddUint16(uint16(len(m.SessionID)))
	b.AddUint16(uint16(len(m.Challenge)))
	addCipherSpecs(&b, m.CipherSpecs)
	b.AddBytes(m.SessionID)
	b.AddBytes(m.Challenge)
	msg, err := b.Bytes()
	if err != nil {
		return nil, wrapMarshal("SSLv2 CLIENT-HELLO", err)
	}
	return sslv2Record("SSLv2 CLIENT-HELLO", msg)
}

// ParseSSLv2ClientHello parses an SSLv2 CLIENT-HELLO message (as returned by
// ParseSSLv2Record, starting with the message type byte 1). The cipher spec
// length must be a multiple of 3, the session ID 0 or 16 bytes and the
// challenge 16 to 32 bytes. SessionID and Challenge alias msg.
func ParseSSLv2ClientHello(msg []byte) (*SSLv2ClientHello, error) {
	const name = "SSLv2 CLIENT-HELLO"
	s := cryptobyte.String(msg)
	var typ uint8
	var specsLen, sidLen, chLen uint16
	m := new(SSLv2ClientHello)
	if !s.ReadUint8(&typ) || !s.ReadUint16(&m.Version) || !s.ReadUint16(&specsLen) ||
		!s.ReadUint16(&sidLen) || !s.ReadUint16(&chLen) {
		return nil, malformed(name, "truncated header")
	}
	if typ != SSLv2MsgClientHello {
		return nil, malformed(name, "message type %d", typ)
	}
	if specsLen%3 != 0 {
		return nil, malformed(name, "cipher specs length %d is not a multiple of 3", specsLen)
	}
	if sidLen != 0 && sidLen != 16 {
		return nil, malformed(name, "session ID length %d, want 0 or 16", sidLen)
	}
	if chLen < 16 || chLen > 32 {
		return nil, malformed(name, "challenge length %d, want 16 to 32", chLen)
	}
	var specs []byte
	if !s.ReadBytes(&specs, int(specsLen)) || !s.ReadBytes(&m.SessionID, int(sidLen)) ||
		!s.ReadBytes(&m.Challenge, int(chLen)) {
		return nil, malformed(name, "truncated body")
	}
	if !s.Empty() {
		return nil, malformed(name, "%d trailing bytes", len(s))
	}
	m.CipherSpecs = readCipherSpecs(specs)
	return m, nil
}

// SSLv2ServerHello is an SSLv2 SERVER-HELLO message.
type SSLv2ServerHello struct {
	SessionIDHit    bool
	CertificateType uint8 // SSLv2CertificateTypeX509
	Version         uint16
	Certificate     []byte // DER X.509 certificate
	CipherSpecs     []uint32
	ConnectionID    []byte
}

// Marshal returns a complete SSLv2 record holding the SERVER-HELLO message.
func (m *SSLv2ServerHello) Marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(SSLv2MsgServerHello)
	if m.SessionIDHit {
		b.AddUint8(1)
	} else {
		b.AddUint8(0)
	}
	b.AddUint8(m.CertificateType)
	b.AddUint16(m.Version)
	b.AddUint16(uint16(len(m.Certificate)))
	b.AddUint16(uint16(3 * len(m.CipherSpecs)))
	b.AddUint16(uint16(len(m.ConnectionID)))
	b.AddBytes(m.Certificate)
	addCipherSpecs(&b, m.CipherSpecs)
	b.AddBytes(m.ConnectionID)
	msg, err := b.Bytes()
	if err != nil {
		return nil, wrapMarshal("SSLv2 SERVER-HELLO", err)
	}
	return sslv2Record("SSLv2 SERVER-HELLO", msg)
}

// ParseSSLv2ServerHello parses an SSLv2 message that should be a
// SERVER-HELLO (type 4). An ERROR message (type 0) yields an SSLv2Error.
// The cipher spec length must be a multiple of 3; the lengths must account
// for the message exactly. Certificate and ConnectionID alias msg.
func ParseSSLv2ServerHello(msg []byte) (*SSLv2ServerHello, error) {
	const name = "SSLv2 SERVER-HELLO"
	s := cryptobyte.String(msg)
	var typ uint8
	if !s.ReadUint8(&typ) {
		return nil, malformed(name, "empty message")
	}
	switch typ {
	case SSLv2MsgServerHello:
	case SSLv2MsgError:
		var code uint16
		if !s.ReadUint16(&code) || !s.Empty() {
			return nil, malformed("SSLv2 ERROR", "want 3 bytes, got %d", len(msg))
		}
		return nil, SSLv2Error{Code: code}
	default:
		return nil, malformed(name, "unexpected message type %d", typ)
	}
	m := new(SSLv2ServerHello)
	var hit uint8
	var certLen, specsLen, connLen uint16
	if !s.ReadUint8(&hit) || !s.ReadUint8(&m.CertificateType) || !s.ReadUint16(&m.Version) ||
		!s.ReadUint16(&certLen) || !s.ReadUint16(&specsLen) || !s.ReadUint16(&connLen) {
		return nil, malformed(name, "truncated header")
	}
	m.SessionIDHit = hit != 0
	if specsLen%3 != 0 {
		return nil, malformed(name, "cipher specs length %d is not a multiple of 3", specsLen)
	}
	var specs []byte
	if !s.ReadBytes(&m.Certificate, int(certLen)) || !s.ReadBytes(&specs, int(specsLen)) ||
		!s.ReadBytes(&m.ConnectionID, int(connLen)) {
		return nil, malformed(name, "truncated body")
	}
	if !s.Empty() {
		return nil, malformed(name, "%d trailing bytes", len(s))
	}
	m.CipherSpecs = readCipherSpecs(specs)
	return m, nil
}

// ParseSSLv2Record parses the SSLv2 record at the start of b and returns its
// message bytes (a copy, without header and padding) and how many bytes it
// took. Both header forms are accepted: 2 bytes with the high bit set
// (length up to 32767) and 3 bytes whose last byte counts padding at the end
// of the record (length up to 16383). It returns ErrIncomplete if b holds
// less than a whole record and an error matching ErrNotSSLv2 if b starts
// like a TLS record, which is how servers that refuse SSLv2 usually answer.
func ParseSSLv2Record(b []byte) (msg []byte, n int, err error) {
	const name = "SSLv2 record"
	if len(b) < 2 {
		return nil, 0, ErrIncomplete
	}
	var hdr, length, padding int
	if b[0]&0x80 != 0 {
		hdr = 2
		length = int(b[0]&0x7f)<<8 | int(b[1])
	} else {
		if LooksLikeTLS(b) {
			return nil, 0, fmt.Errorf("%w: received what looks like a TLS record: %s", ErrNotSSLv2, quotePrefix(b))
		}
		if len(b) < 3 {
			return nil, 0, ErrIncomplete
		}
		hdr = 3
		length = int(b[0]&0x3f)<<8 | int(b[1])
		padding = int(b[2])
		if padding > length {
			return nil, 0, malformed(name, "%d padding bytes in a %d-byte record", padding, length)
		}
	}
	if length == 0 {
		return nil, 0, malformed(name, "empty record")
	}
	n = hdr + length
	if len(b) < n {
		return nil, 0, ErrIncomplete
	}
	return append([]byte{}, b[hdr:n-padding]...), n, nil
}

// LooksLikeSSLv2 reports whether b could be the start of an SSLv2 record with
// a 2-byte header, as servers send their handshake messages: the high bit
// set, a non-zero length and a known message type (0 to 8), as far as those
// bytes are present. A non-empty prefix that is consistent so far reports
// true, so stream readers can decide from the first byte; empty input
// reports false.
func LooksLikeSSLv2(b []byte) bool {
	if len(b) == 0 || b[0]&0x80 == 0 {
		return false
	}
	if len(b) >= 2 && int(b[0]&0x7f)<<8|int(b[1]) == 0 {
		return false
	}
	return len(b) < 3 || b[2] <= SSLv2MsgClientCertificate
}
