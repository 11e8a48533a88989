package assess

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"padlock/pki"
	"padlock/probe"
	"padlock/registry"
)

// FromProbe converts one probe result, and the error probe.Run returned with
// it, into an Endpoint. res may be nil (when the probe never ran); err
// decides the status message:
//
//   - nil: "Ready", or "No secure protocols supported" when no protocol
//     completed a handshake;
//   - probe.ErrUnreachable: "Unable to connect to the server";
//   - context.DeadlineExceeded: "Assessment time budget exceeded";
//   - context.Canceled: "Assessment cancelled";
//   - anything else: the error's text.
//
// Whatever the prober learned is kept in Details even when the status is
// not "Ready". HostStartTime is the probe's start; Assess replaces it with
// the host's. The certificate chains are judged by package pki with its
// defaults: offline (no AIA fetching), against the embedded Mozilla root
// store, now, for the server name the probe sent (else its host, else its
// address). FromProbe does not grade; Assess does.
func FromProbe(res *probe.Result, err error) Endpoint {
	ep, _ := fromProbe(context.Background(), res, err, "", pki.Options{})
	return ep
}

// fromProbe is FromProbe with the certificates judged for name ("" picks
// as FromProbe does) with opts; it also returns that analysis (nil without
// a result).
func fromProbe(ctx context.Context, res *probe.Result, err error, name string, opts pki.Options) (Endpoint, *pki.Report) {
	ep := Endpoint{StatusMessage: MsgReady, Progress: 100}
	var rep *pki.Report
	if res != nil {
		ep.IPAddress = addrString(res.Endpoint)
		ep.Duration = res.Duration.Milliseconds()
		ep.Details = details(res)
		if name == "" {
			name = probeCertName(res)
		}
		rep = analyzeCerts(ctx, res, name, opts)
		applyCerts(ep.Details, rep, res.Endpoint.SNI)
	}
	switch {
	case err == nil && rep != nil && rep.Incomplete != "":
		// The budget (or the caller) ended the certificate analysis: no
		// verdict from half a judgement.
		ep.StatusMessage, ep.PadlockFailure = MsgBudgetExceeded, FailBudget
		if errors.Is(ctx.Err(), context.Canceled) {
			ep.StatusMessage, ep.PadlockFailure = MsgCancelled, FailCancelled
		}
		ep.Details.PadlockErrors = append(ep.Details.PadlockErrors, rep.Incomplete)
	case err == nil:
		if ep.Details == nil || len(ep.Details.Protocols) == 0 {
			ep.StatusMessage, ep.PadlockFailure = MsgNoSecureProtocol, FailNoTLS
			if res != nil && slices.ContainsFunc(res.Protocols, func(p probe.ProtocolSupport) bool { return p.Inconclusive != "" }) {
				// A reset or a timeout is not a refusal: no U from it.
				ep.StatusMessage, ep.PadlockFailure = MsgNoAnswer, FailNoAnswer
			}
		}
	case errors.Is(err, probe.ErrUnreachable):
		ep.StatusMessage, ep.PadlockFailure = MsgUnreachable, FailUnreachable
	case errors.Is(err, context.DeadlineExceeded):
		ep.StatusMessage, ep.PadlockFailure = MsgBudgetExceeded, FailBudget
	case errors.Is(err, context.Canceled):
		ep.StatusMessage, ep.PadlockFailure = MsgCancelled, FailCancelled
	default:
		ep.StatusMessage, ep.PadlockFailure = err.Error(), FailProbe
	}
	if err != nil && ep.Details != nil {
		ep.Details.PadlockErrors = append(ep.Details.PadlockErrors, err.Error())
	}
	return ep, rep
}

func addrString(e probe.Endpoint) string {
	if !e.IP.IsValid() {
		return ""
	}
	return e.IP.Unmap().WithZone("").String()
}

