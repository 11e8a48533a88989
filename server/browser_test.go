package server

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"padlock/fleet"
	"padlock/lab"
	"padlock/lab/demofleet"
	"padlock/lab/missing"
	"padlock/report"
	"padlock/store"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// needChromium returns the browser, or skips the test when it is missing
// (fails under CI=true, where .ci/run installs it).
func needChromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		missing.Peer(t, "%s is missing: the browser test needs Debian's chromium package", chromiumPath)
	}
	return chromiumPath
}

// artifactDir is where screenshots go: $PADLOCK_ARTIFACTS, else a
// temporary directory of the test.
func artifactDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("PADLOCK_ARTIFACTS"); d != "" {
		d = filepath.Join(d, "browser")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// testBands are the seed study's bands, as the league table's data-band
// attributes name them; the test keeps its own copy of the grades.
var testBands = map[string][]string{
	report.BandHighest:                    {"A+", "A"},
	report.BandRoomForImprovement:         {"A-"},
	report.BandSignificantRoom:            {"B", "C", "D", "E"},
	report.BandSignificantVulnerabilities: {"F", "T", "M"},
	report.BandNoSecureConnection:         {"U"},
}

func testBandOf(grade string) string {
	for id, gs := range testBands {
		if slices.Contains(gs, grade) {
			return id
		}
	}
	return ""
}

// expected are the headline numbers and band lists, computed from the
// store alone.
type expected struct {
	sites, highest, noSecure, noSecurePD int
	bands                                map[string][]string // band → organisations, sorted
	inconclusive                         []string
}

func expectFromStore(t *testing.T, st store.Store) (expected, store.Scan) {
	t.Helper()
	scans, err := st.LatestFinished(context.Background(), 1)
	if err != nil || len(scans) == 0 {
		t.Fatalf("no finished scan: %v", err)
	}
	as, err := st.Assessments(context.Background(), scans[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	e := expected{sites: len(as), bands: map[string][]string{}}
	for id := range testBands {
		e.bands[id] = []string{}
	}
	for _, a := range as {
		if a.Grade == "" {
			e.inconclusive = append(e.inconclusive, a.Organisation)
			continue
		}
		b := testBandOf(a.Grade)
		e.bands[b] = append(e.bands[b], a.Organisation)
		switch {
		case b == report.BandHighest:
			e.highest++
		case a.Grade == "U":
			e.noSecure++
			if a.Star {
				e.noSecurePD++
			}
		}
	}
	for _, v := range e.bands {
		slices.Sort(v)
	}
	slices.Sort(e.inconclusive)
	return e, scans[0]
}

// shown is what the league table page shows.
type shown struct {
	Title        string              `json:"title"`
	JS           bool                `json:"js"`
	Stats        map[string]string   `json:"stats"`
	Bands        map[string][]string `json:"bands"`
	Inconclusive []string            `json:"inconclusive"`
	FirstSite    string              `json:"firstSite"`
	FirstHref    string              `json:"firstHref"`
}

const readIndex = `(() => {
  const stats = {};
  document.querySelectorAll('[data-stat]').forEach(s => {
    const big = s.querySelector('.big[data-value]');
    if (big) stats[s.getAttribute('data-stat')] = big.getAttribute('data-value');
  });
  const bands = {};
  document.querySelectorAll('tbody[data-band]').forEach(b => {
    bands[b.getAttribute('data-band')] = Array.from(b.querySelectorAll('tr.site-row a.org'))
      .map(a => a.textContent.trim()).sort();
  });
  const inconclusive = Array.from(document.querySelectorAll('#inconclusive-table tr.site-row th a'))
    .map(a => a.textContent.trim()).sort();
  const first = document.querySelector('tbody[data-band] tr.site-row a.org');
  return {
    title: document.title,
    js: document.documentElement.classList.contains('js'),
    stats, bands, inconclusive,
    firstSite: first ? first.textContent.trim() : '',
    firstHref: first ? first.href : '',
  };
})()`

// checkIndex compares the page the browser shows with the store.
func checkIndex(t *testing.T, p *page, want expected, where string) shown {
	t.Helper()
	var got shown
	p.eval(readIndex, &got)
	if !got.JS {
		t.Errorf("%s: report.js did not run (no 'js' class on <html>)", where)
	}
	for stat, n := range map[string]int{"sites": want.sites, "highest": want.highest, "no-secure": want.noSecure, "no-secure-personal-data": want.noSecurePD} {
		if got.Stats[stat] != strconv.Itoa(n) {
			t.Errorf("%s: headline %q shows %q, the store says %d", where, stat, got.Stats[stat], n)
		}
	}
	for id, orgs := range want.bands {
		if !slices.Equal(got.Bands[id], orgs) {
			t.Errorf("%s: band %s lists %q, the store says %q", where, id, got.Bands[id], orgs)
		}
	}
	if len(got.Bands) != len(testBands) {
		t.Errorf("%s: %d bands shown: %v", where, len(got.Bands), got.Bands)
	}
	if !slices.Equal(got.Inconclusive, want.inconclusive) && !(len(got.Inconclusive) == 0 && len(want.inconclusive) == 0) {
		t.Errorf("%s: inconclusive %q, the store says %q", where, got.Inconclusive, want.inconclusive)
	}
	if got.FirstSite == "" {
		t.Fatalf("%s: no site link in the league table", where)
	}
	return got
}

// clickThrough clicks the league table's first site and checks the site
// page that opens.
func clickThrough(t *testing.T, p *page, idx shown, where string) {
	t.Helper()
	m := p.mark()
	p.eval(`document.querySelector('tbody[data-band] tr.site-row a.org').click(), true`, nil)
	p.waitEvent("Page.loadEventFired", m)
	var site struct {
		Path  string `json:"path"`
		H1    string `json:"h1"`
		Grade string `json:"grade"`
		Rows  int    `json:"rows"`
	}
	p.eval(`({path: location.href, h1: (document.querySelector('h1') || {}).textContent || '',
	  grade: (document.querySelector('.badge[data-grade]') || {getAttribute: () => ''}).getAttribute('data-grade'),
	  rows: document.querySelectorAll('table').length})`, &site)
	if site.Path != idx.FirstHref || !strings.Contains(site.Path, "/sites/") {
		t.Errorf("%s: clicked %q, landed on %q", where, idx.FirstHref, site.Path)
	}
	if strings.TrimSpace(site.H1) != idx.FirstSite {
		t.Errorf("%s: site page h1 %q, want %q", where, site.H1, idx.FirstSite)
	}
	if site.Grade == "" {
		t.Errorf("%s: no grade badge on the site page", where)
	}
}

func noProblems(t *testing.T, p *page, mark int, where string) {
	t.Helper()
	for _, pr := range p.problems(mark) {
		t.Errorf("%s: %s: %s %s", where, pr.Kind, pr.Text, pr.URL)
	}
}

// TestBrowser opens the served dashboard and the static report in
// headless Chromium: the headline numbers and band lists match the store,
// a click reaches a site page, nothing is logged as an error (a CSP
// violation would be), and screenshots are kept.
func TestBrowser(t *testing.T) {
	bin := needChromium(t)
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// A store filled the real way: the lab fleet, scanned twice.
	st := openStore(t)
	servers, err := lab.StartDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, s := range servers {
			s.Close()
		}
	})
	demo, err := demofleet.Run(ctx, st, servers, fleet.Options{Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { demo.Close() })
	want, scan := expectFromStore(t, st)
	t.Logf("store: scan %d %q, %d sites, bands %v", scan.ID, scan.Name, want.sites, want.bands)

	ts, _ := newTestServer(t, Config{Store: st})
	if !strings.HasPrefix(ts.URL, "http://127.0.0.1:") {
		t.Fatalf("the server is not on loopback: %s", ts.URL)
	}
	// The static report of the same scan.
	f, err := report.Build(ctx, st, 0)
	if err != nil {
		t.Fatal(err)
	}
	static := t.TempDir()
	if err := report.WriteSite(static, f); err != nil {
		t.Fatal(err)
	}
	shots := artifactDir(t)
	t.Logf("screenshots in %s", shots)

	b := startBrowser(t, bin)
	p := b.page(t)

	// The served dashboard.
	m := p.mark()
	p.navigate(ts.URL + "/")
	idx := checkIndex(t, p, want, "dashboard")
	p.screenshot(filepath.Join(shots, "dashboard.png"), 1280, 5000)
	clickThrough(t, p, idx, "dashboard")
	p.screenshot(filepath.Join(shots, "dashboard-site.png"), 1280, 5000)
	p.navigate(ts.URL + "/methodology.html")
	p.navigate(ts.URL + "/scans/1/")
	noProblems(t, p, m, "dashboard")

	// Sorting by grade (report.js) keeps every row.
	var rows int
	p.navigate(ts.URL + "/")
	p.eval(`(() => { const b = document.querySelector('#league-table thead button.sort'); if (b) b.click(); return document.querySelectorAll('#league-table tr.site-row').length; })()`, &rows)
	if total := want.sites - len(want.inconclusive); rows != total {
		t.Errorf("after sorting: %d rows, want %d", rows, total)
	}

	// The static report, from disk.
	m = p.mark()
	p.navigate("file://" + filepath.Join(static, "index.html"))
	idx = checkIndex(t, p, want, "static report")
	p.screenshot(filepath.Join(shots, "report.png"), 1280, 5000)
	clickThrough(t, p, idx, "static report")
	p.screenshot(filepath.Join(shots, "report-site.png"), 1280, 5000)
	noProblems(t, p, m, "static report")

	// A hostile scan: nothing from the site runs in the browser.
	hostile := openStore(t)
	seedScan(t, hostile, "hostile", time.Now().Add(-time.Hour), []fakeSite{
		{`<img src=x onerror="window.__pwned=1">`, "https://evil.example/", `"><script>window.__pwned=2</script>`, "F", true, false},
		{`<script>window.__pwned=3</script>`, "https://evil2.example/", "g", "U", true, false},
	})
	hts, _ := newTestServer(t, Config{Store: hostile})
	m = p.mark()
	for _, u := range []string{hts.URL + "/", hts.URL + "/sites/evil.example.html", hts.URL + "/sites/evil2.example.html"} {
		p.navigate(u)
		var pwned any
		p.eval(`window.__pwned === undefined ? null : window.__pwned`, &pwned)
		if pwned != nil {
			t.Errorf("%s: script from a scanned site ran (%v)", u, pwned)
		}
	}
	p.screenshot(filepath.Join(shots, "hostile.png"), 1280, 3000)
	for _, pr := range p.problems(m) {
		// A blocked image from the hostile name is fine; anything else is not.
		if !strings.Contains(pr.URL, "/x") {
			t.Errorf("hostile pages: %s: %s %s", pr.Kind, pr.Text, pr.URL)
		}
	}
}
