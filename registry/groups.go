package registry

import "fmt"

// GroupKind classifies a named group (key-exchange group).
type GroupKind uint8

// Kinds of named group.
const (
	GroupECDHE  GroupKind = iota // short-Weierstrass or binary elliptic curve (secp*, sect*, brainpool*, curveSM2)
	GroupX                       // Montgomery curve: x25519, x448 (RFC 7748)
	GroupFFDHE                   // finite-field Diffie-Hellman group (RFC 7919)
	GroupHybrid                  // post-quantum hybrid: classical ECDH combined with ML-KEM/Kyber
	GroupPQ                      // pure post-quantum KEM (ML-KEM)
	GroupGOST                    // GOST R 34.10-2012 curves (RFC 9189)
	GroupOther                   // anything else (arbitrary explicit curves)
)

var groupKindNames = [...]string{
	GroupECDHE:  "ECDHE",
	GroupX:      "X",
	GroupFFDHE:  "FFDHE",
	GroupHybrid: "hybrid",
	GroupPQ:     "PQ",
	GroupGOST:   "GOST",
	GroupOther:  "other",
}

// String returns a short name such as "ECDHE" or "hybrid".
func (k GroupKind) String() string {
	if int(k) < len(groupKindNames) {
		return groupKindNames[k]
	}
	return fmt.Sprintf("GroupKind(%d)", uint8(k))
}

// Group is an entry of the IANA "TLS Supported Groups" registry (formerly
// "EC Named Curves").
type Group struct {
	ID   uint16
	Name string // IANA name: "secp256r1", "x25519", "ffdhe2048", "X25519MLKEM768", …

	// OpenSSL is the name OpenSSL reports for the group: the curve short
	// name where it differs from the IANA name ("prime256v1", "X25519"),
	// otherwise the IANA name.
	OpenSSL string

	Kind GroupKind

	// Bits is the size of the field (elliptic curves) or modulus (FFDHE)
	// in bits: secp256r1 256, ffdhe2048 2048. x25519 is 255 (its field
	// prime is 2^255-19) and x448 is 448. Hybrids give their classical
	// part's size; pure ML-KEM groups have no classical field and give 0.
	Bits int

	// RSAEquivalent is the SSL Labs style RSA-equivalent strength. Elliptic
	// curves map their field size as 160-223 → 1024, 224-255 → 2048,
	// 256-383 → 3072, 384-511 → 7680, ≥512 → 15360, with x25519 → 3072
	// and x448 → 7680 (NIST SP 800-57 security levels). FFDHE groups give
	// their modulus size, hybrids their classical part's equivalent, and
	// pure ML-KEM groups the RSA size of their NIST security category
	// (ML-KEM-512 → 3072, ML-KEM-768 → 7680, ML-KEM-1024 → 15360).
	// Arbitrary explicit curves give 0.
	RSAEquivalent int

	// Deprecated marks groups the IETF has deprecated: the curves RFC 8422
	// §5.1.1 deprecates (every sect* and secp*k1 curve and secp160/192/224,
	// which IANA marks Recommended "N" or "D"), the arbitrary explicit
	// curves, and obsolete pre-standard Kyber code points.
	Deprecated bool
}

// String returns the IANA name.
func (g Group) String() string { return g.Name }

