package peer

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"padlock/lab"
)

// sClient runs `openssl s_client -brief` against addr (bounded by ten
// seconds) and returns the negotiated protocol and cipher, or the output.
func sClient(t *testing.T, addr string, args ...string) (proto, cipher, out string) {
	t.Helper()
	bin := Require(t, "openssl")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"s_client", "-connect", addr, "-brief", "-servername", "localhost"}, args...)...)
	cmd.Stdin = strings.NewReader("")
	cmd.WaitDelay = 2 * time.Second
	b, _ := cmd.CombinedOutput()
	out = string(b)
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "Protocol version: "); ok {
			proto = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "Ciphersuite: "); ok {
			cipher = strings.TrimSpace(v)
		}
	}
	return proto, cipher, out
}

// goHandshake connects with crypto/tls and returns the connection state.
func goHandshake(addr string, cfg *tls.Config) (tls.ConnectionState, error) {
	if cfg.ServerName == "" {
		cfg.ServerName = "localhost"
	}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer c.Close()
	return c.ConnectionState(), nil
}

// httpsGet fetches https://addr/ trusting only ca.
func httpsGet(t *testing.T, addr string, cfg *tls.Config) string {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Timeout: 5 * time.Second, Transport: tr}
	resp, err := client.Get("https://" + addr + "/")
	if err != nil {
		t.Fatalf("GET https://%s/: %v", addr, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func intermediateLeaf(t *testing.T, opts lab.LeafOptions) *lab.Leaf {
	t.Helper()
	inter, err := RootCA(t).Intermediate("padlock peer test intermediate")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := inter.Issue(opts)
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

func TestRequireAndFreePort(t *testing.T) {
	if p := FreePort(t); p <= 0 || p > 65535 {
		t.Errorf("FreePort = %d", p)
	}
	if Require(t, "sh") == "" {
		t.Error("Require(sh) returned nothing")
	}
	ok := t.Run("missing", func(t *testing.T) {
		t.Setenv("CI", "")
		Require(t, "padlock-no-such-binary")
		t.Error("Require did not skip")
	})
	if !ok {
		t.Error("missing binary failed the test outside CI")
	}
}

func TestOpenSSL(t *testing.T) {
	t.Parallel()
	t.Run("tls1.0", func(t *testing.T) {
		t.Parallel()
		s := OpenSSL(t, OpenSSLOptions{
			Protocols: []string{"-tls1"},
			Ciphers:   "ALL:COMPLEMENTOFALL:@SECLEVEL=0",
			Www:       true,
		})
		proto, _, out := sClient(t, s.Addr, "-tls1", "-cipher", "ALL:@SECLEVEL=0")
		if proto != "TLSv1" {
			t.Errorf("s_client negotiated %q:\n%s", proto, out)
		}
		st, err := goHandshake(s.Addr, &tls.Config{
			RootCAs:      s.CA.Pool(),
			MinVersion:   tls.VersionTLS10,
			MaxVersion:   tls.VersionTLS10,
			CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA},
		})
		if err != nil {
			t.Fatalf("Go client: %v\nserver log:\n%s", err, s.LogString())
		}
		if st.Version != tls.VersionTLS10 || st.CipherSuite != tls.TLS_RSA_WITH_AES_128_CBC_SHA {
			t.Errorf("got %s %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
		}
		if _, err := goHandshake(s.Addr, &tls.Config{RootCAs: s.CA.Pool()}); err == nil {
			t.Error("a TLS 1.2+ client was served by a -tls1 server")
		}
	})
	t.Run("chain-and-www", func(t *testing.T) {
		t.Parallel()
		leaf := intermediateLeaf(t, lab.LeafOptions{KeyType: lab.KeyP256})
		s := OpenSSL(t, OpenSSLOptions{Leaf: leaf, Www: true})
		st, err := goHandshake(s.Addr, &tls.Config{RootCAs: s.CA.Pool()})
		if err != nil {
			t.Fatal(err)
		}
		if st.Version != tls.VersionTLS13 || len(st.PeerCertificates) != 2 {
			t.Errorf("got %s with %d certificates", tls.VersionName(st.Version), len(st.PeerCertificates))
		}
		if body := httpsGet(t, s.Addr, &tls.Config{RootCAs: s.CA.Pool()}); !strings.Contains(body, "s_server") {
			t.Errorf("-www page: %q", body)
		}
	})
	t.Run("server-preference", func(t *testing.T) {
		t.Parallel()
		// Go's client always lists AES-128-GCM before AES-256-GCM.
		client := &tls.Config{RootCAs: RootCA(t).Pool(), MaxVersion: tls.VersionTLS12}
		for _, pref := range []bool{false, true} {
			s := OpenSSL(t, OpenSSLOptions{
				Protocols:  []string{"-tls1_2"},
				Ciphers:    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256",
				ServerPref: pref,
			})
			st, err := goHandshake(s.Addr, client.Clone())
			if err != nil {
				t.Fatal(err)
			}
			want := tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
			if pref {
				want = tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
			}
			if st.CipherSuite != want {
				t.Errorf("ServerPref %v: got %s, want %s", pref, tls.CipherSuiteName(st.CipherSuite), tls.CipherSuiteName(want))
			}
			s.Close()
		}
	})
	t.Run("dhe-1024", func(t *testing.T) {
		t.Parallel()
		s := OpenSSL(t, OpenSSLOptions{
			Protocols: []string{"-tls1_2"},
			Ciphers:   "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
			DHParam:   DHParamsFile(t, 1024),
		})
		proto, cipher, out := sClient(t, s.Addr, "-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0")
		if proto != "TLSv1.2" || cipher != "DHE-RSA-AES128-GCM-SHA256" || !strings.Contains(out, "DH, 1024 bits") {
			t.Errorf("s_client:\n%s", out)
		}
	})
}

func TestDHParamsFile(t *testing.T) {
	t.Parallel()
	a := DHParamsFile(t, 2048)
	if b := DHParamsFile(t, 2048); a != b {
		t.Errorf("not cached: %s vs %s", a, b)
	}
	bin := Require(t, "openssl")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "pkeyparam", "-in", a, "-text", "-noout").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ffdhe2048") {
		t.Errorf("ffdhe2048 file: %v\n%s", err, out)
	}
}

func TestGnuTLS(t *testing.T) {
	t.Parallel()
	t.Run("default", func(t *testing.T) {
		t.Parallel()
		leaf := intermediateLeaf(t, lab.LeafOptions{})
		s := GnuTLS(t, GnuTLSOptions{Leaf: leaf})
		st, err := goHandshake(s.Addr, &tls.Config{RootCAs: s.CA.Pool()})
		if err != nil {
			t.Fatalf("%v\nserver log:\n%s", err, s.LogString())
		}
		if st.Version != tls.VersionTLS13 || len(st.PeerCertificates) != 2 {
			t.Errorf("got %s with %d certificates", tls.VersionName(st.Version), len(st.PeerCertificates))
		}
		if body := httpsGet(t, s.Addr, &tls.Config{RootCAs: s.CA.Pool()}); !strings.Contains(body, "GnuTLS") {
			t.Errorf("--http page: %.200q", body)
		}
		proto, _, out := sClient(t, s.Addr, "-tls1_2")
		if proto != "TLSv1.2" {
			t.Errorf("s_client -tls1_2:\n%s", out)
		}
	})
	// Debian's OpenSSL 3 has no 3DES or RC4 suites at all; GnuTLS still
	// serves both when asked.
	t.Run("tls1.0-3des-rc4", func(t *testing.T) {
		t.Parallel()
		s := GnuTLS(t, GnuTLSOptions{Priority: "NORMAL:-VERS-ALL:+VERS-TLS1.0:+3DES-CBC:+ARCFOUR-128:+RSA"})
		for _, suite := range []uint16{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_RSA_WITH_RC4_128_SHA} {
			st, err := goHandshake(s.Addr, &tls.Config{
				RootCAs:      s.CA.Pool(),
				MinVersion:   tls.VersionTLS10,
				MaxVersion:   tls.VersionTLS12,
				CipherSuites: []uint16{suite},
			})
			if err != nil {
				t.Fatalf("%v\nserver log:\n%s", err, s.LogString())
			}
			if st.Version != tls.VersionTLS10 || st.CipherSuite != suite {
				t.Errorf("got %s %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
			}
		}
		proto, _, out := sClient(t, s.Addr, "-tls1", "-cipher", "AES128-SHA:@SECLEVEL=0")
		if proto != "TLSv1" {
			t.Errorf("s_client -tls1:\n%s", out)
		}
	})
}

func TestNginx(t *testing.T) {
	t.Parallel()
	for _, master := range []bool{false, true} {
		t.Run("master="+strconv.FormatBool(master), func(t *testing.T) {
			t.Parallel()
			leaf := intermediateLeaf(t, lab.LeafOptions{KeyType: lab.KeyRSA2048})
			s := Nginx(t, NginxOptions{
				Leaf:          leaf,
				Protocols:     "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3",
				Ciphers:       "ALL:@SECLEVEL=0",
				VHosts:        []NginxVHost{{ServerName: "other.test"}},
				HTTP:          true,
				MasterProcess: master,
			})
			pool := s.CA.Pool()
			st, err := goHandshake(s.Addr, &tls.Config{RootCAs: pool})
			if err != nil {
				t.Fatalf("%v\nserver log:\n%s", err, s.LogString())
			}
			if st.Version != tls.VersionTLS13 || len(st.PeerCertificates) != 2 {
				t.Errorf("got %s with %d certificates", tls.VersionName(st.Version), len(st.PeerCertificates))
			}
			st, err = goHandshake(s.Addr, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10})
			if err != nil || st.Version != tls.VersionTLS10 {
				t.Errorf("TLS 1.0: %v %s", err, tls.VersionName(st.Version))
			}
			proto, _, out := sClient(t, s.Addr, "-tls1_1", "-cipher", "ALL:@SECLEVEL=0")
			if proto != "TLSv1.1" {
				t.Errorf("s_client -tls1_1:\n%s", out)
			}
			// SNI selects the second server block and its certificate.
			st, err = goHandshake(s.Addr, &tls.Config{RootCAs: pool, ServerName: "other.test"})
			if err != nil || st.PeerCertificates[0].Subject.CommonName != "other.test" {
				t.Errorf("SNI other.test: %v", err)
			}
			if body := httpsGet(t, s.Addr, &tls.Config{RootCAs: pool, ServerName: "localhost"}); body != "padlock lab: nginx localhost\n" {
				t.Errorf("body %q", body)
			}
			c, err := net.DialTimeout("tcp", net.JoinHostPort(s.Host, strconv.Itoa(s.HTTPPort)), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			fmt.Fprintf(c, "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
			resp, _ := io.ReadAll(c)
			if !strings.HasSuffix(string(resp), "padlock lab: nginx http\n") {
				t.Errorf("plain HTTP: %q", resp)
			}
		})
	}
}

// sslv3Hello sends a minimal SSL 3.0 ClientHello offering suites and returns
// the version and suite of the ServerHello.
func sslv3Hello(addr string, suites []uint16) (version, suite uint16, err error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))

	body := []byte{0x03, 0x00}               // client_version SSL 3.0
	body = append(body, make([]byte, 32)...) // random (zeros will do)
	body = append(body, 0)                   // no session id
	body = binary.BigEndian.AppendUint16(body, uint16(2*len(suites)))
	for _, s := range suites {
		body = binary.BigEndian.AppendUint16(body, s)
	}
	body = append(body, 1, 0) // compression: null only
	hs := append([]byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
	rec := append([]byte{22, 0x03, 0x00, byte(len(hs) >> 8), byte(len(hs))}, hs...)
	if _, err := c.Write(rec); err != nil {
		return 0, 0, err
	}

	r := bufio.NewReader(c)
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return 0, 0, err
	}
	payload := make([]byte, binary.BigEndian.Uint16(hdr[3:]))
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, 0, err
	}
	switch {
	case hdr[0] == 21 && len(payload) >= 2:
		return 0, 0, fmt.Errorf("alert %d", payload[1])
	case hdr[0] != 22 || len(payload) < 4+2+32+1 || payload[0] != 2:
		return 0, 0, errors.New("no ServerHello")
	}
	sh := payload[4:]
	version = binary.BigEndian.Uint16(sh)
	sidLen := int(sh[34])
	if len(sh) < 35+sidLen+2 {
		return 0, 0, errors.New("short ServerHello")
	}
	return version, binary.BigEndian.Uint16(sh[35+sidLen:]), nil
}

