package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"padlock/lab"
	"padlock/lab/missing"
	"padlock/lab/peer"
)

// requireTool finds a program the test needs (lab/missing's rule when
// it is not installed).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing.Peer(t, "%s is not installed: %v", name, err)
	}
	return p
}

// TestServeNodeSSLLabs points node-ssllabs, the SSL Labs API client from
// npm, unmodified, at padlock serve: the client only knows
// https://api.ssllabs.com/api/v3/, so the test serves padlock over HTTPS
// with a certificate for that name from a test CA (NODE_EXTRA_CA_CERTS)
// on a loopback address port 443, and maps the name to that address the
// way an /etc/hosts entry would (testdata/node-ssllabs/map-host.cjs).
// The client runs info, getStatusCodes, then analyze with startNew, polls
// analyze until READY, getEndpointData and a fromCache=true analyze, for
// a Go crypto/tls server, openssl s_server and a server without TLS.
// Then padlock serve is restarted on the same database and the results
// are served from the store.
func TestServeNodeSSLLabs(t *testing.T) {
	if testing.Short() {
		t.Skip("installs an npm package and assesses lab servers")
	}
	node := requireTool(t, "node")
	npm := requireTool(t, "npm")
	if os.Geteuid() != 0 {
		missing.Peer(t, "the node-ssllabs test listens on port 443, which needs root")
	}

	// The client and its dependencies, from the committed lockfile.
	dir := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json", "map-host.cjs", "drive.js"} {
		b, err := os.ReadFile(filepath.Join("testdata", "node-ssllabs", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	install := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	install.Dir = dir
	install.Env = os.Environ() // npm may need the machine's proxy to reach its registry
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm ci: %v\n%s", err, out)
	}

	// padlock serve's certificate for the API's name.
	ca, err := lab.NewCA("padlock node-ssllabs test root")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(lab.LeafOptions{DNSNames: []string{"api.ssllabs.com"}})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, err := leaf.WritePEM(dir, "api")
	if err != nil {
		t.Fatal(err)
	}
	caFile, err := ca.WriteRootPEM(dir, "api-root")
	if err != nil {
		t.Fatal(err)
	}

	// The lab servers, and the roots padlock trusts them with.
	goLab, err := lab.StartGo(context.Background(), "node-ssllabs", &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{mustLeaf(t, ca).TLSCertificate()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { goLab.Close() })
	ossl := peer.OpenSSL(t, peer.OpenSSLOptions{Www: true, MaxProtocol: "TLSv1.2"})
	plain := plainListener(t)
	roots := filepath.Join(dir, "roots.pem")
	if err := os.WriteFile(roots, append(ca.CertPEM(), ossl.CA.Root().CertPEM()...), 0o644); err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(dir, "serve.db")
	ip := fmt.Sprintf("127.%d.%d.%d", 13, rand.IntN(250)+1, rand.IntN(250)+1)
	args := []string{"--db", db, "--listen", ip + ":443", "--tls-cert", certFile, "--tls-key", keyFile,
		"--allow-internal-targets", "--anonymous-analyze", "--ca-file", roots, "--token", "node-ssllabs-test-token", "--timeout", "5s"}
	stop := startServeAt(t, args)

	hosts := []string{goLab.Addr, ossl.Addr, plain}
	run := exec.CommandContext(ctx, node, "--require", "./map-host.cjs", "drive.js")
	run.Args = append(run.Args, hosts...)
	run.Dir = dir
	run.Env = clientEnv([]string{"NODE_EXTRA_CA_CERTS=" + caFile, "PADLOCK_API_IP=" + ip})
	var stderr strings.Builder
	run.Stderr = &stderr
	out, err := run.Output()
	if err != nil {
		t.Fatalf("node-ssllabs: %v\n%s", err, stderr.String())
	}
	var got struct {
		Info        map[string]any `json:"info"`
		StatusCodes struct {
			StatusDetails map[string]string `json:"statusDetails"`
		} `json:"statusCodes"`
		Hosts []struct {
			Host         string           `json:"host"`
			FirstStatus  string           `json:"firstStatus"`
			Result       map[string]any   `json:"result"`
			Endpoints    []map[string]any `json:"endpoints"`
			CachedStatus string           `json:"cachedStatus"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("client output: %v\n%.2000s", err, out)
	}
	if got.Info["engineVersion"] == nil || len(got.StatusCodes.StatusDetails) == 0 {
		t.Errorf("info %v, status codes %v", got.Info, got.StatusCodes)
	}
	if len(got.Hosts) != len(hosts) {
		t.Fatalf("%d hosts assessed, want %d", len(got.Hosts), len(hosts))
	}
	for i, h := range got.Hosts {
		ep := map[string]any{}
		if len(h.Endpoints) > 0 {
			ep = h.Endpoints[0]
		}
		t.Logf("%s: first %s, then %v %v; endpoint %v grade %v (padlock %v); cached %s", h.Host, h.FirstStatus, h.Result["status"], h.Result["statusMessage"], ep["statusMessage"], ep["grade"], ep["padlockGrade"], h.CachedStatus)
		if h.CachedStatus != "READY" && h.CachedStatus != "ERROR" {
			t.Errorf("%s: fromCache=true analyze answered %s", h.Host, h.CachedStatus)
		}
		if len(h.Endpoints) != 1 {
			t.Errorf("%s: %d endpoints from getEndpointData", h.Host, len(h.Endpoints))
			continue
		}
		if i < 2 { // the TLS servers
			if h.Result["status"] != "READY" || ep["statusMessage"] != "Ready" || ep["grade"] == nil || ep["details"] == nil {
				t.Errorf("%s: %v / %v grade %v", h.Host, h.Result["status"], ep["statusMessage"], ep["grade"])
			}
			continue
		}
		// No TLS: a status message and no grade.
		if _, graded := ep["grade"]; graded || ep["statusMessage"] == "Ready" {
			t.Errorf("no-TLS %s: statusMessage %v grade %v", h.Host, ep["statusMessage"], ep["grade"])
		}
	}

	// Restarted on the same database, the server answers from the store.
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	startServeAt(t, args)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), ServerName: "api.ssllabs.com"},
	}}
	resp, err := client.Get("https://" + ip + "/api/v3/analyze?host=" + goLab.Addr + "&fromCache=on&all=done")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || m["status"] != "READY" {
		t.Errorf("after a restart: %d %.500s", resp.StatusCode, body)
	}
}

// mustLeaf issues a leaf for localhost and 127.0.0.1 from ca.
func mustLeaf(t *testing.T, ca *lab.CA) *lab.Leaf {
	t.Helper()
	l, err := ca.Issue(lab.LeafOptions{KeyType: lab.KeyP256})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// clientEnv is the environment of the npm and node processes: this
// process's, without proxies (node-ssllabs honours HTTPS_PROXY), plus
// extra.
func clientEnv(extra []string) []string {
	var env []string
	for _, e := range os.Environ() {
		name, _, _ := strings.Cut(e, "=")
		switch strings.ToUpper(name) {
		case "HTTPS_PROXY", "HTTP_PROXY", "NODE_OPTIONS", "NODE_EXTRA_CA_CERTS":
			continue
		}
		env = append(env, e)
	}
	return append(env, extra...)
}

// plainListener serves plain HTTP on loopback: a server without TLS.
func plainListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "no TLS here\n")
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// startServeAt runs padlock serve with exactly args and waits until it
// listens; the returned stop ends it and returns what runServe returned.
func startServeAt(t *testing.T, args []string) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &serveOutput{}, &serveOutput{}
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, append(args, "--quiet"), out, errOut) }()
	re := regexp.MustCompile(`on https?://\S+/`)
	deadline := time.Now().Add(20 * time.Second)
	for re.FindString(out.String()) == "" {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve ended early: %v\n%s\n%s", err, out, errOut)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\n%s\n%s", out, errOut)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopped := false
	var result error
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			select {
			case result = <-done:
			case <-time.After(30 * time.Second):
				t.Error("serve did not stop within 30s")
			}
		}
		return result
	}
	t.Cleanup(func() { stop() })
	return stop
}