// Supported groups.
//
// Sources: IANA "TLS Supported Groups" registry (tls-parameters-8) as of
// 2026; RFC 8422 (curves 1-25, 0xFF01/0xFF02 and their deprecation), RFC
// 7027 and RFC 8734 (brainpool), RFC 7748 (x25519, x448), RFC 7919 (ffdhe),
// RFC 9189 (GOST curves), RFC 8998 (curveSM2),
// draft-connolly-tls-mlkem-key-agreement (ML-KEM),
// draft-kwiatkowski-tls-ecdhe-mlkem, now draft-ietf-tls-ecdhe-mlkem
// (SecP256r1MLKEM768, X25519MLKEM768, SecP384r1MLKEM1024), draft-yang-tls-hybrid-sm2-mlkem (curveSM2MLKEM768),
// draft-tls-westerbaan-xyber768d00 and draft-kwiatkowski-tls-ecdhe-kyber
// (obsolete Kyber draft code points).
var groups = []Group{
	{ID: 0x0001, Name: "sect163k1", OpenSSL: "sect163k1", Kind: GroupECDHE, Bits: 163, RSAEquivalent: 1024, Deprecated: true},
	{ID: 0x0002, Name: "sect163r1", OpenSSL: "sect163r1", Kind: GroupECDHE, Bits: 163, RSAEquivalent: 1024, Deprecated: true},
	{ID: 0x0003, Name: "sect163r2", OpenSSL: "sect163r2", Kind: GroupECDHE, Bits: 163, RSAEquivalent: 1024, Deprecated: true},
	{ID: 0x0004, Name: "sect193r1", OpenSSL: "sect193r1", Kind: GroupECDHE, Bits: 193, RSAEquivalent: 1024, Deprecated: true},
	{ID: 0x0005, Name: "sect193r2", OpenSSL: "sect193r2", Kind: GroupECDHE, Bits: 193, RSAEquivalent: 1024, Deprecated: true},
	{ID: 0x0006, Name: "sect233k1", OpenSSL: "sect233k1", Kind: GroupECDHE, Bits: 233, RSAEquivalent: 2048, Deprecated: true},
	{ID: 0x0007, Name: "sect233r1", OpenSSL: "sect233r1", Kind: GroupECDHE, Bits: 233, RSAEquivalent: 2048, Deprecated: true},
	{ID: 0x0008, Name: "sect239k1", OpenSSL: "sect239k1", Kind: GroupECDHE, Bits: 239, RSAEquivalent: 2048, Deprecated: true},
	{ID: 0x0009, Name: "sect283k1", OpenSSL: "sect283k1", Kind: GroupECDHE, Bits: 283, RSAEquivalent: 3072, Deprecated: true},
	{ID: 0x000A, Name: "sect283r1", OpenSSL: "sect283r1", Kind: GroupECDHE, Bits: 283, RSAEquivalent: 3072, Deprecated: true},
	{ID: 0x000B, Name: "sect409k1", OpenSSL: "sect409k1", Kind: GroupECDHE, Bits: 409, RSAEquivalent: 7680, Deprecated: true},
	{ID: 0x000C, Name: "sect409r1", OpenSSL: "sect409r1", Kind: GroupECDHE, Bits: 409, RSAEquivalent: 7680, Deprecated: true},
	{ID: 0x000D, Name: "sect571k1", OpenSSL: "sect571k1", Kind: GroupECDHE, Bits: 571, RSAEquivalent: 15360, Deprecated: true},
	{ID: 0x000E, Name: "sect571r1", OpenSSL: "sect571r1", Kind: GroupECDHE, Bits: 571, RSAEquivalent: 15360, Deprecated: true},
	{ID: 0x000F, Name: "secp160k1", OpenSSL: "secp160k1", Kind: GroupECDHE, Bits: 160, RSAEquivalent: 1024, Deprecated: true},
	{ID: 0x0010, Name: "secp160r1", OpenSSL: "secp160r1", Kind: GroupECDHE, Bits: 160, RSAEquivalent: 1024, Deprecated: true},
	{ID: 0x0011, Name: "secp160r2", OpenSSL: "secp160r2", Kind: GroupECDHE, Bits: 160, RSAEquivalent: 1024, Deprecated: true},
	{ID: 0x0012, Name: "secp192k1", OpenSSL: "secp192k1", Kind: GroupECDHE, Bits: 192, RSAEquivalent: 1024, Deprecated: true},
	{ID: 0x0013, Name: "secp192r1", OpenSSL: "prime192v1", Kind: GroupECDHE, Bits: 192, RSAEquivalent: 1024, Deprecated: true},
	{ID: 0x0014, Name: "secp224k1", OpenSSL: "secp224k1", Kind: GroupECDHE, Bits: 224, RSAEquivalent: 2048, Deprecated: true},
	{ID: 0x0015, Name: "secp224r1", OpenSSL: "secp224r1", Kind: GroupECDHE, Bits: 224, RSAEquivalent: 2048, Deprecated: true},
	{ID: 0x0016, Name: "secp256k1", OpenSSL: "secp256k1", Kind: GroupECDHE, Bits: 256, RSAEquivalent: 3072, Deprecated: true},
	{ID: 0x0017, Name: "secp256r1", OpenSSL: "prime256v1", Kind: GroupECDHE, Bits: 256, RSAEquivalent: 3072},
	{ID: 0x0018, Name: "secp384r1", OpenSSL: "secp384r1", Kind: GroupECDHE, Bits: 384, RSAEquivalent: 7680},
	{ID: 0x0019, Name: "secp521r1", OpenSSL: "secp521r1", Kind: GroupECDHE, Bits: 521, RSAEquivalent: 15360},
	{ID: 0x001A, Name: "brainpoolP256r1", OpenSSL: "brainpoolP256r1", Kind: GroupECDHE, Bits: 256, RSAEquivalent: 3072},
	{ID: 0x001B, Name: "brainpoolP384r1", OpenSSL: "brainpoolP384r1", Kind: GroupECDHE, Bits: 384, RSAEquivalent: 7680},
	{ID: 0x001C, Name: "brainpoolP512r1", OpenSSL: "brainpoolP512r1", Kind: GroupECDHE, Bits: 512, RSAEquivalent: 15360},
	{ID: 0x001D, Name: "x25519", OpenSSL: "X25519", Kind: GroupX, Bits: 255, RSAEquivalent: 3072},
	{ID: 0x001E, Name: "x448", OpenSSL: "X448", Kind: GroupX, Bits: 448, RSAEquivalent: 7680},
	{ID: 0x001F, Name: "brainpoolP256r1tls13", OpenSSL: "brainpoolP256r1tls13", Kind: GroupECDHE, Bits: 256, RSAEquivalent: 3072},
	{ID: 0x0020, Name: "brainpoolP384r1tls13", OpenSSL: "brainpoolP384r1tls13", Kind: GroupECDHE, Bits: 384, RSAEquivalent: 7680},
	{ID: 0x0021, Name: "brainpoolP512r1tls13", OpenSSL: "brainpoolP512r1tls13", Kind: GroupECDHE, Bits: 512, RSAEquivalent: 15360},
	{ID: 0x0022, Name: "GC256A", OpenSSL: "GC256A", Kind: GroupGOST, Bits: 256, RSAEquivalent: 3072},
	{ID: 0x0023, Name: "GC256B", OpenSSL: "GC256B", Kind: GroupGOST, Bits: 256, RSAEquivalent: 3072},
	{ID: 0x0024, Name: "GC256C", OpenSSL: "GC256C", Kind: GroupGOST, Bits: 256, RSAEquivalent: 3072},
	{ID: 0x0025, Name: "GC256D", OpenSSL: "GC256D", Kind: GroupGOST, Bits: 256, RSAEquivalent: 3072},
	{ID: 0x0026, Name: "GC512A", OpenSSL: "GC512A", Kind: GroupGOST, Bits: 512, RSAEquivalent: 15360},
	{ID: 0x0027, Name: "GC512B", OpenSSL: "GC512B", Kind: GroupGOST, Bits: 512, RSAEquivalent: 15360},
	{ID: 0x0028, Name: "GC512C", OpenSSL: "GC512C", Kind: GroupGOST, Bits: 512, RSAEquivalent: 15360},
	{ID: 0x0029, Name: "curveSM2", OpenSSL: "curveSM2", Kind: GroupECDHE, Bits: 256, RSAEquivalent: 3072},
	{ID: 0x0100, Name: "ffdhe2048", OpenSSL: "ffdhe2048", Kind: GroupFFDHE, Bits: 2048, RSAEquivalent: 2048},
	{ID: 0x0101, Name: "ffdhe3072", OpenSSL: "ffdhe3072", Kind: GroupFFDHE, Bits: 3072, RSAEquivalent: 3072},
	{ID: 0x0102, Name: "ffdhe4096", OpenSSL: "ffdhe4096", Kind: GroupFFDHE, Bits: 4096, RSAEquivalent: 4096},
	{ID: 0x0103, Name: "ffdhe6144", OpenSSL: "ffdhe6144", Kind: GroupFFDHE, Bits: 6144, RSAEquivalent: 6144},
	{ID: 0x0104, Name: "ffdhe8192", OpenSSL: "ffdhe8192", Kind: GroupFFDHE, Bits: 8192, RSAEquivalent: 8192},
	{ID: 0x0200, Name: "MLKEM512", OpenSSL: "MLKEM512", Kind: GroupPQ, Bits: 0, RSAEquivalent: 3072},
	{ID: 0x0201, Name: "MLKEM768", OpenSSL: "MLKEM768", Kind: GroupPQ, Bits: 0, RSAEquivalent: 7680},
	{ID: 0x0202, Name: "MLKEM1024", OpenSSL: "MLKEM1024", Kind: GroupPQ, Bits: 0, RSAEquivalent: 15360},
	{ID: 0x11EB, Name: "SecP256r1MLKEM768", OpenSSL: "SecP256r1MLKEM768", Kind: GroupHybrid, Bits: 256, RSAEquivalent: 3072},
	{ID: 0x11EC, Name: "X25519MLKEM768", OpenSSL: "X25519MLKEM768", Kind: GroupHybrid, Bits: 255, RSAEquivalent: 3072},
	{ID: 0x11ED, Name: "SecP384r1MLKEM1024", OpenSSL: "SecP384r1MLKEM1024", Kind: GroupHybrid, Bits: 384, RSAEquivalent: 7680},
	{ID: 0x11EE, Name: "curveSM2MLKEM768", OpenSSL: "curveSM2MLKEM768", Kind: GroupHybrid, Bits: 256, RSAEquivalent: 3072},
	{ID: 0x6399, Name: "X25519Kyber768Draft00", OpenSSL: "X25519Kyber768Draft00", Kind: GroupHybrid, Bits: 255, RSAEquivalent: 3072, Deprecated: true},
	{ID: 0x639A, Name: "SecP256r1Kyber768Draft00", OpenSSL: "SecP256r1Kyber768Draft00", Kind: GroupHybrid, Bits: 256, RSAEquivalent: 3072, Deprecated: true},
	{ID: 0xFF01, Name: "arbitrary_explicit_prime_curves", OpenSSL: "arbitrary_explicit_prime_curves", Kind: GroupOther, Deprecated: true},
	{ID: 0xFF02, Name: "arbitrary_explicit_char2_curves", OpenSSL: "arbitrary_explicit_char2_curves", Kind: GroupOther, Deprecated: true},
}

