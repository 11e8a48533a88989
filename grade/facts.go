package grade

import (
	"time"

	"padlock/registry"
)

// Facts is everything the rating needs to know about one endpoint. The
// prober fills most of it; certificate analysis (Cert), vulnerability
// checks (Vulns), the HTTP side (HTTP), handshake simulation (Sims) and the
// fleet-wide DROWN lookup (DROWN) add the rest. A nil pointer means "not
// gathered": the rules that need it are listed as not evaluated and the
// grade is marked provisional when they could change it.
type Facts struct {
	// Host is the name the endpoint was asked for; evidence text only.
	Host string `json:"host,omitempty"`

	// Inconclusive, when set, says why the scan could not tell whether the
	// endpoint speaks TLS (DNS failure, a filtered port that drops
	// everything, a scan cut short). No grade is given (decision 1).
	Inconclusive string `json:"inconclusive,omitempty"`

	// NoTLS: the endpoint answered, but no handshake at any protocol from
	// SSL 2.0 to TLS 1.3 completed (refused, reset, no ServerHello). Grade
	// U (decision 1). NoTLSReason is the evidence.
	NoTLS       bool   `json:"noTls,omitempty"`
	NoTLSReason string `json:"noTlsReason,omitempty"`

	// HTTPSRedirectsToHTTP: the HTTPS URL only redirects back to plain
	// HTTP. Grade U (decision 1); the grade the TLS configuration alone
	// earns is kept in Result.TLSGrade. RedirectLocation is the evidence.
	HTTPSRedirectsToHTTP bool   `json:"httpsRedirectsToHttp,omitempty"`
	RedirectLocation     string `json:"redirectLocation,omitempty"`

	// Protocols are the supported protocol versions. A protocol that has
	// accepted suites in Suites, or SSLv2 with SSLv2Ciphers, counts as
	// supported even if missing here.
	Protocols []registry.Protocol `json:"protocols"`
	// Suites are the accepted cipher suites, per protocol from SSL 3.0 up.
	Suites []ProtocolSuites `json:"suites"`
	// SSLv2Ciphers are the SSL 2.0 cipher specs the server offered (3-byte
	// values). Empty with SSLv2 in Protocols is "SSL 2.0 enabled with no
	// cipher specs", still rule B1.
	SSLv2Ciphers []uint32 `json:"sslv2Ciphers,omitempty"`

	// LeafKey is the key of the certificate served for Host. It is scored
	// in key exchange and judged by A10-A12 even before the rest of the
	// certificate analysis (Cert) exists.
	LeafKey *KeyFacts `json:"leafKey,omitempty"`
	// DHGroups are the distinct finite-field groups the server used in
	// DHE key exchanges (one entry per distinct prime).
	DHGroups []DHFacts `json:"dhGroups,omitempty"`
	// ECDHEGroups are the named groups the server uses for (EC)DHE and
	// TLS 1.3 key exchange: those it chose when offered a broad list (the
	// probe's AcceptedSuite.Group values, the TLS 1.3 group) and every
	// non-FFDHE group the group enumeration found it accepts at any
	// protocol (C5 is found by supported_groups probing): a client that
	// offers only secp192r1 gets secp192r1.
	ECDHEGroups []uint16 `json:"ecdheGroups,omitempty"`

	// SecureRenegotiation: the server echoed renegotiation_info (RFC 5746)
	// in a TLS 1.2-or-older handshake. nil = not seen (no such handshake).
	SecureRenegotiation *bool `json:"secureRenegotiation,omitempty"`
	// Compression: the server chose DEFLATE when offered it.
	Compression bool `json:"compression,omitempty"`

	// Sims are the handshake simulation results. nil = no simulation;
	// the negotiation rules then use Negotiated.
	Sims *SimFacts `json:"sims,omitempty"`
	// Negotiated is what the server chose for a modern browser's
	// ClientHello (decision 9's fallback). nil = not known.
	Negotiated *Negotiation `json:"negotiated,omitempty"`

	// Cert holds the certificate analysis; nil = not done yet.
	Cert *CertFacts `json:"cert,omitempty"`
	// Vulns holds the vulnerability checks; nil = not done yet.
	Vulns *VulnFacts `json:"vulns,omitempty"`
	// HTTP holds the HTTPS response's security headers; nil = not fetched.
	HTTP *HTTPFacts `json:"http,omitempty"`
	// DROWN lists other endpoints that share this certificate's key (or
	// name) and speak SSL 2.0 (rule E5, fleet-wide). nil = not looked up.
	DROWN *DROWNFacts `json:"drown,omitempty"`

	// Incomplete lists reasons the facts above may be partial (a suite
	// enumeration cut short, a probe that timed out). Any entry makes the
	// result provisional; they are copied to Result.Caveats.
	Incomplete []string `json:"incomplete,omitempty"`

	// Now is the evaluation time, for certificate validity (A4, A5).
	// Zero = unknown: A4 and A5 are then not evaluated.
	Now time.Time `json:"now"`
}

