package registry

import (
	"regexp"
	"slices"
	"testing"
)

func TestClientProfilesIntegrity(t *testing.T) {
	profiles := ClientProfiles()
	if len(profiles) < 20 {
		t.Errorf("%d client profiles, want at least 20", len(profiles))
	}
	idPattern := regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)
	ids := map[string]bool{}
	labels := map[string]bool{}
	reference := 0
	for _, c := range profiles {
		if !idPattern.MatchString(c.ID) {
			t.Errorf("%q: id is not a short lower-case token", c.ID)
		}
		if ids[c.ID] {
			t.Errorf("%q: duplicate id", c.ID)
		}
		ids[c.ID] = true
		if labels[c.Label()] {
			t.Errorf("%q: duplicate label %q", c.ID, c.Label())
		}
		labels[c.Label()] = true
		if c.Name == "" || c.Version == "" || c.Source == "" {
			t.Errorf("%q: name, version and source are required: %+v", c.ID, c)
		}
		if c.Reference {
			reference++
		}
		checkClientVersions(t, c)
		checkClientSuites(t, c)
		checkClientExtensions(t, c)
		checkClientGroups(t, c)
	}
	if reference < 4 {
		t.Errorf("%d reference clients, want at least 4", reference)
	}
}

func checkClientVersions(t *testing.T, c ClientProfile) {
	t.Helper()
	known := func(p Protocol) bool { return slices.Contains(Protocols, p) && p != SSLv2 }
	if !known(c.MinVersion) || !known(c.MaxVersion) || c.MinVersion > c.MaxVersion {
		t.Errorf("%q: versions %v-%v", c.ID, c.MinVersion, c.MaxVersion)
	}
	if c.RecordVersion != 0 && (c.RecordVersion < SSLv3 || c.RecordVersion > TLS12) {
		t.Errorf("%q: record version %v", c.ID, c.RecordVersion)
	}
	sv := c.SupportedVersions()
	if c.MaxVersion >= TLS13 && (len(sv) == 0 || sv[0] != TLS13 || sv[len(sv)-1] != max(c.MinVersion, TLS10)) {
		t.Errorf("%q: supported_versions %v for %v-%v", c.ID, sv, c.MinVersion, c.MaxVersion)
	}
}

func checkClientSuites(t *testing.T, c ClientProfile) {
	t.Helper()
	if len(c.Suites) == 0 {
		t.Errorf("%q: no suites", c.ID)
	}
	seen := map[uint16]bool{}
	tls13 := false
	for _, id := range c.Suites {
		s, ok := SuiteByID(id)
		switch {
		case !ok:
			t.Errorf("%q: suite 0x%04x is not in the registry", c.ID, id)
			continue
		case seen[id]:
			t.Errorf("%q: suite %s offered twice", c.ID, s.Name)
		case IsGREASE(id):
			t.Errorf("%q: GREASE suite 0x%04x in the list (use the GREASE flag)", c.ID, id)
		}
		seen[id] = true
		if s.SCSV {
			continue
		}
		if s.Min > c.MaxVersion || s.Max < c.MinVersion {
			t.Errorf("%q: %s (%v-%v) cannot be negotiated at any of the client's versions %v-%v",
				c.ID, s.Name, s.Min, s.Max, c.MinVersion, c.MaxVersion)
		}
		if s.Min == TLS13 {
			tls13 = true
		}
	}
	if tls13 != (c.MaxVersion >= TLS13) {
		t.Errorf("%q: TLS 1.3 suites offered = %v but highest version %v", c.ID, tls13, c.MaxVersion)
	}
	if c.SSLv2Hello {
		var tlsSpecs []uint16
		for _, spec := range c.SSLv2CipherSpecs {
			if spec <= 0xFFFF {
				tlsSpecs = append(tlsSpecs, uint16(spec))
			} else if _, ok := SSLv2CipherByID(spec); !ok {
				t.Errorf("%q: SSLv2 cipher spec 0x%06x is not in the registry", c.ID, spec)
			}
		}
		if !slices.Equal(tlsSpecs, c.Suites) {
			t.Errorf("%q: SSLv2 cipher specs carry TLS suites %04x, Suites are %04x", c.ID, tlsSpecs, c.Suites)
		}
	} else if len(c.SSLv2CipherSpecs) != 0 {
		t.Errorf("%q: SSLv2 cipher specs without an SSLv2 hello", c.ID)
	}
}

