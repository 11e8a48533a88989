package probe

import (
	"net/netip"
	"time"

	"padlock/registry"
)

// Endpoint is one address padlock talks to: a resolved IP and port, and the
// host name it was reached by (sent as SNI unless SNI says otherwise).
type Endpoint struct {
	Host string     // the name the user asked for ("" for a bare IP)
	IP   netip.Addr // the address connected to
	Port uint16     // TCP port, normally 443
	SNI  string     // server_name sent; "" sends none
}

// Address is the dialable "ip:port" form of the endpoint.
func (e Endpoint) Address() string {
	return netip.AddrPortFrom(e.IP, e.Port).String()
}

// Result is everything the prober learned about one endpoint. Every slice is
// in a defined order so that results compare and diff cleanly.
type Result struct {
	Endpoint    Endpoint
	Started     time.Time
	Duration    time.Duration
	Connections int // TCP connections opened, all probes included
	// Interrupted counts the handshakes the server answered with a
	// ServerHello and then broke off (closed, reset, stalled) before its
	// first flight was complete: what the ServerHello said is kept, the
	// rest of that flight is unknown.
	Interrupted int `json:",omitempty"`
	// Complete counts the hellos answered with a whole first flight (to
	// ServerHelloDone; a TLS 1.3 ServerHello or HelloRetryRequest).
	Complete int `json:",omitempty"`

	Protocols   []ProtocolSupport // one per protocol tested, oldest first
	Suites      []ProtocolSuites  // one per supported protocol, oldest first
	Groups      GroupSupport
	Extensions  Extensions
	Intolerance []Intolerance // version numbers the server mishandles
	SNIRequired bool          // handshakes without SNI fail where they succeed with it

	// Chains are the distinct certificate chains the server sent, raw DER
	// in the order sent: the one for the requested name first, then any
	// other seen without SNI or over TLS 1.3.
	Chains []Chain

	// Simulations are the reference clients' handshakes, one per profile
	// in profile order (SSL Labs' sims).
	Simulations []Simulation `json:",omitempty"`

	// EphemeralKeys are the server's (EC)DHE public values seen in the
	// ServerKeyExchange of the prober's TLS 1.0–1.2 handshakes, at most
	// four per protocol, kind and group, in no set order: package vuln
	// tells key reuse from them without connections of its own. Raw key
	// material, so not part of the JSON form.
	EphemeralKeys []EphemeralKey `json:"-"`

	// Errors are problems that left part of the result inconclusive. The
	// rest of the result stays valid.
	Errors []string
}

// ProtocolSupport says whether one protocol version is accepted.
type ProtocolSupport struct {
	Protocol  registry.Protocol
	Supported bool
	// Inconclusive is set, with a reason, when no definite answer was had
	// (timeout, reset before any reply, unexpected answer).
	Inconclusive string `json:",omitempty"`
	// Negotiated is the version the server answered with when it declined
	// this one and offered a lower one instead (0 when it refused outright).
	Negotiated registry.Protocol `json:",omitempty"`
}

// ProtocolSuites is the set of suites one protocol accepts.
type ProtocolSuites struct {
	Protocol registry.Protocol
	// ServerPreference is true when the server chooses by its own order;
	// Suites are then in that order. When false (client order) Suites are
	// in the order padlock offered them.
	ServerPreference bool
	// PreferenceKnown is false when fewer than two suites were accepted,
	// so there was no order to observe.
	PreferenceKnown bool
	// ChaCha20Preference is set when a server with its own order still
	// gives ChaCha20 to clients that list it first (SSL Labs'
	// chaCha20Preference).
	ChaCha20Preference bool `json:",omitempty"`
	// Chunked is set when the server refused a hello offering every suite
	// and was asked in chunks of 64: the server's order is then known
	// within each chunk, not across them.
	Chunked      bool `json:",omitempty"`
	Suites       []AcceptedSuite
	Inconclusive string `json:",omitempty"`
}

