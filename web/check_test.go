package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dump logs the result as JSON when a test fails or runs verbosely.
func dump(t *testing.T, res *Result) {
	t.Helper()
	if !t.Failed() && !testing.Verbose() {
		return
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	if len(b) > 20000 {
		b = append(b[:20000], "\n…"...)
	}
	t.Logf("result:\n%s", b)
}

func findPage(res *Result, url string) *Page {
	for i := range res.Pages {
		if res.Pages[i].URL == url {
			return &res.Pages[i]
		}
	}
	return nil
}

func formsOn(res *Result, url string) []Form {
	var out []Form
	for _, f := range res.Forms {
		if f.PageURL == url {
			out = append(out, f)
		}
	}
	return out
}

func evidenceFor(res *Result, kind, page string) *Evidence {
	for i := range res.Evidence {
		if res.Evidence[i].Kind == kind && res.Evidence[i].PageURL == page {
			return &res.Evidence[i]
		}
	}
	return nil
}

func hasCategories(t *testing.T, got []Category, want ...Category) {
	t.Helper()
	have := map[Category]bool{}
	for _, c := range got {
		have[c] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("categories %v lack %q", got, w)
		}
	}
}

// No HTTPS at all, and a crime-report form over plain HTTP: the U* site.
func TestNoHTTPSCrimeReport(t *testing.T) {
	t.Parallel()
	f := startSite(t, siteSpec{HTTP: map[string]string{
		"/":                homePage,
		"/report-a-crime/": reportPage,
		"/contact/":        contactPage("/contact/send"),
		"/news/":           plainPage("News", "Appeals and news."),
	}})
	res := f.check(t, f.opts)
	defer dump(t, res)

	if res.SecureByDefault || res.SecureByDefaultReason != ReasonNoRedirect {
		t.Errorf("secure by default %v (%s)", res.SecureByDefault, res.SecureByDefaultReason)
	}
	if len(res.HTTPRedirects) != 1 || res.HTTPRedirects[0].Status != 200 || res.HTTPRedirects[0].Secure {
		t.Errorf("HTTP chain %+v", res.HTTPRedirects)
	}
	if len(res.HTTPSRedirects) != 1 || res.HTTPSRedirects[0].Status != 0 || res.HTTPSRedirects[0].Error == "" {
		t.Errorf("HTTPS should not answer: %+v", res.HTTPSRedirects)
	}
	if res.HSTSPolicy.Status != HSTSUnknown || !strings.Contains(res.HSTSPolicy.Error, "HTTPS did not answer") {
		t.Errorf("HSTS %+v", res.HSTSPolicy)
	}
	if res.HPKPPolicy.Status != HPKPUnknown || !strings.Contains(res.HPKPPolicy.Error, "HTTPS did not answer") ||
		res.HPKPReportOnly.Status != HPKPUnknown {
		t.Errorf("HPKP %+v, report-only %+v", res.HPKPPolicy, res.HPKPReportOnly)
	}
	if res.HTTPSRedirectsToHTTP {
		t.Error("HTTPS does not answer at all: not a redirect to HTTP")
	}
	if !res.PersonalDataOverPlainText {
		t.Fatal("the * flag is not set")
	}
	report := f.httpURL("/report-a-crime/")
	ev := evidenceFor(res, EvidencePlainHTTPPage, report)
	if ev == nil {
		t.Fatalf("no evidence for %s: %+v", report, res.Evidence)
	}
	hasCategories(t, ev.Categories, CategoryName, CategoryDateOfBirth, CategoryAddress, CategoryPostcode,
		CategoryPhone, CategoryEmail, CategoryIncident, CategoryVehicleReg, CategoryDate)
	if ev.Severity != SeverityHigh || ev.Method != "POST" || ev.ActionURL != f.httpURL("/report-a-crime/submit") {
		t.Errorf("evidence %+v", ev)
	}
	wantSummary := "Plain-HTTP form at " + report + " collects: "
	if !strings.HasPrefix(ev.Summary, wantSummary) || !strings.Contains(ev.Summary, "incident details") {
		t.Errorf("summary %q", ev.Summary)
	}
	if evidenceFor(res, EvidencePlainHTTPPage, f.httpURL("/contact/")) == nil {
		t.Error("the contact form is evidence too")
	}
	// Every field's reason is there for a reader to check.
	for _, fm := range formsOn(res, report) {
		if fm.Kind != FormPersonalData {
			continue
		}
		for _, fl := range fm.Fields {
			if fl.Category != CategoryNone && fl.Reason == "" {
				t.Errorf("field %+v has no reason", fl)
			}
		}
	}
	// The header search and the postcode lookup are not personal data.
	for _, fm := range formsOn(res, f.httpURL("/")) {
		if fm.PersonalData {
			t.Errorf("home page form flagged: %+v", fm)
		}
	}
	if p := findPage(res, f.httpURL("/news/")); p != nil {
		t.Errorf("the news page is not a candidate: %+v", p)
	}
}

