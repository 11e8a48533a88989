package peer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"padlock/lab"
)

// LegacyOptions configures legacy-tls-server (module padlock/lab/legacy,
// built on zcrypto): SSL 3.0 to TLS 1.2 with export, RC4, DES and 3DES
// suites.
type LegacyOptions struct {
	// Leaf is served (with its chain); default as for OpenSSL. RSA, export
	// and DHE suites need an RSA key; Ed25519 is not supported.
	Leaf *lab.Leaf
	// Min and Max are "ssl3", "tls1.0", "tls1.1" or "tls1.2"; defaults
	// ssl3 and tls1.0.
	Min, Max string
	// Ciphers are the suites served, in the server's order of preference;
	// default: the server's DefaultCiphers (RSA_EXPORT, DHE export, DES,
	// RC4, 3DES and AES-CBC suites with RSA authentication).
	Ciphers []uint16
	// ClientPref makes the server follow the client's order.
	ClientPref bool
	// Extra are further arguments, appended last.
	Extra []string
}

var (
	legacyOnce sync.Once
	legacyBin  string
	legacyErr  error
)

// legacySourceDir is lab/legacy, found from this file's location.
func legacySourceDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("cannot locate the lab/peer source")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "legacy")
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return "", fmt.Errorf("lab/legacy module not found: %w", err)
	}
	return dir, nil
}

// LegacyBinary builds legacy-tls-server once per test process (into
// $TMPDIR/padlock-lab-cache-UID, named for a hash of its source and
// replaced atomically, so repeated runs do not pile up binaries and two
// checkouts with different sources testing at once do not run each
// other's; Go's build cache makes rebuilds quick) and returns its path. The first build on a machine downloads zcrypto from the Go module
// proxy unless the module cache has it; it is bounded by five minutes.
func LegacyBinary(t testing.TB) string {
	t.Helper()
	goBin := Require(t, "go")
	legacyOnce.Do(func() {
		src, err := legacySourceDir()
		if err != nil {
			legacyErr = err
			return
		}
		cache := cacheDir()
		if err := os.MkdirAll(cache, 0o755); err != nil {
			legacyErr = err
			return
		}
		tmp, err := os.CreateTemp(cache, "legacy-tls-server-*.tmp")
		if err != nil {
			legacyErr = err
			return
		}
		tmp.Close()
		defer os.Remove(tmp.Name())
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goBin, "build", "-o", tmp.Name(), ".")
		cmd.Dir = src
		// The nested module has its own go.mod; make sure a workspace or
		// flags meant for the padlock module do not leak into its build.
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
		cmd.WaitDelay = 5 * time.Second
		if out, err := cmd.CombinedOutput(); err != nil {
			legacyErr = fmt.Errorf("go build in %s: %v\n%s", src, err, out)
			return
		}
		sum, err := sourceHash(src, "go.mod", "go.sum", "main.go")
		if err != nil {
			legacyErr = err
			return
		}
		bin := filepath.Join(cache, "legacy-tls-server-"+sum)
		if err := os.Rename(tmp.Name(), bin); err != nil {
			legacyErr = err
			return
		}
		legacyBin = bin
	})
	if legacyErr != nil {
		t.Fatalf("building legacy-tls-server: %v", legacyErr)
	}
	return legacyBin
}

// Legacy starts legacy-tls-server (see LegacyOptions).
func Legacy(t testing.TB, opts LegacyOptions) *Server {
	t.Helper()
	bin := LegacyBinary(t)
	leaf := defaultLeaf(t, opts.Leaf)
	dir := t.TempDir()
	certFile, keyFile, _ := writeLeaf(t, leaf, dir, "server")
	return start(t, "legacy-tls-server", dir, leaf, func(s *Server) (*exec.Cmd, error) {
		args := []string{"-listen", s.Addr, "-cert", certFile, "-key", keyFile}
		if opts.Min != "" {
			args = append(args, "-min", opts.Min)
		}
		if opts.Max != "" {
			args = append(args, "-max", opts.Max)
		}
		if len(opts.Ciphers) > 0 {
			ids := make([]string, len(opts.Ciphers))
			for i, c := range opts.Ciphers {
				ids[i] = fmt.Sprintf("0x%04X", c)
			}
			args = append(args, "-ciphers", strings.Join(ids, ","))
		}
		if opts.ClientPref {
			args = append(args, "-clientpref")
		}
		args = append(args, opts.Extra...)
		return exec.Command(bin, args...), nil
	})
}

// sourceHash is a short hex SHA-256 of the named files in dir.
func sourceHash(dir string, names ...string) (string, error) {
	h := sha256.New()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
