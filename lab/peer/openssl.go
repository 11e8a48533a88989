package peer

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"padlock/lab"
)

// OpenSSLOptions configures `openssl s_server`.
type OpenSSLOptions struct {
	// Leaf is served (with its chain); default: a fresh RSA-2048 leaf for
	// localhost, 127.0.0.1 and ::1 from RootCA.
	Leaf *lab.Leaf
	// Protocols are s_server's version flags, e.g. "-tls1", "-tls1_2",
	// "-no_tls1_3". A single one such as "-tls1" pins that version.
	Protocols []string
	// MinProtocol and MaxProtocol ("TLSv1", "TLSv1.1", "TLSv1.2",
	// "TLSv1.3") are passed as -min_protocol and -max_protocol.
	MinProtocol, MaxProtocol string
	// Ciphers is the TLS 1.2-and-below cipher string (-cipher), e.g.
	// "ALL:COMPLEMENTOFALL:@SECLEVEL=0". TLS 1.0/1.1 need @SECLEVEL=0.
	Ciphers string
	// Ciphersuites is the TLS 1.3 list (-ciphersuites).
	Ciphersuites string
	// ServerPref makes the server choose by its own order (-serverpref).
	ServerPref bool
	// Groups is the key-exchange group list (-groups), e.g. "P-256:X25519".
	Groups string
	// DHParam is a PEM DH parameters file (-dhparam); see DHParamsFile.
	DHParam string
	// Www answers HTTP GETs with a status page (-www) and closes each
	// connection; without it s_server keeps each connection open (one at a
	// time) until the client closes it.
	Www bool
	// Extra are further arguments, appended last.
	Extra []string
	// NoEMS turns the extended master secret (RFC 7627) off, through an
	// OpenSSL configuration file (Options = -ExtendedMasterSecret): s_server
	// has no flag for it.
	NoEMS bool
}

// OpenSSL starts `openssl s_server` on 127.0.0.1.
func OpenSSL(t testing.TB, opts OpenSSLOptions) *Server {
	t.Helper()
	bin := Require(t, "openssl")
	leaf := defaultLeaf(t, opts.Leaf)
	dir := t.TempDir()
	certFile, keyFile, chainFile := writeLeaf(t, leaf, dir, "server")
	return start(t, "openssl s_server", dir, leaf, func(s *Server) (*exec.Cmd, error) {
		args := []string{"s_server", "-accept", s.Addr, "-cert", certFile, "-key", keyFile}
		if chainFile != "" {
			args = append(args, "-cert_chain", chainFile)
		}
		args = append(args, opts.Protocols...)
		if opts.MinProtocol != "" {
			args = append(args, "-min_protocol", opts.MinProtocol)
		}
		if opts.MaxProtocol != "" {
			args = append(args, "-max_protocol", opts.MaxProtocol)
		}
		if opts.Ciphers != "" {
			args = append(args, "-cipher", opts.Ciphers)
		}
		if opts.Ciphersuites != "" {
			args = append(args, "-ciphersuites", opts.Ciphersuites)
		}
		if opts.ServerPref {
			args = append(args, "-serverpref")
		}
		if opts.Groups != "" {
			args = append(args, "-groups", opts.Groups)
		}
		if opts.DHParam != "" {
			args = append(args, "-dhparam", opts.DHParam)
		}
		if opts.Www {
			args = append(args, "-www")
		}
		args = append(args, opts.Extra...)
		cmd := exec.Command(bin, args...)
		if opts.NoEMS {
			conf := filepath.Join(dir, "no-ems.cnf")
			const noEMS = "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n[sys]\nOptions = -ExtendedMasterSecret\n"
			if err := os.WriteFile(conf, []byte(noEMS), 0o600); err != nil {
				return nil, err
			}
			cmd.Env = append(os.Environ(), "OPENSSL_CONF="+conf)
		}
		// Without -www, s_server copies its standard input to the client
		// and may quit at end of input: give it a pipe that stays open
		// until the process is killed.
		if _, err := cmd.StdinPipe(); err != nil {
			return nil, err
		}
		return cmd, nil
	})
}

var dhMu sync.Mutex

// DHParamsFile returns a PEM file of finite-field Diffie-Hellman parameters
// with a prime of the given size. 2048, 3072, 4096, 6144 and 8192 bits give
// the RFC 7919 groups ffdhe2048…ffdhe8192 (instant); other sizes (512, 768,
// 1024, 1536: the weak ones tests want) are generated with `openssl
// dhparam` once and cached in $TMPDIR/padlock-lab-cache-UID, shared by test
// processes (a 1024-bit group takes about a second).
func DHParamsFile(t testing.TB, bits int) string {
	t.Helper()
	bin := Require(t, "openssl")
	dir := cacheDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var args []string
	var file string
	switch bits {
	case 2048, 3072, 4096, 6144, 8192:
		group := "ffdhe" + strconv.Itoa(bits)
		file = filepath.Join(dir, "dhparam-"+group+".pem")
		args = []string{"genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:" + group, "-out"}
	default:
		if bits < 512 || bits > 2048 {
			t.Fatalf("DHParamsFile: %d bits not supported (512-1536, or 2048-8192 for the RFC 7919 groups)", bits)
		}
		file = filepath.Join(dir, "dhparam-"+strconv.Itoa(bits)+".pem")
		args = []string{"dhparam", "-out"}
	}
	dhMu.Lock()
	defer dhMu.Unlock()
	if fi, err := os.Stat(file); err == nil && fi.Size() > 0 {
		return file
	}
	tmp, err := os.CreateTemp(dir, "dhparam-*.tmp")
	if err != nil {
		t.Fatal(err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args = append(args, tmp.Name())
	if args[0] == "dhparam" {
		args = append(args, strconv.Itoa(bits))
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = 2 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
	// Rename is atomic: concurrent processes at worst both generate.
	if err := os.Rename(tmp.Name(), file); err != nil {
		t.Fatal(err)
	}
	return file
}
