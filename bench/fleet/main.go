// Command fleet benchmarks `padlock scan` on a large loopback fleet, and
// serves the small lab fleet of examples/loopback.csv.
//
// Usage:
//
//	go run ./bench/fleet run [flags]     the benchmark (see README.md)
//	go run ./bench/fleet workers [flags]  1, 2, 3 worker processes on PostgreSQL and one on SQLite
//	go run ./bench/fleet serve [-change] the sites of examples/loopback.csv
//
// run starts a few in-process Go HTTPS servers, each listening on many
// loopback addresses (127.20.X.Y, one address per target: only loopback,
// never a wildcard address), writes a targets file naming N sites
// siteI.bench.test pinned to those addresses, builds padlock and runs
// `padlock scan --no-web` on it with the default per-IP limits, and
// reports the wall time, the peak RSS of the padlock process (from
// wait4's rusage), the connections per target and per address counted at
// the servers, and the grades stored. With -testssl K it then times
// testssl.sh's --file mass mode on K of the sites and padlock on the same
// K, one site at a time and with its default concurrency.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"padlock/grade"
	"padlock/lab"
	"padlock/store"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench/fleet: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: fleet run|workers|serve [flags]")
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runBench(os.Args[2:])
	case "serve":
		err = serve(os.Args[2:])
	case "workers":
		err = runWorkers(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q (run, workers or serve)", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

// site is one loopback address a server listens on, with its counters.
type site struct {
	addr   string // "127.20.X.Y:PORT"
	config string

	mu      sync.Mutex
	open    int
	peak    int
	total   int
	accepts []time.Time
}

type siteListener struct {
	net.Listener
	s *site
}

func (l siteListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	s := l.s
	s.mu.Lock()
	s.open++
	s.total++
	s.peak = max(s.peak, s.open)
	s.accepts = append(s.accepts, time.Now())
	s.mu.Unlock()
	return &siteConn{Conn: c, s: s}, nil
}

type siteConn struct {
	net.Conn
	s    *site
	once sync.Once
}

func (c *siteConn) done() {
	c.once.Do(func() {
		c.s.mu.Lock()
		c.s.open--
		c.s.mu.Unlock()
	})
}

func (c *siteConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.done()
	}
	return n, err
}

func (c *siteConn) Close() error {
	err := c.Conn.Close()
	c.done()
	return err
}

// maxPerSecond is the most connections accepted within any one second.
func (s *site) maxPerSecond() int {
	s.mu.Lock()
	ts := append([]time.Time(nil), s.accepts...)
	s.mu.Unlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	best, j := 0, 0
	for i := range ts {
		for ts[i].Sub(ts[j]) >= time.Second {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// benchConfigs are the server configurations the fleet is made of: a
// modern ECDSA site, a modern RSA one, a TLS 1.3-only one and a legacy one
// (TLS 1.0-1.2, RSA key exchange, CBC and 3DES), with leaves for
// *.bench.test from one bench CA.
func benchConfigs(ca *lab.CA) (map[string]*tls.Config, []string, error) {
	names := []string{"*.bench.test", "localhost"}
	ec, err := ca.Issue(lab.LeafOptions{KeyType: lab.KeyP256, DNSNames: names})
	if err != nil {
		return nil, nil, err
	}
	rsa, err := ca.Issue(lab.LeafOptions{KeyType: lab.KeyRSA2048, DNSNames: names})
	if err != nil {
		return nil, nil, err
	}
	cfgs := map[string]*tls.Config{
		"modern-ecdsa": {MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{ec.TLSCertificate()},
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}},
		"modern-rsa": {MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{rsa.TLSCertificate()},
			CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}},
		"tls13-only": {MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{ec.TLSCertificate()}},
		"legacy": {MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{rsa.TLSCertificate()},
			CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
				tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}},
	}
	return cfgs, []string{"modern-ecdsa", "modern-rsa", "tls13-only", "legacy"}, nil
}

// addrOf is target i's address: 127.20.X.Y with Y in 1..250.
func addrOf(i int) string { return fmt.Sprintf("127.20.%d.%d", i/250, i%250+1) }

