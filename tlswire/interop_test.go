package tlswire

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

const testHost = "padlock.test"

type testCert struct {
	der  []byte
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

var (
	testCertOnce sync.Once
	testCertVal  testCert
)

// getTestCert returns a self-signed ECDSA P-256 certificate for testHost,
// generated once per test binary.
func getTestCert(t testing.TB) testCert {
	testCertOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: testHost},
			DNSNames:     []string{testHost},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			IsCA:         true,

			BasicConstraintsValid: true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			panic(err)
		}
		pool := x509.NewCertPool()
		pool.AddCert(cert)
		testCertVal = testCert{der: der, key: key, pool: pool}
	})
	return testCertVal
}

// recordingConn records the bytes read from and written to a connection.
type recordingConn struct {
	net.Conn
	mu            sync.Mutex
	read, written bytes.Buffer
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.read.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

func (c *recordingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.written.Write(p)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// capture runs a crypto/tls handshake between an in-process server and
// client over 127.0.0.1 and returns the raw bytes each way as the client
// saw them, and the client's handshake error.
func capture(t testing.TB, server, client *tls.Config) (c2s, s2c []byte, clientErr error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		srv := tls.Server(conn, server)
		if srv.Handshake() == nil {
			// Wait for the client to hang up so that everything the
			// server wrote is read by the client.
			io.Copy(io.Discard, srv)
		}
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	rc := &recordingConn{Conn: raw}
	cli := tls.Client(rc, client)
	clientErr = cli.Handshake()
	if clientErr != nil {
		// Let the alert the server sends arrive.
		io.Copy(io.Discard, raw)
	}
	raw.Close()
	<-done
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return bytes.Clone(rc.written.Bytes()), bytes.Clone(rc.read.Bytes()), clientErr
}

// splitRecords parses every whole record in b.
func splitRecords(t testing.TB, b []byte) []Record {
	t.Helper()
	var recs []Record
	for len(b) > 0 {
		r, n, err := ParseRecord(b)
		if err != nil {
			t.Fatalf("ParseRecord after %d records: %v", len(recs), err)
		}
		recs = append(recs, r)
		b = b[n:]
	}
	return recs
}

// plaintextHandshake reassembles the handshake messages sent before the
// first ChangeCipherSpec record.
func plaintextHandshake(t testing.TB, recs []Record) []Handshake {
	t.Helper()
	var hr HandshakeReader
	var msgs []Handshake
	for _, r := range recs {
		if r.Type != TypeHandshake {
			break
		}
		hr.Write(r.Payload)
		for {
			h, err := hr.Next()
			if errors.Is(err, ErrIncomplete) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs, h)
		}
	}
	if hr.Buffered() != 0 {
		t.Fatalf("%d bytes left in HandshakeReader", hr.Buffered())
	}
	return msgs
}

type tls12Capture struct {
	c2s, s2c                  []byte
	clientHello, serverHello  Handshake
	certificate, ske, helloDn Handshake
}

func captureTLS12(t testing.TB) tls12Capture {
	tc := getTestCert(t)
	server := &tls.Config{
		Certificates:     []tls.Certificate{{Certificate: [][]byte{tc.der}, PrivateKey: tc.key}},
		CurvePreferences: []tls.CurveID{tls.CurveP256},
		NextProtos:       []string{"h2", "http/1.1"},
	}
	client := &tls.Config{
		ServerName:       testHost,
		RootCAs:          tc.pool,
		MaxVersion:       tls.VersionTLS12,
		CipherSuites:     []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
		CurvePreferences: []tls.CurveID{tls.CurveP256},
		NextProtos:       []string{"h2", "http/1.1"},
	}
	c2s, s2c, err := capture(t, server, client)
	if err != nil {
		t.Fatalf("TLS 1.2 handshake: %v", err)
	}
	cmsgs := plaintextHandshake(t, splitRecords(t, c2s))
	smsgs := plaintextHandshake(t, splitRecords(t, s2c))
	if len(cmsgs) < 1 || len(smsgs) != 4 {
		t.Fatalf("got %d client and %d server plaintext messages", len(cmsgs), len(smsgs))
	}
	return tls12Capture{c2s: c2s, s2c: s2c, clientHello: cmsgs[0],
		serverHello: smsgs[0], certificate: smsgs[1], ske: smsgs[2], helloDn: smsgs[3]}
}

func TestInteropTLS12(t *testing.T) {
	tc := getTestCert(t)
	c := captureTLS12(t)

	if c.clientHello.Type != HandshakeClientHello {
		t.Fatalf("first client message is %s", c.clientHello.Type)
	}
	ch, err := ParseClientHello(c.clientHello.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Version != 0x0303 {
		t.Errorf("ClientHello version %#04x", ch.Version)
	}
	for _, cs := range []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256} {
		if !slices.Contains(ch.CipherSuites, cs) {
			t.Errorf("ClientHello lacks suite %#04x: %#04x", cs, ch.CipherSuites)
		}
	}
	if !bytes.Equal(ch.CompressionMethods, []byte{0}) {
		t.Errorf("compression methods %v", ch.CompressionMethods)
	}
	// crypto/tls and this package's constructors must agree byte for byte.
	for _, want := range []Extension{
		ServerName(testHost),
		SupportedGroups([]uint16{uint16(tls.CurveP256)}),
		ECPointFormats(PointFormatUncompressed),
		ALPN([]string{"h2", "http/1.1"}),
		RenegotiationInfo(nil),
		StatusRequest(),
	} {
		got, ok := ch.Extension(want.Type)
		if !ok {
			t.Errorf("ClientHello has no %s extension", want.Type)
			continue
		}
		if !bytes.Equal(got, want.Data) {
			t.Errorf("%s extension: crypto/tls sent %x, constructor gives %x", want.Type, got, want.Data)
		}
	}
	sni, _ := ch.Extension(ExtServerName)
	if host, err := ParseServerName(sni); err != nil || host != testHost {
		t.Errorf("ParseServerName = %q, %v", host, err)
	}
	sigalgs, _ := ch.Extension(ExtSignatureAlgorithms)
	if algs, err := ParseSignatureAlgorithms(sigalgs); err != nil || !slices.Contains(algs, uint16(tls.ECDSAWithP256AndSHA256)) {
		t.Errorf("ParseSignatureAlgorithms = %#04x, %v", algs, err)
	}
	// Re-marshaling the parsed hello reproduces crypto/tls's bytes.
	if out, err := ch.Marshal(); err != nil || !bytes.Equal(out, c.clientHello.Marshal()) {
		t.Errorf("ClientHello did not round-trip (err %v)", err)
	}

	if c.serverHello.Type != HandshakeServerHello {
		t.Fatalf("first server message is %s", c.serverHello.Type)
	}
	sh, err := ParseServerHello(c.serverHello.Body)
	if err != nil {
		t.Fatal(err)
	}
	if sh.SelectedVersion() != 0x0303 || sh.IsHelloRetryRequest() {
		t.Errorf("ServerHello version %#04x, HRR %v", sh.SelectedVersion(), sh.IsHelloRetryRequest())
	}
	if !slices.Contains(ch.CipherSuites, sh.CipherSuite) {
		t.Errorf("server chose suite %#04x, not offered", sh.CipherSuite)
	}
	// The server supports TLS 1.3, so it marks the downgrade to 1.2.
	if got := sh.DowngradeSentinel(); got != 0x0303 {
		t.Errorf("DowngradeSentinel = %#04x, want 0x0303", got)
	}
	if alpn, ok := sh.Extension(ExtALPN); !ok {
		t.Error("ServerHello has no ALPN")
	} else if p, err := ParseALPNServer(alpn); err != nil || p != "h2" {
		t.Errorf("ParseALPNServer = %q, %v", p, err)
	}
	if ri, ok := sh.Extension(ExtRenegotiationInfo); !ok {
		t.Error("ServerHello has no renegotiation_info")
	} else if v, err := ParseRenegotiationInfo(ri); err != nil || len(v) != 0 {
		t.Errorf("ParseRenegotiationInfo = %x, %v", v, err)
	}
	if out, err := sh.Marshal(); err != nil || !bytes.Equal(out, c.serverHello.Marshal()) {
		t.Errorf("ServerHello did not round-trip (err %v)", err)
	}

	if c.certificate.Type != HandshakeCertificate {
		t.Fatalf("second server message is %s", c.certificate.Type)
	}
	cert, err := ParseCertificate(c.certificate.Body)
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.Certificates) != 1 || !bytes.Equal(cert.Certificates[0], tc.der) {
		t.Errorf("Certificate holds %d certificates, not the generated one", len(cert.Certificates))
	}

	if c.ske.Type != HandshakeServerKeyExchange {
		t.Fatalf("third server message is %s", c.ske.Type)
	}
	ske, err := ParseServerKeyExchange(c.ske.Body, SKEECDHE, sh.SelectedVersion())
	if err != nil {
		t.Fatal(err)
	}
	if ske.ECDH == nil || ske.ECDH.CurveType != CurveTypeNamedCurve || ske.ECDH.Group != uint16(tls.CurveP256) {
		t.Fatalf("ECDH params %+v", ske.ECDH)
	}
	if len(ske.ECDH.Point) != 65 || ske.ECDH.Point[0] != 4 {
		t.Errorf("P-256 point is %d bytes starting %#x", len(ske.ECDH.Point), ske.ECDH.Point[0])
	}
	if ske.SignatureScheme != uint16(tls.ECDSAWithP256AndSHA256) {
		t.Errorf("signature scheme %#04x", ske.SignatureScheme)
	}
	// The signature covers client_random + server_random + params, so a
	// valid signature proves Random and Signed were extracted correctly.
	h := sha256.New()
	h.Write(ch.Random[:])
	h.Write(sh.Random[:])
	h.Write(ske.Signed)
	if !ecdsa.VerifyASN1(&tc.key.PublicKey, h.Sum(nil), ske.Signature) {
		t.Error("ServerKeyExchange signature does not verify")
	}
	if out, err := ske.Marshal(SKEECDHE, 0x0303); err != nil || !bytes.Equal(out, c.ske.Marshal()) {
		t.Errorf("ServerKeyExchange did not round-trip (err %v)", err)
	}

	if c.helloDn.Type != HandshakeServerHelloDone || len(c.helloDn.Body) != 0 {
		t.Errorf("fourth server message is %s with %d bytes", c.helloDn.Type, len(c.helloDn.Body))
	}
}

