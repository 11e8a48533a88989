package tlswire

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func sampleClientHello() *ClientHello {
	m := &ClientHello{
		Version:            0x0303,
		SessionID:          seq(32, 0x40),
		CipherSuites:       []uint16{0x3a3a, 0x1301, 0xc02b, 0x0005, 0x00ff, 0x5600},
		CompressionMethods: []uint8{1, 0},
		Extensions: []Extension{
			{Type: 0x2a2a, Data: []byte{}},
			ServerName("padlock.test"),
			SupportedGroups([]uint16{29, 23}),
			ECPointFormats(0),
			SupportedVersions([]uint16{0x0304, 0x0303}),
			KeyShares([]KeyShare{{Group: 29, Data: seq(32, 0)}}),
			ALPN([]string{"h2"}),
			Heartbeat(HeartbeatPeerAllowedToSend),
			Empty(ExtExtendedMasterSecret),
			Padding(7),
		},
	}
	copy(m.Random[:], seq(32, 0x80))
	return m
}

func sampleServerHello() *ServerHello {
	m := &ServerHello{
		Version:     0x0303,
		SessionID:   seq(32, 0x40),
		CipherSuite: 0x1301,
		Extensions: []Extension{
			{Type: ExtSupportedVersions, Data: []byte{3, 4}},
			{Type: ExtKeyShare, Data: append([]byte{0, 29, 0, 32}, seq(32, 9)...)},
		},
	}
	copy(m.Random[:], seq(32, 0x80))
	return m
}

// splitMessage checks the handshake header of msg and returns the body.
func splitMessage(t *testing.T, msg []byte, typ HandshakeType) []byte {
	t.Helper()
	var h HandshakeReader
	h.Write(msg)
	m, err := h.Next()
	if err != nil {
		t.Fatalf("reading %s: %v", typ, err)
	}
	if m.Type != typ || h.Buffered() != 0 {
		t.Fatalf("got %s with %d bytes left over, want %s", m.Type, h.Buffered(), typ)
	}
	return m.Body
}

// checkTruncations parses every strict prefix of body and fails unless it is
// rejected, except at the offsets listed in ok.
func checkTruncations(t *testing.T, body []byte, parse func([]byte) error, ok ...int) {
	t.Helper()
	for i := 0; i < len(body); i++ {
		err := parse(body[:i])
		if containsInt(ok, i) {
			if err != nil {
				t.Errorf("prefix of %d bytes: unexpected error %v", i, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("prefix of %d/%d bytes parsed without error", i, len(body))
		} else if !errors.Is(err, ErrMalformed) {
			t.Errorf("prefix of %d bytes: error %v does not match ErrMalformed", i, err)
		}
	}
	if err := parse(append(bytes.Clone(body), 0)); err == nil {
		t.Errorf("trailing byte accepted")
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestClientHelloRoundTrip(t *testing.T) {
	for name, m := range map[string]*ClientHello{
		"full": sampleClientHello(),
		"no extensions block": func() *ClientHello {
			m := sampleClientHello()
			m.Extensions = nil
			return m
		}(),
		"empty extensions block": func() *ClientHello {
			m := sampleClientHello()
			m.Extensions = []Extension{}
			return m
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			msg, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			body := splitMessage(t, msg, HandshakeClientHello)
			got, err := ParseClientHello(body)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, m) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, m)
			}
		})
	}
	noExt := sampleClientHello()
	noExt.Extensions = nil
	msg, _ := noExt.Marshal()
	extStart := len(msg) - HandshakeHeaderLen
	msg, _ = sampleClientHello().Marshal()
	checkTruncations(t, msg[HandshakeHeaderLen:], func(b []byte) error {
		_, err := ParseClientHello(b)
		return err
	}, extStart)
}

