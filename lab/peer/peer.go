// Package peer runs real, external TLS servers on loopback as test peers for
// padlock: OpenSSL's s_server, GnuTLS's gnutls-serv, nginx, and the
// zcrypto-based legacy-tls-server of the lab/legacy module (SSL 3.0 and
// export suites).
//
// Every helper takes the test's testing.TB: it skips the test when the server
// binary is not installed (but fails it when the environment variable CI is
// "true", because CI must install every peer), starts the server on a free
// port of 127.0.0.1, waits at most ten seconds until it accepts TCP
// connections, and registers Close with t.Cleanup. A server that fails to
// start fails the test with its captured output.
//
//	s := peer.OpenSSL(t, peer.OpenSSLOptions{
//		Protocols: []string{"-tls1"},
//		Ciphers:   "ALL:COMPLEMENTOFALL:@SECLEVEL=0",
//	})
//	// scan s.Addr ("127.0.0.1:PORT"); s.CA verifies s.Leaf.
//
// Certificates default to a fresh RSA-2048 leaf for "localhost", 127.0.0.1
// and ::1 issued by a process-wide test root (RootCA); pass a lab.Leaf to
// serve anything else, including chains, which every server sends in full.
//
// What each peer can serve (Debian 12 packages, checked by this package's
// tests):
//
//   - OpenSSL 3.0 (s_server, and nginx, which uses it) refuses TLS 1.0/1.1,
//     SHA-1 signatures and small keys at its default security level: put
//     "@SECLEVEL=0" in the cipher string (OpenSSLOptions.Ciphers,
//     NginxOptions.Ciphers). Debian builds it without 3DES, RC4, DES, IDEA,
//     SEED, export suites and SSLv3 at all; it still has DHE (with any
//     DHParamsFile), CBC, CAMELLIA, ARIA, NULL and anonymous suites.
//   - GnuTLS 3.7 (gnutls-serv) serves TLS 1.0 with 3DES and RC4 when its
//     priority string asks for them (e.g.
//     "NORMAL:-VERS-ALL:+VERS-TLS1.0:+3DES-CBC:+ARCFOUR-128:+RSA"), but
//     not SSLv3.
//   - Legacy (zcrypto) serves SSLv3, RSA_EXPORT, DHE export, DES, RC4 and
//     3DES.
//
// Processes run in their own process group, which Close kills (SIGKILL) and
// waits for (bounded). On Linux they also get SIGKILL if the test process
// dies first. Debian packages needed: openssl, gnutls-bin, nginx-light (or
// any nginx with the ssl module); Legacy needs the Go toolchain and, on a
// cold module cache, the Go module proxy.
package peer

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"padlock/lab"
	"padlock/lab/missing"
)

// ReadyTimeout bounds how long a server may take to accept connections.
const ReadyTimeout = 10 * time.Second

// maxLog bounds the output kept per server.
const maxLog = 256 << 10

// Server is a running external TLS server.
type Server struct {
	Name string
	// Addr is "127.0.0.1:PORT"; Host and Port are its parts.
	Addr string
	Host string
	Port int
	// HTTPPort is the port of a plain-HTTP listener on 127.0.0.1, if the
	// server has one (NginxOptions.HTTP), else 0.
	HTTPPort int
	// Leaf is the certificate served (the default one for SNI-less
	// clients), and CA the root that verifies it (nil if self-signed).
	Leaf *lab.Leaf
	CA   *lab.CA
	// Dir is the server's private temporary directory (config, PEM files).
	Dir string
	Cmd *exec.Cmd
	// Log collects the server's standard output and error, at most 256 KiB
	// (the rest is dropped). Read it with LogString while the server runs.
	Log *bytes.Buffer

	mu        sync.Mutex // guards Log
	dropped   int
	exited    chan struct{}
	waitErr   error
	closeOnce sync.Once
}

// LogString returns the output captured so far.
func (s *Server) LogString() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropped > 0 {
		return s.Log.String() + fmt.Sprintf("\n[... %d bytes of output dropped]\n", s.dropped)
	}
	return s.Log.String()
}

// logWriter appends to the bounded Log.
type logWriter struct{ s *Server }

func (w logWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	room := maxLog - w.s.Log.Len()
	if room < 0 {
		room = 0
	}
	if len(p) > room {
		w.s.dropped += len(p) - room
		w.s.Log.Write(p[:room])
	} else {
		w.s.Log.Write(p)
	}
	return len(p), nil
}

// Exited reports whether the server process has ended.
func (s *Server) Exited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// Close kills the server's process group and waits (at most five seconds)
// for it. It is registered with t.Cleanup and may be called more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if s.Cmd == nil || s.Cmd.Process == nil {
			return
		}
		killGroup(s.Cmd.Process)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
		}
	})
}

// Require returns the path of binary, looking in $PATH and then in the sbin
// directories (nginx lives in /usr/sbin, which a user's PATH may lack). If it
// is missing the test is skipped, or failed when $CI is "true".
func Require(t testing.TB, binary string) string {
	t.Helper()
	if p, err := exec.LookPath(binary); err == nil {
		return p
	}
	if !strings.Contains(binary, "/") {
		for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
			p := filepath.Join(dir, binary)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
				return p
			}
		}
	}
	missing.Peer(t, "%s is not installed", binary)
	return ""
}