func TestLegacy(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: builds the zcrypto-based legacy-tls-server")
	}
	t.Parallel()
	s := Legacy(t, LegacyOptions{})
	v, suite, err := sslv3Hello(s.Addr, []uint16{0x0003, 0x000A})
	if err != nil {
		t.Fatalf("SSLv3 hello: %v\nserver log:\n%s", err, s.LogString())
	}
	if v != 0x0300 || suite != 0x0003 {
		t.Errorf("SSLv3 hello: version %04x suite %04x, want 0300 0003 (server order)", v, suite)
	}
	st, err := goHandshake(s.Addr, &tls.Config{
		RootCAs:      s.CA.Pool(),
		MinVersion:   tls.VersionTLS10,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_RC4_128_SHA},
	})
	if err != nil {
		t.Fatalf("Go client: %v\nserver log:\n%s", err, s.LogString())
	}
	if st.Version != tls.VersionTLS10 || st.CipherSuite != tls.TLS_RSA_WITH_RC4_128_SHA {
		t.Errorf("got %s %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	}
	proto, _, out := sClient(t, s.Addr, "-tls1", "-cipher", "AES128-SHA:@SECLEVEL=0")
	if proto != "TLSv1" {
		t.Errorf("s_client -tls1:\n%s", out)
	}

	// Restricted to TLS 1.2 and one export suite, in client order.
	s2 := Legacy(t, LegacyOptions{Min: "tls1.2", Max: "tls1.2", Ciphers: []uint16{0x0008, 0x002F}, ClientPref: true})
	if _, _, err := sslv3Hello(s2.Addr, []uint16{0x0008}); err == nil {
		t.Error("SSLv3 accepted by a TLS 1.2-only server")
	}
	st, err = goHandshake(s2.Addr, &tls.Config{RootCAs: s2.CA.Pool(), CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}, MaxVersion: tls.VersionTLS12})
	if err != nil || st.Version != tls.VersionTLS12 {
		t.Errorf("TLS 1.2: %v %s", err, tls.VersionName(st.Version))
	}
}