func checkClientExtensions(t *testing.T, c ClientProfile) {
	t.Helper()
	if c.SSLv2Hello && len(c.Extensions) != 0 {
		t.Errorf("%q: an SSLv2-compatible hello has no extensions", c.ID)
	}
	seen := map[uint16]bool{}
	for _, e := range c.Extensions {
		if e == GREASEExtension {
			if !c.GREASE {
				t.Errorf("%q: GREASE extension slot without GREASE", c.ID)
			}
			continue
		}
		if IsGREASE(e) {
			t.Errorf("%q: literal GREASE extension 0x%04x (use GREASEExtension)", c.ID, e)
		}
		if seen[e] {
			t.Errorf("%q: extension %d sent twice", c.ID, e)
		}
		seen[e] = true
	}
	// Each field is set exactly when its extension is sent.
	fields := []struct {
		ext uint16
		set bool
	}{
		{extServerName, c.SNI},
		{extSupportedGroups, len(c.Groups) > 0},
		{extKeyShare, len(c.KeyShares) > 0},
		{extSignatureAlgorithms, len(c.SignatureSchemes) > 0},
		{extSigAlgsCert, len(c.SignatureSchemesCert) > 0},
		{extECPointFormats, len(c.PointFormats) > 0},
		{extALPN, len(c.ALPN) > 0},
		{extCompressCertificate, len(c.CertCompression) > 0},
		{extDelegatedCredentials, len(c.DelegatedCredentials) > 0},
		{extRecordSizeLimit, c.RecordSizeLimit != 0},
		{extECH, c.ECHGreasePayload > 0},
	}
	for _, f := range fields {
		if c.Sends(f.ext) != f.set {
			t.Errorf("%q: extension %d sent = %v but its contents set = %v", c.ID, f.ext, c.Sends(f.ext), f.set)
		}
	}
	if (len(c.ALPS) > 0) != (c.Sends(extALPS) || c.Sends(extALPSOld)) {
		t.Errorf("%q: ALPS contents and extension disagree", c.ID)
	}
	for k := range c.ExtensionData {
		if !c.Sends(k) {
			t.Errorf("%q: data for extension %d, which is not sent", c.ID, k)
		}
	}
	for _, e := range []uint16{extSupportedVersions, extKeyShare, extPSKModes} {
		if c.Sends(e) != (c.MaxVersion >= TLS13) {
			t.Errorf("%q: TLS 1.3 extension %d sent = %v with highest version %v", c.ID, e, c.Sends(e), c.MaxVersion)
		}
	}
	if c.MaxVersion >= TLS12 && !c.SSLv2Hello && len(c.SignatureSchemes) == 0 {
		t.Errorf("%q: a TLS 1.2 client without signature_algorithms", c.ID)
	}
	if !c.SNI && c.MaxVersion >= TLS12 {
		t.Errorf("%q: every TLS 1.2 client in the list sends SNI", c.ID)
	}
	// Renegotiation info: the extension or the SCSV, not both (RFC 5746 §3.4).
	if c.Sends(extRenegotiationInfo) && c.Offers(EmptyRenegotiationInfoSCSV) {
		t.Errorf("%q: both renegotiation_info and its SCSV", c.ID)
	}
	for _, s := range c.SignatureSchemes {
		if _, ok := SignatureSchemeByID(s); !ok {
			t.Errorf("%q: unknown signature scheme 0x%04x", c.ID, s)
		}
	}
	for _, s := range append(slices.Clone(c.SignatureSchemesCert), c.DelegatedCredentials...) {
		if _, ok := SignatureSchemeByID(s); !ok {
			t.Errorf("%q: unknown signature scheme 0x%04x", c.ID, s)
		}
	}
}

