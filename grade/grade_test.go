package grade

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"padlock/registry"
)

// Decision 4 / Appendix A.16: mismatch before trust. testssl 3.2 keeps
// whichever cap it set last, normally T.
func TestMismatchBeforeTrust(t *testing.T) {
	f := modern()
	f.Cert.NameMismatch = true
	f.Cert.TrustError = "unknown authority"
	r := Evaluate(f)
	if r.Grade != "M" || r.GradeTrustIgnored != "A+" {
		t.Fatalf("grade %s / %s, want M / A+ (testssl 3.2 would show T)", r.Grade, r.GradeTrustIgnored)
	}
	for _, id := range []RuleID{RuleA1, RuleA2} {
		if _, ok := findingFor(r, id); !ok {
			t.Errorf("%s missing", id)
		}
	}
	if r.IsExceptional {
		t.Error("an M is not exceptional")
	}
}

// §1.8: T replaces even an F, which stays visible in GradeTrustIgnored
// (ssllabs-scan #345).
func TestTrustHidesF(t *testing.T) {
	f := modern()
	f.Cert.SelfSigned = true
	f.Vulns.Heartbleed = Check{State: Vulnerable}
	r := Evaluate(f)
	if r.Grade != "T" || r.GradeTrustIgnored != "F" {
		t.Fatalf("grade %s / %s, want T / F", r.Grade, r.GradeTrustIgnored)
	}
	f.Cert.NameMismatch = true
	if r := Evaluate(f); r.Grade != "M" || r.GradeTrustIgnored != "F" {
		t.Fatalf("grade %s / %s, want M / F", r.Grade, r.GradeTrustIgnored)
	}
}

