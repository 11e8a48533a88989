package grade

import (
	"time"

	"padlock/registry"
)

// now is the evaluation time of every test.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func boolp(b bool) *bool { return &b }

var clean = Check{State: NotVulnerable}

// modern is worked example 1 of docs/grading.md §1.7 with every fact gathered
// and nothing wrong: TLS 1.2 + 1.3, RSA-2048, X25519, AES-128/256-GCM and
// ChaCha20, HSTS for a year. P 100, K 90, C 90 → 93 → A+.
func modern() Facts {
	return Facts{
		Host:      "example.com",
		Protocols: []registry.Protocol{registry.TLS12, registry.TLS13},
		Suites: []ProtocolSuites{
			{Protocol: registry.TLS12, Suites: []uint16{0xc02f, 0xc030, 0xcca8}, ServerPreference: true},
			{Protocol: registry.TLS13, Suites: []uint16{0x1301, 0x1302, 0x1303}},
		},
		LeafKey:             &KeyFacts{Alg: KeyRSA, Bits: 2048, Exponent: 65537, DebianWeak: clean},
		ECDHEGroups:         []uint16{0x001d},
		SecureRenegotiation: boolp(true),
		Sims: &SimFacts{Clients: []SimClient{
			{Name: "Chrome 131", Reference: true, Protocol: registry.TLS13, Suite: 0x1301, Group: 0x001d},
			{Name: "Firefox 133", Reference: true, Protocol: registry.TLS13, Suite: 0x1301, Group: 0x001d},
			{Name: "Safari 17", Reference: true, Protocol: registry.TLS13, Suite: 0x1302, Group: 0x001d},
			{Name: "IE 11 / Win 7", Protocol: registry.TLS12, Suite: 0xc030, Group: 0x0017},
		}},
		Negotiated: &Negotiation{Protocol: registry.TLS13, Suite: 0x1301, Group: 0x001d},
		Cert: &CertFacts{
			Subject:     "CN=example.com",
			SHA256:      "3f1a9c0e5b7d2a4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678901",
			Names:       []string{"example.com", "www.example.com"},
			NotBefore:   now.AddDate(0, -1, 0),
			NotAfter:    now.AddDate(0, 2, 0),
			Revoked:     clean,
			Distrusted:  clean,
			Blacklisted: clean,
			SigAlg:      "SHA256withRSA",
			SigHash:     HashSHA256,
		},
		Vulns: &VulnFacts{
			Heartbleed: clean, CCSInjection: clean, POODLETLS: clean, LuckyMinus20: clean,
			Ticketbleed: clean, ROBOT: clean, ZombiePOODLE: clean, GOLDENDOODLE: clean,
			ZeroLength: clean, SleepingPOODLE: clean, InsecureRenegotiation: clean,
			FallbackSCSV: clean, FREAK: clean, Logjam: clean,
		},
		HTTP:  &HTTPFacts{HSTS: HSTSPresent, HSTSMaxAge: 31536000, HSTSHeader: "max-age=31536000", HPKP: HPKPAbsent},
		DROWN: &DROWNFacts{Hosts: []string{}},
		Now:   now,
	}
}

// findingFor returns the finding of a rule, if it fired.
func findingFor(r Result, id RuleID) (Finding, bool) {
	for _, f := range r.Findings {
		if f.Rule == id {
			return f, true
		}
	}
	return Finding{}, false
}

func pendingFor(r Result, id RuleID) (Pending, bool) {
	for _, p := range r.NotEvaluated {
		if p.Rule == id {
			return p, true
		}
	}
	return Pending{}, false
}

func ruleIDs(fs []Finding) []RuleID {
	var out []RuleID
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// setSuites replaces the suites of protocol p (adding p if needed).
func setSuites(f *Facts, p registry.Protocol, ids ...uint16) {
	for i := range f.Suites {
		if f.Suites[i].Protocol == p {
			f.Suites[i].Suites = ids
			return
		}
	}
	f.Suites = append(f.Suites, ProtocolSuites{Protocol: p, Suites: ids})
	f.Protocols = append(f.Protocols, p)
}

// addSuites appends suites to protocol p (adding p if needed).
func addSuites(f *Facts, p registry.Protocol, ids ...uint16) {
	for i := range f.Suites {
		if f.Suites[i].Protocol == p {
			f.Suites[i].Suites = append(f.Suites[i].Suites, ids...)
			return
		}
	}
	setSuites(f, p, ids...)
}

// dropProtocol removes p and its suites.
func dropProtocol(f *Facts, p registry.Protocol) {
	var ps []registry.Protocol
	for _, q := range f.Protocols {
		if q != p {
			ps = append(ps, q)
		}
	}
	f.Protocols = ps
	var ss []ProtocolSuites
	for _, s := range f.Suites {
		if s.Protocol != p {
			ss = append(ss, s)
		}
	}
	f.Suites = ss
}

// referenceGets makes every reference client negotiate suite at p.
func referenceGets(f *Facts, p registry.Protocol, suite uint16) {
	for i := range f.Sims.Clients {
		if f.Sims.Clients[i].Reference {
			f.Sims.Clients[i].Protocol, f.Sims.Clients[i].Suite = p, suite
		}
	}
	f.Negotiated = &Negotiation{Protocol: p, Suite: suite}
}
