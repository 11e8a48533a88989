package console

import (
	"fmt"
	"strings"

	"padlock/assess"
	"padlock/registry"
)

// suiteInfo is what the console knows about one accepted suite beyond the
// model: the registry's description, when the suite is known.
type suiteInfo struct {
	openssl string
	cipher  registry.Cipher
	known   bool
	export  bool
	anon    bool
	fs      bool
	aead    bool
	sslv2   bool
}

func lookupSuite(protocol int, s assess.Suite) suiteInfo {
	if assess.ProtocolFromID(protocol) == registry.SSLv2 {
		v2, ok := registry.SSLv2CipherByID(s.ID)
		return suiteInfo{openssl: v2.OpenSSL, cipher: v2.Cipher, known: ok, export: v2.Export, sslv2: true}
	}
	if s.ID > 0xffff {
		return suiteInfo{}
	}
	rs, ok := registry.SuiteByID(uint16(s.ID))
	if !ok {
		return suiteInfo{}
	}
	return suiteInfo{
		openssl: rs.OpenSSL, cipher: rs.Cipher, known: true, export: rs.Export,
		anon: rs.Anonymous(), fs: rs.ForwardSecret() && !rs.Anonymous(), aead: rs.AEAD(),
	}
}

// kxText describes a suite's key exchange: "ECDH x25519 (eq. 3072 bits
// RSA)", "DH 1024 bits (RFC 2409 Oakley group 2)", "RSA 2048 bits".
func kxText(s assess.Suite, in suiteInfo) string {
	switch {
	case s.KxType == "DH" && s.NamedGroupName != "":
		return fmt.Sprintf("DH %s (%d bits)", s.NamedGroupName, s.KxStrength)
	case s.KxType == "DH" && s.KxStrength > 0:
		t := fmt.Sprintf("DH %d bits", s.KxStrength)
		if name := shortDHName(s.PadlockDHGroup); name != "" {
			t += " (" + name + ")"
		}
		return t
	case s.NamedGroupName != "":
		t := s.KxType + " " + s.NamedGroupName
		if s.KxStrength > 0 {
			t += fmt.Sprintf(" (eq. %d bits RSA)", s.KxStrength)
		}
		return t
	case s.KxType == "RSA" && s.KxStrength > 0:
		t := fmt.Sprintf("RSA %d bits", s.KxStrength)
		if in.export && !in.sslv2 {
			t += " (export)"
		}
		return t
	case s.KxType != "":
		return s.KxType
	}
	return "-"
}

// shortDHName drops the size in parentheses from a well-known group's name
// ("RFC 2409 Oakley group 2 (1024-bit MODP)" → "RFC 2409 Oakley group 2"),
// since the size is printed already.
func shortDHName(name string) string {
	if i := strings.LastIndex(name, " ("); i > 0 && strings.HasSuffix(name, "-bit MODP)") {
		return name[:i]
	}
	return name
}