// HTTP and HTTPS both serve the site, HTTP without redirecting.
func TestHTTPAndHTTPSWithoutRedirect(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"/":         homePage,
		"/contact/": contactPage("/contact/send"),
	}
	h, s := both(files)
	f := startSite(t, siteSpec{HTTP: h, HTTPS: s})
	res := f.check(t, f.opts)
	defer dump(t, res)

	if res.SecureByDefault || res.SecureByDefaultReason != ReasonNoRedirect {
		t.Errorf("secure by default %v (%s)", res.SecureByDefault, res.SecureByDefaultReason)
	}
	if res.HSTSPolicy.Status != HSTSAbsent {
		t.Errorf("HSTS %+v", res.HSTSPolicy)
	}
	if res.HPKPPolicy.Status != HPKPAbsent || res.HPKPReportOnly.Status != HPKPAbsent || !res.HPKPReportOnly.PadlockReportOnly {
		t.Errorf("HPKP %+v, report-only %+v", res.HPKPPolicy, res.HPKPReportOnly)
	}
	if len(res.HTTPSRedirects) != 1 || res.HTTPSRedirects[0].Status != 200 || res.HTTPSRedirects[0].TLSError != "" {
		t.Errorf("HTTPS chain %+v", res.HTTPSRedirects)
	}
	if !res.PersonalDataOverPlainText || evidenceFor(res, EvidencePlainHTTPPage, f.httpURL("/contact/")) == nil {
		t.Fatalf("no evidence for the plain-HTTP contact form: %+v", res.Evidence)
	}
	if evidenceFor(res, EvidencePlainHTTPPage, f.httpsURL("", "/contact/")) != nil {
		t.Error("the HTTPS copy of the form is not plain-text evidence")
	}
	if findPage(res, f.httpsURL("", "/contact/")) == nil || findPage(res, f.httpURL("/contact/")) == nil {
		t.Error("both copies of the contact page should be read")
	}
}