// ProtocolSuites are the suites one protocol accepted.
type ProtocolSuites struct {
	Protocol registry.Protocol `json:"protocol"`
	// Suites are IANA cipher suite values, in the server's order when
	// ServerPreference is set.
	Suites           []uint16 `json:"suites"`
	ServerPreference bool     `json:"serverPreference,omitempty"`
}

// KeyFacts describes the server certificate's public key.
type KeyFacts struct {
	Alg KeyAlg `json:"alg"`
	// Bits is the key size: the modulus for RSA, p for DSA, the curve's
	// field size for ECDSA (256 for P-256), 255 or 448 for EdDSA.
	Bits int `json:"bits"`
	// Strength is the RSA-equivalent size (SSL Labs' keyStrength). 0 lets
	// the package derive it: Bits for RSA and DSA, the EC table of
	// docs/grading.md §1.3 for ECDSA, 3072 (Ed25519) or 7680 (Ed448) for EdDSA.
	Strength int `json:"strength,omitempty"`
	// Exponent is the RSA public exponent; 0 = unknown or not RSA.
	// Exponents that do not fit are given as the largest int64 (only 1
	// matters, rule A12).
	Exponent int64 `json:"exponent,omitempty"`
	// Curve names the curve of an EC key ("P-256"); evidence only.
	Curve string `json:"curve,omitempty"`
	// DebianWeak: the key is on the Debian OpenSSL PRNG weak-key list
	// (CVE-2008-0166). Unknown = not looked up.
	DebianWeak Check `json:"debianWeak"`
}

// DHFacts is one finite-field Diffie-Hellman group the server used.
type DHFacts struct {
	Bits int    `json:"bits"`           // size of the prime p
	Name string `json:"name,omitempty"` // the well-known group it is, if any
}

// Negotiation is the outcome of one handshake.
type Negotiation struct {
	Protocol registry.Protocol `json:"protocol"`
	Suite    uint16            `json:"suite"`
	Group    uint16            `json:"group,omitempty"`
	// Client describes the ClientHello, e.g. "Chrome-like TLS 1.3 hello";
	// evidence only.
	Client string `json:"client,omitempty"`
}

// SimFacts are handshake simulation results.
type SimFacts struct {
	Clients []SimClient `json:"clients"`
}

// SimClient is one simulated client and what it negotiated.
type SimClient struct {
	// ID is the registry.ClientProfile id, when the client is one of them.
	ID   string `json:"id,omitempty"`
	Name string `json:"name"` // e.g. "Chrome 131 / Win 10"
	// Reference marks the modern clients SSL Labs' isReference marks; only
	// they judge the negotiation rules.
	Reference bool `json:"reference,omitempty"`
	// Failed: no handshake was completed; Error says why.
	Failed   bool              `json:"failed,omitempty"`
	Error    string            `json:"error,omitempty"`
	Protocol registry.Protocol `json:"protocol,omitempty"`
	Suite    uint16            `json:"suite,omitempty"`
	Group    uint16            `json:"group,omitempty"`
}

