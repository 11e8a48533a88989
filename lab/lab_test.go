package lab

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"padlock/lab/missing"
)

func TestKeyTypes(t *testing.T) {
	for _, kt := range []string{KeyRSA1024, KeyRSA2048, KeyP256, KeyP384, KeyP521, KeyEd25519, ""} {
		k, err := NewKey(kt)
		if err != nil {
			t.Fatalf("NewKey(%q): %v", kt, err)
		}
		want := kt
		if want == "" {
			want = DefaultKeyType
		}
		if got := keyTypeOf(k); got != want {
			t.Errorf("NewKey(%q) made a %s key", kt, got)
		}
	}
	if _, err := NewKey("dsa1024"); err == nil {
		t.Error("NewKey accepted an unknown key type")
	}
}

func TestKeyPoolRotation(t *testing.T) {
	var prev *rsa.PrivateKey
	for i := 0; i < 2*rsaPoolSize+1; i++ {
		k, err := NewKey(KeyRSA1024)
		if err != nil {
			t.Fatal(err)
		}
		rk := k.(*rsa.PrivateKey)
		if prev != nil && rk.Equal(prev) {
			t.Fatalf("request %d returned the previous key again", i)
		}
		prev = rk
	}
}

func verify(leaf *Leaf, roots *x509.CertPool, name string) error {
	inter := x509.NewCertPool()
	for _, der := range leaf.Chain[1:] {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return err
		}
		inter.AddCert(c)
	}
	_, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: name})
	return err
}

func TestChains(t *testing.T) {
	root, err := NewCA("test root")
	if err != nil {
		t.Fatal(err)
	}
	if !root.Cert.IsCA || root.Root() != root || len(root.served) != 0 {
		t.Fatal("root is not a root")
	}
	inter, err := root.Intermediate("test intermediate")
	if err != nil {
		t.Fatal(err)
	}
	inter2, err := inter.Intermediate("second intermediate", CAKeyType(KeyP384))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ca    *CA
		opts  LeafOptions
		chain int
		key   any
	}{
		{root, LeafOptions{}, 1, &rsa.PrivateKey{}},
		{inter, LeafOptions{KeyType: KeyP256}, 2, &ecdsa.PrivateKey{}},
		{inter2, LeafOptions{KeyType: KeyEd25519, DNSNames: []string{"localhost", "a.example"}}, 3, ed25519.PrivateKey{}},
		{inter, LeafOptions{KeyType: KeyRSA1024, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}, 2, &rsa.PrivateKey{}},
	} {
		leaf, err := tc.ca.Issue(tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(leaf.Chain) != tc.chain {
			t.Errorf("%s: chain length %d, want %d", tc.ca.Cert.Subject.CommonName, len(leaf.Chain), tc.chain)
		}
		if leaf.Issuer != tc.ca {
			t.Error("wrong Issuer")
		}
		if err := verify(leaf, root.Pool(), ""); err != nil {
			t.Errorf("%s: %v", tc.ca.Cert.Subject.CommonName, err)
		}
		name := "localhost"
		if len(tc.opts.IPs) > 0 {
			name = "127.0.0.1"
		}
		if err := leaf.Cert.VerifyHostname(name); err != nil {
			t.Error(err)
		}
	}
}

func TestDefaultLeaf(t *testing.T) {
	leaf, err := SelfSigned(LeafOptions{KeyType: KeyP256})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
		if err := leaf.Cert.VerifyHostname(h); err != nil {
			t.Error(err)
		}
	}
	if leaf.Issuer != nil || len(leaf.Chain) != 1 {
		t.Error("self-signed leaf has an issuer or a chain")
	}
	if leaf.Cert.Subject.String() != leaf.Cert.Issuer.String() {
		t.Error("self-signed leaf has a different issuer")
	}
	if err := leaf.Cert.CheckSignature(leaf.Cert.SignatureAlgorithm, leaf.Cert.RawTBSCertificate, leaf.Cert.Signature); err != nil {
		t.Errorf("self signature: %v", err)
	}
	if d := leaf.Cert.NotAfter.Sub(leaf.Cert.NotBefore); d != 90*24*time.Hour {
		t.Errorf("default validity %v", d)
	}
}