// A 301 from HTTP to HTTPS on www, HSTS for a year, robots.txt honoured,
// and the host on the preload list.
func TestRedirectToHTTPSWithHSTS(t *testing.T) {
	t.Parallel()
	home := strings.Replace(homePage, `<li><a href="/contact/">Contact us</a></li>`,
		`<li><a href="/contact/">Contact us</a></li><li><a href="/private/report-an-incident/">Report an incident (staff)</a></li>`, 1)
	f := startSite(t, siteSpec{
		HTTP:     map[string]string{},
		HTTPConf: `return 301 https://www.police.example:{HTTPS}$request_uri;`,
		HTTPS: map[string]string{
			"/":                            home,
			"/contact/":                    contactPage("/contact/send"),
			"/report-a-crime/":             reportPage,
			"/private/report-an-incident/": reportPage,
			"/robots.txt":                  "User-agent: *\nDisallow: /private/\n",
		},
		HTTPSConf: `add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;` + "\n" +
			`add_header Public-Key-Pins 'pin-sha256="` + phLeafPin + `"; pin-sha256="` + pinBackup +
			`"; max-age=5184000; includeSubDomains; report-uri="https://report.police.example/hpkp"' always;` + "\n" +
			`add_header Public-Key-Pins-Report-Only 'pin-sha256="` + pinOther + `"; report-uri="https://report.police.example/hpkp-ro"' always;`,
	})
	list, err := LoadPreloadList(strings.NewReader(preloadFixture(
		`{ "name": "police.example", "policy": "custom", "mode": "force-https", "include_subdomains": true }`)))
	if err != nil {
		t.Fatal(err)
	}
	opts := f.opts
	opts.HSTSPreload = list
	res := f.check(t, opts)
	defer dump(t, res)

	if !res.SecureByDefault || res.SecureByDefaultReason != ReasonRedirectsToHTTPS {
		t.Errorf("secure by default %v (%s)", res.SecureByDefault, res.SecureByDefaultReason)
	}
	if len(res.HTTPRedirects) != 2 || res.HTTPRedirects[0].Status != 301 ||
		res.HTTPRedirects[0].Location != f.httpsURL("www."+f.host, "/") || !res.HTTPRedirects[1].Secure ||
		res.HTTPRedirects[1].Status != 200 {
		t.Errorf("HTTP chain %+v", res.HTTPRedirects)
	}
	p := res.HSTSPolicy
	if p.Status != HSTSPresent || p.MaxAge != 31536000 || !p.IncludeSubDomains || p.Preload || !p.Long() ||
		p.PadlockURL != f.httpsURL("", "/") {
		t.Errorf("HSTS %+v", p)
	}
	if len(res.HSTSPreloads) != 1 || res.HSTSPreloads[0].Status != "present" || res.HSTSPreloads[0].Hostname != f.host {
		t.Errorf("preload %+v", res.HSTSPreloads)
	}
	// HPKP, from the same response: parsed, then matched against the chain
	// the server sends (leaf and root: the pinned leaf key plus a backup).
	pk, ro := res.HPKPPolicy, res.HPKPReportOnly
	if pk.Status != HPKPUnmatched || pk.MaxAge != 5184000 || !pk.IncludeSubDomains || pk.PadlockReportOnly ||
		pk.ReportURI != "https://report.police.example/hpkp" || len(pk.Pins) != 2 || pk.Pins[1].Value != pinBackup ||
		pk.PadlockURL != f.httpsURL("", "/") || pk.Error != "" {
		t.Errorf("HPKP %+v", pk)
	}
	if ro.Status != HPKPUnmatched || !ro.PadlockReportOnly || ro.ReportURI != "https://report.police.example/hpkp-ro" ||
		len(ro.Pins) != 1 || ro.Pins[0].Value != pinOther || ro.PadlockURL != f.httpsURL("", "/") {
		t.Errorf("HPKP report-only %+v", ro)
	}
	chainPins := servedChainPins(t, f)
	if len(pk.Pins) > 0 && pk.Pins[0].Value != chainPins[0] {
		t.Errorf("the pinned key %s is not the served leaf's %s", pk.Pins[0].Value, chainPins[0])
	}
	pk.Match(chainPins)
	if pk.Status != HPKPValid || len(pk.MatchedPins) != 1 || pk.MatchedPins[0].Value != chainPins[0] {
		t.Errorf("HPKP matched %+v", pk)
	}
	ro.Match(chainPins)
	if ro.Status != HPKPIncomplete || ro.PadlockProblem != HPKPProblemNoMatch {
		t.Errorf("HPKP report-only matched %+v", ro)
	}
	if res.PersonalDataOverPlainText {
		t.Errorf("no plain text here: %+v", res.Evidence)
	}
	// The forms are read over HTTPS, and are personal data, but not `*`.
	fs := formsOn(res, f.httpsURL("www."+f.host, "/report-a-crime/"))
	if len(fs) != 2 || !fs[1].PersonalData || fs[1].PageOverHTTP {
		t.Errorf("report page forms %+v", fs)
	}
	// robots.txt keeps padlock out of /private/.
	skipped := false
	for _, s := range res.Skipped {
		if strings.Contains(s.URL, "/private/") && s.Reason == "robots.txt" {
			skipped = true
		}
	}
	for _, pg := range res.Pages {
		if strings.Contains(pg.URL, "/private/") {
			t.Errorf("read a page robots.txt disallows: %s", pg.URL)
		}
	}
	if !skipped {
		t.Errorf("skipped %+v, robots %+v", res.Skipped, res.RobotsTxt)
	}
	// The plain-HTTP twin of a form page was tried and redirects.
	twin := false
	for _, pg := range res.Pages {
		if strings.HasPrefix(pg.Found, "plain-HTTP twin") {
			twin = true
		}
	}
	if twin {
		t.Error("twins redirect to pages already read: no new page expected")
	}

	// Without robots.txt the private page is read.
	opts.IgnoreRobotsTxt = true
	res2 := f.check(t, opts)
	if findPage(res2, f.httpsURL("www."+f.host, "/private/report-an-incident/")) == nil {
		t.Errorf("IgnoreRobotsTxt: pages %+v", res2.Pages)
	}
}

