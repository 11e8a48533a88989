package tlswire

import (
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// ExtensionType is a TLS extension code point (IANA "TLS ExtensionType
// Values").
type ExtensionType uint16

// Extension code points.
const (
	ExtServerName              ExtensionType = 0     // RFC 6066
	ExtMaxFragmentLength       ExtensionType = 1     // RFC 6066
	ExtTruncatedHMAC           ExtensionType = 4     // RFC 6066
	ExtStatusRequest           ExtensionType = 5     // RFC 6066
	ExtSupportedGroups         ExtensionType = 10    // RFC 8422, RFC 7919
	ExtECPointFormats          ExtensionType = 11    // RFC 8422
	ExtSRP                     ExtensionType = 12    // RFC 5054
	ExtSignatureAlgorithms     ExtensionType = 13    // RFC 8446
	ExtUseSRTP                 ExtensionType = 14    // RFC 5764
	ExtHeartbeat               ExtensionType = 15    // RFC 6520
	ExtALPN                    ExtensionType = 16    // RFC 7301
	ExtStatusRequestV2         ExtensionType = 17    // RFC 6961
	ExtSCT                     ExtensionType = 18    // RFC 6962
	ExtPadding                 ExtensionType = 21    // RFC 7685
	ExtEncryptThenMAC          ExtensionType = 22    // RFC 7366
	ExtExtendedMasterSecret    ExtensionType = 23    // RFC 7627
	ExtCompressCertificate     ExtensionType = 27    // RFC 8879
	ExtRecordSizeLimit         ExtensionType = 28    // RFC 8449
	ExtSessionTicket           ExtensionType = 35    // RFC 5077
	ExtPreSharedKey            ExtensionType = 41    // RFC 8446
	ExtEarlyData               ExtensionType = 42    // RFC 8446
	ExtSupportedVersions       ExtensionType = 43    // RFC 8446
	ExtCookie                  ExtensionType = 44    // RFC 8446
	ExtPSKModes                ExtensionType = 45    // RFC 8446
	ExtCertificateAuthorities  ExtensionType = 47    // RFC 8446
	ExtPostHandshakeAuth       ExtensionType = 49    // RFC 8446
	ExtSignatureAlgorithmsCert ExtensionType = 50    // RFC 8446
	ExtKeyShare                ExtensionType = 51    // RFC 8446
	ExtQUICTransportParameters ExtensionType = 57    // RFC 9001
	ExtNextProtoNeg            ExtensionType = 13172 // draft-agl-tls-nextprotoneg
	ExtEncryptedClientHello    ExtensionType = 0xfe0d
	ExtRenegotiationInfo       ExtensionType = 0xff01 // RFC 5746
)

var extensionNames = map[ExtensionType]string{
	ExtServerName:              "server_name",
	ExtMaxFragmentLength:       "max_fragment_length",
	ExtTruncatedHMAC:           "truncated_hmac",
	ExtStatusRequest:           "status_request",
	ExtSupportedGroups:         "supported_groups",
	ExtECPointFormats:          "ec_point_formats",
	ExtSRP:                     "srp",
	ExtSignatureAlgorithms:     "signature_algorithms",
	ExtUseSRTP:                 "use_srtp",
	ExtHeartbeat:               "heartbeat",
	ExtALPN:                    "application_layer_protocol_negotiation",
	ExtStatusRequestV2:         "status_request_v2",
	ExtSCT:                     "signed_certificate_timestamp",
	ExtPadding:                 "padding",
	ExtEncryptThenMAC:          "encrypt_then_mac",
	ExtExtendedMasterSecret:    "extended_master_secret",
	ExtCompressCertificate:     "compress_certificate",
	ExtRecordSizeLimit:         "record_size_limit",
	ExtSessionTicket:           "session_ticket",
	ExtPreSharedKey:            "pre_shared_key",
	ExtEarlyData:               "early_data",
	ExtSupportedVersions:       "supported_versions",
	ExtCookie:                  "cookie",
	ExtPSKModes:                "psk_key_exchange_modes",
	ExtCertificateAuthorities:  "certificate_authorities",
	ExtPostHandshakeAuth:       "post_handshake_auth",
	ExtSignatureAlgorithmsCert: "signature_algorithms_cert",
	ExtKeyShare:                "key_share",
	ExtQUICTransportParameters: "quic_transport_parameters",
	ExtNextProtoNeg:            "next_protocol_negotiation",
	ExtEncryptedClientHello:    "encrypted_client_hello",
	ExtRenegotiationInfo:       "renegotiation_info",
}

// String returns the IANA name of t ("key_share"), "GREASE(0x0a0a)" for
// GREASE values and "extension(0x1234)" for other unknown values.
func (t ExtensionType) String() string {
	if s, ok := extensionNames[t]; ok {
		return s
	}
	if IsGREASE(uint16(t)) {
		return fmt.Sprintf("GREASE(%#04x)", uint16(t))
	}
	return fmt.Sprintf("extension(%#04x)", uint16(t))
}

// Heartbeat modes (RFC 6520 §2).
const (
	HeartbeatPeerAllowedToSend    uint8 = 1
	HeartbeatPeerNotAllowedToSend uint8 = 2
)

// PSK key exchange modes (RFC 8446 §4.2.9).
const (
	PSKModeKE    uint8 = 0
	PSKModeDHEKE uint8 = 1
)

// EC point formats (RFC 8422 §5.1.2).
const (
	PointFormatUncompressed            uint8 = 0
	PointFormatANSIX962CompressedPrime uint8 = 1
	PointFormatANSIX962CompressedChar2 uint8 = 2
)

// Extension is one extension as it appears in a hello message: a type and
// its opaque extension_data.
type Extension struct {
	Type ExtensionType
	Data []byte
}

// KeyShare is a KeyShareEntry (RFC 8446 §4.2.8).
type KeyShare struct {
	Group uint16
	Data  []byte // key_exchange
}

// build runs f on a fresh builder and returns the bytes, panicking with a
// clear message if a value overflowed its length prefix. It is used only by
// the extension constructors, whose arguments come from the prober itself.
func build(what string, f func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	f(&b)
	out, err := b.Bytes()
	if err != nil {
		panic("tlswire: cannot encode " + what + " extension: " + err.Error())
	}
	return out
}

func addUint16List(b *cryptobyte.Builder, vs []uint16) {
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, v := range vs {
			b.AddUint16(v)
		}
	})
}

