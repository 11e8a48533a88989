package fleet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"padlock/assess"
	"padlock/change"
	"padlock/grade"
	"padlock/lab"
	"padlock/lab/peer"
	"padlock/registry"
	"padlock/store"
	"padlock/stored"
)

// TestRunRealServers scans a fleet of real servers on loopback (Go, nginx,
// OpenSSL, GnuTLS) named through the ip column of a CSV file that also has
// bad rows, and checks that every good row was assessed once, that rows
// sharing an endpoint shared one assessment, and that nothing exceeded the
// per-IP limit.
func TestRunRealServers(t *testing.T) {
	ctx := context.Background()
	goSrv := startCounting(t, "127.0.0.1:0", labConfig(t, false))
	nginx := peer.Nginx(t, peer.NginxOptions{})
	openssl := peer.OpenSSL(t, peer.OpenSSLOptions{Www: true, MinProtocol: "TLSv1.2"})
	gnutls := peer.GnuTLS(t, peer.GnuTLSOptions{})

	csv := strings.Join([]string{
		"organisation,url,group,ip",
		fmt.Sprintf("Go,https://localhost:%d/,go,127.0.0.1", goSrv.Port),
		fmt.Sprintf("Go,https://localhost:%d/report-a-crime,go,127.0.0.1", goSrv.Port), // shares line 2's assessment
		fmt.Sprintf("nginx,https://localhost:%d/,peer,%s", nginx.Port, nginx.Host),
		"Broken,https://[not-an-address]/,peer,",
		fmt.Sprintf("OpenSSL,https://localhost:%d/,peer,%s", openssl.Port, openssl.Host),
		fmt.Sprintf("GnuTLS,https://localhost:%d/,peer,%s;", gnutls.Port, gnutls.Host),
		"No IP,https://localhost:1/,peer,999.1.1.1",
	}, "\n")
	file := filepath.Join(t.TempDir(), "fleet.csv")
	if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	tf, err := LoadTargets(file, ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := errLines(tf.Errors); len(got) != 2 || got[0] != 5 || got[1] != 8 {
		t.Fatalf("row errors %v, want lines 5 and 8", tf.Errors)
	}

	st := openStore(t)
	var under atomic.Int64 // connections open below the politeness layer
	var underPeak atomic.Int64
	opts := Options{
		PerIP:    3,
		Rate:     500,
		Observer: NewProgress(logWriter{t}, false),
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			n := under.Add(1)
			for p := underPeak.Load(); n > p && !underPeak.CompareAndSwap(p, n); p = underPeak.Load() {
			}
			return &closeCounter{Conn: c, n: &under}, nil
		},
	}
	demoRoots(t, &opts)
	opts.Assess.PKI.ExtraRoots = append(opts.Assess.PKI.ExtraRoots, peer.RootCA(t).Cert)
	id, err := CreateScan(ctx, st, "real servers", file, tf.Targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(ctx, st, id, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total != 5 || sum.Done != 5 || sum.Assessments != 4 || sum.Interrupted {
		t.Errorf("summary %+v: want 5 targets done with 4 assessments", sum)
	}
	sc, err := st.Scan(ctx, id)
	if err != nil || sc.Status != store.StatusFinished {
		t.Fatalf("scan %+v, %v", sc, err)
	}
	got := assessmentsByLine(t, st, id)
	for _, line := range []int{2, 3, 4, 6, 7} {
		a, ok := got[line]
		if !ok {
			t.Errorf("line %d: no assessment", line)
			continue
		}
		if a.Grade == "" || a.Endpoints != 1 || a.BestProtocol == "" {
			t.Errorf("line %d (%s): grade %q (%s), %d endpoints, best %q", line, a.Organisation, a.Grade, a.Inconclusive, a.Endpoints, a.BestProtocol)
		}
		r, err := DecodeResult(a.Result)
		if err != nil || r.Host == nil || r.Target.Line != line || r.Schema != ResultSchema {
			t.Errorf("line %d: stored result %v, %+v", line, err, r)
		}
	}
	r2, _ := DecodeResult(got[2].Result)
	r3, _ := DecodeResult(got[3].Result)
	if r2.Host.StartTime != r3.Host.StartTime || len(r2.SharedWith) != 1 || r2.SharedWith[0] != 3 || r3.Target.URL != fmt.Sprintf("https://localhost:%d/report-a-crime", goSrv.Port) {
		t.Errorf("lines 2 and 3 should share one assessment: %v/%v, shared %v", r2.Host.StartTime, r3.Host.StartTime, r2.SharedWith)
	}
	if got[2].Grade != "A" {
		t.Errorf("Go modern server: grade %q, want A", got[2].Grade)
	}

	if sum.Politeness.PeakPerIP > 3 || underPeak.Load() > 3 {
		t.Errorf("peak connections per IP: %d (politeness), %d (below it); limit 3", sum.Politeness.PeakPerIP, underPeak.Load())
	}
	if total, peak := goSrv.counts(); peak > 3 || total == 0 {
		t.Errorf("Go server saw %d connections, %d at once; limit 3", total, peak)
	}
}

type closeCounter struct {
	net.Conn
	n    *atomic.Int64
	done atomic.Bool
}

func (c *closeCounter) CloseWrite() error { return c.Conn.(*net.TCPConn).CloseWrite() }

func (c *closeCounter) Close() error {
	err := c.Conn.Close()
	if c.done.CompareAndSwap(false, true) {
		c.n.Add(-1)
	}
	return err
}

// TestPerIPLimits runs many targets that share a few addresses and counts,
// at the servers, how many connections each address had open at once and
// how many arrived per second.
func TestPerIPLimits(t *testing.T) {
	ctx := context.Background()
	const perIP, rate = 2, 40
	addrs := []string{"127.0.2.1", "127.0.2.2", "127.0.2.3"}
	var servers []*countingServer
	var targets []Target
	cfg := labConfig(t, false)
	for i, a := range addrs {
		// Two servers (ports) per address, two targets per server: four
		// targets compete for each address's slots.
		for j := 0; j < 2; j++ {
			s := startCounting(t, a+":0", cfg)
			servers = append(servers, s)
			targets = append(targets,
				target(len(targets)+1, fmt.Sprintf("org %d-%d a", i, j), a, s.Port),
				Target{Line: len(targets) + 2, Organisation: fmt.Sprintf("org %d-%d b", i, j), URL: fmt.Sprintf("https://%s:%d/", a, s.Port),
					Host: a, Port: uint16(s.Port), HTTPPort: 80})
		}
	}
	st := openStore(t)
	opts := Options{PerIP: perIP, Rate: rate, Concurrency: 12, Retries: -1}
	demoRoots(t, &opts)
	id, err := CreateScan(ctx, st, "per-ip", "", targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sum, err := Run(ctx, st, id, opts)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if sum.Done != len(targets) || sum.Inconclusive != 0 {
		t.Fatalf("summary %+v", sum)
	}
	// Per address: the servers on it together.
	for _, a := range addrs {
		var total, window int
		var merged []time.Time
		for _, s := range servers {
			if s.Host != a {
				continue
			}
			accepts := s.count.Accepts()
			merged = append(merged, accepts...)
			total += len(accepts)
		}
		slices.SortFunc(merged, time.Time.Compare)
		window = lab.MaxInWindow(merged, time.Second)
		// rate per second plus the burst (perIP), plus one for the edges
		// of the window, plus what 100 ms of accept-loop lag can squeeze
		// into a window: the servers stamp a connection when they accept
		// it, and under -race on two busy cores that lags the dial (seen:
		// 45 in a window with a limiter that never exceeded its rate).
		// Without a limiter this test sees hundreds within a second.
		const acceptLag = 100 * time.Millisecond
		if window > rate+perIP+1+int(rate*acceptLag/time.Second) {
			t.Errorf("%s: %d connections within one second, limit %d/s (burst %d)", a, window, rate, perIP)
		}
		if min := time.Duration(float64(total-perIP) / rate * float64(time.Second)); elapsed < min {
			t.Errorf("%s: %d connections in %v: faster than %d/s allows", a, total, elapsed, rate)
		}
		t.Logf("%s: %d connections, at most %d within a second", a, total, window)
	}
	for _, s := range servers {
		if _, peak := s.counts(); peak > perIP {
			t.Errorf("%s: %d connections open at once, limit %d", s.Addr, peak, perIP)
		}
	}
	if sum.Politeness.PeakPerIP > perIP {
		t.Errorf("politeness peak %d > %d", sum.Politeness.PeakPerIP, perIP)
	}
}

// TestInterruptAndResume stops a scan midway (as SIGINT does) and resumes
// it: the targets finished before the stop are not assessed again, and
// every target ends with exactly one assessment.
func TestInterruptAndResume(t *testing.T) {
	cfg := labConfig(t, false)
	var targets []Target
	var servers []*countingServer
	for i := 0; i < 8; i++ {
		s := startCounting(t, "127.0.0.1:0", cfg)
		servers = append(servers, s)
		targets = append(targets, target(i+1, fmt.Sprintf("org %d", i), "127.0.0.1", s.Port))
	}
	st := openStore(t)
	// One at a time, at 60 connections a second: each target takes about
	// a second, so the stop lands in the middle.
	opts := Options{Concurrency: 1, Rate: 60, Grace: 5 * time.Second}
	demoRoots(t, &opts)
	id, err := CreateScan(context.Background(), st, "resume", "", targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	obs := &stopAfter{n: 3, cancel: cancel}
	opts.Observer = obs
	sum, err := Run(ctx, st, id, opts)
	if !errors.Is(err, ErrInterrupted) || !sum.Interrupted {
		t.Fatalf("first run: %v, %+v", err, sum)
	}
	sc, _ := st.Scan(context.Background(), id)
	if sc.Status != store.StatusInterrupted || sc.Counts.Done < 3 || sc.Counts.Done >= len(targets) {
		t.Fatalf("after the stop: %+v", sc)
	}
	first := assessmentsByLine(t, st, id)
	conns := map[int]int{}
	for i, s := range servers {
		conns[i+1], _ = s.counts()
	}

	opts.Observer = nil
	opts.Rate = -1
	sum, err = Run(context.Background(), st, id, opts)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if sum.Assessed != len(targets)-len(first) || sum.Done != len(targets) {
		t.Errorf("resume assessed %d (done %d), want %d", sum.Assessed, sum.Done, len(targets)-len(first))
	}
	after := assessmentsByLine(t, st, id)
	if len(after) != len(targets) {
		t.Fatalf("%d assessments for %d targets", len(after), len(targets))
	}
	for line, a := range first {
		if !after[line].Finished.Equal(a.Finished) {
			t.Errorf("line %d was assessed again", line)
		}
		if n, _ := servers[line-1].counts(); n != conns[line] {
			t.Errorf("line %d: the server saw %d more connections after the stop", line, n-conns[line])
		}
	}
	sc, _ = st.Scan(context.Background(), id)
	if sc.Status != store.StatusFinished {
		t.Errorf("status %s", sc.Status)
	}
}

// stopAfter cancels the scan once n targets are done.
type stopAfter struct {
	nopObserver
	n      int32
	done   atomic.Int32
	cancel func()
}

func (s *stopAfter) TargetDone(Target, store.Assessment, int) {
	if s.done.Add(1) == s.n {
		s.cancel()
	}
}

// TestRetries: an inconclusive target (a port that accepts connections and
// says nothing) is retried with back-off; a refused one (U) is not.
func TestRetries(t *testing.T) {
	ctx := context.Background()
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var accepted atomic.Int64
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			go func() { time.Sleep(5 * time.Second); c.Close() }()
		}
	}()
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedPort := refused.Addr().(*net.TCPAddr).Port
	refused.Close()

	st := openStore(t)
	targets := []Target{
		target(1, "silent", "127.0.0.1", silent.Addr().(*net.TCPAddr).Port),
		target(2, "refused", "127.0.0.1", refusedPort),
	}
	opts := Options{Rate: -1, Timeout: 300 * time.Millisecond, Retries: 2, Backoff: 100 * time.Millisecond, Budget: time.Minute}
	opts.Assess.Probe.SkipSimulation = true
	id, err := CreateScan(ctx, st, "retries", "", targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, st, id, opts); err != nil {
		t.Fatal(err)
	}
	got := assessmentsByLine(t, st, id)
	r1, _ := DecodeResult(got[1].Result)
	r2, _ := DecodeResult(got[2].Result)
	if got[1].Grade != "" || got[1].Inconclusive == "" || r1.Attempts != 3 {
		t.Errorf("silent: grade %q (%s) after %d attempts; want inconclusive after 3", got[1].Grade, got[1].Inconclusive, r1.Attempts)
	}
	if got[2].Grade != "U" || r2.Attempts != 1 {
		t.Errorf("refused: grade %q after %d attempts; want U after 1", got[2].Grade, r2.Attempts)
	}
}

// TestFindDROWN: an endpoint sharing its RSA key with another endpoint that
// speaks SSL 2.0 is marked, naming that endpoint; the SSL 2.0 endpoint
// itself and endpoints with other keys are not.
func TestFindDROWN(t *testing.T) {
	host := func(name, ip string, port int, pin, alg string, sslv2 bool) *Result {
		protos := []assess.Protocol{{ID: 0x0303, Name: "TLS", Version: "1.2"}}
		if sslv2 {
			protos = append(protos, assess.Protocol{ID: 0x0200, Name: "SSL", Version: "2.0"})
		}
		facts := &grade.Facts{
			Host:      name,
			Protocols: []registry.Protocol{registry.TLS12, registry.TLS13},
			Suites: []grade.ProtocolSuites{
				{Protocol: registry.TLS12, Suites: []uint16{0xc02f}, ServerPreference: true},
				{Protocol: registry.TLS13, Suites: []uint16{0x1301}},
			},
			LeafKey:     &grade.KeyFacts{Alg: grade.KeyRSA, Bits: 2048, Exponent: 65537},
			ECDHEGroups: []uint16{0x001d},
		}
		h := &assess.Host{Host: name, Port: port,
			Endpoints: []assess.Endpoint{{IPAddress: ip, StatusMessage: assess.MsgReady, PadlockFacts: facts, Details: &assess.EndpointDetails{
				Protocols:  protos,
				CertChains: []assess.CertChain{{CertIDs: []string{"leaf-" + pin}}},
			}}},
			Certs: []assess.Cert{{ID: "leaf-" + pin, PinSHA256: pin, KeyAlg: alg}},
		}
		return &Result{Host: h}
	}
	results := []*Result{
		host("www.example.org", "192.0.2.1", 443, "K1", "RSA", false),   // victim
		host("mail.example.org", "192.0.2.2", 465, "K1", "RSA", true),   // SSLv2 with the same key
		host("other.example.org", "192.0.2.3", 443, "K2", "RSA", false), // another key
		host("ec.example.org", "192.0.2.4", 443, "K3", "EC", false),
		host("ec2.example.org", "192.0.2.5", 443, "K3", "EC", true), // EC keys: DROWN needs RSA
		nil,
	}
	found := FindDROWN(results)
	if len(found[0]) != 1 || found[0][0].Endpoint != "192.0.2.1:443" || found[0][0].KeyPin != "K1" ||
		len(found[0][0].Via) != 1 || found[0][0].Via[0] != "mail.example.org:465 (192.0.2.2)" {
		t.Errorf("victim: %+v", found[0])
	}
	for i := 1; i < len(results); i++ {
		if len(found[i]) != 0 {
			t.Errorf("result %d: %+v", i, found[i])
		}
	}

	// MarkDROWN stores it, and the diff sees it as a finding.
	ctx := context.Background()
	st := openStore(t)
	targets := []Target{target(1, "victim", "192.0.2.1", 443), target(2, "v2", "192.0.2.2", 465)}
	id, err := CreateScan(ctx, st, "drown", "", targets, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := st.Targets(ctx, id)
	for i, r := range results[:2] {
		r.Schema, r.Target = ResultSchema, targets[i]
		assess.Regrade(r.Host, nil)
		if r.Host.PadlockSite.Grade == "" || r.Host.PadlockSite.Grade == "F" || !r.Host.PadlockSite.Provisional {
			t.Fatalf("before the lookup: %+v", r.Host.PadlockSite)
		}
		a, err := r.assessment(id, rows[i].ID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Lookup) == 0 {
			t.Fatal("no lookup stored")
		}
		if i == 1 {
			a.Lookup = nil // stored before lookups were: read from its result
		}
		if err := st.SaveAssessment(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	n, err := MarkDROWN(ctx, st, id)
	if err != nil || n != 1 {
		t.Fatalf("MarkDROWN: %d, %v", n, err)
	}
	got := assessmentsByLine(t, st, id)
	r, _ := DecodeResult(got[1].Result)
	if len(r.PadlockDROWN) != 1 {
		t.Fatalf("stored: %+v", r.PadlockDROWN)
	}
	if got[1].Grade != "F" || got[2].Grade == "F" || got[2].Grade == "" {
		t.Errorf("grades after the lookup: victim %q, SSL 2.0 twin %q", got[1].Grade, got[2].Grade)
	}
	for line, a := range got {
		rr, _ := DecodeResult(a.Result)
		for _, p := range rr.Host.Endpoints[0].PadlockGrade.NotEvaluated {
			if p.Rule == grade.RuleE5 {
				t.Errorf("line %d: E5 still pending after the lookup", line)
			}
		}
	}
	var e5 []change.Finding
	sr, err := stored.Decode(got[1].Result)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sr.Findings() {
		if f.Rule == "E5" {
			e5 = append(e5, f)
		}
	}
	if len(e5) != 1 || e5[0].Effect != "f" || !strings.Contains(e5[0].Detail+r.Host.Endpoints[0].PadlockGrade.Findings[0].Evidence.Text, "mail.example.org:465") {
		t.Errorf("E5 findings %+v", e5)
	}
	// A second lookup changes nothing.
	if n, err := MarkDROWN(ctx, st, id); err != nil || n != 1 {
		t.Fatalf("MarkDROWN again: %d, %v", n, err)
	}
	if again := assessmentsByLine(t, st, id); !again[1].Finished.Equal(got[1].Finished) || string(again[1].Result) != string(got[1].Result) {
		t.Errorf("the second lookup re-saved the assessment")
	}
}