func TestSHA1Leaf(t *testing.T) {
	root, err := NewCA("sha1 root")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := root.Issue(LeafOptions{SignatureAlgorithm: x509.SHA1WithRSA})
	if err != nil {
		t.Fatal(err)
	}
	if leaf.Cert.SignatureAlgorithm != x509.SHA1WithRSA {
		t.Fatalf("signature algorithm %v", leaf.Cert.SignatureAlgorithm)
	}
	// crypto/x509 refuses to verify SHA-1 signatures in chains: that is
	// exactly what makes such a certificate a finding.
	var ua x509.UnknownAuthorityError
	if err := verify(leaf, root.Pool(), "localhost"); !errors.As(err, &ua) || !strings.Contains(err.Error(), "insecure algorithm SHA1-RSA") {
		t.Errorf("verify: %v, want an unknown authority error for the SHA-1 signature", err)
	}
	ecRoot, err := NewCA("ecdsa root", CAKeyType(KeyP256))
	if err != nil {
		t.Fatal(err)
	}
	ecLeaf, err := ecRoot.Issue(LeafOptions{KeyType: KeyP256, SignatureAlgorithm: x509.ECDSAWithSHA1})
	if err != nil {
		t.Fatal(err)
	}
	if ecLeaf.Cert.SignatureAlgorithm != x509.ECDSAWithSHA1 {
		t.Errorf("signature algorithm %v", ecLeaf.Cert.SignatureAlgorithm)
	}
	if _, err := ecRoot.Issue(LeafOptions{SignatureAlgorithm: x509.SHA1WithRSA}); err == nil {
		t.Error("an ECDSA CA signed with SHA1WithRSA")
	}
	sha1Root, err := NewCA("sha1 self-signed root", CASignatureAlgorithm(x509.SHA1WithRSA))
	if err != nil {
		t.Fatal(err)
	}
	sha1Inter, err := root.Intermediate("sha1 intermediate", CASignatureAlgorithm(x509.SHA1WithRSA))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*CA{sha1Root, sha1Inter} {
		if c.Cert.SignatureAlgorithm != x509.SHA1WithRSA {
			t.Errorf("%s: signature algorithm %v", c.Cert.Subject.CommonName, c.Cert.SignatureAlgorithm)
		}
	}
}

func TestWritePEM(t *testing.T) {
	root, err := NewCA("pem root")
	if err != nil {
		t.Fatal(err)
	}
	inter, err := root.Intermediate("pem intermediate")
	if err != nil {
		t.Fatal(err)
	}
	for _, kt := range []string{KeyRSA2048, KeyP256, KeyEd25519} {
		leaf, err := inter.Issue(LeafOptions{KeyType: kt})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		cf, kf, err := leaf.WritePEM(dir, "server")
		if err != nil {
			t.Fatal(err)
		}
		pair, err := tls.LoadX509KeyPair(cf, kf)
		if err != nil {
			t.Fatalf("%s: %v", kt, err)
		}
		if len(pair.Certificate) != 2 {
			t.Errorf("%s: %d certificates in the cert file", kt, len(pair.Certificate))
		}
	}
	f, err := inter.WriteRootPEM(t.TempDir(), "root")
	if err != nil || !strings.HasSuffix(f, "root.pem") {
		t.Fatal(f, err)
	}
}

