package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveOutput is a bytes.Buffer safe for a writer and a reader at once.
type serveOutput struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *serveOutput) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *serveOutput) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs padlock serve with args on a free loopback port and
// returns its base URL, its output and a stop function that returns what
// runServe returned.
func startServe(t *testing.T, args ...string) (base string, out *serveOutput, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &serveOutput{}
	errOut := &serveOutput{}
	done := make(chan error, 1)
	args = append([]string{"--db", filepath.Join(t.TempDir(), "serve.db"), "--listen", "127.0.0.1:0", "--quiet"}, args...)
	go func() { done <- runServe(ctx, args, out, errOut) }()
	re := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)/`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			break
		}
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
	var once sync.Once
	var result error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(30 * time.Second):
				t.Error("serve did not stop within 30s of SIGINT")
			}
		})
		return result
	}
	t.Cleanup(func() { stop() })
	return base, out, stop
}

func serveRequest(t *testing.T, method, url, token, body string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestServeGeneratedToken(t *testing.T) {
	base, out, stop := startServe(t)
	m := regexp.MustCompile(`write token \(generated for this run\): (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no generated token printed:\n%s", out)
	}
	tok := m[1]
	if len(tok) < 40 {
		t.Errorf("short token %q", tok)
	}
	if code, _, _ := serveRequest(t, "GET", base+"/healthz", "", ""); code != 200 {
		t.Errorf("/healthz: %d", code)
	}
	code, h, body := serveRequest(t, "GET", base+"/api/v3/info", "", "")
	if code != 200 || !strings.Contains(body, `"criteriaVersion"`) || h.Get("Content-Security-Policy") == "" {
		t.Errorf("/api/v3/info: %d %s", code, body)
	}
	if code, _, _ := serveRequest(t, "GET", base+"/api/v1/scans", "", ""); code != 200 {
		t.Errorf("public read: %d", code)
	}
	if code, _, _ := serveRequest(t, "POST", base+"/api/v1/check", "", `{"host":"127.0.0.1"}`); code != 401 {
		t.Errorf("write without the token: %d", code)
	}
	if code, _, _ := serveRequest(t, "POST", base+"/api/v1/check", "wrong-token-wrong-token", `{"host":"127.0.0.1"}`); code != 401 {
		t.Errorf("write with a wrong token: %d", code)
	}
	// With the token, a loopback target is refused: no --allow-internal-targets.
	code, _, body = serveRequest(t, "POST", base+"/api/v1/check", tok, `{"host":"127.0.0.1"}`)
	if code != 400 || !strings.Contains(body, "private_address") {
		t.Errorf("loopback check: %d %s", code, body)
	}
	if err := stop(); err != nil {
		t.Errorf("serve returned %v after SIGINT", err)
	}
	if !strings.Contains(out.String(), "stopping") {
		t.Errorf("no stop message:\n%s", out)
	}
}

func TestServePrivate(t *testing.T) {
	const tok = "a-token-of-our-own-choosing"
	base, out, _ := startServe(t, "--require-token-for-reads", "--token", tok)
	if strings.Contains(out.String(), tok) {
		t.Error("a given token was printed")
	}
	if code, _, _ := serveRequest(t, "GET", base+"/api/v1/scans", "", ""); code != 401 {
		t.Errorf("private read without the token: %d", code)
	}
	if code, _, _ := serveRequest(t, "GET", base+"/api/v1/scans", tok, ""); code != 200 {
		t.Errorf("private read with the token: %d", code)
	}
}

func TestServeFlags(t *testing.T) {
	for _, args := range [][]string{
		{"extra"},
		{"--token", "short"},
		{"--tls-cert", "x.pem"},
		{"--max-scans", "0"},
	} {
		var out, errOut bytes.Buffer
		err := runServe(context.Background(), append([]string{"--db", filepath.Join(t.TempDir(), "x.db")}, args...), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("%v: err %v", args, err)
		}
	}
}