// servedChainPins connects to the fixture's HTTPS port as a browser would
// and returns the pins of the chain it validates, leaf first, root last.
func servedChainPins(t *testing.T, f *fixture) []string {
	t.Helper()
	d := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: 5 * time.Second},
		Config:    &tls.Config{ServerName: f.host, RootCAs: f.opts.RootCAs},
	}
	conn, err := d.Dial("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(f.httpsPort))))
	if err != nil {
		t.Fatalf("TLS to the fixture: %v", err)
	}
	defer conn.Close()
	cs := conn.(*tls.Conn).ConnectionState()
	if len(cs.VerifiedChains) == 0 {
		t.Fatal("no verified chain")
	}
	var pins []string
	for _, c := range cs.VerifiedChains[0] {
		pins = append(pins, spkiPin(c))
	}
	return pins
}

// An HTTPS page whose form posts to http://, and an iframe over HTTP
// holding a form.
func TestHTTPSFormPostsToHTTP(t *testing.T) {
	t.Parallel()
	home := strings.Replace(homePage, "<h1>Exampleshire Police</h1>",
		`<h1>Exampleshire Police</h1><iframe src="http://police.example:{HTTP}/embed/feedback/" title="Feedback"></iframe>`, 1)
	feedback := `<!doctype html><title>Feedback</title><form method="post" action="/embed/feedback/send">
<label for="fb-name">Name (optional)</label><input id="fb-name" name="name">
<label for="fb-email">Email (optional)</label><input id="fb-email" name="email">
<label for="fb-text">Your feedback</label><textarea id="fb-text" name="feedback"></textarea>
<button>Send feedback</button></form>`
	f := startSite(t, siteSpec{
		HTTP:     map[string]string{"/embed/feedback/": feedback},
		HTTPConf: `location = / { return 301 https://police.example:{HTTPS}/; }`,
		HTTPS: map[string]string{
			"/":         home,
			"/contact/": contactPage("http://police.example:{HTTP}/contact/send"),
		},
	})
	res := f.check(t, f.opts)
	defer dump(t, res)

	if !res.SecureByDefault {
		t.Errorf("secure by default %v (%s)", res.SecureByDefault, res.SecureByDefaultReason)
	}
	if !res.PersonalDataOverPlainText {
		t.Fatal("the * flag is not set")
	}
	contact := f.httpsURL("", "/contact/")
	ev := evidenceFor(res, EvidenceHTTPAction, contact)
	if ev == nil || ev.ActionURL != f.httpURL("/contact/send") {
		t.Fatalf("evidence %+v", res.Evidence)
	}
	hasCategories(t, ev.Categories, CategoryName, CategoryEmail, CategoryPhone, CategoryFreeText)
	if !strings.Contains(ev.Summary, "to plain-HTTP "+f.httpURL("/contact/send")) {
		t.Errorf("summary %q", ev.Summary)
	}
	mixed := map[string]bool{}
	for _, m := range res.MixedContent {
		mixed[m.Kind+" "+m.URL] = true
	}
	if !mixed["form-action "+f.httpURL("/contact/send")] || !mixed["iframe "+f.httpURL("/embed/feedback/")] {
		t.Errorf("mixed content %+v", res.MixedContent)
	}
	// The iframe's form is on a plain-HTTP page.
	frame := f.httpURL("/embed/feedback/")
	fe := evidenceFor(res, EvidencePlainHTTPPage, frame)
	if fe == nil || fe.FramedBy != f.httpsURL("", "/") || !strings.Contains(fe.Summary, "in an iframe on") {
		t.Errorf("iframe evidence %+v", fe)
	}
	// And the HTTPS contact page's plain-HTTP twin was tried (404 there).
	if p := findPage(res, f.httpURL("/contact/")); p == nil || p.Status != 404 || !strings.HasPrefix(p.Found, "plain-HTTP twin") {
		t.Errorf("twin page %+v", p)
	}
}

