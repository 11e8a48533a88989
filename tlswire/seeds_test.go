package tlswire

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteFuzzSeeds regenerates the seed corpora in testdata/fuzz from real
// crypto/tls handshakes and from the samples used by the unit tests. It runs
// only when TLSWIRE_WRITE_SEEDS=1:
//
//	TLSWIRE_WRITE_SEEDS=1 go test -run TestWriteFuzzSeeds ./tlswire/
//
// Files are named seed-*; crashers found by fuzzing keep Go's hash names and
// are never overwritten by this test.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("TLSWIRE_WRITE_SEEDS") != "1" {
		t.Skip("set TLSWIRE_WRITE_SEEDS=1 to regenerate testdata/fuzz seeds")
	}
	write := func(target, name string, args ...any) {
		t.Helper()
		var b strings.Builder
		b.WriteString("go test fuzz v1\n")
		for _, a := range args {
			switch v := a.(type) {
			case []byte:
				fmt.Fprintf(&b, "[]byte(%q)\n", v)
			case uint8:
				fmt.Fprintf(&b, "byte(%q)\n", v)
			case uint16:
				fmt.Fprintf(&b, "uint16(%d)\n", v)
			default:
				t.Fatalf("unsupported seed type %T", a)
			}
		}
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "seed-"+name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	c12 := captureTLS12(t)
	c13 := captureTLS13(t, []tls.CurveID{tls.X25519}, []tls.CurveID{tls.X25519})
	hrr := captureTLS13(t, []tls.CurveID{tls.CurveP256}, []tls.CurveID{tls.X25519, tls.CurveP256})

	// Records and handshake streams as they came off the wire.
	write("FuzzParseRecord", "tls12-server-flight", c12.s2c)
	write("FuzzParseRecord", "tls12-client-flight", c12.c2s)
	write("FuzzParseRecord", "alert", []byte{21, 3, 3, 0, 2, 2, 40})
	write("FuzzParseRecord", "http", []byte("HTTP/1.1 400 Bad Request\r\n"))
	write("FuzzParseRecord", "sslv2", []byte{0x80, 3, 0, 0, 1})
	var flight12 []byte
	for _, m := range []Handshake{c12.serverHello, c12.certificate, c12.ske, c12.helloDn} {
		flight12 = append(flight12, m.Marshal()...)
	}
	write("FuzzHandshakeReader", "tls12-flight", flight12, uint8(99))
	write("FuzzHandshakeReader", "tls12-flight-small-chunks", flight12, uint8(2))
	write("FuzzHandshakeReader", "huge-header", []byte{11, 0xff, 0xff, 0xff, 1, 2, 3}, uint8(0))

	write("FuzzParseClientHello", "go-tls12", c12.clientHello.Body)
	write("FuzzParseClientHello", "go-tls13", c13.clientHello.Body)
	msg, _ := sampleClientHello().Marshal()
	write("FuzzParseClientHello", "sample", msg[HandshakeHeaderLen:])
	noExt := sampleClientHello()
	noExt.Extensions = nil
	msg, _ = noExt.Marshal()
	write("FuzzParseClientHello", "no-extensions", msg[HandshakeHeaderLen:])

	write("FuzzParseServerHello", "go-tls12", c12.serverHello.Body)
	write("FuzzParseServerHello", "go-tls13", c13.serverHello.Body)
	write("FuzzParseServerHello", "go-hrr", hrr.serverHello.Body)

	write("FuzzParseCertificate", "go-ecdsa", c12.certificate.Body)
	write("FuzzParseCertificate", "empty", []byte{0, 0, 0})
	cert13, _ := (&Certificate13{Context: []byte{}, Entries: []CertificateEntry{
		{Data: getTestCert(t).der, Extensions: []Extension{{Type: ExtSCT, Data: []byte{0, 4, 0, 2, 0, 1}}}},
		{Data: []byte{0x30, 0}},
	}}).Marshal()
	write("FuzzParseCertificate13", "two-entries", cert13[HandshakeHeaderLen:])
	write("FuzzParseCertificateStatus", "ocsp", []byte{1, 0, 0, 3, 0x30, 1, 0})

	write("FuzzParseServerKeyExchange", "go-ecdhe-p256", uint8(SKEECDHE), uint16(0x0303), c12.ske.Body)
	for i, c := range skeCases() {
		msg, _ := c.m.Marshal(c.kind, c.version)
		write("FuzzParseServerKeyExchange", fmt.Sprintf("case%d", i), uint8(c.kind), c.version, msg[HandshakeHeaderLen:])
	}
	write("FuzzParseServerKeyExchange", "explicit-prime", uint8(SKEECDHE), uint16(0x0301), []byte{1, 1, 0xff, 1, 1, 1, 2, 1, 4, 1, 5, 1, 1})

	write("FuzzParseAlert", "handshake-failure", []byte{2, 40})
	write("FuzzParseAlert", "close-notify", []byte{1, 0})

	v2sh, _ := (&SSLv2ServerHello{CertificateType: 1, Version: 2, Certificate: getTestCert(t).der,
		CipherSpecs: []uint32{0x010080, 0x020080, 0x030080, 0x0700c0}, ConnectionID: seq(16, 0)}).Marshal()
	write("FuzzSSLv2", "server-hello", v2sh)
	write("FuzzSSLv2", "error-no-cipher", []byte{0x80, 3, 0, 0, 1})
	v2ch, _ := (&SSLv2ClientHello{Version: 0x0301, CipherSpecs: []uint32{0x00002f, 0x010080}, Challenge: seq(16, 0)}).Marshal()
	write("FuzzSSLv2", "client-hello-compat", v2ch)
	write("FuzzSSLv2", "three-byte-header", []byte{0x00, 4, 1, 0, 1, 2, 0})
	write("FuzzSSLv2", "tls-alert", []byte{21, 3, 1, 0, 2, 2, 40})

	write("FuzzParseHeartbeatMessage", "request", HeartbeatMessage{Type: 1, PayloadLength: 4, Payload: []byte("ping"), Padding: seq(16, 0)}.Marshal())
	write("FuzzParseHeartbeatMessage", "heartbleed", HeartbeatMessage{Type: 1, PayloadLength: 0x4000}.Marshal())

	// Extension data from the captured hellos, each fed to the parser for
	// its form (indexes into serverExtParsers).
	serverForm := map[ExtensionType]uint8{
		ExtSupportedVersions: 0, ExtKeyShare: 1, ExtALPN: 3, ExtRenegotiationInfo: 4,
		ExtECPointFormats: 6, ExtSupportedGroups: 7,
	}
	clientForm := map[ExtensionType]uint8{
		ExtSupportedVersions: 12, ExtKeyShare: 10, ExtALPN: 11, ExtRenegotiationInfo: 4,
		ExtECPointFormats: 6, ExtSupportedGroups: 7, ExtSignatureAlgorithms: 13, ExtServerName: 14,
	}
	for _, src := range []struct {
		name string
		body []byte
		ch   bool
	}{
		{"tls12-sh", c12.serverHello.Body, false},
		{"tls13-sh", c13.serverHello.Body, false},
		{"hrr", hrr.serverHello.Body, false},
		{"tls12-ch", c12.clientHello.Body, true},
		{"tls13-ch", c13.clientHello.Body, true},
	} {
		var exts []Extension
		forms := serverForm
		isHRR := false
		if src.ch {
			m, err := ParseClientHello(src.body)
			if err != nil {
				t.Fatal(err)
			}
			exts, forms = m.Extensions, clientForm
		} else {
			m, err := ParseServerHello(src.body)
			if err != nil {
				t.Fatal(err)
			}
			exts, isHRR = m.Extensions, m.IsHelloRetryRequest()
		}
		for _, e := range exts {
			p, ok := forms[e.Type]
			if !ok {
				continue
			}
			if e.Type == ExtKeyShare && isHRR {
				p = 2
			}
			write("FuzzExtensionParsers", fmt.Sprintf("%s-%s", src.name, e.Type), p, e.Data)
		}
	}
	write("FuzzExtensionParsers", "sct-list", uint8(8), []byte{0, 7, 0, 2, 1, 2, 0, 1, 3})
	write("FuzzExtensionParsers", "heartbeat", uint8(5), []byte{1})
	write("FuzzExtensionParsers", "extension-block", uint8(9), []byte{0, 9, 0, 16, 0, 1, 7, 0, 23, 0, 0})
}
