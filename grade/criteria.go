package grade

import "padlock/registry"

// Everything that depends on the rating guide's revision lives in this
// file: a later revision changes these values (and Criteria), and stored
// Facts can be re-graded under it.

// Criteria names the rules this package implements: SSL Labs' rating
// guide revision 2009r as padlock reads it (docs/grading.md).
const Criteria = "padlock-2009r"

// Category weights, in percent (docs/grading.md §1.1).
const (
	weightProtocol    = 30
	weightKeyExchange = 30
	weightCipher      = 40
)

// protocolScore is the protocol-support table (§1.2). TLS 1.3 is 100
// (decision 13). ok is false for an unknown version.
func protocolScore(p registry.Protocol) (score float64, ok bool) {
	switch p {
	case registry.SSLv2:
		return 0, true
	case registry.SSLv3:
		return 80, true
	case registry.TLS10:
		return 90, true
	case registry.TLS11:
		return 95, true
	case registry.TLS12, registry.TLS13:
		return 100, true
	}
	return 0, false
}

// Key-exchange scores (§1.3) for the special cases.
const (
	kxScoreDebianWeak = 0  // Debian OpenSSL PRNG key
	kxScoreAnonymous  = 0  // ADH/AECDH suites
	kxScoreExport     = 40 // RSA_EXPORT / DHE_EXPORT
)

// kxScore maps an RSA-equivalent strength to the key-exchange score.
func kxScore(strength int) float64 {
	switch {
	case strength < 512:
		return 20
	case strength < 1024:
		return 40
	case strength < 2048:
		return 80
	case strength < 4096:
		return 90
	}
	return 100
}

// ExpiryWarningDays: a certificate with fewer whole days left than this
// gets the expiry warning (RuleExpiry), and counts among a fleet's
// "certificates expiring within 30 days".
const ExpiryWarningDays = 30

// Strength thresholds of the key rules, in RSA-equivalent bits: below
// insecureKeyBits is F (A10, C3, C5), below weakKeyBits is cap B (A11,
// C4, C5).
const (
	insecureKeyBits = 1024
	weakKeyBits     = 2048
)

// eddsaStrength is the RSA-equivalent of an EdDSA key: Ed25519 (field 255,
// 128-bit security) 3072, Ed448 7680.
func eddsaStrength(bits int) int {
	if bits > 256 {
		return 7680
	}
	return 3072
}

// cipherScore maps symmetric bits to the cipher-strength score (§1.4).
func cipherScore(bits int) float64 {
	switch {
	case bits <= 0:
		return 0
	case bits < 128:
		return 20
	case bits < 256:
		return 80
	}
	return 100
}

// scoringBits is the strength a cipher counts with in the cipher score:
// the registry's value (what SSL Labs displays), except 3DES which counts
// as 168 (decision 8).
func scoringBits(c registry.Cipher, bits int) int {
	if c == registry.TripleDES {
		return 168
	}
	return bits
}

// minCipherBits: an accepted suite below this many bits is F (D2).
const minCipherBits = 112

// letterFor is the score → letter table (§1.6).
func letterFor(total float64) letter {
	switch {
	case total >= 80:
		return letterA
	case total >= 65:
		return letterB
	case total >= 50:
		return letterC
	case total >= 35:
		return letterD
	case total >= 20:
		return letterE
	}
	return letterF
}

// hstsLongMaxAge is the max-age A+ needs (F1; SSL Labs'
// hstsPolicy.LONG_MAX_AGE, 180 days).
const hstsLongMaxAge = 15552000

// modernProtocol: RC4 (D4) and 64-bit block ciphers (D6) are penalised
// when negotiated at this protocol or later.
const modernProtocol = registry.TLS11

// RuleSpec describes one rule of docs/grading.md §2 (and padlock's U and score).
type RuleSpec struct {
	ID    RuleID `json:"id"`
	Title string `json:"title"`
	// Effect is what the rule does when it fires (C5 can also give F;
	// see its Finding).
	Effect Effect `json:"effect"`
	// Since is the rating-guide revision (or date) that introduced it.
	Since string `json:"since"`
	// Source is the part of padlock whose facts the rule needs.
	Source Source `json:"source"`
}

