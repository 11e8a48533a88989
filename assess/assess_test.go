package assess

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"padlock/pki"
	"padlock/probe"
	"padlock/registry"
)

// startServer serves HTTPS with crypto/tls on 127.0.0.1 and returns its
// port and certificate.
func startServer(t *testing.T) (uint16, testCert) {
	t.Helper()
	cert := makeCert(t, "localhost", false)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "padlock assess test\n")
	}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the scan provokes many handshake errors
	ts.TLS = &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{cert.der}, PrivateKey: cert.key}},
		MinVersion:   tls.VersionTLS12,
	}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	_, portStr, err := net.SplitHostPort(ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(portStr)
	return uint16(port), cert
}

func testProbeOptions() probe.Options {
	return probe.Options{Timeout: 5 * time.Second, Budget: 2 * time.Minute}
}

func TestAssessLoopbackServer(t *testing.T) {
	if testing.Short() {
		t.Skip("probes a live server")
	}
	port, cert := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	h := Assess(ctx, Target{Host: "localhost", Port: port, Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}, Options{Probe: testProbeOptions()})

	if h.Status != StatusReady || h.StatusMessage != "" {
		t.Fatalf("status %s %q; endpoints %+v", h.Status, h.StatusMessage, h.Endpoints)
	}
	if h.Host != "localhost" || h.Port != int(port) || h.Protocol != "http" || h.PadlockSchema != Schema || h.PadlockSNI != "localhost" {
		t.Errorf("host fields: %+v", h)
	}
	if h.StartTime == 0 || h.TestTime < h.StartTime {
		t.Errorf("times %d %d", h.StartTime, h.TestTime)
	}
	if len(h.Endpoints) != 1 {
		t.Fatalf("%d endpoints", len(h.Endpoints))
	}
	ep := h.Endpoints[0]
	if ep.IPAddress != "127.0.0.1" || !ep.Ready() || ep.Details == nil {
		t.Fatalf("endpoint %+v", ep)
	}
	d := ep.Details
	if d.HostStartTime != h.StartTime {
		t.Errorf("hostStartTime %d != startTime %d", d.HostStartTime, h.StartTime)
	}
	var ids []int
	for _, p := range d.Protocols {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, []int{771, 772}) {
		t.Errorf("protocols = %v, want TLS 1.2 and 1.3 only", ids)
	}
	if len(d.Suites) != 2 {
		t.Fatalf("suites for %d protocols", len(d.Suites))
	}
	for _, ps := range d.Suites {
		if len(ps.List) == 0 {
			t.Errorf("no suites for protocol %d", ps.Protocol)
		}
		for _, s := range ps.List {
			if s.KxType != "ECDH" || s.KxStrength < 3072 || s.NamedGroupName == "" {
				t.Errorf("protocol %d suite %s: kx %q %d group %q", ps.Protocol, s.Name, s.KxType, s.KxStrength, s.NamedGroupName)
			}
		}
	}
	if p := d.Suites[0].Preference; p == nil || !*p {
		t.Errorf("Go servers choose by their own order; TLS 1.2 preference = %v", p)
	}
	if d.ForwardSecrecy&1 == 0 || !d.SupportsAEAD || !d.RenegSupportSecure() {
		t.Errorf("fs %d aead %v reneg %d", d.ForwardSecrecy, d.SupportsAEAD, d.RenegSupport)
	}
	if d.NamedGroups == nil || len(d.NamedGroups.List) == 0 {
		t.Errorf("no named groups")
	}
	if d.PadlockConnections == 0 {
		t.Errorf("no connections counted")
	}

	want := certID(cert.der)
	if len(h.Certs) != 1 || h.Certs[0].ID != want || h.Certs[0].SHA256Hash != want {
		t.Fatalf("certs = %+v, want the server's (%s)", h.Certs, want)
	}
	if len(d.CertChains) == 0 || d.CertChains[0].CertIDs[0] != want {
		t.Errorf("chains = %+v", d.CertChains)
	}
	if h.Certs[0].CommonNames[0] != "localhost" || h.Certs[0].KeyAlg != "EC" {
		t.Errorf("cert = %+v", h.Certs[0])
	}
	// A self-signed leaf, judged against the Mozilla store: not trusted,
	// grade T for the self-signed rule alone (A2 does not fire as well).
	if ch := d.CertChains[0]; ch.Trusted || !ch.NameMatch || !slices.Contains(h.Certs[0].IssueNames, "self-signed") {
		t.Errorf("chain trusted %v name %v; leaf issues %v", ch.Trusted, ch.NameMatch, h.Certs[0].IssueNames)
	}
	if got := fired(&ep); ep.Grade != "T" || !slices.Contains(got, "A3") || slices.Contains(got, "A2") {
		t.Errorf("grade %q, rules %v; want T by A3 only", ep.Grade, got)
	}
	if _, err := json.Marshal(h); err != nil {
		t.Fatal(err)
	}
}

