package vuln

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/big"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"padlock/probe"
	"padlock/registry"
	"padlock/tlswire"
	"padlock/vuln/internal/handshake"
)

// Unit tests of the checks decided from the prober's result alone, with
// synthetic results: they reach the states (mostly Inconclusive) that no
// real server produces on demand.

type fakeResult struct {
	res *probe.Result
}

func newResult() *fakeResult {
	r := &probe.Result{}
	for _, p := range registry.Protocols {
		r.Protocols = append(r.Protocols, probe.ProtocolSupport{Protocol: p})
	}
	return &fakeResult{res: r}
}

// with marks p supported with the given suites.
func (f *fakeResult) with(p registry.Protocol, ids ...uint16) *fakeResult {
	for i := range f.res.Protocols {
		if f.res.Protocols[i].Protocol == p {
			f.res.Protocols[i].Supported = true
		}
	}
	ps := probe.ProtocolSuites{Protocol: p}
	for _, id := range ids {
		ps.Suites = append(ps.Suites, probe.AcceptedSuite{ID: uint32(id)})
	}
	f.res.Suites = append(f.res.Suites, ps)
	if p >= registry.SSLv3 && p <= registry.TLS12 && f.res.Extensions.Protocol < p {
		f.res.Extensions.Protocol = p
	}
	return f
}

func (f *fakeResult) unknown(p registry.Protocol) *fakeResult {
	for i := range f.res.Protocols {
		if f.res.Protocols[i].Protocol == p {
			f.res.Protocols[i].Inconclusive = "timed out"
		}
	}
	return f
}

func (f *fakeResult) dh(p registry.Protocol, id uint16, prime *big.Int) *fakeResult {
	for i := range f.res.Suites {
		if f.res.Suites[i].Protocol == p {
			f.res.Suites[i].Suites = append(f.res.Suites[i].Suites, probe.AcceptedSuite{
				ID: uint32(id), DH: &probe.DHGroup{Bits: prime.BitLen(), Prime: prime.Bytes()},
			})
		}
	}
	return f
}

func (f *fakeResult) incomplete(p registry.Protocol) *fakeResult {
	for i := range f.res.Suites {
		if f.res.Suites[i].Protocol == p {
			f.res.Suites[i].Inconclusive = "enumeration stopped after 1 suites: timed out"
		}
	}
	return f
}

func (f *fakeResult) run() *run {
	return &run{target: &target{res: f.res, opts: Options{}.withDefaults()}}
}

func namedPrime(t *testing.T, name string) *big.Int {
	t.Helper()
	list, err := knownPrimes()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range list {
		if strings.Contains(k.Name, name) {
			return k.P
		}
	}
	t.Fatalf("no known prime %q", name)
	return nil
}

