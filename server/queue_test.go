package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"padlock/fleet"
	"padlock/queue"
)

// A queued scan's progress is readable like the scan; its jobs, with
// their failure reasons, only with the token.
func TestQueueViewAndProgress(t *testing.T) {
	st := openStore(t)
	targets := []fleet.Target{
		{Line: 2, Organisation: "A", URL: "https://a.test/", Host: "a.test", Port: 443, HTTPPort: 80, Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")}},
		{Line: 3, Organisation: "A", URL: "https://a.test/report", Host: "a.test", Port: 443, HTTPPort: 80, Pin: []netip.Addr{netip.MustParseAddr("127.0.0.1")}},
		{Line: 4, Organisation: "B", URL: "https://b.test/", Host: "b.test", Port: 443, HTTPPort: 80, Pin: []netip.Addr{netip.MustParseAddr("127.0.0.2")}},
	}
	id, err := fleet.CreateScan(context.Background(), st, "queued", "t.csv", targets, fleet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ts, _ := newTestServer(t, Config{Store: st})
	base := ts.URL + "/api/v1/scans/" + itoa(int64(id))

	r := do(t, "GET", base+"/progress", "", nil)
	if r.status != http.StatusOK {
		t.Fatalf("progress: %d %s", r.status, r.body)
	}
	var p Progress
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	// Two jobs: a.test's two targets share one endpoint.
	if p.Total != 3 || p.Done != 0 || p.Jobs.Pending != 2 || p.Status != "running" {
		t.Errorf("progress %+v", p)
	}
	if r := do(t, "GET", ts.URL+"/scans/"+itoa(int64(id))+"/progress", "", nil); r.status != http.StatusOK || !strings.Contains(string(r.body), `<progress max="3" value="0">`) {
		t.Errorf("progress page: %d %s", r.status, r.body)
	}

	for _, path := range []string{"/api/v1/queue", "/api/v1/scans/" + itoa(int64(id)) + "/queue", "/queue"} {
		if r := do(t, "GET", ts.URL+path, "", nil); r.status != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d", path, r.status)
		}
		if r := do(t, "GET", ts.URL+path, "wrong", nil); r.status != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d", path, r.status)
		}
		if r := do(t, "GET", ts.URL+path, testToken, nil); r.status != http.StatusOK {
			t.Errorf("%s with the token: %d %s", path, r.status, r.body)
		}
	}
	r = do(t, "GET", base+"/queue", testToken, nil)
	var q QueueScan
	if err := json.Unmarshal(r.body, &q); err != nil {
		t.Fatal(err)
	}
	if q.Pending != 2 || q.Counts.Total != 3 {
		t.Errorf("queue view %+v", q)
	}
	// The page's Basic authentication (the token as password) works too.
	req, _ := http.NewRequest("GET", ts.URL+"/queue", nil)
	req.SetBasicAuth("", testToken)
	if r := send(t, req); r.status != http.StatusOK || !strings.Contains(string(r.body), "2 waiting") {
		t.Errorf("queue page: %d %s", r.status, r.body)
	}
	_ = queue.Scans
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