// RenegSupportSecure is a test shorthand for bit 1 of RenegSupport.
func (d *EndpointDetails) RenegSupportSecure() bool { return d.RenegSupport&2 != 0 }

func TestAssessUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now

	h := Assess(context.Background(), Target{Host: "127.0.0.1", Port: uint16(port)}, Options{Probe: testProbeOptions()})
	if len(h.Endpoints) != 1 {
		t.Fatalf("%d endpoints", len(h.Endpoints))
	}
	ep := h.Endpoints[0]
	if ep.StatusMessage != "Unable to connect to the server" || ep.PadlockFailure != FailUnreachable {
		t.Errorf("endpoint status %q / %q", ep.StatusMessage, ep.PadlockFailure)
	}
	if h.Status != StatusError || h.StatusMessage != "Unable to connect to the server" {
		t.Errorf("host status %s %q", h.Status, h.StatusMessage)
	}
	if h.PadlockSNI != "" {
		t.Errorf("SNI %q sent to an IP target", h.PadlockSNI)
	}
}

type fakeResolver struct {
	addrs []netip.Addr
	err   error
	calls atomic.Int32
}

func (r *fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	r.calls.Add(1)
	return r.addrs, r.err
}

func TestAssessResolveFailure(t *testing.T) {
	for _, r := range []*fakeResolver{
		{err: &net.DNSError{Err: "no such host", Name: "nx.example", IsNotFound: true}},
		{}, // no error, no address
	} {
		h := Assess(context.Background(), Target{Host: "nx.example"}, Options{Resolver: r})
		if h == nil || h.Status != StatusError || h.StatusMessage != "Unable to resolve domain name" {
			t.Fatalf("host = %+v", h)
		}
		if len(h.Endpoints) != 0 || h.Endpoints == nil || h.Certs == nil || h.Port != 443 || h.TestTime == 0 {
			t.Errorf("host = %+v", h)
		}
		if r.calls.Load() != 1 {
			t.Errorf("resolver called %d times", r.calls.Load())
		}
	}
}

func TestAssessInvalidTarget(t *testing.T) {
	for _, host := range []string{"", "bad name", strings.Repeat("x", 300)} {
		h := Assess(context.Background(), Target{Host: host}, Options{Resolver: &fakeResolver{}})
		if h.Status != StatusError || h.StatusMessage != MsgInvalidTarget {
			t.Errorf("Assess(%q) = %s %q", host, h.Status, h.StatusMessage)
		}
	}
}

// withFakeProbe replaces the prober for one test.
func withFakeProbe(t *testing.T, f func(context.Context, probe.Endpoint, probe.Options) (*probe.Result, error)) {
	t.Helper()
	old := probeRun
	probeRun = f
	t.Cleanup(func() { probeRun = old })
}

