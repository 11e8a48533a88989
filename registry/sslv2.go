package registry

// SSLv2Cipher is an SSL 2.0 cipher spec. SSL 2.0 has no key-exchange or MAC
// choice: every spec uses RSA key transport and MD5.
type SSLv2Cipher struct {
	ID      uint32 // the 3-byte cipher spec, e.g. 0x010080
	Name    string // e.g. "SSL_CK_RC4_128_WITH_MD5"
	OpenSSL string // e.g. "RC4-MD5"
	Cipher  Cipher
	Bits    int // effective symmetric strength, as for Suite.Bits
	Export  bool
}

// SSL 2.0 cipher specs.
//
// Sources: the SSL 2.0 specification (draft-hickman-netscape-ssl-00) for
// the seven standard specs; OpenSSL 0.9.8/1.0.x ssl2.h and `openssl ciphers -V`
// output for the names and for the two extras OpenSSL knew
// (0x000000 NULL_WITH_MD5 and 0x080080 RC4_64_WITH_MD5).
var sslv2Ciphers = []SSLv2Cipher{
	{ID: 0x000000, Name: "SSL_CK_NULL_WITH_MD5", OpenSSL: "NULL-MD5", Cipher: CipherNull, Bits: 0}, // extra
	{ID: 0x010080, Name: "SSL_CK_RC4_128_WITH_MD5", OpenSSL: "RC4-MD5", Cipher: RC4_128, Bits: 128},
	{ID: 0x020080, Name: "SSL_CK_RC4_128_EXPORT40_WITH_MD5", OpenSSL: "EXP-RC4-MD5", Cipher: RC4_40, Bits: 40, Export: true},
	{ID: 0x030080, Name: "SSL_CK_RC2_128_CBC_WITH_MD5", OpenSSL: "RC2-CBC-MD5", Cipher: RC2_128, Bits: 128},
	{ID: 0x040080, Name: "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", OpenSSL: "EXP-RC2-CBC-MD5", Cipher: RC2_40, Bits: 40, Export: true},
	{ID: 0x050080, Name: "SSL_CK_IDEA_128_CBC_WITH_MD5", OpenSSL: "IDEA-CBC-MD5", Cipher: IDEA, Bits: 128},
	{ID: 0x060040, Name: "SSL_CK_DES_64_CBC_WITH_MD5", OpenSSL: "DES-CBC-MD5", Cipher: DES, Bits: 56},
	{ID: 0x0700C0, Name: "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", OpenSSL: "DES-CBC3-MD5", Cipher: TripleDES, Bits: 112},
	{ID: 0x080080, Name: "SSL_CK_RC4_64_WITH_MD5", OpenSSL: "RC4-64-MD5", Cipher: RC4_64, Bits: 64}, // extra
}

var sslv2ByID = func() map[uint32]SSLv2Cipher {
	m := make(map[uint32]SSLv2Cipher, len(sslv2Ciphers))
	for _, c := range sslv2Ciphers {
		m[c.ID] = c
	}
	return m
}()

// SSLv2Ciphers returns the SSL 2.0 cipher specs, sorted by ID: the seven of
// the SSL 2.0 specification plus the two extras OpenSSL implemented
// (NULL_WITH_MD5 and RC4_64_WITH_MD5). The slice is a fresh copy.
func SSLv2Ciphers() []SSLv2Cipher {
	out := make([]SSLv2Cipher, len(sslv2Ciphers))
	copy(out, sslv2Ciphers)
	return out
}

// SSLv2CipherByID returns the SSL 2.0 cipher spec with the given 3-byte value.
func SSLv2CipherByID(id uint32) (SSLv2Cipher, bool) {
	c, ok := sslv2ByID[id]
	return c, ok
}
