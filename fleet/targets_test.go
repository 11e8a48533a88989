package fleet

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func parse(t *testing.T, in string, opts ParseOptions) *TargetFile {
	t.Helper()
	tf, err := ParseTargets(strings.NewReader(in), opts)
	if err != nil {
		t.Fatalf("ParseTargets: %v", err)
	}
	return tf
}

func lines(ts []Target) []int {
	var out []int
	for _, t := range ts {
		out = append(out, t.Line)
	}
	return out
}

func errLines(es []RowError) []int {
	var out []int
	for _, e := range es {
		out = append(out, e.Line)
	}
	return out
}

func TestParseCSV(t *testing.T) {
	in := "\ufeff# a comment\r\n" +
		"Organisation, URL ,group,tags,notes,ip\r\n" +
		"Kent Police,https://www.kent.police.uk/,territorial,england;south east, main site ,\r\n" +
		"\"Police, Scotland\",www.scotland.police.uk:8443/about,national,,\"notes\r\nover two lines\",\r\n" +
		"\r\n" +
		"Lab,https://lab.example:4443/,,,,127.0.0.2; 127.0.0.3;127.0.0.2\r\n" +
		"Plain,http://plain.example:8080/x,,,,\r\n" +
		"V6,https://[2001:db8::1]:443/,,,,\r\n"
	tf := parse(t, in, ParseOptions{})
	if tf.Format != "csv" || len(tf.Errors) != 0 || len(tf.Warnings) != 0 {
		t.Fatalf("format %q, errors %v, warnings %v", tf.Format, tf.Errors, tf.Warnings)
	}
	if got, want := lines(tf.Targets), []int{3, 4, 7, 8, 9}; !slices.Equal(got, want) {
		t.Fatalf("lines %v, want %v", got, want)
	}
	k := tf.Targets[0]
	if k.Organisation != "Kent Police" || k.Host != "www.kent.police.uk" || k.Port != 443 || k.HTTPPort != 80 ||
		k.Group != "territorial" || !slices.Equal(k.Tags, []string{"england", "south east"}) || k.Notes != "main site" {
		t.Errorf("row 3: %+v", k)
	}
	s := tf.Targets[1]
	if s.Organisation != "Police, Scotland" || s.Host != "www.scotland.police.uk" || s.Port != 8443 || s.Notes != "notes\nover two lines" {
		t.Errorf("row 4: %+v", s)
	}
	l := tf.Targets[2]
	if want := []netip.Addr{netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.3")}; !slices.Equal(l.Pin, want) || l.Port != 4443 {
		t.Errorf("row 7: %+v", l)
	}
	if at := l.AssessTarget(); at.Host != "lab.example" || at.Port != 4443 || len(at.Pin) != 2 {
		t.Errorf("row 7 assess target: %+v", at)
	}
	p := tf.Targets[3]
	if p.Host != "plain.example" || p.Port != 443 || p.HTTPPort != 8080 {
		t.Errorf("row 8: %+v", p)
	}
	if v := tf.Targets[4]; v.Host != "2001:db8::1" || v.Port != 443 {
		t.Errorf("row 9: %+v", v)
	}
}

func TestParseCSVBadRows(t *testing.T) {
	in := strings.Join([]string{
		"organisation,url,ip",                      // 1
		"Good One,https://one.example/,",           // 2
		",https://noorg.example/,",                 // 3 organisation empty
		"No URL,,",                                 // 4
		"Bad scheme,ftp://x.example/,",             // 5
		"Bad IP,https://ip.example/,300.1.1.1",     // 6
		"Too many,https://x.example/,,surplus",     // 7
		"Good One,https://one.example/,",           // 8 duplicate of 2
		"Bad port,https://p.example:70000/,",       // 9
		`Bare "quote,https://q.example/,`,          // 10
		"Good Two,https://two.example/,127.0.0.9",  // 11
		"Addr pinned,https://192.0.2.1/,127.0.0.1", // 12
		`"Unclosed,https://u.example/,`,            // 13: swallows the next lines
		"Good Three,https://three.example/,",       // 14
		"Good Four,https://four.example/,",         // 15
	}, "\n")
	tf := parse(t, in, ParseOptions{})
	if got, want := lines(tf.Targets), []int{2, 11, 14, 15}; !slices.Equal(got, want) {
		t.Errorf("good lines %v, want %v", got, want)
	}
	if got, want := errLines(tf.Errors), []int{3, 4, 5, 6, 7, 8, 9, 10, 12, 13}; !slices.Equal(got, want) {
		t.Errorf("error lines %v, want %v\n%v", got, want, tf.Errors)
	}
	for _, want := range []string{"line 3: organisation is empty", "line 4: url is empty", "line 5: url: unsupported scheme",
		"line 6: ip:", "line 7: 4 fields", "line 8: duplicate of line 2", "line 9: url: bad port", "line 10:", "line 12: ip:", "line 13:"} {
		found := false
		for _, e := range tf.Errors {
			found = found || strings.HasPrefix(e.Error(), want)
		}
		if !found {
			t.Errorf("no error %q in %v", want, tf.Errors)
		}
	}

	_, err := ParseTargets(strings.NewReader(in), ParseOptions{Strict: true})
	if !errors.Is(err, ErrStrict) || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("strict: %v", err)
	}
}