// ServerName returns a server_name extension (RFC 6066 §3) holding a single
// host_name entry. host is encoded as given: RFC 6066 wants an ASCII
// hostname without a trailing dot and forbids IP literals, but a prober may
// want to send anything.
func ServerName(host string) Extension {
	return Extension{Type: ExtServerName, Data: build("server_name", func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint8(0) // name_type host_name
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddBytes([]byte(host))
			})
		})
	})}
}

// SupportedGroups returns a supported_groups extension (RFC 8422 §5.1.1,
// RFC 8446 §4.2.7) listing groups in order.
func SupportedGroups(groups []uint16) Extension {
	return Extension{Type: ExtSupportedGroups, Data: build("supported_groups", func(b *cryptobyte.Builder) {
		addUint16List(b, groups)
	})}
}

// ECPointFormats returns an ec_point_formats extension (RFC 8422 §5.1.2).
func ECPointFormats(formats ...uint8) Extension {
	return Extension{Type: ExtECPointFormats, Data: build("ec_point_formats", func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddBytes(formats)
		})
	})}
}

// SignatureAlgorithms returns a signature_algorithms extension (RFC 8446
// §4.2.3; for TLS 1.2 the uint16 values are SignatureAndHashAlgorithm pairs).
func SignatureAlgorithms(schemes []uint16) Extension {
	return Extension{Type: ExtSignatureAlgorithms, Data: build("signature_algorithms", func(b *cryptobyte.Builder) {
		addUint16List(b, schemes)
	})}
}

// SignatureAlgorithmsCert returns a signature_algorithms_cert extension
// (RFC 8446 §4.2.3).
func SignatureAlgorithmsCert(schemes []uint16) Extension {
	return Extension{Type: ExtSignatureAlgorithmsCert, Data: build("signature_algorithms_cert", func(b *cryptobyte.Builder) {
		addUint16List(b, schemes)
	})}
}

// SupportedVersions returns the ClientHello form of the supported_versions
// extension (RFC 8446 §4.2.1): a list of at most 127 versions.
func SupportedVersions(versions []uint16) Extension {
	return Extension{Type: ExtSupportedVersions, Data: build("supported_versions", func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, v := range versions {
				b.AddUint16(v)
			}
		})
	})}
}

// KeyShares returns the ClientHello form of the key_share extension (RFC
// 8446 §4.2.8). An empty list is valid: it asks the server for a
// HelloRetryRequest.
func KeyShares(shares []KeyShare) Extension {
	return Extension{Type: ExtKeyShare, Data: build("key_share", func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, ks := range shares {
				b.AddUint16(ks.Group)
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddBytes(ks.Data)
				})
			}
		})
	})}
}

