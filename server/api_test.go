package server

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"padlock/fleet"
	"padlock/lab"
)

func TestSecurityHeadersEverywhere(t *testing.T) {
	ts, _ := newTestServer(t, Config{})
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/healthz", 200},
		{"GET", "/api/v1/scans", 200},
		{"GET", "/api/v1/nope", 404},
		{"GET", "/nope", 404},
		{"POST", "/api/v1/scans", 401},
		{"DELETE", "/api/v1/scans", 405},
		{"GET", "/api/v3/info", 200},
		{"GET", "/api/v3/analyze", 400},
	} {
		r := do(t, c.method, ts.URL+c.path, "", nil)
		if r.status != c.status {
			t.Errorf("%s %s: status %d, want %d (%s)", c.method, c.path, r.status, c.status, r.body)
		}
		csp := r.header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s %s: CSP %q lacks %q", c.method, c.path, csp, want)
			}
		}
		if strings.Contains(csp, "'unsafe-inline'") && strings.Contains(strings.SplitN(strings.SplitAfter(csp, "script-src")[1], ";", 2)[0], "'unsafe-inline'") {
			t.Errorf("%s %s: script-src allows inline script: %q", c.method, c.path, csp)
		}
		if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s %s: X-Content-Type-Options %q", c.method, c.path, got)
		}
		if got := r.header.Get("Referrer-Policy"); got == "" {
			t.Errorf("%s %s: no Referrer-Policy", c.method, c.path)
		}
	}
}

func TestWriteAuth(t *testing.T) {
	ts, _ := newTestServer(t, Config{})
	body := map[string]any{"host": "example.org"}
	for _, c := range []struct {
		name   string
		header string
		status int
	}{
		{"none", "", 401},
		{"wrong bearer", "Bearer wrong-token", 401},
		{"empty bearer", "Bearer ", 401},
		{"token prefix", "Bearer " + testToken[:len(testToken)-1], 401},
		{"token longer", "Bearer " + testToken + "x", 401},
		{"basic wrong", "Basic " + basic("u", "nope"), 401},
		// A browser sends cached Basic credentials by itself: writes never
		// take them.
		{"basic with the token", "Basic " + basic("u", testToken), 401},
		{"other scheme", "Token " + testToken, 401},
	} {
		for _, path := range []string{"/api/v1/check", "/api/v1/scans"} {
			req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(`{"host":"example.org"}`))
			req.Header.Set("Content-Type", "application/json")
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			r := send(t, req)
			if r.status != c.status {
				t.Errorf("%s %s: status %d, want %d: %s", c.name, path, r.status, c.status, r.body)
				continue
			}
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s %s: WWW-Authenticate %q", c.name, path, r.header.Get("WWW-Authenticate"))
			}
			if code := errorCode(t, r); code != "unauthorized" {
				t.Errorf("%s %s: code %q", c.name, path, code)
			}
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/v3/analyze?host=example.org&startNew=on", nil)
	req.SetBasicAuth("u", testToken)
	if r := send(t, req); r.status != 401 {
		t.Errorf("analyze startNew with Basic credentials: %d", r.status)
	}
	// With the token: accepted (the stub resolver does not know the name,
	// so the assessment ends in ERROR without any traffic).
	r := do(t, "POST", ts.URL+"/api/v1/check", testToken, body)
	if r.status != http.StatusAccepted {
		t.Fatalf("with the token: %d %s", r.status, r.body)
	}
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "/api/v3/analyze?host=example.org%3A443") {
		t.Errorf("Location %q", loc)
	}
	// Reads need no token on a public server.
	if r := do(t, "GET", ts.URL+"/api/v1/scans", "", nil); r.status != 200 {
		t.Errorf("public read: %d", r.status)
	}
}

