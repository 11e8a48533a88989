package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runPadlock(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var o, e bytes.Buffer
	code := run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestScheduleCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "padlock.db")
	targets := filepath.Join(dir, "fleet.csv")
	os.WriteFile(targets, []byte("organisation,url\nExample,https://example.org/\n"), 0o644)
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("0123456789abcdef0123456789abcdef\n"), 0o600)
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("abc\n"), 0o600)

	for _, bad := range [][]string{
		{"schedule", "add", "--db", db, targets},                                  // no --every
		{"schedule", "add", "--db", db, "--every", "30s", targets},                // too often
		{"schedule", "add", "--db", db, "--every", "1h"},                          // nothing to scan
		{"schedule", "add", "--db", db, "--every", "1h", "--fleet", "1", targets}, // both
		{"schedule", "add", "--db", db, "--every", "1h", "--webhook", "https://h.example/", targets},
		{"schedule", "add", "--db", db, "--every", "1h", "--webhook", "https://h.example/", "--webhook-secret-file", short, targets},
		{"schedule", "add", "--db", db, "--every", "1h", "--webhook", "ftp://h.example/", "--webhook-secret-file", secret, targets},
		{"schedule", "add", "--db", db, "--every", "1h", "--resume", targets},
		{"schedule", "add", "--db", db, "--every", "1h", "--expiry-days", "0", targets},
		{"schedule", "frobnicate"},
	} {
		if code, _, _ := runPadlock(t, bad...); code != 2 {
			t.Errorf("padlock %s: exit %d, want 2", strings.Join(bad, " "), code)
		}
	}
	if code, _, e := runPadlock(t, "schedule", "add", "--db", db, "--every", "1h", filepath.Join(dir, "gone.csv")); code != 1 || !strings.Contains(e, "gone.csv") {
		t.Errorf("missing targets file: %d %s", code, e)
	}

	code, out, e := runPadlock(t, "schedule", "add", "--db", db, "--every", "168h", "--name", "weekly", "--no-vuln",
		"--webhook", "https://hooks.example/T0/secret-path", "--webhook-secret-file", secret, targets)
	if code != 0 || !strings.Contains(out, "schedule 1 added") {
		t.Fatalf("add: %d %s %s", code, out, e)
	}
	code, out, _ = runPadlock(t, "schedule", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "weekly") || !strings.Contains(out, "https://hooks.example") {
		t.Errorf("list: %d\n%s", code, out)
	}
	for _, hidden := range []string{"secret-path", "0123456789abcdef"} {
		if strings.Contains(out, hidden) {
			t.Errorf("list shows %q:\n%s", hidden, out)
		}
	}
	code, out, _ = runPadlock(t, "alerts", "--db", db, "--json")
	var alerts []any
	if code != 0 || json.Unmarshal([]byte(out), &alerts) != nil || len(alerts) != 0 {
		t.Errorf("alerts --json: %d %q", code, out)
	}
	if code, out, _ := runPadlock(t, "schedule", "remove", "--db", db, "1"); code != 0 || !strings.Contains(out, "removed") {
		t.Errorf("remove: %d %s", code, out)
	}
	if code, _, e := runPadlock(t, "schedule", "remove", "--db", db, "1"); code != 1 || !strings.Contains(e, "no schedule 1") {
		t.Errorf("remove again: %d %s", code, e)
	}
}

func TestScheduleMissingDatabase(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.db")
	for _, args := range [][]string{
		{"schedule", "list", "--db", missing},
		{"schedule", "remove", "--db", missing, "1"},
		{"alerts", "--db", missing},
	} {
		if code, _, e := runPadlock(t, args...); code != 1 || !strings.Contains(e, "no database at") {
			t.Errorf("padlock %s: %d %s", strings.Join(args, " "), code, e)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a listing created the missing database")
	}
}
