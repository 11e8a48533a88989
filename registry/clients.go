package registry

import (
	"maps"
	"slices"
)

// ClientProfile describes the ClientHello one real client sends, so that the
// handshake simulation (probe.Simulate) can send the same hello and see what
// a server negotiates with that client, as SSL Labs' "Handshake Simulation"
// does.
//
// Extensions is the single source of truth for which extensions are sent and
// in which order; the other fields give their contents. The hello is rebuilt
// from these facts for every connection (fresh randoms, key shares and GREASE
// values), so it is not byte-identical to the capture it came from, but it
// offers the same versions, suites, groups, signature schemes and extensions
// in the same order.
type ClientProfile struct {
	ID       string // stable short id, e.g. "chrome-137-win11"
	Name     string // "Chrome"
	Version  string // "137"
	Platform string // "Win 11"; "" when the client runs anywhere

	// Reference marks a modern client of the kind SSL Labs flags
	// isReference: the negotiation rules (forward secrecy, AEAD, RC4 and
	// 64-bit-block ciphers with TLS 1.1+) look at what these negotiate.
	Reference bool

	// MinVersion and MaxVersion bound the versions the client accepts from
	// the server. MaxVersion up to TLS 1.2 is sent as the hello's version;
	// with TLS 1.3, supported_versions lists MaxVersion down to MinVersion.
	MinVersion, MaxVersion Protocol
	// RecordVersion is the version in the record header that carries the
	// hello; 0 means TLS 1.0 (0x0301), what most clients send.
	RecordVersion Protocol

	// SSLv2Hello sends the hello in the SSLv2-compatible format (no
	// extensions), as Java 6 did. SSLv2CipherSpecs is then the complete
	// 3-byte cipher spec list in the client's order, TLS suites written as
	// 0x00XXYY; Suites holds the same TLS suites in the same order.
	SSLv2Hello       bool
	SSLv2CipherSpecs []uint32

	// Suites in the client's order, signalling values (0x00FF) included,
	// GREASE excluded.
	Suites []uint16
	// GREASE adds RFC 8701 values the way BoringSSL and Apple do: one first
	// in the suites, supported_groups, key_share and supported_versions, and
	// an extension wherever Extensions holds GREASEExtension (empty the first
	// time, one zero byte after).
	GREASE bool

	// Extensions are the extension types in the order sent. Padding (21)
	// is only added when the hello would otherwise be 256 to 511 bytes long,
	// as the clients that list it do.
	Extensions []uint16

	Groups               []uint16 // supported_groups, GREASE excluded
	KeyShares            []uint16 // TLS 1.3 key_share groups, GREASE excluded
	SignatureSchemes     []uint16 // signature_algorithms
	SignatureSchemesCert []uint16 // signature_algorithms_cert
	PointFormats         []uint8  // ec_point_formats
	ALPN                 []string // application_layer_protocol_negotiation
	ALPS                 []string // application_settings (17513 or 17613)
	CertCompression      []uint16 // compress_certificate algorithms
	DelegatedCredentials []uint16 // delegated_credentials signature schemes
	RecordSizeLimit      uint16   // record_size_limit
	// ECHGreasePayload is the length of the random payload of a GREASE
	// encrypted_client_hello extension (RFC 9849 §6.2).
	ECHGreasePayload int
	// ExtensionData holds the contents of any other extension, sent as is.
	ExtensionData map[uint16][]byte

	// SNI is true when the client sends server_name (it is then also in
	// Extensions); IE on Windows XP and Java 6 never do.
	SNI bool

	// Limits the client enforces on what the server sends, as SSL Labs'
	// simulation applies them; 0 means no limit. DH sizes are the bits of
	// the DHE prime, RSA and ECDSA those of the server's certificate key.
	MinDHBits, MaxDHBits   int
	MinRSABits, MaxRSABits int
	MinECDSABits           int
	// RequiresSHA2 rejects a server certificate signed with SHA-1 or MD5.
	RequiresSHA2 bool

	// Source says where the profile's facts come from.
	Source string
}

// GREASEExtension marks, in ClientProfile.Extensions, where a GREASE
// extension goes. The simulation sends a random GREASE value there.
const GREASEExtension uint16 = 0x0A0A

// Label is the client as SSL Labs shows it: "Chrome 137 / Win 11",
// "OpenSSL 1.0.2e".
func (c ClientProfile) Label() string {
	s := c.Name
	if c.Version != "" {
		s += " " + c.Version
	}
	if c.Platform != "" {
		s += " / " + c.Platform
	}
	return s
}

// Sends reports whether the client sends extension t.
func (c ClientProfile) Sends(t uint16) bool { return slices.Contains(c.Extensions, t) }

// Accepts reports whether the client accepts protocol p from the server.
func (c ClientProfile) Accepts(p Protocol) bool { return c.MinVersion <= p && p <= c.MaxVersion }

// Offers reports whether the client offers cipher suite id.
func (c ClientProfile) Offers(id uint16) bool { return slices.Contains(c.Suites, id) }

// SupportedVersions lists what supported_versions carries (GREASE aside):
// MaxVersion down to MinVersion, TLS versions only.
func (c ClientProfile) SupportedVersions() []Protocol {
	var out []Protocol
	for v := c.MaxVersion; v >= c.MinVersion && v >= TLS10; v-- {
		out = append(out, v)
	}
	return out
}