func TestClientHelloErrors(t *testing.T) {
	mutate := func(f func(m *ClientHello)) []byte {
		m := sampleClientHello()
		f(m)
		msg, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return msg[HandshakeHeaderLen:]
	}
	for name, body := range map[string][]byte{
		"33-byte session id":    mutate(func(m *ClientHello) { m.SessionID = seq(33, 0) }),
		"no cipher suites":      mutate(func(m *ClientHello) { m.CipherSuites = nil }),
		"no compression":        mutate(func(m *ClientHello) { m.CompressionMethods = nil }),
		"odd cipher suites len": append(mutate(func(m *ClientHello) { m.Extensions = nil })[:34], 0, 0, 3, 0, 1, 2, 1, 0),
	} {
		if _, err := ParseClientHello(body); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// Duplicate extensions are allowed in a ClientHello.
	m := sampleClientHello()
	m.Extensions = append(m.Extensions, Empty(ExtExtendedMasterSecret))
	msg, _ := m.Marshal()
	if _, err := ParseClientHello(msg[HandshakeHeaderLen:]); err != nil {
		t.Errorf("duplicate extension: %v", err)
	}
	if data, ok := m.Extension(ExtServerName); !ok || !bytes.Equal(data, ServerName("padlock.test").Data) {
		t.Error("ClientHello.Extension(server_name)")
	}

	for name, m := range map[string]*ClientHello{
		"session id overflow":   {SessionID: make([]byte, 256), CipherSuites: []uint16{1}},
		"cipher suite overflow": {CipherSuites: make([]uint16, 40000)},
		"extension overflow":    {CipherSuites: []uint16{1}, Extensions: []Extension{{Data: make([]byte, 70000)}}},
	} {
		if _, err := m.Marshal(); err == nil {
			t.Errorf("%s: Marshal succeeded", name)
		}
	}
}

func TestServerHello(t *testing.T) {
	m := sampleServerHello()
	msg, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	body := splitMessage(t, msg, HandshakeServerHello)
	got, err := ParseServerHello(body)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, m)
	}
	if got.SelectedVersion() != 0x0304 || got.IsHelloRetryRequest() || got.DowngradeSentinel() != 0 {
		t.Errorf("SelectedVersion %#04x HRR %v sentinel %#04x", got.SelectedVersion(), got.IsHelloRetryRequest(), got.DowngradeSentinel())
	}
	if _, ok := got.Extension(ExtALPN); ok {
		t.Error("Extension(ALPN) found a missing extension")
	}

	noExt := *m
	noExt.Extensions = nil
	short, _ := noExt.Marshal()
	checkTruncations(t, body, func(b []byte) error {
		_, err := ParseServerHello(b)
		return err
	}, len(short)-HandshakeHeaderLen)

	// SSLv3-style: no extensions block at all.
	got, err = ParseServerHello(short[HandshakeHeaderLen:])
	if err != nil || got.Extensions != nil || got.SelectedVersion() != 0x0303 {
		t.Errorf("no-extension ServerHello: %+v, %v", got, err)
	}

	dup := *m
	dup.Extensions = append(dup.Extensions, Extension{Type: ExtSupportedVersions, Data: []byte{3, 3}})
	msg, _ = dup.Marshal()
	if _, err := ParseServerHello(msg[HandshakeHeaderLen:]); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "duplicate supported_versions") {
		t.Errorf("duplicate extension: err = %v", err)
	}

	bad := *m
	bad.Extensions = []Extension{{Type: ExtSupportedVersions, Data: []byte{3}}}
	if v := bad.SelectedVersion(); v != 0x0303 {
		t.Errorf("SelectedVersion with malformed supported_versions = %#04x", v)
	}

	long := *m
	long.SessionID = seq(33, 0)
	msg, _ = long.Marshal()
	if _, err := ParseServerHello(msg[HandshakeHeaderLen:]); !errors.Is(err, ErrMalformed) {
		t.Errorf("33-byte session id: err = %v", err)
	}
}

func TestServerHelloRandomMarkers(t *testing.T) {
	var m ServerHello
	m.Random = HelloRetryRequestRandom
	if !m.IsHelloRetryRequest() {
		t.Error("HRR random not recognised")
	}
	for tail, want := range map[string]uint16{
		"DOWNGRD\x01": 0x0303,
		"DOWNGRD\x00": 0x0302,
		"DOWNGRD\x02": 0,
		"xOWNGRD\x01": 0,
	} {
		copy(m.Random[24:], tail)
		if got := m.DowngradeSentinel(); got != want {
			t.Errorf("%q: DowngradeSentinel = %#04x, want %#04x", tail, got, want)
		}
	}
	if m.IsHelloRetryRequest() {
		t.Error("modified random still HRR")
	}
}

