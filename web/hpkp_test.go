package web

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

// Pins of made-up keys: the base64 SHA-256 of "leaf key", "backup key",
// "root key" and "other key".
const (
	pinLeaf    = "lAUDUIPGcb3pmAOPOrrYcWhrd9DYBOfGbZ4bEji6YUw="
	pinLeafHex = "9405035083c671bde998038f3abad871686b77d0d804e7c66d9e1b1238ba614c"
	pinBackup  = "CMCAWSJQH5nAQbZU5sp+cbvgr4HxFLmfG7t4cMa13XM="
	pinRoot    = "rboc4aMwQPg/Fqwqj+t36zS/klEB7dpKWxDlZ7pOudw="
	pinOther   = "w9EysHpWWNS6AYeLc7p9uYeaASDKm1Mw2WAL+dyE12E="
	pinSHA1    = "JEMls8qbN6JIPgCYtgYt07/UQdo=" // 20 bytes
)

// pinDirs writes pin-sha256 directives.
func pinDirs(pins ...string) string {
	var b strings.Builder
	for _, p := range pins {
		b.WriteString(`pin-sha256="` + p + `"; `)
	}
	return b.String()
}

func pinValues(ps []HPKPPin) []string {
	var out []string
	for _, p := range ps {
		if p.HashFunction != "sha256" {
			return []string{"bad hash function " + p.HashFunction}
		}
		out = append(out, p.Value)
	}
	return out
}