func TestResultChecks(t *testing.T) {
	const (
		aesCBC   = 0x002f
		rc4      = 0x0005
		tdes     = 0x000a
		gcm      = 0xc02f
		rsaExp   = 0x0003 // TLS_RSA_EXPORT_WITH_RC4_40_MD5
		dheExp   = 0x0014 // TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA
		dheAES   = 0x0033
		tls13AES = 0x1301
	)
	random512, _ := new(big.Int).SetString("d4bcd52406f69b35994b88de5db89682c8157f62d8f33633ee5772f11f05ab22d6b5145b9f241e5acc31ff090a4bc71148976f76795094e71e7903529f5a824d", 16)
	random2048 := new(big.Int).Lsh(big.NewInt(1), 2047)
	random2048.Add(random2048, big.NewInt(12345))

	type tc struct {
		name  string
		check func(context.Context, *run) Finding
		res   *fakeResult
		want  want
	}
	tests := []tc{
		{"poodle vulnerable", checkPoodle, newResult().with(registry.SSLv3, aesCBC, rc4), vuln(SeverityExploitable)},
		{"poodle RC4 only", checkPoodle, newResult().with(registry.SSLv3, rc4), nv},
		{"poodle no SSLv3", checkPoodle, newResult().with(registry.TLS12, gcm), na},
		{"poodle SSLv3 unknown", checkPoodle, newResult().unknown(registry.SSLv3), ic},
		{"poodle enumeration cut", checkPoodle, newResult().with(registry.SSLv3, rc4).incomplete(registry.SSLv3), ic},

		{"freak", checkFREAK, newResult().with(registry.TLS10, rsaExp, aesCBC), vuln(SeverityExploitable)},
		{"freak none", checkFREAK, newResult().with(registry.TLS12, gcm), nv},
		{"freak incomplete", checkFREAK, newResult().with(registry.TLS12, gcm).incomplete(registry.TLS12), ic},
		{"freak TLS 1.3 only", checkFREAK, newResult().with(registry.TLS13, tls13AES), na},
		{"freak unknown", checkFREAK, newResult().unknown(registry.TLS12), ic},

		{"logjam small", checkLogjam, newResult().with(registry.TLS12).dh(registry.TLS12, dheAES, random512), vuln(SeverityExploitable)},
		{"logjam export strong group", checkLogjam, newResult().with(registry.TLS10).dh(registry.TLS10, dheExp, random2048), vuln(SeverityNotExploitable)},
		{"logjam strong", checkLogjam, newResult().with(registry.TLS12).dh(registry.TLS12, dheAES, random2048), nv},
		{"logjam no DHE", checkLogjam, newResult().with(registry.TLS12, gcm), na},
		{"logjam incomplete", checkLogjam, newResult().with(registry.TLS12, gcm).incomplete(registry.TLS12), ic},

		{"dh weak known", checkDHPrimes, newResult().with(registry.TLS12).dh(registry.TLS12, dheAES, namedPrime(t, "Apache mod_ssl 2.0/2.2 built-in 1024")), vulnVariant(VariantWeakPrime)},
		{"dh known", checkDHPrimes, newResult().with(registry.TLS12).dh(registry.TLS12, dheAES, namedPrime(t, "RFC 5114 2048-bit MODP group with 256")), vuln(SeverityInfo)},
		{"dh unknown", checkDHPrimes, newResult().with(registry.TLS12).dh(registry.TLS12, dheAES, random2048), nv},
		{"dh none", checkDHPrimes, newResult().with(registry.TLS12, gcm), na},
		{"dh incomplete", checkDHPrimes, newResult().with(registry.TLS12, gcm).incomplete(registry.TLS12), ic},

		{"drown", checkDROWN, newResult().with(registry.SSLv2), vuln(SeverityExploitable)},
		{"drown no", checkDROWN, newResult().with(registry.TLS12, gcm), nv},
		{"drown unknown", checkDROWN, newResult().unknown(registry.SSLv2), ic},

		{"sweet32", checkSWEET32, newResult().with(registry.TLS12, tdes, gcm), vuln(SeverityExploitable)},
		{"sweet32 none", checkSWEET32, newResult().with(registry.TLS12, gcm), nv},
		{"sweet32 incomplete", checkSWEET32, newResult().with(registry.TLS12, gcm).incomplete(registry.TLS12), ic},
		{"sweet32 TLS 1.3 only", checkSWEET32, newResult().with(registry.TLS13, tls13AES), na},

		{"rc4", checkRC4, newResult().with(registry.TLS12, rc4, gcm), vuln(SeverityExploitable)},
		{"rc4 only", checkRC4, newResult().with(registry.TLS12, rc4), vulnVariant(VariantRC4Only)},
		{"rc4 none", checkRC4, newResult().with(registry.TLS12, gcm), nv},
		{"rc4 incomplete", checkRC4, newResult().with(registry.TLS12, gcm).incomplete(registry.TLS12), ic},
		{"rc4 TLS 1.3 only", checkRC4, newResult().with(registry.TLS13, tls13AES), na},

		{"beast", checkBEAST, newResult().with(registry.TLS10, aesCBC), vuln(SeverityInfo)},
		{"beast no CBC", checkBEAST, newResult().with(registry.TLS10, rc4), nv},
		{"beast no TLS 1.0", checkBEAST, newResult().with(registry.TLS12, aesCBC), na},
		{"beast incomplete", checkBEAST, newResult().with(registry.TLS10, rc4).incomplete(registry.TLS10), ic},

		{"lucky13", checkLucky13, newResult().with(registry.TLS12, aesCBC), vuln(SeverityInfo)},
		{"lucky13 AEAD only", checkLucky13, newResult().with(registry.TLS12, gcm), na},
		{"lucky13 incomplete", checkLucky13, newResult().with(registry.TLS12, gcm).incomplete(registry.TLS12), ic},

		{"compression unrecorded", checkCompression, func() *fakeResult {
			f := newResult().with(registry.TLS12, gcm)
			f.res.Extensions.Protocol = 0
			return f
		}(), ic},
		{"compression TLS 1.3 only", checkCompression, newResult().with(registry.TLS13, tls13AES), na},
		{"compression DEFLATE", checkCompression, func() *fakeResult {
			f := newResult().with(registry.TLS12, gcm)
			f.res.Extensions.Compression = 1
			return f
		}(), vuln(SeverityExploitable)},

		{"fallback one version", checkFallbackSCSV, newResult().with(registry.TLS12, gcm), na},
		{"fallback unknown", checkFallbackSCSV, newResult().with(registry.TLS12, gcm).unknown(registry.TLS11), ic},
		{"zero-rtt unknown", checkZeroRTT, newResult().with(registry.TLS12, gcm).unknown(registry.TLS13), ic},
		{"zero-rtt no TLS 1.3", checkZeroRTT, newResult().with(registry.TLS12, gcm), na},
		{"ticketbleed no tickets", checkTicketbleed, newResult().with(registry.TLS12, gcm), na},
		{"ticketbleed unrecorded", checkTicketbleed, func() *fakeResult {
			f := newResult().with(registry.TLS12, gcm)
			f.res.Extensions.Protocol = 0
			return f
		}(), ic},
		{"robot no RSA", checkROBOT, newResult().with(registry.TLS12, gcm), na},
		{"robot incomplete", checkROBOT, newResult().with(registry.TLS12, gcm).incomplete(registry.TLS12), ic},
		{"ccs unknown", checkCCS, newResult().unknown(registry.TLS12), ic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.check(context.Background(), tt.res.run())
			rep := &Report{PadlockFindings: []Finding{f}}
			expect(t, rep, map[string]want{f.Check: tt.want})
		})
	}

	t.Run("heartbeat from prober", func(t *testing.T) {
		f := heartbeatFromProber(newResult().run())
		if f.State != Inconclusive {
			t.Errorf("%v", f)
		}
		r := newResult().with(registry.TLS12, gcm)
		r.res.Extensions.Heartbeat = true
		if f := heartbeatFromProber(r.run()); f.State != Vulnerable || f.Severity != SeverityInfo {
			t.Errorf("%v", f)
		}
	})
	t.Run("renegotiation unrecorded", func(t *testing.T) {
		f := newResult().with(registry.TLS12, gcm)
		f.res.Extensions.Protocol = 0
		for _, x := range checkRenegotiation(context.Background(), f.run()) {
			if x.State != Inconclusive {
				t.Errorf("%s: %v", x.Check, x.State)
			}
		}
	})
}

