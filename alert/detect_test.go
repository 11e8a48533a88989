package alert

import (
	"slices"
	"strings"
	"testing"
	"time"

	"padlock/change"
	"padlock/grade"
)

func site(key, g string, mod ...func(*Site)) Site {
	s := Site{Site: change.Site{Key: key, Grade: grade.Grade(g), URL: "https://" + key + "/"}}
	for _, m := range mod {
		m(&s)
	}
	return s
}

func star(s *Site)           { s.Star = true }
func inconclusive(s *Site)   { s.Grade, s.Inconclusive = "", "timeout" }
func sbd(v bool) func(*Site) { return func(s *Site) { s.SecureByDefault = &v } }
func vulns(ids ...string) func(*Site) {
	return func(s *Site) {
		s.VulnChecked = true
		for _, id := range ids {
			s.Vulnerable = append(s.Vulnerable, Vuln{Check: id, Name: strings.ToUpper(id)})
		}
	}
}
func expires(t time.Time) func(*Site) { return func(s *Site) { s.CertNotAfter = t } }
func finding(rule, reason string) func(*Site) {
	return func(s *Site) {
		s.Findings = append(s.Findings, change.Finding{Rule: rule, Effect: "cap-b", Reason: reason})
	}
}

func TestDetect(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	far := now.AddDate(1, 0, 0)
	tests := []struct {
		name      string
		prev, cur Site
		noPrev    bool
		want      []Kind
		key       string // the first change's key, when given
		reason    string // a reason the first change lists
	}{
		{name: "unchanged", prev: site("a.example", "A"), cur: site("a.example", "A")},
		{name: "improved", prev: site("a.example", "C"), cur: site("a.example", "A")},
		{name: "grade down", prev: site("a.example", "A"), cur: site("a.example", "B", finding("B2", "TLS 1.0 supported")),
			want: []Kind{GradeDown}, key: "a.example|grade-down|A>B|scan 7", reason: "+ TLS 1.0 supported"},
		{name: "T ranks below F", prev: site("a.example", "F"), cur: site("a.example", "T"), want: []Kind{GradeDown}},
		{name: "HTTPS lost", prev: site("a.example", "B"), cur: site("a.example", "U"),
			want: []Kind{HTTPSLost}, key: "a.example|https-lost|B>U|scan 7"},
		{name: "U stays U", prev: site("a.example", "U"), cur: site("a.example", "U")},
		{name: "star appears", prev: site("a.example", "A"), cur: site("a.example", "A", star), want: []Kind{Star}},
		{name: "star and grade down", prev: site("a.example", "B"), cur: site("a.example", "F", star), want: []Kind{GradeDown, Star}},
		{name: "star goes", prev: site("a.example", "A", star), cur: site("a.example", "A")},
		{name: "no longer secure by default", prev: site("a.example", "A", sbd(true)), cur: site("a.example", "A", sbd(false)),
			want: []Kind{NotSecureByDefault}},
		{name: "secure by default unknown now", prev: site("a.example", "A", sbd(true)), cur: site("a.example", "A")},
		{name: "inconclusive now is no change", prev: site("a.example", "A"), cur: site("a.example", "", inconclusive)},
		{name: "inconclusive before is no change", prev: site("a.example", "", inconclusive), cur: site("a.example", "F")},
		{name: "new vulnerability", prev: site("a.example", "A", vulns()), cur: site("a.example", "A", vulns("heartbleed")),
			want: []Kind{Vulnerability}, key: "a.example|vulnerability|heartbleed|scan 7"},
		{name: "same vulnerability", prev: site("a.example", "F", vulns("heartbleed")), cur: site("a.example", "F", vulns("heartbleed"))},
		{name: "vulnerability checks did not run before", prev: site("a.example", "A"), cur: site("a.example", "A", vulns("robot"))},
		{name: "certificate far from expiry", prev: site("a.example", "A", expires(far)), cur: site("a.example", "A", expires(far))},
		{name: "certificate expiring", prev: site("a.example", "A", expires(far)), cur: site("a.example", "A", expires(now.AddDate(0, 0, 10))),
			want: []Kind{CertExpiring}, key: "a.example|cert-expiring|2026-12-16T12:00:00Z"},
		{name: "certificate expiring, first run", noPrev: true, cur: site("a.example", "A", expires(now.AddDate(0, 0, 3))),
			want: []Kind{CertExpiring}},
		{name: "new site is no change", noPrev: true, cur: site("a.example", "F")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prev []Site
			if !tt.noPrev {
				prev = []Site{tt.prev}
			}
			got := Detect(prev, []Site{tt.cur}, Options{Now: now, Run: "scan 7"})
			if len(tt.want) == 0 {
				if len(got) != 0 {
					t.Fatalf("got %+v, want nothing", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d notifications %+v, want 1", len(got), got)
			}
			var kinds []Kind
			for _, c := range got[0].Changes {
				kinds = append(kinds, c.Kind)
				if c.Key == "" || c.Summary == "" {
					t.Errorf("change without key or summary: %+v", c)
				}
			}
			if !slices.Equal(kinds, tt.want) {
				t.Errorf("kinds %v, want %v (%+v)", kinds, tt.want, got[0].Changes)
			}
			if tt.key != "" && got[0].Changes[0].Key != tt.key {
				t.Errorf("key %q, want %q", got[0].Changes[0].Key, tt.key)
			}
			if tt.reason != "" && !slices.Contains(got[0].Changes[0].Reasons, tt.reason) {
				t.Errorf("reasons %q, want %q among them", got[0].Changes[0].Reasons, tt.reason)
			}
		})
	}
}

func TestDetectSeveralSites(t *testing.T) {
	now := time.Now()
	prev := []Site{site("a.example", "A"), site("b.example", "A"), site("c.example", "B")}
	cur := []Site{site("c.example", "C"), site("a.example", "A"), site("b.example", "A", star), site("d.example", "F")}
	got := Detect(prev, cur, Options{Now: now, Run: "scan 2"})
	var sites []string
	for _, n := range got {
		sites = append(sites, n.Site+" "+n.From+"→"+n.To)
	}
	if want := []string{"c.example B→C", "b.example A→A*"}; !slices.Equal(sites, want) {
		t.Errorf("got %q, want %q", sites, want)
	}
	// Without a run name the keys of two runs would collide: every key of
	// a change between runs names it.
	for _, n := range got {
		for _, c := range n.Changes {
			if !strings.HasSuffix(c.Key, "|scan 2") {
				t.Errorf("key %q does not name the run", c.Key)
			}
		}
	}
}

func TestExpiryWindow(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	cur := []Site{site("a.example", "A", expires(now.AddDate(0, 0, 20)))}
	if got := Detect(nil, cur, Options{Now: now}); len(got) != 0 {
		t.Errorf("20 days with the default 14: %+v", got)
	}
	if got := Detect(nil, cur, Options{Now: now, ExpiryDays: 30}); len(got) != 1 || !strings.Contains(got[0].Changes[0].Summary, "in 20 days") {
		t.Errorf("20 days with 30: %+v", got)
	}
	if got := Detect(nil, cur, Options{Now: now, ExpiryDays: -1}); len(got) != 0 {
		t.Errorf("expiry alerts off: %+v", got)
	}
	expired := []Site{site("a.example", "T", expires(now.Add(-time.Hour)))}
	if got := Detect(nil, expired, Options{Now: now}); len(got) != 1 || !strings.Contains(got[0].Changes[0].Summary, "expired on 2026-12-06") {
		t.Errorf("expired: %+v", got)
	}
}

// BenchmarkDetect compares two runs of a 10,000-site fleet where one site
// in ten got worse.
func BenchmarkDetect(b *testing.B) {
	now := time.Now()
	var prev, cur []Site
	for i := range 10000 {
		key := "site" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + ".example" + string(rune('0'+i%10)) + "-" + time.Duration(i).String()
		p := site(key, "A", vulns(), expires(now.AddDate(1, 0, 0)), finding("B1", "something"))
		c := p
		if i%10 == 0 {
			c = site(key, "C", vulns("robot"), expires(now.AddDate(1, 0, 0)), finding("B2", "TLS 1.0 supported"))
		}
		prev, cur = append(prev, p), append(cur, c)
	}
	b.ReportAllocs()
	for b.Loop() {
		if n := Detect(prev, cur, Options{Now: now, Run: "scan 2"}); len(n) != 1000 {
			b.Fatalf("%d notifications", len(n))
		}
	}
}
