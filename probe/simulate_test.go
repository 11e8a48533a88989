package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"padlock/lab"
	"padlock/lab/peer"
	"padlock/registry"
	"padlock/tlswire"
)

// The simulation tests send every client profile to real TLS servers on
// loopback (openssl s_server, gnutls-serv, Go) configured to make the
// negotiation rules fire or not, and check the hellos themselves against
// what the local OpenSSL and curl send.

// --- hello fidelity (no network) ---

// parsedSimHello builds p's hello as it would go on the wire and parses it
// back.
func parsedSimHello(t *testing.T, p registry.ClientProfile, sni string) (rec tlswire.Record, ch *tlswire.ClientHello) {
	t.Helper()
	h, err := newSimHello(p, sni, &keyShares{})
	if err != nil {
		t.Fatalf("%s: %v", p.ID, err)
	}
	wire, err := h.records()
	if err != nil {
		t.Fatalf("%s: %v", p.ID, err)
	}
	rec, n, err := tlswire.ParseRecord(wire)
	if err != nil || n != len(wire) {
		t.Fatalf("%s: record: %v (%d of %d bytes)", p.ID, err, n, len(wire))
	}
	ch, err = tlswire.ParseClientHello(rec.Payload[tlswire.HandshakeHeaderLen:])
	if err != nil {
		t.Fatalf("%s: %v", p.ID, err)
	}
	return rec, ch
}

// helloShape is the part of a ClientHello a profile pins down, GREASE values
// replaced by the placeholder.
type helloShape struct {
	Version     uint16
	Suites      []uint16
	Extensions  []uint16
	Groups      []uint16
	KeyShares   []uint16
	SigAlgs     []uint16
	SigAlgsCert []uint16
	Versions    []uint16
	ALPN        []string
	PointFmts   []uint8
	SNI         string
}

func degrease(vs []uint16) []uint16 {
	out := make([]uint16, len(vs))
	for i, v := range vs {
		if tlswire.IsGREASE(v) {
			v = registry.GREASEExtension
		}
		out[i] = v
	}
	return out
}

func shapeOf(t *testing.T, ch *tlswire.ClientHello) helloShape {
	t.Helper()
	s := helloShape{Version: ch.Version, Suites: degrease(ch.CipherSuites)}
	for _, e := range ch.Extensions {
		s.Extensions = append(s.Extensions, uint16(e.Type))
	}
	s.Extensions = degrease(s.Extensions)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	if d, ok := ch.Extension(tlswire.ExtSupportedGroups); ok {
		s.Groups, err = tlswire.ParseSupportedGroups(d)
		must(err)
		s.Groups = degrease(s.Groups)
	}
	if d, ok := ch.Extension(tlswire.ExtKeyShare); ok {
		ks, err := tlswire.ParseKeySharesClient(d)
		must(err)
		for _, k := range ks {
			s.KeyShares = append(s.KeyShares, k.Group)
		}
		s.KeyShares = degrease(s.KeyShares)
	}
	if d, ok := ch.Extension(tlswire.ExtSignatureAlgorithms); ok {
		s.SigAlgs, err = tlswire.ParseSignatureAlgorithms(d)
		must(err)
	}
	if d, ok := ch.Extension(tlswire.ExtSignatureAlgorithmsCert); ok {
		s.SigAlgsCert, err = tlswire.ParseSignatureAlgorithms(d)
		must(err)
	}
	if d, ok := ch.Extension(tlswire.ExtSupportedVersions); ok {
		s.Versions, err = tlswire.ParseSupportedVersionsClient(d)
		must(err)
		s.Versions = degrease(s.Versions)
	}
	if d, ok := ch.Extension(tlswire.ExtALPN); ok {
		s.ALPN, err = tlswire.ParseALPNClient(d)
		must(err)
	}
	if d, ok := ch.Extension(tlswire.ExtECPointFormats); ok {
		s.PointFmts, err = tlswire.ParseECPointFormats(d)
		must(err)
	}
	if d, ok := ch.Extension(tlswire.ExtServerName); ok {
		s.SNI, err = tlswire.ParseServerName(d)
		must(err)
	}
	return s
}

// profileShape is the shape p's hello must have; padding is left out of
// Extensions (it depends on the length).
func profileShape(p registry.ClientProfile, sni string) helloShape {
	s := helloShape{
		Version:     uint16(min(p.MaxVersion, registry.TLS12)),
		Suites:      slices.Clone(p.Suites),
		Groups:      slices.Clone(p.Groups),
		KeyShares:   slices.Clone(p.KeyShares),
		SigAlgs:     p.SignatureSchemes,
		SigAlgsCert: p.SignatureSchemesCert,
		ALPN:        p.ALPN,
		PointFmts:   p.PointFormats,
	}
	for _, e := range p.Extensions {
		if e == uint16(tlswire.ExtPadding) || (e == uint16(tlswire.ExtServerName) && sni == "") {
			continue
		}
		s.Extensions = append(s.Extensions, e)
	}
	if p.SNI {
		s.SNI = sni
	}
	for _, v := range p.SupportedVersions() {
		if p.MaxVersion >= registry.TLS13 {
			s.Versions = append(s.Versions, uint16(v))
		}
	}
	if p.GREASE {
		g := []uint16{registry.GREASEExtension}
		s.Suites = append(g, s.Suites...)
		s.Groups = append(g, s.Groups...)
		s.KeyShares = append(g, s.KeyShares...)
		s.Versions = append(g, s.Versions...)
	}
	return s
}

func (s helloShape) diff(o helloShape) string {
	var d []string
	cmp16 := func(name string, a, b []uint16) {
		if !slices.Equal(a, b) {
			d = append(d, fmt.Sprintf("%s: %04x, want %04x", name, a, b))
		}
	}
	if s.Version != o.Version {
		d = append(d, fmt.Sprintf("version %04x, want %04x", s.Version, o.Version))
	}
	cmp16("suites", s.Suites, o.Suites)
	cmp16("extensions", s.Extensions, o.Extensions)
	cmp16("groups", s.Groups, o.Groups)
	cmp16("key shares", s.KeyShares, o.KeyShares)
	cmp16("signature_algorithms", s.SigAlgs, o.SigAlgs)
	cmp16("signature_algorithms_cert", s.SigAlgsCert, o.SigAlgsCert)
	cmp16("supported_versions", s.Versions, o.Versions)
	if !slices.Equal(s.ALPN, o.ALPN) {
		d = append(d, fmt.Sprintf("ALPN %q, want %q", s.ALPN, o.ALPN))
	}
	if !bytes.Equal(s.PointFmts, o.PointFmts) {
		d = append(d, fmt.Sprintf("point formats %v, want %v", s.PointFmts, o.PointFmts))
	}
	if s.SNI != o.SNI {
		d = append(d, fmt.Sprintf("SNI %q, want %q", s.SNI, o.SNI))
	}
	return strings.Join(d, "\n")
}