func TestAssessEndpointsAndConcurrency(t *testing.T) {
	leaf := makeCert(t, "multi.example", false)
	var running, peak atomic.Int32
	var mu sync.Mutex
	var seen []probe.Endpoint
	withFakeProbe(t, func(ctx context.Context, ep probe.Endpoint, _ probe.Options) (*probe.Result, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		mu.Lock()
		seen = append(seen, ep)
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		res := &probe.Result{Endpoint: ep, Started: time.Now(), Connections: 1}
		switch ep.IP.String() {
		case "192.0.2.3":
			return res, fmt.Errorf("%w: refused", probe.ErrUnreachable)
		case "192.0.2.4":
			panic("prober bug")
		}
		res.Protocols = []probe.ProtocolSupport{{Protocol: registry.TLS13, Supported: true}}
		res.Suites = []probe.ProtocolSuites{{Protocol: registry.TLS13, Suites: []probe.AcceptedSuite{{ID: 0x1301, Group: 0x001d}}}}
		res.Chains = []probe.Chain{{Protocol: registry.TLS13, SNI: ep.SNI, Certificates: [][]byte{leaf.der}}}
		return res, nil
	})
	r := &fakeResolver{addrs: []netip.Addr{
		netip.MustParseAddr("2001:db8::1"),
		netip.MustParseAddr("192.0.2.4"),
		netip.MustParseAddr("192.0.2.3"),
		netip.MustParseAddr("::ffff:192.0.2.1"),
		netip.MustParseAddr("192.0.2.1"),
	}}
	h := Assess(context.Background(), Target{Host: "multi.example", Port: 8443}, Options{Resolver: r})

	var ips, msgs []string
	for _, ep := range h.Endpoints {
		ips = append(ips, ep.IPAddress)
		msgs = append(msgs, ep.StatusMessage)
	}
	if want := []string{"192.0.2.1", "192.0.2.3", "192.0.2.4", "2001:db8::1"}; !slices.Equal(ips, want) {
		t.Errorf("endpoints %v, want %v (sorted, deduplicated, unmapped)", ips, want)
	}
	if want := []string{"Ready", "Unable to connect to the server", "Internal error", "Ready"}; !slices.Equal(msgs, want) {
		t.Errorf("messages %v, want %v", msgs, want)
	}
	if h.Status != StatusReady {
		t.Errorf("status %s %q: some endpoints are ready", h.Status, h.StatusMessage)
	}
	if p := peak.Load(); p > 2 {
		t.Errorf("%d probes at once, want at most 2 (default)", p)
	}
	if len(h.Certs) != 1 {
		t.Errorf("%d certs, want 1 (same leaf on every endpoint)", len(h.Certs))
	}
	for _, ep := range seen {
		if ep.Host != "multi.example" || ep.SNI != "multi.example" || ep.Port != 8443 {
			t.Errorf("probe endpoint %+v", ep)
		}
	}
	if bad := h.Endpoints[2]; bad.PadlockFailure != FailInternalError || !strings.Contains(bad.Details.PadlockErrors[0], "prober bug") {
		t.Errorf("panic endpoint %+v", bad)
	}
}

func TestAssessAllEndpointsFail(t *testing.T) {
	withFakeProbe(t, func(ctx context.Context, ep probe.Endpoint, _ probe.Options) (*probe.Result, error) {
		res := &probe.Result{Endpoint: ep}
		if ep.IP.Is6() {
			return res, context.DeadlineExceeded
		}
		return res, fmt.Errorf("%w: timed out", probe.ErrUnreachable)
	})
	h := Assess(context.Background(), Target{Host: "down.example", Pin: []netip.Addr{
		netip.MustParseAddr("2001:db8::9"), netip.MustParseAddr("192.0.2.9"),
	}}, Options{})
	if h.Status != StatusError || h.StatusMessage != "Unable to connect to the server; Assessment time budget exceeded" {
		t.Errorf("host %s %q", h.Status, h.StatusMessage)
	}
	if len(h.Endpoints) != 2 {
		t.Errorf("failed endpoints must still be listed")
	}
}