var groupByID = func() map[uint16]Group {
	m := make(map[uint16]Group, len(groups))
	for _, g := range groups {
		m[g.ID] = g
	}
	return m
}()

// GroupByID returns the named group with the given wire value.
func GroupByID(id uint16) (Group, bool) {
	g, ok := groupByID[id]
	return g, ok
}

// Groups returns every known named group, sorted by ID. The slice is a fresh
// copy.
func Groups() []Group {
	out := make([]Group, len(groups))
	copy(out, groups)
	return out
}

// ECRSAEquivalent is the RSA key size of comparable strength to an
// elliptic-curve field of fieldBits bits (NIST SP 800-57 Part 1, table 2),
// as SSL Labs shows "EC 256 bits (eq. 3072 bits RSA)" and scores key
// exchange (docs/grading.md §1.3). Below the 160-bit row it answers sizes that
// the key-exchange table scores 40 (fields of 112-159 bits) or 20.
func ECRSAEquivalent(fieldBits int) int {
	switch {
	case fieldBits >= 512:
		return 15360
	case fieldBits >= 384:
		return 7680
	case fieldBits >= 256:
		return 3072
	case fieldBits >= 224:
		return 2048
	case fieldBits >= 160:
		return 1024
	case fieldBits >= 112:
		return 512
	}
	return 256
}
