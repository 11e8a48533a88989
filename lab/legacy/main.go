// Command legacy-tls-server is a deliberately obsolete TLS server for
// padlock's tests: it speaks SSL 3.0 and TLS 1.0–1.2 and offers export-grade,
// RC4, DES and 3DES cipher suites, which no maintained TLS library will serve
// any more. It is built on github.com/zmap/zcrypto pinned at the last commit
// that still has SSLv3 and RSA_EXPORT, and lives in its own Go module
// (padlock/lab/legacy) so that the padlock module never depends on zcrypto.
//
// Usage:
//
//	legacy-tls-server -listen 127.0.0.1:PORT -cert chain.pem -key key.pem \
//	    [-min ssl3] [-max tls1.0] [-ciphers 0x0003,0x0004,0x000A] [-clientpref] \
//	    [-fixed-rand]
//
// -listen must be a loopback address. The certificate file may hold the
// chain (leaf first); the key may be PKCS#1, PKCS#8 or SEC 1 (RSA or ECDSA;
// the RSA, export and DHE suites need an RSA key). Versions are ssl3,
// tls1.0, tls1.1 and tls1.2. -ciphers takes cipher suite numbers (hex with
// 0x, or decimal); the default is DefaultCiphers. The server prefers its own
// order (the order of -ciphers) unless -clientpref is given.
//
// RSA_EXPORT suites use one 512-bit ephemeral RSA key generated at start-up
// (this module sets `godebug rsa1024min=0` for that). zcrypto's DHE suites,
// the DHE export one included, always use the 2048-bit RFC 5114 group.
//
// -fixed-rand draws every random value the handshakes use from a constant
// stream instead of crypto/rand: the server then sends the same DHE and
// ECDHE public value (and server random) in every handshake, as a server
// with a broken generator or an ephemeral key cache does. It exists for
// padlock's key-reuse tests; never serve anything real with it.
//
// Every connection gets at most ten seconds; after a handshake the server
// reads the request (if any) and answers "padlock lab: legacy" over HTTP/1.0.
// When it is listening it prints "listening on ADDR" on standard output.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zmap/zcrypto/tls"
)

// DefaultCiphers is the suite list served when -ciphers is not given: the
// RSA-certificate suites of the SSLv3 era, strongest last.
var DefaultCiphers = []uint16{
	0x0003, // TLS_RSA_EXPORT_WITH_RC4_40_MD5
	0x0006, // TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5
	0x0008, // TLS_RSA_EXPORT_WITH_DES40_CBC_SHA
	0x0014, // TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA
	0x0015, // TLS_DHE_RSA_WITH_DES_CBC_SHA
	0x0004, // TLS_RSA_WITH_RC4_128_MD5
	0x0005, // TLS_RSA_WITH_RC4_128_SHA
	0x000A, // TLS_RSA_WITH_3DES_EDE_CBC_SHA
	0x0016, // TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA
	0x002F, // TLS_RSA_WITH_AES_128_CBC_SHA
	0x0035, // TLS_RSA_WITH_AES_256_CBC_SHA
}

var versions = map[string]uint16{
	"ssl3":   tls.VersionSSL30,
	"tls1":   tls.VersionTLS10,
	"tls1.0": tls.VersionTLS10,
	"tls1.1": tls.VersionTLS11,
	"tls1.2": tls.VersionTLS12,
}

// options are the parsed command-line flags.
type options struct {
	listen     string
	certFile   string
	keyFile    string
	min, max   uint16
	ciphers    []uint16
	clientPref bool
	fixedRand  bool
	body       string
}

func parseVersion(s string) (uint16, error) {
	v, ok := versions[strings.ToLower(s)]
	if !ok {
		return 0, fmt.Errorf("unknown version %q (want ssl3, tls1.0, tls1.1 or tls1.2)", s)
	}
	return v, nil
}

func parseCiphers(s string) ([]uint16, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultCiphers, nil
	}
	var out []uint16
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		n, err := strconv.ParseUint(f, 0, 16)
		if err != nil {
			return nil, fmt.Errorf("bad cipher suite %q: %v", f, err)
		}
		out = append(out, uint16(n))
	}
	return out, nil
}

