package grade

import (
	"slices"
	"strings"
	"testing"

	"padlock/registry"
)

// TestWorkedExamples reproduces docs/grading.md §1.7 with exact scores.
func TestWorkedExamples(t *testing.T) {
	cases := []struct {
		name      string
		mut       func(*Facts)
		p, k, c   float64
		total     float64
		letter    string
		grade     string
		mustFire  []RuleID
		isWarning bool
	}{
		{"1: TLS 1.2+1.3, RSA-2048, X25519, AES-GCM+ChaCha20, HSTS one year → A+",
			func(f *Facts) {}, 100, 90, 90, 93, "A", "A+", nil, false},
		{"1 without HSTS → A", func(f *Facts) { f.HTTP.HSTS, f.HTTP.HSTSMaxAge = HSTSAbsent, 0 },
			100, 90, 90, 93, "A", "A", []RuleID{RuleF4}, false},
		{"1 with max-age=0 → A-", func(f *Facts) { f.HTTP.HSTS, f.HTTP.HSTSMaxAge = HSTSDisabled, 0 },
			100, 90, 90, 93, "A", "A-", []RuleID{RuleF2}, true},
		{"1 with an unparsable header → A-", func(f *Facts) { f.HTTP.HSTS = HSTSInvalid },
			100, 90, 90, 93, "A", "A-", []RuleID{RuleF2}, true},
		// testssl truncates each weighted component: 28 + 27 + 36 = 91
		// (docs/grading.md §1.5); padlock keeps 91.5 (decision 14). Same letter.
		{"2: plus TLS 1.0 and 1.1 with AES-CBC → 91.5, cap B",
			func(f *Facts) {
				addSuites(f, registry.TLS10, 0xc013, 0xc014)
				addSuites(f, registry.TLS11, 0xc013, 0xc014)
			}, 95, 90, 90, 91.5, "A", "B", []RuleID{RuleB5}, false},
		{"3: TLS 1.2 only → A- (no TLS 1.3, 2009r)",
			func(f *Facts) { dropProtocol(f, registry.TLS13); referenceGets(f, registry.TLS12, 0xc02f) },
			100, 90, 90, 93, "A", "A-", []RuleID{RuleB6}, true},
		// testssl 3.2.x ignores the DH group size (Appendix A.4) and would
		// give this server A+.
		{"4: RSA-2048 + DHE-1024 → K 80, 90, cap B (testssl 3.2: A+)",
			func(f *Facts) {
				addSuites(f, registry.TLS12, 0x009e, 0x009f)
				f.DHGroups = []DHFacts{{Bits: 1024, Name: "RFC 2409 Oakley group 2 (1024-bit MODP)"}}
			}, 100, 80, 90, 90, "A", "B", []RuleID{RuleC4}, false},
		{"5: a NULL suite beside AES-256 → C (100+0)/2 = 50, D1 → F",
			func(f *Facts) { addSuites(f, registry.TLS12, 0x0002) }, 100, 90, 50, 77, "B", "F", []RuleID{RuleD1}, false},
		{"5: NULL only → C 0 → total 0 → F",
			func(f *Facts) {
				dropProtocol(f, registry.TLS13)
				setSuites(f, registry.TLS12, 0x0002, 0x0001)
				referenceGets(f, registry.TLS12, 0x0002)
			}, 100, 90, 0, 0, "F", "F", []RuleID{RuleD1, RuleScore}, true},
		{"5: an anonymous suite → K 0 → total 0 → F",
			func(f *Facts) { addSuites(f, registry.TLS12, 0xc018) }, 100, 0, 90, 0, "F", "F", []RuleID{RuleC1, RuleScore}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := modern()
			c.mut(&f)
			r := Evaluate(f)
			s := r.Scores
			if s.Protocol != c.p || s.KeyExchange != c.k || s.Cipher != c.c || s.Total != c.total || s.Letter != c.letter {
				t.Errorf("scores %v/%v/%v = %v %s, want %v/%v/%v = %v %s",
					s.Protocol, s.KeyExchange, s.Cipher, s.Total, s.Letter, c.p, c.k, c.c, c.total, c.letter)
			}
			if r.Grade != c.grade {
				t.Errorf("grade %q, want %q (findings %v)", r.Grade, c.grade, ruleIDs(r.Findings))
			}
			for _, id := range c.mustFire {
				if _, ok := findingFor(r, id); !ok {
					t.Errorf("%s did not fire (findings %v)", id, ruleIDs(r.Findings))
				}
			}
			if r.HasWarnings != c.isWarning {
				t.Errorf("hasWarnings %v, want %v", r.HasWarnings, c.isWarning)
			}
		})
	}
}

