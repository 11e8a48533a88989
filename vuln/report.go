package vuln

// Report holds the vulnerability results of one endpoint under the names
// and value conventions of SSL Labs' API v3 EndpointDetails, followed by
// padlock's own fields: the findings with their evidence, and what the
// fleet-wide DROWN test needs.
type Report struct {
	// Heartbleed: the server answered an over-long heartbeat request with
	// more than was sent (CVE-2014-0160).
	Heartbleed bool `json:"heartbleed"`
	// Heartbeat: the server accepts the heartbeat extension.
	Heartbeat bool `json:"heartbeat"`
	// OpenSSLCCS (CVE-2014-0224): -1 test failed, 0 unknown, 1 not
	// vulnerable, 2 possibly vulnerable but not exploitable, 3 vulnerable
	// and exploitable.
	OpenSSLCCS int `json:"openSslCcs"`
	// Poodle: SSL 3.0 with a CBC suite.
	Poodle bool `json:"poodle"`
	// PoodleTLS: -3 timeout, -2 TLS not supported, -1 test failed, 0
	// unknown, 1 not vulnerable, 2 vulnerable.
	PoodleTLS int `json:"poodleTls"`
	// FallbackSCSV: TLS_FALLBACK_SCSV honoured; absent when the server has
	// only one protocol version (SSLv2 not counted) or the test failed.
	FallbackSCSV *bool `json:"fallbackScsv,omitempty"`
	// RenegSupport bits: 1 insecure client-initiated renegotiation, 2
	// secure renegotiation (RFC 5746), 4 secure client-initiated
	// renegotiation, 8 the server requires RFC 5746 from clients.
	RenegSupport int `json:"renegSupport"`
	// CompressionMethods: bit 0 DEFLATE.
	CompressionMethods int `json:"compressionMethods"`
	// Freak: an RSA_EXPORT (512-bit) key exchange is accepted.
	Freak bool `json:"freak"`
	// Logjam: DH parameters below 1024 bits (a DHE_EXPORT suite on a
	// strong group is a not-exploitable finding, not logjam).
	Logjam bool `json:"logjam"`
	// DrownVulnerable: this endpoint speaks SSLv2. The fleet scan also
	// sets it when another endpoint with the same key does
	// (PadlockKeyFingerprint, PadlockSSLv2).
	DrownVulnerable bool `json:"drownVulnerable"`
	// VulnBeast: a CBC suite is accepted at SSL 3.0 or TLS 1.0.
	VulnBeast bool `json:"vulnBeast"`
	// SupportsRC4 and RC4Only describe RC4 suites.
	SupportsRC4 bool `json:"supportsRc4"`
	RC4Only     bool `json:"rc4Only"`
	// Bleichenbacher (ROBOT): -1 test failed, 0 unknown, 1 not vulnerable,
	// 2 weak oracle, 3 strong oracle, 4 inconsistent results.
	Bleichenbacher int `json:"bleichenbacher"`
	// Ticketbleed (CVE-2016-9244): -1, 0, 1 not vulnerable, 2 vulnerable,
	// 3 not vulnerable but a similar bug.
	Ticketbleed int `json:"ticketbleed"`
	// OpenSSLLuckyMinus20 (CVE-2016-2107): -1, 0, 1 not vulnerable, 2
	// vulnerable.
	OpenSSLLuckyMinus20 int `json:"openSSLLuckyMinus20"`
	// ZombiePoodle: -1, 0, 1, 2 vulnerable, 3 vulnerable and exploitable.
	ZombiePoodle int `json:"zombiePoodle"`
	// GoldenDoodle: -1, 0, 1, 4 vulnerable, 5 vulnerable and exploitable.
	GoldenDoodle int `json:"goldenDoodle"`
	// ZeroLengthPaddingOracle (CVE-2019-1559): -1, 0, 1, 6 vulnerable, 7
	// vulnerable and exploitable.
	ZeroLengthPaddingOracle int `json:"zeroLengthPaddingOracle"`
	// SleepingPoodle: -1, 0, 1, 10 vulnerable, 11 vulnerable and
	// exploitable.
	SleepingPoodle int `json:"sleepingPoodle"`
	// ZeroRTTEnabled: -2 test failed, -1 not tested (no TLS 1.3), 0 no, 1
	// yes.
	ZeroRTTEnabled int `json:"zeroRTTEnabled"`
	// DHUsesKnownPrimes: 0 no, 1 yes but not weak, 2 yes and weak; absent
	// without DHE.
	DHUsesKnownPrimes *int `json:"dhUsesKnownPrimes,omitempty"`

	// PadlockFindings are the results with their evidence, one per check.
	PadlockFindings []Finding `json:"padlockFindings"`
	// PadlockKeyFingerprint is the hex SHA-256 of the leaf certificate's
	// SubjectPublicKeyInfo (of every certificate the endpoint serves,
	// space-separated, when it has several).
	PadlockKeyFingerprint string `json:"padlockKeyFingerprint,omitempty"`
	// PadlockSSLv2 is true when this endpoint accepts SSLv2.
	PadlockSSLv2 bool `json:"padlockSSLv2"`
	// PadlockConnections counts the connections the checks opened.
	PadlockConnections int `json:"padlockConnections"`
}