func parseFlags(args []string) (*options, error) {
	fs := flag.NewFlagSet("legacy-tls-server", flag.ContinueOnError)
	o := &options{}
	var minS, maxS, ciphers string
	fs.StringVar(&o.listen, "listen", "", "loopback address to listen on, e.g. 127.0.0.1:4433")
	fs.StringVar(&o.certFile, "cert", "", "PEM certificate file (leaf first, then intermediates)")
	fs.StringVar(&o.keyFile, "key", "", "PEM private key file")
	fs.StringVar(&minS, "min", "ssl3", "lowest version: ssl3, tls1.0, tls1.1, tls1.2")
	fs.StringVar(&maxS, "max", "tls1.0", "highest version: ssl3, tls1.0, tls1.1, tls1.2")
	fs.StringVar(&ciphers, "ciphers", "", "comma-separated cipher suite numbers, e.g. 0x0003,0x000A (default: SSLv3-era RSA suites)")
	fs.BoolVar(&o.clientPref, "clientpref", false, "follow the client's cipher order instead of the server's")
	fs.BoolVar(&o.fixedRand, "fixed-rand", false, "draw all handshake randomness from a constant stream: the same ephemeral keys every time (key-reuse tests only)")
	fs.StringVar(&o.body, "body", "padlock lab: legacy", "text of the HTTP answer")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.listen == "" || o.certFile == "" || o.keyFile == "" {
		return nil, errors.New("-listen, -cert and -key are required")
	}
	var err error
	if o.min, err = parseVersion(minS); err != nil {
		return nil, err
	}
	if o.max, err = parseVersion(maxS); err != nil {
		return nil, err
	}
	if o.min > o.max {
		return nil, fmt.Errorf("-min %s is above -max %s", minS, maxS)
	}
	if o.ciphers, err = parseCiphers(ciphers); err != nil {
		return nil, err
	}
	return o, nil
}

// checkLoopback refuses to listen anywhere but on a loopback address.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("refusing to listen on %q: only loopback addresses are allowed", addr)
}

// newConfig builds the zcrypto server configuration.
func newConfig(o *options) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(o.certFile, o.keyFile)
	if err != nil {
		return nil, fmt.Errorf("loading certificate: %w", err)
	}
	// One ephemeral key for all RSA_EXPORT handshakes, as export-era servers
	// did; generating one per handshake would be slow and no more realistic.
	exportKey, err := rsa.GenerateKey(rand.Reader, 512)
	if err != nil {
		return nil, fmt.Errorf("generating the 512-bit export key: %w", err)
	}
	cfg := &tls.Config{
		Certificates:             []tls.Certificate{cert},
		MinVersion:               o.min,
		MaxVersion:               o.max,
		CipherSuites:             o.ciphers,
		PreferServerCipherSuites: !o.clientPref,
		ExportRSAKey:             exportKey,
		SessionTicketsDisabled:   true,
	}
	if o.fixedRand {
		cfg.Rand = constantReader{}
	}
	return cfg, nil
}

// constantReader reads an endless run of 0x11 bytes: every "random" value
// drawn from it is the same, and below the group orders zcrypto samples
// against (the RFC 5114 subgroup order begins 0x8C, P-256's 0xFF), so each
// draw succeeds at the first try.
type constantReader struct{}

func (constantReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0x11
	}
	return len(p), nil
}

// server accepts connections until its listener is closed.
type server struct {
	ln   net.Listener
	cfg  *tls.Config
	body string
	wg   sync.WaitGroup
}

func (s *server) serve() error {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c)
		}()
	}
}

func (s *server) handle(raw net.Conn) {
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	c := tls.Server(raw, s.cfg)
	if err := c.Handshake(); err != nil {
		return
	}
	// Read the request head, if the client sends one.
	buf := make([]byte, 0, 1024)
	tmp := make([]byte, 512)
	raw.SetReadDeadline(time.Now().Add(2 * time.Second))
	for len(buf) < 8192 && !strings.Contains(string(buf), "\r\n\r\n") {
		n, err := c.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if err != nil {
			break
		}
	}
	raw.SetWriteDeadline(time.Now().Add(5 * time.Second))
	body := s.body + "\n"
	fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	c.Close()
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	if err := checkLoopback(o.listen); err != nil {
		return err
	}
	cfg, err := newConfig(o)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	s := &server{ln: ln, cfg: cfg, body: o.body}
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
	err = s.serve()
	s.wg.Wait()
	return err
}

func main() {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "legacy-tls-server:", err)
		os.Exit(1)
	}
}
