package assess

import (
	"padlock/grade"
	"padlock/pki"
	"padlock/registry"
	"padlock/vuln"
	"padlock/web"
)

// Schema names the version of the JSON contract (docs/result-schema.md).
// Additive changes keep it; renaming, removing or changing the meaning of a
// field bumps the number.
const Schema = "padlock.host/1"

// EngineVersion is padlock's version as it appears in Host.EngineVersion.
// Builds may set it (go build -ldflags "-X padlock/assess.EngineVersion=...").
var EngineVersion = "padlock-dev"

// CriteriaVersion names the grading rules padlock implements (SSL Labs'
// rating guide revision 2009r, as padlock reads it).
const CriteriaVersion = "padlock-2009r"

// Host statuses (Host.Status).
const (
	StatusReady = "READY"
	StatusError = "ERROR"
)

// Status messages padlock uses, at host level (Host.StatusMessage) and at
// endpoint level (Endpoint.StatusMessage). The first four are the words SSL
// Labs uses for the same situations.
const (
	MsgReady            = "Ready"
	MsgResolveFailed    = "Unable to resolve domain name"
	MsgUnreachable      = "Unable to connect to the server"
	MsgNoSecureProtocol = "No secure protocols supported"
	MsgBudgetExceeded   = "Assessment time budget exceeded"
	MsgCancelled        = "Assessment cancelled"
	MsgInternalError    = "Internal error"
	MsgInvalidTarget    = "Invalid host name"
	MsgNoAnswer         = "No definite answer from the server"
)

// Failure codes (Endpoint.PadlockFailure): a stable, machine-readable form of
// why an endpoint is not "Ready".
const (
	FailUnreachable   = "unreachable"    // no TCP connection could be opened
	FailNoTLS         = "no-tls"         // connections opened, every protocol refused
	FailNoAnswer      = "no-answer"      // connections opened, none accepted, some answers inconclusive (resets, timeouts)
	FailBudget        = "budget"         // the probe's time budget (or the caller's deadline) ran out
	FailCancelled     = "cancelled"      // the caller cancelled the assessment
	FailProbe         = "probe-error"    // any other error returned by the prober
	FailInternalError = "internal-error" // a bug in padlock (a recovered panic)
)

// Host is the result of assessing one target: SSL Labs API v3's Host object.
type Host struct {
	Host            string     `json:"host"`                    // as given (lower-cased DNS name or IP literal)
	Port            int        `json:"port"`                    // TCP port, 443 by default
	Protocol        string     `json:"protocol"`                // always "http"
	IsPublic        bool       `json:"isPublic"`                // always false: nothing is published
	Status          string     `json:"status"`                  // READY or ERROR
	StatusMessage   string     `json:"statusMessage,omitempty"` // the error when Status is ERROR
	StartTime       int64      `json:"startTime"`               // ms since 1970
	TestTime        int64      `json:"testTime"`                // ms since 1970, when the assessment ended
	EngineVersion   string     `json:"engineVersion"`
	CriteriaVersion string     `json:"criteriaVersion"`
	Endpoints       []Endpoint `json:"endpoints"`
	Certs           []Cert     `json:"certs"`

	// PadlockSchema is Schema, so that stored results say which contract
	// they follow.
	PadlockSchema string `json:"padlockSchema"`
	// PadlockSNI is the server_name padlock sent ("" when none was, as for
	// an IP address target).
	PadlockSNI string `json:"padlockSni,omitempty"`
	// PadlockSite is the verdict on the whole site: worst endpoint grade,
	// the * flag, secure by default.
	PadlockSite Site `json:"padlockSite"`
	// PadlockCAA is the host's CAA policy (RFC 8659: the records of the
	// closest name, climbing towards the root, that has any), looked up by
	// padlock serve for the assessments it runs. nil when not looked up;
	// Records empty when no name has any.
	PadlockCAA *CAAPolicy `json:"padlockCaa,omitempty"`
	// PadlockWeb is the plain-HTTP side: redirects, HSTS, pages and forms.
	// nil when it was not checked.
	PadlockWeb *web.Result `json:"padlockWeb,omitempty"`
}