func TestSimHelloFidelity(t *testing.T) {
	for _, p := range registry.ClientProfiles() {
		for _, sni := range []string{"www.example.com", "", "192.0.2.7"} {
			want := ""
			if net.ParseIP(sni) == nil {
				want = sni
			}
			if p.SSLv2Hello {
				h, err := newSimHello(p, sni, &keyShares{})
				if err != nil {
					t.Fatal(err)
				}
				wire, err := h.records()
				if err != nil {
					t.Fatal(err)
				}
				msg, _, err := tlswire.ParseSSLv2Record(wire)
				if err != nil {
					t.Fatalf("%s: %v", p.ID, err)
				}
				m, err := tlswire.ParseSSLv2ClientHello(msg)
				if err != nil {
					t.Fatalf("%s: %v", p.ID, err)
				}
				if m.Version != uint16(p.MaxVersion) || !slices.Equal(m.CipherSpecs, p.SSLv2CipherSpecs) || len(m.Challenge) != 32 {
					t.Errorf("%s: SSLv2 hello %+v", p.ID, m)
				}
				continue
			}
			rec, ch := parsedSimHello(t, p, sni)
			wantRec := uint16(p.RecordVersion)
			if wantRec == 0 {
				wantRec = uint16(registry.TLS10)
			}
			if rec.Version != wantRec {
				t.Errorf("%s: record version %04x, want %04x", p.ID, rec.Version, wantRec)
			}
			if d := shapeOf(t, ch).diffPadded(profileShape(p, want)); d != "" {
				t.Errorf("%s (SNI %q):\n%s", p.ID, sni, d)
			}
			if (p.MaxVersion >= registry.TLS13) != (len(ch.SessionID) == 32) {
				t.Errorf("%s: session id of %d bytes", p.ID, len(ch.SessionID))
			}
			// Padding: only for the clients that pad, and then to 512 bytes.
			n := len(rec.Payload)
			if pad, ok := ch.Extension(tlswire.ExtPadding); ok {
				if !p.Sends(uint16(tlswire.ExtPadding)) || n != 512 && len(pad) != 1 {
					t.Errorf("%s: padding of %d bytes in a %d-byte hello", p.ID, len(pad), n)
				}
			} else if p.Sends(uint16(tlswire.ExtPadding)) && n >= 256 && n < 512 {
				t.Errorf("%s: unpadded %d-byte hello", p.ID, n)
			}
		}
	}
}

// diffPadded is diff ignoring a padding extension in s.
func (s helloShape) diffPadded(o helloShape) string {
	s.Extensions = slices.DeleteFunc(slices.Clone(s.Extensions), func(e uint16) bool { return e == uint16(tlswire.ExtPadding) })
	return s.diff(o)
}

// captureHello runs client against a loopback listener that reads one
// ClientHello and hangs up, and returns that hello.
func captureHello(t *testing.T, client func(port int) *exec.Cmd) (*tlswire.ClientHello, []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		var buf []byte
		tmp := make([]byte, 4096)
		for {
			if len(buf) >= 5 && len(buf) >= 5+int(buf[3])<<8|int(buf[4]) {
				break
			}
			n, err := c.Read(tmp)
			buf = append(buf, tmp[:n]...)
			if err != nil {
				break
			}
		}
		got <- buf
	}()
	cmd := client(ln.Addr().(*net.TCPAddr).Port)
	cmd.Stdin = strings.NewReader("")
	cmd.WaitDelay = 2 * time.Second
	out, _ := cmd.CombinedOutput()
	wire := <-got
	rec, _, err := tlswire.ParseRecord(wire)
	if err != nil || len(rec.Payload) < tlswire.HandshakeHeaderLen {
		t.Fatalf("no ClientHello captured (%v); client said:\n%s", err, out)
	}
	ch, err := tlswire.ParseClientHello(rec.Payload[tlswire.HandshakeHeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	return ch, rec.Payload
}

// TestSimHelloMatchesLocalClients compares the openssl-3.0 and curl profiles
// with the hellos the installed openssl and curl send, when they are the
// versions the profiles were taken from.
func TestSimHelloMatchesLocalClients(t *testing.T) {
	version := func(bin string, args ...string) string {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			return ""
		}
		return string(out)
	}
	t.Run("openssl", func(t *testing.T) {
		bin := peer.Require(t, "openssl")
		if v := version(bin, "version"); !strings.HasPrefix(v, "OpenSSL 3.0.") {
			t.Skipf("profile openssl-3.0 is from OpenSSL 3.0; installed: %s", v)
		}
		ch, _ := captureHello(t, func(port int) *exec.Cmd {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			t.Cleanup(cancel)
			return exec.CommandContext(ctx, bin, "s_client", "-connect", fmt.Sprintf("127.0.0.1:%d", port), "-servername", "localhost")
		})
		p, _ := registry.ClientProfileByID("openssl-3.0")
		if d := shapeOf(t, ch).diff(profileShape(p, "localhost")); d != "" {
			t.Errorf("openssl s_client hello differs from profile %s:\n%s", p.ID, d)
		}
	})
	t.Run("curl", func(t *testing.T) {
		bin := peer.Require(t, "curl")
		if v := version(bin, "--version"); !strings.Contains(v, "libcurl/7.88") || !strings.Contains(v, "OpenSSL/3.0") {
			t.Skipf("profile curl-7.88-openssl-3.0 is from curl 7.88 on OpenSSL 3.0; installed: %s", strings.SplitN(v, "\n", 2)[0])
		}
		ch, payload := captureHello(t, func(port int) *exec.Cmd {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			t.Cleanup(cancel)
			return exec.CommandContext(ctx, bin, "-s", "--max-time", "5", fmt.Sprintf("https://localhost:%d/", port))
		})
		p, _ := registry.ClientProfileByID("curl-7.88-openssl-3.0")
		if d := shapeOf(t, ch).diffPadded(profileShape(p, "localhost")); d != "" {
			t.Errorf("curl hello differs from profile %s:\n%s", p.ID, d)
		}
		// Ours pads to the same length.
		_, mine := parsedSimHello(t, p, "localhost")
		if _, ok := ch.Extension(tlswire.ExtPadding); ok {
			if _, ok := mine.Extension(tlswire.ExtPadding); !ok {
				t.Errorf("curl padded its %d-byte hello, the simulation did not", len(payload))
			}
		}
	})
}

