package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"padlock/change"
	"padlock/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got: %q\nwant: %q\n(run go test ./report -update if the change is intended)", name, i+1, g, w)
			}
		}
	}
}

func build(t *testing.T, st store.Store, id store.ScanID) *Fleet {
	t.Helper()
	f, err := Build(context.Background(), st, id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// aggregates renders what Build computed, for the golden file.
func aggregates(f *Fleet) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	prev := "none"
	if f.Previous != nil {
		prev = fmt.Sprintf("%d %s", f.Previous.ID, f.Previous.Name)
	}
	p("scan %d %s; previous %s; criteria %s; engine %s\n", f.Scan.ID, f.Scan.Name, prev, f.Criteria, f.Engine)
	h := f.Headline
	p("\nheadline\n")
	p("  sites %d, graded %d, inconclusive %d\n", h.Sites, h.Graded, h.Inconclusive)
	for _, g := range h.PerGrade {
		p("  grade %-2s %2d %6.2f%%\n", g.Grade, g.Count, g.Percent)
	}
	for _, bc := range h.PerBand {
		p("  band %-33s %2d %6.2f%%\n", bc.Band, bc.Count, bc.Percent)
	}
	p("  no secure %d (%.2f%%), of which personal data %d (%.2f%% of U)\n", h.NoSecure, h.NoSecurePercent, h.NoSecureTakingPersonalData, h.NoSecureTakingPersonalDataPercent)
	p("  personal data %d (%.2f%%)\n", h.PersonalData, h.PersonalDataPercent)
	p("  secure by default %d of %d (%.2f%%)\n", h.SecureByDefault, h.SecureByDefaultKnown, h.SecureByDefaultPercent)
	p("  compared %d: improved %d (%.2f%%), deteriorated %d (%.2f%%), unchanged %d; new %d, gone %d, inconclusive %d\n",
		h.Compared, h.Improved, h.ImprovedPercent, h.Deteriorated, h.DeterioratedPercent, h.Unchanged, h.New, h.Gone, h.InconclusiveChanges)
	p("\nbands\n")
	for _, band := range f.Bands {
		p("  %s (%s): %d, %.2f%%\n", band.Name, strings.Join(band.Grades, " "), band.Count, band.Percent)
		for _, s := range band.Sites {
			p("    %-4s %-4s %-35s %-28s %s sbd=%s hsts=%s protocols=%s\n", s.Display, s.Change.Arrow, s.Organisation, s.Key, s.Group,
				yesNo(s.SecureByDefault), s.HSTS, strings.Join(s.Protocols, "+"))
			for _, k := range s.KeyFindings {
				p("           - %s\n", k)
			}
		}
	}
	p("\ninconclusive\n")
	for _, s := range f.Inconclusive {
		p("  %s (%s): %s; change %s\n", s.Organisation, s.Key, s.Inconclusive, s.Change.Text())
	}
	p("\nchanges\n")
	for _, c := range f.Changes {
		p("  %-12s %-35s %s\n", c.Kind, c.Organisation, c.String())
	}
	p("\ntrend\n")
	for _, tp := range f.Trend {
		p("  scan %d %s %s: sites %d graded %d inconclusive %d;", tp.ScanID, tp.ScanName, tp.When.Format("2006-01-02"), tp.Sites, tp.Graded, tp.Inconclusive)
		for _, bc := range tp.Bands {
			p(" %d", bc.Count)
		}
		p("\n")
	}
	p("\nhistory\n")
	for _, s := range f.Sites {
		p("  %-28s", s.Key)
		for _, hp := range s.History {
			g := hp.Display
			if g == "" {
				g = "?"
			}
			p(" %d:%s", hp.ScanID, g)
		}
		p("\n")
	}
	return b.String()
}

func TestAggregatesGolden(t *testing.T) {
	f := build(t, newStore(t), 0)
	golden(t, "aggregates.golden", []byte(aggregates(f)))
}

func TestCSVGolden(t *testing.T) {
	f := build(t, newStore(t), 0)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, f); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.csv.golden", buf.Bytes())

	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "organisation,url,grade,band,personal_data,secure_by_default,hsts,protocols,key_findings,change,post_quantum,tls13,ems,cert_days_left,future_grade" {
		t.Errorf("header %v", rows[0])
	}
	if len(rows) != len(f.Sites)+1 {
		t.Errorf("%d rows for %d sites", len(rows)-1, len(f.Sites))
	}
}

func TestMarkdownGolden(t *testing.T) {
	f := build(t, newStore(t), 0)
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, f); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.md.golden", buf.Bytes())
}

// TestFirstScan: a report of the first scan has no previous scan, no
// changes, and a trend of one.
func TestFirstScan(t *testing.T) {
	st := newStore(t)
	f := build(t, st, 1)
	if f.Previous != nil || f.Changes != nil || len(f.Trend) != 1 {
		t.Fatalf("previous %v, %d changes, trend %d", f.Previous, len(f.Changes), len(f.Trend))
	}
	for _, s := range f.Sites {
		if s.Change.Kind != "" || s.Change.Arrow != "" {
			t.Errorf("%s: change %+v without a previous scan", s.Key, s.Change)
		}
		if len(s.History) != 1 {
			t.Errorf("%s: history %d points", s.Key, len(s.History))
		}
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, f); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "nothing to compare it with yet") {
		t.Error("markdown does not say there is no previous scan")
	}
}

