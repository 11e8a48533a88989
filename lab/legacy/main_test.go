package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zmap/zcrypto/tls"
)

// writeCert writes a self-signed RSA certificate for 127.0.0.1 to dir.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// start runs the server in-process on an ephemeral loopback port and returns
// its address; it is stopped at cleanup.
func start(t *testing.T, extra ...string) string {
	t.Helper()
	cf, kf := writeCert(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	args := append([]string{"-listen", "127.0.0.1:0", "-cert", cf, "-key", kf}, extra...)
	go func() {
		done <- run(ctx, args, pw)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not stop within 10s")
		}
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(pr).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, pr)
	}()
	select {
	case line := <-lines:
		addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
		if !ok {
			t.Fatalf("unexpected first line %q", line)
		}
		return addr
	case err := <-done:
		t.Fatalf("server exited: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start within 10s")
	}
	return ""
}

func handshake(t *testing.T, addr string, cfg *tls.Config) (tls.ConnectionState, string, error) {
	t.Helper()
	cfg.InsecureSkipVerify = true
	raw, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	c := tls.Client(raw, cfg)
	if err := c.Handshake(); err != nil {
		return tls.ConnectionState{}, "", err
	}
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	resp, _ := io.ReadAll(c)
	return c.ConnectionState(), string(resp), nil
}

func TestSSL3Export(t *testing.T) {
	addr := start(t, "-min", "ssl3", "-max", "tls1.0")
	for _, tc := range []struct {
		min, max uint16
		suites   []uint16
		version  uint16
		suite    uint16
	}{
		{tls.VersionSSL30, tls.VersionSSL30, []uint16{0x0003}, tls.VersionSSL30, 0x0003},
		{tls.VersionSSL30, tls.VersionSSL30, []uint16{0x0008}, tls.VersionSSL30, 0x0008},
		{tls.VersionSSL30, tls.VersionSSL30, []uint16{0x0004}, tls.VersionSSL30, 0x0004},
		{tls.VersionSSL30, tls.VersionSSL30, []uint16{0x0014}, tls.VersionSSL30, 0x0014},
		{tls.VersionSSL30, tls.VersionTLS12, []uint16{0x0006}, tls.VersionTLS10, 0x0006},
		{tls.VersionSSL30, tls.VersionTLS12, []uint16{0x002F, 0x000A}, tls.VersionTLS10, 0x000A},
	} {
		st, resp, err := handshake(t, addr, &tls.Config{MinVersion: tc.min, MaxVersion: tc.max, CipherSuites: tc.suites})
		if err != nil {
			t.Errorf("suites %04x: %v", tc.suites, err)
			continue
		}
		if st.Version != tc.version || st.CipherSuite != tc.suite {
			t.Errorf("suites %04x: got version %04x suite %04x, want %04x %04x", tc.suites, st.Version, st.CipherSuite, tc.version, tc.suite)
		}
		if !strings.HasSuffix(resp, "padlock lab: legacy\n") {
			t.Errorf("response %q", resp)
		}
	}
	// Nothing above the maximum.
	if _, _, err := handshake(t, addr, &tls.Config{MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS12}); err == nil {
		t.Error("TLS 1.1+ client was served by a server capped at TLS 1.0")
	}
}

func TestCiphersAndClientPref(t *testing.T) {
	addr := start(t, "-min", "tls1.0", "-max", "tls1.2", "-ciphers", "0x000A,5,0x0003", "-clientpref")
	st, _, err := handshake(t, addr, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{0x0003, 0x000A}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Version != tls.VersionTLS12 || st.CipherSuite != 0x0003 {
		t.Errorf("got version %04x suite %04x, want TLS 1.2 with the client's first choice 0x0003", st.Version, st.CipherSuite)
	}
	if _, _, err := handshake(t, addr, &tls.Config{MinVersion: tls.VersionSSL30, MaxVersion: tls.VersionSSL30, CipherSuites: []uint16{0x000A}}); err == nil {
		t.Error("SSLv3 client was served by a server with -min tls1.0")
	}
	if _, _, err := handshake(t, addr, &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{0x002F}}); err == nil {
		t.Error("a suite outside -ciphers was negotiated")
	}

	addr = start(t, "-min", "tls1.0", "-max", "tls1.2", "-ciphers", "0x000A,5,0x0003")
	st, _, err = handshake(t, addr, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{0x0003, 0x000A}})
	if err != nil {
		t.Fatal(err)
	}
	if st.CipherSuite != 0x000A {
		t.Errorf("server order: got suite %04x, want 0x000A", st.CipherSuite)
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-listen", "127.0.0.1:1", "-cert", "c", "-key", "k", "-min", "tls1.2", "-max", "ssl3"},
		{"-listen", "127.0.0.1:1", "-cert", "c", "-key", "k", "-min", "sslv2"},
		{"-listen", "127.0.0.1:1", "-cert", "c", "-key", "k", "-ciphers", "0x1ffff"},
	} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	for _, a := range []string{"0.0.0.0:1", "[::]:1", "192.0.2.1:1", ":1"} {
		if checkLoopback(a) == nil {
			t.Errorf("checkLoopback(%q) accepted", a)
		}
	}
	for _, a := range []string{"127.0.0.1:1", "[::1]:1", "localhost:1"} {
		if err := checkLoopback(a); err != nil {
			t.Errorf("checkLoopback(%q): %v", a, err)
		}
	}
}