// --- simulations against real servers ---

func simDialer(port int) *Dialer {
	ep := Endpoint{Host: "localhost", IP: netip.MustParseAddr("127.0.0.1"), Port: uint16(port), SNI: "localhost"}
	return NewDialer(ep, Options{Timeout: 5 * time.Second, Concurrency: 8})
}

// runSims simulates every profile against the server on port and returns
// the results by profile id, logging them as a table.
func runSims(t *testing.T, port int, log func() string) map[string]Simulation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := simDialer(port)
	profiles := registry.ClientProfiles()
	sims := Simulate(ctx, d, "localhost", profiles)
	if len(sims) != len(profiles) {
		t.Fatalf("%d results for %d profiles", len(sims), len(profiles))
	}
	if n := d.Connections(); n < len(profiles) || n > 2*len(profiles) {
		t.Errorf("%d connections for %d profiles", n, len(profiles))
	}
	out := map[string]Simulation{}
	var b strings.Builder
	for i, s := range sims {
		if s.Client != profiles[i].ID || s.Name != profiles[i].Label() || s.Reference != profiles[i].Reference {
			t.Errorf("result %d is %+v, for profile %s", i, s, profiles[i].ID)
		}
		if s.Inconclusive {
			t.Errorf("%s: inconclusive: %s", s.Client, s.Error)
		}
		if s.Failed != (s.Protocol == 0) || s.Failed != (s.Error != "") || s.Attempts != 1 {
			t.Errorf("%s: inconsistent result %+v", s.Client, s)
		}
		out[s.Client] = s
		fmt.Fprintf(&b, "  %-24s %s\n", s.Client, simSummary(s))
	}
	t.Logf("simulations:\n%s", b.String())
	checkModel(t, ctx, port, profiles, sims)
	if t.Failed() && log != nil {
		t.Logf("server log:\n%s", log())
	}
	return out
}

func simSummary(s Simulation) string {
	if s.Failed {
		return "FAIL: " + s.Error
	}
	x := fmt.Sprintf("%v %s", s.Protocol, suiteName(s.Suite))
	if s.Group != 0 {
		x += " " + groupName(s.Group)
	}
	if s.DHBits != 0 {
		x += fmt.Sprintf(" DH %d", s.DHBits)
	}
	return x
}

func simSuite(t *testing.T, s Simulation) registry.Suite {
	t.Helper()
	su, ok := registry.SuiteByID(s.Suite)
	if !ok {
		t.Fatalf("%s: unknown suite 0x%04x", s.Client, s.Suite)
	}
	return su
}

// wantSim checks one client's result: protocol and suite (0: don't care).
func wantSim(t *testing.T, sims map[string]Simulation, id string, proto registry.Protocol, suite uint16) Simulation {
	t.Helper()
	s, ok := sims[id]
	switch {
	case !ok:
		t.Errorf("no result for %s", id)
	case s.Failed:
		t.Errorf("%s failed: %s; want %v %s", id, s.Error, proto, suiteName(suite))
	case s.Protocol != proto || (suite != 0 && s.Suite != suite):
		t.Errorf("%s negotiated %v %s; want %v %s", id, s.Protocol, suiteName(s.Suite), proto, suiteName(suite))
	}
	return s
}

// wantFail checks that a client fails decisively, with an error containing
// reason.
func wantFail(t *testing.T, sims map[string]Simulation, id, reason string) {
	t.Helper()
	s := sims[id]
	if !s.Failed || s.Inconclusive || !strings.Contains(s.Error, reason) {
		t.Errorf("%s: %+v; want a failure mentioning %q", id, s, reason)
	}
}

func profile(t *testing.T, id string) registry.ClientProfile {
	t.Helper()
	p, ok := registry.ClientProfileByID(id)
	if !ok {
		t.Fatalf("no profile %s", id)
	}
	return p
}

// TestSimulateModernRSA: a TLS 1.2 + 1.3 server with only ECDHE suites
// (AES-GCM, ChaCha20 and AES-CBC for older clients), RSA certificate, the
// client's order. Every TLS 1.3 client gets TLS 1.3; the TLS 1.2 clients
// get ECDHE with the suite they list first; everyone gets forward secrecy.
func TestSimulateModernRSA(t *testing.T) {
	t.Parallel()
	s := peer.OpenSSL(t, peer.OpenSSLOptions{Ciphers: "ECDHE+AESGCM:ECDHE+CHACHA20:ECDHE+AES"})
	sims := runSims(t, s.Port, s.LogString)
	for _, p := range registry.ClientProfiles() {
		sim := sims[p.ID]
		switch {
		case p.MaxVersion >= registry.TLS13:
			wantSim(t, sims, p.ID, registry.TLS13, 0)
			if su := simSuite(t, sim); !su.AEAD() || !slices.Contains(p.KeyShares, sim.Group) {
				t.Errorf("%s: %s with group 0x%04x", p.ID, su.Name, sim.Group)
			}
		case p.MaxVersion < registry.TLS12:
			// OpenSSL 3.0 at its default security level has no TLS 1.0
			// suite left and says handshake_failure.
			wantFail(t, sims, p.ID, "server sent fatal alert")
		case p.ID == "android-7.0":
			wantSim(t, sims, p.ID, registry.TLS12, 0xC02F)
		default:
			wantSim(t, sims, p.ID, registry.TLS12, 0)
			if su := simSuite(t, sim); !su.ForwardSecret() || su.Kx != registry.KxECDHE || su.Auth != registry.AuthRSA {
				t.Errorf("%s: %s", p.ID, su.Name)
			}
		}
	}
	// Windows 7 has no ECDHE-RSA with AES-GCM: IE 11 gets its first
	// ECDHE-RSA CBC suite.
	wantSim(t, sims, "ie-11-win7", registry.TLS12, 0xC028)
	wantSim(t, sims, "ie-11-win10", registry.TLS12, 0xC030)
	wantSim(t, sims, "openssl-1.0.2e", registry.TLS12, 0xC030)
	wantSim(t, sims, "android-4.4.2", registry.TLS12, 0xC030)
	wantSim(t, sims, "java-8u161", registry.TLS12, 0xC028)
	wantSim(t, sims, "chrome-49-xpsp3", registry.TLS12, 0xC02F)
	// Each TLS 1.3 client's first suite (the server follows the client's
	// order) and first key share OpenSSL 3.0 knows (it has no ML-KEM).
	for id, want := range map[string]uint16{"chrome-137-win11": 0x1301, "firefox-137-win11": 0x1301, "safari-26.4": 0x1302, "java-17": 0x1302, "java-11.0.2": 0x1301} {
		wantGroup := uint16(0x001D)
		if id == "java-11.0.2" {
			wantGroup = 0x0017
		}
		if sims[id].Suite != want || sims[id].Group != wantGroup {
			t.Errorf("%s: %s", id, simSummary(sims[id]))
		}
	}
	compareWithSClient(t, s.Addr, sims, "ie-11-win7", "ie-11-win10", "java-8u161", "android-4.4.2", "openssl-1.0.2e", "firefox-137-win11", "safari-18.4-macos15", "java-11.0.2")
}

