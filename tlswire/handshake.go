package tlswire

import (
	"strconv"
)

// HandshakeType is the type of a handshake message (RFC 8446 §4, RFC 5246
// §7.4, RFC 6066 §8 for certificate_status).
type HandshakeType uint8

// Handshake message types.
const (
	HandshakeHelloRequest        HandshakeType = 0
	HandshakeClientHello         HandshakeType = 1
	HandshakeServerHello         HandshakeType = 2
	HandshakeHelloVerifyRequest  HandshakeType = 3
	HandshakeNewSessionTicket    HandshakeType = 4
	HandshakeEndOfEarlyData      HandshakeType = 5
	HandshakeEncryptedExtensions HandshakeType = 8
	HandshakeCertificate         HandshakeType = 11
	HandshakeServerKeyExchange   HandshakeType = 12
	HandshakeCertificateRequest  HandshakeType = 13
	HandshakeServerHelloDone     HandshakeType = 14
	HandshakeCertificateVerify   HandshakeType = 15
	HandshakeClientKeyExchange   HandshakeType = 16
	HandshakeFinished            HandshakeType = 20
	HandshakeCertificateStatus   HandshakeType = 22
	HandshakeKeyUpdate           HandshakeType = 24
	HandshakeMessageHash         HandshakeType = 254
)

var handshakeTypeNames = map[HandshakeType]string{
	HandshakeHelloRequest:        "hello_request",
	HandshakeClientHello:         "client_hello",
	HandshakeServerHello:         "server_hello",
	HandshakeHelloVerifyRequest:  "hello_verify_request",
	HandshakeNewSessionTicket:    "new_session_ticket",
	HandshakeEndOfEarlyData:      "end_of_early_data",
	HandshakeEncryptedExtensions: "encrypted_extensions",
	HandshakeCertificate:         "certificate",
	HandshakeServerKeyExchange:   "server_key_exchange",
	HandshakeCertificateRequest:  "certificate_request",
	HandshakeServerHelloDone:     "server_hello_done",
	HandshakeCertificateVerify:   "certificate_verify",
	HandshakeClientKeyExchange:   "client_key_exchange",
	HandshakeFinished:            "finished",
	HandshakeCertificateStatus:   "certificate_status",
	HandshakeKeyUpdate:           "key_update",
	HandshakeMessageHash:         "message_hash",
}

// String returns the RFC name of t ("server_hello"), or "HandshakeType(N)".
func (t HandshakeType) String() string {
	if s, ok := handshakeTypeNames[t]; ok {
		return s
	}
	return "HandshakeType(" + strconv.Itoa(int(t)) + ")"
}

// HandshakeHeaderLen is the length of a handshake message header.
const HandshakeHeaderLen = 4

// MaxHandshakeMessage is the largest handshake message body HandshakeReader
// reassembles. Certificate chains are the largest messages seen in practice.
const MaxHandshakeMessage = 256 << 10

// MaxHandshakeBuffered is the most bytes a HandshakeReader holds: one
// maximal message plus one maximal record. A caller that calls Next until
// ErrIncomplete after every Write never comes near it.
const MaxHandshakeBuffered = HandshakeHeaderLen + MaxHandshakeMessage + MaxRecordPayload

// Handshake is one handshake message.
type Handshake struct {
	Type HandshakeType
	Body []byte
}

// Marshal returns the 4-byte handshake header followed by the body. A body
// of 2^24 bytes or more cannot be represented; its length is written modulo
// 2^24.
func (h Handshake) Marshal() []byte {
	b := make([]byte, HandshakeHeaderLen, HandshakeHeaderLen+len(h.Body))
	b[0] = byte(h.Type)
	b[1] = byte(len(h.Body) >> 16)
	b[2] = byte(len(h.Body) >> 8)
	b[3] = byte(len(h.Body))
	return append(b, h.Body...)
}

// HandshakeReader reassembles handshake messages from the payloads of
// handshake records. A message may span several records and a record may
// carry several messages. The zero value is ready to use.
type HandshakeReader struct {
	buf []byte // buf[off:] is pending
	off int
	err error // sticky: once the stream is broken it stays broken
}

// Write appends the payload of a handshake record. The bytes are copied. If
// the reader would then hold more than MaxHandshakeBuffered bytes, the data
// is dropped and Next reports an error from then on.
func (h *HandshakeReader) Write(fragment []byte) {
	if h.err != nil {
		return
	}
	if h.Buffered()+len(fragment) > MaxHandshakeBuffered {
		h.fail(malformed("handshake stream", "more than %d bytes buffered without a complete message", MaxHandshakeBuffered))
		return
	}
	if h.off > 0 {
		// Move the pending bytes to the front so the buffer never grows
		// past what is actually pending.
		h.buf = h.buf[:copy(h.buf, h.buf[h.off:])]
		h.off = 0
	}
	h.buf = append(h.buf, fragment...)
}

func (h *HandshakeReader) fail(err error) {
	h.err = err
	h.buf, h.off = nil, 0
}

// Next returns the next complete handshake message; its Body is a fresh
// copy. It returns ErrIncomplete if no complete message is buffered yet, and
// an error matching ErrMalformed if a header announces a body longer than
// MaxHandshakeMessage or too much data was written. Such errors are
// permanent: the stream cannot be resynchronised.
func (h *HandshakeReader) Next() (Handshake, error) {
	if h.err != nil {
		return Handshake{}, h.err
	}
	p := h.buf[h.off:]
	if len(p) < HandshakeHeaderLen {
		return Handshake{}, ErrIncomplete
	}
	t := HandshakeType(p[0])
	n := int(p[1])<<16 | int(p[2])<<8 | int(p[3])
	if n > MaxHandshakeMessage {
		h.fail(malformed("handshake stream", "%s message announces %d bytes, more than %d", t, n, MaxHandshakeMessage))
		return Handshake{}, h.err
	}
	if len(p) < HandshakeHeaderLen+n {
		return Handshake{}, ErrIncomplete
	}
	body := make([]byte, n)
	copy(body, p[HandshakeHeaderLen:])
	h.off += HandshakeHeaderLen + n
	if h.off == len(h.buf) {
		h.buf, h.off = h.buf[:0], 0
	}
	return Handshake{Type: t, Body: body}, nil
}

// Buffered returns the number of bytes written but not yet returned by Next.
func (h *HandshakeReader) Buffered() int { return len(h.buf) - h.off }

// Reset discards buffered data and any error.
func (h *HandshakeReader) Reset() { *h = HandshakeReader{} }