func TestCertificate(t *testing.T) {
	m := &Certificate{Certificates: [][]byte{seq(300, 0), seq(1, 7), seq(70000, 3)}}
	msg, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	body := splitMessage(t, msg, HandshakeCertificate)
	got, err := ParseCertificate(body)
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip: %v", err)
	}
	small, _ := (&Certificate{Certificates: [][]byte{seq(5, 0), seq(3, 1)}}).Marshal()
	checkTruncations(t, small[HandshakeHeaderLen:], func(b []byte) error {
		_, err := ParseCertificate(b)
		return err
	})

	empty, _ := (&Certificate{}).Marshal()
	if got, err := ParseCertificate(empty[HandshakeHeaderLen:]); err != nil || len(got.Certificates) != 0 {
		t.Errorf("empty chain: %v, %v", got, err)
	}
	if _, err := ParseCertificate([]byte{0, 0, 3, 0, 0, 0}); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty certificate: err = %v", err)
	}
}

func TestCertificate13(t *testing.T) {
	m := &Certificate13{
		Context: []byte{},
		Entries: []CertificateEntry{
			{Data: seq(100, 0), Extensions: []Extension{
				{Type: ExtStatusRequest, Data: []byte{1, 0, 0, 2, 0x30, 0}},
				{Type: ExtSCT, Data: []byte{0, 3, 0, 1, 9}},
			}},
			{Data: seq(50, 1), Extensions: []Extension{}},
		},
	}
	msg, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	body := splitMessage(t, msg, HandshakeCertificate)
	got, err := ParseCertificate13(body)
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	checkTruncations(t, body, func(b []byte) error {
		_, err := ParseCertificate13(b)
		return err
	})

	withCtx := &Certificate13{Context: []byte{1, 2}, Entries: []CertificateEntry{{Data: []byte{1}}}}
	msg, _ = withCtx.Marshal()
	got, err = ParseCertificate13(msg[HandshakeHeaderLen:])
	if err != nil || !bytes.Equal(got.Context, []byte{1, 2}) || got.Entries[0].Extensions == nil {
		t.Errorf("context/nil extensions: %+v, %v", got, err)
	}

	dup := &Certificate13{Entries: []CertificateEntry{{Data: []byte{1}, Extensions: []Extension{{Type: 5}, {Type: 5}}}}}
	msg, _ = dup.Marshal()
	if _, err := ParseCertificate13(msg[HandshakeHeaderLen:]); !errors.Is(err, ErrMalformed) {
		t.Errorf("duplicate entry extension: err = %v", err)
	}
}