func TestProtocolScore(t *testing.T) {
	P := func(ps ...registry.Protocol) float64 {
		f := modern()
		f.Protocols = ps
		f.Suites = nil
		for _, p := range ps {
			if p != registry.SSLv2 {
				f.Suites = append(f.Suites, ProtocolSuites{Protocol: p, Suites: []uint16{0x002f}})
			}
		}
		f.Sims, f.Negotiated = nil, nil
		return Evaluate(f).Scores.Protocol
	}
	cases := []struct {
		ps   []registry.Protocol
		want float64
	}{
		{[]registry.Protocol{registry.TLS12, registry.TLS13}, 100},
		{[]registry.Protocol{registry.TLS13}, 100},
		{[]registry.Protocol{registry.TLS10, registry.TLS11, registry.TLS12, registry.TLS13}, 95},
		{[]registry.Protocol{registry.TLS11, registry.TLS12}, 97.5},
		{[]registry.Protocol{registry.TLS10, registry.TLS11}, 92.5},
		{[]registry.Protocol{registry.SSLv3}, 80},
		{[]registry.Protocol{registry.SSLv3, registry.TLS12}, 90},
		{[]registry.Protocol{registry.SSLv2, registry.TLS12}, 50},
		{[]registry.Protocol{registry.SSLv2, registry.SSLv3}, 40},
	}
	for _, c := range cases {
		if got := P(c.ps...); got != c.want {
			t.Errorf("P%v = %v, want %v", protoNames(c.ps), got, c.want)
		}
	}
}

func TestKeyExchangeScore(t *testing.T) {
	cases := []struct {
		name string
		mut  func(*Facts)
		want float64
	}{
		{"RSA-2048 + X25519", func(f *Facts) {}, 90},
		// testssl 3.2 keeps EC keys of 225 bits or more at 100 and ignores
		// the ECDHE curve (Appendix A.3): it would score this 100.
		{"ECDSA P-256 + X25519 is 90 (decision 6; testssl 3.2: 100)", func(f *Facts) {
			*f.LeafKey = KeyFacts{Alg: KeyECDSA, Bits: 256, Curve: "P-256", DebianWeak: clean}
		}, 90},
		{"ECDSA P-384 + secp384r1 → 100", func(f *Facts) {
			*f.LeafKey = KeyFacts{Alg: KeyECDSA, Bits: 384, Curve: "P-384", DebianWeak: clean}
			f.ECDHEGroups = []uint16{0x0018}
		}, 100},
		{"RSA-4096 + X25519 → the curve's 3072 caps it at 90", func(f *Facts) { f.LeafKey.Bits = 4096 }, 90},
		{"RSA-4096 + P-521 → 100", func(f *Facts) { f.LeafKey.Bits = 4096; f.ECDHEGroups = []uint16{0x0019} }, 100},
		{"Ed25519 → 3072 → 90", func(f *Facts) { *f.LeafKey = KeyFacts{Alg: KeyEdDSA, Bits: 255, DebianWeak: clean} }, 90},
		{"explicit Strength wins", func(f *Facts) { f.LeafKey.Strength = 15360; f.ECDHEGroups = nil }, 100},
		{"RSA-1024 → 80", func(f *Facts) { f.LeafKey.Bits = 1024 }, 80},
		{"RSA-512 → 40", func(f *Facts) { f.LeafKey.Bits = 512 }, 40},
		{"RSA-384 → 20", func(f *Facts) { f.LeafKey.Bits = 384 }, 20},
		{"DHE-1024 beside RSA-2048 → 80 (the guide's own example)", func(f *Facts) { f.DHGroups = []DHFacts{{Bits: 1024}} }, 80},
		{"DHE-4096 and RSA-4096 and P-384 → 100", func(f *Facts) {
			f.LeafKey.Bits = 4096
			f.DHGroups = []DHFacts{{Bits: 4096}}
			f.ECDHEGroups = []uint16{0x0018}
		}, 100},
		{"ffdhe2048 in TLS 1.3 → 90", func(f *Facts) { f.LeafKey.Bits = 4096; f.ECDHEGroups = []uint16{0x0100} }, 90},
		{"export suite → 40", func(f *Facts) { addSuites(f, registry.TLS10, 0x0003) }, 40},
		{"anonymous suite → 0", func(f *Facts) { addSuites(f, registry.TLS12, 0x00a6) }, 0},
		{"Debian weak key → 0", func(f *Facts) { f.LeafKey.DebianWeak = Check{State: Vulnerable} }, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := modern()
			c.mut(&f)
			r := Evaluate(f)
			if r.Scores.KeyExchange != c.want {
				t.Errorf("K = %v, want %v (%s)", r.Scores.KeyExchange, c.want, r.Scores.KeyExchangeBasis)
			}
		})
	}
}

