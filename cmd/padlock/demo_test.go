package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDemo runs the README's first line, padlock demo, end to end: two
// scans of the lab fleet, the diff between them and the report.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("scans the lab fleet twice")
	}
	dir := t.TempDir()
	out, errOut, code := padlock(t, "demo", "--out", filepath.Join(dir, "report"), "--db", filepath.Join(dir, "demo.db"))
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []*regexp.Regexp{
		// The chain missing its intermediate is completed through AIA
		// and graded incomplete, in the league table as in check.
		regexp.MustCompile(`(?m)^incomplete-chain\s+B\s`),
		regexp.MustCompile(`(?m)^modern\s+B\s`), // after its "upgrade"
		regexp.MustCompile(`(?m)^wrong-name\s+M\s`),
		regexp.MustCompile(`modern.*A → B`),
	} {
		if !want.MatchString(out) {
			t.Errorf("demo output lacks %s:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "report", "index.html")); err != nil {
		t.Errorf("no report: %v", err)
	}
	if strings.Contains(out, "fetching issuers (AIA) is off") {
		t.Error("the demo ran without AIA fetching")
	}
}
