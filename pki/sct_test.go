package pki

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// sctBytes serialises a v1 SCT with the given base64 log ID and timestamp
// and a dummy ECDSA/SHA-256 signature.
func sctBytes(t testing.TB, logID string, ts uint64) []byte {
	t.Helper()
	id, err := base64.StdEncoding.DecodeString(logID)
	if err != nil || len(id) != 32 {
		t.Fatalf("log ID %q", logID)
	}
	var b cryptobyte.Builder
	b.AddUint8(0)
	b.AddBytes(id)
	b.AddUint64(ts)
	b.AddUint16LengthPrefixed(func(*cryptobyte.Builder) {})
	b.AddUint8(4)
	b.AddUint8(3)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}) })
	return b.BytesOrPanic()
}

// sctList frames SCTs as a SignedCertificateTimestampList.
func sctList(scts ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, s := range scts {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s) })
		}
	})
	return b.BytesOrPanic()
}

// sctExtensionValue wraps a list in the OCTET STRING of the X.509 and OCSP
// extensions.
func sctExtensionValue(scts ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1OctetString(sctList(scts...))
	return b.BytesOrPanic()
}

func sctListExtension(t testing.TB, scts ...[]byte) pkix.Extension {
	return pkix.Extension{Id: oidSCTList, Value: sctExtensionValue(scts...)}
}

func mustStapleExtension() pkix.Extension {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Int64(5) })
	return pkix.Extension{Id: oidTLSFeature, Value: b.BytesOrPanic()}
}

func mustOID(t testing.TB, s string) x509.OID {
	o, err := x509.ParseOID(s)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestParseSCTList(t *testing.T) {
	a := sctBytes(t, "DleUvPOuqT4zGyyZB7P3kN+bwj1xMiXdIaklrGHFTiE=", 1767225600123)
	list, err := ParseSCTList(sctList(a, []byte{7, 1, 2}, a[:20]))
	if err != nil || len(list) != 3 {
		t.Fatalf("list %+v, %v", list, err)
	}
	if list[0].Version != 0 || list[0].Timestamp != 1767225600123 || list[0].LogName != "Google 'Argon2026h1'" ||
		list[0].SignatureLength != 8 || list[0].Time().Year() != 2026 {
		t.Errorf("SCT %+v", list[0])
	}
	if list[1].Version != 7 || list[1].Error == "" {
		t.Errorf("unknown version SCT %+v", list[1])
	}
	if list[2].Error == "" {
		t.Errorf("truncated SCT %+v", list[2])
	}
	for _, bad := range [][]byte{nil, {0}, {0, 0}, {0, 5, 0, 3, 1}, append(sctList(a), 0)} {
		if _, err := ParseSCTList(bad); err == nil {
			t.Errorf("%x parsed", bad)
		}
	}
	if s, err := parseSCTExtension(sctExtensionValue(a)); err != nil || len(s) != 1 {
		t.Errorf("extension: %v %v", s, err)
	}
	if _, err := parseSCTExtension(sctList(a)); err == nil {
		t.Error("extension without OCTET STRING parsed")
	}
}

func TestKnownLogs(t *testing.T) {
	for id, name := range knownLogs {
		b, err := base64.StdEncoding.DecodeString(id)
		if err != nil || len(b) != 32 || name == "" {
			t.Errorf("bad entry %q: %q", id, name)
		}
	}
	// Two IDs checked against the published log list by hand.
	for id, want := range map[string]string{
		"DleUvPOuqT4zGyyZB7P3kN+bwj1xMiXdIaklrGHFTiE=": "Google 'Argon2026h1'",
		"GYbUxyiqb/66A294Kk0BkarOLXIxD67OXXBBLSVMx9Q=": "Let's Encrypt 'Oak2026h1'",
	} {
		if got := LogName(id); got != want {
			t.Errorf("LogName(%s) = %q, want %q", id, got, want)
		}
	}
}

func TestSignatureAlgorithmNames(t *testing.T) {
	mk := func(oid asn1.ObjectIdentifier, params func(*cryptobyte.Builder)) []byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Int64(1) })
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oid)
				if params != nil {
					params(b)
				}
			})
			b.AddASN1BitString([]byte{0})
		})
		return b.BytesOrPanic()
	}
	pss := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	for _, tc := range []struct {
		der        []byte
		name, hash string
	}{
		{mk(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 2}, nil), "MD2withRSA", "MD2"},
		{mk(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, nil), "SHA384withECDSA", "SHA384"},
		{mk(pss, func(b *cryptobyte.Builder) { b.AddASN1(cbasn1.SEQUENCE, func(*cryptobyte.Builder) {}) }), "SHA1withRSA/PSS", "SHA1"},
		{mk(pss, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1})
					})
				})
			})
		}), "SHA256withRSA/PSS", "SHA256"},
		{mk(asn1.ObjectIdentifier{1, 2, 3, 4}, nil), "1.2.3.4", ""},
		{[]byte{1, 2, 3}, "", ""},
	} {
		name, hash := signatureAlgorithm(tc.der)
		if name != tc.name || hash != tc.hash {
			t.Errorf("got %q/%q, want %q/%q", name, hash, tc.name, tc.hash)
		}
	}
}

// FuzzParseSCTList checks that the hand-written SCT list parser never
// panics, and that what it accepts is internally consistent.
func FuzzParseSCTList(f *testing.F) {
	a := sctBytes(f, "DleUvPOuqT4zGyyZB7P3kN+bwj1xMiXdIaklrGHFTiE=", 1767225600123)
	f.Add(sctList(a))
	f.Add(sctList(a, a[:10]))
	f.Add([]byte{0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		list, err := ParseSCTList(b)
		if err == nil && len(list) == 0 {
			t.Fatal("no error and no SCT")
		}
		for _, s := range list {
			if s.Error == "" && (s.Version != 0 || len(s.LogID) != 44 || s.Timestamp < 0) {
				t.Fatalf("inconsistent SCT %+v", s)
			}
		}
		_, _ = ParseSCT(b)
		_, _ = parseSCTExtension(b)
	})
}

// FuzzCertificateFields fuzzes the other hand-written DER readers: the
// signature algorithm of a certificate and the TLS Feature extension.
func FuzzCertificateFields(f *testing.F) {
	f.Add(mustStapleExtension().Value)
	f.Add([]byte{0x30, 0x0a, 0x30, 0x03, 0x02, 0x01, 0x01, 0x30, 0x03, 0x06, 0x01, 0x2a})
	f.Fuzz(func(t *testing.T, b []byte) {
		signatureAlgorithm(b)
		hasStatusRequestFeature(b)
	})
}