func TestParseHPKP(t *testing.T) {
	tests := []struct {
		name      string
		header    string
		ro        bool // Public-Key-Pins-Report-Only
		status    string
		maxAge    int64
		subs      bool
		reportURI string
		pins      []string
		notes     int
		errSubstr string
	}{
		{name: "valid", header: pinDirs(pinLeaf, pinBackup) + `max-age=5184000; includeSubDomains; report-uri="https://r.example/hpkp"`,
			status: HPKPUnmatched, maxAge: 5184000, subs: true, reportURI: "https://r.example/hpkp", pins: []string{pinLeaf, pinBackup}},
		{name: "any order, any case", header: `Max-Age=600;PIN-SHA256="` + pinLeaf + `";INCLUDESUBDOMAINS; Pin-Sha256="` + pinBackup + `"`,
			status: HPKPUnmatched, maxAge: 600, subs: true, pins: []string{pinLeaf, pinBackup}},
		{name: "single pin parses (Match finds no backup)", header: pinDirs(pinLeaf) + "max-age=600",
			status: HPKPUnmatched, maxAge: 600, pins: []string{pinLeaf}},
		{name: "no pins parses (Match finds no match)", header: "max-age=600", status: HPKPUnmatched, maxAge: 600},
		{name: "quoted max-age", header: pinDirs(pinLeaf) + `max-age="600"`, status: HPKPUnmatched, maxAge: 600, pins: []string{pinLeaf}},
		{name: "quoted pin with a quoted-pair", header: `pin-sha256="` + strings.TrimSuffix(pinLeaf, "=") + `\="; max-age=1`,
			status: HPKPUnmatched, maxAge: 1, pins: []string{pinLeaf}},
		{name: "whitespace and empty directives", header: ` ;pin-sha256 = "` + pinLeaf + `" ;; max-age=1 ; `,
			status: HPKPUnmatched, maxAge: 1, pins: []string{pinLeaf}},
		{name: "repeated pin counts once", header: pinDirs(pinLeaf, pinBackup, pinLeaf) + "max-age=1",
			status: HPKPUnmatched, maxAge: 1, pins: []string{pinLeaf, pinBackup}, notes: 1},
		{name: "pin-sha1 ignored", header: `pin-sha1="` + pinSHA1 + `"; pin-sha512=x; ` + pinDirs(pinLeaf) + "max-age=1",
			status: HPKPUnmatched, maxAge: 1, pins: []string{pinLeaf}, notes: 2},
		{name: "unknown directives ignored", header: pinDirs(pinLeaf) + `max-age=1; preload; foo="a;b"`,
			status: HPKPUnmatched, maxAge: 1, pins: []string{pinLeaf}},
		{name: "report-uri with a query", header: pinDirs(pinLeaf) + `max-age=1; report-uri="https://r.example/r?a=1;b=2"`,
			status: HPKPUnmatched, maxAge: 1, reportURI: "https://r.example/r?a=1;b=2", pins: []string{pinLeaf}},
		{name: "huge max-age clamps", header: pinDirs(pinLeaf) + "max-age=99999999999999999999999",
			status: HPKPUnmatched, maxAge: math.MaxInt64, pins: []string{pinLeaf}},
		{name: "max-age=0 disables", header: pinDirs(pinLeaf, pinBackup) + "max-age=0; includeSubDomains",
			status: HPKPDisabled, subs: true, pins: []string{pinLeaf, pinBackup}},
		{name: "max-age=0 without pins disables", header: "max-age=000", status: HPKPDisabled},

		{name: "report-only without max-age", ro: true, header: pinDirs(pinLeaf, pinBackup) + `report-uri="https://r.example/"`,
			status: HPKPUnmatched, reportURI: "https://r.example/", pins: []string{pinLeaf, pinBackup}},
		{name: "report-only max-age=0 does not disable", ro: true, header: pinDirs(pinLeaf) + `max-age=0; report-uri="https://r.example/"`,
			status: HPKPUnmatched, reportURI: "https://r.example/", pins: []string{pinLeaf}},
		{name: "report-only reporting nowhere", ro: true, header: pinDirs(pinLeaf) + "max-age=600",
			status: HPKPUnmatched, maxAge: 600, pins: []string{pinLeaf}, notes: 1},

		{name: "bad base64", header: `pin-sha256="not base64!"; max-age=1`, status: HPKPInvalid, errSubstr: "not base64"},
		{name: "unpadded base64", header: `pin-sha256="` + strings.TrimSuffix(pinLeaf, "=") + `"; max-age=1`, status: HPKPInvalid, errSubstr: "not base64"},
		{name: "wrong length (SHA-1)", header: `pin-sha256="` + pinSHA1 + `"; max-age=1`, status: HPKPInvalid, errSubstr: "20 bytes"},
		{name: "empty pin", header: `pin-sha256=""; max-age=1`, status: HPKPInvalid, errSubstr: "0 bytes"},
		{name: "unquoted pin", header: `pin-sha256=abc; max-age=1`, status: HPKPInvalid, errSubstr: "not a quoted string"},
		{name: "unquoted base64 pin", header: `pin-sha256=` + pinLeaf + `; max-age=1`, status: HPKPInvalid, errSubstr: "unexpected character"},
		{name: "pin without value", header: `pin-sha256; max-age=1`, status: HPKPInvalid, errSubstr: "no value"},
		{name: "one bad pin spoils the header", header: pinDirs(pinLeaf, pinBackup) + `pin-sha256="` + pinSHA1 + `"; max-age=1`,
			status: HPKPInvalid, errSubstr: "20 bytes"},
		{name: "missing max-age", header: pinDirs(pinLeaf, pinBackup) + "includeSubDomains", status: HPKPInvalid, errSubstr: "max-age directive missing"},
		{name: "empty header", header: "", status: HPKPInvalid, errSubstr: "max-age directive missing"},
		{name: "max-age without value", header: pinDirs(pinLeaf) + "max-age", status: HPKPInvalid, errSubstr: "no value"},
		{name: "negative max-age", header: pinDirs(pinLeaf) + "max-age=-1", status: HPKPInvalid, errSubstr: "not a number"},
		{name: "duplicate max-age", header: pinDirs(pinLeaf) + "max-age=1; max-age=2", status: HPKPInvalid, errSubstr: "duplicate"},
		{name: "duplicate includeSubDomains", header: pinDirs(pinLeaf) + "max-age=1; includeSubDomains; IncludeSubdomains",
			status: HPKPInvalid, errSubstr: "duplicate"},
		{name: "duplicate report-uri", header: pinDirs(pinLeaf) + `max-age=1; report-uri="https://a.example/"; report-uri="https://b.example/"`,
			status: HPKPInvalid, errSubstr: "duplicate"},
		{name: "duplicate unknown directive", header: pinDirs(pinLeaf) + "max-age=1; foo; foo=1", status: HPKPInvalid, errSubstr: "duplicate"},
		{name: "includeSubDomains with value", header: pinDirs(pinLeaf) + "max-age=1; includeSubDomains=yes", status: HPKPInvalid, errSubstr: "takes no value"},
		{name: "unquoted report-uri", header: pinDirs(pinLeaf) + "max-age=1; report-uri=r.example", status: HPKPInvalid, errSubstr: "not a quoted string"},
		{name: "relative report-uri", header: pinDirs(pinLeaf) + `max-age=1; report-uri="/hpkp-report"`, status: HPKPInvalid, errSubstr: "not an absolute URI"},
		{name: "report-uri without value", header: pinDirs(pinLeaf) + `max-age=1; report-uri`, status: HPKPInvalid, errSubstr: "no value"},
		{name: "two headers joined by a comma", header: pinDirs(pinLeaf) + "max-age=1, " + pinDirs(pinBackup) + "max-age=2",
			status: HPKPInvalid, errSubstr: "unexpected character"},
		{name: "unterminated quote", header: `pin-sha256="` + pinLeaf + `; max-age=1`, status: HPKPInvalid, errSubstr: "unterminated"},
		{name: "report-only duplicate max-age", ro: true, header: pinDirs(pinLeaf) + "max-age=1; max-age=1", status: HPKPInvalid, errSubstr: "duplicate"},
		{name: "report-only bad max-age", ro: true, header: pinDirs(pinLeaf) + "max-age=soon", status: HPKPInvalid, errSubstr: "not a number"},
		{name: "report-only bad pin", ro: true, header: `pin-sha256="` + pinSHA1 + `"`, status: HPKPInvalid, errSubstr: "20 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := ParseHPKP(tc.header)
			if tc.ro {
				p = ParseHPKPReportOnly(tc.header)
			}
			if p.Status != tc.status {
				t.Fatalf("status %q (error %q), want %q", p.Status, p.Error, tc.status)
			}
			if p.Header != tc.header || p.PadlockReportOnly != tc.ro {
				t.Errorf("header %q, report-only %v", p.Header, p.PadlockReportOnly)
			}
			if p.MaxAge != tc.maxAge || p.IncludeSubDomains != tc.subs || p.ReportURI != tc.reportURI {
				t.Errorf("maxAge %d subs %v reportUri %q, want %d %v %q", p.MaxAge, p.IncludeSubDomains, p.ReportURI, tc.maxAge, tc.subs, tc.reportURI)
			}
			if got := pinValues(p.Pins); !reflect.DeepEqual(got, tc.pins) {
				t.Errorf("pins %q, want %q", got, tc.pins)
			}
			if len(p.PadlockNotes) != tc.notes {
				t.Errorf("notes %q, want %d", p.PadlockNotes, tc.notes)
			}
			if p.MatchedPins != nil {
				t.Errorf("matched pins before Match: %v", p.MatchedPins)
			}
			if tc.errSubstr == "" && (p.Error != "" || p.PadlockProblem != "") {
				t.Errorf("unexpected error %q (%s)", p.Error, p.PadlockProblem)
			}
			if tc.errSubstr != "" && (!strings.Contains(p.Error, tc.errSubstr) || p.PadlockProblem != HPKPProblemSyntax) {
				t.Errorf("error %q (%s) does not mention %q", p.Error, p.PadlockProblem, tc.errSubstr)
			}
		})
	}
}

