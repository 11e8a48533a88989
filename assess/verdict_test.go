package assess

import (
	"testing"

	"padlock/registry"
)

func TestVerdicts(t *testing.T) {
	for _, c := range []struct {
		p    registry.Protocol
		want string
	}{
		{registry.SSLv2, "insecure"},
		{registry.SSLv3, "insecure"},
		{registry.TLS10, "weak: deprecated (RFC 8996), caps the grade at B"},
		{registry.TLS11, "weak: deprecated (RFC 8996), caps the grade at B"},
		{registry.TLS12, ""},
		{registry.TLS13, ""},
	} {
		if got := ProtocolVerdict(c.p).String(); got != c.want {
			t.Errorf("%v: %q, want %q", c.p, got, c.want)
		}
	}
	tls12 := int(registry.TLS12)
	for _, c := range []struct {
		name  string
		proto int
		s     Suite
		level Level
		note  string
	}{
		{"ECDHE-RSA-AES128-GCM", tls12, Suite{ID: 0xc02f, CipherStrength: 128, KxStrength: 3072}, LevelGood, "forward secrecy, AEAD"},
		{"ECDHE-RSA-AES128-CBC", tls12, Suite{ID: 0xc013, CipherStrength: 128, KxStrength: 3072}, LevelWeak, "forward secrecy; weak: CBC"},
		{"RSA-AES128-GCM", tls12, Suite{ID: 0x009c, CipherStrength: 128}, LevelWeak, "AEAD; weak: no forward secrecy"},
		{"RSA-RC4-128-SHA", tls12, Suite{ID: 0x0005, CipherStrength: 128}, LevelInsecure, "insecure: RC4, no forward secrecy"},
		{"RSA-3DES", tls12, Suite{ID: 0x000a, CipherStrength: 112}, LevelWeak, "weak: no forward secrecy, 64-bit block, CBC"},
		{"DHE 1024", tls12, Suite{ID: 0x009e, CipherStrength: 128, KxStrength: 1024}, LevelWeak, "forward secrecy, AEAD; weak: 1024-bit key exchange"},
		{"DHE 768", tls12, Suite{ID: 0x009e, CipherStrength: 128, KxStrength: 768}, LevelInsecure, "insecure: 768-bit key exchange"},
		{"SSLv2 RC4 export", int(registry.SSLv2), Suite{ID: 0x020080, CipherStrength: 40}, LevelInsecure, "insecure: SSL 2.0, export, RC4"},
		{"unknown", tls12, Suite{ID: 0x7777}, LevelGood, ""},
	} {
		v := SuiteVerdict(c.proto, c.s)
		if v.Level != c.level || v.Note() != c.note {
			t.Errorf("%s: %s %q, want %s %q", c.name, v.Level, v.Note(), c.level, c.note)
		}
	}
}