type tls13Capture struct {
	clientHello, serverHello Handshake
	s2cRecords               []Record
}

func captureTLS13(t testing.TB, serverCurves, clientCurves []tls.CurveID) tls13Capture {
	tc := getTestCert(t)
	server := &tls.Config{
		Certificates:           []tls.Certificate{{Certificate: [][]byte{tc.der}, PrivateKey: tc.key}},
		CurvePreferences:       serverCurves,
		SessionTicketsDisabled: true,
	}
	client := &tls.Config{
		ServerName:       testHost,
		RootCAs:          tc.pool,
		MinVersion:       tls.VersionTLS12,
		CurvePreferences: clientCurves,
	}
	c2s, s2c, err := capture(t, server, client)
	if err != nil {
		t.Fatalf("TLS 1.3 handshake: %v", err)
	}
	cmsgs := plaintextHandshake(t, splitRecords(t, c2s))
	recs := splitRecords(t, s2c)
	smsgs := plaintextHandshake(t, recs)
	if len(cmsgs) < 1 || len(smsgs) < 1 {
		t.Fatalf("got %d client and %d server plaintext messages", len(cmsgs), len(smsgs))
	}
	return tls13Capture{clientHello: cmsgs[0], serverHello: smsgs[0], s2cRecords: recs}
}