// startFleet listens on n addresses at port and serves configuration i%4
// on address i.
func startFleet(n, port int, cfgs map[string]*tls.Config, order []string) ([]*site, func(), error) {
	body := []byte("padlock bench fleet\n")
	servers := map[string]*http.Server{}
	for name := range cfgs {
		servers[name] = &http.Server{
			Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       5 * time.Second,
			ErrorLog:          log.New(io.Discard, "", 0),
		}
	}
	stop := func() {
		for _, s := range servers {
			s.Close()
		}
	}
	sites := make([]*site, n)
	for i := range n {
		cfg := order[i%len(order)]
		s := &site{addr: fmt.Sprintf("%s:%d", addrOf(i), port), config: cfg}
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			stop()
			return nil, nil, fmt.Errorf("listen %s: %w", s.addr, err)
		}
		sites[i] = s
		go servers[cfg].Serve(tls.NewListener(siteListener{ln, s}, cfgs[cfg]))
	}
	return sites, stop, nil
}

type runResult struct {
	Wall     time.Duration
	MaxRSSKB int64
	User     time.Duration
	Sys      time.Duration
	ExitCode int
}

// timed runs a command and measures it; its output goes to logPath.
func timed(logPath string, name string, args ...string) (runResult, error) {
	return timedEnv(logPath, nil, name, args...)
}

// timedEnv is timed with an environment (nil: the bench's own).
func timedEnv(logPath string, env []string, name string, args ...string) (runResult, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return runResult{}, err
	}
	defer f.Close()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	start := time.Now()
	err = cmd.Run()
	r := runResult{Wall: time.Since(start)}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return r, err
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSSKB = ru.Maxrss
		r.User = time.Duration(ru.Utime.Nano())
		r.Sys = time.Duration(ru.Stime.Nano())
	}
	r.ExitCode = cmd.ProcessState.ExitCode()
	return r, nil
}

