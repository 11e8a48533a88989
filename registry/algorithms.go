package registry

import "fmt"

// KeyExchange is the key-exchange part of a cipher suite.
//
// Export variants are not separate values: an RSA_EXPORT suite has KxRSA and
// Suite.Export set. Anonymous Diffie-Hellman (DH_anon, ECDH_anon) uses
// ephemeral keys, so it is KxDHE / KxECDHE with AuthNull.
type KeyExchange uint8

// Key-exchange methods.
const (
	KxNull     KeyExchange = iota // no key exchange (TLS_NULL_WITH_NULL_NULL)
	KxRSA                         // RSA key transport
	KxDH                          // static Diffie-Hellman (DH_DSS, DH_RSA)
	KxDHE                         // ephemeral Diffie-Hellman, including DH_anon
	KxECDH                        // static elliptic-curve DH (ECDH_ECDSA, ECDH_RSA)
	KxECDHE                       // ephemeral elliptic-curve DH, including ECDH_anon
	KxPSK                         // plain pre-shared key (RFC 4279)
	KxDHEPSK                      // DHE with PSK (RFC 4279)
	KxECDHEPSK                    // ECDHE with PSK (RFC 5489)
	KxRSAPSK                      // RSA with PSK (RFC 4279)
	KxSRP                         // SRP (RFC 5054)
	KxKRB5                        // Kerberos 5 (RFC 2712)
	KxECCPWD                      // password-authenticated ECC "dragonfly" (RFC 8492)
	KxGOST                        // VKO GOST R 34.10 key agreement (RFC 9189 and its drafts)
	KxFortezza                    // FORTEZZA KEA (SSL 3.0 only, RFC 6101)
	KxAny                         // TLS 1.3: negotiated separately from the suite
)

var kxNames = [...]string{
	KxNull:     "NULL",
	KxRSA:      "RSA",
	KxDH:       "DH",
	KxDHE:      "DHE",
	KxECDH:     "ECDH",
	KxECDHE:    "ECDHE",
	KxPSK:      "PSK",
	KxDHEPSK:   "DHE-PSK",
	KxECDHEPSK: "ECDHE-PSK",
	KxRSAPSK:   "RSA-PSK",
	KxSRP:      "SRP",
	KxKRB5:     "KRB5",
	KxECCPWD:   "ECCPWD",
	KxGOST:     "GOST",
	KxFortezza: "FORTEZZA",
	KxAny:      "any",
}

// String returns a short name such as "ECDHE" or "DHE-PSK".
func (k KeyExchange) String() string {
	if int(k) < len(kxNames) {
		return kxNames[k]
	}
	return fmt.Sprintf("KeyExchange(%d)", uint8(k))
}

// Auth is how the server authenticates itself in a cipher suite.
type Auth uint8

// Authentication methods.
const (
	AuthNull     Auth = iota // anonymous: no authentication
	AuthRSA                  // RSA certificate (also static DH_RSA/ECDH_RSA and RSA_PSK)
	AuthDSS                  // DSA certificate
	AuthECDSA                // ECDSA certificate
	AuthPSK                  // the pre-shared key itself
	AuthKRB5                 // Kerberos ticket
	AuthSRP                  // SRP verifier (SRP_SHA suites without a certificate)
	AuthECCPWD               // password (RFC 8492)
	AuthGOST                 // GOST R 34.10 certificate
	AuthFortezza             // FORTEZZA card certificate (SSL 3.0 only)
	AuthAny                  // TLS 1.3: negotiated separately from the suite
)

var authNames = [...]string{
	AuthNull:     "anon",
	AuthRSA:      "RSA",
	AuthDSS:      "DSS",
	AuthECDSA:    "ECDSA",
	AuthPSK:      "PSK",
	AuthKRB5:     "KRB5",
	AuthSRP:      "SRP",
	AuthECCPWD:   "ECCPWD",
	AuthGOST:     "GOST",
	AuthFortezza: "FORTEZZA",
	AuthAny:      "any",
}

// String returns a short name such as "ECDSA"; anonymous is "anon".
func (a Auth) String() string {
	if int(a) < len(authNames) {
		return authNames[a]
	}
	return fmt.Sprintf("Auth(%d)", uint8(a))
}