func TestDHPrimesData(t *testing.T) {
	list, err := knownPrimes()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 7 {
		t.Fatalf("%d primes", len(list))
	}
	names := map[string]bool{}
	for _, k := range list {
		if names[k.Name] {
			t.Errorf("duplicate %q", k.Name)
		}
		names[k.Name] = true
		if !k.P.ProbablyPrime(20) {
			t.Errorf("%s is not prime: the data is wrong", k.Name)
		}
		if !strings.Contains(k.Name, strconv.Itoa(k.P.BitLen())) {
			t.Errorf("%s: %d bits", k.Name, k.P.BitLen())
		}
		if probe.KnownDHGroup(k.P) != "" {
			t.Errorf("%s duplicates probe's %s", k.Name, probe.KnownDHGroup(k.P))
		}
		if KnownDHPrime(k.P) != k.Name {
			t.Errorf("lookup of %s gave %q", k.Name, KnownDHPrime(k.P))
		}
		if k.Source == "" {
			t.Errorf("%s: no source", k.Name)
		}
	}
	if _, err := parseDHPrimes("name: x\nsource: y\nzz\n"); err == nil {
		t.Error("bad hex accepted")
	}
	if _, err := parseDHPrimes("name: x\n0f\n"); err == nil {
		t.Error("entry without source accepted")
	}
}