func (c ClientProfile) clone() ClientProfile {
	c.SSLv2CipherSpecs = slices.Clone(c.SSLv2CipherSpecs)
	c.Suites = slices.Clone(c.Suites)
	c.Extensions = slices.Clone(c.Extensions)
	c.Groups = slices.Clone(c.Groups)
	c.KeyShares = slices.Clone(c.KeyShares)
	c.SignatureSchemes = slices.Clone(c.SignatureSchemes)
	c.SignatureSchemesCert = slices.Clone(c.SignatureSchemesCert)
	c.PointFormats = slices.Clone(c.PointFormats)
	c.ALPN = slices.Clone(c.ALPN)
	c.ALPS = slices.Clone(c.ALPS)
	c.CertCompression = slices.Clone(c.CertCompression)
	c.DelegatedCredentials = slices.Clone(c.DelegatedCredentials)
	if c.ExtensionData != nil {
		c.ExtensionData = maps.Clone(c.ExtensionData)
		for k, v := range c.ExtensionData {
			c.ExtensionData[k] = slices.Clone(v)
		}
	}
	return c
}

// ClientProfiles returns the reference client profiles in a fixed order
// (browsers, then mobile, Java, libraries and tools, then old clients). The
// result is a deep copy the caller may modify.
func ClientProfiles() []ClientProfile {
	out := make([]ClientProfile, len(clientProfiles))
	for i, c := range clientProfiles {
		out[i] = c.clone()
	}
	return out
}

// ClientProfileByID returns the profile with the given id.
func ClientProfileByID(id string) (ClientProfile, bool) {
	for _, c := range clientProfiles {
		if c.ID == id {
			return c.clone(), true
		}
	}
	return ClientProfile{}, false
}

// ClientGroups returns the named groups the profile with the given id
// offers, in its order: a copy of that list only, cheaper than
// ClientProfileByID for readers of many stored simulations.
func ClientGroups(id string) ([]uint16, bool) {
	for _, c := range clientProfiles {
		if c.ID == id {
			return slices.Clone(c.Groups), true
		}
	}
	return nil, false
}

// Extension types used in the profiles (IANA "TLS ExtensionType Values";
// 13172 draft-agl-tls-nextprotoneg, 17513/17613 draft-vvv-tls-alps,
// 30032 draft-balfanz-tls-channelid).
const (
	extServerName           uint16 = 0
	extStatusRequest        uint16 = 5
	extSupportedGroups      uint16 = 10
	extECPointFormats       uint16 = 11
	extSignatureAlgorithms  uint16 = 13
	extHeartbeat            uint16 = 15
	extALPN                 uint16 = 16
	extStatusRequestV2      uint16 = 17
	extSCT                  uint16 = 18
	extPadding              uint16 = 21
	extEncryptThenMAC       uint16 = 22
	extExtendedMasterSecret uint16 = 23
	extCompressCertificate  uint16 = 27
	extRecordSizeLimit      uint16 = 28
	extDelegatedCredentials uint16 = 34
	extSessionTicket        uint16 = 35
	extSupportedVersions    uint16 = 43
	extPSKModes             uint16 = 45
	extPostHandshakeAuth    uint16 = 49
	extSigAlgsCert          uint16 = 50
	extKeyShare             uint16 = 51
	extNPN                  uint16 = 13172
	extALPSOld              uint16 = 17513
	extALPS                 uint16 = 17613
	extChannelID            uint16 = 30032
	extECH                  uint16 = 0xFE0D
	extRenegotiationInfo    uint16 = 0xFF01
	extGREASE                      = GREASEExtension
)

// Lists shared by several profiles because the clients send exactly the same
// (checked against each capture). Treat them as read-only.
var (
	// Chrome and Edge since 2023 (BoringSSL), and Android 15/16.
	chromeSuites = []uint16{
		0x1301, 0x1302, 0x1303,
		0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8,
		0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
	}
	chromeSigs = []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}

	// Apple's TLS stack (Safari 15 and later, iOS and macOS). The repeated
	// rsa_pss_rsae_sha384 is in every capture; it is sent as captured.
	appleSuites = []uint16{
		0xC02C, 0xC02B, 0xCCA9, 0xC030, 0xC02F, 0xCCA8,
		0xC00A, 0xC009, 0xC014, 0xC013, 0x009D, 0x009C, 0x0035, 0x002F,
		0xC008, 0xC012, 0x000A,
	}
	appleSigs = []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201}
	appleExts = []uint16{
		extGREASE, extServerName, extExtendedMasterSecret, extRenegotiationInfo,
		extSupportedGroups, extECPointFormats, extALPN, extStatusRequest,
		extSignatureAlgorithms, extSCT, extKeyShare, extPSKModes,
		extSupportedVersions, extCompressCertificate, extGREASE,
	}

	// Android's platform TLS (Conscrypt/BoringSSL), Android 8 to 14.
	androidSuites = []uint16{
		0x1301, 0x1302, 0x1303,
		0xC02B, 0xC02C, 0xCCA9, 0xC02F, 0xC030, 0xCCA8,
		0xC009, 0xC00A, 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
	}
	androidSigs = []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201}
	androidExts = []uint16{
		extServerName, extExtendedMasterSecret, extRenegotiationInfo, extSupportedGroups,
		extECPointFormats, extSessionTicket, extALPN, extStatusRequest,
		extSignatureAlgorithms, extKeyShare, extPSKModes, extSupportedVersions, extPadding,
	}

	// OpenSSL 1.1.1 and 3.0-3.4 with the default cipher string
	// ("DEFAULT"), and the TLS 1.3 defaults.
	openssl111Suites = []uint16{
		0x1302, 0x1303, 0x1301,
		0xC02C, 0xC030, 0x009F, 0xCCA9, 0xCCA8, 0xCCAA, 0xC02B, 0xC02F, 0x009E,
		0xC024, 0xC028, 0x006B, 0xC023, 0xC027, 0x0067,
		0xC00A, 0xC014, 0x0039, 0xC009, 0xC013, 0x0033,
		0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, 0x00FF,
	}
	openssl111Sigs = []uint16{
		0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080A, 0x080B,
		0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
		0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602,
	}
	openssl30Groups = []uint16{0x001D, 0x0017, 0x001E, 0x0019, 0x0018, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104}
	openssl111Exts  = []uint16{
		extServerName, extECPointFormats, extSupportedGroups, extSessionTicket,
		extEncryptThenMAC, extExtendedMasterSecret, extSignatureAlgorithms,
		extSupportedVersions, extPSKModes, extKeyShare,
	}

	// Java (SunJSSE) 17 and 21 send the same hello.
	java17Suites = []uint16{
		0x1302, 0x1301, 0x1303,
		0xC02C, 0xC02B, 0xCCA9, 0xC030, 0xCCA8, 0xC02F, 0x009F, 0xCCAA, 0x009E,
		0xC024, 0xC028, 0xC023, 0xC027, 0x006B, 0x0067,
		0xC00A, 0xC014, 0xC009, 0xC013, 0x0039, 0x0033,
		0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, 0x00FF,
	}
	java17Sigs = []uint16{
		0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806,
		0x0809, 0x080A, 0x080B, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301,
	}
	// status_request_v2 as SunJSSE sends it: one ocsp_multi request with no
	// responder ids and no extensions.
	javaStatusRequestV2 = []byte{0x00, 0x07, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00}

	// Safari 9 on iOS 9 and OS X 10.11 send the same hello.
	safari9Suites = []uint16{
		0x00FF, 0xC02C, 0xC02B, 0xC024, 0xC023, 0xC00A, 0xC009, 0xC008,
		0xC030, 0xC02F, 0xC028, 0xC027, 0xC014, 0xC013, 0xC012,
		0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, 0x000A,
		0xC007, 0xC011, 0x0005, 0x0004,
	}
	safari9Exts = []uint16{
		extServerName, extSupportedGroups, extECPointFormats, extSignatureAlgorithms,
		extNPN, extALPN, extStatusRequest, extSCT,
	}
)