// Cipher is the bulk encryption algorithm (with its key size and mode) of a
// cipher suite or SSLv2 cipher spec.
type Cipher uint8

// Bulk ciphers. Plain AES, Camellia and ARIA values are the CBC-mode
// variants; the AEAD modes have their own values.
const (
	CipherNull       Cipher = iota // no encryption
	RC4_40                         // RC4, 40-bit effective key (export)
	RC4_56                         // RC4, 56-bit key (EXPORT1024 suites)
	RC4_64                         // RC4, 64-bit key (SSLv2 RC4_64_WITH_MD5)
	RC4_128                        // RC4, 128-bit key
	RC2_40                         // RC2-CBC, 40-bit effective key (export)
	RC2_56                         // RC2-CBC, 56-bit key (EXPORT1024 suites)
	RC2_128                        // RC2-CBC, 128-bit key (SSLv2)
	DES40                          // DES-CBC with a 40-bit effective key (export)
	DES                            // single DES-CBC, 56-bit key
	TripleDES                      // 3DES-EDE-CBC
	IDEA                           // IDEA-CBC
	SEED                           // SEED-CBC
	Fortezza                       // Skipjack-CBC (FORTEZZA, SSL 3.0 only)
	AES128                         // AES-128-CBC
	AES256                         // AES-256-CBC
	AES128GCM                      // AES-128-GCM
	AES256GCM                      // AES-256-GCM
	AES128CCM                      // AES-128-CCM (16-byte tag)
	AES128CCM8                     // AES-128-CCM_8 (8-byte tag)
	AES256CCM                      // AES-256-CCM (16-byte tag)
	AES256CCM8                     // AES-256-CCM_8 (8-byte tag)
	Camellia128                    // Camellia-128-CBC
	Camellia256                    // Camellia-256-CBC
	Camellia128GCM                 // Camellia-128-GCM
	Camellia256GCM                 // Camellia-256-GCM
	ARIA128                        // ARIA-128-CBC
	ARIA256                        // ARIA-256-CBC
	ARIA128GCM                     // ARIA-128-GCM
	ARIA256GCM                     // ARIA-256-GCM
	ChaCha20Poly1305               // ChaCha20-Poly1305
	AEGIS128L                      // AEGIS-128L
	AEGIS256                       // AEGIS-256
	SM4GCM                         // SM4-GCM (RFC 8998)
	SM4CCM                         // SM4-CCM (RFC 8998)
	GOST28147                      // GOST 28147-89 in CNT (counter) mode
	MagmaCTR                       // Magma (GOST R 34.12-2015, 64-bit block) in CTR mode, with OMAC
	MagmaMGM                       // Magma in MGM AEAD mode
	KuznyechikCTR                  // Kuznyechik (GOST R 34.12-2015, 128-bit block) in CTR mode, with OMAC
	KuznyechikMGM                  // Kuznyechik in MGM AEAD mode
)

type cipherInfo struct {
	name  string
	block int // block size in bits; 0 for stream ciphers and NULL
	aead  bool
	cbc   bool
}

