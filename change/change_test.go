package change

import (
	"reflect"
	"strings"
	"testing"

	"padlock/assess"
	"padlock/grade"
)

func bp(b bool) *bool { return &b }

var (
	fExpired = Finding{Rule: "A4", Effect: "t", Reason: "certificate expired", Detail: "the certificate expired on 2026-08-01"}
	fSSLv3   = Finding{Rule: "B2", Effect: "cap-b", Reason: "SSL 3.0 supported"}
	fTLS10   = Finding{Rule: "B5", Effect: "cap-b", Reason: "TLS 1.0 or TLS 1.1 supported"}
	fNoHSTS  = Finding{Rule: "F4", Effect: "no-a-plus", Reason: "no HSTS"}
	fScoreC  = Finding{Rule: "score", Effect: "score", Reason: "numeric score gives C"}
	fU       = Finding{Rule: "U", Effect: "u", Reason: "no secure connection"}
	fBEAST   = Finding{Rule: "B11", Effect: "info", Reason: "CBC suites with SSL 3.0 / TLS 1.0 (BEAST)"}
)

func site(key, org, g string, fs ...Finding) Site {
	return Site{Key: key, Organisation: org, URL: "https://" + key + "/", Grade: grade.Grade(g), Findings: fs}
}

func with(s Site, f func(*Site)) Site { f(&s); return s }

func TestCompareOne(t *testing.T) {
	for _, tc := range []struct {
		name      string
		prev, cur Site
		want      string // Kind + " " + Change.String()
	}{
		{"deteriorated with reasons",
			site("cheshire.example", "Cheshire", "C", fTLS10, fScoreC),
			site("cheshire.example", "Cheshire", "F", fTLS10, fScoreC, fExpired, fSSLv3),
			"deteriorated C → F: + certificate expired; + SSL 3.0 supported"},
		{"improved",
			site("a.example", "A", "B", fTLS10, fNoHSTS),
			site("a.example", "A", "A", fNoHSTS),
			"improved B → A: − TLS 1.0 or TLS 1.1 supported"},
		{"improved, with what appeared listed after what went",
			site("a.example", "A", "F", fExpired),
			site("a.example", "A", "B", fTLS10),
			"improved F → B: − certificate expired; + TLS 1.0 or TLS 1.1 supported"},
		{"star appears at the same letter",
			site("b.example", "B", "B", fTLS10),
			with(site("b.example", "B", "B", fTLS10), func(s *Site) { s.Star = true }),
			"deteriorated B → B*: + personal data over plain text (*)"},
		{"star goes at the same letter",
			with(site("b.example", "B", "U", fU), func(s *Site) { s.Star = true }),
			site("b.example", "B", "U", fU),
			"improved U* → U: − personal data over plain text (*)"},
		{"letter better but star appears: deterioration wins",
			site("b.example", "B", "C", fScoreC),
			with(site("b.example", "B", "B"), func(s *Site) { s.Star = true }),
			"deteriorated C → B*: + personal data over plain text (*); − numeric score gives C"},
		{"U to A",
			site("u.example", "U", "U", fU),
			site("u.example", "U", "A", fNoHSTS),
			"improved U → A: − no secure connection; + no HSTS"},
		{"A to T",
			site("t.example", "T", "A"),
			site("t.example", "T", "T", fExpired),
			"deteriorated A → T: + certificate expired"},
		{"F to T is worse",
			site("t.example", "T", "F", fSSLv3),
			site("t.example", "T", "T", fSSLv3, fExpired),
			"deteriorated F → T: + certificate expired"},
		{"inconclusive now is never a change",
			site("i.example", "I", "A"),
			with(site("i.example", "I", ""), func(s *Site) { s.Inconclusive = "DNS lookup failed" }),
			"inconclusive A → ?: inconclusive now: DNS lookup failed"},
		{"inconclusive before is never a change",
			with(site("i.example", "I", ""), func(s *Site) { s.Inconclusive = "scan cut short"; s.Star = true }),
			site("i.example", "I", "F", fSSLv3),
			"inconclusive ? → F: inconclusive before: scan cut short"},
		{"an unknown grade is not a grade",
			site("i.example", "I", "Z"),
			site("i.example", "I", "A"),
			`inconclusive ? → A: inconclusive before: unknown grade "Z"`},
		{"unchanged",
			site("s.example", "S", "A-", fNoHSTS),
			site("s.example", "S", "A-", fNoHSTS, fBEAST),
			"unchanged A- → A-"},
		{"unchanged grade, rules moved",
			site("s.example", "S", "B", fTLS10),
			site("s.example", "S", "B", fSSLv3),
			"unchanged B → B: − TLS 1.0 or TLS 1.1 supported; + SSL 3.0 supported"},
		{"details that vary between scans are not changes",
			site("s.example", "S", "T", fExpired),
			site("s.example", "S", "T", with2(fExpired, "the certificate expired on 2026-08-02")),
			"unchanged T → T"},
		{"secure by default lost",
			with(site("r.example", "R", "A"), func(s *Site) { s.SecureByDefault = bp(true) }),
			with(site("r.example", "R", "A"), func(s *Site) { s.SecureByDefault = bp(false) }),
			"deteriorated A → A: + not secure by default (plain HTTP does not redirect to HTTPS)"},
		{"secure by default gained",
			with(site("r.example", "R", "B", fTLS10), func(s *Site) { s.SecureByDefault = bp(false) }),
			with(site("r.example", "R", "B", fTLS10), func(s *Site) { s.SecureByDefault = bp(true) }),
			"improved B → B: − not secure by default (plain HTTP does not redirect to HTTPS)"},
		{"secure by default unknown on one side is no change",
			with(site("r.example", "R", "B"), func(s *Site) { s.SecureByDefault = bp(true) }),
			site("r.example", "R", "B"),
			"unchanged B → B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Compare([]Site{tc.prev}, []Site{tc.cur})
			if len(got) != 1 {
				t.Fatalf("%d changes: %+v", len(got), got)
			}
			if s := string(got[0].Kind) + " " + got[0].String(); s != tc.want {
				t.Errorf("\n got %s\nwant %s", s, tc.want)
			}
			if got[0].Site != tc.cur.Key || got[0].Organisation != tc.cur.Organisation {
				t.Errorf("site %q org %q", got[0].Site, got[0].Organisation)
			}
		})
	}
}