// AcceptedSuite is one cipher suite the server accepted, with the key
// exchange parameters it used with it.
type AcceptedSuite struct {
	// ID is the IANA cipher suite number, or for SSLv2 the 3-byte cipher
	// spec (as SSL Labs reports them).
	ID    uint32
	Group uint16   // named group used for (EC)DHE with this suite; 0 if none
	DH    *DHGroup `json:",omitempty"` // finite-field DHE parameters, when used
	// RSAExportBits is the size of the temporary RSA key an export suite used.
	RSAExportBits int `json:",omitempty"`
}

// Suite returns the registry entry for an accepted TLS suite.
func (a AcceptedSuite) Suite() (registry.Suite, bool) {
	if a.ID > 0xffff {
		return registry.Suite{}, false
	}
	return registry.SuiteByID(uint16(a.ID))
}

// DHGroup describes a finite-field Diffie-Hellman group the server sent.
type DHGroup struct {
	Bits      int    // size of the prime p
	Prime     []byte // p, big-endian
	Generator []byte // g, big-endian
	PublicLen int    // length of the server's public value Ys in bytes
	KnownName string `json:",omitempty"` // name of the well-known group p is, if any
}

// GroupSupport lists the key-exchange groups the server accepts.
type GroupSupport struct {
	// Via is the protocol the groups were mainly enumerated with: TLS 1.3
	// through HelloRetryRequest, else the best version up to TLS 1.2
	// through the curve of ECDHE ServerKeyExchange. Groups TLS 1.3 did not
	// show are then looked for at that version (ECDHE curves, and RFC 7919
	// FFDHE groups through the DHE prime): see Seen.
	Via registry.Protocol
	// Groups are in the server's order when ServerPreference (the order of
	// the main enumeration), then the groups found only at TLS 1.2, in the
	// order found.
	Groups           []uint16
	ServerPreference bool
	PreferenceKnown  bool
	// Seen says, for each of Groups in the same order, at which protocols
	// the server was seen using it.
	Seen         []GroupSeen `json:",omitempty"`
	Inconclusive string      `json:",omitempty"`
}

// GroupSeen is one group and the protocols it was seen at.
type GroupSeen struct {
	Group     uint16
	Protocols []registry.Protocol // oldest first
}

// Extensions records what the server did with the extensions padlock offered
// in a TLS 1.2 (or older) handshake, and the compression method it chose.
type Extensions struct {
	Protocol             registry.Protocol // the handshake these were seen in; 0 if none
	SecureRenegotiation  bool              // renegotiation_info echoed (RFC 5746)
	Compression          uint8             // compression method chosen when DEFLATE was offered (0 = none)
	SessionTicket        bool
	OCSPStapling         bool // status_request echoed and a CertificateStatus sent
	ALPN                 string
	ExtendedMasterSecret bool
	EncryptThenMAC       bool
	Heartbeat            bool
	HeartbeatMode        uint8    `json:",omitempty"`
	SCT                  bool     // signed_certificate_timestamp sent in the handshake
	Seen                 []uint16 // every extension type in the ServerHello
}

// Intolerance records a version number the server fails on instead of
// negotiating down, as SSL Labs' protocolIntolerance bits do.
type Intolerance struct {
	Version registry.Protocol // the version number offered, e.g. 0x0304 as legacy_version
	Label   string            // "TLS 1.3", "TLS 1.152", "TLS 2.152"
	Reason  string
}

// Chain is one certificate chain as sent by the server.
type Chain struct {
	Protocol     registry.Protocol // version of the handshake it came from
	SNI          string            // server_name sent ("" for the default certificate)
	Certificates [][]byte          // DER, in the order sent
	OCSPResponse []byte            `json:",omitempty"` // stapled OCSP response, if any
	SCTs         [][]byte          `json:",omitempty"` // SCTs from the TLS extension, if any
}