func TestHPKPDirectives(t *testing.T) {
	p := ParseHPKP(`pin-sha256="` + pinLeaf + `"; Max-Age="600"; includeSubDomains; pin-sha256="` + pinBackup + `"`)
	want := []HPKPDirective{{"pin-sha256", pinLeaf}, {"max-age", "600"}, {"includesubdomains", ""}, {"pin-sha256", pinBackup}}
	if !reflect.DeepEqual(p.Directives, want) {
		t.Errorf("directives %+v", p.Directives)
	}
	// An invalid header keeps its directives as evidence, but no policy.
	p = ParseHPKP(`pin-sha256="` + pinLeaf + `"; max-age=1; includeSubDomains; max-age=2`)
	if p.Status != HPKPInvalid || len(p.Directives) != 4 || p.Pins != nil || p.MaxAge != 0 || p.IncludeSubDomains {
		t.Errorf("invalid: %+v", p)
	}
	// Directives are bounded; the pins are not.
	var b strings.Builder
	for i := 0; i < 40; i++ {
		b.WriteString("x" + strings.Repeat("y", i) + "; ")
	}
	p = ParseHPKP(b.String() + pinDirs(pinLeaf, pinBackup) + "max-age=1")
	if len(p.Directives) != maxHPKPDirectives || len(p.Pins) != 2 || p.Status != HPKPUnmatched {
		t.Errorf("%d directives, %d pins, %s", len(p.Directives), len(p.Pins), p.Status)
	}
}