// CertFacts are the results of certificate analysis for the chain served
// to Host.
type CertFacts struct {
	// Subject, SHA256 (hex fingerprint) and Names (the DNS names the leaf
	// covers) are evidence only.
	Subject string   `json:"subject,omitempty"`
	SHA256  string   `json:"sha256,omitempty"`
	Names   []string `json:"names,omitempty"`

	// NameMismatch: no SAN dNSName (or CN without DNS SANs) matches Host
	// (A1, grade M).
	NameMismatch bool `json:"nameMismatch,omitempty"`
	// TrustError says why no path leads to a trusted root ("" = trusted;
	// A2, grade T). Revocation, expiry and distrust have their own fields.
	TrustError string `json:"trustError,omitempty"`
	// SelfSigned: the leaf is self-signed and not itself a trusted root
	// (A3).
	SelfSigned bool `json:"selfSigned,omitempty"`
	// NotBefore and NotAfter are the leaf's validity (A4, A5); zero =
	// unknown.
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	// Revoked: CRL, OCSP or a stapled response says revoked (A6).
	Revoked Check `json:"revoked"`
	// Distrusted: the issuing CA is distrusted by browsers, e.g. the old
	// Symantec PKI (A7). Detail names the distrust.
	Distrusted Check `json:"distrusted"`
	// CA names the operator of the chain's root when browsers distrust it
	// by date (registry.Distrusts: "Entrust", "Chunghwa Telecom",
	// "NetLock", "Symantec"). A7 then applies those dated rules itself at
	// Now, so that a stored result can be re-graded at any date and a rule
	// whose date is ahead gives Result.FutureGrade. CAByName: the root was
	// recognised by its name only (padlock holds no key for it). Distrusted
	// above carries the distrusts that are not dated rules (a root's
	// distrust-after date in the trust store), and, in results stored
	// before CA existed, the Symantec verdict.
	CA       string `json:"ca,omitempty"`
	CAByName bool   `json:"caByName,omitempty"`
	// EarliestSCT is the earliest timestamp among the leaf's SCTs
	// (embedded, TLS extension, stapled OCSP); zero when none was seen.
	// Chrome's dated distrusts are judged by it.
	EarliestSCT time.Time `json:"earliestSct,omitzero"`
	// Blacklisted: the certificate itself is on a blocklist (A15).
	Blacklisted Check `json:"blacklisted"`
	// SigAlg is the leaf's signature algorithm as shown ("SHA256withRSA");
	// SigHash its hash (A8, A9). HashOf converts from crypto/x509.
	SigAlg  string  `json:"sigAlg,omitempty"`
	SigHash HashAlg `json:"sigHash"`
	// ChainIncomplete: the path builds only with certificates the server
	// did not send (AIA fetching) (A13).
	ChainIncomplete bool `json:"chainIncomplete,omitempty"`
	// Chain order problems, informational (A14).
	ChainWrongOrder bool `json:"chainWrongOrder,omitempty"`
	ChainExtraCerts bool `json:"chainExtraCerts,omitempty"` // unrelated or duplicate certificates
	ChainSendsRoot  bool `json:"chainSendsRoot,omitempty"`
}

// VulnFacts are the results of the vulnerability checks. Each Check left
// Unknown is "not evaluated"; the package itself decides NotApplicable
// where the suites make a check moot (a CBC padding oracle without CBC
// suites, ROBOT without RSA key exchange, anything below TLS 1.3 on a TLS
// 1.3-only server).
type VulnFacts struct {
	Heartbleed     Check `json:"heartbleed"`     // E1
	CCSInjection   Check `json:"ccsInjection"`   // E2: Vulnerable, exploitable or not (decision 12); say which in Detail
	POODLETLS      Check `json:"poodleTls"`      // E4
	LuckyMinus20   Check `json:"luckyMinus20"`   // E6: CVE-2016-2107
	Ticketbleed    Check `json:"ticketbleed"`    // E7
	ROBOT          Check `json:"robot"`          // E8: weak and strong oracles are both Vulnerable (decision 12)
	ZombiePOODLE   Check `json:"zombiePoodle"`   // E9
	GOLDENDOODLE   Check `json:"goldendoodle"`   // E10
	ZeroLength     Check `json:"zeroLength"`     // E11: OpenSSL 0-length padding oracle, CVE-2019-1559
	SleepingPOODLE Check `json:"sleepingPoodle"` // E12
	// InsecureRenegotiation: the server renegotiates, at the client's
	// request, without RFC 5746 (B8).
	InsecureRenegotiation Check `json:"insecureRenegotiation"`
	// FallbackSCSV: Vulnerable = TLS_FALLBACK_SCSV is not honoured (B7,
	// information only since 2009r).
	FallbackSCSV Check `json:"fallbackScsv"`
	// FREAK (RSA_EXPORT accepted) and Logjam (DHE_EXPORT or DH below 1024
	// bits) confirm C2 and C3 when the suite enumeration did not show it.
	FREAK  Check `json:"freak"`
	Logjam Check `json:"logjam"`
}

// HTTPFacts are the security headers of the HTTPS response for "/" (same-
// host redirects followed).
type HTTPFacts struct {
	HSTS HSTSStatus `json:"hsts"`
	// HSTSMaxAge is max-age in seconds when HSTS is Present or Disabled.
	HSTSMaxAge int64 `json:"hstsMaxAge,omitempty"`
	// HSTSHeader is the header as received and HSTSError why it is
	// invalid; evidence only.
	HSTSHeader string     `json:"hstsHeader,omitempty"`
	HSTSError  string     `json:"hstsError,omitempty"`
	HPKP       HPKPStatus `json:"hpkp"`
	HPKPError  string     `json:"hpkpError,omitempty"`
}

// DROWNFacts is the fleet-wide DROWN lookup for this endpoint's key.
type DROWNFacts struct {
	// Hosts are the other endpoints ("host:port" or "ip:port") that share
	// the certificate's RSA key or name and accept SSL 2.0. Empty = none.
	Hosts []string `json:"hosts"`
}