// Decision 1.
func TestU(t *testing.T) {
	t.Run("no handshake", func(t *testing.T) {
		r := Evaluate(Facts{NoTLS: true, NoTLSReason: "connection refused on every protocol", Now: now})
		if r.Grade != "U" || r.GradeTrustIgnored != "U" || r.Inconclusive != "" || r.Provisional {
			t.Fatalf("%+v", r)
		}
		if len(r.Findings) != 1 || r.Findings[0].Rule != RuleU || r.Findings[0].Effect != EffectU ||
			r.Findings[0].Evidence.Text != "connection refused on every protocol" || r.Findings[0].Remedy.Nginx == "" {
			t.Fatalf("findings %+v", r.Findings)
		}
		if len(r.WhyNotAPlus) != 1 || r.Criteria != Criteria {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("HTTPS redirects to HTTP", func(t *testing.T) {
		f := modern()
		f.HTTPSRedirectsToHTTP, f.RedirectLocation = true, "http://example.com/"
		r := Evaluate(f)
		if r.Grade != "U" || r.TLSGrade != "A+" || r.IsExceptional {
			t.Fatalf("grade %s tls %s", r.Grade, r.TLSGrade)
		}
		fd, ok := findingFor(r, RuleU)
		if !ok || !strings.Contains(fd.Evidence.Text, "http://example.com/") {
			t.Fatalf("U finding %+v", fd)
		}
	})
	t.Run("inconclusive is not U", func(t *testing.T) {
		r := Evaluate(Facts{Inconclusive: "DNS lookup failed", NoTLS: true})
		if r.Grade != "" || r.Inconclusive != "DNS lookup failed" || len(r.Findings) != 0 {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("no protocol and no verdict is inconclusive", func(t *testing.T) {
		r := Evaluate(Facts{Now: now})
		if r.Grade != "" || r.Inconclusive == "" {
			t.Fatalf("%+v", r)
		}
	})
}

func TestInconclusiveScores(t *testing.T) {
	f := modern()
	f.LeafKey = nil
	f.ECDHEGroups = nil
	dropProtocol(&f, registry.TLS13)
	setSuites(&f, registry.TLS12, 0x009c) // RSA key exchange: nothing to score K with
	r := Evaluate(f)
	if r.Grade != "" || !strings.Contains(r.Inconclusive, "key exchange") {
		t.Fatalf("grade %q inconclusive %q", r.Grade, r.Inconclusive)
	}
	// An F still stands without a key-exchange score.
	f.Vulns.Heartbleed = Check{State: Vulnerable}
	if r := Evaluate(f); r.Grade != "F" || r.Inconclusive != "" {
		t.Fatalf("grade %q inconclusive %q", r.Grade, r.Inconclusive)
	}
	// No suites at all.
	f = modern()
	f.Suites = nil
	if r := Evaluate(f); r.Grade != "" || !strings.Contains(r.Inconclusive, "cipher") {
		t.Fatalf("grade %q inconclusive %q", r.Grade, r.Inconclusive)
	}
}

func TestProvisional(t *testing.T) {
	cases := []struct {
		name        string
		mut         func(*Facts)
		grade       string
		provisional bool
		pending     []RuleID
		waits       Source
	}{
		{"no certificate analysis", func(f *Facts) { f.Cert = nil }, "A+", true,
			[]RuleID{RuleA1, RuleA2, RuleA3, RuleA4, RuleA5, RuleA6, RuleA7, RuleA8, RuleA9, RuleA13, RuleA14, RuleA15}, SourcePKI},
		{"no vulnerability checks", func(f *Facts) { f.Vulns = nil }, "A+", true,
			[]RuleID{RuleB7, RuleB8, RuleE1, RuleE2, RuleE7}, SourceVuln},
		{"no HTTP headers: A, not A+", func(f *Facts) { f.HTTP = nil }, "A", true,
			[]RuleID{RuleF1, RuleF2, RuleF3, RuleF4, RuleF5}, SourceWeb},
		{"no simulation nor modern hello", func(f *Facts) { f.Sims, f.Negotiated = nil, nil }, "A+", true,
			[]RuleID{RuleC6, RuleD4, RuleD6, RuleD7}, SourceSimulation},
		// Limitations by design are listed but do not make a grade
		// provisional: no later stage of the assessment would fill them.
		{"no fleet DROWN lookup (a limitation outside fleet scans)", func(f *Facts) { f.DROWN = nil }, "A+", false, []RuleID{RuleE5}, SourceFleet},
		{"no evaluation time", func(f *Facts) { f.Now = time.Time{} }, "A+", true,
			[]RuleID{RuleA4, RuleA5}, SourceClock},
		{"revocation not checked (a limitation)", func(f *Facts) { f.Cert.Revoked = Check{} }, "A+", false, []RuleID{RuleA6}, SourcePKI},
		{"Debian list not consulted (a limitation)", func(f *Facts) { f.LeafKey.DebianWeak = Check{} }, "A+", false, []RuleID{RuleA10}, SourcePKI},
		{"no leaf key", func(f *Facts) { f.LeafKey = nil }, "A+", true, []RuleID{RuleA10, RuleA11, RuleA12}, SourceProbe},
		{"secure renegotiation unknown", func(f *Facts) { f.SecureRenegotiation = nil }, "A+", true, []RuleID{RuleB9}, SourceProbe},
		{"an inconclusive vulnerability check", func(f *Facts) { f.Vulns.Heartbleed = Check{Inconclusive, "timeout"} }, "A+", true, []RuleID{RuleE1}, SourceVuln},
		// Nothing pending can change an F that trust issues do not hide.
		{"pending vulnerabilities cannot change an F", func(f *Facts) { f.Vulns = nil; f.LeafKey.Exponent = 1 }, "F", false,
			[]RuleID{RuleE1}, SourceVuln},
		// A pending warning cannot change a B, but a pending F can.
		{"pending HTTP cannot change a B", func(f *Facts) { f.HTTP = nil; f.Cert.ChainIncomplete = true }, "B", false,
			[]RuleID{RuleF1}, SourceWeb},
		{"pending certificate analysis can still make an F a T", func(f *Facts) { f.Cert = nil; f.LeafKey.Exponent = 1 }, "F", true,
			[]RuleID{RuleA2}, SourcePKI},
		{"an incomplete suite list", func(f *Facts) { f.Incomplete = []string{"TLS 1.2 suite enumeration timed out"} }, "A+", true, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := modern()
			c.mut(&f)
			r := Evaluate(f)
			if r.Grade != c.grade || r.Provisional != c.provisional {
				t.Fatalf("grade %s provisional %v, want %s %v (pending %+v)", r.Grade, r.Provisional, c.grade, c.provisional, r.NotEvaluated)
			}
			for _, id := range c.pending {
				p, ok := pendingFor(r, id)
				if !ok {
					t.Errorf("%s not listed as not evaluated: %+v", id, r.NotEvaluated)
					continue
				}
				if p.WaitsFor != c.waits || p.Reason == "" {
					t.Errorf("%s pending %+v, want waiting for %s", id, p, c.waits)
				}
				if spec, _ := RuleByID(id); p.Effect != spec.Effect {
					t.Errorf("%s pending effect %v, want %v", id, p.Effect, spec.Effect)
				}
			}
		})
	}
}

// Decision 9: negotiation rules say how they were judged.
func TestNegotiationJudgedBy(t *testing.T) {
	f := modern()
	if r := Evaluate(f); r.NegotiationJudgedBy != JudgedSimulation {
		t.Fatalf("judged by %v", r.NegotiationJudgedBy)
	}

	// Without simulation, the modern hello decides.
	f.Sims = nil
	f.Negotiated = &Negotiation{Protocol: registry.TLS12, Suite: 0x009c, Client: "Chrome-like hello"}
	addRSAKx(&f)
	r := Evaluate(f)
	if r.NegotiationJudgedBy != JudgedModernHello {
		t.Fatalf("judged by %v", r.NegotiationJudgedBy)
	}
	fd, ok := findingFor(r, RuleC6)
	if !ok || !slices.Contains(fd.Evidence.Clients, "Chrome-like hello") || !strings.Contains(fd.Evidence.Text, "modern-hello") {
		t.Fatalf("C6 %+v", fd)
	}

	// Simulation where every reference client failed falls back to the
	// modern hello.
	f = modern()
	for i := range f.Sims.Clients {
		f.Sims.Clients[i].Failed = true
	}
	if r := Evaluate(f); r.NegotiationJudgedBy != JudgedModernHello {
		t.Fatalf("judged by %v", r.NegotiationJudgedBy)
	}
	f.Negotiated = nil
	r = Evaluate(f)
	if r.NegotiationJudgedBy != JudgedNot {
		t.Fatalf("judged by %v", r.NegotiationJudgedBy)
	}
	if p, ok := pendingFor(r, RuleD7); !ok || !strings.Contains(p.Reason, "reference client") {
		t.Fatalf("D7 pending %+v", p)
	}

	// Simulation wins over the modern hello.
	f = modern()
	addRSAKx(&f)
	f.Negotiated = &Negotiation{Protocol: registry.TLS12, Suite: 0x009c}
	if r := Evaluate(f); r.Grade != "A+" || r.NegotiationJudgedBy != JudgedSimulation {
		t.Fatalf("grade %s judged by %v", r.Grade, r.NegotiationJudgedBy)
	}
}

// §3: the A-, A and A+ decision.
func TestAPlusLogic(t *testing.T) {
	cases := []struct {
		name  string
		mut   func(*Facts)
		grade string
		why   []RuleID
	}{
		{"all met → A+", func(f *Facts) {}, "A+", nil},
		{"HSTS two years, preload → A+", func(f *Facts) { f.HTTP.HSTSMaxAge = 63072000 }, "A+", nil},
		{"HSTS 180 days minus a second → A", func(f *Facts) { f.HTTP.HSTSMaxAge = 15551999 }, "A", []RuleID{RuleF3}},
		{"HSTS absent → A", func(f *Facts) { f.HTTP.HSTS = HSTSAbsent }, "A", []RuleID{RuleF4}},
		{"HSTS max-age=0 → A-", func(f *Facts) { f.HTTP.HSTS, f.HTTP.HSTSMaxAge = HSTSDisabled, 0 }, "A-", []RuleID{RuleF2}},
		{"HSTS present with max-age 0 is disabled → A-", func(f *Facts) { f.HTTP.HSTSMaxAge = 0 }, "A-", []RuleID{RuleF2}},
		{"no TLS 1.3 → A-", func(f *Facts) { dropProtocol(f, registry.TLS13); referenceGets(f, registry.TLS12, 0xc02f) }, "A-", []RuleID{RuleB6}},
		{"no TLS 1.3 and no HSTS → A- (warnings win)", func(f *Facts) {
			dropProtocol(f, registry.TLS13)
			referenceGets(f, registry.TLS12, 0xc02f)
			f.HTTP.HSTS = HSTSAbsent
		}, "A-", []RuleID{RuleB6, RuleF4}},
		{"no secure renegotiation → A-", func(f *Facts) { f.SecureRenegotiation = boolp(false) }, "A-", []RuleID{RuleB9}},
		// docs/grading.md §0 step 6 and §3: a cap at A (F5) blocks A- as well
		// as A+, as testssl models it.
		{"HPKP broken and no TLS 1.3 → A (cap A blocks A-)", func(f *Facts) {
			dropProtocol(f, registry.TLS13)
			referenceGets(f, registry.TLS12, 0xc02f)
			f.HTTP.HPKP = HPKPInvalid
		}, "A", []RuleID{RuleB6, RuleF5}},
		{"a cap B is not an A", func(f *Facts) { f.Cert.ChainIncomplete = true }, "B", []RuleID{RuleA13}},
		{"no HTTP facts → A, F1 not evaluated", func(f *Facts) { f.HTTP = nil }, "A", []RuleID{RuleF1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := modern()
			c.mut(&f)
			r := Evaluate(f)
			if r.Grade != c.grade {
				t.Fatalf("grade %s, want %s (findings %v)", r.Grade, c.grade, ruleIDs(r.Findings))
			}
			if got := ruleIDs(r.WhyNotAPlus); !slices.Equal(got, c.why) {
				t.Errorf("whyNotAPlus %v, want %v", got, c.why)
			}
			if r.IsExceptional != (c.grade == "A+") {
				t.Errorf("isExceptional %v", r.IsExceptional)
			}
			if r.HasWarnings != (len(r.Warnings) > 0) {
				t.Errorf("hasWarnings %v with warnings %v", r.HasWarnings, r.Warnings)
			}
		})
	}
	// The pending F1 entry is marked as not evaluated.
	f := modern()
	f.HTTP = nil
	r := Evaluate(f)
	if len(r.WhyNotAPlus) != 1 || !r.WhyNotAPlus[0].NotEvaluated || r.WhyNotAPlus[0].Remedy.Nginx == "" {
		t.Fatalf("%+v", r.WhyNotAPlus)
	}
	for _, fd := range r.Findings {
		if fd.NotEvaluated {
			t.Fatal("NotEvaluated set in Findings")
		}
	}
}

func TestWarningsText(t *testing.T) {
	f := modern()
	dropProtocol(&f, registry.TLS13)
	referenceGets(&f, registry.TLS12, 0xc02f)
	f.SecureRenegotiation = boolp(false)
	r := Evaluate(f)
	want := []string{"B6: TLS 1.3 is not supported", "B9: secure renegotiation (RFC 5746) is not supported"}
	if !slices.Equal(r.Warnings, want) || !r.HasWarnings {
		t.Fatalf("warnings %q", r.Warnings)
	}
}

// TLS 1.3-only servers: renegotiation, compression and the legacy-protocol
// vulnerabilities do not apply, so nothing is pending for them.
func TestTLS13Only(t *testing.T) {
	f := modern()
	dropProtocol(&f, registry.TLS12)
	f.SecureRenegotiation = nil
	f.Vulns = nil
	r := Evaluate(f)
	if r.Grade != "A+" || r.Scores.Protocol != 100 {
		t.Fatalf("grade %s P %v", r.Grade, r.Scores.Protocol)
	}
	for _, p := range r.NotEvaluated {
		if p.Effect != EffectInfo {
			t.Errorf("pending on a TLS 1.3-only server: %+v", p)
		}
	}
	var na []RuleID
	for _, n := range r.NotApplicable {
		na = append(na, n.Rule)
	}
	for _, id := range []RuleID{RuleB7, RuleB8, RuleB9, RuleB10, RuleE1, RuleE2, RuleE4, RuleE7, RuleE8, RuleG1} {
		if !slices.Contains(na, id) {
			t.Errorf("%s not listed as not applicable: %v", id, na)
		}
	}
	if r.Provisional {
		t.Error("provisional")
	}
}

func TestDeterministic(t *testing.T) {
	variants := []func(*Facts){
		func(f *Facts) {},
		func(f *Facts) {
			addSuites(f, registry.TLS10, 0xc013, 0x000a, 0x0005)
			addSuites(f, registry.SSLv3, 0x002f)
			f.Cert = nil
			f.Vulns = nil
			f.DHGroups = []DHFacts{{Bits: 1024}, {Bits: 768}}
			f.ECDHEGroups = []uint16{0x0013, 0x001d, 0x0001}
			f.DROWN.Hosts = []string{"b:443", "a:443", "b:443"}
		},
	}
	for i, v := range variants {
		f := modern()
		v(&f)
		a, b := Evaluate(f), Evaluate(f)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("variant %d: two evaluations differ", i)
		}
		// Stored facts re-graded after a JSON round trip give the same
		// result.
		raw, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var g Facts
		if err := json.Unmarshal(raw, &g); err != nil {
			t.Fatal(err)
		}
		c := Evaluate(g)
		ja, _ := json.Marshal(a)
		jc, _ := json.Marshal(c)
		if string(ja) != string(jc) {
			t.Fatalf("variant %d: re-graded stored facts differ:\n%s\n%s", i, ja, jc)
		}
		// Results round-trip too.
		var back Result
		if err := json.Unmarshal(ja, &back); err != nil {
			t.Fatal(err)
		}
		if jb, _ := json.Marshal(back); string(jb) != string(ja) {
			t.Fatalf("variant %d: result does not round-trip", i)
		}
	}
}

// Evaluate must not modify its input.
func TestFactsUntouched(t *testing.T) {
	f := modern()
	f.DROWN.Hosts = []string{"b:443", "a:443"}
	before, _ := json.Marshal(f)
	Evaluate(f)
	after, _ := json.Marshal(f)
	if string(before) != string(after) {
		t.Fatal("Evaluate changed its input")
	}
}

func TestJSONNames(t *testing.T) {
	f := modern()
	f.HTTP = nil
	f.Cert.ChainSendsRoot = true
	dropProtocol(&f, registry.TLS13)
	referenceGets(&f, registry.TLS12, 0xc02f)
	raw, _ := json.Marshal(Evaluate(f))
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"criteria", "grade", "gradeTrustIgnored", "hasWarnings", "isExceptional", "provisional",
		"scores", "findings", "warnings", "whyNotAPlus", "notEvaluated", "notApplicable", "negotiationJudgedBy"} {
		if _, ok := m[k]; !ok {
			t.Errorf("result has no %q", k)
		}
	}
	s := m["scores"].(map[string]any)
	for _, k := range []string{"protocol", "keyExchange", "cipher", "total", "letter"} {
		if _, ok := s[k]; !ok {
			t.Errorf("scores has no %q", k)
		}
	}
	fd := m["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"rule", "effect", "title", "reason", "evidence", "remedy", "since"} {
		if _, ok := fd[k]; !ok {
			t.Errorf("finding has no %q", k)
		}
	}
	if m["criteria"] != "padlock-2009r" || m["negotiationJudgedBy"] != "simulation" {
		t.Errorf("criteria %v judged %v", m["criteria"], m["negotiationJudgedBy"])
	}
	if fd["effect"] != "info" && fd["effect"] != "warning" {
		t.Errorf("effect %v", fd["effect"])
	}
}

func TestEnumsText(t *testing.T) {
	for s := Unknown; s <= Inconclusive; s++ {
		b, err := s.MarshalText()
		var back State
		if err != nil || back.UnmarshalText(b) != nil || back != s {
			t.Errorf("State %d: %q %v", s, b, err)
		}
	}
	for e := EffectInfo; e <= EffectU; e++ {
		b, err := e.MarshalText()
		var back Effect
		if err != nil || back.UnmarshalText(b) != nil || back != e || e.Label() == "" {
			t.Errorf("Effect %d: %q %v", e, b, err)
		}
	}
	var k KeyAlg
	if err := k.UnmarshalText([]byte("rsa")); err != nil || k != KeyRSA {
		t.Errorf("KeyAlg %v %v", k, err)
	}
	if err := k.UnmarshalText([]byte("ElGamal")); err == nil {
		t.Error("unknown KeyAlg accepted")
	}
	if _, err := State(99).MarshalText(); err == nil {
		t.Error("invalid State marshalled")
	}
	if State(99).String() != "State(99)" {
		t.Error(State(99).String())
	}
	if EffectCapB.Label() != "cap B" || EffectWarning.String() != "warning" {
		t.Error("effect names")
	}
}

func TestHashOf(t *testing.T) {
	if HashOf(0) != HashUnknown {
		t.Error("unknown")
	}
}
