// Package labsapi is the SSL Labs API (v3 and v4) view of padlock's
// results: every object and field of SSL Labs' ssllabs-api-docs-v3.md,
// with the JSON type and meaning documented there, built from an
// assess.Host by FromHost.
//
// padlock's own result model (package assess) is shaped on the same API
// but is padlock's contract: it may say "U", carry the `*` flag, leave
// fields out that were not measured. This package is where the API's
// conventions are applied, in one place:
//
//   - fields padlock does not measure carry the value the documentation
//     gives for "not tested" (0 "not checked" for revocation statuses,
//     -1 "test not performed" for zeroRTTEnabled, "unknown" for policy
//     statuses), never a value that reads as a result;
//   - an endpoint without TLS has its status message and no grade: "U"
//     and "*" appear only in the padlock* fields;
//   - forwardSecrecy is computed from the handshake simulations as SSL
//     Labs computes it (one of 1, 2 or 4);
//   - the simulated client's id is an integer (SSL Labs' type), with
//     padlock's profile id beside it in padlockClientId.
//
// Fields whose name starts with "padlock" are padlock's additions.
package labsapi

import (
	"padlock/assess"
	"padlock/grade"
	"padlock/vuln"
)

// Info is SSL Labs' Info object.
type Info struct {
	EngineVersion        string   `json:"engineVersion"`
	CriteriaVersion      string   `json:"criteriaVersion"`
	MaxAssessments       int      `json:"maxAssessments"`
	CurrentAssessments   int      `json:"currentAssessments"`
	NewAssessmentCoolOff int64    `json:"newAssessmentCoolOff"`
	Messages             []string `json:"messages"`
}

// StatusCodes is the answer of getStatusCodes.
type StatusCodes struct {
	StatusDetails map[string]string `json:"statusDetails"`
}

// Host is SSL Labs' Host object.
type Host struct {
	Host            string     `json:"host"`
	Port            int        `json:"port"`
	Protocol        string     `json:"protocol"`
	IsPublic        bool       `json:"isPublic"`
	Status          string     `json:"status"`
	StatusMessage   string     `json:"statusMessage,omitempty"`
	StartTime       int64      `json:"startTime"`
	TestTime        int64      `json:"testTime,omitempty"`
	EngineVersion   string     `json:"engineVersion"`
	CriteriaVersion string     `json:"criteriaVersion"`
	CacheExpiryTime int64      `json:"cacheExpiryTime,omitempty"`
	CertHostnames   []string   `json:"certHostnames,omitempty"` // only when the certificate does not match the host
	Endpoints       []Endpoint `json:"endpoints"`
	Certs           []Cert     `json:"certs"`

	// PadlockSite is padlock's verdict on the whole site: its grade
	// (U included), the `*` flag, secure by default.
	PadlockSite *assess.Site `json:"padlockSite,omitempty"`
}

// Endpoint is SSL Labs' Endpoint object.
type Endpoint struct {
	IPAddress            string           `json:"ipAddress"`
	ServerName           string           `json:"serverName,omitempty"` // reverse DNS; absent when there is no PTR record
	StatusMessage        string           `json:"statusMessage"`
	StatusDetails        string           `json:"statusDetails,omitempty"`
	StatusDetailsMessage string           `json:"statusDetailsMessage,omitempty"`
	Grade                string           `json:"grade,omitempty"`
	GradeTrustIgnored    string           `json:"gradeTrustIgnored,omitempty"`
	FutureGrade          *string          `json:"futureGrade"` // null: no dated rule still ahead changes the grade (assess.Endpoint.FutureGrade)
	HasWarnings          bool             `json:"hasWarnings"`
	IsExceptional        bool             `json:"isExceptional"`
	Progress             int              `json:"progress"`
	Duration             int64            `json:"duration"`
	ETA                  int              `json:"eta"`
	Delegation           int              `json:"delegation"`
	Details              *EndpointDetails `json:"details,omitempty"`

	// PadlockGrade is padlock's rating (with "U" for an endpoint without
	// TLS), and PadlockFailure why the endpoint is not "Ready".
	PadlockGrade   string `json:"padlockGrade,omitempty"`
	PadlockFailure string `json:"padlockFailure,omitempty"`
	// PadlockRating is the full rating: scores and every rule that fired.
	PadlockRating *grade.Result `json:"padlockRating,omitempty"`
}