// Endpoint is one IP address of the host: SSL Labs API v3's Endpoint object.
type Endpoint struct {
	IPAddress     string `json:"ipAddress"`
	ServerName    string `json:"serverName,omitempty"` // reverse DNS: not looked up, always empty
	StatusMessage string `json:"statusMessage"`        // "Ready", or why not
	// StatusDetails is SSL Labs' code of the operation in progress; padlock
	// reports finished assessments only and leaves it empty.
	StatusDetails        string `json:"statusDetails,omitempty"`
	StatusDetailsMessage string `json:"statusDetailsMessage,omitempty"`
	// Grade and GradeTrustIgnored are set by the grading package; empty
	// (and left out of the JSON) until then.
	Grade             string `json:"grade,omitempty"`
	GradeTrustIgnored string `json:"gradeTrustIgnored,omitempty"`
	HasWarnings       bool   `json:"hasWarnings"`
	IsExceptional     bool   `json:"isExceptional"`
	// FutureGrade is SSL Labs' futureGrade: the grade a dated rule whose
	// date is still ahead (a browser's CA distrust) will give, from
	// padlockGrade.futureGradeFrom on; empty when none changes the grade.
	FutureGrade string `json:"futureGrade,omitempty"`
	Progress    int    `json:"progress"` // 100: results are complete or final
	Duration    int64  `json:"duration"` // ms spent on this endpoint
	// Delegation: bit 0 (1) the address is one of the host name without
	// "www.", bit 1 (2) one of the name with it. Filled by padlock serve
	// (PadlockDelegationChecked); 0 otherwise.
	Delegation int              `json:"delegation"`
	Details    *EndpointDetails `json:"details,omitempty"`

	// PadlockGrade is the full rating: scores, every rule that fired with
	// its evidence and remedy, what was not evaluated yet.
	PadlockGrade *grade.Result `json:"padlockGrade,omitempty"`
	// PadlockFacts are the facts the grade was judged from (package grade's
	// input), kept so that stored results can be re-graded (Regrade).
	PadlockFacts *grade.Facts `json:"padlockFacts,omitempty"`

	// PadlockDelegationChecked is set when Delegation was looked up.
	PadlockDelegationChecked bool `json:"padlockDelegationChecked,omitempty"`

	// PadlockFailure is one of the Fail* codes when StatusMessage is not
	// "Ready", empty otherwise.
	PadlockFailure string `json:"padlockFailure,omitempty"`
}

// Ready reports whether the endpoint was assessed successfully.
func (e *Endpoint) Ready() bool { return e.StatusMessage == MsgReady }