// ALPN returns an application_layer_protocol_negotiation extension (RFC 7301
// §3.1) offering protocols in order. Names longer than 255 bytes panic;
// empty names, which RFC 7301 forbids, are encoded as given.
func ALPN(protocols []string) Extension {
	return Extension{Type: ExtALPN, Data: build("ALPN", func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, p := range protocols {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
					b.AddBytes([]byte(p))
				})
			}
		})
	})}
}

// StatusRequest returns a status_request extension (RFC 6066 §8) asking for
// an OCSP staple, with no responder IDs and no request extensions.
func StatusRequest() Extension {
	return Extension{Type: ExtStatusRequest, Data: []byte{
		1,    // status_type ocsp
		0, 0, // responder_id_list
		0, 0, // request_extensions
	}}
}

// RenegotiationInfo returns a renegotiation_info extension (RFC 5746 §3.2)
// carrying verifyData; an initial handshake sends an empty one.
func RenegotiationInfo(verifyData []byte) Extension {
	return Extension{Type: ExtRenegotiationInfo, Data: build("renegotiation_info", func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddBytes(verifyData)
		})
	})}
}

// Heartbeat returns a heartbeat extension (RFC 6520 §2) with the given mode,
// HeartbeatPeerAllowedToSend or HeartbeatPeerNotAllowedToSend.
func Heartbeat(mode uint8) Extension {
	return Extension{Type: ExtHeartbeat, Data: []byte{mode}}
}

// Padding returns a padding extension (RFC 7685) with n zero bytes of data
// (none if n ≤ 0). n must not exceed 65535.
func Padding(n int) Extension {
	if n > 0xffff {
		panic(fmt.Sprintf("tlswire: cannot encode padding extension: %d bytes exceed 65535", n))
	}
	return Extension{Type: ExtPadding, Data: make([]byte, max(n, 0))}
}

// PSKKeyExchangeModes returns a psk_key_exchange_modes extension (RFC 8446
// §4.2.9), e.g. PSKKeyExchangeModes(PSKModeDHEKE).
func PSKKeyExchangeModes(modes ...uint8) Extension {
	return Extension{Type: ExtPSKModes, Data: build("psk_key_exchange_modes", func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddBytes(modes)
		})
	})}
}

// Empty returns an extension of type t with empty extension_data, as sent for
// extended_master_secret, encrypt_then_mac, signed_certificate_timestamp, a
// fresh session_ticket, post_handshake_auth or next_protocol_negotiation.
func Empty(t ExtensionType) Extension {
	return Extension{Type: t, Data: []byte{}}
}

// addExtensions appends a uint16-prefixed extension block.
func addExtensions(b *cryptobyte.Builder, exts []Extension) {
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, e := range exts {
			b.AddUint16(uint16(e.Type))
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddBytes(e.Data)
			})
		}
	})
}

// readExtensions reads a uint16-prefixed extension block from s. If
// noDuplicates is set, a repeated extension type is an error. The returned
// slice is non-nil even when the block is empty; data aliases s.
func readExtensions(s *cryptobyte.String, msg string, noDuplicates bool) ([]Extension, error) {
	var block cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&block) {
		return nil, malformed(msg, "truncated extensions block")
	}
	exts := []Extension{}
	var seen map[ExtensionType]bool
	if noDuplicates {
		seen = make(map[ExtensionType]bool)
	}
	for !block.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !block.ReadUint16(&typ) || !block.ReadUint16LengthPrefixed(&data) {
			return nil, malformed(msg, "truncated extension after %d complete ones", len(exts))
		}
		t := ExtensionType(typ)
		if noDuplicates {
			if seen[t] {
				return nil, malformed(msg, "duplicate %s extension", t)
			}
			seen[t] = true
		}
		exts = append(exts, Extension{Type: t, Data: []byte(data)})
	}
	return exts, nil
}

// ParseExtensions parses a complete extension block, including its 2-byte
// length prefix, as found in EncryptedExtensions or a CertificateEntry. It
// rejects duplicate types and trailing bytes.
func ParseExtensions(b []byte) ([]Extension, error) {
	s := cryptobyte.String(b)
	exts, err := readExtensions(&s, "extension block", true)
	if err != nil {
		return nil, err
	}
	if !s.Empty() {
		return nil, malformed("extension block", "%d trailing bytes", len(s))
	}
	return exts, nil
}

// findExtension returns the data of the first extension of type t.
func findExtension(exts []Extension, t ExtensionType) ([]byte, bool) {
	for _, e := range exts {
		if e.Type == t {
			return e.Data, true
		}
	}
	return nil, false
}

