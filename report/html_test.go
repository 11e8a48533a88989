package report

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"padlock/grade"
	"padlock/store"
)

// site is a written report: every file, and every HTML page parsed.
type site struct {
	dir   string
	files map[string]bool       // slash paths relative to dir
	pages map[string]*html.Node // parsed .html files
}

func writeAndParse(t *testing.T, f *Fleet) *site {
	t.Helper()
	dir := t.TempDir()
	if err := WriteSite(dir, f); err != nil {
		t.Fatal(err)
	}
	s := &site{dir: dir, files: map[string]bool{}, pages: map[string]*html.Node{}}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(path.Base(rel), ".") {
			t.Errorf("temporary file left behind: %s", rel)
		}
		s.files[rel] = true
		if strings.HasSuffix(rel, ".html") {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			doc, err := html.Parse(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			s.pages[rel] = doc
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// walk calls fn for every element node.
func walk(n *html.Node, fn func(*html.Node)) {
	if n.Type == html.ElementNode {
		fn(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, class string) bool {
	v, _ := attr(n, "class")
	for _, c := range strings.Fields(v) {
		if c == class {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func find(doc *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	walk(doc, func(n *html.Node) {
		if match(n) {
			out = append(out, n)
		}
	})
	return out
}

func ids(doc *html.Node) map[string]bool {
	m := map[string]bool{}
	walk(doc, func(n *html.Node) {
		if id, ok := attr(n, "id"); ok {
			m[id] = true
		}
	})
	return m
}

// TestWriteSiteLinks: every page is a complete HTML document that loads
// nothing from elsewhere, and every internal link (fragments included)
// resolves to a written file.
func TestWriteSiteLinks(t *testing.T) {
	f := build(t, newStore(t), 0)
	s := writeAndParse(t, f)

	for _, want := range []string{"index.html", "methodology.html", "assets/style.css", "assets/report.js", "report.csv", "report.json", "report.md"} {
		if !s.files[want] {
			t.Errorf("%s not written", want)
		}
	}
	for _, site := range f.Sites {
		if !s.files[SitePath(site.Key)] {
			t.Errorf("no page for %s", site.Key)
		}
	}
	if want := 2 + len(f.Sites); len(s.pages) != want {
		t.Errorf("%d pages written, want %d", len(s.pages), want)
	}

	pageIDs := map[string]map[string]bool{}
	for p, doc := range s.pages {
		pageIDs[p] = ids(doc)
	}
	for p, doc := range s.pages {
		if doc.FirstChild == nil || doc.FirstChild.Type != html.DoctypeNode {
			t.Errorf("%s: no doctype", p)
		}
		if len(find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Title && n.Namespace == "" && text(n) != "" })) != 1 {
			t.Errorf("%s: no title", p)
		}
		if len(find(doc, func(n *html.Node) bool { return n.DataAtom == atom.H1 })) != 1 {
			t.Errorf("%s: not one h1", p)
		}
		seenIDs := map[string]bool{}
		walk(doc, func(n *html.Node) {
			if id, ok := attr(n, "id"); ok {
				if seenIDs[id] {
					t.Errorf("%s: duplicate id %q", p, id)
				}
				seenIDs[id] = true
			}
			for _, key := range []string{"href", "src"} {
				v, ok := attr(n, key)
				if !ok {
					continue
				}
				u, err := url.Parse(v)
				if err != nil {
					t.Errorf("%s: <%s %s=%q>: %v", p, n.Data, key, v, err)
					continue
				}
				if u.Scheme != "" || u.Host != "" {
					// Only links to scanned sites go elsewhere, and only as
					// plain navigation.
					rel, _ := attr(n, "rel")
					if n.DataAtom != atom.A || rel != "nofollow noopener noreferrer" || (u.Scheme != "http" && u.Scheme != "https") {
						t.Errorf("%s: external reference <%s %s=%q rel=%q>", p, n.Data, key, v, rel)
					}
					continue
				}
				target := p
				if u.Path != "" {
					target = path.Join(path.Dir(p), u.Path)
				}
				if !s.files[target] {
					t.Errorf("%s: link %q: %s was not written", p, v, target)
					continue
				}
				if u.Fragment != "" && strings.HasSuffix(target, ".html") && !pageIDs[target][u.Fragment] {
					t.Errorf("%s: link %q: no id %q in %s", p, v, u.Fragment, target)
				}
			}
		})
	}
}

// wantBand is the seed study's bands, written out here independently of
// the package's own table.
var wantBand = map[string]string{
	"A+": "highest", "A": "highest",
	"A-": "room-for-improvement",
	"B":  "significant-room-for-improvement", "C": "significant-room-for-improvement", "D": "significant-room-for-improvement", "E": "significant-room-for-improvement",
	"F": "significant-vulnerabilities", "T": "significant-vulnerabilities", "M": "significant-vulnerabilities",
	"U": "no-secure-connection",
}

// TestIndexAgainstStore: the headline numbers and the band lists on the
// front page are what the store holds, counted here without package
// report.
func TestIndexAgainstStore(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	f := build(t, st, 0)
	s := writeAndParse(t, f)
	doc := s.pages["index.html"]

	as, err := st.Assessments(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := st.Assessments(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var graded, highest, u, uStar, sbd int
	bandOrgs := map[string][]string{}
	display := map[string]string{}
	var inconclusive []string
	for _, a := range as {
		if a.Grade == "" {
			inconclusive = append(inconclusive, a.Organisation)
			continue
		}
		graded++
		if a.Grade == "A+" || a.Grade == "A" {
			highest++
		}
		if a.Grade == "U" {
			u++
			if a.Star {
				uStar++
			}
		}
		if a.SecureByDefault != nil && *a.SecureByDefault {
			sbd++
		}
		bandOrgs[wantBand[a.Grade]] = append(bandOrgs[wantBand[a.Grade]], a.Organisation)
		d := a.Grade
		if a.Star {
			d += "*"
		}
		display[a.Organisation] = d
	}
	// Changes by grade, star and secure by default alone.
	var improved, deteriorated int
	before := map[string]store.Assessment{}
	for _, a := range prev {
		before[a.Site] = a
	}
	for _, a := range as {
		b, ok := before[a.Site]
		if !ok || a.Grade == "" || b.Grade == "" {
			continue
		}
		ra, rb := grade.Of(b.Grade).Rank(), grade.Of(a.Grade).Rank()
		worse := rb < ra || (a.Star && !b.Star) || (*b.SecureByDefault && !*a.SecureByDefault)
		better := rb > ra || (!a.Star && b.Star) || (!*b.SecureByDefault && *a.SecureByDefault)
		switch {
		case worse:
			deteriorated++
		case better:
			improved++
		}
	}

	stat := func(name string) *html.Node {
		ns := find(doc, func(n *html.Node) bool { v, _ := attr(n, "data-stat"); return v == name })
		if len(ns) != 1 {
			t.Fatalf("%d data-stat=%q", len(ns), name)
		}
		return ns[0]
	}
	value := func(n *html.Node, class string) int {
		ns := find(n, func(n *html.Node) bool { _, ok := attr(n, "data-value"); return ok && hasClass(n, class) })
		if len(ns) != 1 {
			t.Fatalf("%d %s values in %s", len(ns), class, text(n))
		}
		v, _ := attr(ns[0], "data-value")
		i, err := strconv.Atoi(v)
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	pct := func(n, d int) string {
		return strconv.Itoa(int(float64(n)*100/float64(d)+0.5)) + "%"
	}
	for _, c := range []struct {
		stat      string
		class     string
		want      int
		wantText  string
		statInDoc bool
	}{
		{"sites", "big", len(as), strconv.Itoa(len(as)), true},
		{"highest", "big", highest, pct(highest, graded), true},
		{"no-secure", "big", u, pct(u, graded), true},
		{"no-secure-personal-data", "big", uStar, pct(uStar, u), true},
		{"secure-by-default", "big", sbd, pct(sbd, graded), true},
		{"changes", "chg-improved", improved, "↑ " + strconv.Itoa(improved), true},
		{"changes", "chg-deteriorated", deteriorated, "↓ " + strconv.Itoa(deteriorated), true},
	} {
		n := stat(c.stat)
		if got := value(n, c.class); got != c.want {
			t.Errorf("%s: %d, store says %d", c.stat, got, c.want)
		}
		if !strings.Contains(text(n), c.wantText) {
			t.Errorf("%s: %q does not show %q", c.stat, text(n), c.wantText)
		}
	}
	if !strings.Contains(text(stat("sites")), strconv.Itoa(graded)+" graded") {
		t.Errorf("sites stat %q lacks the graded count %d", text(stat("sites")), graded)
	}

	// The league table's bands.
	bodies := find(doc, func(n *html.Node) bool { _, ok := attr(n, "data-band"); return n.DataAtom == atom.Tbody && ok })
	if len(bodies) != 5 {
		t.Fatalf("%d bands in the league table", len(bodies))
	}
	order := []string{"highest", "room-for-improvement", "significant-room-for-improvement", "significant-vulnerabilities", "no-secure-connection"}
	for i, body := range bodies {
		band, _ := attr(body, "data-band")
		if band != order[i] {
			t.Errorf("band %d is %q, want %q", i, band, order[i])
		}
		var orgs []string
		for _, row := range find(body, func(n *html.Node) bool { return n.DataAtom == atom.Tr && hasClass(n, "site-row") }) {
			ths := find(row, func(n *html.Node) bool { return n.DataAtom == atom.Th })
			tds := find(row, func(n *html.Node) bool { return n.DataAtom == atom.Td })
			org := text(find(ths[0], func(n *html.Node) bool { return n.DataAtom == atom.A })[0])
			orgs = append(orgs, org)
			if g := text(find(tds[0], func(n *html.Node) bool { return hasClass(n, "grade") })[0]); g != display[org] {
				t.Errorf("%s: grade %q in the table, %q in the store", org, g, display[org])
			}
		}
		want := append([]string(nil), bandOrgs[band]...)
		sort.Strings(want)
		got := append([]string(nil), orgs...)
		sort.Strings(got)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("band %s lists %q, store has %q", band, got, want)
		}
		head := find(body, func(n *html.Node) bool { _, ok := attr(n, "data-count"); return ok })
		if c, _ := attr(head[0], "data-count"); c != strconv.Itoa(len(want)) {
			t.Errorf("band %s: count %s, want %d", band, c, len(want))
		}
	}

	// Inconclusive sites are listed apart, and nowhere in the bands.
	tbl := find(doc, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == "inconclusive-table" })
	if len(tbl) != 1 {
		t.Fatal("no inconclusive table")
	}
	var got []string
	for _, row := range find(tbl[0], func(n *html.Node) bool { return n.DataAtom == atom.Tr && hasClass(n, "site-row") }) {
		got = append(got, text(find(row, func(n *html.Node) bool { return n.DataAtom == atom.A })[0]))
	}
	if strings.Join(got, "|") != strings.Join(inconclusive, "|") {
		t.Errorf("inconclusive %q, store %q", got, inconclusive)
	}

	// The charts are there, with titles and a table beside them.
	svgs := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Svg && hasClass(n, "chart-svg") })
	if len(svgs) != 2 {
		t.Fatalf("%d charts on the index", len(svgs))
	}
	for _, svg := range svgs {
		if r, _ := attr(svg, "role"); r != "img" {
			t.Errorf("chart without role=img")
		}
		if len(find(svg, func(n *html.Node) bool { return n.Data == "title" })) == 0 {
			t.Errorf("chart without a title")
		}
	}
	bars := find(svgs[0], func(n *html.Node) bool { return n.Data == "rect" && hasClass(n, "bar") })
	if len(bars) != 9 { // A+ A A- B C F T M U; D and E are empty
		t.Errorf("%d bars in the grade chart", len(bars))
	}
	stacks := find(svgs[1], func(n *html.Node) bool { return n.Data == "rect" && hasClass(n, "bar") })
	if len(stacks) != 4+5 { // scan 1: four bands with sites; scan 2: five
		t.Errorf("%d segments in the trend chart", len(stacks))
	}
}

// TestSitePages: a site page shows its grade, every finding with its
// remedy, the certificate chain, the forms and its history.
func TestSitePages(t *testing.T) {
	f := build(t, newStore(t), 0)
	s := writeAndParse(t, f)
	for _, site := range f.Sites {
		doc := s.pages[SitePath(site.Key)]
		badge := find(doc, func(n *html.Node) bool { return hasClass(n, "badge-grade") })
		want := site.Display
		if want == "" {
			want = "?"
		}
		if len(badge) != 1 || text(badge[0]) != want {
			t.Errorf("%s: badge %v, want %q", site.Key, badge, want)
		}
		page := text(doc)
		if site.Host == nil || len(site.Host.Endpoints) == 0 {
			continue
		}
		findings := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Article && hasClass(n, "finding") })
		if n := len(site.Host.Endpoints[0].PadlockGrade.Findings); len(findings) != n {
			t.Errorf("%s: %d findings shown, %d stored", site.Key, len(findings), n)
		}
		for _, fi := range site.Host.Endpoints[0].PadlockGrade.Findings {
			if fi.Remedy.Nginx != "" && !strings.Contains(page, strings.Join(strings.Fields(fi.Remedy.Nginx), " ")) {
				t.Errorf("%s: %s's nginx remedy missing", site.Key, fi.Rule)
			}
		}
		if !strings.Contains(page, "Your name") {
			t.Errorf("%s: the form's field label is missing", site.Key)
		}
		points := find(doc, func(n *html.Node) bool { return n.Data == "circle" && hasClass(n, "point") })
		if len(points) != len(site.History) {
			t.Errorf("%s: %d history points drawn, %d in history", site.Key, len(points), len(site.History))
		}
		if site.Grade != "U" && !strings.Contains(page, "Example Issuing CA") {
			t.Errorf("%s: certificate chain missing", site.Key)
		}
	}
	// The vulnerability checks' fields and findings are shown.
	cheshire := s.pages[SitePath("www.cheshire.example")]
	for field, want := range map[string]string{"bleichenbacher": "vulnerable (strong oracle)", "poodleTls": "vulnerable", "openSslCcs": "not vulnerable"} {
		rows := find(cheshire, func(n *html.Node) bool { v, _ := attr(n, "data-field"); return v == field })
		if len(rows) != 1 || text(find(rows[0], func(n *html.Node) bool { return n.DataAtom == atom.Td })[0]) != want {
			t.Errorf("cheshire's page: %s is not shown as %q", field, want)
		}
	}
	for _, want := range []string{"the server answers differently to each malformed padding", "alert bad_record_mac (20)"} {
		if !strings.Contains(text(cheshire), want) {
			t.Errorf("cheshire's page lacks %q", want)
		}
	}
	if err := RenderSite(&bytes.Buffer{}, f, "no-such-site", PageOptions{}); !errors.Is(err, ErrNoSite) {
		t.Errorf("RenderSite(unknown) = %v", err)
	}
}

// TestServedLinks: with a BaseURL every link is absolute under it, so the
// same pages work when served.
func TestServedLinks(t *testing.T) {
	f := build(t, newStore(t), 0)
	var buf bytes.Buffer
	opts := PageOptions{BaseURL: "/report/", Live: true}
	if err := RenderSite(&buf, f, f.Sites[0].Key, opts); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	walk(doc, func(n *html.Node) {
		for _, key := range []string{"href", "src"} {
			v, ok := attr(n, key)
			if !ok || strings.HasPrefix(v, "#") || strings.HasPrefix(v, "http") {
				continue
			}
			if !strings.HasPrefix(v, "/report/") {
				t.Errorf("<%s %s=%q> not under the base URL", n.Data, key, v)
			}
		}
	})
	if !strings.Contains(text(doc), "Live view") {
		t.Error("a live page does not say so")
	}
	var m bytes.Buffer
	if err := RenderMethodology(&m, opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.String(), `href="/report/"`) {
		t.Error("methodology does not link to the index at the base URL")
	}
}

// TestDeterministic: the same store gives the same bytes.
func TestDeterministic(t *testing.T) {
	st := newStore(t)
	var a, b bytes.Buffer
	for _, buf := range []*bytes.Buffer{&a, &b} {
		f := build(t, st, 0)
		if err := RenderIndex(buf, f, PageOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := RenderSite(buf, f, f.Sites[5].Key, PageOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renderings of the same data differ")
	}
}

func TestAssets(t *testing.T) {
	for _, name := range []string{"style.css", "report.js"} {
		b, err := fsReadFile(name)
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v", name, err)
		}
		if bytes.Contains(b, []byte("http://")) || bytes.Contains(b, []byte("https://")) || bytes.Contains(b, []byte("@import")) {
			t.Errorf("%s refers to something elsewhere", name)
		}
	}
}

func fsReadFile(name string) ([]byte, error) { return fs.ReadFile(Assets(), name) }