func TestParseList(t *testing.T) {
	in := "# fleet\nwww.example.org\n\n  https://Example.COM:8443/path  # main\nhttp://plain.example\n192.0.2.7\nnot a host!\n"
	tf := parse(t, in, ParseOptions{})
	if tf.Format != "list" {
		t.Fatalf("format %q", tf.Format)
	}
	if got, want := lines(tf.Targets), []int{2, 4, 5, 6}; !slices.Equal(got, want) {
		t.Errorf("lines %v, want %v (%v)", got, want, tf.Errors)
	}
	if tf.Targets[0].Organisation != "www.example.org" || tf.Targets[1].Host != "example.com" || tf.Targets[1].Port != 8443 {
		t.Errorf("targets %+v", tf.Targets)
	}
	if got := errLines(tf.Errors); !slices.Equal(got, []int{7}) {
		t.Errorf("errors %v", tf.Errors)
	}
}

func TestParseFatal(t *testing.T) {
	cases := []struct {
		name, in string
		opts     ParseOptions
		want     string
	}{
		{"no url column", "organisation,site\nA,b.example\n", ParseOptions{}, "lacks the column(s) url"},
		{"no organisation column", "url,group\nb.example,x\n", ParseOptions{}, "organisation"},
		{"duplicate column", "organisation,url,URL\nA,b.example,c\n", ParseOptions{}, "appears twice"},
		{"too large", strings.Repeat("a.example\n", 100), ParseOptions{MaxBytes: 500}, "larger than 500 bytes"},
		{"too many rows", "a.example\nb.example\nc.example\n", ParseOptions{MaxRows: 2}, "more than 2 targets"},
		{"not UTF-8", "organisation,url\n\xff,a.example\n", ParseOptions{}, "not UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseTargets(strings.NewReader(c.in), c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v, want %q", err, c.want)
			}
		})
	}
}

func TestParseUnknownColumnWarns(t *testing.T) {
	tf := parse(t, "organisation,url,owner\nA,a.example,me\n", ParseOptions{})
	if len(tf.Targets) != 1 || len(tf.Warnings) != 1 || !strings.Contains(tf.Warnings[0], "owner") {
		t.Errorf("targets %v warnings %v", tf.Targets, tf.Warnings)
	}
}

func TestEndpointKey(t *testing.T) {
	tf := parse(t, "organisation,url,ip\nA,https://a.example/,127.0.0.1\nB,https://a.example/report,127.0.0.1\nC,https://a.example/,127.0.0.2\nD,https://a.example:444/,127.0.0.1\n", ParseOptions{})
	k := func(i int) string { return tf.Targets[i].EndpointKey() }
	if k(0) != k(1) || k(0) == k(2) || k(0) == k(3) {
		t.Errorf("keys %q %q %q %q", k(0), k(1), k(2), k(3))
	}
}

func TestStoreRoundTrip(t *testing.T) {
	tf := parse(t, "organisation,url,group,tags,notes,ip\nA,http://a.example:8080/x,g,t1;t2,n,127.0.0.2;127.0.0.1\n", ParseOptions{})
	back, err := FromStore(ToStore(tf.Targets)[0])
	if err != nil {
		t.Fatal(err)
	}
	a := tf.Targets[0]
	if back.EndpointKey() != a.EndpointKey() || back.Organisation != a.Organisation || back.Line != a.Line || !slices.Equal(back.Tags, a.Tags) || back.Group != a.Group {
		t.Errorf("round trip %+v, want %+v", back, a)
	}
}