// details builds the EndpointDetails of one probe result.
func details(res *probe.Result) *EndpointDetails {
	d := &EndpointDetails{
		HostStartTime:      res.Started.UnixMilli(),
		CertChains:         []CertChain{},
		Protocols:          []Protocol{},
		Suites:             []ProtocolSuites{},
		PadlockConnections: res.Connections,
		PadlockErrors:      slices.Clone(res.Errors),
		SNIRequired:        res.SNIRequired,
	}
	for _, p := range res.Protocols {
		t := ProtocolTest{Protocol: ProtocolID(p.Protocol), Supported: p.Supported, Inconclusive: p.Inconclusive}
		if p.Negotiated != 0 {
			t.Negotiated = ProtocolID(p.Negotiated)
		}
		d.PadlockProtocolTests = append(d.PadlockProtocolTests, t)
		if p.Supported {
			d.Protocols = append(d.Protocols, Protocol{ID: ProtocolID(p.Protocol), Name: p.Protocol.Family(), Version: p.Protocol.Version()})
		}
	}

	keys := newLeafKeys(res)
	for _, ps := range res.Suites {
		d.Suites = append(d.Suites, protocolSuites(ps, keys))
	}
	suiteFacts(d, res)
	d.Sims = simulations(res, keys)
	d.NamedGroups = namedGroups(res.Groups)
	if res.Groups.Via != 0 {
		d.PadlockGroupsVia = ProtocolID(res.Groups.Via)
	}
	extensions(d, res)
	for _, in := range res.Intolerance {
		d.PadlockIntolerance = append(d.PadlockIntolerance, Intolerance{Version: int(in.Version), Label: in.Label, Reason: in.Reason})
		d.ProtocolIntolerance |= intoleranceBit(in.Version)
	}
	classicIntolerance(d, res)
	return d
}

// classicIntolerance sets the TLS 1.0–1.2 bits of ProtocolIntolerance: a
// version above the best one the server accepts (up to TLS 1.2) whose
// hello it refused outright, where a tolerant server negotiates down.
func classicIntolerance(d *EndpointDetails, res *probe.Result) {
	var best registry.Protocol
	for _, p := range res.Protocols {
		if p.Supported && p.Protocol <= registry.TLS12 && p.Protocol != registry.SSLv2 {
			best = max(best, p.Protocol)
		}
	}
	if best == 0 {
		return
	}
	for _, p := range res.Protocols {
		if p.Protocol <= best || p.Protocol > registry.TLS12 || p.Supported || p.Negotiated != 0 || p.Inconclusive != "" {
			continue
		}
		d.ProtocolIntolerance |= intoleranceBit(p.Protocol)
		d.PadlockIntolerance = append(d.PadlockIntolerance, Intolerance{Version: int(p.Protocol), Label: p.Protocol.String(),
			Reason: fmt.Sprintf("refused a %v hello instead of negotiating down to %v", p.Protocol, best)})
	}
}

// intoleranceBit maps a version number to SSL Labs' protocolIntolerance bit.
func intoleranceBit(v registry.Protocol) int {
	switch v {
	case registry.TLS10:
		return 1
	case registry.TLS11:
		return 2
	case registry.TLS12:
		return 4
	case registry.TLS13:
		return 8
	case 0x0398:
		return 16
	case 0x0498:
		return 32
	}
	return 0
}

func boolPtr(b bool) *bool { return &b }

func protocolSuites(ps probe.ProtocolSuites, keys *leafKeys) ProtocolSuites {
	out := ProtocolSuites{
		Protocol:            ProtocolID(ps.Protocol),
		List:                []Suite{},
		PadlockInconclusive: ps.Inconclusive,
		PadlockChunked:      ps.Chunked,
		ChaCha20Preference:  ps.ChaCha20Preference,
	}
	if ps.PreferenceKnown {
		out.Preference = boolPtr(ps.ServerPreference)
	}
	for _, a := range ps.Suites {
		out.List = append(out.List, suite(ps.Protocol, a, keys))
	}
	return out
}

