package pki

import (
	//lint:ignore SA1019 DSA keys still turn up in old certificates, and are judged
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"math"
	"padlock/registry"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// SSL Labs' Cert.issues bits.
const (
	CertNoChainOfTrust     = 1 << 0 // no valid path to a trusted root (or distrusted)
	CertNotYetValid        = 1 << 1
	CertExpired            = 1 << 2
	CertHostnameMismatch   = 1 << 3 // leaf only
	CertRevoked            = 1 << 4 // by the stapled OCSP response (no live CRL/OCSP checks)
	CertBadCommonName      = 1 << 5 // not set by padlock
	CertSelfSigned         = 1 << 6 // self-signed leaf not trusted as a root
	CertBlacklisted        = 1 << 7 // not set by padlock (no blacklist)
	CertInsecureSignature  = 1 << 8 // MD2, MD4 or MD5 signature (SHA-1 is a trust failure instead)
	CertInsecureKey        = 1 << 9 // RSA/DSA < 1024 bits, EC < 160 bits, RSA exponent 1
	certIssueBits          = 10
	insecureKeyStrength    = 1024 // RSA-equivalent bits below which a key is insecure (F)
	weakKeyStrength        = 2048 // below which a key is weak (cap B)
	insecureRSAExponentMax = 1
)

var certIssueNames = [certIssueBits]string{
	"no chain of trust", "not yet valid", "expired", "hostname mismatch", "revoked",
	"bad common name", "self-signed", "blacklisted", "insecure signature", "insecure key",
}

// Where a certificate in a report came from.
const (
	SourceSent = "sent"       // sent by the server
	SourceAIA  = "aia"        // fetched from an AIA caIssuers URL
	SourceRoot = "root store" // a root of the trust store that anchors a path
)

var (
	oidCommonName      = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidTLSFeature      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 24} // RFC 7633
	oidEVPolicy        = "2.23.140.1.1"                                    // CA/Browser Forum EV guidelines
	policyTypes        = map[string]string{"2.23.140.1.1": "EV", "2.23.140.1.2.1": "DV", "2.23.140.1.2.2": "OV", "2.23.140.1.2.3": "IV"}
	tlsFeatureStatusRq = int64(5) // status_request
)