func TestReportFields(t *testing.T) {
	rep := &Report{PadlockFindings: []Finding{
		{Check: CheckHeartbleed, State: Vulnerable, Severity: SeverityExploitable},
		{Check: CheckCCS, State: Vulnerable, Severity: SeverityNotExploitable},
		{Check: CheckPoodleTLS, State: Inconclusive, Variant: VariantTimeout},
		{Check: CheckFallbackSCSV, State: NotApplicable},
		{Check: CheckSecureRenegotiation, State: NotVulnerable, Variant: VariantRequired},
		{Check: CheckClientRenegotiation, State: Vulnerable},
		{Check: CheckROBOT, State: Inconclusive, Variant: VariantInconsistent},
		{Check: CheckTicketbleed, State: Vulnerable, Variant: VariantSimilarBug},
		{Check: CheckGoldenDoodle, State: Vulnerable, Severity: SeverityNotExploitable},
		{Check: CheckSleepingPoodle, State: Vulnerable, Severity: SeverityExploitable},
		{Check: CheckZeroLength, State: NotApplicable},
		{Check: CheckZeroRTT, State: Inconclusive},
		{Check: CheckDHPrimes, State: NotApplicable},
	}}
	rep.fill()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	wantNum := map[string]float64{
		"openSslCcs": 2, "poodleTls": -3, "renegSupport": 2 | 4 | 8, "bleichenbacher": 4, "ticketbleed": 3,
		"goldenDoodle": 4, "sleepingPoodle": 11, "zeroLengthPaddingOracle": 1, "zeroRTTEnabled": -2,
		"zombiePoodle": 0, "openSSLLuckyMinus20": 0, "compressionMethods": 0,
	}
	for k, v := range wantNum {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if m["heartbleed"] != true || m["heartbeat"] != false {
		t.Errorf("heartbleed %v heartbeat %v", m["heartbleed"], m["heartbeat"])
	}
	for _, absent := range []string{"fallbackScsv", "dhUsesKnownPrimes"} {
		if _, ok := m[absent]; ok {
			t.Errorf("%s present", absent)
		}
	}
	for _, present := range []string{"poodle", "freak", "logjam", "drownVulnerable", "vulnBeast", "supportsRc4", "rc4Only", "padlockFindings", "padlockSSLv2"} {
		if _, ok := m[present]; !ok {
			t.Errorf("%s missing", present)
		}
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.PadlockFindings[1].State != Vulnerable || back.PadlockFindings[1].Severity != SeverityNotExploitable {
		t.Errorf("round trip: %+v", back.PadlockFindings[1])
	}
}

func TestCheckBounds(t *testing.T) {
	t.Parallel()
	// A server that accepts connections and never answers: every check
	// ends within the budget, inconclusive, and the cap holds.
	addr := emulator(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	res := newResult().with(registry.TLS12, 0x002f, 0xc02f).with(registry.TLS13, 0x1301).res
	res.Extensions.SessionTicket = true
	ap := netip.MustParseAddrPort(addr)
	ep := probe.Endpoint{IP: ap.Addr(), Port: ap.Port()}
	d := probe.NewDialer(ep, probe.Options{Timeout: 2 * time.Second})
	start := time.Now()
	rep := Check(context.Background(), d, res, Options{Wait: 500 * time.Millisecond, Budget: 20 * time.Second, MaxConnections: 6})
	if time.Since(start) > 25*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	if rep.PadlockConnections > 6 {
		t.Errorf("%d connections, cap 6", rep.PadlockConnections)
	}
	for _, f := range rep.PadlockFindings {
		if f.State == Vulnerable && f.Severity != SeverityInfo {
			t.Errorf("%s vulnerable against a silent server: %s", f.Check, f.Reason)
		}
	}
	if f, _ := rep.Finding(CheckHeartbleed); f.State != Inconclusive {
		t.Errorf("heartbleed %v: %s", f.State, f.Reason)
	}
}

func TestFleetDROWN(t *testing.T) {
	mk := func(fp string, v2 bool) *Report {
		return &Report{PadlockKeyFingerprint: fp, PadlockSSLv2: v2, PadlockFindings: []Finding{
			finding(CheckDROWN, NotVulnerable, "no SSLv2 here"),
		}}
	}
	reps := []*Report{mk("aa", false), mk("bb cc", false), mk("aa", true), mk("dd", false)}
	FleetDROWN([]string{"a", "b", "c", "d"}, reps)
	if !reps[0].DrownVulnerable || reps[1].DrownVulnerable || reps[3].DrownVulnerable {
		t.Fatalf("%v %v %v", reps[0].DrownVulnerable, reps[1].DrownVulnerable, reps[3].DrownVulnerable)
	}
	f, _ := reps[0].Finding(CheckDROWN)
	if f.State != Vulnerable || len(f.Evidence) != 1 || f.Evidence[0].Value != "c" {
		t.Fatalf("%+v", f)
	}
}

func TestSilenceAfter(t *testing.T) {
	const wait = 5 * time.Second
	for _, tc := range []struct {
		slowest, want time.Duration
	}{
		{0, wait},                          // a sibling was silent too: the whole wait
		{wait, wait},                       // as slow as the wait: no shortcut
		{2 * time.Millisecond, minSilence}, // loopback: the floor
		{100 * time.Millisecond, 800 * time.Millisecond}, // eight times the slowest answer
		{time.Second, wait},       // capped by the wait
		{-time.Millisecond, wait}, // nonsense: the whole wait
	} {
		if got := silenceAfter(tc.slowest, wait); got != tc.want {
			t.Errorf("silenceAfter(%v) = %v, want %v", tc.slowest, got, tc.want)
		}
	}
}

// TestDataAfterAlert is issue 12 item 1 in miniature: data the
// application writes after the TLS layer rejected the record with an
// alert is not "processed" data, and the reaction's key ends at the
// alert.
func TestDataAfterAlert(t *testing.T) {
	badMAC := tlswire.Alert{Level: tlswire.AlertLevelFatal, Description: tlswire.AlertBadRecordMAC}
	data := seenRecord{Type: tlswire.TypeApplicationData, Len: 160, Data: []byte("HTTP/1.1 200 OK")}
	rejected := reaction{Records: []seenRecord{{Type: tlswire.TypeAlert, Len: 80, Alert: &badMAC}, data}, End: endClosed}
	answered := reaction{Records: []seenRecord{data}, End: endClosed}
	if n := rejected.dataLen(); n != 0 {
		t.Errorf("data after an alert counted: %d bytes", n)
	}
	if n := answered.dataLen(); n == 0 {
		t.Error("data before any alert not counted")
	}
	alertOnly := reaction{Records: rejected.Records[:1], End: endTimeout}
	if rejected.key() != alertOnly.key() || rejected.wireKey() != alertOnly.wireKey() {
		t.Errorf("keys look past the alert: %s / %s", rejected.key(), alertOnly.key())
	}
	var p padResults
	for v := range padVectors {
		p[v] = rejected
	}
	p[padValid] = answered
	if f := judgePoodleTLS(&p, "test"); f.State != NotVulnerable {
		t.Errorf("POODLE TLS %v: %s", f.State, f.Reason)
	}
}

// TestSessionShare: the first offer counts; a session is taken only for
// the same hello; take gives up after its wait; a nil share takes nothing.
func TestSessionShare(t *testing.T) {
	hello := handshake.Config{Version: handshake.VersionTLS12, Suites: []uint16{0xc02f, 0xc030}}
	other := handshake.Config{Version: handshake.VersionTLS12, Suites: []uint16{0xc02f}}
	sid := []byte{1, 2, 3}
	ctx := context.Background()
	tests := []struct {
		name  string
		share func() *SessionShare
		take  handshake.Config
		want  []byte
	}{
		{"same hello", func() *SessionShare { s := NewSessionShare(); s.offer(hello, sid); return s }, hello, sid},
		{"first offer counts", func() *SessionShare {
			s := NewSessionShare()
			s.offer(hello, sid)
			s.offer(hello, []byte{9})
			return s
		}, hello, sid},
		{"none offered first", func() *SessionShare {
			s := NewSessionShare()
			s.offer(handshake.Config{}, nil)
			s.offer(hello, sid)
			return s
		}, hello, nil},
		{"another hello", func() *SessionShare { s := NewSessionShare(); s.offer(other, sid); return s }, hello, nil},
		{"never offered", NewSessionShare, hello, nil},
		{"nil share", func() *SessionShare {
			var s *SessionShare
			s.offer(hello, sid) // takes nothing, does not panic
			return s
		}, hello, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.share().take(ctx, tt.take, 50*time.Millisecond); !bytes.Equal(got, tt.want) {
				t.Errorf("took %x, want %x", got, tt.want)
			}
		})
	}
}