// EndpointDetails is SSL Labs' EndpointDetails object.
type EndpointDetails struct {
	HostStartTime                  int64             `json:"hostStartTime"`
	CertChains                     []CertChain       `json:"certChains"`
	Protocols                      []Protocol        `json:"protocols"`
	Suites                         []ProtocolSuites  `json:"suites"`
	NoSNISuites                    *ProtocolSuites   `json:"noSniSuites,omitempty"` // only when suites differ without SNI; padlock does not enumerate them apart
	NamedGroups                    *NamedGroups      `json:"namedGroups,omitempty"`
	ServerSignature                string            `json:"serverSignature,omitempty"`
	PrefixDelegation               *bool             `json:"prefixDelegation"`
	NonPrefixDelegation            *bool             `json:"nonPrefixDelegation"`
	VulnBeast                      *bool             `json:"vulnBeast"`
	RenegSupport                   int               `json:"renegSupport"`
	SessionResumption              *int              `json:"sessionResumption"`
	CompressionMethods             int               `json:"compressionMethods"`
	SupportsNPN                    *bool             `json:"supportsNpn"`
	NPNProtocols                   *string           `json:"npnProtocols"`
	SupportsALPN                   bool              `json:"supportsAlpn"`
	ALPNProtocols                  string            `json:"alpnProtocols"`
	SessionTickets                 int               `json:"sessionTickets"`
	OCSPStapling                   bool              `json:"ocspStapling"`
	StaplingRevocationStatus       int               `json:"staplingRevocationStatus"`
	StaplingRevocationErrorMessage string            `json:"staplingRevocationErrorMessage,omitempty"`
	SNIRequired                    bool              `json:"sniRequired"`
	HTTPStatusCode                 int               `json:"httpStatusCode,omitempty"` // absent: the request failed
	HTTPForwarding                 string            `json:"httpForwarding,omitempty"`
	SupportsRC4                    bool              `json:"supportsRc4"`
	RC4WithModern                  *bool             `json:"rc4WithModern"`
	RC4Only                        bool              `json:"rc4Only"`
	ForwardSecrecy                 int               `json:"forwardSecrecy"`
	SupportsAEAD                   bool              `json:"supportsAead"`
	SupportsCBC                    bool              `json:"supportsCBC"`
	ProtocolIntolerance            int               `json:"protocolIntolerance"`
	MiscIntolerance                *int              `json:"miscIntolerance"`
	Sims                           SimDetails        `json:"sims"`
	Heartbleed                     *bool             `json:"heartbleed"`
	Heartbeat                      bool              `json:"heartbeat"`
	OpenSSLCCS                     int               `json:"openSslCcs"`
	OpenSSLLuckyMinus20            int               `json:"openSSLLuckyMinus20"`
	Ticketbleed                    int               `json:"ticketbleed"`
	Bleichenbacher                 int               `json:"bleichenbacher"`
	ZombiePoodle                   int               `json:"zombiePoodle"`
	GoldenDoodle                   int               `json:"goldenDoodle"`
	ZeroLengthPaddingOracle        int               `json:"zeroLengthPaddingOracle"`
	SleepingPoodle                 int               `json:"sleepingPoodle"`
	Poodle                         *bool             `json:"poodle"`
	PoodleTLS                      int               `json:"poodleTls"`
	FallbackSCSV                   *bool             `json:"fallbackScsv,omitempty"` // absent with one protocol only
	Freak                          *bool             `json:"freak"`
	HasSCT                         int               `json:"hasSct"`
	DHPrimes                       []string          `json:"dhPrimes,omitempty"`          // absent without DH
	DHUsesKnownPrimes              *int              `json:"dhUsesKnownPrimes,omitempty"` // absent without DH
	DHYsReuse                      any               `json:"dhYsReuse,omitempty"`         // absent without DH; null: not measured
	ECDHParameterReuse             *bool             `json:"ecdhParameterReuse"`
	Logjam                         *bool             `json:"logjam"`
	ChaCha20Preference             *bool             `json:"chaCha20Preference"`
	HSTSPolicy                     HSTSPolicy        `json:"hstsPolicy"`
	HSTSPreloads                   []HSTSPreload     `json:"hstsPreloads"`
	HPKPPolicy                     HPKPPolicy        `json:"hpkpPolicy"`
	HPKPRoPolicy                   HPKPPolicy        `json:"hpkpRoPolicy"`
	StaticPKPPolicy                StaticPKPPolicy   `json:"staticPkpPolicy"`
	HTTPTransactions               []HTTPTransaction `json:"httpTransactions"`
	DrownHosts                     []DrownHost       `json:"drownHosts"`
	DrownErrors                    bool              `json:"drownErrors"`
	DrownVulnerable                *bool             `json:"drownVulnerable"`
	ImplementsTLS13MandatoryCS     *bool             `json:"implementsTLS13MandatoryCS"` // null without TLS 1.3
	ZeroRTTEnabled                 int               `json:"zeroRTTEnabled"`

	// PadlockNotMeasured lists the documented fields above that padlock
	// does not measure and that carry the documentation's "not tested"
	// value (or the type's zero value where it documents none).
	PadlockNotMeasured []string `json:"padlockNotMeasured"`
	// PadlockFindings are the vulnerability checks with their evidence.
	PadlockFindings []vuln.Finding `json:"padlockFindings,omitempty"`
	// PadlockErrors are problems that left part of the result inconclusive.
	PadlockErrors []string `json:"padlockErrors,omitempty"`
}