func TestCertificateStatus(t *testing.T) {
	m := &CertificateStatus{Type: StatusTypeOCSP, Response: seq(40, 0x30)}
	msg, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	body := splitMessage(t, msg, HandshakeCertificateStatus)
	got, err := ParseCertificateStatus(body)
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	checkTruncations(t, body, func(b []byte) error {
		_, err := ParseCertificateStatus(b)
		return err
	})
	for name, b := range map[string][]byte{
		"ocsp_multi":     {2, 0, 0, 0},
		"empty response": {1, 0, 0, 0},
	} {
		if _, err := ParseCertificateStatus(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

type skeCase struct {
	name    string
	kind    KeyExchangeKind
	version uint16
	m       *ServerKeyExchange
}

func skeCases() []skeCase {
	dh := &DHParams{P: seq(128, 0x80), G: []byte{2}, Y: seq(128, 1)}
	ec := &ECDHParams{CurveType: CurveTypeNamedCurve, Group: 23, Point: append([]byte{4}, seq(64, 0)...)}
	rsa := &RSAParams{Modulus: seq(64, 0xc0), Exponent: []byte{1, 0, 1}}
	sig := seq(71, 0x30)
	return []skeCase{
		{"DHE TLS 1.2", SKEDHE, 0x0303, &ServerKeyExchange{DH: dh, SignatureScheme: 0x0401, Signature: sig}},
		{"DHE TLS 1.0", SKEDHE, 0x0301, &ServerKeyExchange{DH: dh, Signature: sig}},
		{"DH_anon", SKEDHAnon, 0x0303, &ServerKeyExchange{DH: dh}},
		{"ECDHE TLS 1.2", SKEECDHE, 0x0303, &ServerKeyExchange{ECDH: ec, SignatureScheme: 0x0403, Signature: sig}},
		{"ECDHE SSLv3", SKEECDHE, 0x0300, &ServerKeyExchange{ECDH: ec, Signature: sig}},
		{"ECDH_anon", SKEECDHAnon, 0x0301, &ServerKeyExchange{ECDH: ec}},
		{"RSA_EXPORT", SKERSAExport, 0x0300, &ServerKeyExchange{RSA: rsa, Signature: sig}},
		{"RSA_EXPORT empty signature", SKERSAExport, 0x0301, &ServerKeyExchange{RSA: rsa, Signature: []byte{}}},
		{"PSK", SKEPSK, 0x0303, &ServerKeyExchange{PSKIdentityHint: []byte("hint")}},
		{"PSK empty hint", SKEPSK, 0x0303, &ServerKeyExchange{PSKIdentityHint: []byte{}}},
		{"DHE_PSK", SKEDHEPSK, 0x0303, &ServerKeyExchange{PSKIdentityHint: []byte("h"), DH: dh}},
		{"ECDHE_PSK", SKEECDHEPSK, 0x0303, &ServerKeyExchange{PSKIdentityHint: []byte{}, ECDH: ec}},
	}
}

func TestServerKeyExchange(t *testing.T) {
	for _, tt := range skeCases() {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := tt.m.Marshal(tt.kind, tt.version)
			if err != nil {
				t.Fatal(err)
			}
			body := splitMessage(t, msg, HandshakeServerKeyExchange)
			got, err := ParseServerKeyExchange(body, tt.kind, tt.version)
			if err != nil {
				t.Fatal(err)
			}
			sigLen := 0
			if tt.kind.Signed() {
				sigLen = 2 + len(tt.m.Signature)
				if tt.version >= 0x0303 {
					sigLen += 2
				}
			}
			if !bytes.Equal(got.Signed, body[:len(body)-sigLen]) {
				t.Errorf("Signed = %x, want the %d bytes before the signature", got.Signed, len(body)-sigLen)
			}
			want := *tt.m
			want.Signed = got.Signed
			if !reflect.DeepEqual(got, &want) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
			}
			checkTruncations(t, body, func(b []byte) error {
				_, err := ParseServerKeyExchange(b, tt.kind, tt.version)
				return err
			})
		})
	}
}

func TestServerKeyExchangeErrors(t *testing.T) {
	explicit := []byte{CurveTypeExplicitPrime, 1, 0xff, 1, 1, 1, 2}
	if _, err := ParseServerKeyExchange(explicit, SKEECDHE, 0x0303); !errors.Is(err, ErrExplicitCurve) {
		t.Errorf("explicit_prime: err = %v", err)
	}
	if _, err := ParseServerKeyExchange([]byte{CurveTypeExplicitChar2}, SKEECDHAnon, 0x0303); !errors.Is(err, ErrExplicitCurve) {
		t.Errorf("explicit_char2: err = %v", err)
	}
	if _, err := ParseServerKeyExchange([]byte{0, 0, 23, 1, 4}, SKEECDHAnon, 0x0303); !errors.Is(err, ErrMalformed) {
		t.Errorf("curve_type 0: err = %v", err)
	}
	if _, err := ParseServerKeyExchange([]byte{3, 0, 23, 0}, SKEECDHAnon, 0x0303); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty point: err = %v", err)
	}
	if _, err := ParseServerKeyExchange([]byte{0, 1, 1, 0, 0, 0, 1, 1}, SKEDHAnon, 0x0303); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty dh_g: err = %v", err)
	}
	for _, k := range []KeyExchangeKind{0, 9, 255} {
		if _, err := ParseServerKeyExchange([]byte{0, 0}, k, 0x0303); err == nil {
			t.Errorf("kind %d accepted", k)
		}
		if _, err := (&ServerKeyExchange{}).Marshal(k, 0x0303); err == nil {
			t.Errorf("Marshal kind %d accepted", k)
		}
	}
	for _, k := range []KeyExchangeKind{SKEDHE, SKEDHAnon, SKEECDHE, SKEECDHAnon, SKERSAExport, SKEDHEPSK, SKEECDHEPSK} {
		if _, err := (&ServerKeyExchange{}).Marshal(k, 0x0303); err == nil {
			t.Errorf("Marshal %s without params succeeded", k)
		}
	}
	if _, err := (&ServerKeyExchange{ECDH: &ECDHParams{CurveType: 1}}).Marshal(SKEECDHAnon, 0x0303); err == nil {
		t.Error("Marshal with explicit curve succeeded")
	}
	// CurveType 0 means named_curve to Marshal.
	msg, err := (&ServerKeyExchange{ECDH: &ECDHParams{Group: 29, Point: seq(32, 0)}}).Marshal(SKEECDHAnon, 0x0303)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseServerKeyExchange(msg[HandshakeHeaderLen:], SKEECDHAnon, 0x0303)
	if err != nil || got.ECDH.CurveType != CurveTypeNamedCurve || got.ECDH.Group != 29 {
		t.Errorf("zero CurveType: %+v, %v", got, err)
	}
	if _, err := (&ServerKeyExchange{DH: &DHParams{P: make([]byte, 70000)}}).Marshal(SKEDHAnon, 0x0303); err == nil {
		t.Error("oversized dh_p marshaled")
	}
	if s := KeyExchangeKind(42).String(); s != "KeyExchangeKind(42)" {
		t.Errorf("String = %q", s)
	}
}

