package report

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"padlock/grade"
	"padlock/store"
)

const (
	xssScript = `<script>alert(1)</script>`
	xssImg    = `"><img src=x onerror=alert(1)>`
	xssJS     = `javascript:alert(1)`
)

// hostileFleet is a scan of sites that put script in everything padlock
// reads from them: page titles, form labels and actions, certificate
// names, URLs, errors, and in the operator's own organisation names.
func hostileFleet(t *testing.T) *Fleet {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "padlock.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hostile := xssScript + xssImg
	sites := []fx{
		{org: "Evil " + xssScript + " Police", url: "https://evil.example/" + xssImg, group: xssImg, grade: "U", star: true, sbd: bp(false),
			findings: []grade.Finding{fU}, title: xssScript, formLabel: xssImg, formAction: xssJS, hostile: hostile},
		{org: xssImg, url: "https://cert.example/", group: xssScript, grade: "B", sbd: bp(true), findings: []grade.Finding{fB5, fF4}, hsts: -1,
			title: xssImg, formLabel: xssScript, certSubject: "CN=" + xssScript + ", O=" + xssImg, formAction: xssJS, hostile: hostile},
		{org: "Scheme " + xssJS, url: xssJS, group: "x", grade: "C", sbd: bp(true), findings: []grade.Finding{fB4}, hsts: -1, hostile: xssJS},
		{org: "Inconclusive " + xssImg, url: "https://inc.example/", inconclusive: hostile},
	}
	addScan(t, st, "before "+xssScript, scan1Start, scan1End, sites[1:])
	addScan(t, st, "after "+xssImg, scan2Start, scan2End, sites)
	f, err := Build(context.Background(), st, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// assertInert checks a parsed page: no script but padlock's own, no event
// handler, no javascript: URL, nothing that loads or submits anything.
func assertInert(t *testing.T, name string, doc *html.Node, scriptSrc string) {
	t.Helper()
	walk(doc, func(n *html.Node) {
		switch n.DataAtom {
		case atom.Script:
			src, _ := attr(n, "src")
			if src != scriptSrc || n.FirstChild != nil {
				t.Errorf("%s: script element src=%q with content %q", name, src, text(n))
			}
		case atom.Img, atom.Iframe, atom.Object, atom.Embed, atom.Base, atom.Form, atom.Style, atom.Frame, atom.Audio, atom.Video, atom.Input, atom.Button:
			if n.Namespace == "" {
				t.Errorf("%s: unexpected <%s> element", name, n.Data)
			}
		case atom.Meta:
			if v, ok := attr(n, "http-equiv"); ok {
				t.Errorf("%s: <meta http-equiv=%q>", name, v)
			}
		}
		if n.Data == "script" || n.Data == "foreignObject" || n.Data == "use" || n.Data == "image" || n.Data == "animate" || n.Data == "set" {
			if n.DataAtom != atom.Script {
				t.Errorf("%s: unexpected <%s> in %s", name, n.Data, n.Namespace)
			}
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			if strings.HasPrefix(k, "on") {
				t.Errorf("%s: event handler %s=%q on <%s>", name, a.Key, a.Val, n.Data)
			}
			if k == "style" || k == "srcdoc" {
				t.Errorf("%s: %s attribute on <%s>", name, a.Key, n.Data)
			}
			switch k {
			case "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite":
				v := strings.Map(func(r rune) rune {
					if r <= ' ' || r == 0x7f {
						return -1
					}
					return r
				}, strings.ToLower(a.Val))
				if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:") {
					t.Errorf("%s: %s=%q on <%s>", name, a.Key, a.Val, n.Data)
				}
				if n.DataAtom == atom.A && (strings.HasPrefix(v, "http:") || strings.HasPrefix(v, "https:")) {
					if rel, _ := attr(n, "rel"); rel != "nofollow noopener noreferrer" {
						t.Errorf("%s: external link %q with rel=%q", name, a.Val, rel)
					}
				}
			}
		}
	})
}

// contains reports whether some text node holds s: the payload is shown,
// as text.
func containsText(doc *html.Node, s string) bool {
	found := false
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode && strings.Contains(n.Data, s) {
			found = true
		}
		for c := n.FirstChild; c != nil && !found; c = c.NextSibling {
			rec(c)
		}
	}
	rec(doc)
	return found
}

func TestXSS(t *testing.T) {
	f := hostileFleet(t)
	s := writeAndParse(t, f)
	for name, doc := range s.pages {
		src := "assets/report.js"
		if strings.HasPrefix(name, "sites/") {
			src = "../assets/report.js"
		}
		assertInert(t, name, doc, src)
	}

	index := s.pages["index.html"]
	for _, want := range []string{"Evil " + xssScript + " Police", xssImg, "Scheme " + xssJS} {
		if !containsText(index, want) {
			t.Errorf("index.html does not show %q as text", want)
		}
	}
	evil := f.Sites[0]
	for i := range f.Sites {
		if strings.HasPrefix(f.Sites[i].Organisation, "Evil") {
			evil = f.Sites[i]
		}
	}
	page := s.pages[SitePath(evil.Key)]
	for _, want := range []string{xssScript, xssImg, xssJS, "https://evil.example/" + xssImg} {
		if !containsText(page, want) {
			t.Errorf("%s does not show %q as text", evil.Key, want)
		}
	}
	cert := s.pages[SitePath("cert.example")]
	if cert == nil || !containsText(cert, "CN="+xssScript) {
		t.Error("the hostile certificate subject is not shown as text")
	}
	// The hostile site URL is not a link.
	walk(page, func(n *html.Node) {
		if v, ok := attr(n, "href"); ok && (strings.Contains(v, "onerror") || strings.Contains(v, "<") || strings.Contains(v, "alert")) {
			t.Errorf("hostile URL became a link: %q", v)
		}
	})

	// Served pages too.
	var buf bytes.Buffer
	opts := PageOptions{BaseURL: "/r/", Live: true}
	if err := RenderIndex(&buf, f, opts); err != nil {
		t.Fatal(err)
	}
	if err := RenderSite(&buf, f, evil.Key, opts); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	assertInert(t, "served", doc, "/r/assets/report.js")

	// The exports.
	var md, js, cs bytes.Buffer
	if err := WriteMarkdown(&md, f); err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(^|[^\\])<`).FindString(md.String()); m != "" {
		t.Errorf("markdown carries an unescaped < (%q)", m)
	}
	if err := WriteJSON(&js, f); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(js.String(), "<script") || strings.Contains(js.String(), "<img") {
		t.Error("JSON carries unescaped < from a site")
	}
	if err := WriteCSV(&cs, f); err != nil {
		t.Fatal(err)
	}
}

func TestExternalURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.org/":         "https://example.org/",
		"http://example.org/a?b=c":     "http://example.org/a?b=c",
		"javascript:alert(1)":          "",
		" JavaScript:alert(1)":         "",
		"data:text/html,<script>":      "",
		"//example.org/":               "",
		"https://example.org/\"><img>": "",
		"https://user:pw@example.org/": "",
		"ftp://example.org/":           "",
		"":                             "",
	} {
		if got := externalURL(in); got != want {
			t.Errorf("externalURL(%q) = %q, want %q", in, got, want)
		}
	}
}
