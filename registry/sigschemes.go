package registry

// SignatureScheme is a TLS 1.3 SignatureScheme value (RFC 8446 §4.2.3) or,
// in TLS 1.2, a SignatureAndHashAlgorithm pair (RFC 5246 §7.4.1.4.1) whose
// first byte is the hash and second the signature algorithm.
type SignatureScheme struct {
	ID   uint16
	Name string // IANA name such as "rsa_pss_rsae_sha256"; "<hash>_<sig>" for bare TLS 1.2 pairs
}

// String returns the name.
func (s SignatureScheme) String() string { return s.Name }

// Signature schemes.
//
// Sources: IANA "TLS SignatureScheme" registry (tls-signaturescheme) as of
// 2026 with RFC 8446, RFC 9155, RFC 8734, RFC 8998, RFC 9367 and
// draft-ietf-tls-mldsa; the legacy TLS 1.2 pairs that IANA now lists only as
// "Reserved for backward compatibility" are named "<hash>_<sig>" after the
// TLS HashAlgorithm and SignatureAlgorithm registries (RFC 5246), and the
// two GOST TLS 1.2 values after RFC 9189.
var sigSchemes = []SignatureScheme{
	{0x0201, "rsa_pkcs1_sha1"},
	{0x0202, "sha1_dsa"},
	{0x0203, "ecdsa_sha1"},
	{0x0301, "sha224_rsa"},
	{0x0302, "sha224_dsa"},
	{0x0303, "sha224_ecdsa"},
	{0x0401, "rsa_pkcs1_sha256"},
	{0x0402, "sha256_dsa"},
	{0x0403, "ecdsa_secp256r1_sha256"},
	{0x0420, "rsa_pkcs1_sha256_legacy"},
	{0x0501, "rsa_pkcs1_sha384"},
	{0x0502, "sha384_dsa"},
	{0x0503, "ecdsa_secp384r1_sha384"},
	{0x0520, "rsa_pkcs1_sha384_legacy"},
	{0x0601, "rsa_pkcs1_sha512"},
	{0x0602, "sha512_dsa"},
	{0x0603, "ecdsa_secp521r1_sha512"},
	{0x0620, "rsa_pkcs1_sha512_legacy"},
	{0x0704, "eccsi_sha256"},
	{0x0705, "iso_ibs1"},
	{0x0706, "iso_ibs2"},
	{0x0707, "iso_chinese_ibs"},
	{0x0708, "sm2sig_sm3"},
	{0x0709, "gostr34102012_256a"},
	{0x070A, "gostr34102012_256b"},
	{0x070B, "gostr34102012_256c"},
	{0x070C, "gostr34102012_256d"},
	{0x070D, "gostr34102012_512a"},
	{0x070E, "gostr34102012_512b"},
	{0x070F, "gostr34102012_512c"},
	{0x0804, "rsa_pss_rsae_sha256"},
	{0x0805, "rsa_pss_rsae_sha384"},
	{0x0806, "rsa_pss_rsae_sha512"},
	{0x0807, "ed25519"},
	{0x0808, "ed448"},
	{0x0809, "rsa_pss_pss_sha256"},
	{0x080A, "rsa_pss_pss_sha384"},
	{0x080B, "rsa_pss_pss_sha512"},
	{0x081A, "ecdsa_brainpoolP256r1tls13_sha256"},
	{0x081B, "ecdsa_brainpoolP384r1tls13_sha384"},
	{0x081C, "ecdsa_brainpoolP512r1tls13_sha512"},
	{0x0840, "gostr34102012_256"}, // TLS 1.2, RFC 9189: hash "intrinsic" (8), signature 64
	{0x0841, "gostr34102012_512"}, // TLS 1.2, RFC 9189: hash "intrinsic" (8), signature 65
	{0x0904, "mldsa44"},
	{0x0905, "mldsa65"},
	{0x0906, "mldsa87"},
}

var sigSchemeByID = func() map[uint16]SignatureScheme {
	m := make(map[uint16]SignatureScheme, len(sigSchemes))
	for _, s := range sigSchemes {
		m[s.ID] = s
	}
	return m
}()

// TLS 1.2 HashAlgorithm and SignatureAlgorithm names (RFC 5246 §7.4.1.4.1,
// RFC 8422 for "intrinsic").
var (
	tls12Hashes = map[uint8]string{1: "md5", 2: "sha1", 3: "sha224", 4: "sha256", 5: "sha384", 6: "sha512", 8: "intrinsic"}
	tls12Sigs   = map[uint8]string{1: "rsa", 2: "dsa", 3: "ecdsa"}
)

// SignatureSchemes returns the known signature schemes, sorted by ID. The
// slice is a fresh copy.
func SignatureSchemes() []SignatureScheme {
	out := make([]SignatureScheme, len(sigSchemes))
	copy(out, sigSchemes)
	return out
}

// SignatureSchemeByID returns the signature scheme with the given wire
// value. A value that is not in the table but reads as a TLS 1.2
// (hash, signature) pair with hash 1-6 or 8 (md5, sha1, sha224, sha256,
// sha384, sha512, intrinsic) and signature 1-3 (rsa, dsa, ecdsa) is named
// "<hash>_<sig>", e.g. 0x0101 → "md5_rsa".
func SignatureSchemeByID(id uint16) (SignatureScheme, bool) {
	if s, ok := sigSchemeByID[id]; ok {
		return s, true
	}
	h, okh := tls12Hashes[uint8(id>>8)]
	g, oks := tls12Sigs[uint8(id)]
	if okh && oks {
		return SignatureScheme{ID: id, Name: h + "_" + g}, true
	}
	return SignatureScheme{}, false
}