// TestChangeReasons: the site that went from C to F deteriorated, with
// the reasons that explain it, the fleet's DROWN finding included.
func TestChangeReasons(t *testing.T) {
	f := build(t, newStore(t), 0)
	var got *Site
	for i := range f.Sites {
		if f.Sites[i].Organisation == "Cheshire Constabulary" {
			got = &f.Sites[i]
		}
	}
	if got == nil {
		t.Fatal("Cheshire missing")
	}
	c := got.Change
	if c.Kind != change.Deteriorated || c.Arrow != "↓" || c.From != "C" || c.To != "F" {
		t.Fatalf("change %+v", c)
	}
	want := []string{"+ SSL 3.0 supported", "+ POODLE against TLS", "+ DROWN"}
	for _, w := range want {
		found := false
		for _, r := range c.Reasons {
			found = found || r == w
		}
		if !found {
			t.Errorf("reasons %q lack %q", c.Reasons, w)
		}
	}
	if got.Band != BandSignificantVulnerabilities {
		t.Errorf("band %q", got.Band)
	}
}

// TestNoFinishedScan: scan 0 with nothing finished is an error; an
// unknown scan id too.
func TestNoFinishedScan(t *testing.T) {
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "padlock.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Build(context.Background(), st, 0); err == nil || !strings.Contains(err.Error(), "no finished scan") {
		t.Errorf("Build(0) on an empty store: %v", err)
	}
	if _, err := Build(context.Background(), st, 7); err == nil || !strings.Contains(err.Error(), "no scan 7") {
		t.Errorf("Build(7): %v", err)
	}
}

// TestJSONExport: the JSON export is versioned, carries the stored
// results unchanged, and agrees with the headline.
func TestJSONExport(t *testing.T) {
	st := newStore(t)
	f := build(t, st, 0)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, f); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema   string `json:"schema"`
		Headline struct {
			Sites, Graded, Inconclusive int
			NoSecure                    struct{ Count int }
		} `json:"headline"`
		Bands []struct {
			ID    string
			Count int
			Sites []string
		} `json:"bands"`
		Sites []struct {
			Key    string          `json:"key"`
			Band   string          `json:"band"`
			Result json.RawMessage `json:"result"`
		} `json:"sites"`
		Previous *struct{ ID int } `json:"previous"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "padlock.report/1" {
		t.Errorf("schema %q", doc.Schema)
	}
	if doc.Headline.Sites != 12 || doc.Headline.Graded != 11 || doc.Headline.Inconclusive != 1 || doc.Headline.NoSecure.Count != 2 {
		t.Errorf("headline %+v", doc.Headline)
	}
	if doc.Previous == nil || doc.Previous.ID != 1 {
		t.Errorf("previous %+v", doc.Previous)
	}
	as, err := st.Assessments(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]json.RawMessage{}
	for _, a := range as {
		stored[a.Site] = a.Result
	}
	for i, s := range doc.Sites {
		var a, b any
		if err := json.Unmarshal(s.Result, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(stored[f.Sites[i].SiteKey], &b); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: exported result differs from the stored one", s.Key)
		}
	}
	n := 0
	for _, b := range doc.Bands {
		n += b.Count
		if len(b.Sites) != b.Count {
			t.Errorf("band %s: %d sites listed, count %d", b.ID, len(b.Sites), b.Count)
		}
	}
	if n != doc.Headline.Graded {
		t.Errorf("bands hold %d sites, %d graded", n, doc.Headline.Graded)
	}
}

func TestCSVFormulaInjection(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+1":                "'+1",
		"-2":                "'-2",
		"@SUM(A1)":          "'@SUM(A1)",
		"Police\nScotland":  "Police Scotland",
		"A-":                "A-",
		"":                  "",
	} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdownEscape(t *testing.T) {
	for in, want := range map[string]string{
		"Police *Scotland*":          `Police \*Scotland\*`,
		"<script>alert(1)</script>":  `\<script\>alert(1)\</script\>`,
		"[x](javascript:alert(1))":   `\[x\](javascript:alert(1))`,
		"- a list?":                  `\- a list?`,
		"1. first":                   `1\. first`,
		"Her Majesty's Inspectorate": "Her Majesty's Inspectorate",
		"a|b\nc":                     `a\|b c`,
	} {
		if got := mdEscape(in); got != want {
			t.Errorf("mdEscape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPageKey(t *testing.T) {
	seen := map[string]int{}
	for _, c := range []struct{ site, url, want string }{
		{"www.example.org", "", "www.example.org"},
		{"localhost:8443", "", "localhost-8443"},
		{"[::1]:8443", "", "1-8443"},
		{"", "https://Example.ORG/x", "example.org"},
		{"../../etc/passwd", "", "etc-passwd"},
		{"www.example.org", "", "www.example.org-2"},
		{"", "", "site"},
	} {
		if got := uniqueKey(pageKey(c.site, c.url), seen); got != c.want {
			t.Errorf("key(%q, %q) = %q, want %q", c.site, c.url, got, c.want)
		}
	}
}
