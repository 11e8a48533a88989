package tlswire

import (
	"golang.org/x/crypto/cryptobyte"
)

// Certificate is the TLS 1.2-and-earlier Certificate message (RFC 5246
// §7.4.2): a chain of DER certificates, leaf first.
type Certificate struct {
	Certificates [][]byte
}

// Marshal returns the complete handshake message, header included.
func (m *Certificate) Marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(uint8(HandshakeCertificate))
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, c := range m.Certificates {
				b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddBytes(c)
				})
			}
		})
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, wrapMarshal("Certificate", err)
	}
	return out, nil
}

// ParseCertificate parses a TLS 1.2-and-earlier Certificate body. An empty
// chain is valid (a client with no certificate); an empty certificate within
// the chain is not. The certificates alias body and are not checked to be
// valid DER.
func ParseCertificate(body []byte) (*Certificate, error) {
	const msg = "Certificate"
	s := cryptobyte.String(body)
	var list cryptobyte.String
	if !s.ReadUint24LengthPrefixed(&list) {
		return nil, malformed(msg, "truncated certificate_list")
	}
	if !s.Empty() {
		return nil, malformed(msg, "%d trailing bytes", len(s))
	}
	m := new(Certificate)
	for !list.Empty() {
		var cert []byte
		if !list.ReadUint24LengthPrefixed((*cryptobyte.String)(&cert)) {
			return nil, malformed(msg, "truncated certificate %d", len(m.Certificates))
		}
		if len(cert) == 0 {
			return nil, malformed(msg, "empty certificate %d", len(m.Certificates))
		}
		m.Certificates = append(m.Certificates, cert)
	}
	return m, nil
}

// CertificateEntry is one entry of a TLS 1.3 Certificate message.
type CertificateEntry struct {
	Data       []byte // cert_data: DER certificate or raw public key
	Extensions []Extension
}

// Certificate13 is the TLS 1.3 Certificate message (RFC 8446 §4.4.2).
type Certificate13 struct {
	Context []byte // certificate_request_context
	Entries []CertificateEntry
}

// Marshal returns the complete handshake message, header included. Entries
// with nil Extensions get an empty extensions block, since TLS 1.3 requires
// one.
func (m *Certificate13) Marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(uint8(HandshakeCertificate))
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddBytes(m.Context)
		})
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, e := range m.Entries {
				b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddBytes(e.Data)
				})
				addExtensions(b, e.Extensions)
			}
		})
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, wrapMarshal("Certificate13", err)
	}
	return out, nil
}

// ParseCertificate13 parses a TLS 1.3 Certificate body. Each entry must have
// non-empty cert_data; its extensions (status_request, SCTs) must not repeat
// a type. Parsed entries always have non-nil Extensions. The result aliases
// body.
func ParseCertificate13(body []byte) (*Certificate13, error) {
	const msg = "TLS 1.3 Certificate"
	s := cryptobyte.String(body)
	m := new(Certificate13)
	var list cryptobyte.String
	if !s.ReadUint8LengthPrefixed((*cryptobyte.String)(&m.Context)) {
		return nil, malformed(msg, "truncated certificate_request_context")
	}
	if !s.ReadUint24LengthPrefixed(&list) {
		return nil, malformed(msg, "truncated certificate_list")
	}
	if !s.Empty() {
		return nil, malformed(msg, "%d trailing bytes", len(s))
	}
	for !list.Empty() {
		var e CertificateEntry
		if !list.ReadUint24LengthPrefixed((*cryptobyte.String)(&e.Data)) {
			return nil, malformed(msg, "truncated cert_data in entry %d", len(m.Entries))
		}
		if len(e.Data) == 0 {
			return nil, malformed(msg, "empty cert_data in entry %d", len(m.Entries))
		}
		var err error
		if e.Extensions, err = readExtensions(&list, msg, true); err != nil {
			return nil, err
		}
		m.Entries = append(m.Entries, e)
	}
	return m, nil
}

// Certificate status types (RFC 6066 §8, RFC 6961 §2.2).
const (
	StatusTypeOCSP      uint8 = 1
	StatusTypeOCSPMulti uint8 = 2
)

// CertificateStatus is a CertificateStatus message carrying a stapled OCSP
// response (RFC 6066 §8).
type CertificateStatus struct {
	Type     uint8  // StatusTypeOCSP
	Response []byte // DER OCSPResponse
}

// Marshal returns the complete handshake message, header included, in the
// status_type ocsp form: Type followed by a uint24-prefixed Response.
func (m *CertificateStatus) Marshal() ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(uint8(HandshakeCertificateStatus))
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint8(m.Type)
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddBytes(m.Response)
		})
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, wrapMarshal("CertificateStatus", err)
	}
	return out, nil
}

// ParseCertificateStatus parses a CertificateStatus body. Only status_type
// ocsp (1) is understood; the response must be non-empty. The response
// aliases body.
func ParseCertificateStatus(body []byte) (*CertificateStatus, error) {
	const msg = "CertificateStatus"
	s := cryptobyte.String(body)
	m := new(CertificateStatus)
	if !s.ReadUint8(&m.Type) {
		return nil, malformed(msg, "missing status_type")
	}
	if m.Type != StatusTypeOCSP {
		return nil, malformed(msg, "unsupported status_type %d", m.Type)
	}
	if !s.ReadUint24LengthPrefixed((*cryptobyte.String)(&m.Response)) {
		return nil, malformed(msg, "truncated OCSP response")
	}
	if len(m.Response) == 0 {
		return nil, malformed(msg, "empty OCSP response")
	}
	if !s.Empty() {
		return nil, malformed(msg, "%d trailing bytes", len(s))
	}
	return m, nil
}