func TestAssessCancelled(t *testing.T) {
	withFakeProbe(t, func(ctx context.Context, ep probe.Endpoint, _ probe.Options) (*probe.Result, error) {
		<-ctx.Done()
		return &probe.Result{Endpoint: ep}, ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	h := Assess(ctx, Target{Host: "slow.example", Pin: []netip.Addr{
		netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("192.0.2.3"),
	}}, Options{Concurrency: 1})
	if h.Status != StatusError || len(h.Endpoints) != 3 {
		t.Fatalf("host %s %q, %d endpoints", h.Status, h.StatusMessage, len(h.Endpoints))
	}
	for _, ep := range h.Endpoints {
		if ep.StatusMessage != MsgCancelled || ep.IPAddress == "" {
			t.Errorf("endpoint %+v", ep)
		}
	}
}

// sslLabsKeys are the JSON keys of the SSL Labs API v3 objects padlock uses
// (Host, Endpoint, EndpointDetails, Protocol, ProtocolSuites, Suite,
// NamedGroups, NamedGroup, CertificateChain, Cert). Every key padlock writes
// must be one of these or start with "padlock".
var sslLabsKeys = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`
		host port protocol isPublic status statusMessage startTime testTime engineVersion criteriaVersion
		cacheExpiryTime certHostnames endpoints certs
		ipAddress serverName statusDetails statusDetailsMessage grade gradeTrustIgnored futureGrade hasWarnings
		isExceptional progress duration eta delegation details
		hostStartTime certChains protocols suites noSniSuites namedGroups renegSupport sessionResumption
		compressionMethods supportsNpn npnProtocols supportsAlpn alpnProtocols sessionTickets ocspStapling
		sniRequired supportsRc4 rc4WithModern rc4Only forwardSecrecy supportsAead supportsCBC protocolIntolerance
		miscIntolerance heartbeat heartbleed dhPrimes dhUsesKnownPrimes dhYsReuse ecdhParameterReuse
		id name version v2SuitesDisabled q
		list preference chaCha20Preference
		cipherStrength kxType kxStrength dhP dhG dhYs namedGroupBits namedGroupId namedGroupName
		bits namedGroupType
		certIds trustPaths issues noSni
		subject serialNumber commonNames altNames notBefore notAfter issuerSubject sigAlg revocationInfo
		crlURIs ocspURIs revocationStatus sct sha1Hash sha256Hash pinSha256 keyAlg keySize keyStrength raw
		mustStaple validationType keyKnownDebianInsecure dnsCaa caaPolicy
		trust rootStore isTrusted trustErrorMessage
		staplingRevocationStatus staplingRevocationErrorMessage hasSct`) {
		sslLabsKeys[k] = true
	}
}

// checkKeys walks decoded JSON and reports keys that are neither SSL Labs'
// nor padlock's own. padlock objects' members (padlockProtocolTests ...)
// are padlock's to name.
func checkKeys(t *testing.T, path string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			if strings.HasPrefix(k, "padlock") {
				continue
			}
			if !sslLabsKeys[k] {
				t.Errorf("%s.%s is not an SSL Labs field and has no padlock prefix", path, k)
			}
			checkKeys(t, path+"."+k, child)
		}
	case []any:
		for i, child := range x {
			checkKeys(t, fmt.Sprintf("%s[%d]", path, i), child)
		}
	}
}

