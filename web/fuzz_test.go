package web

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The seed corpora are in testdata/fuzz/<FuzzName>/; run e.g.
//
//	go test ./web -run '^$' -fuzz '^FuzzParseHSTS$' -fuzztime 20s

func FuzzParseHSTS(f *testing.F) {
	for _, s := range []string{
		"max-age=31536000; includeSubDomains; preload",
		`max-age="0"`,
		"max-age=1, max-age=2",
		`;;MAX-AGE = 10 ; x="a\"b";`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		p := ParseHSTS(header)
		switch p.Status {
		case HSTSPresent:
			if p.MaxAge <= 0 || p.Error != "" {
				t.Fatalf("present with max-age %d, error %q", p.MaxAge, p.Error)
			}
		case HSTSDisabled:
			if p.MaxAge != 0 || p.Error != "" {
				t.Fatalf("disabled with max-age %d, error %q", p.MaxAge, p.Error)
			}
		case HSTSInvalid:
			if p.Error == "" || p.MaxAge != 0 || p.IncludeSubDomains || p.Preload {
				t.Fatalf("invalid policy carries values: %+v", p)
			}
		default:
			t.Fatalf("status %q", p.Status)
		}
		if p.Header != header || len(p.Directives) > maxHSTSDirectives {
			t.Fatalf("header or directives: %+v", p)
		}
		if p.Status != HSTSInvalid {
			if _, ok := p.Directives["max-age"]; !ok {
				t.Fatal("valid policy without max-age directive")
			}
		}
		// Parsing is a function of the text alone.
		if q := ParseHSTS(header); q.Status != p.Status || q.MaxAge != p.MaxAge || q.Error != p.Error {
			t.Fatal("not deterministic")
		}
	})
}

func FuzzParseHPKP(f *testing.F) {
	for _, s := range []string{
		`pin-sha256="lAUDUIPGcb3pmAOPOrrYcWhrd9DYBOfGbZ4bEji6YUw="; pin-sha256="CMCAWSJQH5nAQbZU5sp+cbvgr4HxFLmfG7t4cMa13XM="; max-age=5184000; includeSubDomains`,
		`pin-sha256="JEMls8qbN6JIPgCYtgYt07/UQdo="; max-age=0`,
		`PIN-SHA256 = "lAUDUIPGcb3pmAOPOrrYcWhrd9DYBOfGbZ4bEji6YUw\="; report-uri="https://r.example/";`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		p, ro := ParseHPKP(header), ParseHPKPReportOnly(header)
		for _, p := range []HPKPPolicy{p, ro} {
			if p.Header != header || len(p.Directives) > maxHPKPDirectives || len(p.PadlockNotes) > maxHPKPNotes || p.MatchedPins != nil {
				t.Fatalf("header, directives, notes or matches: %+v", p)
			}
			switch p.Status {
			case HPKPInvalid:
				if p.Error == "" || p.PadlockProblem != HPKPProblemSyntax || p.MaxAge != 0 || p.IncludeSubDomains || p.ReportURI != "" || p.Pins != nil {
					t.Fatalf("invalid policy carries values: %+v", p)
				}
			case HPKPDisabled:
				if p.PadlockReportOnly || p.MaxAge != 0 || p.Error != "" {
					t.Fatalf("disabled: %+v", p)
				}
			case HPKPUnmatched:
				if p.Error != "" || p.PadlockProblem != "" || (!p.PadlockReportOnly && p.MaxAge <= 0) {
					t.Fatalf("unmatched: %+v", p)
				}
			default:
				t.Fatalf("status %q", p.Status)
			}
			seen := map[string]bool{}
			for _, pin := range p.Pins {
				if _, ok := pinKey(pin.Value); !ok || pin.HashFunction != "sha256" || seen[pin.Value] {
					t.Fatalf("pin %+v in %+v", pin, p)
				}
				seen[pin.Value] = true
			}
		}
		// Report-Only only relaxes max-age.
		if (p.Status == HPKPInvalid) != (ro.Status == HPKPInvalid) && !strings.Contains(p.Error, "max-age directive missing") {
			t.Fatalf("Public-Key-Pins %q (%s), Report-Only %q (%s)", p.Status, p.Error, ro.Status, ro.Error)
		}
		if p.Status != HPKPUnmatched {
			return
		}
		// Matching: against no chain, a chain of none of the pins, and a
		// chain holding the first pin.
		q := p
		q.Match(nil)
		if q.Status != HPKPUnmatched {
			t.Fatalf("empty chain: %+v", q)
		}
		q.Match([]string{"0000000000000000000000000000000000000000000000000000000000000000"})
		if !hasPin(p.Pins, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=") &&
			(q.Status != HPKPIncomplete || q.PadlockProblem != HPKPProblemNoMatch || q.MatchedPins != nil) {
			t.Fatalf("no match: %+v", q)
		}
		if len(p.Pins) == 0 {
			return
		}
		q.Match([]string{p.Pins[0].Value})
		want := HPKPValid
		if len(p.Pins) == 1 {
			want = HPKPIncomplete
		}
		if q.Status != want || len(q.MatchedPins) != 1 || q.MatchedPins[0] != p.Pins[0] {
			t.Fatalf("first pin in the chain: %+v", q)
		}
	})
}

