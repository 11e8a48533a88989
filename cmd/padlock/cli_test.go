package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIConventions: help and -h for every command exit 0 with the
// command's own usage; a flag after an argument and a missing database
// are refused with what went wrong.
func TestCLIConventions(t *testing.T) {
	for _, c := range commands {
		out, _, code := padlock(t, "help", c.name)
		if code != 0 || !strings.HasPrefix(out, "usage: padlock "+c.name) {
			t.Errorf("padlock help %s: exit %d, stdout:\n%s", c.name, code, out)
		}
		_, errOut, code := padlock(t, c.name, "-h")
		if code != 0 || !strings.HasPrefix(errOut, "usage: padlock "+c.name) {
			t.Errorf("padlock %s -h: exit %d, stderr:\n%s", c.name, code, errOut)
		}
	}
	if out, _, code := padlock(t, "--version"); code != 0 || !strings.HasPrefix(out, "padlock ") {
		t.Errorf("padlock --version: exit %d: %q", code, out)
	}
	if out, _, code := padlock(t, "help"); code != 0 || !strings.Contains(out, "hsts-preload") {
		t.Errorf("padlock help: exit %d:\n%s", code, out)
	}
	missing := filepath.Join(t.TempDir(), "none.db")
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"check", "localhost", "--json"}, 2, `flag --json after the argument "localhost": flags go before arguments`},
		{[]string{"history", "--db", missing, "example.org", "--json"}, 2, "flag --json after the argument"},
		{[]string{"check", "--no-such-flag", "localhost"}, 2, "flag provided but not defined: -no-such-flag"},
		{[]string{"nonsense"}, 2, `unknown command "nonsense"`},
		{[]string{"help", "check", "scan"}, 2, "usage: padlock help [COMMAND]"},
		{[]string{"diff", "--db", missing}, 1, "no database at " + missing},
		{[]string{"history", "--db", missing, "example.org"}, 1, "no database at " + missing},
	} {
		_, errOut, code := padlock(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("padlock %v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.msg, errOut)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("diff or history created the missing database")
	}
}
