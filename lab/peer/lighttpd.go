package peer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"padlock/lab"
	"padlock/lab/missing"
)

// LighttpdOptions configures a lighttpd HTTPS server (Debian's lighttpd
// 1.4.69 with lighttpd-mod-openssl or lighttpd-mod-wolfssl).
type LighttpdOptions struct {
	// Leaf is served with its chain; default as for OpenSSL. lighttpd's
	// wolfSSL module refuses every client offering OCSP stapling when the
	// leaf is self-signed, so keep a CA-issued leaf for it.
	Leaf *lab.Leaf
	// WolfSSL serves TLS with wolfSSL (mod_wolfssl) instead of OpenSSL
	// (mod_openssl).
	WolfSSL bool
	// ConfCmd are ssl.openssl.ssl-conf-cmd pairs in order, e.g.
	// {"Groups", "X25519:P-192"}, {"CipherString", "HIGH:@SECLEVEL=1"}
	// (mod_wolfssl understands a subset).
	ConfCmd [][2]string
}

// Lighttpd starts lighttpd in the foreground on 127.0.0.1.
func Lighttpd(t testing.TB, opts LighttpdOptions) *Server {
	t.Helper()
	bin := Require(t, "lighttpd")
	module := "mod_openssl"
	if opts.WolfSSL {
		module = "mod_wolfssl"
	}
	if so := filepath.Join("/usr/lib/lighttpd", module+".so"); !fileExists(so) {
		pkg := "lighttpd-mod-openssl"
		if opts.WolfSSL {
			pkg = "lighttpd-mod-wolfssl"
		}
		missing.Peer(t, "%s is not installed (no %s)", pkg, so)
	}
	leaf := defaultLeaf(t, opts.Leaf)
	dir := t.TempDir()
	certFile, keyFile, chainFile := writeLeaf(t, leaf, dir, "server")
	docroot := filepath.Join(dir, "www")
	if err := os.MkdirAll(docroot, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(docroot, "index.html"), []byte("padlock lighttpd peer\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return start(t, "lighttpd", dir, leaf, func(s *Server) (*exec.Cmd, error) {
		var b strings.Builder
		fmt.Fprintf(&b, "server.document-root = %q\nindex-file.names = (\"index.html\")\n", docroot)
		fmt.Fprintf(&b, "server.bind = %q\nserver.port = %d\n", s.Host, s.Port)
		fmt.Fprintf(&b, "server.errorlog = \"/dev/stderr\"\n")
		fmt.Fprintf(&b, "server.modules += (%q)\n", module)
		fmt.Fprintf(&b, "ssl.engine = \"enable\"\nssl.pemfile = %q\nssl.privkey = %q\n", certFile, keyFile)
		if chainFile != "" {
			fmt.Fprintf(&b, "ssl.ca-file = %q\n", chainFile)
		} else if leaf.Issuer != nil {
			root, err := leaf.Issuer.Root().WriteRootPEM(dir, "root")
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "ssl.ca-file = %q\n", root)
		}
		if len(opts.ConfCmd) > 0 {
			var pairs []string
			for _, kv := range opts.ConfCmd {
				pairs = append(pairs, strconv.Quote(kv[0])+" => "+strconv.Quote(kv[1]))
			}
			fmt.Fprintf(&b, "ssl.openssl.ssl-conf-cmd = (%s)\n", strings.Join(pairs, ", "))
		}
		conf := filepath.Join(dir, "lighttpd.conf")
		if err := os.WriteFile(conf, []byte(b.String()), 0o644); err != nil {
			return nil, err
		}
		return exec.Command(bin, "-D", "-f", conf), nil
	})
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
