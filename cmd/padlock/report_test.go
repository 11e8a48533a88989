package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReport scans a lab fleet twice, one site falling from A to B in
// between, and publishes the result in every format.
func TestReport(t *testing.T) {
	f := newFleet(t, 3)
	scan := func() {
		t.Helper()
		out, errOut, code := padlock(t, "scan", "--db", f.db, "--ca-file", f.ca, "--no-web", "--rate", "-1", f.csv)
		if code != 0 {
			t.Fatalf("scan: exit %d\n%s%s", code, out, errOut)
		}
	}
	scan()
	f.cfg[1].Store(demoConfig(t, "legacy"))
	scan()

	dir := filepath.Join(t.TempDir(), "report")
	out, errOut, code := padlock(t, "report", "--db", f.db, "--out", dir)
	if code != 0 {
		t.Fatalf("report: exit %d\n%s%s", code, out, errOut)
	}
	index := filepath.Join(dir, "index.html")
	for _, want := range []string{"scan 2", "3 sites: 3 graded, 0 inconclusive", "compared with scan 1", index, "file://"} {
		if !strings.Contains(out, want) {
			t.Errorf("report output lacks %q:\n%s", want, out)
		}
	}
	page, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.servers {
		if !strings.Contains(string(page), fmt.Sprintf("Org %d", i)) {
			t.Errorf("index.html lacks Org %d", i)
		}
	}
	changed := filepath.Join(dir, "sites", fmt.Sprintf("localhost-%d.html", f.servers[1].Port))
	site, err := os.ReadFile(changed)
	if err != nil {
		t.Fatal(err)
	}
	// The fleet's stored result was read: the endpoint's protocols, its
	// findings and their remedies are on the page.
	for _, want := range []string{"TLS 1.0", "B5", "ssl_protocols TLSv1.2 TLSv1.3;", "deteriorated", "Certificate chain"} {
		if !strings.Contains(string(site), want) {
			t.Errorf("%s lacks %q", filepath.Base(changed), want)
		}
	}

	out, errOut, code = padlock(t, "report", "--db", f.db, "--format", "csv")
	if code != 0 {
		t.Fatalf("report --format csv: exit %d\n%s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "organisation" || rows[0][9] != "change" {
		t.Fatalf("csv:\n%s", out)
	}
	for _, r := range rows[1:] {
		want := "unchanged"
		if r[0] == "Org 1" {
			want = "deteriorated"
			if r[2] != "B" || !strings.Contains(r[8], "B5") {
				t.Errorf("Org 1: %q", r)
			}
		}
		if r[9] != want {
			t.Errorf("%s: change %q, want %q", r[0], r[9], want)
		}
	}

	jsonFile := filepath.Join(t.TempDir(), "report.json")
	if out, errOut, code = padlock(t, "report", "--db", f.db, "--scan", "1", "--format", "json", "--out", jsonFile); code != 0 {
		t.Fatalf("report --format json: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, jsonFile) {
		t.Errorf("report --out FILE does not say where: %s", out)
	}
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema string
		Scan   struct{ ID int }
		Sites  []struct {
			Result struct {
				Host *struct{ PadlockSchema string }
			}
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "padlock.report/1" || doc.Scan.ID != 1 || len(doc.Sites) != 3 || doc.Sites[0].Result.Host == nil {
		t.Errorf("json: %.300s", b)
	}

	if out, _, code = padlock(t, "report", "--db", f.db, "--format", "md"); code != 0 || !strings.HasPrefix(out, "# HTTPS report") || !strings.Contains(out, "Org 1 (↓ deteriorated, was A)") {
		t.Errorf("report --format md: exit %d\n%s", code, out)
	}

	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"report", "--db", f.db}, 2, "needs --out DIR"},
		{[]string{"report", "--db", f.db, "--format", "xml"}, 2, `--format "xml"`},
		{[]string{"report", "--db", f.db, "--scan", "x", "--format", "csv"}, 2, "not a scan id"},
		{[]string{"report", "--db", f.db, "--scan", "9", "--format", "csv"}, 1, "no scan 9"},
		{[]string{"report", "--db", filepath.Join(t.TempDir(), "none.db"), "--format", "csv"}, 1, "no database at"},
	} {
		_, errOut, code := padlock(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("padlock %v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.msg, errOut)
		}
	}
}
