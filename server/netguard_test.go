package server

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"padlock/fleet"
	"padlock/lab"
)

// TestPrivateTargetsRefused: the served scanner refuses loopback and
// private targets unless AllowPrivate, after resolution, without sending
// anything.
func TestPrivateTargetsRefused(t *testing.T) {
	ts, _ := newTestServer(t, Config{
		Resolver: lab.Names{
			"intranet.example": {"10.1.2.3"},
			"mixed.example":    {"8.8.8.8", "10.9.9.9"},
			"v6.example":       {"fd00::53"},
		},
		dial:        noDial(t),
		ScanOptions: fleet.Options{Retries: -1},
	})
	for _, host := range []string{"127.0.0.1", "10.0.0.1:8443", "[::1]", "intranet.example", "mixed.example", "v6.example", "169.254.169.254"} {
		r := do(t, "GET", ts.URL+"/api/v3/analyze?startNew=on&all=done&host="+host, testToken, nil)
		if h, _, _ := strings.Cut(strings.Trim(host, "[]"), "]"); net.ParseIP(strings.Split(h, ":8443")[0]) != nil {
			// Address literals are refused at once, as /api/v1/check does.
			if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "not a public address") {
				t.Errorf("%s: %d %s", host, r.status, r.body)
			}
			continue
		}
		if r.status != 200 {
			t.Fatalf("%s: %d %s", host, r.status, r.body)
		}
		var m map[string]any
		waitFor(t, 10*time.Second, 20*time.Millisecond, host+" to end", func() bool {
			m = do(t, "GET", ts.URL+"/api/v3/analyze?all=done&host="+host, "", nil).json(t)
			return m["status"] == "ERROR" || m["status"] == "READY"
		})
		if m["status"] != "ERROR" || !strings.Contains(m["statusMessage"].(string), "not a public address") {
			t.Errorf("%s: %v", host, m)
		}
		if eps := m["endpoints"].([]any); len(eps) != 0 {
			t.Errorf("%s: endpoints %v", host, eps)
		}
		if m["cacheExpiryTime"] == nil {
			t.Errorf("%s: an error without cacheExpiryTime", host)
		}
	}
	// The v1 check refuses address literals at once.
	r := do(t, "POST", ts.URL+"/api/v1/check", testToken, map[string]string{"host": "192.168.1.1"})
	if r.status != http.StatusBadRequest || errorCode(t, r) != "private_address" {
		t.Errorf("check 192.168.1.1: %d %s", r.status, r.body)
	}
	r = do(t, "POST", ts.URL+"/api/v1/scans", testToken, map[string]any{"targets": []map[string]string{{"url": "https://[fd00::1]:8443/"}}})
	if r.status != http.StatusBadRequest || errorCode(t, r) != "private_address" {
		t.Errorf("scan of fd00::1: %d %s", r.status, r.body)
	}
	// A scan of a name that resolves privately runs, and ends
	// inconclusive without a connection.
	r = do(t, "POST", ts.URL+"/api/v1/scans", testToken, map[string]any{"name": "sneaky", "targets": []map[string]string{{"organisation": "Intranet", "url": "https://intranet.example/"}}})
	if r.status != http.StatusAccepted {
		t.Fatalf("scan: %d %s", r.status, r.body)
	}
	id := r.json(t)["scan"].(map[string]any)["id"].(float64)
	waitFor(t, 30*time.Second, 50*time.Millisecond, "the scan to finish", func() bool {
		r := do(t, "GET", ts.URL+"/api/v1/scans/"+ftoa(id), "", nil)
		return r.json(t)["scan"].(map[string]any)["status"] == "finished"
	})
	r = do(t, "GET", ts.URL+"/api/v1/scans/"+ftoa(id)+"/assessments", "", nil)
	a := r.json(t)["assessments"].([]any)[0].(map[string]any)
	if a["grade"] != "" || a["inconclusive"] == "" {
		t.Errorf("private scan target: %v", a)
	}
}

func ftoa(f float64) string { return strconv.Itoa(int(f)) }