// TestSimulateModernECDSA: Mozilla's "intermediate" TLS 1.2 suites with an
// ECDSA certificate: IE 11 on Windows 7 gets ECDHE-ECDSA with AES-GCM.
func TestSimulateModernECDSA(t *testing.T) {
	t.Parallel()
	leaf, err := peer.RootCA(t).Issue(lab.LeafOptions{KeyType: lab.KeyP256})
	if err != nil {
		t.Fatal(err)
	}
	s := peer.OpenSSL(t, peer.OpenSSLOptions{
		Leaf: leaf,
		Ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" +
			"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" +
			"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
	})
	sims := runSims(t, s.Port, s.LogString)
	wantSim(t, sims, "ie-11-win7", registry.TLS12, 0xC02C)
	wantSim(t, sims, "ie-11-win10", registry.TLS12, 0xC02C)
	wantSim(t, sims, "openssl-1.0.2e", registry.TLS12, 0xC02C)
	wantSim(t, sims, "android-7.0", registry.TLS12, 0xC02B)
	// Java 8u161 lists its CBC suites first and the server has none.
	wantSim(t, sims, "java-8u161", registry.TLS12, 0xC02C)
	for _, p := range registry.ClientProfiles() {
		if p.MaxVersion >= registry.TLS13 {
			wantSim(t, sims, p.ID, registry.TLS13, 0)
		}
	}
	// Chrome 49 on XP has no ECDHE-ECDSA suite.
	for _, id := range []string{"chrome-49-xpsp3", "ie-8-xp", "java-6u45"} {
		wantFail(t, sims, id, "server sent fatal alert")
	}
	compareWithSClient(t, s.Addr, sims, "ie-11-win7", "java-8u161", "android-7.0", "chrome-49-xpsp3")
}

