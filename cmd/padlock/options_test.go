package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"padlock/fleet"
)

// TestAssessFlagsShared: every command that assesses takes the same
// assessment flags, and refuses the same bad values with the same exit
// status and words.
func TestAssessFlagsShared(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	targets := filepath.Join(dir, "t.txt")
	if err := os.WriteFile(targets, []byte("localhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "p.db")
	cmds := map[string][]string{
		"check": {"check"},
		"scan":  {"scan", "--db", db},
		"serve": {"serve", "--db", db, "--listen", "127.0.0.1:0"},
	}
	argsAfter := map[string][]string{"check": {"localhost"}, "scan": {targets}, "serve": nil}
	for name, base := range cmds {
		for _, c := range []struct {
			flags []string
			msg   string
		}{
			{[]string{"--ca-file", notPEM}, "--ca-file: CA file " + notPEM + ": no PEM certificate found"},
			{[]string{"--ca-file", filepath.Join(dir, "missing.pem")}, "--ca-file: CA file: open"},
			{[]string{"--hsts-preload", filepath.Join(dir, "missing.json")}, "--hsts-preload: HSTS preload list: open"},
			{[]string{"--timeout", "0s"}, "--timeout must be positive"},
			{[]string{"--budget", "-1s"}, "--budget must be positive"},
			{[]string{"--connections", "0"}, "--connections must be at least 1"},
			{[]string{"--no-web", "--no-vuln", "--aia-fetch=false", "--connections", "0"}, "--connections must be at least 1"},
		} {
			args := append(append(append([]string{}, base...), c.flags...), argsAfter[name]...)
			_, errOut, code := padlock(t, args...)
			if code != 2 || !strings.Contains(errOut, c.msg) {
				t.Errorf("padlock %v: exit %d, want 2 with %q:\n%s", args, code, c.msg, errOut)
			}
		}
		_, errOut, _ := padlock(t, base[0], "-h")
		for _, fl := range []string{"-timeout", "-budget", "-connections", "-aia-fetch", "-ca-file", "-no-vuln", "-no-web", "-hsts-preload"} {
			if !strings.Contains(errOut, "  "+fl) {
				t.Errorf("padlock %s -h: no %s flag:\n%s", base[0], fl, errOut)
			}
		}
		if internal := strings.Contains(errOut, "-allow-internal-targets"); internal != (name == "serve") {
			t.Errorf("padlock %s -h: --allow-internal-targets listed: %v", name, internal)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a refused command line created the database")
	}
}

// TestScanRecordsAIA: a scan records whether it fetched issuers, with its
// other assessment settings.
func TestScanRecordsAIA(t *testing.T) {
	f := newFleet(t, 1)
	for _, c := range []struct {
		flags []string
		aia   bool
	}{
		{[]string{"--allow-internal-fetches"}, true},
		{[]string{"--aia-fetch=false"}, false},
	} {
		args := append([]string{"scan", "--db", f.db, "--ca-file", f.ca, "--no-web", "--no-vuln", "--quiet", "--rate", "-1"}, c.flags...)
		if _, errOut, code := padlock(t, append(args, f.csv)...); code != 0 {
			t.Fatalf("padlock %v: exit %d\n%s", args, code, errOut)
		}
		st := openDB(t, f.db)
		scans, err := st.Scans(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var s fleet.Settings
		if err := json.Unmarshal([]byte(scans[len(scans)-1].Options), &s); err != nil {
			t.Fatal(err)
		}
		as := s.Assessment()
		if as.FetchIssuers != c.aia || as.InternalFetches != c.aia || as.Web || as.Vuln || as.CAFile != f.ca || as.Connections != 4 {
			t.Errorf("%v: recorded %+v", c.flags, as)
		}
		st.Close()
	}
}