// dial handshakes with s using cfg (ServerName "localhost" unless set) and
// returns the connection state.
func dial(t *testing.T, s *GoServer, cfg *tls.Config) (tls.ConnectionState, error) {
	t.Helper()
	if cfg.ServerName == "" {
		cfg.ServerName = "localhost"
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", s.Addr, cfg)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer c.Close()
	return c.ConnectionState(), nil
}

func TestStartGo(t *testing.T) {
	leaf, err := SelfSigned(LeafOptions{KeyType: KeyP256})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := StartGo(ctx, "plain", &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.Addr, "127.0.0.1:") || s.Port == 0 {
		t.Fatalf("Addr %q Port %d", s.Addr, s.Port)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf.Cert)
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	defer client.CloseIdleConnections()
	resp, err := client.Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "padlock lab: plain\n" {
		t.Errorf("body %q", body)
	}
	client.CloseIdleConnections()

	// Cancelling the context stops the server.
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("server still accepts after cancel")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close after cancel: %v", err)
	}
}

func TestDemoCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range DemoServers() {
		if d.Name == "" || d.Description == "" || d.Build == nil || seen[d.Name] {
			t.Errorf("bad spec %+v", d)
		}
		seen[d.Name] = true
	}
	for _, n := range []string{"modern", "legacy", "rc4", "expired", "self-signed", "tls13-only", "client-order"} {
		if !seen[n] {
			t.Errorf("catalogue lacks %q", n)
		}
	}
}

func TestDemoServers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	servers, err := StartDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*GoServer{}
	for _, s := range servers {
		byName[s.Name] = s
		defer s.Close()
	}
	ca, _ := DemoCA()
	roots := ca.Pool()

	type check struct {
		name   string
		client *tls.Config
		// wantErr is a substring of the expected handshake error; empty
		// means the handshake must succeed.
		wantErr string
		version uint16
		suite   uint16
		certs   int
	}
	checks := []check{
		{"modern", &tls.Config{RootCAs: roots}, "", tls.VersionTLS13, 0, 2},
		{"modern", &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS12}, "", tls.VersionTLS12, 0, 2},
		{"modern", &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}}, "handshake failure", 0, 0, 0},
		{"modern", &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}, "protocol version", 0, 0, 0},
		{"tls13-only", &tls.Config{RootCAs: roots}, "", tls.VersionTLS13, 0, 2},
		{"tls13-only", &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS12}, "protocol version", 0, 0, 0},
		{"legacy", &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10,
			CipherSuites: []uint16{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}}, "", tls.VersionTLS10, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, 2},
		{"legacy", &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS11, MaxVersion: tls.VersionTLS11,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}}, "", tls.VersionTLS11, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, 2},
		{"legacy", &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}}, "", tls.VersionTLS12, tls.TLS_RSA_WITH_AES_128_GCM_SHA256, 2},
		// Go's default client offers neither static RSA nor 3DES.
		{"legacy", &tls.Config{RootCAs: roots}, "", tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, 2},
		{"rc4", &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10,
			CipherSuites: []uint16{tls.TLS_RSA_WITH_RC4_128_SHA}}, "", tls.VersionTLS10, tls.TLS_RSA_WITH_RC4_128_SHA, 2},
		{"rc4", &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA}}, "", tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA, 2},
		{"rc4", &tls.Config{RootCAs: roots}, "", tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, 2},
		{"client-order", &tls.Config{RootCAs: roots, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}}, "", tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, 2},
		{"client-order", &tls.Config{RootCAs: roots, CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}}, "handshake failure", 0, 0, 0},
		{"expired", &tls.Config{RootCAs: roots}, "expired", 0, 0, 0},
		{"expired", &tls.Config{InsecureSkipVerify: true}, "", tls.VersionTLS13, 0, 2},
		{"self-signed", &tls.Config{RootCAs: roots}, "unknown authority", 0, 0, 0},
		{"self-signed", &tls.Config{InsecureSkipVerify: true}, "", tls.VersionTLS13, 0, 1},
		{"incomplete-chain", &tls.Config{RootCAs: roots}, "unknown authority", 0, 0, 0},
		{"incomplete-chain", &tls.Config{InsecureSkipVerify: true}, "", tls.VersionTLS13, 0, 1},
		{"wrong-name", &tls.Config{RootCAs: roots}, "valid for padlock-lab.invalid, not localhost", 0, 0, 0},
		{"wrong-name", &tls.Config{RootCAs: roots, ServerName: "padlock-lab.invalid"}, "", tls.VersionTLS13, 0, 2},
		{"weak-key", &tls.Config{RootCAs: roots}, "", tls.VersionTLS13, 0, 2},
		{"sha1-signature", &tls.Config{RootCAs: roots}, "insecure algorithm SHA1-RSA", 0, 0, 0},
		{"sha1-signature", &tls.Config{InsecureSkipVerify: true}, "", tls.VersionTLS13, 0, 2},
	}
	for _, c := range checks {
		s := byName[c.name]
		if s == nil {
			t.Fatalf("no demo server %q", c.name)
		}
		if s.CA != ca.Root() || s.Description == "" {
			t.Errorf("%s: CA or Description not set", c.name)
		}
		st, err := dial(t, s, c.client)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
			continue
		case c.wantErr != "" && err == nil:
			t.Errorf("%s: handshake succeeded (%s, %s), want error %q", c.name,
				tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), c.wantErr)
			continue
		case c.wantErr != "":
			if !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %q, want %q", c.name, err, c.wantErr)
			}
			continue
		}
		if st.Version != c.version {
			t.Errorf("%s: version %s, want %s", c.name, tls.VersionName(st.Version), tls.VersionName(c.version))
		}
		if c.suite != 0 && st.CipherSuite != c.suite {
			t.Errorf("%s: suite %s, want %s", c.name, tls.CipherSuiteName(st.CipherSuite), tls.CipherSuiteName(c.suite))
		}
		if len(st.PeerCertificates) != c.certs {
			t.Errorf("%s: %d certificates served, want %d", c.name, len(st.PeerCertificates), c.certs)
		}
	}
	if k := byName["weak-key"].Config.Certificates[0].Leaf.PublicKey.(*rsa.PublicKey); k.N.BitLen() != 1024 {
		t.Errorf("weak-key serves a %d-bit key", k.N.BitLen())
	}
}