func TestHPKPMatch(t *testing.T) {
	chain := []string{pinLeaf, pinRoot} // the leaf and the root it chains to
	tests := []struct {
		name    string
		header  string
		ro      bool
		chain   []string
		status  string
		problem string
		matched []string
		err     string
	}{
		{name: "leaf and backup", header: pinDirs(pinLeaf, pinBackup) + "max-age=600", chain: chain,
			status: HPKPValid, matched: []string{pinLeaf}},
		{name: "root and backup", header: pinDirs(pinBackup, pinRoot) + "max-age=600", chain: chain,
			status: HPKPValid, matched: []string{pinRoot}},
		{name: "leaf, root and backup", header: pinDirs(pinRoot, pinBackup, pinLeaf) + "max-age=600", chain: chain,
			status: HPKPValid, matched: []string{pinRoot, pinLeaf}},
		{name: "every pin in the chain: no backup", header: pinDirs(pinLeaf, pinRoot) + "max-age=600", chain: chain,
			status: HPKPIncomplete, problem: HPKPProblemNoBackup, matched: []string{pinLeaf, pinRoot}, err: "no backup pin"},
		{name: "single matching pin: no backup", header: pinDirs(pinLeaf) + "max-age=600", chain: chain,
			status: HPKPIncomplete, problem: HPKPProblemNoBackup, matched: []string{pinLeaf}, err: "no backup pin"},
		{name: "single pin, not in the chain", header: pinDirs(pinBackup) + "max-age=600", chain: chain,
			status: HPKPIncomplete, problem: HPKPProblemNoMatch, err: "no pin matches"},
		{name: "no pin matches", header: pinDirs(pinBackup, pinOther) + "max-age=600", chain: chain,
			status: HPKPIncomplete, problem: HPKPProblemNoMatch, err: "no pin matches"},
		{name: "no pins at all", header: "max-age=600", chain: chain,
			status: HPKPIncomplete, problem: HPKPProblemNoMatch, err: "no pin-sha256 pins"},
		{name: "hex and sha256/ chain pins", header: pinDirs(pinRoot, pinBackup) + "max-age=600",
			chain:  []string{pinLeafHex, "sha256/" + pinRoot},
			status: HPKPValid, matched: []string{pinRoot}},
		{name: "hex leaf pin matches", header: pinDirs(pinLeaf, pinBackup) + "max-age=600",
			chain:  []string{strings.ToUpper(pinLeafHex)},
			status: HPKPValid, matched: []string{pinLeaf}},
		{name: "unusable chain entries skipped", header: pinDirs(pinLeaf, pinBackup) + "max-age=600",
			chain:  []string{"", "not a pin", pinSHA1, " " + pinLeaf + " "},
			status: HPKPValid, matched: []string{pinLeaf}},
		{name: "empty chain leaves it unmatched", header: pinDirs(pinLeaf, pinBackup) + "max-age=600", chain: nil,
			status: HPKPUnmatched},
		{name: "unusable chain leaves it unmatched", header: pinDirs(pinLeaf, pinBackup) + "max-age=600", chain: []string{"x", pinSHA1},
			status: HPKPUnmatched},
		{name: "report-only matched too", ro: true, header: pinDirs(pinBackup) + `report-uri="https://r.example/"`, chain: chain,
			status: HPKPIncomplete, problem: HPKPProblemNoMatch, err: "no pin matches"},
		{name: "report-only valid", ro: true, header: pinDirs(pinLeaf, pinBackup) + `report-uri="https://r.example/"`, chain: chain,
			status: HPKPValid, matched: []string{pinLeaf}},

		// Match leaves these alone.
		{name: "invalid stays invalid", header: pinDirs(pinLeaf, pinBackup), chain: chain,
			status: HPKPInvalid, problem: HPKPProblemSyntax, err: "max-age directive missing"},
		{name: "disabled stays disabled", header: pinDirs(pinLeaf, pinBackup) + "max-age=0", chain: chain,
			status: HPKPDisabled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := ParseHPKP(tc.header)
			if tc.ro {
				p = ParseHPKPReportOnly(tc.header)
			}
			p.Match(tc.chain)
			if p.Status != tc.status || p.PadlockProblem != tc.problem {
				t.Fatalf("status %q problem %q (error %q), want %q %q", p.Status, p.PadlockProblem, p.Error, tc.status, tc.problem)
			}
			if got := pinValues(p.MatchedPins); !reflect.DeepEqual(got, tc.matched) {
				t.Errorf("matched %q, want %q", got, tc.matched)
			}
			if (tc.err == "") != (p.Error == "") || !strings.Contains(p.Error, tc.err) {
				t.Errorf("error %q, want %q", p.Error, tc.err)
			}
		})
	}

	// Match can be called again, with another chain.
	p := ParseHPKP(pinDirs(pinLeaf, pinBackup) + "max-age=600")
	p.Match(chain)
	if p.Status != HPKPValid {
		t.Fatalf("first match: %+v", p)
	}
	p.Match([]string{pinOther})
	if p.Status != HPKPIncomplete || p.PadlockProblem != HPKPProblemNoMatch || p.MatchedPins != nil {
		t.Errorf("second match: %+v", p)
	}
	p.Match(nil)
	if p.Status != HPKPUnmatched || p.Error != "" || p.PadlockProblem != "" || p.MatchedPins != nil {
		t.Errorf("no chain: %+v", p)
	}
	p.Match(chain)
	if p.Status != HPKPValid || p.Error != "" {
		t.Errorf("third match: %+v", p)
	}

	// Policies that were never read stay as they are.
	for _, p := range []HPKPPolicy{{Status: HPKPUnknown, Error: "no HTTPS response"}, {Status: HPKPAbsent}} {
		q := p
		q.Match(chain)
		if !reflect.DeepEqual(p, q) {
			t.Errorf("%s changed: %+v", p.Status, q)
		}
	}
}