func checkClientGroups(t *testing.T, c ClientProfile) {
	t.Helper()
	seen := map[uint16]bool{}
	for _, g := range c.Groups {
		if _, ok := GroupByID(g); !ok {
			t.Errorf("%q: group 0x%04x is not in the registry", c.ID, g)
		}
		if seen[g] {
			t.Errorf("%q: group 0x%04x listed twice", c.ID, g)
		}
		seen[g] = true
	}
	last := -1
	for _, g := range c.KeyShares {
		i := slices.Index(c.Groups, g)
		if i < 0 {
			t.Errorf("%q: key share for 0x%04x, which is not in supported_groups", c.ID, g)
		}
		if i < last {
			t.Errorf("%q: key shares not in supported_groups order", c.ID)
		}
		last = i
	}
	ecdhe := slices.ContainsFunc(c.Suites, func(id uint16) bool {
		s, _ := SuiteByID(id)
		return s.Kx == KxECDHE || s.Kx == KxECDH
	})
	if ecdhe && len(c.Groups) == 0 {
		t.Errorf("%q: offers ECDHE suites but no supported_groups", c.ID)
	}
}

// TestClientProfileFacts pins facts about individual clients that the
// grading rules depend on.
func TestClientProfileFacts(t *testing.T) {
	get := func(id string) ClientProfile {
		t.Helper()
		c, ok := ClientProfileByID(id)
		if !ok {
			t.Fatalf("no profile %q", id)
		}
		return c
	}
	cipherOffered := func(c ClientProfile, pred func(Suite) bool) bool {
		for _, id := range c.Suites {
			if s, ok := SuiteByID(id); ok && pred(s) {
				return true
			}
		}
		return false
	}
	is3DES := func(s Suite) bool { return s.Cipher == TripleDES }
	isRC4 := func(s Suite) bool { return s.Cipher == RC4_128 || s.Cipher == RC4_40 }
	isChaCha := func(s Suite) bool { return s.Cipher == ChaCha20Poly1305 }

	// The clients the brief names, each present.
	for _, id := range []string{
		"chrome-137-win11", "edge-133-win11", "firefox-137-win11", "safari-18.4-macos15", "safari-26.4",
		"android-4.4.2", "android-7.0", "android-11", "android-14",
		"java-8u161", "java-11.0.2", "java-17", "java-6u45",
		"openssl-1.0.2e", "openssl-1.1.1d", "openssl-3.0", "openssl-3.5",
		"ie-11-win7", "ie-11-win10", "curl-7.88-openssl-3.0",
		"firefox-31.3-esr-win7", "safari-9-ios9", "safari-9-osx10.11", "chrome-49-xpsp3",
	} {
		get(id)
	}

	// Reference marking as SSL Labs does it.
	for id, want := range map[string]bool{
		"chrome-137-win11": true, "edge-133-win11": true, "firefox-137-win11": true,
		"safari-26.4": true, "ie-11-win7": true, "ie-11-win10": true, "openssl-1.0.2e": true,
		"android-4.4.2": false, "android-14": false, "java-17": false, "java-8u161": false,
		"firefox-31.3-esr-win7": false, "chrome-49-xpsp3": false, "ie-8-xp": false, "curl-7.88-openssl-3.0": false,
	} {
		if got := get(id).Reference; got != want {
			t.Errorf("%s: Reference = %v, want %v", id, got, want)
		}
	}

	ie7 := get("ie-11-win7")
	if ie7.MinVersion != TLS10 || ie7.MaxVersion != TLS12 {
		t.Errorf("IE 11 / Win 7 versions %v-%v, want TLS 1.0-1.2", ie7.MinVersion, ie7.MaxVersion)
	}
	for _, id := range []uint16{0xC02F, 0xC030} { // ECDHE-RSA-AES-GCM
		if ie7.Offers(id) {
			t.Errorf("IE 11 / Win 7 offers ECDHE-RSA with AES-GCM (0x%04x)", id)
		}
	}
	if !ie7.Offers(0xC02B) || !ie7.Offers(0xC028) {
		t.Error("IE 11 / Win 7 should offer ECDHE-ECDSA-AES-GCM and ECDHE-RSA-AES-CBC-SHA384")
	}
	if !get("ie-11-win10").Offers(0xC02F) {
		t.Error("IE 11 / Win 10 should offer ECDHE-RSA-AES128-GCM")
	}

	if a := get("android-4.4.2"); a.MaxVersion != TLS12 || !cipherOffered(a, isRC4) {
		t.Errorf("Android 4.4.2: highest %v, RC4 offered %v; want TLS 1.2 and RC4", a.MaxVersion, cipherOffered(a, isRC4))
	}
	if a := get("android-7.0"); a.MaxVersion != TLS12 {
		t.Errorf("Android 7.0 highest %v", a.MaxVersion)
	}
	for _, id := range []string{"java-8u161", "java-11.0.2"} {
		if cipherOffered(get(id), isChaCha) {
			t.Errorf("%s offers ChaCha20 (Java has it from 12)", id)
		}
	}
	if !cipherOffered(get("java-17"), isChaCha) {
		t.Error("Java 17 should offer ChaCha20")
	}
	o := get("openssl-1.0.2e")
	if o.MaxVersion != TLS12 || slices.Contains(o.Groups, 0x001D) {
		t.Errorf("OpenSSL 1.0.2: highest %v, groups %04x; want TLS 1.2 and no X25519", o.MaxVersion, o.Groups)
	}
	for _, id := range []string{"openssl-1.1.1d", "openssl-3.0", "openssl-3.5", "curl-7.88-openssl-3.0"} {
		if c := get(id); c.MaxVersion != TLS13 || c.KeyShares[len(c.KeyShares)-1] != 0x001D {
			t.Errorf("%s: highest %v, key shares %04x", id, c.MaxVersion, c.KeyShares)
		}
	}
	// 3DES: gone from Chrome (93) and Firefox (93), still last in Apple's
	// list, IE 11's and OpenSSL 1.0.2's.
	for id, want := range map[string]bool{
		"chrome-137-win11": false, "edge-133-win11": false, "firefox-137-win11": false,
		"safari-18.4-macos15": true, "safari-26.4": true, "ie-11-win7": true, "ie-11-win10": true,
		"openssl-1.0.2e": true, "openssl-3.0": false,
	} {
		if got := cipherOffered(get(id), is3DES); got != want {
			t.Errorf("%s offers 3DES = %v, want %v", id, got, want)
		}
	}
	for _, c := range ClientProfiles() {
		if c.Reference && c.MaxVersion >= TLS13 && cipherOffered(c, isRC4) {
			t.Errorf("%s: a TLS 1.3 client offering RC4", c.ID)
		}
	}
	if c := get("ie-8-xp"); c.SNI || c.MaxVersion != TLS10 {
		t.Errorf("IE 8 / XP: SNI %v, highest %v", c.SNI, c.MaxVersion)
	}
	if c := get("java-6u45"); !c.SSLv2Hello || c.MaxDHBits != 1024 {
		t.Errorf("Java 6u45: SSLv2 hello %v, max DH %d", c.SSLv2Hello, c.MaxDHBits)
	}
}