// hasPin reports whether pins holds value.
func hasPin(pins []HPKPPin, value string) bool {
	for _, p := range pins {
		if p.Value == value {
			return true
		}
	}
	return false
}

func FuzzParseRobots(f *testing.F) {
	f.Add([]byte("User-agent: *\nDisallow: /private/\nAllow: /private/contact\n"), "/private/contact?x=1")
	f.Add([]byte("User-agent: padlock\nDisallow: /*.aspx$\n\nUser-agent: *\nDisallow: /\n"), "/report.aspx")
	f.Add([]byte("user-agent:*\r\ndisallow:/a*b*c$\rallow: /a%2fb\n# x\n"), "/a/b/c")
	f.Add([]byte("\xff\xfeUser-agent: *\x00\nDisallow: /ffôn\n"), "/ff%C3%B4n")
	f.Fuzz(func(t *testing.T, data []byte, path string) {
		start := time.Now()
		rb := ParseRobots(bytes.NewReader(data))
		for _, agent := range []string{"padlock", "*", "", "Googlebot/2.1"} {
			rb.Allowed(agent, path)
			rb.Allowed(agent, "/")
		}
		if !rb.Allowed("padlock", "/robots.txt") {
			t.Fatal("robots.txt itself must be allowed")
		}
		// An empty rule set allows everything.
		if len(bytes.TrimSpace(data)) == 0 && !rb.Allowed("padlock", path) {
			t.Fatal("empty file disallows")
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}

func FuzzExtractForms(f *testing.F) {
	f.Add("http://a.example/contact/", []byte(`<form method=post action="/send"><label for=n>Your name</label><input id=n name=n><input type=email name=e><textarea name=m></textarea></form>`))
	f.Add("https://a.example/", []byte(`<div role=search><form action=/search><input name=q></form></div><a href="/contact">Contact us</a><iframe src="http://a.example/f">`))
	f.Add("https://a.example/x", []byte(`<base href="http://b.example/"><form id=f action=""><fieldset><legend>Date of birth</legend><input name=d></fieldset></form><input form=f type=password><button form=f formaction="http://c/">`))
	f.Add("http://a.example/cy/", []byte("<label>Rhif ff\xf4n <input name=x></label><label for=y>Cod post</label><select id=y><option>1</select><meta http-equiv=refresh content='0;url=/z'>"))
	f.Add("", []byte("<form><form><input name=a></form></form><script><form><input type=password></script><title><form>"))
	f.Fuzz(func(t *testing.T, pageURL string, body []byte) {
		if len(body) > 1<<20 {
			return
		}
		start := time.Now()
		forms := ExtractForms(pageURL, body)
		if len(forms) > maxForms+1 {
			t.Fatalf("%d forms", len(forms))
		}
		for _, fm := range forms {
			if len(fm.Fields) > maxFields {
				t.Fatalf("%d fields", len(fm.Fields))
			}
			if fm.Kind == "" || fm.Severity == "" {
				t.Fatalf("form without kind or severity: %+v", fm)
			}
			if fm.PersonalData != (fm.Severity.Rank() > 0) {
				t.Fatalf("personalData %v with severity %s", fm.PersonalData, fm.Severity)
			}
			if fm.PersonalData && len(fm.Categories) == 0 {
				t.Fatal("personal data without categories")
			}
			for _, fl := range fm.Fields {
				if fl.Category != CategoryNone && fl.Reason == "" {
					t.Fatalf("category without reason: %+v", fl)
				}
				if !utf8.ValidString(fl.Label) || !utf8.ValidString(fl.Reason) {
					t.Fatalf("invalid UTF-8 in %+v", fl)
				}
				if len(fl.Label) > 200 || len(fl.Name) > 200 {
					t.Fatalf("unbounded text in %+v", fl)
				}
			}
			if fm.Summary() == "" && fm.PersonalData {
				t.Fatal("empty summary")
			}
		}
		doc := parseDocument(mustParse(pageURL), body)
		if len(doc.links) > maxLinks || len(doc.refs) > maxMixed || len(doc.iframes) > maxIframes {
			t.Fatal("unbounded document")
		}
		for _, l := range doc.links {
			if len(l.text) > maxLabelText+8 {
				t.Fatalf("link text %d bytes", len(l.text))
			}
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v for %d bytes", d, len(body))
		}
		if !utf8.ValidString(doc.title) {
			t.Fatal("title is not UTF-8")
		}
	})
}

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return &url.URL{}
	}
	return u
}
