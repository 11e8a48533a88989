package probe

import (
	"crypto/rand"

	"padlock/registry"
	"padlock/tlswire"
)

// hello describes one ClientHello. The zero value of each field means "the
// usual": the prober varies one thing at a time from a full, modern hello.
type hello struct {
	version registry.Protocol // highest version offered
	suites  []uint16
	sni     string

	// groups for supported_groups; nil means every group valid for version.
	groups []uint16
	// keyShares are the TLS 1.3 key_share entries; nil means the default
	// (X25519 and P-256); a non-nil empty slice sends an empty list, which
	// makes the server answer with a HelloRetryRequest naming its group.
	keyShares []uint16

	// legacyVersion, when set, is sent as the hello's version field with
	// no supported_versions extension (version intolerance tests).
	legacyVersion uint16
	// noCompression offers only the null compression method.
	noCompression bool
	// minimal leaves out every optional extension (session ticket, OCSP
	// status request, ALPN, extended master secret, encrypt-then-MAC, SCT,
	// heartbeat) and DEFLATE, for servers that refuse hellos carrying one
	// of them.
	minimal bool
}

// signatureSchemes offered in every TLS 1.2 and 1.3 hello: everything a
// server might sign with, so that no handshake fails for want of one.
var signatureSchemes = []uint16{
	0x0403, 0x0503, 0x0603, // ecdsa_secp256r1_sha256 … secp521r1_sha512
	0x0807, 0x0808, // ed25519, ed448
	0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256 … sha512
	0x0809, 0x080a, 0x080b, // rsa_pss_pss_sha256 … sha512
	0x081a, 0x081b, 0x081c, // ecdsa_brainpoolP256r1tls13_sha256 …
	0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256 … sha512
	0x0303, 0x0301, 0x0302, // sha224 with ecdsa, rsa, dsa
	0x0203, 0x0201, 0x0202, // sha1 with ecdsa, rsa, dsa
	0x0402, 0x0502, 0x0602, // dsa with sha256 … sha512
	0x0101, 0x0102, 0x0103, // md5 with rsa, dsa, ecdsa
	0x0709, 0x070a, 0x070b, 0x070c, 0x070d, 0x070e, 0x070f, // GOST R 34.10-2012
}

// groupsFor lists the groups offered at a version: the elliptic curves for
// ECDHE up to TLS 1.2; for TLS 1.3 also the FFDHE and post-quantum groups.
func groupsFor(v registry.Protocol) []uint16 {
	var ids []uint16
	for _, g := range registry.Groups() {
		switch g.Kind {
		case registry.GroupECDHE, registry.GroupX:
			ids = append(ids, g.ID)
		case registry.GroupFFDHE, registry.GroupHybrid, registry.GroupPQ:
			if v >= registry.TLS13 {
				ids = append(ids, g.ID)
			}
		}
	}
	return ids
}

// preferredGroups puts the groups a modern client would use first, so that
// a server choosing by client order picks what real clients get.
var preferredGroups = []uint16{0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x11ec}

func orderGroups(ids []uint16) []uint16 {
	out := make([]uint16, 0, len(ids))
	seen := make(map[uint16]bool, len(ids))
	have := make(map[uint16]bool, len(ids))
	for _, id := range ids {
		have[id] = true
	}
	for _, id := range preferredGroups {
		if have[id] {
			out = append(out, id)
			seen[id] = true
		}
	}
	for _, id := range ids {
		if !seen[id] {
			out = append(out, id)
		}
	}
	return out
}

// marshal builds the records of the hello.
func (h *hello) marshal(keys *keyShares) ([]byte, error) {
	m := &tlswire.ClientHello{
		Version:            uint16(h.version),
		CipherSuites:       h.suites,
		CompressionMethods: []uint8{0},
		Extensions:         []tlswire.Extension{},
	}
	if !h.noCompression && !h.minimal && h.version < registry.TLS13 {
		m.CompressionMethods = []uint8{1, 0} // DEFLATE first: tells us if the server compresses
	}
	if _, err := rand.Read(m.Random[:]); err != nil {
		return nil, err
	}
	recordVersion := uint16(registry.TLS10)
	if h.version == registry.SSLv3 {
		recordVersion = uint16(registry.SSLv3)
	}
	if h.version >= registry.TLS13 {
		m.Version = uint16(registry.TLS12)
		m.SessionID = make([]byte, 32) // middlebox compatibility mode
		if _, err := rand.Read(m.SessionID); err != nil {
			return nil, err
		}
	}
	if h.legacyVersion != 0 {
		m.Version = h.legacyVersion
	}

	groups := h.groups
	if groups == nil {
		groups = orderGroups(groupsFor(h.version))
	}
	ext := func(e tlswire.Extension) { m.Extensions = append(m.Extensions, e) }
	if h.sni != "" {
		ext(tlswire.ServerName(h.sni))
	}
	ext(tlswire.SupportedGroups(groups))
	ext(tlswire.ECPointFormats(0))
	if h.version >= registry.TLS12 || h.legacyVersion != 0 {
		ext(tlswire.SignatureAlgorithms(signatureSchemes))
	}
	ext(tlswire.RenegotiationInfo(nil))
	if !h.minimal {
		ext(tlswire.Empty(tlswire.ExtSessionTicket))
		ext(tlswire.StatusRequest())
		ext(tlswire.ALPN([]string{"h2", "http/1.1"}))
		ext(tlswire.Empty(tlswire.ExtExtendedMasterSecret))
		ext(tlswire.Empty(tlswire.ExtEncryptThenMAC))
		ext(tlswire.Empty(tlswire.ExtSCT))
		ext(tlswire.Heartbeat(1))
	}
	if h.version >= registry.TLS13 && h.legacyVersion == 0 {
		ext(tlswire.SupportedVersions([]uint16{uint16(registry.TLS13)}))
		ext(tlswire.PSKKeyExchangeModes(1))
		shares := h.keyShares
		if shares == nil {
			shares = []uint16{0x001d, 0x0017}
		}
		ks := make([]tlswire.KeyShare, 0, len(shares))
		for _, g := range shares {
			data, err := keys.public(g)
			if err != nil {
				return nil, err
			}
			ks = append(ks, tlswire.KeyShare{Group: g, Data: data})
		}
		ext(tlswire.KeyShares(ks))
	}

	body, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	// Some servers (an F5 bug among them) choke on hellos of 256 to 511
	// bytes; the padding extension (RFC 7685) steps over that range.
	if n := len(body); n >= 256 && n < 512 {
		pad := 512 - n - 4
		if pad < 1 {
			pad = 1
		}
		m.Extensions = append(m.Extensions, tlswire.Padding(pad))
		if body, err = m.Marshal(); err != nil {
			return nil, err
		}
	}
	var out []byte
	for _, r := range tlswire.Fragment(tlswire.TypeHandshake, recordVersion, body, 0) {
		out = append(out, r.Marshal()...)
	}
	return out, nil
}
