package registry

import (
	"bufio"
	"bytes"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"

	"padlock/lab/missing"
)

func TestProtocol(t *testing.T) {
	tests := []struct {
		p                    Protocol
		str, family, version string
	}{
		{SSLv2, "SSLv2", "SSL", "2.0"},
		{SSLv3, "SSLv3", "SSL", "3.0"},
		{TLS10, "TLS 1.0", "TLS", "1.0"},
		{TLS11, "TLS 1.1", "TLS", "1.1"},
		{TLS12, "TLS 1.2", "TLS", "1.2"},
		{TLS13, "TLS 1.3", "TLS", "1.3"},
		{Protocol(0x7f1c), "0x7f1c", "", ""},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.str {
			t.Errorf("%#04x.String() = %q, want %q", uint16(tt.p), got, tt.str)
		}
		if got := tt.p.Family(); got != tt.family {
			t.Errorf("%v.Family() = %q, want %q", tt.p, got, tt.family)
		}
		if got := tt.p.Version(); got != tt.version {
			t.Errorf("%v.Version() = %q, want %q", tt.p, got, tt.version)
		}
	}
	for i := 1; i < len(Protocols); i++ {
		if Protocols[i-1] >= Protocols[i] {
			t.Errorf("Protocols not oldest first at %d: %v >= %v", i, Protocols[i-1], Protocols[i])
		}
	}
}

func TestEnumStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{KxECDHE.String(), "ECDHE"},
		{KxDHEPSK.String(), "DHE-PSK"},
		{KxAny.String(), "any"},
		{KeyExchange(200).String(), "KeyExchange(200)"},
		{AuthECDSA.String(), "ECDSA"},
		{AuthNull.String(), "anon"},
		{Auth(200).String(), "Auth(200)"},
		{AES128GCM.String(), "AES-128-GCM"},
		{TripleDES.String(), "3DES"},
		{ChaCha20Poly1305.String(), "ChaCha20-Poly1305"},
		{Cipher(200).String(), "Cipher(200)"},
		{SHA256.String(), "SHA256"},
		{MACNone.String(), "none"},
		{MAC(200).String(), "MAC(200)"},
		{GroupHybrid.String(), "hybrid"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	// Every defined value has a real name.
	for k := KxNull; k <= KxAny; k++ {
		if strings.HasPrefix(k.String(), "KeyExchange(") {
			t.Errorf("KeyExchange %d has no name", k)
		}
	}
	for a := AuthNull; a <= AuthAny; a++ {
		if strings.HasPrefix(a.String(), "Auth(") {
			t.Errorf("Auth %d has no name", a)
		}
	}
	for c := CipherNull; c <= KuznyechikMGM; c++ {
		if c.String() == "" || strings.HasPrefix(c.String(), "Cipher(") {
			t.Errorf("Cipher %d has no name", c)
		}
	}
	for m := MACNone; m <= KuznyechikOMAC; m++ {
		if strings.HasPrefix(m.String(), "MAC(") {
			t.Errorf("MAC %d has no name", m)
		}
	}
}

func TestCipherProperties(t *testing.T) {
	tests := []struct {
		c         Cipher
		block     int
		aead, cbc bool
	}{
		{CipherNull, 0, false, false},
		{RC4_128, 0, false, false},
		{RC2_40, 64, false, true},
		{DES40, 64, false, true},
		{DES, 64, false, true},
		{TripleDES, 64, false, true},
		{IDEA, 64, false, true},
		{SEED, 128, false, true},
		{AES128, 128, false, true},
		{AES256GCM, 128, true, false},
		{AES128CCM8, 128, true, false},
		{Camellia256, 128, false, true},
		{ARIA128GCM, 128, true, false},
		{ChaCha20Poly1305, 0, true, false},
		{SM4GCM, 128, true, false},
		{GOST28147, 64, false, false},
		{MagmaMGM, 64, true, false},
		{KuznyechikCTR, 128, false, false},
	}
	for _, tt := range tests {
		if got := tt.c.BlockBits(); got != tt.block {
			t.Errorf("%v.BlockBits() = %d, want %d", tt.c, got, tt.block)
		}
		if got := tt.c.AEAD(); got != tt.aead {
			t.Errorf("%v.AEAD() = %v, want %v", tt.c, got, tt.aead)
		}
		if got := tt.c.CBC(); got != tt.cbc {
			t.Errorf("%v.CBC() = %v, want %v", tt.c, got, tt.cbc)
		}
	}
}