// suite describes one accepted suite with its key exchange, following SSL
// Labs: kxType "RSA", "DH" or "ECDH"; kxStrength in RSA-equivalent bits.
func suite(p registry.Protocol, a probe.AcceptedSuite, keys *leafKeys) Suite {
	if p == registry.SSLv2 {
		s := Suite{ID: a.ID, Name: fmt.Sprintf("SSL_CK_UNKNOWN_0x%06X", a.ID), KxType: "RSA", KxStrength: keys.rsaBits(p)}
		if c, ok := registry.SSLv2CipherByID(a.ID); ok {
			s.Name, s.CipherStrength = c.Name, c.Bits
		}
		return s
	}
	s := Suite{ID: a.ID, Name: fmt.Sprintf("UNKNOWN_0x%04X", a.ID)}
	rs, ok := a.Suite()
	if !ok {
		return s
	}
	s.Name, s.CipherStrength = rs.Name, rs.Bits

	// The parameters the server actually sent decide first.
	switch {
	case a.DH != nil:
		s.KxType = "DH"
		s.KxStrength = a.DH.Bits
		s.DHP, s.DHG, s.DHYs = len(trimZeros(a.DH.Prime)), len(trimZeros(a.DH.Generator)), a.DH.PublicLen
		s.PadlockDHGroup = a.DH.KnownName
		return s
	case a.Group != 0:
		setGroup(&s, a.Group)
		return s
	case a.RSAExportBits > 0:
		s.KxType, s.KxStrength = "RSA", a.RSAExportBits
		return s
	}
	switch rs.Kx {
	case registry.KxRSA, registry.KxRSAPSK:
		s.KxType, s.KxStrength = "RSA", keys.rsaBits(p)
	case registry.KxDH, registry.KxDHE, registry.KxDHEPSK:
		s.KxType = "DH"
	case registry.KxECDH, registry.KxECDHE, registry.KxECDHEPSK:
		s.KxType = "ECDH"
	case registry.KxPSK:
		s.KxType = "PSK"
	case registry.KxSRP:
		s.KxType = "SRP"
	case registry.KxKRB5:
		s.KxType = "KRB5"
	case registry.KxECCPWD:
		s.KxType = "ECCPWD"
	case registry.KxGOST:
		s.KxType = "GOST"
	case registry.KxFortezza:
		s.KxType = "FORTEZZA"
	}
	return s
}

// setGroup fills the named-group fields of a suite that used group id.
func setGroup(s *Suite, id uint16) {
	s.NamedGroupID = int(id)
	g, ok := registry.GroupByID(id)
	if !ok {
		s.KxType = "ECDH"
		s.NamedGroupName = fmt.Sprintf("0x%04x", id)
		return
	}
	s.NamedGroupName, s.NamedGroupBits, s.KxStrength = g.Name, g.Bits, g.RSAEquivalent
	s.KxType = groupKxType(g.Kind)
}

// groupKxType is the kxType of a suite whose key exchange used a group of
// kind k: "ECDH" for elliptic curves and the EC+ML-KEM hybrids (whose
// classical part is ECDH), "DH" for FFDHE, "KEM" for pure ML-KEM, "GOST"
// for the GOST curves.
func groupKxType(k registry.GroupKind) string {
	switch k {
	case registry.GroupFFDHE:
		return "DH"
	case registry.GroupPQ:
		return "KEM"
	case registry.GroupGOST:
		return "GOST"
	}
	return "ECDH"
}

// groupType is NamedGroup.NamedGroupType for a group kind.
func groupType(k registry.GroupKind) string {
	switch k {
	case registry.GroupECDHE, registry.GroupX:
		return "EC"
	case registry.GroupFFDHE:
		return "DH"
	case registry.GroupHybrid:
		return "HYBRID"
	case registry.GroupPQ:
		return "KEM"
	case registry.GroupGOST:
		return "GOST"
	}
	return "OTHER"
}