// TestSimulateGo: crypto/tls with its defaults (TLS 1.2 and 1.3).
func TestSimulateGo(t *testing.T) {
	t.Parallel()
	leaf, err := peer.RootCA(t).Issue(lab.LeafOptions{KeyType: lab.KeyRSA2048})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := lab.StartGo(context.Background(), "sim", &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	sims := runSims(t, srv.Port, nil)
	for _, p := range registry.ClientProfiles() {
		switch {
		case p.MaxVersion >= registry.TLS13:
			wantSim(t, sims, p.ID, registry.TLS13, 0)
		case p.MaxVersion == registry.TLS12:
			s := wantSim(t, sims, p.ID, registry.TLS12, 0)
			if su := simSuite(t, s); !s.Failed && su.Kx != registry.KxECDHE {
				t.Errorf("%s: %s", p.ID, su.Name)
			}
		default:
			if !sims[p.ID].Failed {
				t.Errorf("%s connected to a TLS 1.2+ server: %s", p.ID, simSummary(sims[p.ID]))
			}
		}
	}
	if su := simSuite(t, sims["ie-11-win7"]); su.Auth != registry.AuthRSA || !su.Cipher.CBC() {
		t.Errorf("IE 11 / Win 7 got %s, want ECDHE-RSA with CBC", su.Name)
	}
	// Go puts X25519MLKEM768 first; Chrome sends a share for it.
	if g := sims["chrome-137-win11"].Group; g != 0x11EC {
		t.Errorf("Chrome 137 group 0x%04x, want X25519MLKEM768", g)
	}
}

// TestSimulateNoForwardSecrecy: TLS 1.2 only, AES128-SHA and AES256-SHA
// (RSA key exchange, CBC). Every client that can do TLS 1.2 negotiates a
// suite with neither forward secrecy nor AEAD: the input of the FS and AEAD
// caps.
func TestSimulateNoForwardSecrecy(t *testing.T) {
	t.Parallel()
	s := peer.OpenSSL(t, peer.OpenSSLOptions{Protocols: []string{"-tls1_2"}, Ciphers: "AES128-SHA:AES256-SHA"})
	sims := runSims(t, s.Port, s.LogString)
	for _, p := range registry.ClientProfiles() {
		if p.MaxVersion < registry.TLS12 {
			wantFail(t, sims, p.ID, "protocol_version")
			continue
		}
		sim := wantSim(t, sims, p.ID, registry.TLS12, 0)
		if sim.Suite != 0x002F && sim.Suite != 0x0035 {
			t.Errorf("%s: %s", p.ID, suiteName(sim.Suite))
		}
		if su := simSuite(t, sim); su.ForwardSecret() || su.AEAD() || sim.Group != 0 || sim.DHBits != 0 {
			t.Errorf("%s: %s is forward secret or AEAD", p.ID, su.Name)
		}
	}
	// The client's order: IE 11 / Win 7 lists AES256-SHA first, Chrome
	// AES128-SHA.
	wantSim(t, sims, "ie-11-win7", registry.TLS12, 0x0035)
	wantSim(t, sims, "chrome-137-win11", registry.TLS12, 0x002F)
	compareWithSClient(t, s.Addr, sims, "ie-11-win7", "chrome-137-win11", "java-17", "android-4.4.2")
}

// gnuTLSLegacy starts gnutls-serv at TLS 1.2 only, choosing by its own
// order, which is key exchange first (RSA, then ECDHE-RSA) and the ciphers
// in the order given.
func gnuTLSLegacy(t *testing.T, ciphers string) *peer.Server {
	return peer.GnuTLS(t, peer.GnuTLSOptions{
		Priority: "NONE:+VERS-TLS1.2:+RSA:+ECDHE-RSA:" + ciphers +
			":+SHA1:+AEAD:+COMP-NULL:+SIGN-ALL:+GROUP-ALL:%SERVER_PRECEDENCE",
	})
}

// TestSimulate3DESFirst: gnutls-serv with 3DES first in its order (at TLS
// 1.2 only). Every reference client that still offers 3DES negotiates it at
// TLS 1.2, the 64-bit-block cap's input; those that dropped 3DES get the
// next suite.
func TestSimulate3DESFirst(t *testing.T) {
	t.Parallel()
	s := gnuTLSLegacy(t, "+3DES-CBC:+AES-128-GCM:+AES-128-CBC")
	sims := runSims(t, s.Port, s.LogString)
	tripleDES := 0
	for _, p := range registry.ClientProfiles() {
		if p.MaxVersion < registry.TLS12 {
			continue
		}
		sim := wantSim(t, sims, p.ID, registry.TLS12, 0)
		offers := p.Offers(0x000A)
		if got := simSuite(t, sim).Cipher == registry.TripleDES; got != offers {
			t.Errorf("%s: negotiated %s; offers TLS_RSA_WITH_3DES_EDE_CBC_SHA: %v", p.ID, suiteName(sim.Suite), offers)
		}
		if offers && p.Reference {
			tripleDES++
		}
		if !offers && sim.Suite != 0x009C {
			t.Errorf("%s: %s, want TLS_RSA_WITH_AES_128_GCM_SHA256 (next in server order)", p.ID, suiteName(sim.Suite))
		}
	}
	if tripleDES < 4 {
		t.Errorf("only %d reference clients negotiated 3DES", tripleDES)
	}
	for _, id := range []string{"ie-11-win7", "ie-11-win10", "safari-26.4", "safari-18.4-macos15", "openssl-1.0.2e", "safari-9-ios9"} {
		wantSim(t, sims, id, registry.TLS12, 0x000A)
	}
	compareWithSClient(t, s.Addr, sims, "chrome-137-win11", "java-17")
}

// TestSimulateRC4First: RC4 first in the server's order. The reference
// clients that still offer RC4 (Safari 9, OpenSSL 1.0.2) negotiate it at
// TLS 1.2 (SSL Labs' rc4WithModern); IE 11 falls back to 3DES.
func TestSimulateRC4First(t *testing.T) {
	t.Parallel()
	s := gnuTLSLegacy(t, "+ARCFOUR-128:+3DES-CBC:+AES-128-GCM")
	sims := runSims(t, s.Port, s.LogString)
	for _, id := range []string{"safari-9-ios9", "safari-9-osx10.11", "openssl-1.0.2e", "android-4.4.2", "firefox-31.3-esr-win7"} {
		wantSim(t, sims, id, registry.TLS12, 0x0005)
	}
	wantSim(t, sims, "ie-11-win7", registry.TLS12, 0x000A)
	wantSim(t, sims, "chrome-137-win11", registry.TLS12, 0x009C)
	for _, p := range registry.ClientProfiles() {
		if sim := sims[p.ID]; !sim.Failed && simSuite(t, sim).Cipher == registry.RC4_128 && !p.Offers(sim.Suite) {
			t.Errorf("%s negotiated %s, which it does not offer", p.ID, suiteName(sim.Suite))
		}
	}
}

// TestSimulateHelloRetry: TLS 1.3 only with P-384, then only with
// ffdhe2048: the clients that did not send a share for it answer the
// HelloRetryRequest; those that do not support the group fail.
func TestSimulateHelloRetry(t *testing.T) {
	t.Parallel()
	t.Run("P-384", func(t *testing.T) {
		t.Parallel()
		s := peer.OpenSSL(t, peer.OpenSSLOptions{Groups: "P-384", Ciphers: "ECDHE+AESGCM:ECDHE+AES"})
		sims := runSims(t, s.Port, s.LogString)
		for _, id := range []string{"chrome-137-win11", "firefox-137-win11", "java-11.0.2", "android-14", "openssl-3.0"} {
			if sim := wantSim(t, sims, id, registry.TLS13, 0); sim.Group != 0x0018 {
				t.Errorf("%s: %s, want secp384r1", id, simSummary(sim))
			}
		}
		// TLS 1.2 clients get ECDHE on P-384 if they support it.
		if sim := wantSim(t, sims, "ie-11-win7", registry.TLS12, 0xC028); sim.Group != 0x0018 {
			t.Errorf("IE 11: %s", simSummary(sim))
		}
		// Android 7.0 supports only P-256.
		wantFail(t, sims, "android-7.0", "handshake_failure")
	})
	// crypto/tls checks that the second hello repeats the first except for
	// the key share and cookie (illegalClientHelloChange).
	t.Run("Go P-384", func(t *testing.T) {
		t.Parallel()
		leaf, err := peer.RootCA(t).Issue(lab.LeafOptions{KeyType: lab.KeyP256})
		if err != nil {
			t.Fatal(err)
		}
		srv, err := lab.StartGo(context.Background(), "hrr", &tls.Config{
			MinVersion:       tls.VersionTLS13,
			CurvePreferences: []tls.CurveID{tls.CurveP384},
			Certificates:     []tls.Certificate{leaf.TLSCertificate()},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		sims := runSims(t, srv.Port, nil)
		for _, p := range registry.ClientProfiles() {
			if p.MaxVersion < registry.TLS13 {
				continue
			}
			if sim := wantSim(t, sims, p.ID, registry.TLS13, 0); sim.Group != 0x0018 {
				t.Errorf("%s: %s, want secp384r1", p.ID, simSummary(sim))
			}
		}
	})
	t.Run("ffdhe2048", func(t *testing.T) {
		t.Parallel()
		s := peer.OpenSSL(t, peer.OpenSSLOptions{Protocols: []string{"-tls1_3"}, Groups: "ffdhe2048"})
		sims := runSims(t, s.Port, s.LogString)
		for _, id := range []string{"firefox-137-win11", "java-17", "openssl-3.0"} {
			if sim := wantSim(t, sims, id, registry.TLS13, 0); sim.Group != 0x0100 || sim.DHBits != 2048 {
				t.Errorf("%s: %s, want ffdhe2048", id, simSummary(sim))
			}
		}
		wantFail(t, sims, "chrome-137-win11", "alert")
		wantFail(t, sims, "ie-11-win7", "protocol_version")
	})
}

// TestSimulateHelloRetryCookie answers Chrome's hello with a
// HelloRetryRequest carrying a cookie and checks the second flight: a dummy
// change_cipher_spec, then the same hello at record version TLS 1.2 with the
// cookie and one key share for the group asked for.
func TestSimulateHelloRetryCookie(t *testing.T) {
	t.Parallel()
	cookie := []byte{0x00, 0x05, 'h', 'e', 'l', 'l', 'o'}
	type seen struct {
		first, second *tlswire.ClientHello
		records       []tlswire.Record
		err           error
	}
	got := make(chan seen, 1)
	ep := mockServer(t, func(c net.Conn) {
		var s seen
		defer func() { got <- s }()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		var buf []byte
		next := func() (tlswire.Record, error) {
			for {
				if r, n, err := tlswire.ParseRecord(buf); err == nil {
					buf = buf[n:]
					s.records = append(s.records, r)
					return r, nil
				}
				tmp := make([]byte, 8192)
				n, err := c.Read(tmp)
				if err != nil {
					return tlswire.Record{}, err
				}
				buf = append(buf, tmp[:n]...)
			}
		}
		hello := func() (*tlswire.ClientHello, error) {
			for {
				r, err := next()
				if err != nil {
					return nil, err
				}
				if r.Type == tlswire.TypeHandshake {
					return tlswire.ParseClientHello(r.Payload[tlswire.HandshakeHeaderLen:])
				}
			}
		}
		if s.first, s.err = hello(); s.err != nil {
			return
		}
		hrr := &tlswire.ServerHello{Version: 0x0303, Random: tlswire.HelloRetryRequestRandom, SessionID: s.first.SessionID,
			CipherSuite: 0x1301, Extensions: []tlswire.Extension{
				{Type: tlswire.ExtSupportedVersions, Data: []byte{0x03, 0x04}},
				{Type: tlswire.ExtKeyShare, Data: []byte{0x00, 0x18}},
				{Type: tlswire.ExtCookie, Data: cookie},
			}}
		body, _ := hrr.Marshal()
		_, _ = c.Write(tlswire.Record{Type: tlswire.TypeHandshake, Version: 0x0303, Payload: body}.Marshal())
		if s.second, s.err = hello(); s.err != nil {
			return
		}
		sh := &tlswire.ServerHello{Version: 0x0303, SessionID: s.first.SessionID, CipherSuite: 0x1301, Extensions: []tlswire.Extension{
			{Type: tlswire.ExtSupportedVersions, Data: []byte{0x03, 0x04}},
			{Type: tlswire.ExtKeyShare, Data: append([]byte{0x00, 0x18, 0x00, 97, 4}, make([]byte, 96)...)},
		}}
		body, _ = sh.Marshal()
		_, _ = c.Write(tlswire.Record{Type: tlswire.TypeHandshake, Version: 0x0303, Payload: body}.Marshal())
		_, _ = io.Copy(io.Discard, c)
	})
	d := NewDialer(ep, Options{Timeout: 5 * time.Second})
	sim := Simulate(context.Background(), d, "localhost", []registry.ClientProfile{profile(t, "chrome-137-win11")})[0]
	s := <-got
	if s.err != nil {
		t.Fatalf("server: %v", s.err)
	}
	if sim.Failed || sim.Protocol != registry.TLS13 || sim.Suite != 0x1301 || sim.Group != 0x0018 || d.Connections() != 1 {
		t.Errorf("%+v after %d connections", sim, d.Connections())
	}
	// Records: first hello, change_cipher_spec, second hello.
	if len(s.records) != 3 || s.records[1].Type != tlswire.TypeChangeCipherSpec || s.records[2].Version != 0x0303 {
		t.Errorf("client's records: %v", s.records)
	}
	if c, ok := s.second.Extension(tlswire.ExtCookie); !ok || !bytes.Equal(c, cookie) {
		t.Errorf("cookie %x, want %x", c, cookie)
	}
	ks, err := tlswire.ParseKeySharesClient(func() []byte { d, _ := s.second.Extension(tlswire.ExtKeyShare); return d }())
	if err != nil || len(ks) != 1 || ks[0].Group != 0x0018 || len(ks[0].Data) != 97 {
		t.Errorf("second key_share %v (%v)", ks, err)
	}
	// Everything else is repeated.
	strip := func(m *tlswire.ClientHello) []tlswire.Extension {
		return slices.DeleteFunc(slices.Clone(m.Extensions), func(e tlswire.Extension) bool {
			return e.Type == tlswire.ExtKeyShare || e.Type == tlswire.ExtCookie || e.Type == tlswire.ExtPadding
		})
	}
	a, b := strip(s.first), strip(s.second)
	if s.first.Random != s.second.Random || !bytes.Equal(s.first.SessionID, s.second.SessionID) ||
		!slices.Equal(s.first.CipherSuites, s.second.CipherSuites) ||
		!slices.EqualFunc(a, b, func(x, y tlswire.Extension) bool { return x.Type == y.Type && bytes.Equal(x.Data, y.Data) }) {
		t.Errorf("second hello changed more than key_share and cookie:\n%+v\n%+v", s.first, s.second)
	}
}

// TestSimulateDHELimits: DHE only, with a 3072-bit group. Java 8 refuses DH
// groups over 2048 bits; IE 11 takes up to 4096; browsers without DHE fail.
func TestSimulateDHELimits(t *testing.T) {
	t.Parallel()
	s := peer.OpenSSL(t, peer.OpenSSLOptions{
		Protocols: []string{"-tls1_2"},
		Ciphers:   "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA",
		DHParam:   peer.DHParamsFile(t, 3072),
	})
	sims := runSims(t, s.Port, s.LogString)
	wantFail(t, sims, "java-8u161", "DH parameters > 2048 bits")
	for id, suite := range map[string]uint16{"ie-11-win7": 0x009E, "ie-11-win10": 0x009E, "openssl-1.0.2e": 0x009E, "java-17": 0x009E, "android-4.4.2": 0x009E} {
		if sim := wantSim(t, sims, id, registry.TLS12, suite); sim.DHBits != 3072 || sim.Group != 0 {
			t.Errorf("%s: %s", id, simSummary(sim))
		}
	}
	for _, id := range []string{"chrome-137-win11", "firefox-137-win11", "safari-18.4-macos15", "android-7.0"} {
		wantFail(t, sims, id, "handshake_failure")
	}
	compareWithSClient(t, s.Addr, sims, "ie-11-win7", "java-17")
}

// TestSimulateFailures covers answers the client rejects and servers that
// say nothing useful, with mock servers.
func TestSimulateFailures(t *testing.T) {
	t.Parallel()
	// serverHello is a ServerHello record, followed by ServerHelloDone
	// below TLS 1.3.
	serverHello := func(version, suite uint16, exts []tlswire.Extension) []byte {
		sh := &tlswire.ServerHello{Version: version, CipherSuite: suite, Extensions: exts}
		body, err := sh.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if sh.SelectedVersion() < 0x0304 {
			body = append(body, byte(tlswire.HandshakeServerHelloDone), 0, 0, 0)
		}
		return tlswire.Record{Type: tlswire.TypeHandshake, Version: 0x0303, Payload: body}.Marshal()
	}
	answer := func(b []byte) func(c net.Conn) {
		return func(c net.Conn) {
			readHello(c)
			_, _ = c.Write(b)
			_, _ = io.Copy(io.Discard, c)
		}
	}
	// A TLS 1.3 ServerHello with a key share for P-521, which Chrome does
	// not send.
	p521 := []tlswire.Extension{
		{Type: tlswire.ExtSupportedVersions, Data: []byte{0x03, 0x04}},
		{Type: tlswire.ExtKeyShare, Data: []byte{0x00, 0x19, 0x00, 0x04, 1, 2, 3, 4}},
	}
	tests := []struct {
		name, client string
		serve        func(c net.Conn)
		want         string
		inconclusive bool
	}{
		{"unoffered suite", "chrome-137-win11", answer(serverHello(0x0303, 0xC011, []tlswire.Extension{})), "TLS_ECDHE_RSA_WITH_RC4_128_SHA, which the client did not offer", false},
		{"version too low", "firefox-137-win11", answer(serverHello(0x0301, 0xC013, []tlswire.Extension{})), "server chose TLS 1.0", false},
		{"suite not for the version", "ie-11-win7", answer(serverHello(0x0301, 0x009C, []tlswire.Extension{})), "cannot be used with TLS 1.0", false},
		{"TLS 1.3 without the client's share", "chrome-137-win11", answer(serverHello(0x0303, 0x1301, p521)), "key share for secp521r1, which the client did not send", false},
		{"alert", "ie-11-win10", answer([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}), "server sent fatal alert handshake_failure", false},
		{"closes", "java-17", func(c net.Conn) { readHello(c) }, "server closed the connection", false},
		{"stalls", "openssl-3.0", func(c net.Conn) { readHello(c); time.Sleep(3 * time.Second) }, "timed out", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ep := mockServer(t, tt.serve)
			d := NewDialer(ep, Options{Timeout: time.Second})
			sims := Simulate(context.Background(), d, "localhost", []registry.ClientProfile{profile(t, tt.client)})
			s := sims[0]
			if !s.Failed || s.Inconclusive != tt.inconclusive || !strings.Contains(s.Error, tt.want) || s.Protocol != 0 || s.ErrorCode() != 1 {
				t.Errorf("%+v; want a failure with %q (inconclusive %v)", s, tt.want, tt.inconclusive)
			}
			wantAttempts := 1
			if tt.inconclusive {
				wantAttempts = simAttempts
			}
			if s.Attempts != wantAttempts || d.Connections() != wantAttempts {
				t.Errorf("%d attempts, %d connections; want %d", s.Attempts, d.Connections(), wantAttempts)
			}
		})
	}
	t.Run("cut short", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ep := mockServer(t, func(c net.Conn) {})
		sims := Simulate(ctx, NewDialer(ep, Options{}), "localhost", registry.ClientProfiles()[:3])
		for _, s := range sims {
			if !s.Failed || !s.Inconclusive || !strings.Contains(s.Error, "cut short") {
				t.Errorf("%+v", s)
			}
		}
	})
	t.Run("unbuildable", func(t *testing.T) {
		p := profile(t, "java-17")
		p.KeyShares = []uint16{0x0009} // sect283k1: no TLS 1.3 share exists
		p.Groups = append(p.Groups, 0x0009)
		ep := mockServer(t, func(c net.Conn) {})
		d := NewDialer(ep, Options{})
		s := Simulate(context.Background(), d, "localhost", []registry.ClientProfile{p})[0]
		if !s.Failed || !s.Inconclusive || !strings.Contains(s.Error, "could not simulate") || d.Connections() != 0 {
			t.Errorf("%+v", s)
		}
	})
}

// --- comparison with openssl s_client ---

// opensslGroups are the group names OpenSSL 3.0's -groups takes.
var opensslGroups = map[uint16]string{
	0x001D: "X25519", 0x0017: "P-256", 0x0018: "P-384", 0x0019: "P-521", 0x001E: "X448",
	0x0100: "ffdhe2048", 0x0101: "ffdhe3072", 0x0102: "ffdhe4096", 0x0103: "ffdhe6144", 0x0104: "ffdhe8192",
}

// compareWithSClient runs openssl s_client with each client's versions,
// suites (in order) and groups, and checks it negotiates what the
// simulation did. Suites the local OpenSSL lacks are left out, so only
// clients whose choice does not depend on them are compared.
func compareWithSClient(t *testing.T, addr string, sims map[string]Simulation, ids ...string) {
	t.Helper()
	bin := peer.Require(t, "openssl")
	for _, id := range ids {
		p := profile(t, id)
		var ciphers, suites13, groups []string
		for _, s := range p.Suites {
			su, _ := registry.SuiteByID(s)
			switch {
			case su.SCSV:
			case su.Min == registry.TLS13:
				suites13 = append(suites13, su.Name)
			case su.OpenSSL != "":
				ciphers = append(ciphers, su.OpenSSL)
			}
		}
		for _, g := range p.Groups {
			if n, ok := opensslGroups[g]; ok {
				groups = append(groups, n)
			}
		}
		names := map[registry.Protocol]string{registry.TLS10: "TLSv1", registry.TLS11: "TLSv1.1", registry.TLS12: "TLSv1.2", registry.TLS13: "TLSv1.3"}
		args := []string{"s_client", "-connect", addr, "-brief", "-servername", "localhost",
			"-cipher", strings.Join(ciphers, ":") + ":@SECLEVEL=0",
			"-min_protocol", names[max(p.MinVersion, registry.TLS10)], "-max_protocol", names[p.MaxVersion]}
		if len(suites13) > 0 {
			args = append(args, "-ciphersuites", strings.Join(suites13, ":"))
		}
		if len(groups) > 0 {
			args = append(args, "-groups", strings.Join(groups, ":"))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Stdin = strings.NewReader("")
		cmd.WaitDelay = 2 * time.Second
		out, _ := cmd.CombinedOutput()
		cancel()
		var proto, cipher string
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "Protocol version: "); ok {
				proto = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(line, "Ciphersuite: "); ok {
				cipher = strings.TrimSpace(v)
			}
		}
		sim := sims[id]
		if cipher == "" {
			if !sim.Failed {
				t.Errorf("%s: s_client failed where the simulation negotiated %s:\n%s", id, simSummary(sim), out)
			}
			continue
		}
		su, ok := registry.SuiteByName(cipher)
		if !ok || names[sim.Protocol] != proto || su.ID != sim.Suite {
			t.Errorf("%s: s_client negotiated %s %s, the simulation %s", id, proto, cipher, simSummary(sim))
		} else {
			t.Logf("%s: s_client agrees: %s %s", id, proto, cipher)
		}
	}
}

func TestSimFailureClassification(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		err          error
		want         string
		inconclusive bool
	}{
		{reject("no"), "no", false},
		{&alertError{alert: tlswire.Alert{Level: 2, Description: 70}}, "server sent fatal alert protocol_version", false},
		{fmt.Errorf("x: %w", errClosed), "server closed the connection", false},
		{fmt.Errorf("x: %w", errTimeout), "timed out", true},
		{&dialError{err: errors.New("refused")}, "connecting", true},
		{&simBuildError{errors.New("bad")}, "could not simulate", true},
		{errors.New("malformed ServerHello"), "malformed ServerHello", false},
	} {
		msg, inc := simFailure(ctx, tt.err)
		if !strings.Contains(msg, tt.want) || inc != tt.inconclusive {
			t.Errorf("%v: %q, %v; want %q, %v", tt.err, msg, inc, tt.want, tt.inconclusive)
		}
	}
}