// EndpointDetails is SSL Labs API v3's EndpointDetails object, with the
// fields padlock fills today.
type EndpointDetails struct {
	// Report holds the vulnerability checks' fields (heartbleed, poodle,
	// bleichenbacher, ... and padlockFindings with their evidence); nil
	// when the checks did not run. Its renegSupport, compressionMethods,
	// heartbeat, supportsRc4, rc4Only and dhUsesKnownPrimes are copied into
	// the fields below, which the JSON shows.
	*vuln.Report

	HostStartTime int64            `json:"hostStartTime"` // ms since 1970; Assess sets it to Host.StartTime
	CertChains    []CertChain      `json:"certChains"`
	Protocols     []Protocol       `json:"protocols"` // supported protocols, oldest first
	Suites        []ProtocolSuites `json:"suites"`    // one per supported protocol, oldest first
	NamedGroups   *NamedGroups     `json:"namedGroups,omitempty"`

	// RenegSupport: bit 1 (2) secure renegotiation (RFC 5746) supported.
	// Bits 0 (1), 2 (4) and 3 (8) concern client-initiated renegotiation,
	// which the vulnerability checks test; padlock leaves them clear here.
	RenegSupport int `json:"renegSupport"`
	// SessionTickets: bit 0 (1) set when the server acknowledged the
	// session_ticket extension.
	SessionTickets int  `json:"sessionTickets"`
	OCSPStapling   bool `json:"ocspStapling"`
	// StaplingRevocationStatus is what the OCSP response stapled with the
	// chain for the requested name says, judged by package pki: 0 nothing
	// stapled, 1 revoked, 2 not revoked, 3 error (unparsable, bad
	// signature, wrong certificate, stale), 4 status unknown. The error
	// is in StaplingRevocationErrorMessage.
	StaplingRevocationStatus       int    `json:"staplingRevocationStatus"`
	StaplingRevocationErrorMessage string `json:"staplingRevocationErrorMessage,omitempty"`
	// HasSCT: bits of the SCT sources seen with any chain: 1 in the
	// certificate, 2 in the stapled OCSP response, 4 in the TLS extension.
	HasSCT      int  `json:"hasSct"`
	SNIRequired bool `json:"sniRequired"`
	// CompressionMethods: bit 0 (1) set when the server chose DEFLATE.
	CompressionMethods int  `json:"compressionMethods"`
	SupportsALPN       bool `json:"supportsAlpn"`
	// ALPNProtocols is the space-separated list of protocols the server
	// accepts through ALPN, in the order it picked them when offered the
	// rest (enumerated when the vulnerability checks run; otherwise the
	// one it selected from padlock's offer).
	ALPNProtocols string `json:"alpnProtocols,omitempty"`
	Heartbeat     bool   `json:"heartbeat"` // the heartbeat extension was acknowledged
	// ProtocolIntolerance bits: 1 TLS 1.0, 2 TLS 1.1, 4 TLS 1.2, 8 TLS 1.3,
	// 16 TLS 1.152, 32 TLS 2.152.
	ProtocolIntolerance int  `json:"protocolIntolerance"`
	SupportsRC4         bool `json:"supportsRc4"` // at least one RC4 suite accepted
	RC4Only             bool `json:"rc4Only"`     // every accepted suite is RC4
	// ForwardSecrecy bits as SSL Labs: 1 at least one forward-secret suite
	// accepted, 4 every accepted suite is forward secret. Bit 2 (FS with
	// modern browsers) needs handshake simulation and is never set here.
	ForwardSecrecy int  `json:"forwardSecrecy"`
	SupportsAEAD   bool `json:"supportsAead"`
	SupportsCBC    bool `json:"supportsCBC"`
	// DHPrimes are the hex-encoded DH primes seen; absent without DHE.
	DHPrimes []string `json:"dhPrimes,omitempty"`
	// DHUsesKnownPrimes: 0 no, 1 a well-known prime of 2048 bits or more,
	// 2 a well-known prime smaller than 2048 bits; absent without DHE.
	DHUsesKnownPrimes *int `json:"dhUsesKnownPrimes,omitempty"`

	// SessionResumption is SSL Labs' sessionResumption: 0 empty session
	// IDs, 1 IDs given but not resumed, 2 resumed; nil when not measured
	// (the vulnerability checks did not run, or no answer; see
	// PadlockResumption).
	SessionResumption *int `json:"sessionResumption,omitempty"`
	// HTTPStatusCode is the status of the final response to GET / over
	// TLS to this endpoint, redirects on the same host name and port
	// followed (at most 5); 0 when the request failed or was not made.
	HTTPStatusCode int `json:"httpStatusCode,omitempty"`
	// HTTPForwarding is the Location of a redirect to another host name.
	HTTPForwarding string `json:"httpForwarding,omitempty"`
	// ServerSignature is the final response's Server header.
	ServerSignature string `json:"serverSignature,omitempty"`
	// DHYsReuse and ECDHParameterReuse say whether the server sent the
	// same DHE public value (ECDHE point) on two connections; nil when not
	// measured (no such suite padlock can speak, or no answer).
	DHYsReuse          *bool `json:"dhYsReuse,omitempty"`
	ECDHParameterReuse *bool `json:"ecdhParameterReuse,omitempty"`
	// HTTPTransactions are the requests and their responses.
	HTTPTransactions []HTTPTransaction `json:"httpTransactions,omitempty"`

	// Padlock-only fields.

	// PadlockResumption details SessionResumption and the ticket test.
	PadlockResumption *vuln.Resumption `json:"padlockResumption,omitempty"`
	// PadlockKeyReuse details DHYsReuse and ECDHParameterReuse.
	PadlockKeyReuse *vuln.KeyReuse `json:"padlockKeyReuse,omitempty"`

	// PadlockProtocolTests is the answer for every protocol version tested,
	// supported or not (Protocols lists the supported ones only).
	PadlockProtocolTests []ProtocolTest `json:"padlockProtocolTests,omitempty"`
	// HSTSPolicy is the Strict-Transport-Security policy of the host (the
	// same for every endpoint: it is fetched by name). nil when the HTTP
	// side was not checked.
	HSTSPolicy *web.HSTSPolicy `json:"hstsPolicy,omitempty"`

	// Sims are the handshake simulations with reference client profiles.
	Sims *Sims `json:"sims,omitempty"`

	// PadlockRootStore is the trust store the chains were judged against;
	// absent when the certificates were not analysed.
	PadlockRootStore *pki.RootStore `json:"padlockRootStore,omitempty"`

	// PadlockConnections is the number of TCP connections padlock opened.
	PadlockConnections int `json:"padlockConnections"`
	// PadlockErrors are problems that left part of the result inconclusive.
	PadlockErrors []string `json:"padlockErrors,omitempty"`
	// PadlockGroupsVia is the protocol id the named groups were enumerated
	// with (772 through HelloRetryRequest, or an older one through ECDHE).
	PadlockGroupsVia int `json:"padlockGroupsVia,omitempty"`
	// PadlockExtensionsVia is the protocol id of the handshake the
	// extension fields (renegSupport ... heartbeat) were read from.
	PadlockExtensionsVia int `json:"padlockExtensionsVia,omitempty"`
	// PadlockExtensions lists the extension types in that ServerHello, in
	// the order the server sent them.
	PadlockExtensions []uint16 `json:"padlockExtensions,omitempty"`
	// PadlockIntolerance details ProtocolIntolerance.
	PadlockIntolerance []Intolerance `json:"padlockIntolerance,omitempty"`
}