func runBench(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	var (
		n           = fs.Int("n", 1000, "targets")
		concurrency = fs.Int("concurrency", 256, "padlock scan --concurrency (targets at once; the per-IP limits stay at their defaults)")
		port        = fs.Int("port", 9443, "the port every address listens on")
		bin         = fs.String("padlock", "", "padlock binary (default: go build ./cmd/padlock)")
		out         = fs.String("out", filepath.Join(os.TempDir(), "padlock-bench-fleet"), "directory for the targets, the database, logs and results")
		testssl     = fs.Int("testssl", 10, "also time testssl --file on this many sites, and padlock on the same (0: skip)")
		skipScan    = fs.Bool("skip-scan", false, "skip the N-target scan (time the testssl comparison only)")
		memLimit    = fs.String("gomemlimit", "", "GOMEMLIMIT for the padlock process of the N-target scan (e.g. 150MiB; default: none)")
		extra       = fs.String("scan-flags", "", "further padlock scan flags for the N-target scan, space-separated (e.g. --no-vuln)")
		serverProf  = fs.String("server-cpuprofile", "", "write a CPU profile of the servers (this process) during the N-target scan to this file")
	)
	fs.Parse(args)
	outDir, err := prepare(*out, bin)
	if err != nil {
		return err
	}

	root, err := lab.NewCA("padlock bench root")
	if err != nil {
		return err
	}
	ca, err := root.Intermediate("padlock bench intermediate")
	if err != nil {
		return err
	}
	caFile, err := ca.WriteRootPEM(outDir, "bench-ca")
	if err != nil {
		return err
	}
	cfgs, order, err := benchConfigs(ca)
	if err != nil {
		return err
	}
	total := max(*n, *testssl)
	sites, stop, err := startFleet(total, *port, cfgs, order)
	if err != nil {
		return err
	}
	defer stop()
	log.Printf("%d sites listening on 127.20.0.1-%s:%d (%s)", total, addrOf(total-1), *port, strings.Join(order, ", "))

	writeTargets := func(path string, from, to int) error {
		var b bytes.Buffer
		b.WriteString("organisation,url,group,ip\n")
		for i := from; i < to; i++ {
			fmt.Fprintf(&b, "Bench site %d,https://site%d.bench.test:%d/,%s,%s\n", i, i, *port, sites[i].config, addrOf(i))
		}
		return os.WriteFile(path, b.Bytes(), 0o644)
	}

	var report strings.Builder
	fmt.Fprintf(&report, "# bench/fleet, %s, %d cores (GOMAXPROCS %d), %s\n\n", time.Now().UTC().Format(time.RFC3339), runtime.NumCPU(), runtime.GOMAXPROCS(0), kernel())

	if !*skipScan {
		targets := filepath.Join(outDir, "targets.csv")
		if err := writeTargets(targets, 0, *n); err != nil {
			return err
		}
		db := filepath.Join(outDir, "bench.db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(db + suffix)
		}
		log.Printf("padlock scan: %d targets, --concurrency %d, default per-IP limits, --no-web", *n, *concurrency)
		scanArgs := []string{"scan", "--db", db, "--ca-file", caFile, "--no-web", "--concurrency", fmt.Sprint(*concurrency)}
		scanArgs = append(scanArgs, strings.Fields(*extra)...)
		scanArgs = append(scanArgs, targets)
		var env []string
		if *memLimit != "" {
			env = append(os.Environ(), "GOMEMLIMIT="+*memLimit)
		}
		servers0 := selfCPU()
		load0 := loadAvg()
		if *serverProf != "" {
			f, err := os.Create(*serverProf)
			if err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
		}
		res, err := timedEnv(filepath.Join(outDir, "scan.log"), env, *bin, scanArgs...)
		if err != nil {
			return err
		}
		serversCPU := selfCPU() - servers0
		if *serverProf != "" {
			pprof.StopCPUProfile()
		}
		load1 := loadAvg()
		if res.ExitCode != 0 {
			b, _ := os.ReadFile(filepath.Join(outDir, "scan.log"))
			return fmt.Errorf("padlock scan exited %d:\n%s", res.ExitCode, tail(string(b), 2000))
		}
		summary, err := summarizeDB(db)
		if err != nil {
			return err
		}
		conns, peak, perSec := 0, 0, 0
		for _, s := range sites[:*n] {
			s.mu.Lock()
			conns += s.total
			peak = max(peak, s.peak)
			s.mu.Unlock()
			perSec = max(perSec, s.maxPerSecond())
		}
		fmt.Fprintf(&report, "## %d loopback targets\n\n", *n)
		envNote := ""
		if *memLimit != "" {
			envNote = " with GOMEMLIMIT=" + *memLimit
		}
		fmt.Fprintf(&report, "`padlock %s`%s (per-IP defaults: 4 connections at once, 10 new connections/s), one address per target, 4 configurations in turn (%s).\n\n",
			strings.Join(scanArgs[:len(scanArgs)-1], " "), envNote, strings.Join(order, ", "))
		fmt.Fprintf(&report, "| figure | value |\n|---|---|\n")
		fmt.Fprintf(&report, "| wall time | %.1f s |\n", res.Wall.Seconds())
		fmt.Fprintf(&report, "| peak RSS (padlock) | %.0f MB |\n", float64(res.MaxRSSKB)/1024)
		fmt.Fprintf(&report, "| CPU (padlock) | %.1f s user, %.1f s system |\n", res.User.Seconds(), res.Sys.Seconds())
		fmt.Fprintf(&report, "| CPU (the servers, in this process, on the same cores) | %.1f s |\n", serversCPU.Seconds())
		fmt.Fprintf(&report, "| load average (1 min) before, after | %s, %s |\n", load0, load1)
		fmt.Fprintf(&report, "| connections | %d (%.1f per target) |\n", conns, float64(conns)/float64(*n))
		fmt.Fprintf(&report, "| most connections open at once to one address (padlock's count) | %s |\n", padlockPeak(filepath.Join(outDir, "scan.log")))
		fmt.Fprintf(&report, "| most connections open at once to one address (servers' count) | %d |\n", peak)
		if w := padlockSharedWrites(filepath.Join(outDir, "scan.log")); w >= 0 {
			fmt.Fprintf(&report, "| database writes holding the shared per-IP limits | %d (%.1f per target) |\n", w, float64(w)/float64(*n))
		}
		fmt.Fprintf(&report, "| most new connections to one address within one second | %d |\n", perSec)
		fmt.Fprintf(&report, "| targets stored | %d of %d (%d inconclusive) |\n", summary.done, summary.total, summary.failed)
		fmt.Fprintf(&report, "| grades | %s |\n\n", summary.grades)
	}

	if *testssl > 0 {
		if err := compareTestssl(&report, outDir, *bin, caFile, *port, sites[:*testssl], writeTargets); err != nil {
			return err
		}
	}
	path := filepath.Join(outDir, "results.md")
	if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
		return err
	}
	fmt.Print(report.String())
	log.Printf("results in %s", path)
	return nil
}

type dbSummary struct {
	total, done, failed int
	grades              string
}