// Redirect loops and endless chains are bounded and reported.
func TestRedirectLoop(t *testing.T) {
	t.Parallel()
	f := startSite(t, siteSpec{
		HTTP: map[string]string{},
		HTTPConf: `location = / { return 302 /a; }
    location = /a { return 302 https://police.example:{HTTPS}/b; }`,
		HTTPS: map[string]string{},
		HTTPSConf: `location = /b { return 302 http://police.example:{HTTP}/; }
    location = / { return 302 /deeper/; }
    location /deeper/ { return 302 /deeper$uri; }`,
	})
	opts := f.opts
	opts.MaxRedirects = 6
	res := f.check(t, opts)
	defer dump(t, res)

	if res.SecureByDefault || res.SecureByDefaultReason != ReasonRedirectLoop {
		t.Errorf("secure by default %v (%s)", res.SecureByDefault, res.SecureByDefaultReason)
	}
	if n := len(res.HTTPRedirects); n != 3 || !strings.Contains(res.HTTPRedirects[n-1].Error, "redirect loop") {
		t.Errorf("HTTP chain %+v", res.HTTPRedirects)
	}
	// The loop went through an HTTPS page redirecting to HTTP.
	if len(res.HTTPSDowngrades) == 0 || res.HTTPSDowngrades[0].From != f.httpsURL("", "/b") {
		t.Errorf("downgrades %+v", res.HTTPSDowngrades)
	}
	if n := len(res.HTTPSRedirects); n != opts.MaxRedirects+1 || !strings.Contains(res.HTTPSRedirects[n-1].Error, "too many redirects") {
		t.Errorf("HTTPS chain (%d hops) %+v", n, res.HTTPSRedirects)
	}
	if res.HTTPSRedirectsToHTTP {
		t.Error("the HTTPS chain never reached HTTP")
	}
	if res.PersonalDataOverPlainText || len(res.Forms) != 0 {
		t.Error("no pages, no forms")
	}
}