// Rule ids.
const (
	RuleA1  RuleID = "A1"
	RuleA2  RuleID = "A2"
	RuleA3  RuleID = "A3"
	RuleA4  RuleID = "A4"
	RuleA5  RuleID = "A5"
	RuleA6  RuleID = "A6"
	RuleA7  RuleID = "A7"
	RuleA8  RuleID = "A8"
	RuleA9  RuleID = "A9"
	RuleA10 RuleID = "A10"
	RuleA11 RuleID = "A11"
	RuleA12 RuleID = "A12"
	RuleA13 RuleID = "A13"
	RuleA14 RuleID = "A14"
	RuleA15 RuleID = "A15"
	RuleB1  RuleID = "B1"
	RuleB2  RuleID = "B2"
	RuleB3  RuleID = "B3"
	RuleB4  RuleID = "B4"
	RuleB5  RuleID = "B5"
	RuleB6  RuleID = "B6"
	RuleB7  RuleID = "B7"
	RuleB8  RuleID = "B8"
	RuleB9  RuleID = "B9"
	RuleB10 RuleID = "B10"
	RuleB11 RuleID = "B11"
	RuleC1  RuleID = "C1"
	RuleC2  RuleID = "C2"
	RuleC3  RuleID = "C3"
	RuleC4  RuleID = "C4"
	RuleC5  RuleID = "C5"
	RuleC6  RuleID = "C6"
	RuleD1  RuleID = "D1"
	RuleD2  RuleID = "D2"
	RuleD3  RuleID = "D3"
	RuleD4  RuleID = "D4"
	RuleD5  RuleID = "D5"
	RuleD6  RuleID = "D6"
	RuleD7  RuleID = "D7"
	RuleE1  RuleID = "E1"
	RuleE2  RuleID = "E2"
	RuleE3  RuleID = "E3"
	RuleE4  RuleID = "E4"
	RuleE5  RuleID = "E5"
	RuleE6  RuleID = "E6"
	RuleE7  RuleID = "E7"
	RuleE8  RuleID = "E8"
	RuleE9  RuleID = "E9"
	RuleE10 RuleID = "E10"
	RuleE11 RuleID = "E11"
	RuleE12 RuleID = "E12"
	RuleF1  RuleID = "F1"
	RuleF2  RuleID = "F2"
	RuleF3  RuleID = "F3"
	RuleF4  RuleID = "F4"
	RuleF5  RuleID = "F5"
	RuleG1  RuleID = "G1"
	// RuleLifetime and RuleExpiry are padlock's certificate warnings
	// without effect on the grade: a lifetime above the CA/Browser Forum's
	// maximum for the certificate's issue date, and fewer than
	// ExpiryWarningDays left.
	RuleLifetime RuleID = "lifetime"
	RuleExpiry   RuleID = "expiry"
	// RuleU is padlock's U grade (decision 1).
	RuleU RuleID = "U"
	// RuleScore explains a letter below A that comes from the numeric
	// score.
	RuleScore RuleID = "score"
)