func with2(f Finding, detail string) Finding { f.Detail = detail; return f }

func TestCompareFleet(t *testing.T) {
	prev := []Site{
		site("www.cheshire.example", "Cheshire", "C", fTLS10, fScoreC),
		site("report.cheshire.example", "Cheshire", "B", fTLS10),
		site("www.dorset.example", "Dorset", "B", fTLS10),
		site("www.avon.example", "avon", "A"),
		site("old.kent.example", "Kent", "F", fSSLv3),
		site("www.essex.example", "Essex", "A"),
		site("www.bedford.example", "Bedford", "B", fTLS10),
		site("www.zeta.example", "Zeta", "A"),
	}
	cur := []Site{
		site("www.zeta.example", "Zeta", "B", fTLS10),
		site("www.cheshire.example", "Cheshire", "F", fTLS10, fScoreC, fExpired, fSSLv3),
		site("report.cheshire.example", "Cheshire", "B", fTLS10),
		site("www.dorset.example", "Dorset", "A"),
		site("www.avon.example", "avon", "A"),
		with(site("www.essex.example", "Essex", ""), func(s *Site) { s.Inconclusive = "connection timed out" }),
		site("www.bedford.example", "Bedford", "A"),
		site("new.kent.example", "Kent", "A"),
	}
	var got []string
	for _, c := range Compare(prev, cur) {
		got = append(got, c.Organisation+" "+c.Site+" "+string(c.Kind)+" "+c.String())
	}
	want := []string{
		"Cheshire www.cheshire.example deteriorated C → F: + certificate expired; + SSL 3.0 supported",
		"Zeta www.zeta.example deteriorated A → B: + TLS 1.0 or TLS 1.1 supported",
		"Bedford www.bedford.example improved B → A: − TLS 1.0 or TLS 1.1 supported",
		"Dorset www.dorset.example improved B → A: − TLS 1.0 or TLS 1.1 supported",
		"Kent new.kent.example new — → A",
		"Kent old.kent.example gone F → —",
		"Essex www.essex.example inconclusive A → ?: inconclusive now: connection timed out",
		"avon www.avon.example unchanged A → A",
		"Cheshire report.cheshire.example unchanged B → B",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Nothing in, nothing out; one side empty: everything new or gone.
	if c := Compare(nil, nil); len(c) != 0 {
		t.Errorf("Compare(nil, nil) = %v", c)
	}
	for _, c := range Compare(nil, cur) {
		if c.Kind != New || c.From != "" {
			t.Errorf("Compare(nil, cur): %+v", c)
		}
	}
	for _, c := range Compare(prev, nil) {
		if c.Kind != Gone || c.To != "" {
			t.Errorf("Compare(prev, nil): %+v", c)
		}
	}
}

func TestCompareNewGoneInconclusive(t *testing.T) {
	inc := with(site("n.example", "N", ""), func(s *Site) { s.Inconclusive = "DNS lookup failed" })
	got := Compare(nil, []Site{inc})
	want := []Change{{Site: "n.example", Organisation: "N", URL: "https://n.example/", Kind: New, Reasons: []string{"inconclusive: DNS lookup failed"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("new inconclusive: %+v", got)
	}
	got = Compare([]Site{with(site("g.example", "G", "B"), func(s *Site) { s.Star = true })}, nil)
	if len(got) != 1 || got[0].Kind != Gone || got[0].From != "B*" || got[0].String() != "B* → —" {
		t.Errorf("gone: %+v", got)
	}
}

func TestCompareMergesDuplicateKeys(t *testing.T) {
	// The same site listed twice in a scan (two organisations share it, or
	// two URLs on one host): its worst grade, `*` if any.
	prev := []Site{site("shared.example", "Avon", "A"), site("shared.example", "Somerset", "A")}
	cur := []Site{
		site("shared.example", "Avon", "A"),
		with(site("shared.example", "Somerset", "C", fScoreC), func(s *Site) { s.Star = true }),
		with(site("shared.example", "Somerset", ""), func(s *Site) { s.Inconclusive = "timeout" }),
	}
	got := Compare(prev, cur)
	if len(got) != 1 {
		t.Fatalf("%d changes: %+v", len(got), got)
	}
	c := got[0]
	if c.Kind != Deteriorated || c.From != "A" || c.To != "C*" || c.Organisation != "Avon, Somerset" {
		t.Errorf("merged: %+v", c)
	}
	if want := []string{"+ numeric score gives C", "+ " + ReasonStar}; !reflect.DeepEqual(c.Reasons, want) {
		t.Errorf("reasons %q, want %q", c.Reasons, want)
	}
	// An inconclusive entry does not hide a graded one.
	got = Compare([]Site{site("x.example", "X", "B")}, []Site{
		with(site("x.example", "X", ""), func(s *Site) { s.Inconclusive = "timeout" }),
		site("x.example", "X", "A"),
	})
	if got[0].Kind != Improved || got[0].To != "A" {
		t.Errorf("inconclusive + graded: %+v", got[0])
	}
}

func TestShortReason(t *testing.T) {
	for in, want := range map[string]string{
		"Certificate expired":                   "certificate expired",
		"SSL 3.0 supported":                     "SSL 3.0 supported",
		"No HSTS":                               "no HSTS",
		"OpenSSL CCS injection (CVE-2014-0224)": "OpenSSL CCS injection (CVE-2014-0224)",
		"TLS 1.0 or TLS 1.1 supported":          "TLS 1.0 or TLS 1.1 supported",
		"DROWN":                                 "DROWN",
		"Weak server key (below 2048 bits)":     "weak server key (below 2048 bits)",
		"":                                      "",
		"already lower":                         "already lower",
		"Éclair expired":                        "éclair expired",
	} {
		if got := ShortReason(in); got != want {
			t.Errorf("ShortReason(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFindingsFromHost(t *testing.T) {
	if FindingsFromHost(nil) != nil {
		t.Error("nil host")
	}
	expired := grade.Finding{Rule: grade.RuleA4, Effect: grade.EffectT, Title: "Certificate expired", Reason: "the certificate expired on 2026-08-01"}
	tls10 := grade.Finding{Rule: grade.RuleB5, Effect: grade.EffectCapB, Title: "TLS 1.0 or TLS 1.1 supported", Reason: "TLS 1.0 is supported"}
	score := grade.Finding{Rule: grade.RuleScore, Effect: grade.EffectScore, Title: "Numeric score", Reason: "the weighted score 62 gives C"}
	h := &assess.Host{Endpoints: []assess.Endpoint{
		{IPAddress: "192.0.2.1", PadlockGrade: &grade.Result{Grade: "T", Scores: grade.Scores{Letter: "C"},
			Findings: []grade.Finding{expired, tls10, score}}},
		{IPAddress: "192.0.2.2"}, // not graded
		{IPAddress: "2001:db8::1", PadlockGrade: &grade.Result{Grade: "B",
			Findings:    []grade.Finding{tls10, {Rule: grade.RuleB6, Effect: grade.EffectWarning, Title: "TLS 1.3 not supported", Reason: "x"}},
			WhyNotAPlus: []grade.Finding{{Rule: grade.RuleF1, NotEvaluated: true}}}},
	}}
	got := FindingsFromHost(h)
	want := []Finding{
		{Rule: "A4", Effect: "t", Reason: "certificate expired", Detail: "the certificate expired on 2026-08-01"},
		{Rule: "B5", Effect: "cap-b", Reason: "TLS 1.0 or TLS 1.1 supported", Detail: "TLS 1.0 is supported"},
		{Rule: "score", Effect: "score", Reason: "numeric score gives C", Detail: "the weighted score 62 gives C"},
		{Rule: "B6", Effect: "warning", Reason: "TLS 1.3 not supported", Detail: "x"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("FindingsFromHost:\n got %+v\nwant %+v", got, want)
	}
}