// Where the facts come from. Most ClientHellos are captures that Qualys SSL
// Labs publishes through its API (getClients) and testssl.sh keeps, decoded,
// in etc/client-simulation.txt with the client limits (DH, RSA and ECDSA
// sizes, SHA-2) SSL Labs lists; newer captures in that file were taken by
// the testssl.sh project with Wireshark. padlock decodes each hello and keeps
// the facts here in its own form.
const (
	srcTestssl = "testssl.sh 3.3dev etc/client-simulation.txt (2026-06, commit 9fdf802), entry "
	srcLocal   = "ClientHello captured by padlock on Debian 12 against a loopback listener: "
)

// Reference marking follows SSL Labs' SimClient.isReference as its API
// results show it: the current browsers (Chrome, Firefox but not its ESR
// releases, Edge, IE 11 on Windows 7 and later, Safari from 6 on) and
// OpenSSL are reference clients; Android, Java, ESR releases, Windows XP
// browsers and crawlers are not. Clients SSL Labs does not list (recent
// releases, OpenSSL 3, curl) are marked by the same rule; curl, a tool
// rather than a browser, is not a reference client.
var clientProfiles = []ClientProfile{
	{
		ID: "chrome-137-win11", Name: "Chrome", Version: "137", Platform: "Win 11", Reference: true,
		MinVersion: TLS12, MaxVersion: TLS13,
		Suites: chromeSuites, GREASE: true,
		// Chrome shuffles its extensions per connection (since 110); this
		// is the order of the capture.
		Extensions: []uint16{
			extGREASE, extSessionTicket, extECH, extKeyShare, extPSKModes, extStatusRequest,
			extSignatureAlgorithms, extServerName, extALPN, extSupportedVersions,
			extExtendedMasterSecret, extSCT, extALPS, extECPointFormats,
			extCompressCertificate, extSupportedGroups, extRenegotiationInfo, extGREASE,
		},
		Groups:           []uint16{0x11EC, 0x001D, 0x0017, 0x0018},
		KeyShares:        []uint16{0x11EC, 0x001D},
		SignatureSchemes: chromeSigs,
		PointFormats:     []uint8{0},
		ALPN:             []string{"h2", "http/1.1"},
		ALPS:             []string{"h2"},
		CertCompression:  []uint16{0x0002},
		ECHGreasePayload: 144,
		SNI:              true,
		MinDHBits:        1024, RequiresSHA2: true,
		Source: srcTestssl + `"Chromium 137 (Win 11)" (Wireshark capture; Chrome 137 has the same TLS stack)`,
	},
	{
		ID: "edge-133-win11", Name: "Edge", Version: "133", Platform: "Win 11", Reference: true,
		MinVersion: TLS12, MaxVersion: TLS13,
		Suites: chromeSuites, GREASE: true,
		Extensions: []uint16{
			extGREASE, extSCT, extExtendedMasterSecret, extECH, extStatusRequest,
			extSupportedGroups, extRenegotiationInfo, extSupportedVersions,
			extCompressCertificate, extECPointFormats, extALPSOld, extKeyShare,
			extPSKModes, extALPN, extSessionTicket, extSignatureAlgorithms,
			extServerName, extGREASE,
		},
		Groups:           []uint16{0x11EC, 0x001D, 0x0017, 0x0018},
		KeyShares:        []uint16{0x11EC, 0x001D},
		SignatureSchemes: chromeSigs,
		PointFormats:     []uint8{0},
		ALPN:             []string{"h2", "http/1.1"},
		ALPS:             []string{"h2"},
		CertCompression:  []uint16{0x0002},
		ECHGreasePayload: 176,
		SNI:              true,
		MaxRSABits:       16384, RequiresSHA2: true,
		Source: srcTestssl + `"Edge 133 Win 11 23H2" (Wireshark capture)`,
	},
	{
		ID: "firefox-137-win11", Name: "Firefox", Version: "137", Platform: "Win 11", Reference: true,
		MinVersion: TLS12, MaxVersion: TLS13,
		Suites: []uint16{
			0x1301, 0x1303, 0x1302,
			0xC02B, 0xC02F, 0xCCA9, 0xCCA8, 0xC02C, 0xC030,
			0xC00A, 0xC009, 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
		},
		Extensions: []uint16{
			extServerName, extExtendedMasterSecret, extRenegotiationInfo, extSupportedGroups,
			extECPointFormats, extSessionTicket, extALPN, extStatusRequest,
			extDelegatedCredentials, extSCT, extKeyShare, extSupportedVersions,
			extSignatureAlgorithms, extPSKModes, extRecordSizeLimit,
			extCompressCertificate, extECH,
		},
		Groups:    []uint16{0x11EC, 0x001D, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101},
		KeyShares: []uint16{0x11EC, 0x001D, 0x0017},
		SignatureSchemes: []uint16{
			0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201,
		},
		PointFormats:         []uint8{0},
		ALPN:                 []string{"h2", "http/1.1"},
		CertCompression:      []uint16{0x0001, 0x0002, 0x0003},
		DelegatedCredentials: []uint16{0x0403, 0x0503, 0x0603, 0x0203},
		RecordSizeLimit:      0x4001,
		ECHGreasePayload:     239,
		SNI:                  true,
		MinDHBits:            1023,
		Source:               srcTestssl + `"Firefox 137 (Win 11)" (Wireshark capture)`,
	},
	{
		ID: "safari-18.4-macos15", Name: "Safari", Version: "18.4", Platform: "macOS 15.4 / iOS 18.4", Reference: true,
		MinVersion: TLS10, MaxVersion: TLS13,
		Suites: append([]uint16{0x1301, 0x1302, 0x1303}, appleSuites...), GREASE: true,
		Extensions:       append(slices.Clone(appleExts), extPadding),
		Groups:           []uint16{0x001D, 0x0017, 0x0018, 0x0019},
		KeyShares:        []uint16{0x001D},
		SignatureSchemes: appleSigs,
		PointFormats:     []uint8{0},
		ALPN:             []string{"h2", "http/1.1"},
		CertCompression:  []uint16{0x0001},
		SNI:              true,
		MinDHBits:        1024,
		Source:           srcTestssl + `"Safari 18.4 (macOS 15.4/iOS 18.4)" (Wireshark capture)`,
	},
	{
		ID: "safari-26.4", Name: "Safari", Version: "26.4", Platform: "macOS / iOS 26.4", Reference: true,
		MinVersion: TLS12, MaxVersion: TLS13,
		Suites: append([]uint16{0x1302, 0x1303, 0x1301}, appleSuites...), GREASE: true,
		Extensions:       appleExts,
		Groups:           []uint16{0x11EC, 0x001D, 0x0017, 0x0018, 0x0019},
		KeyShares:        []uint16{0x11EC, 0x001D},
		SignatureSchemes: appleSigs,
		PointFormats:     []uint8{0},
		ALPN:             []string{"h2", "http/1.1"},
		CertCompression:  []uint16{0x0001},
		SNI:              true,
		MinDHBits:        1024,
		Source:           srcTestssl + `"Safari 26.4 (macOS/iOS/iPadOS 26.4)" (Wireshark capture)`,
	},
	{
		// Windows 7 SChannel: ECDHE-RSA only with CBC (no ECDHE-RSA-GCM
		// until Windows 10); GCM with ECDHE-ECDSA, DHE-RSA and RSA.
		ID: "ie-11-win7", Name: "IE", Version: "11", Platform: "Win 7", Reference: true,
		MinVersion: TLS10, MaxVersion: TLS12, RecordVersion: TLS12,
		Suites: []uint16{
			0xC028, 0xC027, 0xC014, 0xC013, 0x009F, 0x009E, 0x009D, 0x009C,
			0x003D, 0x003C, 0x0035, 0x002F, 0xC02C, 0xC02B, 0xC024, 0xC023,
			0xC00A, 0xC009, 0x006A, 0x0040, 0x0038, 0x0032, 0x000A, 0x0013,
		},
		Extensions: []uint16{
			extServerName, extStatusRequest, extSupportedGroups, extECPointFormats,
			extSignatureAlgorithms, extExtendedMasterSecret, extRenegotiationInfo,
		},
		Groups:           []uint16{0x0017, 0x0018},
		SignatureSchemes: []uint16{0x0601, 0x0603, 0x0401, 0x0501, 0x0201, 0x0403, 0x0503, 0x0203, 0x0202},
		PointFormats:     []uint8{0},
		SNI:              true,
		MinDHBits:        1024, MaxDHBits: 4096, MaxRSABits: 16384,
		Source: srcTestssl + `"IE 11 Win 7" (SSL Labs getClients)`,
	},
	{
		ID: "ie-11-win10", Name: "IE", Version: "11", Platform: "Win 10", Reference: true,
		MinVersion: TLS10, MaxVersion: TLS12, RecordVersion: TLS12,
		Suites: []uint16{
			0xC02C, 0xC02B, 0xC030, 0xC02F, 0x009F, 0x009E, 0xC024, 0xC023,
			0xC028, 0xC027, 0xC00A, 0xC009, 0xC014, 0xC013, 0x0039, 0x0033,
			0x009D, 0x009C, 0x003D, 0x003C, 0x0035, 0x002F, 0x000A,
			0x006A, 0x0040, 0x0038, 0x0032, 0x0013,
		},
		Extensions: []uint16{
			extServerName, extStatusRequest, extSupportedGroups, extECPointFormats,
			extSignatureAlgorithms, extSessionTicket, extALPN, extExtendedMasterSecret,
			0x5500, extRenegotiationInfo,
		},
		Groups:           []uint16{0x0017, 0x0018},
		SignatureSchemes: []uint16{0x0401, 0x0501, 0x0201, 0x0403, 0x0503, 0x0203, 0x0202, 0x0601, 0x0603},
		PointFormats:     []uint8{0},
		ALPN:             []string{"h2", "http/1.1"},
		// 0x5500 is an unregistered code point Windows 10 sent at the time
		// (an early Token Binding draft); sent as captured.
		ExtensionData: map[uint16][]byte{0x5500: {0x00, 0x01, 0x00, 0x02, 0x00, 0x02}},
		SNI:           true,
		MinDHBits:     1024, MaxDHBits: 4096, MaxRSABits: 16384,
		Source: srcTestssl + `"IE 11 Win 10" (SSL Labs getClients)`,
	},
	{
		ID: "android-4.4.2", Name: "Android", Version: "4.4.2",
		MinVersion: SSLv3, MaxVersion: TLS12,
		Suites: []uint16{
			0xC030, 0xC02C, 0xC014, 0xC00A, 0x00A3, 0x009F, 0x006B, 0x006A,
			0x0039, 0x0038, 0x009D, 0x003D, 0x0035, 0xC012, 0xC008, 0x0016,
			0x0013, 0x000A, 0xC02F, 0xC02B, 0xC027, 0xC023, 0xC013, 0xC009,
			0x00A2, 0x009E, 0x0067, 0x0040, 0x0033, 0x0032, 0x009C, 0x003C,
			0x002F, 0xC011, 0xC007, 0x0005, 0x0004, 0x00FF,
		},
		Extensions: []uint16{
			extServerName, extECPointFormats, extSupportedGroups, extSessionTicket,
			extSignatureAlgorithms, extNPN,
		},
		Groups: []uint16{0x0019, 0x0018, 0x0017},
		SignatureSchemes: []uint16{
			0x0601, 0x0602, 0x0603, 0x0501, 0x0502, 0x0503, 0x0401, 0x0402,
			0x0403, 0x0301, 0x0302, 0x0303, 0x0201, 0x0202, 0x0203, 0x0101,
		},
		PointFormats: []uint8{0},
		SNI:          true,
		Source:       srcTestssl + `"Android 4.4.2" (SSL Labs getClients)`,
	},
	{
		ID: "android-7.0", Name: "Android", Version: "7.0",
		MinVersion: TLS10, MaxVersion: TLS12,
		Suites: []uint16{
			0xC02B, 0xC02C, 0xCCA9, 0xC02F, 0xC030, 0xCCA8,
			0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035,
		},
		Extensions: []uint16{
			extRenegotiationInfo, extServerName, extExtendedMasterSecret, extSessionTicket,
			extSignatureAlgorithms, extALPN, extECPointFormats, extSupportedGroups,
		},
		// Only secp256r1, as captured.
		Groups:           []uint16{0x0017},
		SignatureSchemes: []uint16{0x0601, 0x0603, 0x0501, 0x0503, 0x0401, 0x0403, 0x0301, 0x0303, 0x0201, 0x0203},
		PointFormats:     []uint8{0},
		ALPN:             []string{"h2", "http/1.1"},
		SNI:              true,
		Source:           srcTestssl + `"Android 7.0 (native)" (SSL Labs getClients)`,
	},
	{
		ID: "android-11", Name: "Android", Version: "11",
		MinVersion: TLS10, MaxVersion: TLS13,
		Suites:           androidSuites,
		Extensions:       androidExts,
		Groups:           []uint16{0x001D, 0x0017, 0x0018},
		KeyShares:        []uint16{0x001D},
		SignatureSchemes: androidSigs,
		PointFormats:     []uint8{0},
		ALPN:             []string{"http/1.1"},
		SNI:              true,
		Source:           srcTestssl + `"Android 11/12 (native)" (Wireshark capture)`,
	},
	{
		// Android 13 dropped TLS 1.0 and 1.1 from the platform default.
		ID: "android-14", Name: "Android", Version: "14",
		MinVersion: TLS12, MaxVersion: TLS13,
		Suites:           androidSuites,
		Extensions:       androidExts,
		Groups:           []uint16{0x001D, 0x0017, 0x0018},
		KeyShares:        []uint16{0x001D},
		SignatureSchemes: androidSigs,
		PointFormats:     []uint8{0},
		ALPN:             []string{"http/1.1"},
		SNI:              true,
		Source: srcTestssl + `"Android 13/14 (native)" (Wireshark capture of a resumption; ` +
			`sent here as a first connection: no pre_shared_key, padding in its place as Android 11 sends it)`,
	},
	{
		ID: "java-8u161", Name: "Java", Version: "8u161",
		MinVersion: TLS10, MaxVersion: TLS12, RecordVersion: TLS12,
		Suites: []uint16{
			0xC024, 0xC028, 0x003D, 0xC026, 0xC02A, 0x006B, 0x006A, 0xC00A,
			0xC014, 0x0035, 0xC005, 0xC00F, 0x0039, 0x0038, 0xC023, 0xC027,
			0x003C, 0xC025, 0xC029, 0x0067, 0x0040, 0xC009, 0xC013, 0x002F,
			0xC004, 0xC00E, 0x0033, 0x0032, 0xC02C, 0xC02B, 0xC030, 0x009D,
			0xC02E, 0xC032, 0x009F, 0x00A3, 0xC02F, 0x009C, 0xC02D, 0xC031,
			0x009E, 0x00A2, 0xC008, 0xC012, 0x000A, 0xC003, 0xC00D, 0x0016,
			0x0013, 0x00FF,
		},
		Extensions: []uint16{
			extSupportedGroups, extECPointFormats, extSignatureAlgorithms,
			extExtendedMasterSecret, extServerName,
		},
		Groups:           []uint16{0x0017, 0x0018, 0x0019, 0x0009, 0x000A, 0x000B, 0x000C, 0x000D, 0x000E, 0x0016},
		SignatureSchemes: []uint16{0x0603, 0x0601, 0x0503, 0x0501, 0x0403, 0x0401, 0x0402, 0x0203, 0x0201, 0x0202},
		PointFormats:     []uint8{0},
		SNI:              true,
		MaxDHBits:        2048,
		Source:           srcTestssl + `"Java 8u161" (SSL Labs getClients)`,
	},
	{
		// No ChaCha20 before Java 12.
		ID: "java-11.0.2", Name: "Java", Version: "11.0.2",
		MinVersion: TLS10, MaxVersion: TLS13, RecordVersion: TLS12,
		Suites: []uint16{
			0x1301, 0x1302,
			0xC02C, 0xC02B, 0xC030, 0x009D, 0xC02E, 0xC032, 0x009F, 0x00A3,
			0xC02F, 0x009C, 0xC02D, 0xC031, 0x009E, 0x00A2, 0xC024, 0xC028,
			0x003D, 0xC026, 0xC02A, 0x006B, 0x006A, 0xC00A, 0xC014, 0x0035,
			0xC005, 0xC00F, 0x0039, 0x0038, 0xC023, 0xC027, 0x003C, 0xC025,
			0xC029, 0x0067, 0x0040, 0xC009, 0xC013, 0x002F, 0xC004, 0xC00E,
			0x0033, 0x0032,
		},
		Extensions: []uint16{
			extServerName, extStatusRequest, extSupportedGroups, extECPointFormats,
			extSignatureAlgorithms, extSigAlgsCert, extStatusRequestV2,
			extExtendedMasterSecret, extSupportedVersions, extPSKModes, extKeyShare,
			extRenegotiationInfo,
		},
		Groups: []uint16{
			0x0017, 0x0018, 0x0019, 0x0009, 0x000A, 0x000B, 0x000C, 0x000D, 0x000E, 0x0016,
			0x0100, 0x0101, 0x0102, 0x0103, 0x0104,
		},
		KeyShares: []uint16{0x0017},
		SignatureSchemes: []uint16{
			0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B,
			0x0401, 0x0501, 0x0601, 0x0402, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202,
		},
		SignatureSchemesCert: []uint16{
			0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B,
			0x0401, 0x0501, 0x0601, 0x0402, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202,
		},
		PointFormats:  []uint8{0},
		ExtensionData: map[uint16][]byte{extStatusRequestV2: javaStatusRequestV2},
		SNI:           true,
		MinDHBits:     1024, MinECDSABits: 224,
		Source: srcTestssl + `"Java 11.0.2 (OpenJDK)" (SSL Labs getClients)`,
	},
	{
		// TLS 1.0 and 1.1 are in jdk.tls.disabledAlgorithms since 17
		// (JDK-8202343), so only 1.3 and 1.2 are listed.
		ID: "java-17", Name: "Java", Version: "17 / 21",
		MinVersion: TLS12, MaxVersion: TLS13, RecordVersion: TLS12,
		Suites: java17Suites,
		Extensions: []uint16{
			extServerName, extStatusRequest, extSupportedGroups, extECPointFormats,
			extStatusRequestV2, extExtendedMasterSecret, extSessionTicket,
			extSignatureAlgorithms, extSupportedVersions, extPSKModes, extSigAlgsCert,
			extKeyShare,
		},
		Groups:               []uint16{0x001D, 0x0017, 0x0018, 0x0019, 0x001E, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104},
		KeyShares:            []uint16{0x001D, 0x0017},
		SignatureSchemes:     java17Sigs,
		SignatureSchemesCert: java17Sigs,
		PointFormats:         []uint8{0},
		ExtensionData:        map[uint16][]byte{extStatusRequestV2: javaStatusRequestV2},
		SNI:                  true,
		MinDHBits:            1024, MinECDSABits: 224,
		Source: srcTestssl + `"Java 17.0.3/21.0.6 (OpenJDK)" (Wireshark capture)`,
	},
	{
		ID: "openssl-1.0.2e", Name: "OpenSSL", Version: "1.0.2e", Reference: true,
		MinVersion: SSLv3, MaxVersion: TLS12,
		Suites: []uint16{
			0xC030, 0xC02C, 0xC028, 0xC024, 0xC014, 0xC00A, 0x00A5, 0x00A3,
			0x00A1, 0x009F, 0x006B, 0x006A, 0x0069, 0x0068, 0x0039, 0x0038,
			0x0037, 0x0036, 0x0088, 0x0087, 0x0086, 0x0085, 0xC032, 0xC02E,
			0xC02A, 0xC026, 0xC00F, 0xC005, 0x009D, 0x003D, 0x0035, 0x0084,
			0xC02F, 0xC02B, 0xC027, 0xC023, 0xC013, 0xC009, 0x00A4, 0x00A2,
			0x00A0, 0x009E, 0x0067, 0x0040, 0x003F, 0x003E, 0x0033, 0x0032,
			0x0031, 0x0030, 0x009A, 0x0099, 0x0098, 0x0097, 0x0045, 0x0044,
			0x0043, 0x0042, 0xC031, 0xC02D, 0xC029, 0xC025, 0xC00E, 0xC004,
			0x009C, 0x003C, 0x002F, 0x0096, 0x0041, 0x0007, 0xC011, 0xC007,
			0xC00C, 0xC002, 0x0005, 0x0004, 0xC012, 0xC008, 0x0016, 0x0013,
			0x0010, 0x000D, 0xC00D, 0xC003, 0x000A, 0x0015, 0x0012, 0x000F,
			0x000C, 0x0009, 0x00FF,
		},
		Extensions: []uint16{
			extServerName, extECPointFormats, extSupportedGroups, extSessionTicket,
			extSignatureAlgorithms, extStatusRequest, extHeartbeat,
		},
		Groups: []uint16{
			0x0017, 0x0019, 0x001C, 0x001B, 0x0018, 0x001A, 0x0016,
			0x000E, 0x000D, 0x000B, 0x000C, 0x0009, 0x000A,
		},
		SignatureSchemes: []uint16{
			0x0601, 0x0602, 0x0603, 0x0501, 0x0502, 0x0503, 0x0401, 0x0402,
			0x0403, 0x0301, 0x0302, 0x0303, 0x0201, 0x0202, 0x0203,
		},
		PointFormats: []uint8{0, 1, 2},
		SNI:          true,
		Source:       srcTestssl + `"OpenSSL 1.0.2e" (SSL Labs getClients)`,
	},
	{
		// Debian 10's openssl.cnf sets MinProtocol = TLSv1.2.
		ID: "openssl-1.1.1d", Name: "OpenSSL", Version: "1.1.1d", Platform: "Debian 10", Reference: true,
		MinVersion: TLS12, MaxVersion: TLS13,
		Suites:           openssl111Suites,
		Extensions:       openssl111Exts,
		Groups:           []uint16{0x001D, 0x0017, 0x001E, 0x0019, 0x0018},
		KeyShares:        []uint16{0x001D},
		SignatureSchemes: openssl111Sigs,
		PointFormats:     []uint8{0, 1, 2},
		SNI:              true,
		Source:           srcTestssl + `"OpenSSL 1.1.1d (Debian)" (Wireshark capture)`,
	},
	{
		// Offers TLS 1.0 and 1.1 in supported_versions, but at its default
		// security level a TLS 1.0/1.1 server's (EC)DHE signature (MD5+SHA-1)
		// is then refused; only the offer is simulated.
		ID: "openssl-3.0", Name: "OpenSSL", Version: "3.0.22", Platform: "Debian 12", Reference: true,
		MinVersion: TLS10, MaxVersion: TLS13,
		Suites:           openssl111Suites,
		Extensions:       openssl111Exts,
		Groups:           openssl30Groups,
		KeyShares:        []uint16{0x001D},
		SignatureSchemes: openssl111Sigs,
		PointFormats:     []uint8{0, 1, 2},
		SNI:              true,
		Source: srcLocal + "openssl s_client 3.0.22 with no options; identical to " +
			srcTestssl + `"OpenSSL 3.0.15 (Debian)"`,
	},
	{
		ID: "openssl-3.5", Name: "OpenSSL", Version: "3.5.0", Reference: true,
		MinVersion: TLS12, MaxVersion: TLS13,
		Suites: openssl111Suites[:len(openssl111Suites)-1], // renegotiation_info instead of the SCSV
		Extensions: []uint16{
			extRenegotiationInfo, extServerName, extECPointFormats, extSupportedGroups,
			extSessionTicket, extEncryptThenMAC, extExtendedMasterSecret,
			extSignatureAlgorithms, extSupportedVersions, extPSKModes, extKeyShare,
		},
		Groups:    []uint16{0x11EC, 0x001D, 0x0017, 0x001E, 0x0018, 0x0019, 0x0100, 0x0101},
		KeyShares: []uint16{0x11EC, 0x001D},
		SignatureSchemes: []uint16{
			0x0905, 0x0906, 0x0904, 0x0403, 0x0503, 0x0603, 0x0807, 0x0808,
			0x081A, 0x081B, 0x081C, 0x0809, 0x080A, 0x080B, 0x0804, 0x0805,
			0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402,
			0x0502, 0x0602,
		},
		PointFormats: []uint8{0, 1, 2},
		SNI:          true,
		Source:       srcTestssl + `"OpenSSL 3.5.0 (git)" (Wireshark capture)`,
	},
	{
		// curl asks for no session ticket and no OCSP staple by default and
		// turns on OpenSSL's padding extension.
		ID: "curl-7.88-openssl-3.0", Name: "curl", Version: "7.88.1", Platform: "OpenSSL 3.0.22, Debian 12",
		MinVersion: TLS10, MaxVersion: TLS13,
		Suites: openssl111Suites,
		Extensions: []uint16{
			extServerName, extECPointFormats, extSupportedGroups, extALPN,
			extEncryptThenMAC, extExtendedMasterSecret, extPostHandshakeAuth,
			extSignatureAlgorithms, extSupportedVersions, extPSKModes, extKeyShare,
			extPadding,
		},
		Groups:           openssl30Groups,
		KeyShares:        []uint16{0x001D},
		SignatureSchemes: openssl111Sigs,
		PointFormats:     []uint8{0, 1, 2},
		ALPN:             []string{"h2", "http/1.1"},
		SNI:              true,
		Source:           srcLocal + "curl 7.88.1 (libcurl/7.88.1 OpenSSL/3.0.22) https://localhost:PORT/ with no options",
	},
	{
		ID: "firefox-31.3-esr-win7", Name: "Firefox", Version: "31.3.0 ESR", Platform: "Win 7",
		MinVersion: TLS10, MaxVersion: TLS12,
		Suites: []uint16{
			0xC02B, 0xC02F, 0xC00A, 0xC009, 0xC013, 0xC014, 0xC012, 0xC007,
			0xC011, 0x0033, 0x0032, 0x0045, 0x0039, 0x0038, 0x0088, 0x0016,
			0x002F, 0x0041, 0x0035, 0x0084, 0x000A, 0x0005, 0x0004,
		},
		Extensions: []uint16{
			extServerName, extRenegotiationInfo, extSupportedGroups, extECPointFormats,
			extSessionTicket, extNPN, extStatusRequest, extSignatureAlgorithms,
		},
		Groups:           []uint16{0x0017, 0x0018, 0x0019},
		SignatureSchemes: []uint16{0x0401, 0x0501, 0x0201, 0x0403, 0x0503, 0x0203, 0x0402, 0x0202},
		PointFormats:     []uint8{0},
		SNI:              true,
		Source:           srcTestssl + `"Firefox 31.3.0 ESR Win 7" (SSL Labs getClients)`,
	},
	{
		ID: "safari-9-ios9", Name: "Safari", Version: "9", Platform: "iOS 9", Reference: true,
		MinVersion: TLS10, MaxVersion: TLS12,
		Suites:           safari9Suites,
		Extensions:       safari9Exts,
		Groups:           []uint16{0x0017, 0x0018, 0x0019},
		SignatureSchemes: []uint16{0x0501, 0x0401, 0x0201, 0x0503, 0x0403, 0x0203},
		PointFormats:     []uint8{0},
		ALPN:             []string{"h2", "h2-16", "h2-15", "h2-14", "spdy/3.1", "spdy/3", "http/1.1"},
		SNI:              true,
		MinDHBits:        768, MaxRSABits: 8192,
		Source: srcTestssl + `"Safari 9 iOS 9" (SSL Labs getClients)`,
	},
	{
		ID: "safari-9-osx10.11", Name: "Safari", Version: "9", Platform: "OS X 10.11", Reference: true,
		MinVersion: TLS10, MaxVersion: TLS12,
		Suites:           safari9Suites,
		Extensions:       safari9Exts,
		Groups:           []uint16{0x0017, 0x0018, 0x0019},
		SignatureSchemes: []uint16{0x0501, 0x0401, 0x0201, 0x0503, 0x0403, 0x0203},
		PointFormats:     []uint8{0},
		ALPN:             []string{"h2", "h2-16", "h2-15", "h2-14", "spdy/3.1", "spdy/3", "http/1.1"},
		SNI:              true,
		MinDHBits:        768, MaxRSABits: 8192,
		Source: srcTestssl + `"Safari 9 OS X 10.11" (SSL Labs getClients)`,
	},
	{
		// 0xCC13 is the pre-RFC ChaCha20-Poly1305 code point.
		ID: "chrome-49-xpsp3", Name: "Chrome", Version: "49", Platform: "XP SP3",
		MinVersion: TLS10, MaxVersion: TLS12,
		Suites: []uint16{0xC02F, 0xCCA8, 0xCC13, 0xC014, 0xC013, 0x009C, 0x0035, 0x002F, 0x000A},
		Extensions: []uint16{
			extRenegotiationInfo, extServerName, extExtendedMasterSecret, extSessionTicket,
			extSignatureAlgorithms, extStatusRequest, extNPN, extSCT, extALPN,
			extChannelID, extECPointFormats, extSupportedGroups,
		},
		Groups:           []uint16{0x0017, 0x0018},
		SignatureSchemes: []uint16{0x0601, 0x0603, 0x0501, 0x0503, 0x0401, 0x0403, 0x0301, 0x0303, 0x0201, 0x0203},
		PointFormats:     []uint8{0},
		ALPN:             []string{"h2", "spdy/3.1", "http/1.1"},
		SNI:              true,
		MinDHBits:        1024,
		Source:           srcTestssl + `"Chrome 49 XP SP3" (SSL Labs getClients)`,
	},
	{
		// No SNI and no TLS 1.1/1.2 on Windows XP; 0x0062-0x0064 are the
		// EXPORT1024 suites.
		ID: "ie-8-xp", Name: "IE", Version: "8", Platform: "XP",
		MinVersion: SSLv3, MaxVersion: TLS10,
		Suites:     []uint16{0x0004, 0x0005, 0x000A, 0x0009, 0x0064, 0x0062, 0x0003, 0x0006, 0x0013, 0x0012, 0x0063},
		Extensions: []uint16{extRenegotiationInfo},
		Source:     srcTestssl + `"IE 8 XP" (SSL Labs getClients)`,
	},
	{
		// An SSLv2-compatible hello announcing TLS 1.0, no extensions.
		ID: "java-6u45", Name: "Java", Version: "6u45",
		MinVersion: SSLv3, MaxVersion: TLS10,
		SSLv2Hello: true,
		SSLv2CipherSpecs: []uint32{
			0x000004, 0x010080, 0x000005, 0x00002F, 0x000033, 0x000032, 0x00000A,
			0x0700C0, 0x000016, 0x000013, 0x000009, 0x060040, 0x000015, 0x000012,
			0x000003, 0x020080, 0x000008, 0x000014, 0x000011, 0x0000FF,
		},
		Suites: []uint16{
			0x0004, 0x0005, 0x002F, 0x0033, 0x0032, 0x000A, 0x0016, 0x0013,
			0x0009, 0x0015, 0x0012, 0x0003, 0x0008, 0x0014, 0x0011, 0x00FF,
		},
		MaxDHBits: 1024,
		Source:    srcTestssl + `"Java 6u45" (SSL Labs getClients)`,
	},
}