func TestCipherScore(t *testing.T) {
	cases := []struct {
		name string
		ids  []uint16
		want float64
	}{
		{"AES-128-GCM and AES-256-GCM", []uint16{0xc02f, 0xc030}, 90},
		{"AES-256-GCM and ChaCha20 only", []uint16{0xc030, 0xcca8}, 100},
		{"AES-128 only", []uint16{0xc02f}, 80},
		// Decision 8: 3DES counts as 168 bits (80), as SSL Labs scored it
		// (ssllabs-scan #259) and testssl does; at 112 it would be 20 → 60.
		{"AES-256 and 3DES: 3DES scores as 168 (decision 8)", []uint16{0xc030, 0x000a}, 90},
		{"3DES only", []uint16{0x000a}, 80},
		{"AES-256 and DES (56)", []uint16{0xc030, 0x0009}, 60},
		{"AES-256 and NULL", []uint16{0xc030, 0x0002}, 50},
		{"RC4-128 and AES-128", []uint16{0x0005, 0xc02f}, 80},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := modern()
			dropProtocol(&f, registry.TLS13)
			setSuites(&f, registry.TLS12, c.ids...)
			f.Sims, f.Negotiated = nil, nil
			if got := Evaluate(f).Scores.Cipher; got != c.want {
				t.Errorf("C = %v, want %v", got, c.want)
			}
		})
	}
	// SSL 2.0 cipher specs count too.
	f := modern()
	f.Protocols = append(f.Protocols, registry.SSLv2)
	f.SSLv2Ciphers = []uint32{0x020080} // EXP-RC4-MD5, 40 bits
	if got := Evaluate(f).Scores.Cipher; got != 60 {
		t.Errorf("with an SSL 2.0 export cipher C = %v, want 60", got)
	}
}

func TestLetterThresholds(t *testing.T) {
	cases := []struct {
		total float64
		want  string
	}{{100, "A"}, {80, "A"}, {79.99, "B"}, {65, "B"}, {64.5, "C"}, {50, "C"}, {49, "D"}, {35, "D"}, {34, "E"}, {20, "E"}, {19.5, "F"}, {0, "F"}}
	for _, c := range cases {
		if got := letterFor(c.total).String(); got != c.want {
			t.Errorf("letter(%v) = %s, want %s", c.total, got, c.want)
		}
	}
}

// TestScoreFinding: a letter below A from the numeric score alone is
// explained by a "score" finding naming the weakest category.
func TestScoreFinding(t *testing.T) {
	f := modern()
	f.LeafKey.Bits = 512 // K 40 → 30 + 12 + 36 = 78 → B, and A10 → F
	r := Evaluate(f)
	fd, ok := findingFor(r, RuleScore)
	if !ok || fd.Effect != EffectScore || r.Scores.Total != 78 || r.Scores.Letter != "B" {
		t.Fatalf("score finding %+v, scores %+v", fd, r.Scores)
	}
	if want := "key exchange"; !strings.Contains(fd.Reason, want) {
		t.Errorf("reason %q does not name %q", fd.Reason, want)
	}
	if r.Grade != "F" || !slices.Contains(ruleIDs(r.Findings), RuleA10) {
		t.Errorf("grade %s findings %v", r.Grade, ruleIDs(r.Findings))
	}
}