// CertChain is SSL Labs' CertificateChain object.
type CertChain struct {
	ID         string      `json:"id"`
	CertIDs    []string    `json:"certIds"`
	TrustPaths []TrustPath `json:"trustPaths"`
	Issues     int         `json:"issues"`
	NoSNI      bool        `json:"noSni"`
}

// TrustPath is SSL Labs' trustPath object. The documentation spells one
// field "mactchedPins"; the API and its clients use matchedPins.
type TrustPath struct {
	CertIDs       []string `json:"certIds"`
	Trust         []Trust  `json:"trust"`
	IsPinned      bool     `json:"isPinned"`
	MatchedPins   int      `json:"matchedPins"`
	UnmatchedPins int      `json:"unmatchedPins"`
}

// Trust is SSL Labs' trust object.
type Trust struct {
	RootStore         string  `json:"rootStore"`
	IsTrusted         bool    `json:"isTrusted"`
	TrustErrorMessage *string `json:"trustErrorMessage"` // null when trusted
}

// Protocol is SSL Labs' Protocol object.
type Protocol struct {
	ID               int    `json:"id"`
	Name             string `json:"name"`
	Version          string `json:"version"`
	V2SuitesDisabled bool   `json:"v2SuitesDisabled,omitempty"` // SSL 2.0 only
	Q                *int   `json:"q"`                          // 0 insecure, null otherwise
}

// ProtocolSuites is SSL Labs' ProtocolSuites object.
type ProtocolSuites struct {
	Protocol           int     `json:"protocol"`
	List               []Suite `json:"list"`
	Preference         *bool   `json:"preference"`
	ChaCha20Preference *bool   `json:"chaCha20Preference"`
}

// Suite is SSL Labs' Suite object.
type Suite struct {
	ID             int    `json:"id"`
	Name           string `json:"name"`
	CipherStrength int    `json:"cipherStrength"`
	KxType         string `json:"kxType,omitempty"`
	KxStrength     int    `json:"kxStrength"`
	DHP            int    `json:"dhP,omitempty"`
	DHG            int    `json:"dhG,omitempty"`
	DHYs           int    `json:"dhYs,omitempty"`
	NamedGroupBits int    `json:"namedGroupBits,omitempty"`
	NamedGroupID   int    `json:"namedGroupId,omitempty"`
	NamedGroupName string `json:"namedGroupName,omitempty"`
	Q              *int   `json:"q,omitempty"` // 0 insecure, 1 weak; absent when good
}