// ParseSupportedVersionServer parses the ServerHello form of
// supported_versions (RFC 8446 §4.2.1): a single selected version.
func ParseSupportedVersionServer(data []byte) (uint16, error) {
	s := cryptobyte.String(data)
	var v uint16
	if !s.ReadUint16(&v) || !s.Empty() {
		return 0, malformed("supported_versions extension", "want 2 bytes, got %d", len(data))
	}
	return v, nil
}

// ParseKeyShareServer parses the ServerHello form of key_share (RFC 8446
// §4.2.8): a single KeyShareEntry, or in a HelloRetryRequest (hrr set) only
// the selected group, in which case Data is nil. Data aliases data.
func ParseKeyShareServer(data []byte, hrr bool) (KeyShare, error) {
	const msg = "key_share extension"
	s := cryptobyte.String(data)
	var ks KeyShare
	if !s.ReadUint16(&ks.Group) {
		return KeyShare{}, malformed(msg, "truncated group")
	}
	if hrr {
		if !s.Empty() {
			return KeyShare{}, malformed(msg, "%d bytes after the group in a HelloRetryRequest", len(s))
		}
		return ks, nil
	}
	if !s.ReadUint16LengthPrefixed((*cryptobyte.String)(&ks.Data)) {
		return KeyShare{}, malformed(msg, "truncated key_exchange")
	}
	if len(ks.Data) == 0 {
		return KeyShare{}, malformed(msg, "empty key_exchange")
	}
	if !s.Empty() {
		return KeyShare{}, malformed(msg, "%d trailing bytes", len(s))
	}
	return ks, nil
}

// ParseKeySharesClient parses the ClientHello form of key_share: a list of
// KeyShareEntry values. Data fields alias data.
func ParseKeySharesClient(data []byte) ([]KeyShare, error) {
	const msg = "key_share extension"
	s := cryptobyte.String(data)
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || !s.Empty() {
		return nil, malformed(msg, "bad client_shares length")
	}
	shares := []KeyShare{}
	for !list.Empty() {
		var ks KeyShare
		if !list.ReadUint16(&ks.Group) || !list.ReadUint16LengthPrefixed((*cryptobyte.String)(&ks.Data)) {
			return nil, malformed(msg, "truncated entry %d", len(shares))
		}
		if len(ks.Data) == 0 {
			return nil, malformed(msg, "entry %d has an empty key_exchange", len(shares))
		}
		shares = append(shares, ks)
	}
	return shares, nil
}

// ParseALPNServer parses the ServerHello or EncryptedExtensions form of
// application_layer_protocol_negotiation (RFC 7301 §3.1): exactly one
// non-empty protocol name.
func ParseALPNServer(data []byte) (string, error) {
	protos, err := ParseALPNClient(data)
	if err != nil {
		return "", err
	}
	if len(protos) != 1 {
		return "", malformed("ALPN extension", "server selected %d protocols, want 1", len(protos))
	}
	return protos[0], nil
}

// ParseALPNClient parses the ClientHello form of
// application_layer_protocol_negotiation: a non-empty list of non-empty
// protocol names.
func ParseALPNClient(data []byte) ([]string, error) {
	const msg = "ALPN extension"
	s := cryptobyte.String(data)
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || !s.Empty() {
		return nil, malformed(msg, "bad protocol_name_list length")
	}
	if list.Empty() {
		return nil, malformed(msg, "empty protocol_name_list")
	}
	var protos []string
	for !list.Empty() {
		var p cryptobyte.String
		if !list.ReadUint8LengthPrefixed(&p) {
			return nil, malformed(msg, "truncated protocol name %d", len(protos))
		}
		if p.Empty() {
			return nil, malformed(msg, "empty protocol name %d", len(protos))
		}
		protos = append(protos, string(p))
	}
	return protos, nil
}

// ParseRenegotiationInfo parses renegotiation_info (RFC 5746 §3.2) and
// returns renegotiated_connection, which is empty on an initial handshake.
// The result aliases data.
func ParseRenegotiationInfo(data []byte) ([]byte, error) {
	s := cryptobyte.String(data)
	var rc []byte
	if !s.ReadUint8LengthPrefixed((*cryptobyte.String)(&rc)) || !s.Empty() {
		return nil, malformed("renegotiation_info extension", "bad renegotiated_connection length")
	}
	return rc, nil
}

// ParseHeartbeat parses a heartbeat extension (RFC 6520 §2) and returns its
// mode. Modes other than 1 and 2 are an error.
func ParseHeartbeat(data []byte) (uint8, error) {
	if len(data) != 1 {
		return 0, malformed("heartbeat extension", "want 1 byte, got %d", len(data))
	}
	if m := data[0]; m != HeartbeatPeerAllowedToSend && m != HeartbeatPeerNotAllowedToSend {
		return 0, malformed("heartbeat extension", "unknown mode %d", m)
	}
	return data[0], nil
}