func TestAlert(t *testing.T) {
	a := Alert{Level: AlertLevelFatal, Description: AlertHandshakeFailure}
	got, err := ParseAlert(a.Marshal())
	if err != nil || got != a {
		t.Errorf("round trip: %v, %v", got, err)
	}
	for _, b := range [][]byte{nil, {2}, {2, 40, 0}} {
		if _, err := ParseAlert(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseAlert(%x): err = %v", b, err)
		}
	}
	for a, want := range map[Alert]string{
		{Level: AlertLevelFatal, Description: AlertHandshakeFailure}: "fatal alert handshake_failure",
		{Level: AlertLevelWarning, Description: AlertCloseNotify}:    "warning alert close_notify",
		{Level: 7, Description: 200}:                                 "level 7 alert alert(200)",
	} {
		if got := a.String(); got != want {
			t.Errorf("%q, want %q", got, want)
		}
	}
	for d, want := range map[AlertDescription]string{
		AlertDecryptionFailed:      "decryption_failed",
		AlertInappropriateFallback: "inappropriate_fallback",
		AlertECHRequired:           "ech_required",
		AlertUnrecognizedName:      "unrecognized_name",
	} {
		if got := d.String(); got != want {
			t.Errorf("%d: %q, want %q", uint8(d), got, want)
		}
	}
}

func TestHeartbeatMessage(t *testing.T) {
	m := HeartbeatMessage{Type: HeartbeatRequest, PayloadLength: 3, Payload: []byte{1, 2, 3}, Padding: seq(16, 0)}
	b := m.Marshal()
	if !bytes.Equal(b[:6], []byte{1, 0, 3, 1, 2, 3}) || len(b) != 22 {
		t.Errorf("Marshal = %x", b)
	}
	got, err := ParseHeartbeatMessage(b)
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Errorf("round trip: %+v, %v", got, err)
	}
	// Heartbleed probe: a claimed length far beyond the payload.
	bleed := HeartbeatMessage{Type: HeartbeatRequest, PayloadLength: 0x4000}.Marshal()
	if !bytes.Equal(bleed, []byte{1, 0x40, 0}) {
		t.Errorf("lying Marshal = %x", bleed)
	}
	if _, err := ParseHeartbeatMessage(bleed); !errors.Is(err, ErrMalformed) {
		t.Errorf("lying length: err = %v", err)
	}
	// Short padding is tolerated.
	got, err = ParseHeartbeatMessage([]byte{2, 0, 1, 9, 0xee})
	if err != nil || got.Type != HeartbeatResponse || !bytes.Equal(got.Payload, []byte{9}) || !bytes.Equal(got.Padding, []byte{0xee}) {
		t.Errorf("short padding: %+v, %v", got, err)
	}
	for i := 0; i < 6; i++ {
		if _, err := ParseHeartbeatMessage(b[:i]); !errors.Is(err, ErrMalformed) {
			t.Errorf("prefix %d: err = %v", i, err)
		}
	}
}
