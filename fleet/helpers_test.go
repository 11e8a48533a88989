package fleet

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"padlock/lab"
	"padlock/store"
)

// countingServer is an HTTPS server on one loopback address that counts
// the connections it accepts (lab.CountingListener): how many are open at
// once and when each arrived.
type countingServer struct {
	Addr string
	Host string
	Port int

	count lab.AddrCount
	cfg   atomic.Pointer[tls.Config]
	srv   *http.Server
}

// startCounting serves cfg on addr ("127.0.X.Y:0" for a free port). SetConfig
// changes the configuration for later handshakes.
func startCounting(t testing.TB, addr string, cfg *tls.Config) *countingServer {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	tcp := ln.Addr().(*net.TCPAddr)
	s := &countingServer{Addr: ln.Addr().String(), Host: tcp.IP.String(), Port: tcp.Port}
	s.cfg.Store(cfg)
	outer := &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return s.cfg.Load(), nil }}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "padlock fleet test\n") }),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go s.srv.Serve(tls.NewListener(lab.CountingListener(ln, &s.count), outer))
	t.Cleanup(func() { s.srv.Close() })
	return s
}

func (s *countingServer) SetConfig(cfg *tls.Config) { s.cfg.Store(cfg) }

func (s *countingServer) counts() (total, peak int) {
	return len(s.count.Accepts()), s.count.Peak()
}

// labConfig is a modern TLS 1.2-1.3 configuration with a leaf for
// localhost from the lab demo CA, or TLS 1.0-1.2 with legacy suites when
// legacy is set.
func labConfig(t testing.TB, legacy bool) *tls.Config {
	t.Helper()
	ca, err := lab.DemoCA()
	if err != nil {
		t.Fatal(err)
	}
	name := "modern"
	if legacy {
		name = "legacy"
	}
	for _, spec := range lab.DemoServers() {
		if spec.Name == name {
			cfg, err := spec.Build(ca)
			if err != nil {
				t.Fatal(err)
			}
			return cfg
		}
	}
	t.Fatalf("no lab server %q", name)
	return nil
}

// target is a fleet target for https://localhost:PORT/ pinned to addr.
func target(line int, org string, addr string, port int) Target {
	return Target{
		Line: line, Organisation: org, URL: "https://localhost:" + strconv.Itoa(port) + "/",
		Host: "localhost", Port: uint16(port), HTTPPort: 80,
		Pin: []netip.Addr{netip.MustParseAddr(addr)},
	}
}

// openStore opens a fresh SQLite store in the test's directory.
func openStore(t testing.TB) store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "padlock.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// demoRoots trusts the lab demo CA.
func demoRoots(t testing.TB, o *Options) {
	t.Helper()
	ca, err := lab.DemoCA()
	if err != nil {
		t.Fatal(err)
	}
	o.Assess.PKI.ExtraRoots = append(o.Assess.PKI.ExtraRoots, ca.Root().Cert)
}

// logObserver logs the progress lines of a scan to the test log.
type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

// assessmentsByLine returns a scan's assessments keyed by target line.
func assessmentsByLine(t testing.TB, st store.Store, id store.ScanID) map[int]store.Assessment {
	t.Helper()
	as, err := st.Assessments(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := st.Targets(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	line := map[int64]int{}
	for _, tg := range ts {
		line[tg.ID] = tg.Line
	}
	out := map[int]store.Assessment{}
	for _, a := range as {
		l := line[a.TargetID]
		if _, dup := out[l]; dup {
			t.Fatalf("two assessments for line %d", l)
		}
		out[l] = a
	}
	return out
}
