package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"padlock/assess"
	"padlock/fleet"
	"padlock/lab"
	"padlock/store"
)

const testToken = "s3cret-test-token"

// openStore opens a fresh SQLite store in a temporary directory.
func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "padlock.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fakeSite is a hand-built assessment of one site.
type fakeSite struct {
	org, url, group, grade string
	star, sbd              bool
}

// hostFor builds a READY host for a fake site.
func hostFor(f fakeSite, when time.Time) *assess.Host {
	t, err := assess.ParseTarget(f.url)
	if err != nil {
		panic(err)
	}
	sbd := f.sbd
	h := &assess.Host{
		Host: t.Host, Port: int(t.Port), Protocol: "http", Status: assess.StatusReady,
		StartTime: when.Add(-time.Second).UnixMilli(), TestTime: when.UnixMilli(),
		EngineVersion: assess.EngineVersion, CriteriaVersion: assess.CriteriaVersion,
		PadlockSchema: assess.Schema,
		Endpoints: []assess.Endpoint{{
			IPAddress: "192.0.2.10", StatusMessage: assess.MsgReady, Grade: f.grade, GradeTrustIgnored: f.grade, Progress: 100,
			Details: &assess.EndpointDetails{
				HostStartTime: when.Add(-time.Second).UnixMilli(),
				Protocols:     []assess.Protocol{{ID: 771, Name: "TLS", Version: "1.2"}, {ID: 772, Name: "TLS", Version: "1.3"}},
				CertChains:    []assess.CertChain{},
				Suites:        []assess.ProtocolSuites{},
			},
		}},
		Certs:       []assess.Cert{},
		PadlockSite: assess.Site{Grade: f.grade, Star: f.star, Display: f.grade, SecureByDefault: &sbd},
	}
	if f.star {
		h.PadlockSite.Display += "*"
	}
	return h
}

// seedScan stores a finished scan of fake sites and returns its id.
func seedScan(t *testing.T, st store.Store, name string, when time.Time, sites []fakeSite) store.ScanID {
	t.Helper()
	ctx := context.Background()
	var targets []store.Target
	for _, s := range sites {
		targets = append(targets, store.Target{Organisation: s.org, URL: s.url, Group: s.group})
	}
	id, err := st.CreateScan(ctx, store.Scan{Name: name, Started: when.Add(-time.Minute)}, targets)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sites {
		ft, err := fleet.FromStore(targets[i])
		if err != nil {
			t.Fatal(err)
		}
		res := fleet.Result{Schema: fleet.ResultSchema, Target: ft, Host: hostFor(s, when), Attempts: 1}
		raw, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		sbd := s.sbd
		a := store.Assessment{
			ScanID: id, TargetID: targets[i].ID, Finished: when, Grade: s.grade, GradeTrustIgnored: s.grade,
			Star: s.star, SecureByDefault: &sbd, HSTS: "absent", Protocols: "TLS 1.2,TLS 1.3", BestProtocol: "TLS 1.3",
			Endpoints: 1, Criteria: assess.CriteriaVersion, Result: raw,
		}
		if err := st.SaveAssessment(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetScanStatus(ctx, id, store.StatusFinished, when); err != nil {
		t.Fatal(err)
	}
	return id
}

// seeded returns a store with two finished scans of three fake sites.
func seeded(t *testing.T) store.Store {
	st := openStore(t)
	now := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	seedScan(t, st, "first", now.Add(-24*time.Hour), []fakeSite{
		{"Example Org", "https://www.example.org/", "north", "B", false, true},
		{"Plain Org", "plain.example.net", "south", "U", true, false},
		{"Port Org", "https://secure.example.com:8443/", "north", "A", false, true},
	})
	seedScan(t, st, "second", now, []fakeSite{
		{"Example Org", "https://www.example.org/", "north", "A+", false, true},
		{"Plain Org", "plain.example.net", "south", "U", true, false},
		{"Port Org", "https://secure.example.com:8443/", "north", "F", false, true},
	})
	return st
}

// blockingResolver answers nothing until its channel is closed or the
// context ends.
type blockingResolver struct{ ch chan struct{} }

func (b blockingResolver) LookupNetIP(ctx context.Context, _, host string) ([]netip.Addr, error) {
	select {
	case <-b.ch:
	case <-ctx.Done():
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// noDial is a dialer that must never be called: it fails the test and
// opens nothing.
func noDial(t *testing.T) dialFunc {
	return func(_ context.Context, network, addr string) (net.Conn, error) {
		t.Errorf("unexpected dial %s %s", network, addr)
		return nil, errors.New("test: dialing is not allowed here")
	}
}

// loopbackOnly dials only loopback addresses.
func loopbackOnly(t *testing.T) dialFunc {
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil || !ap.Addr().Unmap().IsLoopback() {
			t.Errorf("dial to a non-loopback address %s", addr)
			return nil, errors.New("test: only loopback")
		}
		return d.DialContext(ctx, network, addr)
	}
}

// newTestServer starts the handler of cfg (Store defaults to a seeded
// store, Token to testToken) on an httptest server.
func newTestServer(t *testing.T, cfg Config) (*httptest.Server, *Server) {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = seeded(t)
	}
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	if cfg.Resolver == nil {
		cfg.Resolver = lab.Names{}
	}
	if cfg.dial == nil {
		cfg.dial = loopbackOnly(t)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := h.(*Server)
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return ts, srv
}

// response is a test request's answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("not JSON (%d): %v\n%s", r.status, err, r.body)
	}
	return m
}

// do sends a request; token "" sends none.
func do(t *testing.T, method, url, token string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) response {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, data}
}

// errorCode returns the code of a v1 error answer.
func errorCode(t *testing.T, r response) string {
	t.Helper()
	m := r.json(t)
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", r.body)
	}
	return fmt.Sprint(e["code"])
}

// waitFor polls f every interval until it returns true or the bound
// passes.
func waitFor(t *testing.T, bound, interval time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		if f() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", bound, what)
		}
		time.Sleep(interval)
	}
}

// labServer starts a lab HTTPS server with a certificate for localhost
// and 127.0.0.1 from a fresh CA, and returns it with the CA.
func labServer(t *testing.T) (*lab.GoServer, *lab.CA) {
	t.Helper()
	ca, err := lab.NewCA("padlock server test root")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(lab.LeafOptions{KeyType: lab.KeyP256})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{leaf.TLSCertificate()}}
	s, err := lab.StartGo(context.Background(), "server-test", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, ca
}
