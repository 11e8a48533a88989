package tlswire

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func seq(n int, start byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

func TestExtensionConstructors(t *testing.T) {
	key := seq(32, 1)
	tests := []struct {
		name string
		ext  Extension
		typ  ExtensionType
		data []byte
	}{
		{"server_name", ServerName("example.com"), ExtServerName,
			append([]byte{0, 14, 0, 0, 11}, "example.com"...)},
		{"supported_groups", SupportedGroups([]uint16{29, 23, 0x11ec}), ExtSupportedGroups,
			[]byte{0, 6, 0, 29, 0, 23, 0x11, 0xec}},
		{"ec_point_formats", ECPointFormats(0, 1), ExtECPointFormats, []byte{2, 0, 1}},
		{"signature_algorithms", SignatureAlgorithms([]uint16{0x0403, 0x0804}), ExtSignatureAlgorithms,
			[]byte{0, 4, 4, 3, 8, 4}},
		{"signature_algorithms_cert", SignatureAlgorithmsCert([]uint16{0x0201}), ExtSignatureAlgorithmsCert,
			[]byte{0, 2, 2, 1}},
		{"supported_versions", SupportedVersions([]uint16{0x0a0a, 0x0304, 0x0303}), ExtSupportedVersions,
			[]byte{6, 0x0a, 0x0a, 3, 4, 3, 3}},
		{"key_share", KeyShares([]KeyShare{{Group: 29, Data: key}}), ExtKeyShare,
			append([]byte{0, 36, 0, 29, 0, 32}, key...)},
		{"key_share empty", KeyShares(nil), ExtKeyShare, []byte{0, 0}},
		{"alpn", ALPN([]string{"h2", "http/1.1"}), ExtALPN,
			append([]byte{0, 12, 2, 'h', '2', 8}, "http/1.1"...)},
		{"status_request", StatusRequest(), ExtStatusRequest, []byte{1, 0, 0, 0, 0}},
		{"renegotiation_info initial", RenegotiationInfo(nil), ExtRenegotiationInfo, []byte{0}},
		{"renegotiation_info", RenegotiationInfo([]byte{1, 2, 3}), ExtRenegotiationInfo, []byte{3, 1, 2, 3}},
		{"heartbeat", Heartbeat(HeartbeatPeerAllowedToSend), ExtHeartbeat, []byte{1}},
		{"padding", Padding(3), ExtPadding, []byte{0, 0, 0}},
		{"padding negative", Padding(-5), ExtPadding, []byte{}},
		{"psk modes", PSKKeyExchangeModes(PSKModeDHEKE), ExtPSKModes, []byte{1, 1}},
		{"ems", Empty(ExtExtendedMasterSecret), ExtExtendedMasterSecret, []byte{}},
	}
	for _, tt := range tests {
		if tt.ext.Type != tt.typ || !bytes.Equal(tt.ext.Data, tt.data) || tt.ext.Data == nil {
			t.Errorf("%s: got %v %x, want %v %x", tt.name, tt.ext.Type, tt.ext.Data, tt.typ, tt.data)
		}
	}
}

func TestExtensionConstructorPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"long ALPN name":    func() { ALPN([]string{strings.Repeat("x", 256)}) },
		"too many versions": func() { SupportedVersions(make([]uint16, 128)) },
		"huge padding":      func() { Padding(65536) },
		"long host":         func() { ServerName(strings.Repeat("a", 65536)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestExtensionTypeString(t *testing.T) {
	for et, want := range map[ExtensionType]string{
		ExtServerName:        "server_name",
		ExtKeyShare:          "key_share",
		ExtRenegotiationInfo: "renegotiation_info",
		ExtNextProtoNeg:      "next_protocol_negotiation",
		0x1a1a:               "GREASE(0x1a1a)",
		0x1234:               "extension(0x1234)",
	} {
		if got := et.String(); got != want {
			t.Errorf("%d: %q, want %q", uint16(et), got, want)
		}
	}
}

func TestIsGREASE(t *testing.T) {
	var n int
	for v := 0; v <= 0xffff; v++ {
		if IsGREASE(uint16(v)) {
			n++
			if v&0xff != v>>8 || v&0x0f != 0x0a {
				t.Errorf("IsGREASE(%#04x)", v)
			}
		}
	}
	if n != 16 {
		t.Errorf("%d GREASE values, want 16", n)
	}
}

// serverExtTest is one case for a server-extension parser.
type serverExtTest struct {
	name string
	data []byte
	want any // nil: an error is expected
}

func runServerExt[T any](t *testing.T, parse func([]byte) (T, error), tests []serverExtTest) {
	t.Helper()
	for _, tt := range tests {
		got, err := parse(tt.data)
		if tt.want == nil {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: err = %v, want ErrMalformed", tt.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(any(got), tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestServerExtensionParsers(t *testing.T) {
	t.Run("supported_versions", func(t *testing.T) {
		runServerExt(t, ParseSupportedVersionServer, []serverExtTest{
			{"TLS 1.3", []byte{3, 4}, uint16(0x0304)},
			{"empty", nil, nil},
			{"short", []byte{3}, nil},
			{"client form", []byte{2, 3, 4}, nil},
		})
	})
	t.Run("key_share", func(t *testing.T) {
		runServerExt(t, func(b []byte) (KeyShare, error) { return ParseKeyShareServer(b, false) }, []serverExtTest{
			{"x25519", append([]byte{0, 29, 0, 4}, 1, 2, 3, 4), KeyShare{Group: 29, Data: []byte{1, 2, 3, 4}}},
			{"group only", []byte{0, 29}, nil},
			{"empty key", []byte{0, 29, 0, 0}, nil},
			{"short key", []byte{0, 29, 0, 5, 1}, nil},
			{"trailing", []byte{0, 29, 0, 1, 1, 0}, nil},
		})
		runServerExt(t, func(b []byte) (KeyShare, error) { return ParseKeyShareServer(b, true) }, []serverExtTest{
			{"HRR", []byte{0, 23}, KeyShare{Group: 23}},
			{"HRR with key", []byte{0, 23, 0, 1, 1}, nil},
			{"HRR short", []byte{0}, nil},
		})
	})
	t.Run("alpn", func(t *testing.T) {
		runServerExt(t, ParseALPNServer, []serverExtTest{
			{"h2", []byte{0, 3, 2, 'h', '2'}, "h2"},
			{"two protocols", []byte{0, 6, 2, 'h', '2', 2, 'h', '3'}, nil},
			{"empty list", []byte{0, 0}, nil},
			{"empty name", []byte{0, 1, 0}, nil},
			{"name overruns", []byte{0, 2, 5, 'h'}, nil},
			{"trailing", []byte{0, 3, 2, 'h', '2', 0}, nil},
		})
	})
	t.Run("renegotiation_info", func(t *testing.T) {
		runServerExt(t, ParseRenegotiationInfo, []serverExtTest{
			{"initial", []byte{0}, []byte{}},
			{"renegotiated", []byte{2, 9, 9}, []byte{9, 9}},
			{"empty", nil, nil},
			{"overrun", []byte{3, 1}, nil},
			{"trailing", []byte{0, 0}, nil},
		})
	})
	t.Run("heartbeat", func(t *testing.T) {
		runServerExt(t, ParseHeartbeat, []serverExtTest{
			{"allowed", []byte{1}, uint8(1)},
			{"not allowed", []byte{2}, uint8(2)},
			{"bad mode", []byte{3}, nil},
			{"empty", nil, nil},
			{"long", []byte{1, 1}, nil},
		})
	})
	t.Run("ec_point_formats", func(t *testing.T) {
		runServerExt(t, ParseECPointFormats, []serverExtTest{
			{"uncompressed", []byte{1, 0}, []byte{0}},
			{"three", []byte{3, 0, 1, 2}, []byte{0, 1, 2}},
			{"empty list", []byte{0}, nil},
			{"overrun", []byte{2, 0}, nil},
		})
	})
	t.Run("supported_groups", func(t *testing.T) {
		runServerExt(t, ParseSupportedGroups, []serverExtTest{
			{"two", []byte{0, 4, 0, 29, 0, 23}, []uint16{29, 23}},
			{"odd", []byte{0, 3, 0, 29, 0}, nil},
			{"empty", []byte{0, 0}, nil},
			{"trailing", []byte{0, 2, 0, 29, 0}, nil},
		})
	})
	t.Run("sct", func(t *testing.T) {
		runServerExt(t, ParseSCTList, []serverExtTest{
			{"two", []byte{0, 7, 0, 2, 1, 2, 0, 1, 3}, [][]byte{{1, 2}, {3}}},
			{"empty list", []byte{0, 0}, nil},
			{"empty sct", []byte{0, 2, 0, 0}, nil},
			{"overrun", []byte{0, 4, 0, 5, 1, 2}, nil},
		})
	})
}

func TestClientExtensionRoundTrips(t *testing.T) {
	if got, err := ParseServerName(ServerName("a.example").Data); err != nil || got != "a.example" {
		t.Errorf("ParseServerName = %q, %v", got, err)
	}
	groups := []uint16{0x0a0a, 29, 23, 24}
	if got, err := ParseSupportedGroups(SupportedGroups(groups).Data); err != nil || !slices.Equal(got, groups) {
		t.Errorf("ParseSupportedGroups = %v, %v", got, err)
	}
	if got, err := ParseSignatureAlgorithms(SignatureAlgorithms(groups).Data); err != nil || !slices.Equal(got, groups) {
		t.Errorf("ParseSignatureAlgorithms = %v, %v", got, err)
	}
	vers := []uint16{0x0304, 0x0303, 0x0302}
	if got, err := ParseSupportedVersionsClient(SupportedVersions(vers).Data); err != nil || !slices.Equal(got, vers) {
		t.Errorf("ParseSupportedVersionsClient = %v, %v", got, err)
	}
	shares := []KeyShare{{Group: 29, Data: seq(32, 0)}, {Group: 23, Data: seq(65, 4)}}
	if got, err := ParseKeySharesClient(KeyShares(shares).Data); err != nil || !reflect.DeepEqual(got, shares) {
		t.Errorf("ParseKeySharesClient = %v, %v", got, err)
	}
	protos := []string{"h2", "http/1.1", "spdy/3"}
	if got, err := ParseALPNClient(ALPN(protos).Data); err != nil || !slices.Equal(got, protos) {
		t.Errorf("ParseALPNClient = %v, %v", got, err)
	}
	if got, err := ParseECPointFormats(ECPointFormats(0, 1, 2).Data); err != nil || !bytes.Equal(got, []byte{0, 1, 2}) {
		t.Errorf("ParseECPointFormats = %v, %v", got, err)
	}
	if got, err := ParseHeartbeat(Heartbeat(2).Data); err != nil || got != 2 {
		t.Errorf("ParseHeartbeat = %v, %v", got, err)
	}
	if got, err := ParseRenegotiationInfo(RenegotiationInfo(seq(12, 0)).Data); err != nil || !bytes.Equal(got, seq(12, 0)) {
		t.Errorf("ParseRenegotiationInfo = %v, %v", got, err)
	}
	// Malformed client forms.
	for name, err := range map[string]error{
		"sni no host_name": func() error { _, err := ParseServerName([]byte{0, 4, 1, 0, 1, 'x'}); return err }(),
		"sni empty host":   func() error { _, err := ParseServerName([]byte{0, 3, 0, 0, 0}); return err }(),
		"sni empty list":   func() error { _, err := ParseServerName([]byte{0, 0}); return err }(),
		"versions odd":     func() error { _, err := ParseSupportedVersionsClient([]byte{1, 3}); return err }(),
		"key share empty":  func() error { _, err := ParseKeySharesClient([]byte{0, 4, 0, 29, 0, 0}); return err }(),
	} {
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestParseExtensions(t *testing.T) {
	block := []byte{0, 9, 0, 16, 0, 1, 7, 0, 23, 0, 0}
	exts, err := ParseExtensions(block)
	if err != nil {
		t.Fatal(err)
	}
	want := []Extension{{Type: ExtALPN, Data: []byte{7}}, {Type: ExtExtendedMasterSecret, Data: []byte{}}}
	if !reflect.DeepEqual(exts, want) {
		t.Errorf("got %v", exts)
	}
	for _, bad := range [][]byte{
		{0, 8, 0, 16, 0, 1, 7, 0, 16, 0, 0}, // duplicate
		{0, 4, 0, 16, 0, 1},                 // data overruns
		{0, 2, 0, 16, 0},                    // truncated
		{0, 4, 0, 16, 0, 0, 1},              // trailing
		{0},                                 // short length
	} {
		if _, err := ParseExtensions(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseExtensions(%x) err = %v", bad, err)
		}
	}
}
