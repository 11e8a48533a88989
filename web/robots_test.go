package web

import (
	"strings"
	"testing"
)

func TestRobots(t *testing.T) {
	const txt = `# robots.txt for a police force
User-agent: *
Disallow: /search
Disallow: /*.pdf$
Disallow: /private/
Allow: /private/contact-us
Disallow: /tmp*/cache

User-agent: Googlebot
User-agent: bingbot
Disallow: /

user-agent: PADLOCK/2.0   # product token only counts
disallow: /report-a-crime/internal
Allow: /
Sitemap: https://www.example.police.uk/sitemap.xml
`
	rb := ParseRobots(strings.NewReader(txt))
	tests := []struct {
		agent, path string
		want        bool
	}{
		// padlock has its own group: the "*" group does not apply.
		{"padlock", "/search?q=x", true},
		{"padlock", "/report-a-crime/internal/form", false},
		{"padlock", "/report-a-crime/", true},
		{"padlock/1.0 (TLS scanner)", "/report-a-crime/internal", false},
		{"Padlock", "/robots.txt", true},
		// Others fall back to "*".
		{"otherbot", "/", true},
		{"otherbot", "/search", false},
		{"otherbot", "/searching", false},
		{"otherbot", "/leaflet.pdf", false},
		{"otherbot", "/leaflet.pdf?x=1", true},
		{"otherbot", "/private/x", false},
		{"otherbot", "/private/contact-us", true},
		{"otherbot", "/tmp1/cache/x", false},
		{"otherbot", "/tmp/other", true},
		{"googlebot", "/contact", false},
		{"bingbot", "/", false},
		{"googlebot", "/robots.txt", true},
	}
	for _, tc := range tests {
		if got := rb.Allowed(tc.agent, tc.path); got != tc.want {
			t.Errorf("Allowed(%q, %q) = %v, want %v", tc.agent, tc.path, got, tc.want)
		}
	}
}

func TestRobotsEdgeCases(t *testing.T) {
	var nilRobots *Robots
	if !nilRobots.Allowed("padlock", "/x") {
		t.Error("nil allows all")
	}
	if (&Robots{DisallowAll: true}).Allowed("padlock", "/contact") {
		t.Error("DisallowAll")
	}
	if !(&Robots{DisallowAll: true}).Allowed("padlock", "/robots.txt") {
		t.Error("robots.txt itself is always allowed")
	}
	// Empty Disallow allows everything; rules before any user-agent are
	// ignored; CRLF and bare CR line ends.
	rb := ParseRobots(strings.NewReader("Disallow: /\r\nUser-agent: *\r\nDisallow:\rAllow: /x\n"))
	if !rb.Allowed("padlock", "/anything") {
		t.Error("empty Disallow")
	}
	// A byte order mark does not hide the first line.
	rb = ParseRobots(strings.NewReader("\ufeffUser-agent: *\nDisallow: /private\n"))
	if rb.Allowed("padlock", "/private") {
		t.Error("BOM")
	}
	// Longest match wins; a tie goes to Allow.
	rb = ParseRobots(strings.NewReader("User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /a/b/c\nAllow: /t\nDisallow: /t\n"))
	for path, want := range map[string]bool{"/a": false, "/a/b": true, "/a/b/c": false, "/a/bc": true, "/t": true} {
		if got := rb.Allowed("padlock", path); got != want {
			t.Errorf("%s: %v want %v", path, got, want)
		}
	}
	// Percent-encoding compares octet for octet; non-ASCII in rules is
	// encoded.
	rb = ParseRobots(strings.NewReader("User-agent: *\nDisallow: /cysylltu/ffôn\nDisallow: /a%3cb\n"))
	if rb.Allowed("padlock", "/cysylltu/ff%C3%B4n") || rb.Allowed("padlock", "/a%3Cb") {
		t.Error("percent-encoding normalisation")
	}
	// Wildcards: several stars, anchored end.
	rb = ParseRobots(strings.NewReader("User-agent: *\nDisallow: /*/forms/*.aspx$\nDisallow: /**x**y\n"))
	for path, want := range map[string]bool{
		"/en/forms/report.aspx":   false,
		"/en/forms/report.aspx?a": true,
		"/en/forms/":              true,
		"/axby":                   false,
		"/ay x":                   true,
	} {
		if got := rb.Allowed("padlock", path); got != want {
			t.Errorf("%s: %v want %v", path, got, want)
		}
	}
	// A paths without a leading slash is taken as from the root.
	if rb.Allowed("padlock", "en/forms/x.aspx") {
		t.Error("relative path")
	}
	// Bounded: a huge file is read only up to MaxRobotsBytes.
	huge := "User-agent: *\n" + strings.Repeat("Disallow: /x\n", MaxRobotsBytes/10) + "Disallow: /late\n"
	rb = ParseRobots(strings.NewReader(huge))
	if !rb.Allowed("padlock", "/late") {
		t.Error("rules beyond MaxRobotsBytes must be ignored")
	}
}

func TestRobotsMatch(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/", "/", true},
		{"/fish", "/fish.html", true},
		{"/fish", "/Fish", false},
		{"/fish*", "/fish", true},
		{"/fish/", "/fish", false},
		{"/*.php", "/index.php", true},
		{"/*.php", "/filename.php/", true},
		{"/*.php$", "/filename.php/", false},
		{"/*.php$", "/folder/filename.php", true},
		{"/fish*.php", "/fishheads/catfish.php?parameters", true},
		{"/fish*.php", "/Fish.PHP", false},
		{"*", "/anything", true},
		{"/$", "/", true},
		{"/$", "/a", false},
		{"/a*b*c", "/abc", true},
		{"/a*b*c", "/acb", false},
		{"/a*b$", "/ab/b", true},
		{"/a*bb$", "/abb", true},
		{"/a*ab$", "/ab", false},
	}
	for _, tc := range tests {
		r := newRobotsRule(false, tc.pattern)
		if got := r.match(tc.path); got != tc.want {
			t.Errorf("match(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}