// ProtocolTest is padlock's answer for one protocol version.
type ProtocolTest struct {
	Protocol  int  `json:"protocol"` // protocol id, as Protocol.ID
	Supported bool `json:"supported"`
	// Inconclusive gives the reason when no definite answer was had.
	Inconclusive string `json:"inconclusive,omitempty"`
	// Negotiated is the protocol id the server answered with when it
	// declined this version and offered a lower one.
	Negotiated int `json:"negotiated,omitempty"`
}

// Intolerance is one version number the server mishandled.
type Intolerance struct {
	Version int    `json:"version"` // the number offered, e.g. 772 or 920 (0x0398)
	Label   string `json:"label"`   // "TLS 1.3", "TLS 1.152", "TLS 2.152"
	Reason  string `json:"reason"`
}

// Protocol is one supported protocol version: SSL Labs' Protocol object.
type Protocol struct {
	// ID is the version number: 768 SSL 3.0, 769 TLS 1.0 ... 772 TLS 1.3,
	// and 512 for SSL 2.0 as SSL Labs numbers it (major<<8 | minor; the
	// SSLv2 wire value is 2). ProtocolID and ProtocolFromID convert.
	ID      int    `json:"id"`
	Name    string `json:"name"`    // "SSL" or "TLS"
	Version string `json:"version"` // "2.0", "3.0", "1.0" ... "1.3"
}

// ProtocolSuites lists the suites accepted with one protocol: SSL Labs'
// ProtocolSuites object.
type ProtocolSuites struct {
	Protocol int     `json:"protocol"` // protocol id
	List     []Suite `json:"list"`
	// Preference is true when the server chooses by its own order (List is
	// then in that order), false when it follows the client (List is in
	// padlock's offer order), and absent when it could not be told (fewer
	// than two suites, or the test failed), as SSL Labs' null.
	Preference *bool `json:"preference,omitempty"`

	// ChaCha20Preference is SSL Labs' chaCha20Preference: a server with
	// its own order still gives ChaCha20 to clients that list it first.
	ChaCha20Preference bool `json:"chaCha20Preference,omitempty"`

	// PadlockInconclusive says why the list may be incomplete.
	PadlockInconclusive string `json:"padlockInconclusive,omitempty"`
	// PadlockChunked: the server refused a hello offering every suite and
	// was asked in chunks of 64; its order is known within chunks only.
	PadlockChunked bool `json:"padlockChunked,omitempty"`
}

// Suite is one accepted cipher suite: SSL Labs' Suite object.
type Suite struct {
	// ID is the IANA number, or for SSLv2 the 3-byte cipher spec.
	ID uint32 `json:"id"`
	// Name is the IANA name, or for SSLv2 the SSL_CK_ name.
	Name           string `json:"name"`
	CipherStrength int    `json:"cipherStrength"` // bits: 0, 40, 56, 112 (3DES), 128, 256
	// KxType is "RSA", "DH" or "ECDH" as SSL Labs writes them (see
	// docs/result-schema.md for PSK, SRP and TLS 1.3). Empty when the
	// suite exchanges no key.
	KxType string `json:"kxType,omitempty"`
	// KxStrength is the key exchange's strength in RSA-equivalent bits:
	// the RSA key size for RSA key transport (the temporary key for export
	// suites), the prime size for DH, the group's RSA equivalent for ECDH.
	KxStrength     int    `json:"kxStrength,omitempty"`
	DHP            int    `json:"dhP,omitempty"`  // size of p in bytes
	DHG            int    `json:"dhG,omitempty"`  // size of g in bytes
	DHYs           int    `json:"dhYs,omitempty"` // size of the server's public value in bytes
	NamedGroupBits int    `json:"namedGroupBits,omitempty"`
	NamedGroupID   int    `json:"namedGroupId,omitempty"`
	NamedGroupName string `json:"namedGroupName,omitempty"`

	// PadlockDHGroup names the well-known group the DH prime is, if any
	// (e.g. "RFC 3526 group 14 (2048-bit MODP)").
	PadlockDHGroup string `json:"padlockDhGroup,omitempty"`
}