func basic(user, pw string) string {
	req, _ := http.NewRequest("GET", "http://x/", nil)
	req.SetBasicAuth(user, pw)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

func TestNoTokenDisablesWrites(t *testing.T) {
	h, err := New(Config{Store: seeded(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer h.(*Server).Close()
	ts := newHTTPTest(t, h)
	for _, hdr := range []string{"", "Bearer anything"} {
		req, _ := http.NewRequest("POST", ts+"/api/v1/check", strings.NewReader(`{"host":"example.org"}`))
		req.Header.Set("Content-Type", "application/json")
		if hdr != "" {
			req.Header.Set("Authorization", hdr)
		}
		if r := send(t, req); r.status != http.StatusForbidden {
			t.Errorf("%q: status %d, want 403", hdr, r.status)
		}
	}
	if _, err := New(Config{Store: seeded(t), Private: true}); err == nil {
		t.Error("a private server without a token was accepted")
	}
	if _, err := New(Config{}); err == nil {
		t.Error("a server without a store was accepted")
	}
}

func TestPrivateModeHidesReads(t *testing.T) {
	ts, _ := newTestServer(t, Config{Private: true})
	for _, path := range []string{"/api/v1/scans", "/api/v1/scans/1/assessments", "/api/v1/sites/www.example.org", "/api/v3/info", "/api/v3/analyze?host=www.example.org&fromCache=on", "/", "/methodology", "/sites/www.example.org", "/assets/x.css"} {
		r := do(t, "GET", ts.URL+path, "", nil)
		if r.status != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d, want 401", path, r.status)
		}
		wantScheme := "Bearer"
		if !strings.HasPrefix(path, "/api/") {
			wantScheme = "Basic"
		}
		if got := r.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, wantScheme) {
			t.Errorf("%s: WWW-Authenticate %q, want %s", path, got, wantScheme)
		}
		if strings.Contains(string(r.body), "Example Org") {
			t.Errorf("%s leaks data without the token", path)
		}
		if r := do(t, "GET", ts.URL+path, "wrong", nil); r.status != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d", path, r.status)
		}
	}
	for _, path := range []string{"/api/v1/scans", "/api/v1/sites/www.example.org", "/api/v3/info"} {
		if r := do(t, "GET", ts.URL+path, testToken, nil); r.status != 200 {
			t.Errorf("%s with the token: %d %s", path, r.status, r.body)
		}
	}
	// Pages take the token as a Basic password, so that a browser can ask.
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/scans", nil)
	req.SetBasicAuth("anyone", testToken)
	if r := send(t, req); r.status != 200 {
		t.Errorf("Basic auth with the token: %d", r.status)
	}
	if r := do(t, "GET", ts.URL+"/healthz", "", nil); r.status != 200 {
		t.Errorf("/healthz: %d", r.status)
	}
}

func TestReadAPI(t *testing.T) {
	ts, _ := newTestServer(t, Config{})
	r := do(t, "GET", ts.URL+"/api/v1/scans", "", nil)
	scans := r.json(t)["scans"].([]any)
	if len(scans) != 2 {
		t.Fatalf("%d scans: %s", len(scans), r.body)
	}
	second := scans[1].(map[string]any)
	if second["name"] != "second" || second["status"] != "finished" || second["counts"].(map[string]any)["done"] != 3.0 {
		t.Errorf("second scan: %v", second)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("API Cache-Control %q", r.header.Get("Cache-Control"))
	}

	r = do(t, "GET", ts.URL+"/api/v1/scans/latest", "", nil)
	if got := r.json(t)["scan"].(map[string]any)["name"]; got != "second" {
		t.Errorf("latest: %v", got)
	}
	r = do(t, "GET", ts.URL+"/api/v1/scans/1/assessments", "", nil)
	as := r.json(t)["assessments"].([]any)
	if len(as) != 3 {
		t.Fatalf("%d assessments", len(as))
	}
	plain := as[1].(map[string]any)
	if plain["site"] != "plain.example.net" || plain["grade"] != "U" || plain["display"] != "U*" || plain["star"] != true {
		t.Errorf("plain: %v", plain)
	}
	if ps := plain["protocols"].([]any); len(ps) != 2 || ps[1] != "TLS 1.3" {
		t.Errorf("protocols %v", ps)
	}

	r = do(t, "GET", ts.URL+"/api/v1/sites/"+url.PathEscape("secure.example.com:8443")+"/history", "", nil)
	hist := r.json(t)["history"].([]any)
	if len(hist) != 2 || hist[0].(map[string]any)["grade"] != "A" || hist[1].(map[string]any)["grade"] != "F" {
		t.Errorf("history: %s", r.body)
	}
	r = do(t, "GET", ts.URL+"/api/v1/sites/www.example.org", "", nil)
	m := r.json(t)
	if m["assessment"].(map[string]any)["grade"] != "A+" {
		t.Errorf("latest site: %s", r.body)
	}
	host := m["result"].(map[string]any)["host"].(map[string]any)
	if host["status"] != "READY" || host["host"] != "www.example.org" {
		t.Errorf("full result: %v", host)
	}

	for _, path := range []string{"/api/v1/scans/99", "/api/v1/scans/abc", "/api/v1/scans/0/assessments", "/api/v1/sites/unknown.example", "/api/v1/sites/unknown.example/history"} {
		r := do(t, "GET", ts.URL+path, "", nil)
		if r.status != 404 || errorCode(t, r) != "not_found" {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	empty, _ := newTestServer(t, Config{Store: openStore(t)})
	if r := do(t, "GET", empty.URL+"/api/v1/scans/latest", "", nil); r.status != 404 {
		t.Errorf("latest of an empty store: %d", r.status)
	}
	if r := do(t, "GET", empty.URL+"/api/v1/scans", "", nil); r.status != 200 || !strings.Contains(string(r.body), `"scans": []`) {
		t.Errorf("scans of an empty store: %d %s", r.status, r.body)
	}
}

func TestRequestBodies(t *testing.T) {
	ts, _ := newTestServer(t, Config{MaxScanTargets: 3})
	post := func(path, contentType string, body string) response {
		req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("Authorization", "Bearer "+testToken)
		return send(t, req)
	}
	huge := `{"name":"` + strings.Repeat("x", MaxBodyBytes+10) + `","targets":[]}`
	for _, c := range []struct {
		name, path, ct, body string
		status               int
		code                 string
	}{
		{"too large", "/api/v1/scans", "application/json", huge, 413, "too_large"},
		{"not JSON", "/api/v1/scans", "application/json", `{"name": "x", targets`, 400, "bad_json"},
		{"empty", "/api/v1/check", "application/json", ``, 400, "bad_json"},
		{"unknown field", "/api/v1/check", "application/json", `{"host":"example.org","startNew":true}`, 400, "bad_json"},
		{"two values", "/api/v1/check", "application/json", `{"host":"example.org"} {"host":"example.net"}`, 400, "bad_json"},
		{"wrong type", "/api/v1/check", "application/json", `{"host":42}`, 400, "bad_json"},
		{"array", "/api/v1/check", "application/json", `["example.org"]`, 400, "bad_json"},
		{"form", "/api/v1/check", "application/x-www-form-urlencoded", `host=example.org`, 415, "unsupported_media_type"},
		{"no content type", "/api/v1/check", "", `{"host":"example.org"}`, 415, "unsupported_media_type"},
		{"bad host", "/api/v1/check", "application/json", `{"host":"exa mple.org"}`, 400, "bad_request"},
		{"ftp", "/api/v1/check", "application/json", `{"host":"ftp://example.org/"}`, 400, "bad_request"},
		{"control chars", "/api/v1/check", "application/json", `{"host":"example.org\u0007"}`, 400, "bad_request"},
		{"no targets", "/api/v1/scans", "application/json", `{"name":"x","targets":[]}`, 400, "bad_request"},
		{"too many targets", "/api/v1/scans", "application/json", `{"targets":[{"url":"a.example"},{"url":"b.example"},{"url":"c.example"},{"url":"d.example"}]}`, 400, "bad_request"},
		{"target without url", "/api/v1/scans", "application/json", `{"targets":[{"organisation":"x"}]}`, 400, "bad_request"},
		{"bad url", "/api/v1/scans", "application/json", `{"targets":[{"url":"https://exa mple.org/"}]}`, 400, "bad_request"},
		{"unknown target field", "/api/v1/scans", "application/json", `{"targets":[{"url":"a.example","ip":"10.0.0.1"}]}`, 400, "bad_json"},
		{"long name", "/api/v1/scans", "application/json", `{"name":"` + strings.Repeat("n", 2000) + `","targets":[{"url":"a.example"}]}`, 400, "bad_request"},
	} {
		r := post(c.path, c.ct, c.body)
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, r.status, c.status, r.body)
			continue
		}
		if code := errorCode(t, r); code != c.code {
			t.Errorf("%s: code %q, want %q", c.name, code, c.code)
		}
		if msg := r.json(t)["error"].(map[string]any)["message"].(string); msg == "" || len(msg) > 2000 {
			t.Errorf("%s: message %q", c.name, msg)
		}
	}
}

// TestStartScan starts a scan through the API against a lab server and
// follows it to the end; the stored assessment is graded.
func TestStartScan(t *testing.T) {
	srv, ca := labServer(t)
	st := openStore(t)
	cfg := Config{Store: st, AllowPrivate: true, Resolver: lab.Names{"lab.test": {"127.0.0.1"}}}
	cfg.AssessOptions.PKI.ExtraRoots = append(cfg.AssessOptions.PKI.ExtraRoots, ca.Root().Cert)
	cfg.ScanOptions = fleet.Options{Retries: -1, Budget: time.Minute, Rate: -1}
	ts, _ := newTestServer(t, cfg)

	_, port, _ := net.SplitHostPort(srv.Addr)
	body := map[string]any{"name": "api scan", "targets": []map[string]string{
		{"organisation": "Lab <b>Org</b>", "url": "https://lab.test:" + port + "/", "group": "lab"},
		{"url": "https://unknown.test:" + port + "/"},
	}}
	r := do(t, "POST", ts.URL+"/api/v1/scans", testToken, body)
	if r.status != http.StatusAccepted {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	sc := r.json(t)["scan"].(map[string]any)
	id := int(sc["id"].(float64))
	if sc["name"] != "api scan" || sc["counts"].(map[string]any)["total"] != 2.0 {
		t.Errorf("scan: %v", sc)
	}
	if loc := r.header.Get("Location"); loc != fmt.Sprintf("/api/v1/scans/%d", id) {
		t.Errorf("Location %q", loc)
	}
	waitFor(t, 2*time.Minute, 100*time.Millisecond, "the scan to finish", func() bool {
		r := do(t, "GET", fmt.Sprintf("%s/api/v1/scans/%d", ts.URL, id), "", nil)
		return r.json(t)["scan"].(map[string]any)["status"] == "finished"
	})
	r = do(t, "GET", fmt.Sprintf("%s/api/v1/scans/%d/assessments", ts.URL, id), "", nil)
	as := r.json(t)["assessments"].([]any)
	if len(as) != 2 {
		t.Fatalf("assessments: %s", r.body)
	}
	first := as[0].(map[string]any)
	if first["organisation"] != "Lab <b>Org</b>" || first["group"] != "lab" || first["grade"] == "" {
		t.Errorf("lab target: %v", first)
	}
	second := as[1].(map[string]any)
	if second["organisation"] != "unknown.test" || second["grade"] != "" || second["inconclusive"] == "" {
		t.Errorf("unresolvable target: %v", second)
	}
}

// newHTTPTest serves h on a loopback httptest server and returns its URL.
func newHTTPTest(t *testing.T, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}