var cipherInfos = [...]cipherInfo{
	CipherNull:       {"NULL", 0, false, false},
	RC4_40:           {"RC4-40", 0, false, false},
	RC4_56:           {"RC4-56", 0, false, false},
	RC4_64:           {"RC4-64", 0, false, false},
	RC4_128:          {"RC4-128", 0, false, false},
	RC2_40:           {"RC2-40", 64, false, true},
	RC2_56:           {"RC2-56", 64, false, true},
	RC2_128:          {"RC2-128", 64, false, true},
	DES40:            {"DES-40", 64, false, true},
	DES:              {"DES", 64, false, true},
	TripleDES:        {"3DES", 64, false, true},
	IDEA:             {"IDEA", 64, false, true},
	SEED:             {"SEED", 128, false, true},
	Fortezza:         {"FORTEZZA", 64, false, true},
	AES128:           {"AES-128", 128, false, true},
	AES256:           {"AES-256", 128, false, true},
	AES128GCM:        {"AES-128-GCM", 128, true, false},
	AES256GCM:        {"AES-256-GCM", 128, true, false},
	AES128CCM:        {"AES-128-CCM", 128, true, false},
	AES128CCM8:       {"AES-128-CCM8", 128, true, false},
	AES256CCM:        {"AES-256-CCM", 128, true, false},
	AES256CCM8:       {"AES-256-CCM8", 128, true, false},
	Camellia128:      {"Camellia-128", 128, false, true},
	Camellia256:      {"Camellia-256", 128, false, true},
	Camellia128GCM:   {"Camellia-128-GCM", 128, true, false},
	Camellia256GCM:   {"Camellia-256-GCM", 128, true, false},
	ARIA128:          {"ARIA-128", 128, false, true},
	ARIA256:          {"ARIA-256", 128, false, true},
	ARIA128GCM:       {"ARIA-128-GCM", 128, true, false},
	ARIA256GCM:       {"ARIA-256-GCM", 128, true, false},
	ChaCha20Poly1305: {"ChaCha20-Poly1305", 0, true, false},
	AEGIS128L:        {"AEGIS-128L", 0, true, false},
	AEGIS256:         {"AEGIS-256", 0, true, false},
	SM4GCM:           {"SM4-GCM", 128, true, false},
	SM4CCM:           {"SM4-CCM", 128, true, false},
	GOST28147:        {"GOST28147", 64, false, false},
	MagmaCTR:         {"Magma-CTR", 64, false, false},
	MagmaMGM:         {"Magma-MGM", 64, true, false},
	KuznyechikCTR:    {"Kuznyechik-CTR", 128, false, false},
	KuznyechikMGM:    {"Kuznyechik-MGM", 128, true, false},
}

func (c Cipher) info() cipherInfo {
	if int(c) < len(cipherInfos) {
		return cipherInfos[c]
	}
	return cipherInfo{name: fmt.Sprintf("Cipher(%d)", uint8(c))}
}

// String returns a short name such as "AES-128-GCM", "3DES" or "RC4-128".
func (c Cipher) String() string { return c.info().name }

// BlockBits returns the block size of the underlying block cipher in bits:
// 64 for DES, 3DES, IDEA, RC2, Skipjack, GOST 28147-89 and Magma; 128 for
// AES, Camellia, ARIA, SEED, SM4 and Kuznyechik; 0 for stream ciphers (RC4,
// ChaCha20), AEGIS and NULL. Block-size attacks such as SWEET32 concern the
// 64-bit values.
func (c Cipher) BlockBits() int { return c.info().block }

// AEAD reports whether the cipher is an AEAD construction (GCM, CCM,
// ChaCha20-Poly1305, AEGIS, MGM).
func (c Cipher) AEAD() bool { return c.info().aead }

// CBC reports whether the cipher is a block cipher used in CBC mode, the
// mode that padding-oracle attacks (POODLE, Lucky 13, …) target.
func (c Cipher) CBC() bool { return c.info().cbc }

// MAC is the record-integrity algorithm of a cipher suite. AEAD suites
// (including every TLS 1.3 suite except the integrity-only ones) have
// MACNone; for them the hash in the suite name drives only the PRF/HKDF.
type MAC uint8

// Record MAC algorithms.
const (
	MACNone        MAC = iota // none: AEAD cipher, or TLS_NULL_WITH_NULL_NULL
	MD5                       // HMAC-MD5
	SHA1                      // HMAC-SHA1
	SHA256                    // HMAC-SHA256
	SHA384                    // HMAC-SHA384
	GOSTR341194               // HMAC with GOST R 34.11-94
	GOSTR341112               // HMAC with GOST R 34.11-2012 (Streebog-256)
	GOST28147IMIT             // GOST 28147-89 IMIT
	MagmaOMAC                 // OMAC (CMAC) with Magma
	KuznyechikOMAC            // OMAC (CMAC) with Kuznyechik
)

var macNames = [...]string{
	MACNone:        "none",
	MD5:            "MD5",
	SHA1:           "SHA1",
	SHA256:         "SHA256",
	SHA384:         "SHA384",
	GOSTR341194:    "GOST94",
	GOSTR341112:    "GOST12",
	GOST28147IMIT:  "GOST89-IMIT",
	MagmaOMAC:      "Magma-OMAC",
	KuznyechikOMAC: "Kuznyechik-OMAC",
}

// String returns a short name such as "SHA256"; MACNone is "none".
func (m MAC) String() string {
	if int(m) < len(macNames) {
		return macNames[m]
	}
	return fmt.Sprintf("MAC(%d)", uint8(m))
}