func TestHPKPMatchPaths(t *testing.T) {
	altRoot := pinOther // a cross-signed path ends at another root
	tests := []struct {
		name    string
		pins    []string
		paths   [][]string
		status  string
		problem string
		matched []string
		err     string
	}{
		{name: "every path pinned", pins: []string{pinLeaf, pinBackup},
			paths:  [][]string{{pinLeaf, pinRoot}, {pinLeaf, altRoot}},
			status: HPKPValid, matched: []string{pinLeaf}},
		{name: "one root of two pinned", pins: []string{pinRoot, pinBackup},
			paths:  [][]string{{pinLeaf, pinRoot}, {pinLeaf, altRoot}},
			status: HPKPPartial, problem: HPKPProblemUnpinnedPath, matched: []string{pinRoot}, err: "1 of 2"},
		{name: "each root pinned, each a backup for the other", pins: []string{pinRoot, altRoot},
			paths:  [][]string{{pinLeaf, pinRoot}, {pinLeaf, altRoot}},
			status: HPKPValid, matched: []string{pinRoot, altRoot}},
		{name: "a pinned path without a backup", pins: []string{pinLeaf, pinRoot},
			paths:  [][]string{{pinLeaf, pinRoot}, {pinLeaf, altRoot}},
			status: HPKPIncomplete, problem: HPKPProblemNoBackup, matched: []string{pinLeaf, pinRoot}, err: "no backup"},
		{name: "no path pinned", pins: []string{pinBackup},
			paths:  [][]string{{pinLeaf, pinRoot}, {pinLeaf, altRoot}},
			status: HPKPIncomplete, problem: HPKPProblemNoMatch, err: "any certification path"},
		{name: "empty paths dropped", pins: []string{pinRoot, pinBackup},
			paths:  [][]string{{pinLeaf, pinRoot}, {}, {"junk"}},
			status: HPKPValid, matched: []string{pinRoot}},
		{name: "no paths", pins: []string{pinRoot, pinBackup}, paths: nil, status: HPKPUnmatched},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := ParseHPKP(pinDirs(tc.pins...) + "max-age=600")
			p.MatchPaths(tc.paths)
			if p.Status != tc.status || p.PadlockProblem != tc.problem {
				t.Fatalf("status %q problem %q (error %q), want %q %q", p.Status, p.PadlockProblem, p.Error, tc.status, tc.problem)
			}
			if got := pinValues(p.MatchedPins); !reflect.DeepEqual(got, tc.matched) {
				t.Errorf("matched %q, want %q", got, tc.matched)
			}
			if (tc.err == "") != (p.Error == "") || !strings.Contains(p.Error, tc.err) {
				t.Errorf("error %q, want %q", p.Error, tc.err)
			}
		})
	}
}

