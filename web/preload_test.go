package web

import (
	"fmt"
	"strings"
	"testing"
)

// preloadFixture writes a small list in the format of Chromium's
// transport_security_state_static.json: comments, pinsets, entries of
// every kind.
func preloadFixture(entries ...string) string {
	var b strings.Builder
	b.WriteString(`// Copyright line of the real file would be here.
// This file contains the HSTS preloaded list.
{
  // "pinsets" are only about key pinning.
  "pinsets": [
    { "name": "test", "static_spki_hashes": ["TestSPKI"], "report_uri": "http://report.example/pins" }
  ],
  "entries": [
    // Test domains.
    { "name": "pinned-only.example", "policy": "test", "include_subdomains_for_pinning": true, "pins": "test" },
    { "name": "police", "policy": "public-suffix", "mode": "force-https", "include_subdomains": true },
    { "name": "www.example.police.uk", "policy": "bulk-18-weeks", "mode": "force-https" },
    { "name": "Forms.Example.org.", "policy": "custom", "mode": "force-https", "include_subdomains": true }`)
	for _, e := range entries {
		b.WriteString(",\n    ")
		b.WriteString(e)
	}
	b.WriteString("\n  ]\n}\n")
	return b.String()
}

func TestLoadPreloadList(t *testing.T) {
	l, err := LoadPreloadList(strings.NewReader(preloadFixture(
		`{ "name": "secure.example.police.uk", "policy": "bulk-1-year", "mode": "force-https", "include_subdomains": true }`)))
	if err != nil {
		t.Fatal(err)
	}
	if n := l.(interface{ Len() int }).Len(); n != 4 {
		t.Errorf("%d HSTS entries, want 4 (the pinning-only one is not HSTS)", n)
	}
	tests := []struct {
		host  string
		ok    bool
		entry string
	}{
		{"www.example.police.uk", true, "www.example.police.uk"},
		{"WWW.EXAMPLE.POLICE.UK.", true, "www.example.police.uk"},
		{"sub.www.example.police.uk", false, ""}, // no include_subdomains
		{"example.police.uk", false, ""},
		{"secure.example.police.uk", true, "secure.example.police.uk"},
		{"a.b.secure.example.police.uk", true, "secure.example.police.uk"},
		{"anything.police", true, "police"},
		{"forms.example.org", true, "forms.example.org"},
		{"x.forms.example.org", true, "forms.example.org"},
		{"pinned-only.example", false, ""},
		{"", false, ""},
	}
	for _, tc := range tests {
		e, ok := l.Lookup(tc.host)
		if ok != tc.ok || e.Name != tc.entry {
			t.Errorf("Lookup(%q) = %+v, %v; want %q, %v", tc.host, e, ok, tc.entry, tc.ok)
		}
	}
}

func TestLoadPreloadListErrors(t *testing.T) {
	for name, in := range map[string]string{
		"not json":   "<html>",
		"no entries": `{"pinsets": []}`,
		"trailing":   preloadFixture() + "}",
		"empty":      "",
	} {
		if _, err := LoadPreloadList(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// Too big: fails without reading everything into memory first.
	big := strings.NewReader(strings.Repeat(" ", MaxPreloadListBytes+10))
	if _, err := LoadPreloadList(big); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Errorf("oversized: %v", err)
	}
	// A // inside a string survives.
	l, err := LoadPreloadList(strings.NewReader(`{"entries": [{"name": "a.example", "mode": "force-https", "policy": "//x"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := l.Lookup("a.example"); !ok || e.Policy != "//x" {
		t.Errorf("%+v %v", e, ok)
	}
}

func BenchmarkPreloadLookup(b *testing.B) {
	var entries []string
	for i := 0; i < 10000; i++ {
		entries = append(entries, fmt.Sprintf(`{"name": "host%d.example", "mode": "force-https"}`, i))
	}
	l, err := LoadPreloadList(strings.NewReader(preloadFixture(entries...)))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		l.Lookup("a.b.c.host5000.example")
	}
}
