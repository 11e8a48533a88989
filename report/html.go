package report

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"padlock/assess"
	"padlock/change"
	"padlock/grade"
	"padlock/store"
	"padlock/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Paths of the pages, relative to the report's root. WriteSite writes
// them there, and a server serves them under PageOptions.BaseURL.
const (
	IndexPath       = "index.html"
	MethodologyPath = "methodology.html"
	// AssetsDir holds the stylesheet and the script (Assets()).
	AssetsDir = "assets/"
	// Exports, written beside the pages by WriteSite and linked from every
	// page.
	CSVPath      = "report.csv"
	JSONPath     = "report.json"
	MarkdownPath = "report.md"
)

// SitePath is the path of a site's page: "sites/<key>.html".
func SitePath(key string) string { return "sites/" + key + ".html" }

// PageOptions say where a page is shown.
type PageOptions struct {
	// BaseURL is the URL the report's root is served at ("/", "/report/",
	// "https://example.org/padlock/"): every link is BaseURL followed by
	// the page's path (SitePath(key), MethodologyPath, "assets/style.css"
	// …), and links to the index are BaseURL itself. Empty: links are
	// relative, for static files opened from disk (WriteSite).
	BaseURL string
	// Live: the page is served from the store by `padlock serve` rather
	// than written once; it says so.
	Live bool
}

// Assets returns the files the pages link under AssetsDir: style.css and
// report.js (the FS's paths have no "assets/" prefix). Pages carry no
// inline script or style attribute, so a server can send
// "script-src 'self'; style-src 'self'".
func Assets() fs.FS {
	sub, err := fs.Sub(assetFS, "assets")
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	return sub
}

// page is what every template gets.
type page struct {
	Opts     PageOptions
	depth    int // directories below the root: 0 for index.html, 1 for sites/…
	Title    string
	Nav      string
	Fleet    *Fleet
	Criteria string

	// Index page.
	GradeChart *Chart
	TrendChart *Chart
	ChangeSets []changeSet

	// Site page.
	Site         *Site
	Endpoints    []endpointView
	Web          *webView
	HistoryChart *Chart

	// Methodology page.
	Rules []grade.RuleSpec
	Bands []bandDef

	pageKeys map[string]string // store site key → page key
}

// URL is a link from this page to a path of the report (IndexPath,
// SitePath(key) …).
func (p *page) URL(path string) string {
	if p.Opts.BaseURL != "" {
		base := p.Opts.BaseURL
		if !strings.HasSuffix(base, "/") {
			base += "/"
		}
		if path == IndexPath {
			return base
		}
		return base + path
	}
	return strings.Repeat("../", p.depth) + path
}

// SiteURL links to a site's page from its store key ("" if the site is
// not in this scan).
func (p *page) SiteURL(siteKey string) string {
	k, ok := p.pageKeys[siteKey]
	if !ok {
		return ""
	}
	return p.URL(SitePath(k))
}

// changeSet is one kind of change, for the index page.
type changeSet struct {
	Kind    change.Kind
	Title   string
	Changes []change.Change
}

var changeTitles = []struct {
	kind  change.Kind
	title string
}{
	{change.Deteriorated, "Deteriorated"},
	{change.Improved, "Improved"},
	{change.New, "New since the previous scan"},
	{change.Gone, "No longer in the scan"},
	{change.Inconclusive, "Inconclusive in one of the scans (not counted as a change)"},
}

var funcs = template.FuncMap{
	"pct":        pctText,
	"gradeClass": gradeClass,
	"bandName":   BandName,
	"bandOf":     BandOf,
	"gradeSortKey": func(g string, star bool) int {
		k := grade.Of(g).Rank() * 10
		if !star {
			k++
		}
		return k
	},
	"extURL":   externalURL,
	"date":     dateText,
	"datetime": datetimeText,
	"msdate":   msDate,
	"join":     strings.Join,
	"yesno":    yesNo,
	"sitePath": SitePath,
	"effectClass": func(e grade.Effect) string {
		return "effect-" + e.String()
	},
	"categories": func(cs []web.Category) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Describe())
		}
		return strings.Join(out, ", ")
	},
	"category": func(c web.Category) string { return c.Describe() },
	"score":    func(v float64) string { return num(v) },
	"plural":   plural,
	"kindClass": func(k change.Kind) string {
		if k == "" {
			return "chg-none"
		}
		return "chg-" + string(k)
	},
}

var templates = sync.OnceValues(func() (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, name := range []string{"index.html", "site.html", "methodology.html"} {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFS, "templates/"+name); err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
})

