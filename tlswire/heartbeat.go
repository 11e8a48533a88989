package tlswire

import (
	"golang.org/x/crypto/cryptobyte"
)

// Heartbeat message types (RFC 6520 §3).
const (
	HeartbeatRequest  uint8 = 1
	HeartbeatResponse uint8 = 2
)

// HeartbeatMessage is the payload of a heartbeat record (RFC 6520 §4).
type HeartbeatMessage struct {
	Type uint8 // HeartbeatRequest or HeartbeatResponse
	// PayloadLength is written as given by Marshal, so it may claim more
	// than len(Payload), as a Heartbleed probe needs.
	PayloadLength uint16
	Payload       []byte
	Padding       []byte // at least 16 random bytes per RFC 6520
}

// Marshal returns the record payload: type, PayloadLength, Payload, Padding.
func (m HeartbeatMessage) Marshal() []byte {
	b := make([]byte, 0, 3+len(m.Payload)+len(m.Padding))
	b = append(b, m.Type, byte(m.PayloadLength>>8), byte(m.PayloadLength))
	b = append(b, m.Payload...)
	return append(b, m.Padding...)
}

// ParseHeartbeatMessage parses the payload of a heartbeat record. Whatever
// follows the announced payload is returned as Padding, even if it is
// shorter than the 16 bytes RFC 6520 requires; a payload_length larger than
// the bytes present is an error. Payload and Padding alias b.
func ParseHeartbeatMessage(b []byte) (HeartbeatMessage, error) {
	const msg = "heartbeat message"
	s := cryptobyte.String(b)
	var m HeartbeatMessage
	if !s.ReadUint8(&m.Type) || !s.ReadUint16(&m.PayloadLength) {
		return HeartbeatMessage{}, malformed(msg, "truncated header")
	}
	if !s.ReadBytes(&m.Payload, int(m.PayloadLength)) {
		return HeartbeatMessage{}, malformed(msg, "payload_length %d exceeds the %d bytes present", m.PayloadLength, len(s))
	}
	m.Padding = []byte(s)
	return m, nil
}