// HTTPS redirects back to plain HTTP: the U condition of decision 1.
func TestHTTPSDowngrade(t *testing.T) {
	t.Parallel()
	f := startSite(t, siteSpec{
		HTTP: map[string]string{
			"/":         strings.Replace(homePage, "<head>", `<head><meta http-equiv="refresh" content="5; url=https://police.example:{HTTPS}/">`, 1),
			"/contact/": contactPage("/contact/send"),
		},
		HTTPS:     map[string]string{},
		HTTPSConf: `return 301 http://police.example:{HTTP}$request_uri;`,
	})
	res := f.check(t, f.opts)
	defer dump(t, res)

	if !res.HTTPSRedirectsToHTTP {
		t.Errorf("HTTPS chain %+v", res.HTTPSRedirects)
	}
	// The HTTP home page's meta refresh to HTTPS is recorded, and does not
	// count as a redirect.
	if p := findPage(res, f.httpURL("/")); p == nil || p.MetaRefresh != f.httpsURL("", "/") {
		t.Errorf("home page %+v", p)
	}
	if len(res.HTTPSDowngrades) != 1 || res.HTTPSDowngrades[0].To != f.httpURL("/") || res.HTTPSDowngrades[0].Status != 301 {
		t.Errorf("downgrades %+v", res.HTTPSDowngrades)
	}
	if res.SecureByDefault || res.SecureByDefaultReason != ReasonNoRedirect {
		t.Errorf("secure by default %v (%s)", res.SecureByDefault, res.SecureByDefaultReason)
	}
	if res.HSTSPolicy.Status != HSTSAbsent {
		t.Errorf("HSTS %+v", res.HSTSPolicy)
	}
	if !res.PersonalDataOverPlainText || evidenceFor(res, EvidencePlainHTTPPage, f.httpURL("/contact/")) == nil {
		t.Errorf("evidence %+v", res.Evidence)
	}
}

// A site whose only forms are search boxes (and a postcode lookup) gets
// no `*`, even with no HTTPS at all.
func TestSearchOnlyNotFlagged(t *testing.T) {
	t.Parallel()
	f := startSite(t, siteSpec{HTTP: map[string]string{
		"/":           homePage,
		"/contact/":   plainPage("Contact us", "Call 101, or 999 in an emergency. Our front counters are open 8am to 8pm."),
		"/search/":    page("Search results", `<h1>Search results</h1><form action="/search/" method="get"><label for="kw">Keywords</label><input id="kw" name="keywords"><label for="sort">Sort by</label><select id="sort" name="sort"><option>Relevance</option></select><button>Search</button></form>`),
		"/your-area/": plainPage("Your area", "Find your team."),
		"/report-a-crime/": page("Report a crime", `<h1>Report a crime</h1><p>Call 101 to report a crime.</p>
<div role="search"><form action="/report-a-crime/"><input name="topic" placeholder="What do you want to report?"><button>Go</button></form></div>`),
	}})
	res := f.check(t, f.opts)
	defer dump(t, res)

	if res.PersonalDataOverPlainText {
		t.Errorf("search boxes flagged: %+v", res.Evidence)
	}
	if len(res.Forms) < 4 {
		t.Errorf("forms %d", len(res.Forms))
	}
	for _, fm := range res.Forms {
		if fm.PersonalData || (fm.Kind != FormSearch && fm.Kind != FormLookup) {
			t.Errorf("form %s on %s: kind %s severity %s", fm.Action, fm.PageURL, fm.Kind, fm.Severity)
		}
	}
}