func TestLighttpd(t *testing.T) {
	t.Parallel()
	for _, wolf := range []bool{false, true} {
		t.Run(map[bool]string{false: "openssl", true: "wolfssl"}[wolf], func(t *testing.T) {
			t.Parallel()
			leaf := intermediateLeaf(t, lab.LeafOptions{})
			s := Lighttpd(t, LighttpdOptions{Leaf: leaf, WolfSSL: wolf})
			st, err := goHandshake(s.Addr, &tls.Config{RootCAs: s.CA.Pool()})
			if err != nil {
				t.Fatalf("%v\nserver log:\n%s", err, s.LogString())
			}
			if st.Version != tls.VersionTLS13 || len(st.PeerCertificates) != 2 {
				t.Errorf("got %s with %d certificates", tls.VersionName(st.Version), len(st.PeerCertificates))
			}
			if body := httpsGet(t, s.Addr, &tls.Config{RootCAs: s.CA.Pool()}); !strings.Contains(body, "padlock lighttpd peer") {
				t.Errorf("page: %.200q", body)
			}
		})
	}
	t.Run("groups", func(t *testing.T) {
		t.Parallel()
		s := Lighttpd(t, LighttpdOptions{ConfCmd: [][2]string{{"Groups", "P-384"}}})
		st, err := goHandshake(s.Addr, &tls.Config{RootCAs: s.CA.Pool(), CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP384}})
		if err != nil {
			t.Fatalf("%v\nserver log:\n%s", err, s.LogString())
		}
		if st.CurveID != tls.CurveP384 {
			t.Errorf("group %v, want P-384 (ssl-conf-cmd Groups)", st.CurveID)
		}
	})
}

func TestBotan(t *testing.T) {
	t.Parallel()
	leaf := intermediateLeaf(t, lab.LeafOptions{})
	s := Botan(t, BotanOptions{Leaf: leaf, Policy: []string{"key_exchange_groups = secp384r1"}})
	st, err := goHandshake(s.Addr, &tls.Config{RootCAs: s.CA.Pool()})
	if err != nil {
		t.Fatalf("%v\nserver log:\n%s", err, s.LogString())
	}
	if st.Version != tls.VersionTLS12 || len(st.PeerCertificates) != 2 || st.CurveID != tls.CurveP384 {
		t.Errorf("got %s with %d certificates, group %v", tls.VersionName(st.Version), len(st.PeerCertificates), st.CurveID)
	}
}