// FreePort returns a TCP port that was free on 127.0.0.1 a moment ago.
// Another process may take it before the caller binds it; the helpers here
// retry with a new port when a server reports the address in use.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// builder prepares the command for a server whose Port, Addr and Dir are set.
type builder func(s *Server) (*exec.Cmd, error)

// addrInUse matches what the servers print when their port is taken.
// Servers that bind every interface (botan tls_server, gnutls-serv) can
// find the port FreePort saw free on 127.0.0.1 taken on another loopback
// address by a concurrent test; botan says only "server bind failed".
func addrInUse(log string) bool {
	l := strings.ToLower(log)
	return strings.Contains(l, "address already in use") || strings.Contains(l, "eaddrinuse") ||
		strings.Contains(l, "server bind failed")
}

// start launches a server (up to three times if its port turns out to be
// taken), waits until it is ready and registers its cleanup.
func start(t testing.TB, name, dir string, leaf *lab.Leaf, build builder) *Server {
	t.Helper()
	var last *Server
	for attempt := 0; attempt < 3; attempt++ {
		s, err := launch(t, name, dir, build)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s.Leaf = leaf
		if leaf != nil && leaf.Issuer != nil {
			s.CA = leaf.Issuer.Root()
		}
		t.Cleanup(s.Close)
		err = s.waitReady(ReadyTimeout)
		if err == nil {
			return s
		}
		s.Close()
		last = s
		if !addrInUse(s.LogString()) {
			t.Fatalf("%s did not start: %v\ncommand: %s\noutput:\n%s", name, err, s.Cmd, s.LogString())
		}
	}
	t.Fatalf("%s: port always in use\noutput:\n%s", name, last.LogString())
	return nil
}

func launch(t testing.TB, name, dir string, build builder) (*Server, error) {
	port := FreePort(t)
	s := &Server{
		Name:   name,
		Host:   "127.0.0.1",
		Port:   port,
		Addr:   net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Dir:    dir,
		Log:    new(bytes.Buffer),
		exited: make(chan struct{}),
	}
	cmd, err := build(s)
	if err != nil {
		return nil, err
	}
	s.Cmd = cmd
	w := logWriter{s}
	cmd.Stdout, cmd.Stderr = w, w
	if cmd.Dir == "" {
		cmd.Dir = dir
	}
	cmd.WaitDelay = 2 * time.Second
	setGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", cmd, err)
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

// waitReady waits until every port of s accepts TCP connections while the
// process is still running.
func (s *Server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	addrs := []string{s.Addr}
	if s.HTTPPort != 0 {
		addrs = append(addrs, net.JoinHostPort(s.Host, strconv.Itoa(s.HTTPPort)))
	}
	for _, a := range addrs {
		for {
			if s.Exited() {
				return fmt.Errorf("process exited: %v", s.waitErr)
			}
			c, err := net.DialTimeout("tcp", a, 500*time.Millisecond)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s not accepting connections after %v: %v", a, timeout, err)
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	// A port taken by somebody else also accepts: make sure our process
	// did not die of it meanwhile.
	select {
	case <-s.exited:
		return fmt.Errorf("process exited: %v", s.waitErr)
	case <-time.After(50 * time.Millisecond):
	}
	return nil
}

// cacheDir is where generated files shared by test processes are kept:
// $TMPDIR/padlock-lab-cache-UID.
func cacheDir() string {
	return filepath.Join(os.TempDir(), "padlock-lab-cache-"+strconv.Itoa(os.Getuid()))
}

var (
	caOnce sync.Once
	ca     *lab.CA
	caErr  error
)

// RootCA returns the process-wide root that issues the default leaves.
func RootCA(t testing.TB) *lab.CA {
	t.Helper()
	caOnce.Do(func() { ca, caErr = lab.NewCA("padlock peer test root") })
	if caErr != nil {
		t.Fatalf("test CA: %v", caErr)
	}
	return ca
}

// defaultLeaf returns leaf, or a new RSA-2048 leaf for localhost/127.0.0.1/::1
// from RootCA.
func defaultLeaf(t testing.TB, leaf *lab.Leaf) *lab.Leaf {
	t.Helper()
	if leaf != nil {
		return leaf
	}
	l, err := RootCA(t).Issue(lab.LeafOptions{KeyType: lab.KeyRSA2048})
	if err != nil {
		t.Fatalf("test leaf: %v", err)
	}
	return l
}

// writeLeaf writes leaf into dir as name.crt (chain, leaf first), name.key
// and, if the chain has intermediates, name-chain.crt holding only those.
func writeLeaf(t testing.TB, leaf *lab.Leaf, dir, name string) (certFile, keyFile, chainFile string) {
	t.Helper()
	certFile, keyFile, err := leaf.WritePEM(dir, name)
	if err != nil {
		t.Fatalf("writing %s: %v", name, err)
	}
	if len(leaf.Chain) > 1 {
		rest := &lab.Leaf{Chain: leaf.Chain[1:]}
		chainFile = filepath.Join(dir, name+"-chain.crt")
		if err := os.WriteFile(chainFile, rest.ChainPEM(), 0o644); err != nil {
			t.Fatalf("writing %s: %v", chainFile, err)
		}
	}
	return certFile, keyFile, chainFile
}
