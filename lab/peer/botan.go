package peer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"padlock/lab"
)

// BotanOptions configures `botan tls_server` (Debian's botan 2.19: TLS up
// to 1.2).
type BotanOptions struct {
	// Leaf is served (with its chain); default as for OpenSSL.
	Leaf *lab.Leaf
	// Policy lines ("key = value", Botan's text policy format) added to a
	// TLS 1.2-only base policy, e.g. "key_exchange_groups = ffdhe/ietf/2048"
	// or "ciphers = AES-256/GCM AES-128/GCM".
	Policy []string
}

// Botan starts `botan tls_server`.
//
// Like gnutls-serv it has no option for its listening address and listens
// on every interface at the chosen port; only 127.0.0.1 is ever connected
// to, and the port is ephemeral and lives only as long as the test.
func Botan(t testing.TB, opts BotanOptions) *Server {
	t.Helper()
	bin := Require(t, "botan")
	leaf := defaultLeaf(t, opts.Leaf)
	dir := t.TempDir()
	// tls_server reads one file of certificates, leaf first.
	certFile := filepath.Join(dir, "server-fullchain.crt")
	if err := os.WriteFile(certFile, leaf.ChainPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, keyFile, _ := writeLeaf(t, leaf, dir, "server")
	policy := filepath.Join(dir, "policy.txt")
	base := []string{
		"allow_tls10 = false", "allow_tls11 = false", "allow_tls12 = true",
		"allow_dtls10 = false", "allow_dtls12 = false",
	}
	if err := os.WriteFile(policy, []byte(strings.Join(append(base, opts.Policy...), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return start(t, "botan tls_server", dir, leaf, func(s *Server) (*exec.Cmd, error) {
		return exec.Command(bin, "tls_server", certFile, keyFile,
			"--port="+strconv.Itoa(s.Port), "--policy="+policy), nil
	})
}