func TestInteropTLS13(t *testing.T) {
	c := captureTLS13(t, []tls.CurveID{tls.X25519}, []tls.CurveID{tls.X25519})
	ch, err := ParseClientHello(c.clientHello.Body)
	if err != nil {
		t.Fatal(err)
	}
	svData, _ := ch.Extension(ExtSupportedVersions)
	if want := SupportedVersions([]uint16{0x0304, 0x0303}); !bytes.Equal(svData, want.Data) {
		t.Errorf("supported_versions %x, want %x", svData, want.Data)
	}
	ksData, _ := ch.Extension(ExtKeyShare)
	shares, err := ParseKeySharesClient(ksData)
	if err != nil || len(shares) != 1 || shares[0].Group != uint16(tls.X25519) || len(shares[0].Data) != 32 {
		t.Errorf("client key shares %+v, %v", shares, err)
	}
	if !bytes.Equal(KeyShares(shares).Data, ksData) {
		t.Error("KeyShares does not reproduce the client's key_share")
	}

	sh, err := ParseServerHello(c.serverHello.Body)
	if err != nil {
		t.Fatal(err)
	}
	if sh.Version != 0x0303 || sh.SelectedVersion() != 0x0304 {
		t.Errorf("ServerHello legacy %#04x selected %#04x", sh.Version, sh.SelectedVersion())
	}
	if sh.IsHelloRetryRequest() || sh.DowngradeSentinel() != 0 {
		t.Error("plain TLS 1.3 ServerHello looks like HRR or downgrade")
	}
	if !bytes.Equal(sh.SessionID, ch.SessionID) {
		t.Error("legacy_session_id_echo differs")
	}
	ks, _ := sh.Extension(ExtKeyShare)
	share, err := ParseKeyShareServer(ks, false)
	if err != nil || share.Group != uint16(tls.X25519) || len(share.Data) != 32 {
		t.Errorf("server key share %+v, %v", share, err)
	}
	// Middlebox compatibility: ChangeCipherSpec, then encrypted records.
	if len(c.s2cRecords) < 3 || c.s2cRecords[1].Type != TypeChangeCipherSpec || c.s2cRecords[2].Type != TypeApplicationData {
		t.Errorf("unexpected record sequence after ServerHello")
	}
}