// NamedGroups is SSL Labs' NamedGroups object.
type NamedGroups struct {
	List       []NamedGroup `json:"list"`
	Preference *bool        `json:"preference"`
}

// NamedGroup is SSL Labs' NamedGroup object.
type NamedGroup struct {
	ID             int    `json:"id"`
	Name           string `json:"name"`
	Bits           int    `json:"bits"`
	NamedGroupType string `json:"namedGroupType,omitempty"`
}

// SimDetails is SSL Labs' SimDetails object.
type SimDetails struct {
	Results []Sim `json:"results"`
}

// Sim is SSL Labs' Simulation object.
type Sim struct {
	Client         SimClient `json:"client"`
	ErrorCode      int       `json:"errorCode"`
	ErrorMessage   string    `json:"errorMessage,omitempty"`
	Attempts       int       `json:"attempts"`
	CertChainID    string    `json:"certChainId,omitempty"`
	ProtocolID     int       `json:"protocolId,omitempty"`
	SuiteID        int       `json:"suiteId,omitempty"`
	SuiteName      string    `json:"suiteName,omitempty"`
	KxType         string    `json:"kxType,omitempty"`
	KxStrength     int       `json:"kxStrength,omitempty"`
	DHBits         int       `json:"dhBits,omitempty"`
	DHP            int       `json:"dhP,omitempty"`
	DHG            int       `json:"dhG,omitempty"`
	DHYs           int       `json:"dhYs,omitempty"`
	NamedGroupBits int       `json:"namedGroupBits,omitempty"`
	NamedGroupID   int       `json:"namedGroupId,omitempty"`
	NamedGroupName string    `json:"namedGroupName,omitempty"`
	KeyAlg         string    `json:"keyAlg,omitempty"`
	KeySize        int       `json:"keySize,omitempty"`
	SigAlg         string    `json:"sigAlg,omitempty"`

	// PadlockInconclusive marks a failure that says nothing about the
	// server (a timeout): it never counts against it.
	PadlockInconclusive bool `json:"padlockInconclusive,omitempty"`
}

// SimClient is SSL Labs' SimClient object.
type SimClient struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Platform    string `json:"platform,omitempty"`
	Version     string `json:"version"`
	IsReference bool   `json:"isReference"`
	// PadlockClientID is padlock's profile id, e.g. "chrome-137-win11".
	PadlockClientID string `json:"padlockClientId"`
}

// HSTSPolicy is SSL Labs' HstsPolicy object.
type HSTSPolicy struct {
	LongMaxAge        int64             `json:"LONG_MAX_AGE"`
	Header            string            `json:"header,omitempty"`
	Status            string            `json:"status"`
	Error             string            `json:"error,omitempty"`
	MaxAge            *int64            `json:"maxAge,omitempty"`
	IncludeSubDomains *bool             `json:"includeSubDomains,omitempty"`
	Preload           *bool             `json:"preload,omitempty"`
	Directives        map[string]string `json:"directives"`
}

// HSTSPreload is SSL Labs' HstsPreload object.
type HSTSPreload struct {
	Source     string `json:"source"`
	Hostname   string `json:"hostname"`
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	SourceTime int64  `json:"sourceTime"`
}

// HPKPPolicy is SSL Labs' HpkpPolicy object.
type HPKPPolicy struct {
	Header            string          `json:"header,omitempty"`
	Status            string          `json:"status"`
	Error             string          `json:"error,omitempty"`
	MaxAge            int64           `json:"maxAge"`
	IncludeSubDomains bool            `json:"includeSubDomains"`
	ReportURI         string          `json:"reportUri,omitempty"`
	Pins              []HPKPPin       `json:"pins"`
	MatchedPins       []HPKPPin       `json:"matchedPins"`
	Directives        []HPKPDirective `json:"directives"`
}

// HPKPPin is one pin of an HPKP policy.
type HPKPPin struct {
	HashFunction string `json:"hashFunction"`
	Value        string `json:"value"`
}