// The only form is behind a "Contact us" link (and a Welsh one), among
// many other links, with a small page budget.
func TestFormOnlyBehindContactLink(t *testing.T) {
	t.Parallel()
	var links strings.Builder
	for _, l := range []string{"news", "appeals", "about-us", "careers", "volunteering-opportunities", "our-history", "museum", "events", "policing-plan", "annual-report-2023"} {
		links.WriteString(`<li><a href="/` + l + `/">` + strings.ReplaceAll(l, "-", " ") + `</a></li>`)
	}
	home := page("Home", `<h1>Exampleshire Police</h1><ul>`+links.String()+`
<li><a href="/get-in-touch/">Contact us</a></li>
<li><a href="/cy/cysylltu/">Cysylltu â ni</a></li></ul>`)
	contact := page("Contact us", `<h1>Contact us</h1><p>Choose how to get in touch.</p>
<ul><li><a href="/get-in-touch/online-form/">Send us a message online</a></li></ul>`)
	f := startSite(t, siteSpec{HTTP: map[string]string{
		"/":                          home,
		"/get-in-touch/":             contact,
		"/get-in-touch/online-form/": contactPage("/get-in-touch/send"),
		"/cy/cysylltu/":              welshContactPage,
	}})
	opts := f.opts
	opts.MaxPages = 5 // two home pages, then three more
	res := f.check(t, opts)
	defer dump(t, res)

	if !res.PersonalDataOverPlainText {
		t.Fatalf("not flagged; pages %+v", res.Pages)
	}
	form := f.httpURL("/get-in-touch/online-form/")
	ev := evidenceFor(res, EvidencePlainHTTPPage, form)
	if ev == nil {
		t.Fatalf("no evidence for the form two links deep: %+v", res.Evidence)
	}
	p := findPage(res, form)
	if p == nil || p.Depth != 2 || !strings.Contains(p.Found, "Send us a message online") {
		t.Errorf("page %+v", p)
	}
	welsh := evidenceFor(res, EvidencePlainHTTPPage, f.httpURL("/cy/cysylltu/"))
	if welsh == nil {
		t.Fatalf("Welsh contact form not found: %+v", res.Evidence)
	}
	hasCategories(t, welsh.Categories, CategoryName, CategoryEmail, CategoryPhone, CategoryFreeText)
	for _, pg := range res.Pages {
		if strings.Contains(pg.URL, "news") || strings.Contains(pg.URL, "museum") {
			t.Errorf("read an unlikely page within a budget of 5: %s", pg.URL)
		}
	}
	if len(res.Pages) > 5 {
		t.Errorf("%d pages read, budget 5", len(res.Pages))
	}
}

// A gzip bomb, a 50 MB page and a page that drips: bounded, truncated,
// no crash, little memory.
func TestBombAndHugePages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// 256 MiB of spaces after a crime-report form, gzipped to ~256 KiB.
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write([]byte(reportPage[:strings.LastIndex(reportPage, "</form>")+7]))
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for i := 0; i < 256; i++ {
		zw.Write(chunk)
	}
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "bomb.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// 50 MB of HTML with a contact form at the start.
	big, err := os.Create(filepath.Join(dir, "big.html"))
	if err != nil {
		t.Fatal(err)
	}
	big.WriteString(contactPage("/contact/send"))
	line := []byte(strings.Repeat("<p>Lorem ipsum dolor sit amet.</p>", 30) + "\n")
	for n := 0; n < 50<<20; n += len(line) {
		big.Write(line)
	}
	big.Close()
	home := page("Home", `<h1>Exampleshire Police</h1><ul>
<li><a href="/report-a-crime/">Report a crime</a></li>
<li><a href="/contact/">Contact us</a></li>
<li><a href="/complaints/">Make a complaint</a></li></ul>`)
	f := startSite(t, siteSpec{
		HTTP: map[string]string{"/": home},
		HTTPConf: `location = /report-a-crime/ { root ` + dir + `; try_files /bomb.gz =404; default_type text/html; add_header Content-Encoding gzip; }
    location = /contact/ { root ` + dir + `; try_files /big.html =404; }
    location = /complaints/ { root ` + dir + `; try_files /big.html =404; limit_rate 20k; }`,
	})
	opts := f.opts
	opts.Timeout = 2 * time.Second
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := f.check(t, opts)
	runtime.ReadMemStats(&after)
	defer dump(t, res)

	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d MiB during Check", alloc>>20)
	if alloc > 64<<20 {
		t.Errorf("Check allocated %d MiB for bounded pages", alloc>>20)
	}
	bomb := findPage(res, f.httpURL("/report-a-crime/"))
	if bomb == nil || !bomb.Truncated || bomb.Bytes != DefaultMaxBytes || bomb.ContentEncoding != "gzip" {
		t.Fatalf("bomb page %+v", bomb)
	}
	huge := findPage(res, f.httpURL("/contact/"))
	if huge == nil || !huge.Truncated || huge.Bytes != DefaultMaxBytes {
		t.Fatalf("50 MB page %+v", huge)
	}
	slow := findPage(res, f.httpURL("/complaints/"))
	if slow == nil || slow.Error == "" || !strings.Contains(slow.Error, "timed out") || slow.Bytes == 0 {
		t.Errorf("slow page %+v", slow)
	}
	// The forms at the start of the truncated pages still count.
	if evidenceFor(res, EvidencePlainHTTPPage, f.httpURL("/report-a-crime/")) == nil ||
		evidenceFor(res, EvidencePlainHTTPPage, f.httpURL("/contact/")) == nil {
		t.Errorf("evidence %+v", res.Evidence)
	}
}

