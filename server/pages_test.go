package server

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPages(t *testing.T) {
	ts, _ := newTestServer(t, Config{})
	for _, c := range []struct {
		path   string
		status int
		ctype  string
		want   []string
	}{
		{"/", 200, "text/html", []string{"Example Org", "Plain Org", "Port Org", "second"}},
		{"/index.html", 200, "text/html", []string{"Example Org"}},
		{"/scans/1/", 200, "text/html", []string{"Example Org", "first"}},
		{"/scans/2/index.html", 200, "text/html", []string{"second"}},
		{"/sites/www.example.org.html", 200, "text/html", []string{"Example Org"}},
		{"/sites/www.example.org", 200, "text/html", []string{"Example Org"}},
		{"/sites/secure.example.com:8443", 200, "text/html", []string{"Port Org"}},
		{"/scans/1/sites/plain.example.net.html", 200, "text/html", []string{"Plain Org"}},
		{"/sites/www.example.org.html?scan=1", 200, "text/html", []string{"Example Org"}},
		{"/methodology.html", 200, "text/html", []string{"Methodology"}},
		{"/methodology", 200, "text/html", []string{"Methodology"}},
		{"/scans/1/methodology.html", 200, "text/html", []string{"Methodology"}},
		{"/assets/style.css", 200, "text/css", nil},
		{"/assets/report.js", 200, "javascript", nil},
		{"/scans/2/assets/report.js", 200, "javascript", nil},
		{"/report.csv", 200, "text/csv", []string{"Example Org"}},
		{"/report.json", 200, "application/json", []string{"Example Org"}},
		{"/scans/1/report.md", 200, "text/markdown", []string{"Example Org"}},
		{"/favicon.ico", 204, "", nil},
		{"/assets/", 404, "text/html", nil},
		{"/assets/nope.css", 404, "", nil},
		{"/sites/unknown.example.html", 404, "text/html", []string{"No such site"}},
		{"/scans/99/", 404, "text/html", []string{"No such scan"}},
		{"/scans/abc/", 404, "text/html", []string{"No such scan"}},
		{"/scans/0/sites/www.example.org.html", 404, "text/html", nil},
		{"/nope", 404, "text/html", nil},
		{"/scans/1", 301, "", nil},
	} {
		r := do(t, "GET", ts.URL+c.path, "", nil)
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d", c.path, r.status, c.status)
			continue
		}
		if ct := r.header.Get("Content-Type"); !strings.Contains(ct, c.ctype) {
			t.Errorf("%s: Content-Type %q, want %q", c.path, ct, c.ctype)
		}
		for _, w := range c.want {
			if !strings.Contains(string(r.body), w) {
				t.Errorf("%s: no %q in the page", c.path, w)
			}
		}
	}
	if r := do(t, "GET", ts.URL+"/scans/1", "", nil); r.header.Get("Location") != "/scans/1/" {
		t.Errorf("redirect to %q", r.header.Get("Location"))
	}
}

// TestPageLinks follows every link of the served pages that stays on the
// server: none may be broken, on / and under /scans/{id}/.
func TestPageLinks(t *testing.T) {
	ts, _ := newTestServer(t, Config{})
	href := regexp.MustCompile(`(?:href|src)="(/[^"#]*)`)
	seen := map[string]bool{}
	queue := []string{"/", "/scans/1/"}
	for len(queue) > 0 && len(seen) < 200 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		r := do(t, "GET", ts.URL+strings.ReplaceAll(p, "&amp;", "&"), "", nil)
		if r.status != 200 {
			t.Errorf("%s: %d", p, r.status)
			continue
		}
		if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			continue
		}
		for _, m := range href.FindAllStringSubmatch(string(r.body), -1) {
			if strings.HasPrefix(m[1], "/api/") {
				continue
			}
			queue = append(queue, m[1])
		}
	}
	for _, want := range []string{"/sites/www.example.org.html", "/scans/1/sites/www.example.org.html", "/methodology.html", "/assets/style.css", "/report.csv", "/scans/1/report.csv"} {
		if !seen[want] {
			t.Errorf("no link to %s (followed %d)", want, len(seen))
		}
	}
}

func TestEmptyDashboard(t *testing.T) {
	ts, _ := newTestServer(t, Config{Store: openStore(t)})
	r := do(t, "GET", ts.URL+"/", "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "No scan has finished yet") {
		t.Errorf("empty dashboard: %d %s", r.status, r.body)
	}
	for _, p := range []string{"/sites/x.html", "/report.csv"} {
		if r := do(t, "GET", ts.URL+p, "", nil); r.status != 200 || !strings.Contains(string(r.body), "No scan has finished yet") {
			t.Errorf("%s on an empty store: %d", p, r.status)
		}
	}
}

// TestHostilePages: text from scanned sites and from API callers is
// escaped in every page, and the policy forbids inline script anyway.
func TestHostilePages(t *testing.T) {
	st := openStore(t)
	seedScan(t, st, "<script>alert('scan')</script>", time.Now().Add(-time.Hour), []fakeSite{
		{`<script>alert("org")</script>`, "https://evil.example/", `"><img src=x onerror=alert(1)>`, "F", true, false},
		{"Fine Org", "https://fine.example/", "g", "A", false, true},
	})
	ts, _ := newTestServer(t, Config{Store: st})
	for _, p := range []string{"/", "/sites/evil.example.html", "/report.md"} {
		r := do(t, "GET", ts.URL+p, "", nil)
		body := string(r.body)
		if r.status != 200 {
			t.Fatalf("%s: %d", p, r.status)
		}
		for _, bad := range []string{`<script>alert`, `<img src=x`, `onerror=alert(1)>`} {
			if strings.Contains(body, bad) && !strings.HasSuffix(p, ".md") {
				t.Errorf("%s: unescaped %q", p, bad)
			}
		}
		if !strings.Contains(r.header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("%s: CSP %q", p, r.header.Get("Content-Security-Policy"))
		}
	}
	if r := do(t, "GET", ts.URL+"/", "", nil); !strings.Contains(string(r.body), "&lt;script&gt;alert(&#34;org&#34;)&lt;/script&gt;") {
		t.Errorf("the organisation is not shown escaped")
	}
}
