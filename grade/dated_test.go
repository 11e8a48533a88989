package grade

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"padlock/registry"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// distrusted is the modern baseline with a certificate from ca issued at
// issued (its SCT at the same time, or none when noSCT), judged at at.
func distrusted(ca string, issued, at time.Time, noSCT bool) Facts {
	f := modern()
	f.Now = at
	f.Cert.CA = ca
	f.Cert.NotBefore, f.Cert.NotAfter = issued, at.AddDate(0, 2, 0)
	if !noSCT {
		f.Cert.EarliestSCT = issued
	}
	return f
}

// TestDistrustByBrowser: the dated rules name the browsers that distrust
// the certificate and say when another still trusts it.
func TestDistrustByBrowser(t *testing.T) {
	cases := []struct {
		name     string
		f        Facts
		browsers []string
		say      []string
	}{
		{"Entrust between Chrome's and Mozilla's cut-offs",
			distrusted(registry.CAEntrust, date(2024, 11, 20), date(2025, 1, 10), false),
			[]string{"Chrome"}, []string{"earliest SCT is after 2024-11-11", "this certificate's is 2024-11-20", "Mozilla's root store still trusts it"}},
		{"Entrust after both",
			distrusted(registry.CAEntrust, date(2024, 12, 5), date(2025, 1, 10), false),
			[]string{"Chrome", "Mozilla"}, []string{"notBefore is after 2024-11-30"}},
		{"Chunghwa Telecom: Chrome only",
			distrusted(registry.CAChunghwa, date(2025, 8, 5), date(2025, 9, 1), false),
			[]string{"Chrome"}, []string{"Chunghwa Telecom", "Chrome 139", "Mozilla's root store still trusts it"}},
		{"NetLock without SCT: notBefore stands in",
			distrusted(registry.CANetLock, date(2025, 9, 1), date(2025, 9, 2), true),
			[]string{"Chrome"}, []string{"no SCT was seen"}},
		{"Symantec issued before 2016-06-01",
			distrusted(registry.CASymantec, date(2015, 1, 1), date(2018, 4, 1), false),
			[]string{"Chrome", "Mozilla"}, []string{"Chrome 66", "Firefox 60"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Evaluate(c.f)
			fd, ok := findingFor(r, RuleA7)
			if !ok || r.Grade != "T" {
				t.Fatalf("A7 did not fire: grade %s findings %v", r.Grade, ruleIDs(r.Findings))
			}
			if !slices.Equal(fd.Evidence.Browsers, c.browsers) {
				t.Errorf("browsers %v, want %v", fd.Evidence.Browsers, c.browsers)
			}
			for _, s := range c.say {
				if !strings.Contains(fd.Evidence.Text, s) {
					t.Errorf("evidence %q does not say %q", fd.Evidence.Text, s)
				}
			}
			if !strings.Contains(fd.Reason, c.browsers[0]) {
				t.Errorf("reason %q does not name %s", fd.Reason, c.browsers[0])
			}
		})
	}
}

// TestDistrustNotCovered: a certificate issued before the cut-off, and one
// judged before the rule's date, are not distrusted now.
func TestDistrustNotCovered(t *testing.T) {
	for _, f := range []Facts{
		distrusted(registry.CAEntrust, date(2024, 10, 1), date(2024, 12, 20), false),
		distrusted(registry.CAChunghwa, date(2025, 7, 1), date(2025, 9, 1), false),
	} {
		if r := Evaluate(f); r.Grade != "A+" {
			t.Errorf("%s issued %s: grade %s %v", f.Cert.CA, day(f.Cert.NotBefore), r.Grade, ruleIDs(r.Findings))
		}
	}
	f := distrusted(registry.CAEntrust, date(2024, 12, 5), date(2025, 1, 10), false)
	f.Now = time.Time{}
	if _, ok := pendingFor(Evaluate(f), RuleA7); !ok {
		t.Error("without an evaluation time the dated rules should be pending")
	}
}

// TestFutureGrade: a rule whose date is ahead gives the future grade from
// that date; re-grading the same facts later gives it as the grade.
func TestFutureGrade(t *testing.T) {
	// Issued after 2016-06-01: only Symantec's second step covers it.
	f := distrusted(registry.CASymantec, date(2017, 1, 1), date(2018, 5, 1), false)
	r := Evaluate(f)
	if r.Grade != "A+" || r.FutureGrade != "T" || !r.FutureGradeFrom.Equal(date(2018, 10, 16)) || !strings.Contains(r.FutureReason, "every Symantec certificate") {
		t.Fatalf("grade %s future %s from %s (%s)", r.Grade, r.FutureGrade, r.FutureGradeFrom, r.FutureReason)
	}
	// Issued before: the first step (2018-03-01) is the first change.
	f = distrusted(registry.CASymantec, date(2016, 1, 1), date(2018, 2, 1), false)
	f.Cert.NotAfter = date(2019, 1, 1)
	if r := Evaluate(f); r.FutureGrade != "T" || !r.FutureGradeFrom.Equal(date(2018, 3, 1)) {
		t.Fatalf("future %s from %s", r.FutureGrade, r.FutureGradeFrom)
	}
	// Re-graded after the date, the future is the present.
	f.Now = date(2018, 11, 1)
	if r := Evaluate(f); r.Grade != "T" || r.FutureGrade != "" {
		t.Fatalf("grade %s future %s", r.Grade, r.FutureGrade)
	}
	// Nothing ahead: no future grade, and it is left out of the JSON.
	r = Evaluate(modern())
	b, _ := json.Marshal(r)
	if r.FutureGrade != "" || strings.Contains(string(b), "futureGrade") {
		t.Fatalf("future grade on the baseline: %s", b)
	}
	// A grade that is already T does not change.
	f = distrusted(registry.CASymantec, date(2017, 1, 1), date(2018, 5, 1), false)
	f.Cert.TrustError = "unknown issuer"
	if r := Evaluate(f); r.FutureGrade != "" {
		t.Fatalf("T stays T: future %s", r.FutureGrade)
	}
}

// TestFutureGradeRoundTrip: the future grade survives JSON.
func TestFutureGradeRoundTrip(t *testing.T) {
	r := Evaluate(distrusted(registry.CASymantec, date(2017, 1, 1), date(2018, 5, 1), false))
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.FutureGrade != r.FutureGrade || !back.FutureGradeFrom.Equal(r.FutureGradeFrom) {
		t.Fatalf("round trip: %+v", back)
	}
}