// checkModel runs the whole prober against the same server and asserts that
// its simulations, most of them predicted from the enumeration
// (simmodel.go), are exactly the live ones.
func checkModel(t *testing.T, ctx context.Context, port int, profiles []registry.ClientProfile, live []Simulation) {
	t.Helper()
	ep := Endpoint{Host: "localhost", IP: netip.MustParseAddr("127.0.0.1"), Port: uint16(port), SNI: "localhost"}
	res, err := Run(ctx, ep, Options{Timeout: 5 * time.Second, Concurrency: 8})
	if err != nil {
		t.Fatalf("probe.Run: %v", err)
	}
	if len(res.Simulations) != len(live) {
		t.Fatalf("probe.Run: %d simulations, want %d", len(res.Simulations), len(live))
	}
	predicted := 0
	for i, s := range res.Simulations {
		l := live[i]
		if s.Client != profiles[i].ID {
			t.Errorf("probe.Run: result %d is for %s, want %s", i, s.Client, profiles[i].ID)
		}
		if s.Predicted {
			predicted++
			if s.Attempts != 0 || s.Inconclusive || s.Failed != (s.Protocol == 0) {
				t.Errorf("%s: predicted result %+v", s.Client, s)
			}
		}
		if simSummary(s) != simSummary(l) {
			t.Errorf("%s: probe.Run (predicted %v) says %s; live %s", s.Client, s.Predicted, simSummary(s), simSummary(l))
		}
	}
	t.Logf("probe.Run: %d of %d simulations predicted, %d connections in all", predicted, len(live), res.Connections)
}