// Cert describes one certificate: SSL Labs' v3 Cert object (same JSON
// names) plus padlock's own fields, whose JSON names start with "padlock".
type Cert struct {
	ID            string   `json:"id"` // SHA-256 of the DER, hex
	Subject       string   `json:"subject"`
	SerialNumber  string   `json:"serialNumber"` // hex
	CommonNames   []string `json:"commonNames,omitempty"`
	AltNames      []string `json:"altNames,omitempty"` // DNS names, then IP addresses
	NotBefore     int64    `json:"notBefore"`          // ms since 1970
	NotAfter      int64    `json:"notAfter"`           // ms since 1970
	IssuerSubject string   `json:"issuerSubject"`
	SigAlg        string   `json:"sigAlg"` // e.g. "SHA256withRSA"
	// RevocationInfo: bit 0 (1) CRL distribution point present, bit 1 (2)
	// OCSP responder present.
	RevocationInfo int      `json:"revocationInfo"`
	CRLURIs        []string `json:"crlURIs,omitempty"`
	OCSPURIs       []string `json:"ocspURIs,omitempty"`
	// RevocationStatus is SSL Labs' 0 not checked, 1 revoked, 2 not
	// revoked, 3 check error, 4 no information, 5 internal error. padlock
	// makes no live CRL or OCSP queries: it is set only for a leaf with a
	// stapled OCSP response whose signature verified (1 or 2), else 0.
	RevocationStatus int  `json:"revocationStatus"`
	MustStaple       bool `json:"mustStaple"`
	// ValidationType is "E" for a trusted leaf asserting the CA/B Forum EV
	// policy, "" otherwise.
	ValidationType string `json:"validationType,omitempty"`
	Issues         int    `json:"issues"` // Cert* bits
	SCT            bool   `json:"sct"`    // the certificate embeds SCTs
	SHA1Hash       string `json:"sha1Hash"`
	SHA256Hash     string `json:"sha256Hash"`
	PinSHA256      string `json:"pinSha256"` // base64 SHA-256 of the SubjectPublicKeyInfo
	KeyAlg         string `json:"keyAlg"`    // "RSA", "EC", "DSA", "Ed25519"
	KeySize        int    `json:"keySize"`
	KeyStrength    int    `json:"keyStrength"` // RSA-equivalent bits
	// KeyKnownDebianInsecure is always false: the Debian weak-key
	// (CVE-2008-0166) blacklist is not implemented.
	KeyKnownDebianInsecure bool   `json:"keyKnownDebianInsecure"`
	Raw                    string `json:"raw"` // PEM

	Source       string   `json:"padlockSource"`                // SourceSent, SourceAIA or SourceRoot
	IssueNames   []string `json:"padlockIssues,omitempty"`      // the Issues bits, spelled out
	KeyCurve     string   `json:"padlockKeyCurve,omitempty"`    // "P-256" …
	RSAExponent  int      `json:"padlockRsaExponent,omitempty"` // public exponent of an RSA key
	SigHash      string   `json:"padlockSigHash,omitempty"`     // "SHA256", "SHA1", "MD5", "MD2" …
	IsCA         bool     `json:"padlockIsCa"`
	SelfSigned   bool     `json:"padlockSelfSigned"` // subject = issuer and signed by its own key
	Policies     []string `json:"padlockPolicies,omitempty"`
	PolicyType   string   `json:"padlockPolicyType,omitempty"` // "EV", "OV", "DV", "IV" from the CA/B Forum policy OIDs
	EVPolicy     bool     `json:"padlockEvPolicy"`             // asserts 2.23.140.1.1
	DaysLeft     int      `json:"padlockDaysLeft"`             // whole days until notAfter (negative when expired)
	IssuerURLs   []string `json:"padlockIssuerUrls,omitempty"` // AIA caIssuers
	EmbeddedSCTs []SCT    `json:"padlockScts,omitempty"`
	Lint         *Lint    `json:"padlockLint,omitempty"`
	// ParseError is set when crypto/x509 could not parse the certificate;
	// only id, hashes and raw are then filled.
	ParseError string `json:"padlockParseError,omitempty"`
}

// describe fills the facts that come from the certificate alone.
func describe(der []byte, x *x509.Certificate, now time.Time) *Cert {
	s1 := sha1.Sum(der)
	c := &Cert{
		ID:         certID(der),
		SHA1Hash:   hex.EncodeToString(s1[:]),
		SHA256Hash: certID(der),
		Raw:        string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		Source:     SourceSent,
	}
	c.SigAlg, c.SigHash = signatureAlgorithm(der)
	if x == nil {
		return c
	}
	c.Subject = x.Subject.String()
	c.IssuerSubject = x.Issuer.String()
	c.SerialNumber = "00"
	if x.SerialNumber != nil && x.SerialNumber.Sign() != 0 {
		c.SerialNumber = hex.EncodeToString(x.SerialNumber.Bytes())
	}
	c.CommonNames = commonNames(x)
	c.AltNames = append(c.AltNames, x.DNSNames...)
	for _, ip := range x.IPAddresses {
		c.AltNames = append(c.AltNames, ip.String())
	}
	c.NotBefore = x.NotBefore.UnixMilli()
	c.NotAfter = x.NotAfter.UnixMilli()
	c.DaysLeft = daysLeft(x.NotAfter, now)
	if len(x.CRLDistributionPoints) > 0 {
		c.RevocationInfo |= 1
		c.CRLURIs = x.CRLDistributionPoints
	}
	if len(x.OCSPServer) > 0 {
		c.RevocationInfo |= 2
		c.OCSPURIs = x.OCSPServer
	}
	c.IssuerURLs = x.IssuingCertificateURL
	k := keyOf(x)
	c.KeyAlg, c.KeySize, c.KeyStrength, c.KeyCurve, c.RSAExponent = k.Alg, k.Bits, k.Strength, k.Curve, k.Exponent
	spki := sha256.Sum256(x.RawSubjectPublicKeyInfo)
	c.PinSHA256 = base64.StdEncoding.EncodeToString(spki[:])
	c.IsCA = x.BasicConstraintsValid && x.IsCA
	c.SelfSigned = selfSigned(x)
	for _, p := range x.Policies {
		s := p.String()
		c.Policies = append(c.Policies, s)
		if t, ok := policyTypes[s]; ok && c.PolicyType == "" {
			c.PolicyType = t
		}
		if s == oidEVPolicy {
			c.EVPolicy = true
		}
	}
	for _, e := range x.Extensions {
		switch {
		case e.Id.Equal(oidTLSFeature):
			c.MustStaple = hasStatusRequestFeature(e.Value)
		case e.Id.Equal(oidSCTList):
			c.SCT = true
			list, err := parseSCTExtension(e.Value)
			c.EmbeddedSCTs = sctsWithSource(SCTFromCertificate, list, err)
		}
	}
	if c.SigHash == "MD2" || c.SigHash == "MD4" || c.SigHash == "MD5" {
		c.Issues |= CertInsecureSignature
	}
	if insecureKey(k) {
		c.Issues |= CertInsecureKey
	}
	return c
}