// Finding returns the finding of a check, if it ran.
func (r *Report) Finding(check string) (Finding, bool) {
	for _, f := range r.PadlockFindings {
		if f.Check == check {
			return f, true
		}
	}
	return Finding{}, false
}

// enum maps a finding onto an SSL Labs integer field whose values are -1
// test failed, 0 unknown, 1 not vulnerable, then vulnerable and
// exploitable codes of its own.
func enum(f Finding, vulnerable, exploitable int) int {
	switch f.State {
	case NotVulnerable, NotApplicable:
		return 1
	case Inconclusive:
		return -1
	case Vulnerable:
		if f.Severity == SeverityExploitable {
			return exploitable
		}
		return vulnerable
	}
	return 0
}

// Variants recorded in Finding.Variant where a field has more values than
// the states give.
const (
	VariantWeakOracle     = "weak oracle"
	VariantStrongOracle   = "strong oracle"
	VariantInconsistent   = "inconsistent"
	VariantSimilarBug     = "similar bug"
	VariantTimeout        = "timeout"
	VariantNoTLS          = "TLS not supported"
	VariantWeakPrime      = "weak"
	VariantRC4Only        = "RC4 only"
	VariantRequired       = "required"
	VariantNotExploitable = "not exploitable"
)

// fill sets the SSL Labs fields from the findings.
func (r *Report) fill() {
	get := func(id string) Finding { f, _ := r.Finding(id); return f }
	vuln := func(id string) bool { return get(id).State == Vulnerable }

	r.Heartbleed = vuln(CheckHeartbleed)
	r.Heartbeat = vuln(CheckHeartbeat)
	r.OpenSSLCCS = enum(get(CheckCCS), 2, 3)
	r.Poodle = vuln(CheckPoodle)
	switch f := get(CheckPoodleTLS); {
	case f.State == Inconclusive && f.Variant == VariantTimeout:
		r.PoodleTLS = -3
	case f.State == NotApplicable && f.Variant == VariantNoTLS:
		r.PoodleTLS = -2
	default:
		r.PoodleTLS = enum(f, 2, 2)
	}
	switch get(CheckFallbackSCSV).State {
	case NotVulnerable:
		r.FallbackSCSV = ptr(true)
	case Vulnerable:
		r.FallbackSCSV = ptr(false)
	}
	r.RenegSupport = 0
	if vuln(CheckInsecureRenegotiation) {
		r.RenegSupport |= 1
	}
	if f := get(CheckSecureRenegotiation); f.State == NotVulnerable {
		r.RenegSupport |= 2
		if f.Variant == VariantRequired {
			r.RenegSupport |= 8
		}
	}
	if vuln(CheckClientRenegotiation) {
		r.RenegSupport |= 4
	}
	if vuln(CheckCompression) {
		r.CompressionMethods = 1
	}
	r.Freak = vuln(CheckFREAK)
	r.Logjam = vuln(CheckLogjam) && get(CheckLogjam).Severity == SeverityExploitable
	r.DrownVulnerable = vuln(CheckDROWN)
	r.VulnBeast = vuln(CheckBEAST)
	rc4 := get(CheckRC4)
	r.SupportsRC4 = rc4.State == Vulnerable
	r.RC4Only = r.SupportsRC4 && rc4.Variant == VariantRC4Only

	switch f := get(CheckROBOT); {
	case f.State == Inconclusive && f.Variant == VariantInconsistent:
		r.Bleichenbacher = 4
	case f.State == Vulnerable && f.Variant == VariantStrongOracle:
		r.Bleichenbacher = 3
	case f.State == Vulnerable:
		r.Bleichenbacher = 2
	default:
		r.Bleichenbacher = enum(f, 2, 2)
	}
	switch f := get(CheckTicketbleed); {
	case f.State == Vulnerable && f.Variant == VariantSimilarBug:
		r.Ticketbleed = 3
	default:
		r.Ticketbleed = enum(f, 2, 2)
	}
	r.OpenSSLLuckyMinus20 = enum(get(CheckLuckyMinus20), 2, 2)
	r.ZombiePoodle = enum(get(CheckZombiePoodle), 2, 3)
	r.GoldenDoodle = enum(get(CheckGoldenDoodle), 4, 5)
	r.ZeroLengthPaddingOracle = enum(get(CheckZeroLength), 6, 7)
	r.SleepingPoodle = enum(get(CheckSleepingPoodle), 10, 11)

	switch get(CheckZeroRTT).State {
	case Vulnerable:
		r.ZeroRTTEnabled = 1
	case NotVulnerable:
		r.ZeroRTTEnabled = 0
	case Inconclusive:
		r.ZeroRTTEnabled = -2
	default:
		r.ZeroRTTEnabled = -1
	}
	switch f := get(CheckDHPrimes); {
	case f.State == NotVulnerable:
		r.DHUsesKnownPrimes = ptr(0)
	case f.State == Vulnerable && f.Variant == VariantWeakPrime:
		r.DHUsesKnownPrimes = ptr(2)
	case f.State == Vulnerable:
		r.DHUsesKnownPrimes = ptr(1)
	}
}

func ptr[T any](v T) *T { return &v }