func TestHPKPFromResponses(t *testing.T) {
	p := hpkpFromResponses(nil, "HTTPS did not answer: refused", false)
	if p.Status != HPKPUnknown || !strings.Contains(p.Error, "refused") {
		t.Errorf("no response: %+v", p)
	}
	p = hpkpFromResponses(nil, "", true)
	if p.Status != HPKPUnknown || p.Error != "no HTTPS response" || !p.PadlockReportOnly {
		t.Errorf("no response, report-only: %+v", p)
	}
	p = hpkpFromResponses([]stsResponse{{url: "https://a/"}, {url: "https://a/en/"}}, "", false)
	if p.Status != HPKPAbsent || p.PadlockURL != "https://a/en/" {
		t.Errorf("no header: %+v", p)
	}
	// The last response with the header counts; a later response without
	// it does not clear the policy.
	good := pinDirs(pinLeaf, pinBackup) + "max-age=600"
	p = hpkpFromResponses([]stsResponse{
		{url: "https://a/", values: []string{"max-age=nope"}},
		{url: "https://a/en/", values: []string{good}},
		{url: "https://a/en/home"},
	}, "", false)
	if p.Status != HPKPUnmatched || p.PadlockURL != "https://a/en/" || p.Header != good || p.PadlockHeaderCount != 0 {
		t.Errorf("last with the header: %+v", p)
	}
	// Two fields in one response: invalid, the first kept as evidence.
	p = hpkpFromResponses([]stsResponse{{url: "https://a/", values: []string{good, pinDirs(pinOther) + "max-age=1"}}}, "", false)
	if p.Status != HPKPInvalid || p.PadlockProblem != HPKPProblemMultipleHeaders || p.PadlockHeaderCount != 2 ||
		p.Header != good || p.Pins != nil || p.MaxAge != 0 || len(p.Directives) != 3 ||
		!strings.Contains(p.Error, "2 Public-Key-Pins header fields") {
		t.Errorf("two headers: %+v", p)
	}
	p.Match([]string{pinLeaf})
	if p.Status != HPKPInvalid {
		t.Errorf("Match changed an invalid policy: %+v", p)
	}
	p = hpkpFromResponses([]stsResponse{{url: "https://a/", values: []string{"max-age=x", good}}}, "", true)
	if p.Status != HPKPInvalid || p.PadlockProblem != HPKPProblemMultipleHeaders || !p.PadlockReportOnly ||
		!strings.Contains(p.Error, "Public-Key-Pins-Report-Only") || !strings.Contains(p.Error, "not a number") {
		t.Errorf("two report-only headers, the first invalid: %+v", p)
	}
}

func TestHPKPJSON(t *testing.T) {
	p := ParseHPKP(pinDirs(pinLeaf, pinBackup) + `max-age=5184000; includeSubDomains; report-uri="https://r.example/"`)
	p.Match([]string{pinLeaf, pinRoot})
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"header", "status", "maxAge", "includeSubDomains", "reportUri", "pins", "matchedPins", "directives"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks SSL Labs field %q: %s", k, b)
		}
	}
	if m["status"] != "valid" {
		t.Errorf("status %v", m["status"])
	}
	pins, _ := m["pins"].([]any)
	if len(pins) != 2 {
		t.Fatalf("pins %v", m["pins"])
	}
	if pin, _ := pins[0].(map[string]any); pin["hashFunction"] != "sha256" || pin["value"] != pinLeaf {
		t.Errorf("pin %v", pins[0])
	}
	dirs, _ := m["directives"].([]any)
	if d, _ := dirs[0].(map[string]any); len(dirs) != 5 || d["name"] != "pin-sha256" || d["value"] != pinLeaf {
		t.Errorf("directives %v", m["directives"])
	}
	// A round trip keeps what Match needs.
	var q HPKPPolicy
	if err := json.Unmarshal(b, &q); err != nil {
		t.Fatal(err)
	}
	q.Match([]string{pinBackup})
	if q.Status != HPKPValid || len(q.MatchedPins) != 1 || q.MatchedPins[0].Value != pinBackup {
		t.Errorf("after a round trip: %+v", q)
	}
}