// NamedGroups lists the key-exchange groups the server accepts: SSL Labs'
// NamedGroups object.
type NamedGroups struct {
	// List is in the server's order when Preference is true, in padlock's
	// offer order otherwise.
	List []NamedGroup `json:"list"`
	// Preference: true when the server has its own order, false when it
	// follows the client's, absent when it could not be told.
	Preference *bool `json:"preference,omitempty"`

	// PadlockInconclusive says why the list may be incomplete.
	PadlockInconclusive string `json:"padlockInconclusive,omitempty"`
}

// NamedGroup is one group: SSL Labs' NamedGroup object.
type NamedGroup struct {
	ID   int    `json:"id"`
	Name string `json:"name"` // IANA name, e.g. "x25519", "secp256r1", "ffdhe2048"
	Bits int    `json:"bits"`
	// NamedGroupType is "EC" for elliptic curves, "DH" for finite-field
	// groups, and padlock's "HYBRID", "KEM", "GOST" or "OTHER" for the
	// rest (see docs/result-schema.md).
	NamedGroupType string `json:"namedGroupType"`
	// PadlockProtocols are the protocols (ids as Protocol.ID: 771 TLS
	// 1.2, 772 TLS 1.3) the server was seen using the group at.
	PadlockProtocols []int `json:"padlockProtocols,omitempty"`
}

// CertChain is one certificate chain as the server sent it, judged: SSL
// Labs' CertificateChain object (id, certIds, trustPaths, issues, noSni)
// plus padlock's fields (trust, name match, stapled OCSP, SCTs, the facts
// grading uses). It is package pki's ChainReport; docs/result-schema.md
// describes every field.
//
// Two conventions are assess's, not pki's: Protocol holds the SSL Labs
// protocol id of the handshake (512 for SSL 2.0, so that JSON readers see
// the same ids as everywhere else; ProtocolFromID(int(ch.Protocol)) gives
// the registry value), and NoSNI is set only for a chain seen without SNI
// when padlock sent SNI elsewhere (never for IP targets, where no handshake
// has SNI).
type CertChain = pki.ChainReport

// Cert is one certificate: SSL Labs' Cert object plus padlock's fields
// (key details, lint findings, embedded SCTs ...). It is package pki's Cert.
// A certificate seen on several endpoints is described as the first
// endpoint's analysis found it (its issue bits and days left are that
// analysis').
type Cert = pki.Cert

// ProtocolID returns the id SSL Labs uses for a protocol: the wire version,
// except 512 for SSL 2.0.
func ProtocolID(p registry.Protocol) int {
	if p == registry.SSLv2 {
		return 0x0200
	}
	return int(p)
}

// ProtocolFromID is the inverse of ProtocolID.
func ProtocolFromID(id int) registry.Protocol {
	if id == 0x0200 {
		return registry.SSLv2
	}
	return registry.Protocol(id)
}

// HTTPTransaction is one HTTP request over TLS and its response: SSL Labs'
// HttpTransaction object.
type HTTPTransaction struct {
	RequestURL         string       `json:"requestUrl"`
	StatusCode         int          `json:"statusCode"`
	RequestLine        string       `json:"requestLine"`
	RequestHeaders     []string     `json:"requestHeaders"`
	ResponseLine       string       `json:"responseLine"`
	ResponseHeadersRaw []string     `json:"responseHeadersRaw"`
	ResponseHeaders    []HTTPHeader `json:"responseHeaders"`
	FragileServer      bool         `json:"fragileServer"`
	// PadlockError says why no response was read.
	PadlockError string `json:"padlockError,omitempty"`
}

// HTTPHeader is one response header field.
type HTTPHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// CAAPolicy is a host's CAA policy: SSL Labs' CaaPolicy object.
type CAAPolicy struct {
	// PolicyHostname is the name the records were found at ("" when none
	// was).
	PolicyHostname string      `json:"policyHostname"`
	Records        []CAARecord `json:"caaRecords"`
}

// CAARecord is one CAA record: SSL Labs' CaaRecord object.
type CAARecord struct {
	Tag   string `json:"tag"`
	Value string `json:"value"`
	Flags int    `json:"flags"`
}