func TestInteropHelloRetryRequest(t *testing.T) {
	c := captureTLS13(t, []tls.CurveID{tls.CurveP256}, []tls.CurveID{tls.X25519, tls.CurveP256})
	sh, err := ParseServerHello(c.serverHello.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !sh.IsHelloRetryRequest() {
		t.Fatal("expected a HelloRetryRequest")
	}
	ks, ok := sh.Extension(ExtKeyShare)
	if !ok {
		t.Fatal("HRR without key_share")
	}
	share, err := ParseKeyShareServer(ks, true)
	if err != nil || share.Group != uint16(tls.CurveP256) || share.Data != nil {
		t.Errorf("HRR key share %+v, %v", share, err)
	}
	if _, err := ParseKeyShareServer(ks, false); err == nil {
		t.Error("HRR key_share parsed as a full entry")
	}
}

func TestInteropAlert(t *testing.T) {
	tc := getTestCert(t)
	server := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{tc.der}, PrivateKey: tc.key}},
		MinVersion:   tls.VersionTLS13,
	}
	client := &tls.Config{ServerName: testHost, RootCAs: tc.pool, MaxVersion: tls.VersionTLS12}
	_, s2c, err := capture(t, server, client)
	if err == nil {
		t.Fatal("handshake succeeded despite version mismatch")
	}
	recs := splitRecords(t, s2c)
	if len(recs) != 1 || recs[0].Type != TypeAlert {
		t.Fatalf("server sent %d records, want one alert", len(recs))
	}
	a, err := ParseAlert(recs[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	if a.Level != AlertLevelFatal || a.Description != AlertProtocolVersion {
		t.Errorf("alert %v", a)
	}
	if a.String() != "fatal alert protocol_version" {
		t.Errorf("Alert.String() = %q", a.String())
	}
}