// A Go client always sends its own fixed suite order, so the client-order
// server's choice is checked by calling its callback directly, and end to
// end with openssl s_client when it is installed.
func TestClientOrder(t *testing.T) {
	ca, err := DemoCA()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := clientOrderConfig(ca)
	if err != nil {
		t.Fatal(err)
	}
	for _, order := range [][]uint16{
		{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
		{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA},
		{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384},
	} {
		got, err := cfg.GetConfigForClient(&tls.ClientHelloInfo{CipherSuites: order})
		if err != nil {
			t.Fatal(err)
		}
		want := order[0]
		if want == tls.TLS_RSA_WITH_AES_128_CBC_SHA {
			want = order[1]
		}
		if len(got.CipherSuites) != 1 || got.CipherSuites[0] != want {
			t.Errorf("client order %x: server narrowed to %x, want %x", order, got.CipherSuites, want)
		}
	}

	openssl, err := exec.LookPath("openssl")
	if err != nil {
		missing.Peer(t, "openssl not installed: end-to-end order check skipped")
	}
	s, err := StartGo(context.Background(), "client-order", cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct{ ciphers, want string }{
		{"ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA"},
		{"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES128-GCM-SHA256"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cmd := exec.CommandContext(ctx, openssl, "s_client", "-connect", s.Addr, "-tls1_2", "-cipher", tc.ciphers)
		cmd.Stdin = strings.NewReader("")
		out, _ := cmd.CombinedOutput()
		cancel()
		if !strings.Contains(string(out), "Cipher is "+tc.want) {
			t.Errorf("offering %s: want %s chosen, s_client said:\n%s", tc.ciphers, tc.want, out)
		}
	}
}