// TestExamples parses the shipped targets files strictly.
func TestExamples(t *testing.T) {
	for _, name := range []string{"uk-police.csv", "loopback.csv"} {
		tf, err := LoadTargets(filepath.Join("..", "examples", name), ParseOptions{Strict: true})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(tf.Targets) == 0 || len(tf.Warnings) > 0 {
			t.Errorf("%s: %d targets, warnings %v", name, len(tf.Targets), tf.Warnings)
		}
	}
	tf, err := LoadTargets(filepath.Join("..", "examples", "uk-police.csv"), ParseOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	orgs := map[string]bool{}
	for _, t := range tf.Targets {
		orgs[t.Organisation] = true
	}
	if len(orgs) < 60 {
		t.Errorf("uk-police.csv names %d organisations", len(orgs))
	}
}

// TestParseControlCharacters: a row with a control character in any field
// is refused with its line number, in CSV and in plain lists; tab and line
// breaks stay white space.
func TestParseControlCharacters(t *testing.T) {
	in := strings.Join([]string{
		"organisation,url,group,tags,notes",                // 1
		"Nul\x00Org,https://a.example/,,,",                 // 2
		"Good,https://b.example/,,,",                       // 3
		"Esc,https://c.example/,\x1b[31mred,,",             // 4
		"Del,https://d.example/,,x\x7fy,",                  // 5
		"C1,https://e.example/,,,csi \u009b2J",             // 6
		"\"Tab\tOrg\",https://f.example/,,,\"two\nlines\"", // 7-8: white space, kept
		"Bell,https://g.example/\a,,,",                     // 9
	}, "\n")
	tf := parse(t, in, ParseOptions{})
	if got, want := lines(tf.Targets), []int{3, 7}; !slices.Equal(got, want) {
		t.Errorf("good lines %v, want %v (errors %v)", got, want, tf.Errors)
	}
	if got, want := errLines(tf.Errors), []int{2, 4, 5, 6, 9}; !slices.Equal(got, want) {
		t.Errorf("error lines %v, want %v\n%v", got, want, tf.Errors)
	}
	for _, want := range []string{"line 2: organisation holds the control character U+0000", "line 4: group holds the control character U+001B",
		"line 5: tags holds the control character U+007F", "line 6: notes holds the control character U+009B", "line 9: url holds the control character U+0007"} {
		if !slices.ContainsFunc(tf.Errors, func(e RowError) bool { return strings.HasPrefix(e.Error(), want) }) {
			t.Errorf("no error %q in %v", want, tf.Errors)
		}
	}
	if len(tf.Targets) == 2 && (tf.Targets[1].Organisation != "Tab Org" || tf.Targets[1].Notes != "two\nlines") {
		t.Errorf("white space: %+v", tf.Targets[1])
	}
	list := parse(t, "ok.example\nnul\x00.example\n", ParseOptions{})
	if got := errLines(list.Errors); !slices.Equal(got, []int{2}) || len(list.Targets) != 1 {
		t.Errorf("list: errors %v targets %d", list.Errors, len(list.Targets))
	}
	if _, err := ParseTargets(strings.NewReader(in), ParseOptions{Strict: true}); !errors.Is(err, ErrStrict) || !strings.Contains(err.Error(), "line 2: organisation holds the control character U+0000") {
		t.Errorf("strict: %v", err)
	}
}

// FuzzParseTargets: the parser never panics, stays within its limits and
// accounts for every row it keeps or refuses with a line inside the file.
func FuzzParseTargets(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "examples", "*.csv"))
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte("organisation,url\n\"a,\"\"b\",https://x.example/\n"))
	f.Add([]byte("www.example.org\nhttps://a.example:8443/\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tf, err := ParseTargets(strings.NewReader(string(data)), ParseOptions{MaxRows: 1000, MaxBytes: 1 << 20})
		if err != nil {
			return
		}
		n := strings.Count(string(data), "\n") + 1
		for _, tg := range tf.Targets {
			if tg.Line < 1 || tg.Line > n {
				t.Fatalf("target line %d outside 1..%d", tg.Line, n)
			}
			if tg.Host == "" || tg.Organisation == "" || tg.Port == 0 || tg.HTTPPort == 0 {
				t.Fatalf("incomplete target %+v", tg)
			}
			for _, v := range append([]string{tg.Organisation, tg.URL, tg.Group, tg.Notes, tg.HTTP}, tg.Tags...) {
				if r, ok := controlChar(v); ok {
					t.Fatalf("target kept with control character %U: %+v", r, tg)
				}
			}
			if _, err := FromStore(ToStore([]Target{tg})[0]); err != nil {
				t.Fatalf("stored target does not read back: %v (%+v)", err, tg)
			}
		}
		for _, e := range tf.Errors {
			if e.Line < 1 || e.Line > n {
				t.Fatalf("error line %d outside 1..%d: %v", e.Line, n, e)
			}
		}
		if !slices.IsSortedFunc(tf.Errors, func(a, b RowError) int { return a.Line - b.Line }) {
			t.Fatalf("errors not in line order: %v", tf.Errors)
		}
	})
}
