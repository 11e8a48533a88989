package registry

import "strings"

// Suite describes one TLS cipher suite (SSL 3.0 through TLS 1.3).
type Suite struct {
	ID   uint16
	Name string // IANA name, e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"

	// OpenSSL is OpenSSL's name for the suite, e.g.
	// "ECDHE-RSA-AES128-GCM-SHA256", as `openssl ciphers -V` prints it.
	// For suites that current OpenSSL releases no longer build (single DES,
	// export, static DH/ECDH, Kerberos, …) it is the name the last release
	// that had them printed, or the name OpenSSL's headers define. It is ""
	// when OpenSSL never named the suite.
	OpenSSL string

	Kx     KeyExchange
	Auth   Auth
	Cipher Cipher
	MAC    MAC

	// Bits is the effective symmetric strength, as SSL Labs reports it in
	// cipherStrength: 0 for NULL, 40 for export, 56 for DES and the
	// EXPORT1024 suites, 112 for 3DES, otherwise the key size (128 or 256;
	// 256 for the GOST ciphers, 80 for FORTEZZA).
	Bits int

	// Export is set for export-grade suites (*_EXPORT_*, *_EXPORT1024_*).
	Export bool

	// Min and Max bound the protocol versions in which the suite may be
	// negotiated. Min is the version OpenSSL's cipher table gives where
	// OpenSSL implements the suite (checked by registry_test), and
	// otherwise follows the same rules: SSLv3 for SHA-1/MD5 suites, TLS10
	// for the elliptic-curve and GOST ones, TLS12 for AEAD suites and
	// SHA-256/384 HMAC suites — except the PSK families, whose
	// SHA-256/384 HMAC suites are allowed from TLS10 (RFC 5487 style).
	// TLS 1.3 suites have Min = Max = TLS13 and every older suite has
	// Max = TLS12, except:
	//
	//   - Export suites have Max = TLS10, since RFC 4346 forbids
	//     negotiating them in TLS 1.1 and later. Max is a statement about
	//     the standard, not a filter on what a scanner may offer: broken
	//     servers do accept export suites in TLS 1.1/1.2 handshakes, so a
	//     probe hunting for them should take Suites() and select on Export
	//     rather than rely on SuitesFor.
	//   - The FORTEZZA suites exist only in SSL 3.0.
	Min Protocol
	Max Protocol

	// Nonstandard marks suites that are not in the IANA registry but were
	// deployed anyway (EXPORT1024 drafts, pre-RFC GOST and ChaCha20 code
	// points, Netscape's FIPS suites, SSL 3.0 FORTEZZA).
	Nonstandard bool

	// SCSV marks signalling cipher suite values, which name no cipher. They
	// are listed in SCSVs and found by SuiteByID/SuiteByName, never in
	// Suites or SuitesFor.
	SCSV bool
}

// AEAD reports whether the suite's cipher is an AEAD construction.
func (s Suite) AEAD() bool { return s.Cipher.AEAD() }

// ForwardSecret reports whether the key exchange uses ephemeral keys: DHE,
// ECDHE, DHE_PSK, ECDHE_PSK, and every TLS 1.3 suite (KxAny). Anonymous
// DH/ECDH suites are ephemeral too, so check Anonymous first when grading.
func (s Suite) ForwardSecret() bool {
	switch s.Kx {
	case KxDHE, KxECDHE, KxDHEPSK, KxECDHEPSK, KxAny:
		return true
	}
	return false
}

// Anonymous reports whether the suite performs a real key exchange without
// authenticating the server (ADH / AECDH suites).
func (s Suite) Anonymous() bool { return s.Auth == AuthNull && s.Kx != KxNull }

// ValidFor reports whether the suite may be negotiated in protocol p.
func (s Suite) ValidFor(p Protocol) bool { return s.Min <= p && p <= s.Max }

// String returns the IANA name.
func (s Suite) String() string { return s.Name }

// Signalling cipher suite values.
const (
	EmptyRenegotiationInfoSCSV uint16 = 0x00FF // RFC 5746
	FallbackSCSV               uint16 = 0x5600 // RFC 7507
)

// SCSVs lists the signalling cipher suite values (RFC 5746, RFC 7507). They
// are excluded from Suites and SuitesFor. Treat it as read-only.
var SCSVs = []Suite{
	{ID: EmptyRenegotiationInfoSCSV, Name: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", OpenSSL: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", Min: SSLv3, Max: TLS13, SCSV: true},
	{ID: FallbackSCSV, Name: "TLS_FALLBACK_SCSV", OpenSSL: "TLS_FALLBACK_SCSV", Min: SSLv3, Max: TLS13, SCSV: true},
}

var (
	suiteByID   = map[uint16]Suite{}
	suiteByName = map[string]Suite{} // exact IANA and OpenSSL names
	suiteByFold = map[string]Suite{} // upper-cased names
)

func init() {
	add := func(s Suite) {
		suiteByID[s.ID] = s
		for _, n := range []string{s.Name, s.OpenSSL} {
			if n == "" {
				continue
			}
			suiteByName[n] = s
			suiteByFold[strings.ToUpper(n)] = s
		}
	}
	for _, s := range suites {
		add(s)
	}
	for _, s := range SCSVs {
		add(s)
	}
}

// SuiteByID returns the suite with the given wire value. Signalling values
// (SCSVs) are found too; GREASE values are not.
func SuiteByID(id uint16) (Suite, bool) {
	s, ok := suiteByID[id]
	return s, ok
}

// Suites returns every known cipher suite except the SCSVs, sorted by ID.
// The slice is a fresh copy that the caller may modify.
func Suites() []Suite {
	out := make([]Suite, len(suites))
	copy(out, suites)
	return out
}

// SuitesFor returns, sorted by ID, the suites that may be negotiated in
// protocol p. It returns nothing for SSLv2, whose cipher specs are listed by
// SSLv2Ciphers.
func SuitesFor(p Protocol) []Suite {
	var out []Suite
	for _, s := range suites {
		if s.ValidFor(p) {
			out = append(out, s)
		}
	}
	return out
}

// SuiteByName finds a suite by its IANA name or its OpenSSL name. An exact
// match is preferred; failing that the match ignores case, and a name that
// starts with "SSL_" (as Java and old NSS spell the SSL 3.0 suites) is also
// tried with "TLS_".
func SuiteByName(name string) (Suite, bool) {
	if s, ok := suiteByName[name]; ok {
		return s, true
	}
	up := strings.ToUpper(name)
	if s, ok := suiteByFold[up]; ok {
		return s, true
	}
	if rest, ok := strings.CutPrefix(up, "SSL_"); ok {
		if s, ok := suiteByFold["TLS_"+rest]; ok {
			return s, true
		}
	}
	return Suite{}, false
}

// IsGREASE reports whether v is one of the reserved GREASE values of RFC
// 8701 (0x0A0A, 0x1A1A, … 0xFAFA), which clients scatter through cipher
// suite, group, signature algorithm and extension lists.
func IsGREASE(v uint16) bool {
	return v&0x0F0F == 0x0A0A && v>>8 == v&0xFF
}