// Check never hangs: a cancelled context returns at once with what it has.
func TestCheckCancelledAndInvalid(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := Check(ctx, "police.example", 1, 1, Options{Dial: loopbackDial})
	if res.SecureByDefaultReason != ReasonInconclusive || res.HSTSPolicy.Status != HSTSUnknown {
		t.Errorf("cancelled: %+v", res)
	}
	for _, h := range []string{"", "bad host", "a..b", "x/y", strings.Repeat("a", 300)} {
		res := Check(context.Background(), h, 0, 0, Options{})
		if len(res.Errors) == 0 || !strings.Contains(res.Errors[0], "invalid host") {
			t.Errorf("%q: %+v", h, res.Errors)
		}
	}
	// A port with nothing listening: unreachable, quickly.
	start := time.Now()
	res = Check(context.Background(), "127.0.0.1", 1, 1, Options{Timeout: 2 * time.Second})
	if res.SecureByDefaultReason != ReasonHTTPUnreachable || time.Since(start) > 10*time.Second {
		t.Errorf("unreachable: %s after %v", res.SecureByDefaultReason, time.Since(start))
	}
	b, err := json.Marshal(res)
	if err != nil || !bytes.Contains(b, []byte(`"hstsPolicy":{"LONG_MAX_AGE":15552000`)) ||
		!bytes.Contains(b, []byte(`"hpkpPolicy":{"status":"unknown"`)) || !bytes.Contains(b, []byte(`"hpkpRoPolicy":{"status":"unknown"`)) {
		t.Errorf("JSON %s %v", b, err)
	}
}

// A certificate that does not verify is recorded, and the site is still
// read (certificates are graded elsewhere).
func TestUntrustedCertificateStillRead(t *testing.T) {
	t.Parallel()
	f := startSite(t, siteSpec{
		HTTPS:     map[string]string{"/": homePage, "/contact/": contactPage("/contact/send")},
		HTTPSConf: `add_header Strict-Transport-Security "max-age=300" always;`,
	})
	opts := f.opts
	opts.RootCAs = x509.NewCertPool() // trusts nothing
	res := f.check(t, opts)
	defer dump(t, res)
	if len(res.HTTPSRedirects) != 1 || !strings.Contains(res.HTTPSRedirects[0].TLSError, "unknown authority") {
		t.Errorf("HTTPS chain %+v", res.HTTPSRedirects)
	}
	if res.HSTSPolicy.Status != HSTSPresent || res.HSTSPolicy.MaxAge != 300 || res.HSTSPolicy.Long() {
		t.Errorf("HSTS %+v", res.HSTSPolicy)
	}
	if findPage(res, f.httpsURL("", "/contact/")) == nil {
		t.Errorf("pages %+v", res.Pages)
	}
	if res.SecureByDefaultReason != ReasonHTTPUnreachable || res.PersonalDataOverPlainText {
		t.Errorf("reason %s, flag %v", res.SecureByDefaultReason, res.PersonalDataOverPlainText)
	}
}