func TestJSONFieldNames(t *testing.T) {
	res, _, _ := richResult(t)
	h := &Host{
		Host: "example.com", Port: 443, Protocol: "http", Status: StatusReady,
		StartTime: 1, TestTime: 2, EngineVersion: EngineVersion, CriteriaVersion: CriteriaVersion,
		PadlockSchema: Schema, PadlockSNI: "example.com",
	}
	ep, rep := fromProbe(context.Background(), res, nil, "", pki.Options{})
	h.Endpoints = append(h.Endpoints, ep)
	h.AddCerts(rep.Certs...)
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	checkKeys(t, "host", doc)

	// The fields every consumer relies on are there, with SSL Labs' names.
	want := []string{
		`"host":"example.com"`, `"port":443`, `"protocol":"http"`, `"isPublic":false`, `"status":"READY"`,
		`"startTime":1`, `"testTime":2`, `"engineVersion":"padlock-dev"`, `"criteriaVersion":"padlock-2009r"`,
		`"padlockSchema":"padlock.host/1"`,
		`"ipAddress":"192.0.2.1"`, `"statusMessage":"Ready"`, `"hasWarnings":false`, `"isExceptional":false`,
		`"progress":100`, `"duration":1500`, `"delegation":0`,
		`"hostStartTime":1700000000000`, `{"id":771,"name":"TLS","version":"1.2"}`, `{"id":512,"name":"SSL","version":"2.0"}`,
		`"protocol":771,"list":[`, `"preference":true`,
		`{"id":49200,"name":"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384","cipherStrength":256,"kxType":"ECDH","kxStrength":3072,"namedGroupBits":256,"namedGroupId":23,"namedGroupName":"secp256r1"}`,
		`"kxType":"DH","kxStrength":1024,"dhP":128,"dhG":1,"dhYs":128`,
		`{"id":458944,"name":"SSL_CK_DES_192_EDE3_CBC_WITH_MD5","cipherStrength":112,"kxType":"RSA","kxStrength":2048}`,
		`"namedGroups":{"list":[{"id":29,"name":"x25519","bits":255,"namedGroupType":"EC","padlockProtocols":[771,772]}`,
		`"renegSupport":2`, `"sessionTickets":1`, `"ocspStapling":true`, `"sniRequired":false`, `"compressionMethods":1`,
		`"supportsAlpn":true`, `"alpnProtocols":"h2"`, `"heartbeat":true`, `"protocolIntolerance":48`,
		`"supportsRc4":true`, `"forwardSecrecy":1`, `"supportsAead":true`, `"supportsCBC":true`,
		`"issues":0,"noSni":false`, `"padlockConnections":42`, `"padlockGroupsVia":772`,
		`"sha1Hash":"`, `"sha256Hash":"`, `"keyAlg":"RSA","keySize":2048`, `"raw":"-----BEGIN CERTIFICATE-----`,
		`"commonNames":["example.com"]`, `"altNames":["example.com","127.0.0.1","::1"]`, `"sigAlg":"SHA256withRSA"`,
		`"trustPaths":[{"certIds":["`, `"trust":[{"rootStore":"Mozilla","isTrusted":false,"trustErrorMessage":"`,
		`"padlockProtocol":772,"padlockSni":"example.com"`, `"padlockTrusted":false`, `"padlockNameMatch":true`,
		`"staplingRevocationStatus":3`, `"hasSct":4`, `"padlockRootStore":{"name":"Mozilla"`,
		`"padlockIssues":["no chain of trust","self-signed"]`, `"keyKnownDebianInsecure":false`,
	}
	for _, w := range want {
		if !strings.Contains(string(b), w) {
			t.Errorf("JSON lacks %s", w)
		}
	}
	for _, absent := range []string{`"serverName"`, `"statusDetails"`} {
		if strings.Contains(string(b), absent) {
			t.Errorf("JSON has %s, which padlock does not fill yet", absent)
		}
	}

	// And it reads back into the same model.
	var back Host
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if string(b2) != string(b) {
		t.Errorf("JSON does not round-trip")
	}
}

func TestEngineVersionIsUsed(t *testing.T) {
	old := EngineVersion
	EngineVersion = "padlock-test"
	defer func() { EngineVersion = old }()
	h := Assess(context.Background(), Target{Host: "x.example"}, Options{Resolver: &fakeResolver{err: errors.New("no")}})
	if h.EngineVersion != "padlock-test" || h.CriteriaVersion != CriteriaVersion || h.PadlockSchema != Schema {
		t.Errorf("versions %q %q %q", h.EngineVersion, h.CriteriaVersion, h.PadlockSchema)
	}
}