func render(w io.Writer, name string, p *page) error {
	ts, err := templates()
	if err != nil {
		return fmt.Errorf("report: templates: %w", err)
	}
	// Render to memory first: an error never leaves half a page.
	var buf bytes.Buffer
	if err := ts[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("report: %s: %w", name, err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func newPage(f *Fleet, opts PageOptions, depth int, nav, title string) *page {
	p := &page{Opts: opts, depth: depth, Nav: nav, Title: title, Fleet: f, Criteria: assess.CriteriaVersion}
	if opts.BaseURL != "" {
		p.depth = 0
	}
	if f != nil {
		if f.Criteria != "" {
			p.Criteria = f.Criteria
		}
		p.pageKeys = map[string]string{}
		for _, s := range f.Sites {
			if _, ok := p.pageKeys[s.SiteKey]; !ok {
				p.pageKeys[s.SiteKey] = s.Key
			}
		}
	}
	return p
}

// RenderIndex writes the report's front page: the headline figures, the
// charts, the league table by band, the inconclusive sites and the
// changes since the previous scan.
func RenderIndex(w io.Writer, f *Fleet, opts PageOptions) error {
	if f == nil {
		return errors.New("report: no fleet")
	}
	p := newPage(f, opts, 0, "index", reportTitle(f))
	p.GradeChart = GradeChart(f.Headline, "chart-grades")
	p.TrendChart = TrendChart(f.Trend, "chart-trend")
	for _, ct := range changeTitles {
		set := changeSet{Kind: ct.kind, Title: ct.title}
		for _, c := range f.Changes {
			if c.Kind == ct.kind {
				set.Changes = append(set.Changes, c)
			}
		}
		if len(set.Changes) > 0 {
			p.ChangeSets = append(p.ChangeSets, set)
		}
	}
	return render(w, "index.html", p)
}

// ErrNoSite is returned by RenderSite for a key that names no site.
var ErrNoSite = errors.New("report: no such site")

// RenderSite writes one site's page (key is Site.Key, as in
// SitePath(key)): its grade with the category scores, every finding with
// its evidence and remedy, the protocols, suites and certificate chains of
// each endpoint, the vulnerability tests, the plain-HTTP side with its
// forms, and the grade history. An unknown key is ErrNoSite (test with
// errors.Is).
func RenderSite(w io.Writer, f *Fleet, key string, opts PageOptions) error {
	if f == nil {
		return errors.New("report: no fleet")
	}
	s := f.Site(key)
	if s == nil {
		return fmt.Errorf("%w: %q", ErrNoSite, key)
	}
	p := newPage(f, opts, 1, "site", orKey(s)+" · "+reportTitle(f))
	p.Site = s
	p.Endpoints = endpointViews(s)
	p.Web = webViewOf(s.Host)
	p.HistoryChart = HistoryChart(s.History, "chart-history")
	return render(w, "site.html", p)
}

// RenderMethodology writes the methodology page: what padlock checks, the
// criteria revision, how U, `*` and secure by default are defined, the
// bands with the denominators of every percentage, and every rule.
func RenderMethodology(w io.Writer, opts PageOptions) error {
	p := newPage(nil, opts, 0, "methodology", "Methodology · padlock")
	p.Rules = grade.Rules()
	p.Bands = bandDefs
	return render(w, "methodology.html", p)
}

// WriteSite writes the report as static files under dir (created if
// needed): index.html, methodology.html, sites/<key>.html for every site,
// assets/, and the exports report.csv, report.json and report.md. Every
// link is relative and nothing is fetched from anywhere else: the
// directory can be opened from disk, copied or served as it is. Each file
// is replaced atomically.
func WriteSite(dir string, f *Fleet) error {
	if f == nil {
		return errors.New("report: no fleet")
	}
	for _, d := range []string{dir, filepath.Join(dir, "sites"), filepath.Join(dir, "assets")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	opts := PageOptions{}
	write := func(rel string, fn func(io.Writer) error) error {
		var buf bytes.Buffer
		if err := fn(&buf); err != nil {
			return err
		}
		return writeFileAtomic(filepath.Join(dir, filepath.FromSlash(rel)), buf.Bytes())
	}
	if err := write(IndexPath, func(w io.Writer) error { return RenderIndex(w, f, opts) }); err != nil {
		return err
	}
	if err := write(MethodologyPath, func(w io.Writer) error { return RenderMethodology(w, opts) }); err != nil {
		return err
	}
	for i := range f.Sites {
		key := f.Sites[i].Key
		if err := write(SitePath(key), func(w io.Writer) error { return RenderSite(w, f, key, opts) }); err != nil {
			return err
		}
	}
	assets := Assets()
	err := fs.WalkDir(assets, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, path)
		if err != nil {
			return err
		}
		return writeFileAtomic(filepath.Join(dir, "assets", filepath.FromSlash(path)), b)
	})
	if err != nil {
		return err
	}
	if err := write(CSVPath, func(w io.Writer) error { return WriteCSV(w, f) }); err != nil {
		return err
	}
	if err := write(JSONPath, func(w io.Writer) error { return WriteJSON(w, f) }); err != nil {
		return err
	}
	return write(MarkdownPath, func(w io.Writer) error { return WriteMarkdown(w, f) })
}

// writeFileAtomic writes through a temporary file renamed into place, so
// that a reader never sees half a file.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".padlock-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, 0o644)
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
	}
	return err
}