func summarizeDB(path string) (dbSummary, error) {
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		return dbSummary{}, err
	}
	defer st.Close()
	scans, err := st.Scans(ctx)
	if err != nil || len(scans) == 0 {
		return dbSummary{}, fmt.Errorf("no scan stored: %v", err)
	}
	sc := scans[len(scans)-1]
	as, err := st.Assessments(ctx, sc.ID)
	if err != nil {
		return dbSummary{}, err
	}
	count := map[string]int{}
	for _, a := range as {
		g := a.Grade
		if g == "" {
			g = "inconclusive"
		}
		count[g]++
	}
	var parts []string
	for _, g := range append(gradeNames(), "inconclusive") {
		if count[g] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", g, count[g]))
		}
	}
	return dbSummary{total: sc.Counts.Total, done: sc.Counts.Done, failed: sc.Counts.Failed, grades: strings.Join(parts, ", ")}, nil
}

// compareTestssl times testssl --file (mass mode: one site after the
// other) on the sites and padlock scan on the same sites, serially and
// with its default concurrency.
func compareTestssl(report *strings.Builder, outDir, bin, caFile string, port int, sites []*site, writeTargets func(string, int, int) error) error {
	k := len(sites)
	targets := filepath.Join(outDir, fmt.Sprintf("targets-%d.csv", k))
	if err := writeTargets(targets, 0, k); err != nil {
		return err
	}
	conns := func() int {
		n := 0
		for _, s := range sites {
			s.mu.Lock()
			n += s.total
			s.mu.Unlock()
		}
		return n
	}
	fmt.Fprintf(report, "## %d sites: padlock next to testssl.sh --file\n\n", k)
	fmt.Fprintf(report, "| tool | mode | wall time | per site | connections per site | peak RSS |\n|---|---|---|---|---|---|\n")
	for _, run := range []struct {
		mode string
		args []string
	}{
		{"one site at a time (--concurrency 1), default per-IP limits, web check on", []string{"--concurrency", "1"}},
		{"one site at a time, no rate limit (--rate -1, as testssl has none), web check on", []string{"--concurrency", "1", "--rate", "-1"}},
		{"default concurrency (8) and per-IP limits, web check on", nil},
	} {
		db := filepath.Join(outDir, "compare.db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(db + suffix)
		}
		args := append([]string{"scan", "--db", db, "--ca-file", caFile}, run.args...)
		log.Printf("padlock %s", strings.Join(append(args, targets), " "))
		before := conns()
		res, err := timed(filepath.Join(outDir, "compare-padlock.log"), bin, append(args, targets)...)
		if err != nil {
			return err
		}
		if res.ExitCode != 0 {
			return fmt.Errorf("padlock scan (comparison) exited %d", res.ExitCode)
		}
		fmt.Fprintf(report, "| padlock scan | %s | %.1f s | %.2f s | %.1f | %.0f MB |\n", run.mode, res.Wall.Seconds(), res.Wall.Seconds()/float64(k),
			float64(conns()-before)/float64(k), float64(res.MaxRSSKB)/1024)
	}

	ts, err := exec.LookPath("testssl")
	if err != nil {
		if ts, err = exec.LookPath("testssl.sh"); err != nil {
			fmt.Fprintf(report, "| testssl | not installed | | | | |\n\n")
			return nil
		}
	}
	var mass bytes.Buffer
	for i, s := range sites {
		host, _, _ := net.SplitHostPort(s.addr)
		fmt.Fprintf(&mass, "--ip %s site%d.bench.test:%d\n", host, i, port)
	}
	massFile := filepath.Join(outDir, "testssl-mass.txt")
	if err := os.WriteFile(massFile, mass.Bytes(), 0o644); err != nil {
		return err
	}
	args := []string{"--quiet", "--color", "0", "--warnings", "batch", "--nodns", "none", "--add-ca", caFile,
		"--jsonfile", filepath.Join(outDir, "testssl.json"), "--file", massFile}
	os.Remove(filepath.Join(outDir, "testssl.json"))
	log.Printf("%s %s (this takes a while)", ts, strings.Join(args, " "))
	before := conns()
	res, err := timed(filepath.Join(outDir, "testssl.log"), ts, args...)
	if err != nil {
		return err
	}
	fmt.Fprintf(report, "| testssl %s | --file (mass mode, serial), default checks | %.1f s | %.2f s | %.1f | %.0f MB |\n\n", testsslVersion(ts), res.Wall.Seconds(), res.Wall.Seconds()/float64(k),
		float64(conns()-before)/float64(k), float64(res.MaxRSSKB)/1024)
	if res.ExitCode != 0 {
		fmt.Fprintf(report, "testssl exited with status %d (it reports findings through its status; see testssl.log).\n\n", res.ExitCode)
	}
	return nil
}