// HPKPDirective is one directive of an HPKP policy.
type HPKPDirective struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// StaticPKPPolicy is SSL Labs' staticPkpPolicy object. padlock has no
// static pin list: its status is always "unknown".
type StaticPKPPolicy struct {
	Status               string    `json:"status"`
	Error                string    `json:"error,omitempty"`
	IncludeSubDomains    bool      `json:"includeSubDomains"`
	ReportURI            string    `json:"reportUri,omitempty"`
	Pins                 []HPKPPin `json:"pins"`
	MatchedPins          []HPKPPin `json:"matchedPins"`
	ForbiddenPins        []HPKPPin `json:"forbiddenPins"`
	MatchedForbiddenPins []HPKPPin `json:"matchedForbiddenPins"`
}

// HTTPTransaction is SSL Labs' HttpTransaction object.
type HTTPTransaction struct {
	RequestURL         string       `json:"requestUrl"`
	StatusCode         int          `json:"statusCode"`
	RequestLine        string       `json:"requestLine"`
	RequestHeaders     []string     `json:"requestHeaders"`
	ResponseLine       string       `json:"responseLine"`
	ResponseHeadersRaw []string     `json:"responseHeadersRaw"`
	ResponseHeaders    []HTTPHeader `json:"responseHeaders"`
	FragileServer      bool         `json:"fragileServer"`
	PadlockError       string       `json:"padlockError,omitempty"`
}

// HTTPHeader is one header of an HttpTransaction.
type HTTPHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// DrownHost is SSL Labs' DrownHosts object.
type DrownHost struct {
	IP      string `json:"ip"`
	Export  bool   `json:"export"`
	Port    int    `json:"port"`
	Special bool   `json:"special"`
	SSLv2   bool   `json:"sslv2"`
	Status  string `json:"status"`
}

// Cert is SSL Labs' Cert object.
type Cert struct {
	ID                     string     `json:"id"`
	Subject                string     `json:"subject"`
	SerialNumber           string     `json:"serialNumber"`
	CommonNames            []string   `json:"commonNames"`
	AltNames               []string   `json:"altNames"`
	NotBefore              int64      `json:"notBefore"`
	NotAfter               int64      `json:"notAfter"`
	IssuerSubject          string     `json:"issuerSubject"`
	SigAlg                 string     `json:"sigAlg"`
	RevocationInfo         int        `json:"revocationInfo"`
	CRLURIs                []string   `json:"crlURIs"`
	OCSPURIs               []string   `json:"ocspURIs"`
	RevocationStatus       int        `json:"revocationStatus"`
	CRLRevocationStatus    int        `json:"crlRevocationStatus"`
	OCSPRevocationStatus   int        `json:"ocspRevocationStatus"`
	DNSCAA                 *bool      `json:"dnsCaa"`
	CAAPolicy              *CAAPolicy `json:"caaPolicy"` // null: no CAA policy known
	MustStaple             bool       `json:"mustStaple"`
	SGC                    int        `json:"sgc"`
	ValidationType         string     `json:"validationType,omitempty"`
	Issues                 int        `json:"issues"`
	SCT                    bool       `json:"sct"`
	SHA1Hash               string     `json:"sha1Hash"`
	SHA256Hash             string     `json:"sha256Hash"`
	PinSHA256              string     `json:"pinSha256"`
	KeyAlg                 string     `json:"keyAlg"`
	KeySize                int        `json:"keySize"`
	KeyStrength            int        `json:"keyStrength"`
	KeyKnownDebianInsecure bool       `json:"keyKnownDebianInsecure"`
	Raw                    string     `json:"raw"`
}

// CAAPolicy is SSL Labs' CaaPolicy object.
type CAAPolicy struct {
	PolicyHostname string      `json:"policyHostname"`
	CAARecords     []CAARecord `json:"caaRecords"`
}

// CAARecord is SSL Labs' CaaRecord object.
type CAARecord struct {
	Tag   string `json:"tag"`
	Value string `json:"value"`
	Flags int    `json:"flags"`
}