// ParseECPointFormats parses an ec_point_formats extension (RFC 8422
// §5.1.2): a non-empty list of formats. The result aliases data.
func ParseECPointFormats(data []byte) ([]uint8, error) {
	s := cryptobyte.String(data)
	var list []byte
	if !s.ReadUint8LengthPrefixed((*cryptobyte.String)(&list)) || !s.Empty() {
		return nil, malformed("ec_point_formats extension", "bad ec_point_format_list length")
	}
	if len(list) == 0 {
		return nil, malformed("ec_point_formats extension", "empty ec_point_format_list")
	}
	return list, nil
}

// readUint16List parses a non-empty uint16-prefixed list of uint16 values
// that must fill data exactly.
func readUint16List(data []byte, msg string) ([]uint16, error) {
	s := cryptobyte.String(data)
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || !s.Empty() {
		return nil, malformed(msg, "bad list length")
	}
	if list.Empty() || len(list)%2 != 0 {
		return nil, malformed(msg, "list length %d is not a positive even number", len(list))
	}
	vs := make([]uint16, 0, len(list)/2)
	for !list.Empty() {
		var v uint16
		list.ReadUint16(&v)
		vs = append(vs, v)
	}
	return vs, nil
}

// ParseSupportedGroups parses a supported_groups extension (RFC 8446
// §4.2.7), which TLS 1.3 servers may send in EncryptedExtensions.
func ParseSupportedGroups(data []byte) ([]uint16, error) {
	return readUint16List(data, "supported_groups extension")
}

// ParseSignatureAlgorithms parses a signature_algorithms or
// signature_algorithms_cert extension (RFC 8446 §4.2.3).
func ParseSignatureAlgorithms(data []byte) ([]uint16, error) {
	return readUint16List(data, "signature_algorithms extension")
}

// ParseSupportedVersionsClient parses the ClientHello form of
// supported_versions: a non-empty list of at most 127 versions.
func ParseSupportedVersionsClient(data []byte) ([]uint16, error) {
	const msg = "supported_versions extension"
	s := cryptobyte.String(data)
	var list cryptobyte.String
	if !s.ReadUint8LengthPrefixed(&list) || !s.Empty() {
		return nil, malformed(msg, "bad versions length")
	}
	if list.Empty() || len(list)%2 != 0 {
		return nil, malformed(msg, "versions length %d is not a positive even number", len(list))
	}
	vs := make([]uint16, 0, len(list)/2)
	for !list.Empty() {
		var v uint16
		list.ReadUint16(&v)
		vs = append(vs, v)
	}
	return vs, nil
}

// ParseServerName parses the ClientHello form of server_name (RFC 6066 §3)
// and returns the first host_name entry. (A server acknowledges SNI with an
// empty server_name extension, which needs no parsing.)
func ParseServerName(data []byte) (string, error) {
	const msg = "server_name extension"
	s := cryptobyte.String(data)
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || !s.Empty() {
		return "", malformed(msg, "bad server_name_list length")
	}
	if list.Empty() {
		return "", malformed(msg, "empty server_name_list")
	}
	host, found := "", false
	for !list.Empty() {
		var nameType uint8
		var name cryptobyte.String
		if !list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed(&name) {
			return "", malformed(msg, "truncated entry")
		}
		if nameType == 0 && !found {
			if name.Empty() {
				return "", malformed(msg, "empty host_name")
			}
			host, found = string(name), true
		}
	}
	if !found {
		return "", malformed(msg, "no host_name entry")
	}
	return host, nil
}

// ParseSCTList parses a signed_certificate_timestamp extension (RFC 6962
// §3.3): a non-empty list of non-empty serialized SCTs, which alias data.
func ParseSCTList(data []byte) ([][]byte, error) {
	const msg = "signed_certificate_timestamp extension"
	s := cryptobyte.String(data)
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || !s.Empty() {
		return nil, malformed(msg, "bad sct_list length")
	}
	if list.Empty() {
		return nil, malformed(msg, "empty sct_list")
	}
	var scts [][]byte
	for !list.Empty() {
		var sct []byte
		if !list.ReadUint16LengthPrefixed((*cryptobyte.String)(&sct)) {
			return nil, malformed(msg, "truncated SCT %d", len(scts))
		}
		if len(sct) == 0 {
			return nil, malformed(msg, "empty SCT %d", len(scts))
		}
		scts = append(scts, sct)
	}
	return scts, nil
}
