package tlswire

import (
	"fmt"
	"strconv"
)

// ContentType is the type of a TLS record (RFC 8446 §5.1, RFC 6520 for
// heartbeat).
type ContentType uint8

// Record content types.
const (
	TypeChangeCipherSpec ContentType = 20
	TypeAlert            ContentType = 21
	TypeHandshake        ContentType = 22
	TypeApplicationData  ContentType = 23
	TypeHeartbeat        ContentType = 24
)

// String returns the RFC name of t, or "ContentType(N)" for unknown values.
func (t ContentType) String() string {
	switch t {
	case TypeChangeCipherSpec:
		return "change_cipher_spec"
	case TypeAlert:
		return "alert"
	case TypeHandshake:
		return "handshake"
	case TypeApplicationData:
		return "application_data"
	case TypeHeartbeat:
		return "heartbeat"
	}
	return "ContentType(" + strconv.Itoa(int(t)) + ")"
}

func (t ContentType) known() bool {
	return t >= TypeChangeCipherSpec && t <= TypeHeartbeat
}

// RecordHeaderLen is the length of a TLS record header.
const RecordHeaderLen = 5

// MaxPlaintext is the largest payload a sender may put in a plaintext record
// (RFC 8446 §5.1, RFC 5246 §6.2.1).
const MaxPlaintext = 16384

// MaxRecordPayload is the largest record payload ParseRecord accepts: the
// TLSCiphertext bound of RFC 5246 §6.2.3 (2^14 + 2048).
const MaxRecordPayload = 16384 + 2048

// Record is one TLS record.
type Record struct {
	Type    ContentType
	Version uint16 // record-layer version, e.g. 0x0301
	Payload []byte
}

// Marshal returns the 5-byte record header followed by the payload. It does
// not split the payload: the caller keeps it within MaxPlaintext (see
// Fragment). A payload longer than 65535 bytes cannot be represented; its
// length is written modulo 2^16.
func (r Record) Marshal() []byte {
	b := make([]byte, RecordHeaderLen, RecordHeaderLen+len(r.Payload))
	b[0] = byte(r.Type)
	b[1] = byte(r.Version >> 8)
	b[2] = byte(r.Version)
	b[3] = byte(len(r.Payload) >> 8)
	b[4] = byte(len(r.Payload))
	return append(b, r.Payload...)
}

// ParseRecord parses the TLS record at the start of b and reports how many
// bytes it took. The returned Payload is a copy.
//
// It returns ErrIncomplete if b holds less than a whole record, an error
// matching ErrNotTLS if b does not start with a TLS record header (an unknown
// content type or a version whose major byte is not 3), and an error matching
// ErrMalformed if the header announces more than MaxRecordPayload bytes.
// The content type and version are checked as soon as their bytes are
// present, so a non-TLS peer is recognised from its first byte or three.
// Besides {3, x}, the version 0x0000 is accepted: some implementations (older
// s2n-tls, for one) send it in alerts written before a version was chosen.
func ParseRecord(b []byte) (r Record, n int, err error) {
	if len(b) == 0 {
		return Record{}, 0, ErrIncomplete
	}
	if !plausibleHeader(b) {
		return Record{}, 0, notTLSError(b)
	}
	if len(b) < RecordHeaderLen {
		return Record{}, 0, ErrIncomplete
	}
	length := int(b[3])<<8 | int(b[4])
	if length > MaxRecordPayload {
		return Record{}, 0, malformed("record", "%s record announces %d bytes, more than %d", ContentType(b[0]), length, MaxRecordPayload)
	}
	n = RecordHeaderLen + length
	if len(b) < n {
		return Record{}, 0, ErrIncomplete
	}
	r = Record{
		Type:    ContentType(b[0]),
		Version: uint16(b[1])<<8 | uint16(b[2]),
		Payload: append([]byte{}, b[RecordHeaderLen:n]...),
	}
	return r, n, nil
}

// plausibleHeader reports whether the bytes present of b (at least one) can
// start a TLS record header: a known content type and a version of {3, x}
// or {0, 0}.
func plausibleHeader(b []byte) bool {
	if !ContentType(b[0]).known() {
		return false
	}
	if len(b) >= 2 && b[1] != 3 && b[1] != 0 {
		return false
	}
	if len(b) >= 3 && b[1] == 0 && b[2] != 0 {
		return false
	}
	return true
}

func notTLSError(b []byte) error {
	hint := ""
	if LooksLikeSSLv2(b) {
		hint = " (looks like SSLv2)"
	}
	return fmt.Errorf("%w: received %s%s", ErrNotTLS, quotePrefix(b), hint)
}

// LooksLikeTLS reports whether b could be the start of a TLS record: a known
// content type, a version of {3, x} (or 0x0000, see ParseRecord) and a length
// within MaxRecordPayload, as far as those bytes are present. A non-empty
// prefix that is consistent so far reports true, so stream readers can decide
// from the first byte; empty input reports false.
func LooksLikeTLS(b []byte) bool {
	if len(b) == 0 || !plausibleHeader(b) {
		return false
	}
	if len(b) >= RecordHeaderLen && int(b[3])<<8|int(b[4]) > MaxRecordPayload {
		return false
	}
	return true
}

// Fragment splits payload into records of type t and the given version, each
// carrying at most max bytes (MaxPlaintext if max ≤ 0). An empty payload
// yields a single empty record. The records' payloads alias payload.
func Fragment(t ContentType, version uint16, payload []byte, max int) []Record {
	if max <= 0 {
		max = MaxPlaintext
	}
	if len(payload) == 0 {
		return []Record{{Type: t, Version: version, Payload: payload}}
	}
	recs := make([]Record, 0, (len(payload)+max-1)/max)
	for len(payload) > 0 {
		n := min(len(payload), max)
		recs = append(recs, Record{Type: t, Version: version, Payload: payload[:n:n]})
		payload = payload[n:]
	}
	return recs
}
