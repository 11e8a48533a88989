package labsapi

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"hash/fnv"
	"slices"
	"strings"

	"padlock/assess"
	"padlock/pki"
	"padlock/registry"
	"padlock/vuln"
	"padlock/web"
)

// ProtocolHTTP is Host.protocol: SSL Labs writes "http".
const ProtocolHTTP = "http"

// HSTS preload sources SSL Labs reports; padlock reports them "unknown"
// when it was given no preload list.
var preloadSources = []string{"Chrome", "Edge", "Firefox", "IE"}

// FromHost returns the SSL Labs view of a finished assessment: with each
// endpoint's details when full is set, summarised otherwise (as analyze
// without all=on). cacheExpiry (ms since 1970, 0 for none) is
// Host.cacheExpiryTime.
func FromHost(h *assess.Host, full bool, cacheExpiry int64) Host {
	out := Host{
		Host:            h.Host,
		Port:            h.Port,
		Protocol:        ProtocolHTTP,
		IsPublic:        false,
		Status:          h.Status,
		StatusMessage:   h.StatusMessage,
		StartTime:       h.StartTime,
		TestTime:        h.TestTime,
		EngineVersion:   h.EngineVersion,
		CriteriaVersion: h.CriteriaVersion,
		CacheExpiryTime: cacheExpiry,
		Endpoints:       []Endpoint{},
		PadlockSite:     &h.PadlockSite,
	}
	if out.Status == assess.StatusReady {
		out.StatusMessage = "Ready"
	}
	for i := range h.Endpoints {
		out.Endpoints = append(out.Endpoints, FromEndpoint(h, &h.Endpoints[i], full))
	}
	out.Certs = []Cert{}
	leaves := leafIDs(h)
	for i := range h.Certs {
		c := fromCert(&h.Certs[i])
		if h.PadlockCAA != nil && leaves[c.ID] {
			c.DNSCAA = boolp(len(h.PadlockCAA.Records) > 0)
			if len(h.PadlockCAA.Records) > 0 {
				c.CAAPolicy = &CAAPolicy{PolicyHostname: h.PadlockCAA.PolicyHostname, CAARecords: []CAARecord{}}
				for _, r := range h.PadlockCAA.Records {
					c.CAAPolicy.CAARecords = append(c.CAAPolicy.CAARecords, CAARecord{Tag: r.Tag, Value: r.Value, Flags: r.Flags})
				}
			}
		}
		out.Certs = append(out.Certs, c)
	}
	out.CertHostnames = certHostnames(h)
	return out
}