// setIssue adds issue bits and keeps IssueNames in step.
func (c *Cert) setIssue(bits int) {
	c.Issues |= bits
	c.IssueNames = issueNames(c.Issues, certIssueNames[:])
}

func issueNames(bits int, names []string) []string {
	var out []string
	for i, n := range names {
		if n != "" && bits&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// daysLeft is the number of whole days from now until t, rounded towards
// negative infinity (so a certificate that expired an hour ago has -1).
func daysLeft(t, now time.Time) int {
	return int(math.Floor(t.Sub(now).Hours() / 24))
}

// Key describes a public key.
type Key struct {
	Alg      string `json:"alg"`      // "RSA", "EC", "DSA", "Ed25519", or the algorithm crypto/x509 named
	Bits     int    `json:"bits"`     // modulus size, field size or 256 for Ed25519
	Strength int    `json:"strength"` // RSA-equivalent bits (NIST SP 800-57), as SSL Labs' keyStrength
	Exponent int    `json:"exponent,omitempty"`
	Curve    string `json:"curve,omitempty"`
}

func keyOf(x *x509.Certificate) Key {
	switch k := x.PublicKey.(type) {
	case *rsa.PublicKey:
		n := k.N.BitLen()
		return Key{Alg: "RSA", Bits: n, Strength: n, Exponent: k.E}
	case *ecdsa.PublicKey:
		n := k.Curve.Params().BitSize
		return Key{Alg: "EC", Bits: n, Strength: registry.ECRSAEquivalent(n), Curve: k.Curve.Params().Name}
	case ed25519.PublicKey:
		return Key{Alg: "Ed25519", Bits: 256, Strength: 3072, Curve: "Ed25519"}
	case *dsa.PublicKey:
		n := k.P.BitLen()
		return Key{Alg: "DSA", Bits: n, Strength: n}
	}
	return Key{Alg: x.PublicKeyAlgorithm.String()}
}

// insecureKey: K ≤ 40 in the rating guide (RSA/DSA below 1024 bits, EC
// below 160) or an RSA exponent of 1 (rule A12).
func insecureKey(k Key) bool {
	if k.Alg == "RSA" && k.Exponent <= insecureRSAExponentMax {
		return true
	}
	return k.Strength > 0 && k.Strength < insecureKeyStrength
}

// hasStatusRequestFeature parses a TLS Feature extension (RFC 7633:
// SEQUENCE OF INTEGER) and reports whether it lists status_request.
func hasStatusRequestFeature(v []byte) bool {
	in := cryptobyte.String(v)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return false
	}
	for !seq.Empty() {
		var f int64
		if !seq.ReadASN1Integer(&f) {
			return false
		}
		if f == tlsFeatureStatusRq {
			return true
		}
	}
	return false
}

// sigAlgs names signature algorithms by OID the way SSL Labs does (Java's
// names), with the hash they use.
var sigAlgs = map[string]struct{ name, hash string }{
	"1.2.840.113549.1.1.2":   {"MD2withRSA", "MD2"},
	"1.2.840.113549.1.1.3":   {"MD4withRSA", "MD4"},
	"1.2.840.113549.1.1.4":   {"MD5withRSA", "MD5"},
	"1.2.840.113549.1.1.5":   {"SHA1withRSA", "SHA1"},
	"1.3.14.3.2.29":          {"SHA1withRSA", "SHA1"},
	"1.2.840.113549.1.1.14":  {"SHA224withRSA", "SHA224"},
	"1.2.840.113549.1.1.11":  {"SHA256withRSA", "SHA256"},
	"1.2.840.113549.1.1.12":  {"SHA384withRSA", "SHA384"},
	"1.2.840.113549.1.1.13":  {"SHA512withRSA", "SHA512"},
	"1.2.840.10040.4.3":      {"SHA1withDSA", "SHA1"},
	"2.16.840.1.101.3.4.3.1": {"SHA224withDSA", "SHA224"},
	"2.16.840.1.101.3.4.3.2": {"SHA256withDSA", "SHA256"},
	"1.2.840.10045.4.1":      {"SHA1withECDSA", "SHA1"},
	"1.2.840.10045.4.3.1":    {"SHA224withECDSA", "SHA224"},
	"1.2.840.10045.4.3.2":    {"SHA256withECDSA", "SHA256"},
	"1.2.840.10045.4.3.3":    {"SHA384withECDSA", "SHA384"},
	"1.2.840.10045.4.3.4":    {"SHA512withECDSA", "SHA512"},
	"1.3.101.112":            {"Ed25519", "SHA512"},
	"1.3.101.113":            {"Ed448", "SHAKE256"},
}

// oidRSAPSS is RSASSA-PSS, whose hash is in the parameters.
const oidRSAPSS = "1.2.840.113549.1.1.10"

// signatureAlgorithm reads the outer signatureAlgorithm of a certificate
// and names it and its hash. Unknown algorithms are named by OID.
func signatureAlgorithm(der []byte) (name, hash string) {
	in := cryptobyte.String(der)
	var cert, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) ||
		!cert.SkipASN1(cbasn1.SEQUENCE) ||
		!cert.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!alg.ReadASN1ObjectIdentifier(&oid) {
		return "", ""
	}
	s := oid.String()
	if a, ok := sigAlgs[s]; ok {
		return a.name, a.hash
	}
	if s == oidRSAPSS {
		h := pssHash(alg)
		if h == "" {
			return "RSASSA-PSS", ""
		}
		return h + "withRSA/PSS", h
	}
	return s, ""
}

// pssHash reads the hash of RSASSA-PSS-params (RFC 4055): [0] hashAlgorithm,
// SHA-1 when absent.
func pssHash(params cryptobyte.String) string {
	var seq cryptobyte.String
	if !params.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return ""
	}
	var hashAlg cryptobyte.String
	var present bool
	if !seq.ReadOptionalASN1(&hashAlg, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return ""
	}
	if !present {
		return "SHA1"
	}
	var ai cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !hashAlg.ReadASN1(&ai, cbasn1.SEQUENCE) || !ai.ReadASN1ObjectIdentifier(&oid) {
		return ""
	}
	switch oid.String() {
	case "1.3.14.3.2.26":
		return "SHA1"
	case "2.16.840.1.101.3.4.2.4":
		return "SHA224"
	case "2.16.840.1.101.3.4.2.1":
		return "SHA256"
	case "2.16.840.1.101.3.4.2.2":
		return "SHA384"
	case "2.16.840.1.101.3.4.2.3":
		return "SHA512"
	}
	return ""
}