func trimZeros(b []byte) []byte {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// suiteFacts sets the summary fields derived from every accepted suite.
func suiteFacts(d *EndpointDetails, res *probe.Result) {
	total, fs, rc4 := 0, 0, 0
	known := -1
	for _, ps := range res.Suites {
		for _, a := range ps.Suites {
			total++
			var c registry.Cipher
			if ps.Protocol == registry.SSLv2 {
				sc, ok := registry.SSLv2CipherByID(a.ID)
				if !ok {
					continue
				}
				c = sc.Cipher
			} else {
				rs, ok := a.Suite()
				if !ok {
					continue
				}
				c = rs.Cipher
				if rs.ForwardSecret() {
					fs++
				}
			}
			if isRC4(c) {
				rc4++
			}
			d.SupportsAEAD = d.SupportsAEAD || c.AEAD()
			d.SupportsCBC = d.SupportsCBC || c.CBC()
			if a.DH != nil && len(a.DH.Prime) > 0 {
				p := hex.EncodeToString(trimZeros(a.DH.Prime))
				if !slices.Contains(d.DHPrimes, p) {
					d.DHPrimes = append(d.DHPrimes, p)
				}
				k := 0
				if a.DH.KnownName != "" {
					k = 1
					if a.DH.Bits < 2048 {
						k = 2
					}
				}
				known = max(known, k)
			}
		}
	}
	d.SupportsRC4 = rc4 > 0
	d.RC4Only = total > 0 && rc4 == total
	if fs > 0 {
		d.ForwardSecrecy |= 1
		if fs == total {
			d.ForwardSecrecy |= 4
		}
	}
	if known >= 0 {
		d.DHUsesKnownPrimes = &known
	}
}

func isRC4(c registry.Cipher) bool {
	switch c {
	case registry.RC4_40, registry.RC4_56, registry.RC4_64, registry.RC4_128:
		return true
	}
	return false
}

func namedGroups(gs probe.GroupSupport) *NamedGroups {
	if len(gs.Groups) == 0 && gs.Inconclusive == "" {
		return nil
	}
	ng := &NamedGroups{List: []NamedGroup{}, PadlockInconclusive: gs.Inconclusive}
	if gs.PreferenceKnown {
		ng.Preference = boolPtr(gs.ServerPreference)
	}
	for _, id := range gs.Groups {
		g := NamedGroup{ID: int(id), Name: fmt.Sprintf("0x%04x", id), NamedGroupType: "OTHER"}
		if rg, ok := registry.GroupByID(id); ok {
			g.Name, g.Bits, g.NamedGroupType = rg.Name, rg.Bits, groupType(rg.Kind)
		}
		for _, s := range gs.Seen {
			if s.Group == id {
				for _, p := range s.Protocols {
					g.PadlockProtocols = append(g.PadlockProtocols, ProtocolID(p))
				}
			}
		}
		ng.List = append(ng.List, g)
	}
	return ng
}

func extensions(d *EndpointDetails, res *probe.Result) {
	e := res.Extensions
	if e.Protocol != 0 {
		d.PadlockExtensionsVia = ProtocolID(e.Protocol)
	}
	if e.SecureRenegotiation {
		d.RenegSupport |= 2
	}
	if e.SessionTicket {
		d.SessionTickets |= 1
	}
	if e.Compression == 1 {
		d.CompressionMethods |= 1
	}
	d.OCSPStapling = e.OCSPStapling
	for _, c := range res.Chains {
		if len(c.OCSPResponse) > 0 {
			d.OCSPStapling = true
		}
	}
	d.SupportsALPN = e.ALPN != ""
	d.ALPNProtocols = e.ALPN
	d.Heartbeat = e.Heartbeat
	d.PadlockExtensions = slices.Clone(e.Seen)
}

// leafKeys finds the RSA key size the server uses for RSA key transport:
// that of the RSA leaf certificate it sent with the requested name.
type leafKeys struct {
	chains []probe.Chain
	sni    string
	cache  map[string]int
}

func newLeafKeys(res *probe.Result) *leafKeys {
	return &leafKeys{chains: res.Chains, sni: res.Endpoint.SNI, cache: map[string]int{}}
}

// rsaBits returns the RSA leaf key size for protocol p: from a chain of
// the same protocol and name if there is one, else any chain with the name,
// else any chain at all. 0 when no RSA leaf was seen.
func (k *leafKeys) rsaBits(p registry.Protocol) int {
	passes := []func(probe.Chain) bool{
		func(c probe.Chain) bool { return c.Protocol == p && c.SNI == k.sni },
		func(c probe.Chain) bool { return c.Protocol == p },
		func(c probe.Chain) bool { return c.SNI == k.sni && c.Protocol != registry.SSLv2 },
		func(c probe.Chain) bool { return true },
	}
	for _, match := range passes {
		for _, c := range k.chains {
			if len(c.Certificates) == 0 || !match(c) {
				continue
			}
			if bits := k.bits(c.Certificates[0]); bits > 0 {
				return bits
			}
		}
	}
	return 0
}

func (k *leafKeys) bits(der []byte) int {
	id := certID(der)
	if b, ok := k.cache[id]; ok {
		return b
	}
	b := rsaKeyBits(der)
	k.cache[id] = b
	return b
}