// TestSimulateModelDistrusted: when a live replay disagrees with the model,
// nothing is predicted. The model is given an enumeration that is wrong for
// the real server (server order with TLS_AES_256_GCM_SHA384 first, where
// s_server follows the client's order), so the sampled TLS 1.3 clients
// disagree and every client is replayed live.
func TestSimulateModelDistrusted(t *testing.T) {
	t.Parallel()
	s := peer.OpenSSL(t, peer.OpenSSLOptions{Ciphers: "ECDHE+AESGCM"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ep := Endpoint{Host: "localhost", IP: netip.MustParseAddr("127.0.0.1"), Port: uint16(s.Port), SNI: "localhost"}
	res, err := Run(ctx, ep, Options{Timeout: 5 * time.Second, Concurrency: 8, SkipSimulation: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Suites {
		ps := &res.Suites[i]
		if ps.Protocol != registry.TLS13 {
			continue
		}
		ps.ServerPreference, ps.PreferenceKnown = true, true
		slices.SortFunc(ps.Suites, func(a, b AcceptedSuite) int {
			if a.ID == 0x1302 {
				return -1
			}
			if b.ID == 0x1302 {
				return 1
			}
			return 0
		})
	}
	profiles := registry.ClientProfiles()
	m := &simModel{res: res, sni: "localhost"}
	wrong := 0
	for _, p := range profiles {
		if pl := m.predict(p); pl.ok && pl.result.suite == 0x1302 && p.Suites[0] == 0x1301 {
			wrong++
		}
	}
	if !m.usable() || wrong == 0 {
		t.Fatalf("the doctored model predicts no wrong TLS 1.3 suite (usable %v)", m.usable())
	}
	d := simDialer(s.Port)
	sims := simulateModelled(ctx, d, "localhost", m, profiles)
	if n := d.Connections(); n != len(profiles) {
		t.Errorf("%d connections; want one per client (%d)", n, len(profiles))
	}
	for _, sim := range sims {
		if sim.Predicted || sim.Attempts != 1 {
			t.Errorf("%s: %+v; want a live result", sim.Client, sim)
		}
	}
	if sim := sims[0]; sim.Client != "chrome-137-win11" || sim.Suite != 0x1301 {
		t.Errorf("chrome: %s; want TLS_AES_128_GCM_SHA256 (its first suite)", simSummary(sim))
	}
}

// TestSimulateTLS13Only: every client without TLS 1.3 is refused. The
// model predicts those refusals (one live client per highest version) and
// the TLS 1.3 clients under ChaCha20 priority with server order; runSims
// asserts each prediction equals the live replay.
func TestSimulateTLS13Only(t *testing.T) {
	t.Parallel()
	s := peer.OpenSSL(t, peer.OpenSSLOptions{MinProtocol: "TLSv1.3", ServerPref: true, Extra: []string{"-prioritize_chacha"}})
	sims := runSims(t, s.Port, s.LogString)
	for _, p := range registry.ClientProfiles() {
		if p.MaxVersion < registry.TLS13 {
			wantFail(t, sims, p.ID, "server sent fatal alert")
		} else {
			wantSim(t, sims, p.ID, registry.TLS13, 0)
		}
	}
}