// certHostnames lists the names of the leaf certificates when one served
// for the host does not match it (SSL Labs sets the field only then).
func certHostnames(h *assess.Host) []string {
	mismatch := false
	var leaves []string
	for _, ep := range h.Endpoints {
		if ep.Details == nil {
			continue
		}
		for _, ch := range ep.Details.CertChains {
			if ch.NoSNI || len(ch.CertIDs) == 0 {
				continue
			}
			if !ch.NameMatch {
				mismatch = true
			}
			leaves = append(leaves, ch.CertIDs[0])
		}
	}
	if !mismatch {
		return nil
	}
	var names []string
	for _, id := range leaves {
		c := findCert(h, id)
		if c == nil {
			continue
		}
		for _, n := range append(slices.Clone(c.CommonNames), c.AltNames...) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// leafIDs are the ids of the certificates that lead a chain.
func leafIDs(h *assess.Host) map[string]bool {
	out := map[string]bool{}
	for _, ep := range h.Endpoints {
		if ep.Details == nil {
			continue
		}
		for _, ch := range ep.Details.CertChains {
			if len(ch.CertIDs) > 0 {
				out[ch.CertIDs[0]] = true
			}
		}
	}
	return out
}

func findCert(h *assess.Host, id string) *assess.Cert {
	for i := range h.Certs {
		if h.Certs[i].ID == id {
			return &h.Certs[i]
		}
	}
	return nil
}

// FromEndpoint returns the SSL Labs view of one endpoint of h.
func FromEndpoint(h *assess.Host, ep *assess.Endpoint, full bool) Endpoint {
	out := Endpoint{
		IPAddress:            ep.IPAddress,
		ServerName:           ep.ServerName,
		StatusMessage:        ep.StatusMessage,
		StatusDetails:        ep.StatusDetails,
		StatusDetailsMessage: ep.StatusDetailsMessage,
		HasWarnings:          ep.HasWarnings,
		IsExceptional:        ep.IsExceptional,
		Progress:             ep.Progress,
		Duration:             ep.Duration,
		ETA:                  0,
		Delegation:           ep.Delegation,
		PadlockGrade:         ep.Grade,
		PadlockFailure:       ep.PadlockFailure,
	}
	out.Grade, out.GradeTrustIgnored = labsGrade(ep)
	if ep.FutureGrade != "" && ep.FutureGrade != "U" {
		fg := ep.FutureGrade
		out.FutureGrade = &fg
	}
	if full {
		out.PadlockRating = ep.PadlockGrade
		if ep.Details != nil {
			out.Details = fromDetails(h, ep)
		}
	}
	return out
}

// labsGrade is the grade SSL Labs clients know: padlock's, except that U
// (no usable TLS) is not one of SSL Labs' grades. An endpoint U only
// because its HTTPS redirects to plain HTTP shows the grade its TLS
// earns; one without TLS shows none.
func labsGrade(ep *assess.Endpoint) (string, string) {
	g, gti := ep.Grade, ep.GradeTrustIgnored
	if g == "U" {
		g = ""
		if ep.PadlockGrade != nil {
			g = ep.PadlockGrade.TLSGrade
		}
	}
	if gti == "U" {
		gti = g
	}
	return g, gti
}

func boolp(b bool) *bool { return &b }
func intp(i int) *int    { return &i }

// Documented fields padlock does not measure; they carry null (or the
// documented "not tested" value) and are listed in padlockNotMeasured.
var notMeasured = []string{"noSniSuites", "supportsNpn", "npnProtocols", "staticPkpPolicy"}

func fromDetails(h *assess.Host, ep *assess.Endpoint) *EndpointDetails {
	d := ep.Details
	out := &EndpointDetails{
		HostStartTime:                  d.HostStartTime,
		CertChains:                     []CertChain{},
		Protocols:                      []Protocol{},
		Suites:                         []ProtocolSuites{},
		ServerSignature:                d.ServerSignature,
		RenegSupport:                   d.RenegSupport,
		CompressionMethods:             d.CompressionMethods,
		SupportsALPN:                   d.SupportsALPN,
		ALPNProtocols:                  d.ALPNProtocols,
		SessionTickets:                 d.SessionTickets,
		OCSPStapling:                   d.OCSPStapling,
		StaplingRevocationStatus:       d.StaplingRevocationStatus,
		StaplingRevocationErrorMessage: d.StaplingRevocationErrorMessage,
		SNIRequired:                    d.SNIRequired,
		HTTPStatusCode:                 d.HTTPStatusCode,
		HTTPForwarding:                 d.HTTPForwarding,
		SupportsRC4:                    d.SupportsRC4,
		RC4Only:                        d.RC4Only,
		SupportsAEAD:                   d.SupportsAEAD,
		SupportsCBC:                    d.SupportsCBC,
		ProtocolIntolerance:            d.ProtocolIntolerance,
		HasSCT:                         d.HasSCT,
		DHPrimes:                       d.DHPrimes,
		DHUsesKnownPrimes:              d.DHUsesKnownPrimes,
		HSTSPreloads:                   []HSTSPreload{},
		HTTPTransactions:               []HTTPTransaction{},
		DrownHosts:                     []DrownHost{},
		StaticPKPPolicy:                StaticPKPPolicy{Status: "unknown", Pins: []HPKPPin{}, MatchedPins: []HPKPPin{}, ForbiddenPins: []HPKPPin{}, MatchedForbiddenPins: []HPKPPin{}},
		PadlockNotMeasured:             slices.Clone(notMeasured),
		PadlockErrors:                  d.PadlockErrors,
		ZeroRTTEnabled:                 -1, // test not performed
		Sims:                           SimDetails{Results: []Sim{}},
	}
	switch {
	case d.DHYsReuse != nil:
		out.DHYsReuse = *d.DHYsReuse
	case len(d.DHPrimes) > 0:
		out.DHYsReuse = (*bool)(nil) // DH is used; reuse not measured
		out.PadlockNotMeasured = append(out.PadlockNotMeasured, "dhYsReuse")
	}
	if d.ECDHParameterReuse != nil {
		out.ECDHParameterReuse = boolp(*d.ECDHParameterReuse)
	} else {
		out.PadlockNotMeasured = append(out.PadlockNotMeasured, "ecdhParameterReuse")
	}
	if d.SessionResumption != nil {
		out.SessionResumption = intp(*d.SessionResumption)
	} else {
		out.PadlockNotMeasured = append(out.PadlockNotMeasured, "sessionResumption")
	}
	// Delegation bits are measured by the server (both names resolved).
	if ep.PadlockDelegationChecked || ep.Delegation != 0 {
		out.NonPrefixDelegation = boolp(ep.Delegation&1 != 0)
		out.PrefixDelegation = boolp(ep.Delegation&2 != 0)
	} else {
		out.PadlockNotMeasured = append(out.PadlockNotMeasured, "prefixDelegation", "nonPrefixDelegation")
	}

	out.MiscIntolerance = miscIntolerance(d)
	if out.MiscIntolerance == nil {
		out.PadlockNotMeasured = append(out.PadlockNotMeasured, "miscIntolerance")
	}
	if slices.ContainsFunc(d.PadlockErrors, func(e string) bool { return strings.Contains(e, "intolerance test") }) {
		out.PadlockNotMeasured = append(out.PadlockNotMeasured, "protocolIntolerance (some versions inconclusive)")
	}

	for _, p := range d.Protocols {
		lp := Protocol{ID: p.ID, Name: p.Name, Version: p.Version}
		if p.ID == 0x0200 || p.ID == 0x0300 {
			lp.Q = intp(0)
		}
		out.Protocols = append(out.Protocols, lp)
	}
	suiteOf := map[[2]int]Suite{}
	for _, ps := range d.Suites {
		lps := ProtocolSuites{Protocol: ps.Protocol, List: []Suite{}, Preference: ps.Preference}
		if ps.Preference != nil && *ps.Preference {
			lps.ChaCha20Preference = boolp(ps.ChaCha20Preference)
		}
		for _, s := range ps.List {
			ls := fromSuite(assess.ProtocolFromID(ps.Protocol), s)
			lps.List = append(lps.List, ls)
			suiteOf[[2]int{ps.Protocol, ls.ID}] = ls
		}
		out.Suites = append(out.Suites, lps)
		if ps.Protocol == int(registry.TLS13) {
			out.ImplementsTLS13MandatoryCS = boolp(slices.ContainsFunc(ps.List, func(s assess.Suite) bool { return s.ID == 0x1301 }))
		}
		if lps.ChaCha20Preference != nil {
			out.ChaCha20Preference = boolp(*lps.ChaCha20Preference || (out.ChaCha20Preference != nil && *out.ChaCha20Preference))
		}
	}
	if d.NamedGroups != nil {
		ng := &NamedGroups{List: []NamedGroup{}, Preference: d.NamedGroups.Preference}
		for _, g := range d.NamedGroups.List {
			ng.List = append(ng.List, NamedGroup{ID: g.ID, Name: g.Name, Bits: groupBits(g.ID, g.Bits), NamedGroupType: g.NamedGroupType})
		}
		out.NamedGroups = ng
	}
	for _, ch := range d.CertChains {
		out.CertChains = append(out.CertChains, fromChain(ch))
	}
	out.Sims, out.ForwardSecrecy, out.RC4WithModern = fromSims(h, d, suiteOf)

	if r := d.Report; r != nil {
		fromVulns(out, r)
		out.DrownHosts = drownHosts(h, r)
	} else {
		out.PadlockNotMeasured = append(out.PadlockNotMeasured, "vulnerability checks")
	}
	if d.HSTSPolicy != nil {
		out.HSTSPolicy = fromHSTS(*d.HSTSPolicy)
	} else {
		out.HSTSPolicy = HSTSPolicy{LongMaxAge: web.LongMaxAge, Status: "unknown", Directives: map[string]string{}}
	}
	var site *web.Result
	if h.PadlockWeb != nil {
		site = h.PadlockWeb
	}
	out.HPKPPolicy = HPKPPolicy{Status: "unknown", Pins: []HPKPPin{}, MatchedPins: []HPKPPin{}, Directives: []HPKPDirective{}}
	out.HPKPRoPolicy = out.HPKPPolicy
	if site != nil {
		out.HPKPPolicy = fromHPKP(site.HPKPPolicy)
		out.HPKPRoPolicy = fromHPKP(site.HPKPReportOnly)
		for _, p := range site.HSTSPreloads {
			out.HSTSPreloads = append(out.HSTSPreloads, HSTSPreload{Source: p.Source, Hostname: p.Hostname, Status: p.Status, Error: p.Error})
		}
	}
	if len(out.HSTSPreloads) == 0 {
		for _, src := range preloadSources {
			out.HSTSPreloads = append(out.HSTSPreloads, HSTSPreload{Source: src, Hostname: h.Host, Status: "unknown"})
		}
	}
	for _, tx := range d.HTTPTransactions {
		lt := HTTPTransaction{
			RequestURL: tx.RequestURL, StatusCode: tx.StatusCode, RequestLine: tx.RequestLine,
			RequestHeaders: tx.RequestHeaders, ResponseLine: tx.ResponseLine,
			ResponseHeadersRaw: tx.ResponseHeadersRaw, ResponseHeaders: []HTTPHeader{},
			FragileServer: tx.FragileServer, PadlockError: tx.PadlockError,
		}
		for _, hd := range tx.ResponseHeaders {
			lt.ResponseHeaders = append(lt.ResponseHeaders, HTTPHeader{Name: hd.Name, Value: hd.Value})
		}
		out.HTTPTransactions = append(out.HTTPTransactions, lt)
	}
	return out
}

// groupBits is a group's size as SSL Labs reports it: x25519 and x448 by
// their key size (256 and 448 bits), where padlock's registry has the
// field size (255, 448).
func groupBits(id, bits int) int {
	switch id {
	case 0x001d:
		return 256
	case 0x001e:
		return 448
	}
	return bits
}

// fromSuite converts a suite and rates it as SSL Labs' q does: 0
// insecure (no or export-grade encryption, anonymous, RC4, single DES, a
// key exchange under 1024 bits), 1 weak (3DES, CBC, no forward secrecy,
// DH under 2048 bits), absent when good.
func fromSuite(p registry.Protocol, s assess.Suite) Suite {
	out := Suite{
		ID: int(s.ID), Name: s.Name, CipherStrength: s.CipherStrength, KxType: s.KxType, KxStrength: s.KxStrength,
		DHP: s.DHP, DHG: s.DHG, DHYs: s.DHYs, NamedGroupBits: groupBits(s.NamedGroupID, s.NamedGroupBits),
		NamedGroupID: s.NamedGroupID, NamedGroupName: s.NamedGroupName,
	}
	if p == registry.SSLv2 {
		out.Q = intp(0)
		return out
	}
	rs, ok := registry.SuiteByID(uint16(s.ID))
	if !ok {
		return out
	}
	switch {
	case rs.Export, rs.Bits < 112, rs.Anonymous(), isRC4(rs.Cipher), s.KxStrength > 0 && s.KxStrength < 1024:
		out.Q = intp(0)
	case p == registry.TLS13:
	case rs.Bits == 112, rs.Cipher.CBC(), !rs.ForwardSecret(), s.KxType == "DH" && s.KxStrength < 2048:
		out.Q = intp(1)
	}
	return out
}

func isRC4(c registry.Cipher) bool {
	switch c {
	case registry.RC4_40, registry.RC4_56, registry.RC4_64, registry.RC4_128:
		return true
	}
	return false
}

func fromChain(ch assess.CertChain) CertChain {
	out := CertChain{ID: ch.ID, CertIDs: ch.CertIDs, TrustPaths: []TrustPath{}, Issues: ch.Issues, NoSNI: ch.NoSNI}
	if out.CertIDs == nil {
		out.CertIDs = []string{}
	}
	for _, tp := range ch.TrustPaths {
		lt := TrustPath{CertIDs: tp.CertIDs, Trust: []Trust{}}
		for _, t := range tp.Trust {
			tr := Trust{RootStore: t.RootStore, IsTrusted: t.IsTrusted}
			if !t.IsTrusted && t.TrustErrorMessage != "" {
				msg := t.TrustErrorMessage
				tr.TrustErrorMessage = &msg
			}
			lt.Trust = append(lt.Trust, tr)
		}
		out.TrustPaths = append(out.TrustPaths, lt)
	}
	return out
}

// simClientID is a simulated client's integer id: stable for a profile
// id (FNV-1a, 31 bits), as SSL Labs' ids are integers.
func simClientID(profile string) int {
	f := fnv.New32a()
	f.Write([]byte(profile))
	return int(f.Sum32() & 0x7fffffff)
}

// fromSims converts the simulations and derives forwardSecrecy and
// rc4WithModern from them as SSL Labs does: forwardSecrecy 4 when every
// simulated client that connected negotiated a forward-secret suite, 2
// when every reference (modern) client did, 1 when at least one did, 0
// otherwise. Without simulations both come from the suites (4 when every
// suite is forward secret, 1 when some are) and rc4WithModern is null.
func fromSims(h *assess.Host, d *assess.EndpointDetails, suites map[[2]int]Suite) (SimDetails, int, *bool) {
	out := SimDetails{Results: []Sim{}}
	if d.Sims == nil || len(d.Sims.Results) == 0 {
		fs := 0
		if d.ForwardSecrecy&4 != 0 {
			fs = 4
		} else if d.ForwardSecrecy&1 != 0 {
			fs = 1
		}
		return out, fs, nil
	}
	any, all, allRef, refs := false, true, true, 0
	rc4Modern := false
	for _, s := range d.Sims.Results {
		ls := Sim{
			Client: SimClient{
				ID: simClientID(s.Client.ID), Name: s.Client.Name, Platform: s.Client.Platform,
				Version: s.Client.Version, IsReference: s.Client.IsReference, PadlockClientID: s.Client.ID,
			},
			ErrorCode: s.ErrorCode, ErrorMessage: s.ErrorMessage, Attempts: s.Attempts,
			ProtocolID: s.ProtocolID, SuiteID: s.SuiteID, SuiteName: s.SuiteName, KxType: s.KxType,
			KxStrength: s.KxStrength, DHBits: s.DHBits, NamedGroupBits: groupBits(s.NamedGroupID, s.NamedGroupBits),
			NamedGroupID: s.NamedGroupID, NamedGroupName: s.NamedGroupName, PadlockInconclusive: s.PadlockInconclusive,
		}
		if s.ErrorCode == 0 {
			if su, ok := suites[[2]int{s.ProtocolID, s.SuiteID}]; ok && su.DHP > 0 {
				ls.DHP, ls.DHG, ls.DHYs = su.DHP, su.DHG, su.DHYs
			}
			if ch := simChain(d, s); ch != nil {
				ls.CertChainID = ch.ID
				if c := findCert(h, ch.CertIDs[0]); c != nil {
					ls.KeyAlg, ls.KeySize, ls.SigAlg = c.KeyAlg, c.KeySize, c.SigAlg
				}
			}
			fs := false
			rc4 := false
			if rs, ok := registry.SuiteByID(uint16(s.SuiteID)); ok {
				fs = rs.ForwardSecret() || s.ProtocolID == int(registry.TLS13)
				rc4 = isRC4(rs.Cipher)
			}
			any = any || fs
			all = all && fs
			if s.Client.IsReference {
				refs++
				allRef = allRef && fs
				rc4Modern = rc4Modern || rc4
			}
		}
		out.Results = append(out.Results, ls)
	}
	fs := 0
	switch {
	case any && all:
		fs = 4
	case any && refs > 0 && allRef:
		fs = 2
	case any:
		fs = 1
	}
	return out, fs, boolp(rc4Modern)
}

// simChain picks the chain a simulated client received: the chain sent
// with SNI whose leaf key suits the negotiated suite's authentication
// (ECDSA or RSA), else the first chain sent with SNI.
func simChain(d *assess.EndpointDetails, s assess.Sim) *assess.CertChain {
	var first *assess.CertChain
	want := ""
	if rs, ok := registry.SuiteByID(uint16(s.SuiteID)); ok && s.ProtocolID != int(registry.TLS13) {
		switch rs.Auth {
		case registry.AuthECDSA:
			want = "EC"
		case registry.AuthRSA:
			want = "RSA"
		}
	}
	for i := range d.CertChains {
		ch := &d.CertChains[i]
		if ch.NoSNI || len(ch.CertIDs) == 0 {
			continue
		}
		if first == nil {
			first = ch
		}
		if want != "" && ch.Facts.LeafKey.Alg == want {
			return ch
		}
	}
	return first
}

func fromVulns(out *EndpointDetails, r *vuln.Report) {
	out.VulnBeast = boolp(r.VulnBeast)
	out.Heartbleed = boolp(r.Heartbleed)
	out.Heartbeat = r.Heartbeat
	out.OpenSSLCCS = r.OpenSSLCCS
	out.OpenSSLLuckyMinus20 = r.OpenSSLLuckyMinus20
	out.Ticketbleed = r.Ticketbleed
	out.Bleichenbacher = r.Bleichenbacher
	out.ZombiePoodle = r.ZombiePoodle
	out.GoldenDoodle = r.GoldenDoodle
	out.ZeroLengthPaddingOracle = r.ZeroLengthPaddingOracle
	out.SleepingPoodle = r.SleepingPoodle
	out.Poodle = boolp(r.Poodle)
	out.PoodleTLS = r.PoodleTLS
	out.FallbackSCSV = r.FallbackSCSV
	out.Freak = boolp(r.Freak)
	out.Logjam = boolp(r.Logjam)
	out.DrownVulnerable = boolp(r.DrownVulnerable)
	out.ZeroRTTEnabled = r.ZeroRTTEnabled
	out.PadlockFindings = r.PadlockFindings
}

// drownHosts lists the endpoints of the same assessment that accept SSL
// 2.0: "key_match" when one uses this endpoint's RSA key, "sslv2"
// otherwise. padlock knows no other servers of the host (fleet scans
// check the whole fleet).
func drownHosts(h *assess.Host, r *vuln.Report) []DrownHost {
	out := []DrownHost{}
	for _, ep := range h.Endpoints {
		if ep.Details == nil || ep.Details.Report == nil || !ep.Details.Report.PadlockSSLv2 {
			continue
		}
		st := "sslv2"
		if r.PadlockKeyFingerprint != "" && ep.Details.Report.PadlockKeyFingerprint == r.PadlockKeyFingerprint {
			st = "key_match"
		}
		export := false
		for _, ps := range ep.Details.Suites {
			if ps.Protocol != 0x0200 {
				continue
			}
			for _, s := range ps.List {
				export = export || (s.CipherStrength > 0 && s.CipherStrength <= 40)
			}
		}
		out = append(out, DrownHost{IP: ep.IPAddress, Port: h.Port, SSLv2: true, Export: export, Status: st})
	}
	return out
}

func fromHSTS(p web.HSTSPolicy) HSTSPolicy {
	out := HSTSPolicy{LongMaxAge: p.LongMaxAge, Header: p.Header, Status: p.Status, Error: p.Error, Directives: p.Directives}
	if out.Directives == nil {
		out.Directives = map[string]string{}
	}
	if p.Status == web.HSTSPresent || p.Status == web.HSTSDisabled {
		ma := p.MaxAge
		out.MaxAge = &ma
		if p.IncludeSubDomains {
			out.IncludeSubDomains = boolp(true)
		}
		if p.Preload {
			out.Preload = boolp(true)
		}
	}
	return out
}

func fromHPKP(p web.HPKPPolicy) HPKPPolicy {
	out := HPKPPolicy{
		Header: p.Header, Status: p.Status, Error: p.Error, MaxAge: p.MaxAge, IncludeSubDomains: p.IncludeSubDomains,
		ReportURI: p.ReportURI, Pins: []HPKPPin{}, MatchedPins: []HPKPPin{}, Directives: []HPKPDirective{},
	}
	if out.Status == "" {
		out.Status = "unknown"
	}
	for _, x := range p.Pins {
		out.Pins = append(out.Pins, HPKPPin{HashFunction: x.HashFunction, Value: x.Value})
	}
	for _, x := range p.MatchedPins {
		out.MatchedPins = append(out.MatchedPins, HPKPPin{HashFunction: x.HashFunction, Value: x.Value})
	}
	for _, x := range p.Directives {
		out.Directives = append(out.Directives, HPKPDirective{Name: x.Name, Value: x.Value})
	}
	return out
}

// Server Gated Cryptography extended key usages.
var (
	oidNetscapeSGC  = asn1.ObjectIdentifier{2, 16, 840, 1, 113730, 4, 1}
	oidMicrosoftSGC = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 3}
)

func fromCert(c *pki.Cert) Cert {
	out := Cert{
		ID: c.ID, Subject: c.Subject, SerialNumber: c.SerialNumber, CommonNames: nonNil(c.CommonNames),
		AltNames: nonNil(c.AltNames), NotBefore: c.NotBefore, NotAfter: c.NotAfter, IssuerSubject: c.IssuerSubject,
		SigAlg: c.SigAlg, RevocationInfo: c.RevocationInfo, CRLURIs: nonNil(c.CRLURIs), OCSPURIs: nonNil(c.OCSPURIs),
		RevocationStatus: c.RevocationStatus, MustStaple: c.MustStaple, ValidationType: c.ValidationType,
		Issues: c.Issues, SCT: c.SCT, SHA1Hash: c.SHA1Hash, SHA256Hash: c.SHA256Hash, PinSHA256: c.PinSHA256,
		KeyAlg: c.KeyAlg, KeySize: c.KeySize, KeyStrength: c.KeyStrength, KeyKnownDebianInsecure: c.KeyKnownDebianInsecure,
		Raw: c.Raw,
		// crlRevocationStatus and ocspRevocationStatus: 0, "not checked"
		// (padlock does not query CRLs or OCSP responders); dnsCaa and
		// caaPolicy: null unless padlock serve looked CAA up (leaves only).
	}
	out.SGC = sgc(c.Raw)
	return out
}

// sgc reads the Server Gated Cryptography bits from a certificate's
// extended key usages: 1 Netscape, 2 Microsoft.
func sgc(raw string) int {
	b, _ := pem.Decode([]byte(raw))
	if b == nil {
		return 0
	}
	x, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return 0
	}
	bits := 0
	for _, u := range x.ExtKeyUsage {
		if u == x509.ExtKeyUsageNetscapeServerGatedCrypto {
			bits |= 1
		}
		if u == x509.ExtKeyUsageMicrosoftServerGatedCrypto {
			bits |= 2
		}
	}
	for _, o := range x.UnknownExtKeyUsage {
		if o.Equal(oidNetscapeSGC) {
			bits |= 1
		}
		if o.Equal(oidMicrosoftSGC) {
			bits |= 2
		}
	}
	return bits
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// miscIntolerance is SSL Labs' miscIntolerance from what the prober saw:
// bit 0 (extension intolerance) is clear when a hello carrying every
// extension padlock sends was answered; bits 1 and 2 (long handshake
// intolerance, and the workaround working) are set when the server
// refused the hello offering every suite and accepted a shorter one. nil
// when no such hello was answered.
func miscIntolerance(d *assess.EndpointDetails) *int {
	if d.PadlockExtensionsVia == 0 {
		return nil
	}
	v := 0
	for _, in := range d.PadlockIntolerance {
		if in.Version == 0 && in.Label == "long ClientHello" {
			v |= 2 | 4
		}
	}
	return &v
}