func TestSuiteSpotChecks(t *testing.T) {
	tests := []struct {
		id       uint16
		name     string
		openssl  string
		kx       KeyExchange
		auth     Auth
		cipher   Cipher
		mac      MAC
		bits     int
		aead, fs bool
		export   bool
		anon     bool
		min, max Protocol
	}{
		{0x0000, "TLS_NULL_WITH_NULL_NULL", "", KxNull, AuthNull, CipherNull, MACNone, 0, false, false, false, false, SSLv3, TLS12},
		{0x0001, "TLS_RSA_WITH_NULL_MD5", "NULL-MD5", KxRSA, AuthRSA, CipherNull, MD5, 0, false, false, false, false, SSLv3, TLS12},
		{0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", KxRSA, AuthRSA, RC4_40, MD5, 40, false, false, true, false, SSLv3, TLS10},
		{0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", KxRSA, AuthRSA, RC4_128, SHA1, 128, false, false, false, false, SSLv3, TLS12},
		{0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", KxRSA, AuthRSA, DES, SHA1, 56, false, false, false, false, SSLv3, TLS12},
		{0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", KxRSA, AuthRSA, TripleDES, SHA1, 112, false, false, false, false, SSLv3, TLS12},
		{0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-RSA-DES-CBC-SHA", KxDHE, AuthRSA, DES40, SHA1, 40, false, true, true, false, SSLv3, TLS10},
		{0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "DHE-RSA-DES-CBC3-SHA", KxDHE, AuthRSA, TripleDES, SHA1, 112, false, true, false, false, SSLv3, TLS12},
		{0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5", KxDHE, AuthNull, RC4_128, MD5, 128, false, true, false, true, SSLv3, TLS12},
		{0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA", "KRB5-DES-CBC3-SHA", KxKRB5, AuthKRB5, TripleDES, SHA1, 112, false, false, false, false, SSLv3, TLS12},
		{0x0027, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA", "EXP-KRB5-RC2-CBC-SHA", KxKRB5, AuthKRB5, RC2_40, SHA1, 40, false, false, true, false, SSLv3, TLS10},
		{0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", KxRSA, AuthRSA, AES128, SHA1, 128, false, false, false, false, SSLv3, TLS12},
		{0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", "DH-RSA-AES128-SHA", KxDH, AuthRSA, AES128, SHA1, 128, false, false, false, false, SSLv3, TLS12},
		{0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", KxDHE, AuthRSA, AES256, SHA1, 256, false, true, false, false, SSLv3, TLS12},
		{0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", KxRSA, AuthRSA, AES128, SHA256, 128, false, false, false, false, TLS12, TLS12},
		{0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", "EXP1024-DES-CBC-SHA", KxRSA, AuthRSA, DES, SHA1, 56, false, false, true, false, SSLv3, TLS10},
		{0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", "EXP1024-RC4-SHA", KxRSA, AuthRSA, RC4_56, SHA1, 56, false, false, true, false, SSLv3, TLS10},
		{0x0081, "TLS_GOSTR341001_WITH_28147_CNT_IMIT", "GOST2001-GOST89-GOST89", KxGOST, AuthGOST, GOST28147, GOST28147IMIT, 256, false, false, false, false, TLS10, TLS12},
		{0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA", KxRSA, AuthRSA, SEED, SHA1, 128, false, false, false, false, SSLv3, TLS12},
		{0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", KxDHE, AuthRSA, AES128GCM, MACNone, 128, true, true, false, false, TLS12, TLS12},
		{0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256", "PSK-AES128-CBC-SHA256", KxPSK, AuthPSK, AES128, SHA256, 128, false, false, false, false, TLS10, TLS12},
		{0x00B4, "TLS_DHE_PSK_WITH_NULL_SHA256", "DHE-PSK-NULL-SHA256", KxDHEPSK, AuthPSK, CipherNull, SHA256, 0, false, true, false, false, TLS10, TLS12},
		{0x00C6, "TLS_SM4_GCM_SM3", "", KxAny, AuthAny, SM4GCM, MACNone, 128, true, true, false, false, TLS13, TLS13},
		{0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", KxAny, AuthAny, AES128GCM, MACNone, 128, true, true, false, false, TLS13, TLS13},
		{0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", KxAny, AuthAny, AES256GCM, MACNone, 256, true, true, false, false, TLS13, TLS13},
		{0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", KxAny, AuthAny, ChaCha20Poly1305, MACNone, 256, true, true, false, false, TLS13, TLS13},
		{0x1305, "TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_8_SHA256", KxAny, AuthAny, AES128CCM8, MACNone, 128, true, true, false, false, TLS13, TLS13},
		{0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "ECDH-ECDSA-AES256-SHA", KxECDH, AuthECDSA, AES256, SHA1, 256, false, false, false, false, TLS10, TLS12},
		{0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA", KxECDHE, AuthRSA, RC4_128, SHA1, 128, false, true, false, false, TLS10, TLS12},
		{0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", KxECDHE, AuthRSA, AES128, SHA1, 128, false, true, false, false, TLS10, TLS12},
		{0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "AECDH-AES128-SHA", KxECDHE, AuthNull, AES128, SHA1, 128, false, true, false, true, TLS10, TLS12},
		{0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", "SRP-RSA-AES-128-CBC-SHA", KxSRP, AuthRSA, AES128, SHA1, 128, false, false, false, false, SSLv3, TLS12},
		{0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA", "SRP-AES-256-CBC-SHA", KxSRP, AuthSRP, AES256, SHA1, 256, false, false, false, false, SSLv3, TLS12},
		{0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", KxECDHE, AuthRSA, AES256, SHA384, 256, false, true, false, false, TLS12, TLS12},
		{0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", KxECDHE, AuthECDSA, AES128GCM, MACNone, 128, true, true, false, false, TLS12, TLS12},
		{0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", KxECDHE, AuthRSA, AES256GCM, MACNone, 256, true, true, false, false, TLS12, TLS12},
		{0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384", "ECDHE-PSK-AES256-CBC-SHA384", KxECDHEPSK, AuthPSK, AES256, SHA384, 256, false, true, false, false, TLS10, TLS12},
		{0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", "", KxRSA, AuthRSA, ARIA128, SHA256, 128, false, false, false, false, TLS12, TLS12},
		{0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ARIA256-GCM-SHA384", KxECDHE, AuthRSA, ARIA256GCM, MACNone, 256, true, true, false, false, TLS12, TLS12},
		{0xC07C, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", "", KxDHE, AuthRSA, Camellia128GCM, MACNone, 128, true, true, false, false, TLS12, TLS12},
		{0xC09A, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-PSK-CAMELLIA128-SHA256", KxECDHEPSK, AuthPSK, Camellia128, SHA256, 128, false, true, false, false, TLS10, TLS12},
		{0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", "AES128-CCM8", KxRSA, AuthRSA, AES128CCM8, MACNone, 128, true, false, false, false, TLS12, TLS12},
		{0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8", "DHE-PSK-AES256-CCM8", KxDHEPSK, AuthPSK, AES256CCM8, MACNone, 256, true, true, false, false, TLS12, TLS12},
		{0xC0B0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256", "", KxECCPWD, AuthECCPWD, AES128GCM, MACNone, 128, true, false, false, false, TLS12, TLS12},
		{0xC0B4, "TLS_SHA256_SHA256", "TLS_SHA256_SHA256", KxAny, AuthAny, CipherNull, SHA256, 0, false, true, false, false, TLS13, TLS13},
		{0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", "GOST2012-KUZNYECHIK-KUZNYECHIKOMAC", KxGOST, AuthGOST, KuznyechikCTR, KuznyechikOMAC, 256, false, false, false, false, TLS12, TLS12},
		{0xC104, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_L", "", KxAny, AuthAny, MagmaMGM, MACNone, 256, true, true, false, false, TLS13, TLS13},
		{0xCC14, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD", "ECDHE-ECDSA-CHACHA20-POLY1305-OLD", KxECDHE, AuthECDSA, ChaCha20Poly1305, MACNone, 256, true, true, false, false, TLS12, TLS12},
		{0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", KxECDHE, AuthRSA, ChaCha20Poly1305, MACNone, 256, true, true, false, false, TLS12, TLS12},
		{0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256", "RSA-PSK-CHACHA20-POLY1305", KxRSAPSK, AuthRSA, ChaCha20Poly1305, MACNone, 256, true, false, false, false, TLS12, TLS12},
		{0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256", "", KxECDHEPSK, AuthPSK, AES128CCM, MACNone, 128, true, true, false, false, TLS12, TLS12},
		{0xFEFF, "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA", "", KxRSA, AuthRSA, TripleDES, SHA1, 112, false, false, false, false, SSLv3, TLS12},
	}
	for _, tt := range tests {
		s, ok := SuiteByID(tt.id)
		if !ok {
			t.Errorf("SuiteByID(%#04x) not found", tt.id)
			continue
		}
		if s.ID != tt.id || s.Name != tt.name || s.OpenSSL != tt.openssl {
			t.Errorf("%#04x: got (%#04x, %q, %q), want (%q, %q)", tt.id, s.ID, s.Name, s.OpenSSL, tt.name, tt.openssl)
		}
		if s.Kx != tt.kx || s.Auth != tt.auth || s.Cipher != tt.cipher || s.MAC != tt.mac {
			t.Errorf("%s: got %v/%v/%v/%v, want %v/%v/%v/%v", tt.name, s.Kx, s.Auth, s.Cipher, s.MAC, tt.kx, tt.auth, tt.cipher, tt.mac)
		}
		if s.Bits != tt.bits {
			t.Errorf("%s: Bits = %d, want %d", tt.name, s.Bits, tt.bits)
		}
		if s.AEAD() != tt.aead || s.ForwardSecret() != tt.fs || s.Export != tt.export || s.Anonymous() != tt.anon {
			t.Errorf("%s: AEAD/FS/Export/Anonymous = %v/%v/%v/%v, want %v/%v/%v/%v",
				tt.name, s.AEAD(), s.ForwardSecret(), s.Export, s.Anonymous(), tt.aead, tt.fs, tt.export, tt.anon)
		}
		if s.Min != tt.min || s.Max != tt.max {
			t.Errorf("%s: Min/Max = %v/%v, want %v/%v", tt.name, s.Min, s.Max, tt.min, tt.max)
		}
		if s.String() != tt.name {
			t.Errorf("%s: String() = %q", tt.name, s.String())
		}
		if got, ok := SuiteByName(tt.name); !ok || got.ID != tt.id {
			t.Errorf("SuiteByName(%q) = %#04x, %v", tt.name, got.ID, ok)
		}
		if tt.openssl != "" {
			if got, ok := SuiteByName(tt.openssl); !ok || got.ID != tt.id {
				t.Errorf("SuiteByName(%q) = %#04x, %v", tt.openssl, got.ID, ok)
			}
		}
	}
}

func TestSuiteTableIntegrity(t *testing.T) {
	all := Suites()
	ids := map[uint16]bool{}
	names := map[string]uint16{}
	ossl := map[string]uint16{}
	standard := 0
	for i, s := range all {
		if i > 0 && all[i-1].ID >= s.ID {
			t.Errorf("Suites() not sorted by ID at %d: %#04x then %#04x", i, all[i-1].ID, s.ID)
		}
		if ids[s.ID] {
			t.Errorf("duplicate ID %#04x", s.ID)
		}
		ids[s.ID] = true
		if s.Name == "" {
			t.Errorf("%#04x has no Name", s.ID)
		}
		if prev, dup := names[s.Name]; dup {
			t.Errorf("Name %q used by %#04x and %#04x", s.Name, prev, s.ID)
		}
		names[s.Name] = s.ID
		if s.OpenSSL != "" {
			if prev, dup := ossl[s.OpenSSL]; dup {
				t.Errorf("OpenSSL name %q used by %#04x and %#04x", s.OpenSSL, prev, s.ID)
			}
			ossl[s.OpenSSL] = s.ID
		}
		if s.SCSV {
			t.Errorf("%s: SCSV in Suites()", s.Name)
		}
		if IsGREASE(s.ID) {
			t.Errorf("%s: GREASE value in Suites()", s.Name)
		}
		if s.Min > s.Max || s.Min < SSLv3 || s.Max > TLS13 {
			t.Errorf("%s: bad Min/Max %v/%v", s.Name, s.Min, s.Max)
		}
		if s.Export && s.Max != TLS10 {
			t.Errorf("%s: export suite with Max %v", s.Name, s.Max)
		}
		if (s.Max == TLS13) != (s.Kx == KxAny) {
			t.Errorf("%s: TLS 1.3 suites must have KxAny and only they (Kx %v, Max %v)", s.Name, s.Kx, s.Max)
		}
		if s.AEAD() && s.MAC != MACNone {
			t.Errorf("%s: AEAD suite with MAC %v", s.Name, s.MAC)
		}
		if s.Cipher == CipherNull && s.Bits != 0 {
			t.Errorf("%s: NULL cipher with Bits %d", s.Name, s.Bits)
		}
		if !s.Nonstandard {
			standard++
		}
	}
	if standard < 330 {
		t.Errorf("only %d standard suites, want at least 330", standard)
	}
	// Suites() is a copy.
	all[0].Name = "changed"
	if s, _ := SuiteByID(all[0].ID); s.Name == "changed" || Suites()[0].Name == "changed" {
		t.Error("Suites() does not return a copy")
	}
	for _, s := range SCSVs {
		if ids[s.ID] {
			t.Errorf("SCSV %s also in Suites()", s.Name)
		}
		got, ok := SuiteByID(s.ID)
		if !ok || !got.SCSV || got.Name != s.Name {
			t.Errorf("SuiteByID(%#04x) = %+v, %v", s.ID, got, ok)
		}
	}
	if s, ok := SuiteByID(EmptyRenegotiationInfoSCSV); !ok || s.Name != "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" {
		t.Errorf("renegotiation SCSV lookup: %+v %v", s, ok)
	}
	if s, ok := SuiteByID(FallbackSCSV); !ok || s.Name != "TLS_FALLBACK_SCSV" {
		t.Errorf("fallback SCSV lookup: %+v %v", s, ok)
	}
}

func TestSuiteLookups(t *testing.T) {
	for _, id := range []uint16{0x0A0A, 0x5601, 0xD004, 0x801E} {
		if _, ok := SuiteByID(id); ok {
			t.Errorf("SuiteByID(%#04x) found a suite", id)
		}
	}
	byName := []struct {
		name string
		id   uint16
	}{
		{"ecdhe-rsa-aes128-gcm-sha256", 0xC02F},
		{"tls_ecdhe_rsa_with_aes_128_gcm_sha256", 0xC02F},
		{"SSL_RSA_WITH_RC4_128_MD5", 0x0004},
		{"SSL_DHE_RSA_WITH_3DES_EDE_CBC_SHA", 0x0016},
		{"SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA", 0xFEFF},
		{"TLS_FALLBACK_SCSV", 0x5600},
		{"TLS_DH_anon_WITH_AES_128_CBC_SHA", 0x0034},
	}
	for _, tt := range byName {
		if s, ok := SuiteByName(tt.name); !ok || s.ID != tt.id {
			t.Errorf("SuiteByName(%q) = %#04x, %v; want %#04x", tt.name, s.ID, ok, tt.id)
		}
	}
	if _, ok := SuiteByName("NO-SUCH-CIPHER"); ok {
		t.Error("SuiteByName found a nonexistent suite")
	}
}

func TestSuitesFor(t *testing.T) {
	if got := SuitesFor(SSLv2); len(got) != 0 {
		t.Errorf("SuitesFor(SSLv2) has %d suites, want 0", len(got))
	}
	var got13 []uint16
	for _, s := range SuitesFor(TLS13) {
		got13 = append(got13, s.ID)
	}
	want13 := []uint16{
		0x00C6, 0x00C7, // SM4 (RFC 8998)
		0x1301, 0x1302, 0x1303, 0x1304, 0x1305, // RFC 8446
		0x1306, 0x1307, // AEGIS
		0xC0B4, 0xC0B5, // integrity-only (RFC 9150)
		0xC103, 0xC104, 0xC105, 0xC106, // GOST (RFC 9367)
	}
	if !equalIDs(got13, want13) {
		t.Errorf("SuitesFor(TLS13) = %04x, want %04x", got13, want13)
	}

	contains := func(p Protocol, id uint16) bool {
		for _, s := range SuitesFor(p) {
			if s.ID == id {
				return true
			}
		}
		return false
	}
	tests := []struct {
		p    Protocol
		id   uint16
		want bool
	}{
		{SSLv3, 0x000A, true},  // 3DES
		{SSLv3, 0x0003, true},  // export
		{SSLv3, 0xC013, false}, // ECC needs TLS 1.0
		{SSLv3, 0xC02F, false}, // GCM
		{TLS10, 0xC013, true},
		{TLS10, 0x0003, true},
		{TLS11, 0x0003, false}, // export ends with TLS 1.0
		{TLS11, 0x002F, true},
		{TLS12, 0xC02F, true},
		{TLS12, 0x1301, false},
		{TLS12, 0x000A, true},
		{TLS13, 0xC02F, false},
	}
	for _, tt := range tests {
		if got := contains(tt.p, tt.id); got != tt.want {
			t.Errorf("SuitesFor(%v) contains %#04x = %v, want %v", tt.p, tt.id, got, tt.want)
		}
	}
	for _, p := range Protocols {
		for _, s := range SuitesFor(p) {
			if !s.ValidFor(p) {
				t.Errorf("SuitesFor(%v) returned %s, not valid for it", p, s.Name)
			}
		}
	}
}

func equalIDs(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestIsGREASE(t *testing.T) {
	for i := 0; i < 16; i++ {
		v := uint16(i)<<12 | 0x0A00 | uint16(i)<<4 | 0x0A
		if !IsGREASE(v) {
			t.Errorf("IsGREASE(%#04x) = false", v)
		}
	}
	for _, v := range []uint16{0x0A1A, 0x1A0A, 0x0000, 0x1301, 0xC02F, 0xFAFB} {
		if IsGREASE(v) {
			t.Errorf("IsGREASE(%#04x) = true", v)
		}
	}
}

func TestSSLv2Ciphers(t *testing.T) {
	all := SSLv2Ciphers()
	for i := 1; i < len(all); i++ {
		if all[i-1].ID >= all[i].ID {
			t.Errorf("SSLv2Ciphers not sorted at %d", i)
		}
	}
	for _, id := range []uint32{0x010080, 0x020080, 0x030080, 0x040080, 0x050080, 0x060040, 0x0700C0, 0x080080} {
		if _, ok := SSLv2CipherByID(id); !ok {
			t.Errorf("SSLv2CipherByID(%#06x) missing", id)
		}
	}
	tests := []struct {
		id      uint32
		name    string
		openssl string
		cipher  Cipher
		bits    int
		export  bool
	}{
		{0x010080, "SSL_CK_RC4_128_WITH_MD5", "RC4-MD5", RC4_128, 128, false},
		{0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5", "EXP-RC4-MD5", RC4_40, 40, true},
		{0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", "EXP-RC2-CBC-MD5", RC2_40, 40, true},
		{0x060040, "SSL_CK_DES_64_CBC_WITH_MD5", "DES-CBC-MD5", DES, 56, false},
		{0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5", "DES-CBC3-MD5", TripleDES, 112, false},
		{0x080080, "SSL_CK_RC4_64_WITH_MD5", "RC4-64-MD5", RC4_64, 64, false},
	}
	for _, tt := range tests {
		c, ok := SSLv2CipherByID(tt.id)
		if !ok || c.Name != tt.name || c.OpenSSL != tt.openssl || c.Cipher != tt.cipher || c.Bits != tt.bits || c.Export != tt.export {
			t.Errorf("SSLv2CipherByID(%#06x) = %+v, %v", tt.id, c, ok)
		}
	}
	if _, ok := SSLv2CipherByID(0x010081); ok {
		t.Error("found nonexistent SSLv2 cipher")
	}
}

func TestGroups(t *testing.T) {
	all := Groups()
	names := map[string]bool{}
	for i, g := range all {
		if i > 0 && all[i-1].ID >= g.ID {
			t.Errorf("Groups() not sorted at %d", i)
		}
		if g.Name == "" || g.OpenSSL == "" || names[g.Name] {
			t.Errorf("group %#04x: bad or duplicate name %q / %q", g.ID, g.Name, g.OpenSSL)
		}
		names[g.Name] = true
		// Elliptic curves follow the SSL Labs bracket (x25519 is special-cased).
		if (g.Kind == GroupECDHE || g.Kind == GroupGOST) && g.RSAEquivalent != ECRSAEquivalent(g.Bits) {
			t.Errorf("%s: RSAEquivalent %d, want %d for %d bits", g.Name, g.RSAEquivalent, ECRSAEquivalent(g.Bits), g.Bits)
		}
		if g.Kind == GroupFFDHE && g.RSAEquivalent != g.Bits {
			t.Errorf("%s: RSAEquivalent %d != modulus %d", g.Name, g.RSAEquivalent, g.Bits)
		}
		if g.String() != g.Name {
			t.Errorf("%s: String() = %q", g.Name, g.String())
		}
	}
	for id := uint16(0x0001); id <= 0x0029; id++ {
		if _, ok := GroupByID(id); !ok {
			t.Errorf("GroupByID(%#04x) missing", id)
		}
	}
	tests := []struct {
		id         uint16
		name, ossl string
		kind       GroupKind
		bits, rsa  int
		deprecated bool
	}{
		{0x0001, "sect163k1", "sect163k1", GroupECDHE, 163, 1024, true},
		{0x0016, "secp256k1", "secp256k1", GroupECDHE, 256, 3072, true},
		{0x0017, "secp256r1", "prime256v1", GroupECDHE, 256, 3072, false},
		{0x0018, "secp384r1", "secp384r1", GroupECDHE, 384, 7680, false},
		{0x0019, "secp521r1", "secp521r1", GroupECDHE, 521, 15360, false},
		{0x001A, "brainpoolP256r1", "brainpoolP256r1", GroupECDHE, 256, 3072, false},
		{0x001D, "x25519", "X25519", GroupX, 255, 3072, false},
		{0x001E, "x448", "X448", GroupX, 448, 7680, false},
		{0x0021, "brainpoolP512r1tls13", "brainpoolP512r1tls13", GroupECDHE, 512, 15360, false},
		{0x0022, "GC256A", "GC256A", GroupGOST, 256, 3072, false},
		{0x0100, "ffdhe2048", "ffdhe2048", GroupFFDHE, 2048, 2048, false},
		{0x0104, "ffdhe8192", "ffdhe8192", GroupFFDHE, 8192, 8192, false},
		{0x0201, "MLKEM768", "MLKEM768", GroupPQ, 0, 7680, false},
		{0x11EB, "SecP256r1MLKEM768", "SecP256r1MLKEM768", GroupHybrid, 256, 3072, false},
		{0x11EC, "X25519MLKEM768", "X25519MLKEM768", GroupHybrid, 255, 3072, false},
		{0x11ED, "SecP384r1MLKEM1024", "SecP384r1MLKEM1024", GroupHybrid, 384, 7680, false},
		{0x6399, "X25519Kyber768Draft00", "X25519Kyber768Draft00", GroupHybrid, 255, 3072, true},
		{0xFF01, "arbitrary_explicit_prime_curves", "arbitrary_explicit_prime_curves", GroupOther, 0, 0, true},
		{0xFF02, "arbitrary_explicit_char2_curves", "arbitrary_explicit_char2_curves", GroupOther, 0, 0, true},
	}
	for _, tt := range tests {
		g, ok := GroupByID(tt.id)
		if !ok || g.Name != tt.name || g.OpenSSL != tt.ossl || g.Kind != tt.kind || g.Bits != tt.bits || g.RSAEquivalent != tt.rsa || g.Deprecated != tt.deprecated {
			t.Errorf("GroupByID(%#04x) = %+v, %v", tt.id, g, ok)
		}
	}
	if _, ok := GroupByID(0x0A0A); ok {
		t.Error("GroupByID found a GREASE value")
	}
}

func TestSignatureSchemes(t *testing.T) {
	all := SignatureSchemes()
	names := map[string]bool{}
	for i, s := range all {
		if i > 0 && all[i-1].ID >= s.ID {
			t.Errorf("SignatureSchemes() not sorted at %d", i)
		}
		if s.Name == "" || names[s.Name] {
			t.Errorf("scheme %#04x: bad or duplicate name %q", s.ID, s.Name)
		}
		names[s.Name] = true
	}
	tests := []struct {
		id   uint16
		name string
		ok   bool
	}{
		{0x0201, "rsa_pkcs1_sha1", true},
		{0x0203, "ecdsa_sha1", true},
		{0x0303, "sha224_ecdsa", true},
		{0x0401, "rsa_pkcs1_sha256", true},
		{0x0403, "ecdsa_secp256r1_sha256", true},
		{0x0503, "ecdsa_secp384r1_sha384", true},
		{0x0603, "ecdsa_secp521r1_sha512", true},
		{0x0804, "rsa_pss_rsae_sha256", true},
		{0x0807, "ed25519", true},
		{0x0808, "ed448", true},
		{0x080B, "rsa_pss_pss_sha512", true},
		{0x081A, "ecdsa_brainpoolP256r1tls13_sha256", true},
		{0x0708, "sm2sig_sm3", true},
		{0x0709, "gostr34102012_256a", true},
		{0x0904, "mldsa44", true},
		{0x0906, "mldsa87", true},
		// Composed TLS 1.2 pairs.
		{0x0101, "md5_rsa", true},
		{0x0103, "md5_ecdsa", true},
		{0x0402, "sha256_dsa", true},
		{0x0801, "intrinsic_rsa", true},
		// Unknown.
		{0x0104, "", false},
		{0x0701, "", false},
		{0x0A0A, "", false},
		{0xFFFF, "", false},
	}
	for _, tt := range tests {
		s, ok := SignatureSchemeByID(tt.id)
		if ok != tt.ok || s.Name != tt.name || (ok && s.ID != tt.id) {
			t.Errorf("SignatureSchemeByID(%#04x) = %+v, %v; want %q, %v", tt.id, s, ok, tt.name, tt.ok)
		}
	}
}

// opensslCipher is one line of `openssl ciphers -V -stdname`.
type opensslCipher struct {
	id       []byte
	std      string // IANA name, or "(NONE)"
	name     string
	version  string
	aead     bool
	authNone bool
}

// opensslCiphers runs the local openssl binary. Without one the test is
// skipped, except in CI (CI=true) where that is a failure.
func opensslCiphers(t *testing.T) []opensslCipher {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		missing.Peer(t, "openssl binary not found: %v", err)
	}
	out, err := exec.Command(path, "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0").Output()
	if err != nil {
		missing.Peer(t, "openssl ciphers: %v", err)
	}
	var res []opensslCipher
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// 0xC0,0x2F - <std name> - <openssl name> <version> Kx=… Au=… Enc=… Mac=…
		if len(f) < 6 || f[1] != "-" || f[3] != "-" {
			t.Fatalf("unexpected openssl output line %q", sc.Text())
		}
		var id []byte
		for _, b := range strings.Split(f[0], ",") {
			v, err := strconv.ParseUint(strings.TrimPrefix(b, "0x"), 16, 8)
			if err != nil {
				t.Fatalf("bad id in %q: %v", sc.Text(), err)
			}
			id = append(id, byte(v))
		}
		c := opensslCipher{id: id, std: f[2], name: f[4], version: f[5]}
		for _, kv := range f[6:] {
			switch kv {
			case "Mac=AEAD":
				c.aead = true
			case "Au=None":
				c.authNone = true
			}
		}
		res = append(res, c)
	}
	if len(res) == 0 {
		t.Fatal("openssl listed no ciphers")
	}
	return res
}

var opensslVersions = map[string]Protocol{
	"SSLv3":   SSLv3,
	"TLSv1":   TLS10,
	"TLSv1.0": TLS10,
	"TLSv1.2": TLS12,
	"TLSv1.3": TLS13,
}

// TestOpenSSLNames checks the table against the local OpenSSL: every suite
// it lists must be in the registry under the same OpenSSL and IANA names
// (so every non-empty OpenSSL name the binary can print is verified), with
// the same minimum protocol version.
func TestOpenSSLNames(t *testing.T) {
	seen := 0
	for _, c := range opensslCiphers(t) {
		if len(c.id) == 3 { // SSLv2 spec (very old OpenSSL only)
			id := uint32(c.id[0])<<16 | uint32(c.id[1])<<8 | uint32(c.id[2])
			v2, ok := SSLv2CipherByID(id)
			if !ok || v2.OpenSSL != c.name {
				t.Errorf("openssl lists SSLv2 %#06x %s; registry has %+v, %v", id, c.name, v2, ok)
			}
			continue
		}
		if len(c.id) != 2 {
			t.Errorf("odd cipher id % x for %s", c.id, c.name)
			continue
		}
		id := uint16(c.id[0])<<8 | uint16(c.id[1])
		s, ok := SuiteByID(id)
		if !ok {
			t.Errorf("openssl lists %#04x %s, not in registry", id, c.name)
			continue
		}
		seen++
		if s.OpenSSL != c.name {
			t.Errorf("%#04x: registry OpenSSL name %q, openssl prints %q", id, s.OpenSSL, c.name)
		}
		if c.std != "(NONE)" && s.Name != c.std {
			t.Errorf("%#04x: registry name %q, openssl standard name %q", id, s.Name, c.std)
		}
		if v, ok := opensslVersions[c.version]; !ok {
			t.Errorf("%#04x: unknown openssl version column %q", id, c.version)
		} else if s.Min != v {
			t.Errorf("%s: Min %v, openssl says %v", s.Name, s.Min, v)
		}
		if s.AEAD() != c.aead {
			t.Errorf("%s: AEAD %v, openssl Mac=AEAD %v", s.Name, s.AEAD(), c.aead)
		}
		if c.authNone && s.Auth != AuthNull {
			t.Errorf("%s: openssl says Au=None, registry %v", s.Name, s.Auth)
		}
	}
	t.Logf("checked %d suites against openssl", seen)
}

// TestTablesSorted guards the raw tables (lookups rely on nothing else, but
// the public functions promise ID order).
func TestTablesSorted(t *testing.T) {
	if !sort.SliceIsSorted(suites, func(i, j int) bool { return suites[i].ID < suites[j].ID }) {
		t.Error("suites table not sorted")
	}
	if !sort.SliceIsSorted(groups, func(i, j int) bool { return groups[i].ID < groups[j].ID }) {
		t.Error("groups table not sorted")
	}
	if !sort.SliceIsSorted(sigSchemes, func(i, j int) bool { return sigSchemes[i].ID < sigSchemes[j].ID }) {
		t.Error("sigSchemes table not sorted")
	}
	if !sort.SliceIsSorted(sslv2Ciphers, func(i, j int) bool { return sslv2Ciphers[i].ID < sslv2Ciphers[j].ID }) {
		t.Error("sslv2Ciphers table not sorted")
	}
}