func reportTitle(f *Fleet) string {
	t := "HTTPS report"
	if f.Scan.Name != "" {
		t += ": " + f.Scan.Name
	}
	return t
}

// gradeClass is a grade's CSS class: "g-a-plus", "g-a-minus", "g-b",
// "g-none" (no grade).
func gradeClass(g string) string {
	g = strings.TrimSuffix(strings.TrimSpace(g), "*")
	switch {
	case grade.Of(g).Rank() == 0:
		return "g-none"
	case g == "A+":
		return "g-a-plus"
	case g == "A-":
		return "g-a-minus"
	}
	return "g-" + strings.ToLower(g)
}

// externalURL returns s when it is an absolute http or https URL with a
// host, fit to be a link; "" otherwise (the template then shows it as
// text). html/template escapes it again in the href.
func externalURL(s string) string {
	s = strings.TrimSpace(s)
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == ' ' || r == '"' || r == '\'' || r == '<' || r == '>' || r == '`' || r == '\\' {
			return ""
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" || u.User != nil {
		return ""
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}

func yesNo(b *bool) string {
	switch {
	case b == nil:
		return "unknown"
	case *b:
		return "yes"
	}
	return "no"
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006")
}

func datetimeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// scanRef names a scan in text: "scan 3 (July survey), 14 July 2016".
func scanRef(s store.Scan) string {
	t := fmt.Sprintf("scan %d", s.ID)
	if s.Name != "" {
		t += " (" + s.Name + ")"
	}
	if d := dateText(scanTime(s)); d != "" {
		t += ", " + d
	}
	return t
}

// ScanRef names the report's scan in text.
func (p *page) ScanRef() string { return scanRef(p.Fleet.Scan) }

// PreviousRef names the previous scan in text ("" if none).
func (p *page) PreviousRef() string {
	if p.Fleet.Previous == nil {
		return ""
	}
	return scanRef(*p.Fleet.Previous)
}

// Findings are the report's opening sentences, in the seed study's manner.
func (p *page) Findings() []string { return findingSentences(p.Fleet) }

func findingSentences(f *Fleet) []string {
	h := f.Headline
	if h.Graded == 0 {
		return []string{fmt.Sprintf("We scanned %d %s and none could be graded.", h.Sites, plural(h.Sites, "site", "sites"))}
	}
	band := func(id string) BandCount {
		for _, b := range h.PerBand {
			if b.Band == id {
				return b
			}
		}
		return BandCount{Band: id}
	}
	var out []string
	highest := band(BandHighest)
	out = append(out, fmt.Sprintf("We scanned %d %s and graded %d: %s (%d) demonstrated the highest standard of secure connection (A+ or A); the remaining %s either lacked a secure connection or their implementation was deficient or insecure.",
		h.Sites, plural(h.Sites, "site", "sites"), h.Graded, pctText(highest.Percent), highest.Count, pctText(100-math.Round(highest.Percent))))
	if h.NoSecure > 0 {
		s := fmt.Sprintf("%s (%d) had no secure connection at all (U): what visitors send travels in plain text.", pctText(h.NoSecurePercent), h.NoSecure)
		if h.NoSecureTakingPersonalData > 0 {
			s += fmt.Sprintf(" Of these, %s (%d) invited visitors to submit personal data over that plain-text connection (marked *).",
				pctText(h.NoSecureTakingPersonalDataPercent), h.NoSecureTakingPersonalData)
		}
		out = append(out, s)
	} else {
		out = append(out, "Every graded site offered a secure connection.")
	}
	if v := band(BandSignificantVulnerabilities); v.Count > 0 {
		out = append(out, fmt.Sprintf("%s (%d) had significant vulnerabilities in their secure connection (F), or a certificate browsers do not trust (T, M).", pctText(v.Percent), v.Count))
	}
	if h.SecureByDefaultKnown > 0 {
		out = append(out, fmt.Sprintf("%s of the sites checked (%d of %d) were secure by default: plain HTTP redirects visitors to HTTPS.",
			pctText(h.SecureByDefaultPercent), h.SecureByDefault, h.SecureByDefaultKnown))
	}
	if f.Previous != nil {
		out = append(out, fmt.Sprintf("Since %s, %d %s improved and %d deteriorated (of %d graded in both scans).",
			scanRef(*f.Previous), h.Improved, plural(h.Improved, "site", "sites"), h.Deteriorated, h.Compared))
	}
	return out
}