// ruleSpecs is the rule table, in the order findings are reported.
var ruleSpecs = []RuleSpec{
	{RuleA1, "Certificate does not match the host name", EffectM, "2009 (M grade by 2015)", SourcePKI},
	{RuleA2, "Certificate chain not trusted", EffectT, "2009", SourcePKI},
	{RuleA3, "Self-signed certificate", EffectT, "2009", SourcePKI},
	{RuleA4, "Certificate expired", EffectT, "2009", SourcePKI},
	{RuleA5, "Certificate not yet valid", EffectT, "2009", SourcePKI},
	{RuleA6, "Certificate revoked", EffectT, "2009", SourcePKI},
	{RuleA7, "Certificate from a CA browsers distrust", EffectT, "2018", SourcePKI},
	{RuleA8, "Certificate signed with MD2 or MD5", EffectF, "2009e", SourcePKI},
	{RuleA9, "Certificate signed with SHA-1", EffectT, "2009f; T since 2017", SourcePKI},
	{RuleA10, "Insecure server key", EffectF, "2009e", SourcePKI},
	{RuleA11, "Weak server key (below 2048 bits)", EffectCapB, "2009e", SourcePKI},
	{RuleA12, "RSA public exponent 1", EffectF, "2009l", SourcePKI},
	{RuleA13, "Incomplete certificate chain", EffectCapB, "2009i", SourcePKI},
	{RuleA14, "Certificate chain order or contents", EffectInfo, "-", SourcePKI},
	{RuleA15, "Blacklisted certificate", EffectT, "-", SourcePKI},
	{RuleLifetime, "Certificate lifetime above the CA/Browser Forum maximum for its issue date", EffectInfo, "padlock (Baseline Requirements §6.3.2)", SourcePKI},
	{RuleExpiry, "Certificate expires soon", EffectInfo, "padlock", SourcePKI},
	{RuleB1, "SSL 2.0 supported", EffectF, "2009c", SourceProbe},
	{RuleB2, "SSL 3.0 supported", EffectCapB, "2009h", SourceProbe},
	{RuleB3, "SSL 3.0 is the best protocol", EffectF, "2009i", SourceProbe},
	{RuleB4, "Neither TLS 1.2 nor TLS 1.3 supported", EffectCapC, "2009j", SourceProbe},
	{RuleB5, "TLS 1.0 or TLS 1.1 supported", EffectCapB, "2009q", SourceProbe},
	{RuleB6, "TLS 1.3 not supported", EffectWarning, "2009r", SourceProbe},
	{RuleB7, "TLS_FALLBACK_SCSV not supported", EffectInfo, "2009h; no effect since 2009r", SourceVuln},
	{RuleB8, "Insecure renegotiation", EffectF, "2009c", SourceVuln},
	{RuleB9, "Secure renegotiation not supported", EffectWarning, "2009e", SourceProbe},
	{RuleB10, "TLS compression (CRIME)", EffectCapC, "2009j", SourceProbe},
	{RuleB11, "CBC suites with SSL 3.0 / TLS 1.0 (BEAST)", EffectInfo, "no effect since 2009d", SourceProbe},
	{RuleC1, "Anonymous key exchange", EffectF, "2009", SourceProbe},
	{RuleC2, "Export key exchange", EffectF, "2009", SourceProbe},
	{RuleC3, "DH parameters below 1024 bits", EffectF, "2009i", SourceProbe},
	{RuleC4, "DH parameters below 2048 bits", EffectCapB, "2009j", SourceProbe},
	{RuleC5, "Weak ECDHE group", EffectCapB, "2009", SourceProbe},
	{RuleC6, "No forward secrecy with modern clients", EffectCapB, "2018-03 (SSL Labs 1.31.0)", SourceSimulation},
	{RuleD1, "NULL cipher accepted", EffectF, "2009", SourceProbe},
	{RuleD2, "Cipher weaker than 112 bits accepted", EffectF, "2017-01", SourceProbe},
	{RuleD3, "RC4 supported", EffectCapB, "2009i", SourceProbe},
	{RuleD4, "RC4 used with TLS 1.1 or later", EffectCapC, "2009j", SourceSimulation},
	{RuleD5, "Only RC4 suites supported", EffectF, "2009k", SourceProbe},
	{RuleD6, "64-bit block cipher (3DES) used with TLS 1.1 or later", EffectCapC, "2009n", SourceSimulation},
	{RuleD7, "No AEAD suite with modern clients", EffectCapB, "2018-03 (SSL Labs 1.31.0)", SourceSimulation},
	{RuleE1, "Heartbleed (CVE-2014-0160)", EffectF, "2014-04", SourceVuln},
	{RuleE2, "OpenSSL CCS injection (CVE-2014-0224)", EffectF, "2014-06", SourceVuln},
	{RuleE3, "POODLE (SSL 3.0 with CBC)", EffectCapC, "2009g", SourceProbe},
	{RuleE4, "POODLE against TLS", EffectF, "2009g", SourceVuln},
	{RuleE5, "DROWN", EffectF, "2009l", SourceFleet},
	{RuleE6, "OpenSSL padding oracle (CVE-2016-2107)", EffectF, "2009m", SourceVuln},
	{RuleE7, "Ticketbleed (CVE-2016-9244)", EffectF, "2017-02", SourceVuln},
	{RuleE8, "ROBOT", EffectF, "2018-03 (SSL Labs 1.31.0)", SourceVuln},
	{RuleE9, "Zombie POODLE", EffectF, "2019-05", SourceVuln},
	{RuleE10, "GOLDENDOODLE", EffectF, "2019-05", SourceVuln},
	{RuleE11, "OpenSSL 0-length padding oracle (CVE-2019-1559)", EffectF, "2019-05", SourceVuln},
	{RuleE12, "Sleeping POODLE", EffectF, "2019-05", SourceVuln},
	{RuleF1, "HSTS with max-age of at least 180 days", EffectNoAPlus, "2009e", SourceWeb},
	{RuleF2, "HSTS disabled or invalid", EffectWarning, "2009r", SourceWeb},
	{RuleF3, "HSTS max-age shorter than 180 days", EffectNoAPlus, "2009e", SourceWeb},
	{RuleF4, "No HSTS", EffectNoAPlus, "2009e", SourceWeb},
	{RuleF5, "Problem with HTTP Public Key Pinning", EffectCapA, "2009l", SourceWeb},
	{RuleG1, "Service reached through STARTTLS", EffectT, "testssl only", SourceProbe},
	{RuleU, "No secure connection", EffectU, "padlock", SourceProbe},
	{RuleScore, "Numeric score", EffectScore, "2009", SourceProbe},
}

var ruleIndex = func() map[RuleID]int {
	m := make(map[RuleID]int, len(ruleSpecs))
	for i, s := range ruleSpecs {
		m[s.ID] = i
	}
	return m
}()

// Rules returns the rule table, in report order. The slice is a copy.
func Rules() []RuleSpec {
	out := make([]RuleSpec, len(ruleSpecs))
	copy(out, ruleSpecs)
	return out
}

// RuleByID returns the rule with the given id.
func RuleByID(id RuleID) (RuleSpec, bool) {
	i, ok := ruleIndex[id]
	if !ok {
		return RuleSpec{}, false
	}
	return ruleSpecs[i], true
}
