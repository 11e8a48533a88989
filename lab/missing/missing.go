// Package missing holds the one rule for a test whose real peer (a binary,
// a browser, a database) is not on the machine: skip it on a developer's
// machine, fail it under CI (CI=true), where .ci/run installs every peer.
// It imports nothing of padlock's, so any package's tests can use it.
package missing

import (
	"fmt"
	"os"
	"testing"
)

// InCI reports whether the tests run under CI (CI=true), where a missing
// peer is a failure.
func InCI() bool { return os.Getenv("CI") == "true" }

// Peer stops the test because a peer it needs is missing: skipped, or
// failed under CI. The message says what is missing.
func Peer(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("%s (CI=true: .ci/run must install every test peer)", msg)
	}
	t.Skip(msg)
}