func TestClientProfileHelpers(t *testing.T) {
	c, _ := ClientProfileByID("chrome-137-win11")
	if got := c.Label(); got != "Chrome 137 / Win 11" {
		t.Errorf("Label = %q", got)
	}
	if o, _ := ClientProfileByID("openssl-1.0.2e"); o.Label() != "OpenSSL 1.0.2e" {
		t.Errorf("Label = %q", o.Label())
	}
	if s, _ := ClientProfileByID("safari-18.4-macos15"); !slices.Equal(s.SupportedVersions(), []Protocol{TLS13, TLS12, TLS11, TLS10}) {
		t.Errorf("Safari 18.4 supported_versions %v", s.SupportedVersions())
	}
	if !c.Accepts(TLS12) || c.Accepts(TLS11) || !c.Offers(0x1301) || c.Offers(0x000A) || !c.Sends(extKeyShare) {
		t.Error("Accepts/Offers/Sends wrong for Chrome 137")
	}
	if _, ok := ClientProfileByID("netscape-4"); ok {
		t.Error("found a profile that does not exist")
	}

	// Callers get deep copies.
	a := ClientProfiles()
	a[0].Suites[0] = 0xFFFF
	a[0].Extensions[0] = 0xFFFF
	j := slices.IndexFunc(a, func(p ClientProfile) bool { return p.ExtensionData != nil })
	for k := range a[j].ExtensionData {
		a[j].ExtensionData[k][0] ^= 0xFF
	}
	b := ClientProfiles()
	if b[0].Suites[0] == 0xFFFF || b[0].Extensions[0] == 0xFFFF {
		t.Error("ClientProfiles shares slices between calls")
	}
	for k, v := range b[j].ExtensionData {
		if v[0] == a[j].ExtensionData[k][0] {
			t.Error("ClientProfiles shares extension data between calls")
		}
	}
}