// padlockPeak reads "at most N open at once" from padlock scan's summary.
// padlockSharedWrites reads padlock scan's count of the database writes
// that held the per-IP limits with other workers (-1: none printed).
func padlockSharedWrites(logPath string) int {
	b, err := os.ReadFile(logPath)
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if i := strings.Index(l, " database writes held the limits"); i >= 0 && strings.HasPrefix(l, "connections: ") {
			f := strings.Fields(l[:i])
			if n, err := strconv.Atoi(f[len(f)-1]); err == nil {
				return n
			}
		}
	}
	return -1
}

func padlockPeak(logPath string) string {
	b, err := os.ReadFile(logPath)
	if err != nil {
		return "?"
	}
	const key = "at most "
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "connections: ") {
			if i := strings.Index(l, key); i >= 0 {
				if f := strings.Fields(l[i+len(key):]); len(f) > 0 {
					return f[0]
				}
			}
		}
	}
	return "?"
}

func testsslVersion(bin string) string {
	b, _ := exec.Command(bin, "--version").CombinedOutput()
	for _, l := range strings.Split(string(b), "\n") {
		if i := strings.Index(l, "testssl"); i >= 0 && strings.Contains(l, "from") {
			f := strings.Fields(l[i:])
			if len(f) >= 2 {
				return f[1]
			}
		}
	}
	return ""
}

// prepare makes the output directory out and returns its absolute
// path; with *bin empty it builds cmd/padlock there and sets *bin.
func prepare(out string, bin *string) (string, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	outDir, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	if *bin == "" {
		*bin = filepath.Join(outDir, "padlock")
		log.Printf("building %s", *bin)
		if b, err := exec.Command("go", "build", "-o", *bin, "./cmd/padlock").CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build: %v\n%s", err, b)
		}
	}
	return outDir, nil
}

func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return runtime.GOOS
	}
	return "Linux " + strings.TrimSpace(string(b))
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// serve starts the lab demo servers of examples/loopback.csv: server i on
// 127.0.1.(i+1):(9401+i), with the lab demo CA written to -ca.
func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var (
		change = fs.Bool("change", false, `serve the "legacy" configuration on the "modern" site's address (to see padlock diff at work)`)
		caPath = fs.String("ca", "lab-ca.pem", "where to write the lab CA's root certificate (for padlock scan --ca-file)")
	)
	fs.Parse(args)
	ca, err := lab.DemoCA()
	if err != nil {
		return err
	}
	built := map[string]*tls.Config{}
	specs := lab.DemoServers()
	for _, s := range specs {
		if built[s.Name], err = s.Build(ca); err != nil {
			return err
		}
	}
	var servers []*http.Server
	for i, s := range specs {
		cfg := built[s.Name]
		name := s.Name
		if *change && s.Name == "modern" {
			cfg, name = built["legacy"], "modern (serving legacy)"
		}
		addr := fmt.Sprintf("127.0.1.%d:%d", i+1, 9401+i)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		body := "padlock lab: " + name + "\n"
		srv := &http.Server{
			Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }),
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          log.New(io.Discard, "", 0),
		}
		servers = append(servers, srv)
		go srv.Serve(tls.NewListener(ln, cfg))
		log.Printf("%-16s https://localhost:%d/ on %s", name, 9401+i, addr)
	}
	// Written once every address is ours, so that a second instance that
	// cannot listen does not replace the running one's CA.
	if err := os.WriteFile(*caPath, ca.Root().CertPEM(), 0o644); err != nil {
		return err
	}
	log.Printf("lab CA root in %s; Ctrl-C stops", *caPath)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	for _, s := range servers {
		s.Close()
	}
	return nil
}

// gradeNames are the grades, best first.
func gradeNames() []string {
	var out []string
	for _, g := range grade.All() {
		out = append(out, string(g))
	}
	return out
}

// selfCPU is this process's CPU time so far (user and system): the
// servers' share of the machine while padlock scans them.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAvg is the machine's 1-minute load average ("?" if unknown):
// other work on the machine slows the wall time.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
