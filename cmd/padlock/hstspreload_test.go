package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The update command fetches the list (here from a loopback server), checks
// it parses and keeps it; a list that does not parse is refused.
func TestHSTSPreloadUpdate(t *testing.T) {
	const list = `// Chromium-style comments
{ "entries": [
  { "name": "example.org", "policy": "custom", "mode": "force-https", "include_subdomains": true }
] }`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			w.Write([]byte("{not json"))
			return
		}
		w.Write([]byte(list))
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "preload.json")
	var stdout, stderr bytes.Buffer
	if err := runHSTSPreload(context.Background(), []string{"update", "--url", srv.URL + "/list", "--out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("update: %v (%s)", err, stderr.String())
	}
	got, err := os.ReadFile(out)
	if err != nil || string(got) != list {
		t.Fatalf("kept %q, %v", got, err)
	}
	l, err := loadPreload(out, true)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := l.Lookup("www.example.org"); !ok || !e.IncludeSubdomains {
		t.Errorf("lookup through includeSubdomains: %+v %v", e, ok)
	}
	if err := runHSTSPreload(context.Background(), []string{"update", "--url", srv.URL + "/bad", "--out", out}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "does not parse") {
		t.Errorf("a bad list: %v", err)
	}
	if l, err := loadPreload(filepath.Join(t.TempDir(), "missing.json"), false); l != nil || err != nil {
		t.Errorf("a missing default list: %v %v", l, err)
	}
	if _, err := loadPreload(filepath.Join(t.TempDir(), "missing.json"), true); err == nil {
		t.Error("a missing explicit list loaded")
	}
}
