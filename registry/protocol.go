// Package registry holds the IANA facts padlock reasons about: protocol
// versions, cipher suites (TLS and SSLv2), named groups and signature schemes;
// the client profiles replayed in handshake simulation; and the dated web PKI
// policies (browsers' CA distrusts, the CA/Browser Forum's lifetime caps).
//
// Everything here is static data plus small lookup methods; the package does
// no I/O and has no dependencies outside the standard library. All lookup
// functions are safe for concurrent use.
package registry

import "fmt"

// Protocol is an SSL/TLS protocol version as it is written on the wire
// (ProtocolVersion in RFC 8446 §4.1.2, and the SSL 2.0 version number 0x0002).
type Protocol uint16

// The protocol versions padlock knows.
const (
	SSLv2 Protocol = 0x0002
	SSLv3 Protocol = 0x0300
	TLS10 Protocol = 0x0301
	TLS11 Protocol = 0x0302
	TLS12 Protocol = 0x0303
	TLS13 Protocol = 0x0304
)

// Protocols lists every protocol version padlock knows, oldest first.
// Treat it as read-only.
var Protocols = []Protocol{SSLv2, SSLv3, TLS10, TLS11, TLS12, TLS13}

// String returns the usual display name: "SSLv2", "SSLv3", "TLS 1.0" …
// "TLS 1.3". An unknown version is printed as "0x%04x".
func (p Protocol) String() string {
	switch p {
	case SSLv2:
		return "SSLv2"
	case SSLv3:
		return "SSLv3"
	case TLS10:
		return "TLS 1.0"
	case TLS11:
		return "TLS 1.1"
	case TLS12:
		return "TLS 1.2"
	case TLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("0x%04x", uint16(p))
}

// Family returns "SSL" or "TLS" (the `name` field of an SSL Labs protocol
// object); "" for an unknown version.
func (p Protocol) Family() string {
	switch p {
	case SSLv2, SSLv3:
		return "SSL"
	case TLS10, TLS11, TLS12, TLS13:
		return "TLS"
	}
	return ""
}

// Version returns the version number within the family as SSL Labs writes it
// in its `version` field: "2.0", "3.0", "1.0", "1.1", "1.2" or "1.3"; ""
// for an unknown version.
func (p Protocol) Version() string {
	switch p {
	case SSLv2:
		return "2.0"
	case SSLv3:
		return "3.0"
	case TLS10:
		return "1.0"
	case TLS11:
		return "1.1"
	case TLS12:
		return "1.2"
	case TLS13:
		return "1.3"
	}
	return ""
}
