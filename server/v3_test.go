package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"padlock/assess"
	"padlock/store"
)

func TestV3Info(t *testing.T) {
	ts, _ := newTestServer(t, Config{MaxConcurrentScans: 3})
	r := do(t, "GET", ts.URL+"/api/v3/info", "", nil)
	m := r.json(t)
	if m["engineVersion"] != assess.EngineVersion || m["criteriaVersion"] != assess.CriteriaVersion {
		t.Errorf("versions: %v", m)
	}
	if m["maxAssessments"] != 3.0 || m["currentAssessments"] != 0.0 {
		t.Errorf("assessments: %v", m)
	}
	if _, ok := m["newAssessmentCoolOff"].(float64); !ok {
		t.Errorf("newAssessmentCoolOff: %v", m["newAssessmentCoolOff"])
	}
	if msgs, ok := m["messages"].([]any); !ok || len(msgs) == 0 {
		t.Errorf("messages: %v", m["messages"])
	}
	if r.header.Get("X-Max-Assessments") != "3" || r.header.Get("X-Current-Assessments") != "0" {
		t.Errorf("headers: %v", r.header)
	}
	r = do(t, "GET", ts.URL+"/api/v3/getStatusCodes", "", nil)
	if codes, ok := r.json(t)["statusDetails"].(map[string]any); !ok || codes["TESTING_ENDPOINT"] == nil {
		t.Errorf("getStatusCodes: %s", r.body)
	}
}

func TestV3Errors(t *testing.T) {
	ts, _ := newTestServer(t, Config{})
	for _, c := range []struct {
		path   string
		status int
		field  string
		msg    string
	}{
		{"/api/v3/analyze", 400, "host", "qp.mandatory"},
		{"/api/v3/analyze?host=", 400, "host", "qp.mandatory"},
		{"/api/v3/analyze?host=bad%20name", 400, "host", "qp.invalid"},
		{"/api/v3/analyze?host=example.org&startNew=on&fromCache=on", 400, "startNew", "qp.invalid"},
		{"/api/v3/analyze?host=example.org&fromCache=on&maxAge=soon", 400, "maxAge", "qp.invalid"},
		{"/api/v3/analyze?host=example.org&all=maybe", 400, "all", "qp.invalid"},
		{"/api/v3/analyze?host=example.org&publish=maybe", 400, "publish", "qp.invalid"},
		{"/api/v3/getEndpointData?host=example.org", 400, "s", "qp.mandatory"},
		{"/api/v3/getEndpointData?host=example.org&s=nope", 400, "s", "qp.invalid"},
		{"/api/v3/getEndpointData?s=192.0.2.1", 400, "host", "qp.mandatory"},
		{"/api/v3/getEndpointData?host=never.example&s=192.0.2.1", 400, "host", "no assessment"},
		{"/api/v3/getEndpointData?host=www.example.org&s=192.0.2.99", 400, "s", "not an endpoint"},
		// Starting an assessment is a write.
		{"/api/v3/analyze?host=example.org&startNew=on", 401, "startNew", "Bearer TOKEN"},
		{"/api/v3/analyze?host=never-assessed.example", 401, "startNew", "no cached assessment"},
		{"/api/v3/analyze?host=never-assessed.example&fromCache=on", 401, "startNew", "--anonymous-analyze"},
	} {
		r := do(t, "GET", ts.URL+c.path, "", nil)
		if r.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.path, r.status, c.status, r.body)
			continue
		}
		errs, ok := r.json(t)["errors"].([]any)
		if !ok || len(errs) == 0 {
			t.Errorf("%s: no errors list: %s", c.path, r.body)
			continue
		}
		e := errs[0].(map[string]any)
		if e["field"] != c.field || !strings.Contains(e["message"].(string), c.msg) {
			t.Errorf("%s: error %v, want field %q message ~%q", c.path, e, c.field, c.msg)
		}
	}
	if r := do(t, "GET", ts.URL+"/api/v3/analyze?host=example.org&startNew=on", "wrong", nil); r.status != 401 {
		t.Errorf("wrong token: %d", r.status)
	}
}

// TestV3FromStore: fromCache answers from the stored scans without a
// token and without starting anything; getEndpointData reads them too.
func TestV3FromStore(t *testing.T) {
	ts, srv := newTestServer(t, Config{dial: noDial(t)})
	r := do(t, "GET", ts.URL+"/api/v3/analyze?host=www.example.org&fromCache=on", "", nil)
	m := r.json(t)
	if r.status != 200 || m["status"] != "READY" || m["host"] != "www.example.org" || m["port"] != 443.0 {
		t.Fatalf("fromCache: %d %s", r.status, r.body)
	}
	ep := m["endpoints"].([]any)[0].(map[string]any)
	if ep["grade"] != "A+" || ep["details"] != nil {
		t.Errorf("summary endpoint: %v", ep)
	}
	m = do(t, "GET", ts.URL+"/api/v3/analyze?host=www.example.org&fromCache=on&all=on", "", nil).json(t)
	if m["endpoints"].([]any)[0].(map[string]any)["details"] == nil {
		t.Error("all=on: no details")
	}
	// The port is part of the host.
	m = do(t, "GET", ts.URL+"/api/v3/analyze?host=secure.example.com:8443&fromCache=on&all=done", "", nil).json(t)
	if m["status"] != "READY" || m["endpoints"].([]any)[0].(map[string]any)["grade"] != "F" {
		t.Errorf("port 8443: %v", m)
	}
	// maxAge excludes results that are too old (the seeded scans are an
	// hour old or more).
	if r := do(t, "GET", ts.URL+"/api/v3/analyze?host=www.example.org&fromCache=on&maxAge=2", "", nil); r.status != 200 {
		t.Errorf("maxAge=2: %d", r.status)
	}
	if r := do(t, "GET", ts.URL+"/api/v3/analyze?host=www.example.org&fromCache=on&maxAge=0", "", nil); r.status != 200 {
		t.Errorf("maxAge=0 (any): %d", r.status)
	}
	r = do(t, "GET", ts.URL+"/api/v3/getEndpointData?host=www.example.org&s=192.0.2.10", "", nil)
	ep = r.json(t)
	if r.status != 200 || ep["ipAddress"] != "192.0.2.10" || ep["details"] == nil || ep["grade"] != "A+" {
		t.Errorf("getEndpointData: %d %s", r.status, r.body)
	}
	if srv.work.current() != 0 {
		t.Error("reading the cache started an assessment")
	}
}

// TestV3AnalyzeCycle drives the API as an SSL Labs client does: start
// with startNew=on, poll until READY, then read the endpoints, against a
// lab server on loopback.
func TestV3AnalyzeCycle(t *testing.T) {
	lab, ca := labServer(t)
	cfg := Config{AllowPrivate: true, Store: openStore(t)}
	cfg.AssessOptions.PKI.ExtraRoots = append(cfg.AssessOptions.PKI.ExtraRoots, ca.Root().Cert)
	cfg.AssessOptions.Probe.Timeout = 5 * time.Second
	ts, _ := newTestServer(t, cfg)
	host := url.QueryEscape(lab.Addr)

	r := do(t, "GET", ts.URL+"/api/v3/analyze?host="+host+"&publish=off&startNew=on&all=done&ignoreMismatch=on", testToken, nil)
	first := r.json(t)
	if r.status != 200 {
		t.Fatalf("startNew: %d %s", r.status, r.body)
	}
	if s := first["status"]; s != "DNS" && s != "IN_PROGRESS" && s != "READY" {
		t.Errorf("first status %v", s)
	}
	if first["host"] != "127.0.0.1" || first["port"] != float64(lab.Port) || first["isPublic"] != false {
		t.Errorf("first answer: %v", first)
	}
	if r.header.Get("X-Max-Assessments") == "" || r.header.Get("X-Current-Assessments") == "" {
		t.Errorf("no assessment headers: %v", r.header)
	}
	start := first["startTime"].(float64)

	// Poll without the token and without startNew, as the doc says.
	var m map[string]any
	seen := map[string]bool{}
	waitFor(t, 3*time.Minute, 50*time.Millisecond, "READY", func() bool {
		r := do(t, "GET", ts.URL+"/api/v3/analyze?host="+host+"&all=done", "", nil)
		if r.status != 200 {
			t.Fatalf("poll: %d %s", r.status, r.body)
		}
		m = r.json(t)
		seen[m["status"].(string)] = true
		if m["status"] == "IN_PROGRESS" {
			eps := m["endpoints"].([]any)
			if len(eps) != 1 || eps[0].(map[string]any)["ipAddress"] != "127.0.0.1" || eps[0].(map[string]any)["details"] != nil {
				t.Errorf("in progress: %v", m)
			}
		}
		return m["status"] == "READY" || m["status"] == "ERROR"
	})
	t.Logf("statuses seen while polling: %v", seen)
	if m["status"] != "READY" {
		t.Fatalf("ended %v: %v", m["status"], m["statusMessage"])
	}
	if m["startTime"].(float64) != start || m["testTime"].(float64) < start {
		t.Errorf("times: start %v/%v test %v", start, m["startTime"], m["testTime"])
	}
	eps := m["endpoints"].([]any)
	ep := eps[0].(map[string]any)
	if ep["statusMessage"] != "Ready" || ep["grade"] == nil || ep["details"] == nil {
		t.Fatalf("endpoint: %v", ep)
	}
	details := ep["details"].(map[string]any)
	if details["hostStartTime"].(float64) != start || len(details["protocols"].([]any)) == 0 {
		t.Errorf("details: hostStartTime %v protocols %v", details["hostStartTime"], details["protocols"])
	}
	t.Logf("grade %v", ep["grade"])

	// Then the endpoint, as getEndpointData.
	r = do(t, "GET", ts.URL+"/api/v3/getEndpointData?host="+host+"&s=127.0.0.1", "", nil)
	epd := r.json(t)
	if r.status != 200 || epd["ipAddress"] != "127.0.0.1" || epd["grade"] != ep["grade"] || epd["details"] == nil {
		t.Errorf("getEndpointData: %d %.300s", r.status, r.body)
	}

	// A plain analyze returns the cached result; summaries leave details out.
	m = do(t, "GET", ts.URL+"/api/v3/analyze?host="+host, "", nil).json(t)
	if m["status"] != "READY" || m["endpoints"].([]any)[0].(map[string]any)["details"] != nil {
		t.Errorf("cached summary: %v", m["status"])
	}
	m = do(t, "GET", ts.URL+"/api/v3/analyze?host="+host+"&fromCache=on&all=on", "", nil).json(t)
	if m["status"] != "READY" || m["startTime"].(float64) != start {
		t.Errorf("fromCache: %v", m["status"])
	}
	// startNew starts again; the new assessment has a new start time.
	time.Sleep(5 * time.Millisecond)
	m = do(t, "GET", ts.URL+"/api/v3/analyze?host="+host+"&startNew=on", testToken, nil).json(t)
	if m["status"] == "READY" && m["startTime"].(float64) == start {
		t.Error("startNew returned the cached result")
	}
	waitFor(t, 3*time.Minute, 50*time.Millisecond, "the second assessment", func() bool {
		m = do(t, "GET", ts.URL+"/api/v3/analyze?host="+host, "", nil).json(t)
		return m["status"] == "READY" || m["status"] == "ERROR"
	})

	// The assessments are in the store, out of the fleet views, and a new
	// server on the same store serves them.
	scans, err := cfg.Store.Scans(context.Background())
	if err != nil || len(scans) != 2 || scans[0].TargetsFile != store.SingleHostFile || scans[0].Status != store.StatusFinished {
		t.Errorf("stored: %v %+v", err, scans)
	}
	if r := do(t, "GET", ts.URL+"/api/v1/scans/latest", "", nil); r.status != http.StatusNotFound {
		t.Errorf("latest fleet scan: %d %.200s", r.status, r.body)
	}
	ts2, _ := newTestServer(t, Config{AllowPrivate: true, Store: cfg.Store})
	m = do(t, "GET", ts2.URL+"/api/v3/analyze?host="+host+"&fromCache=true&maxAge=1", "", nil).json(t)
	if m["status"] != "READY" {
		t.Errorf("after a restart: %v", m)
	}
	if r := do(t, "GET", ts2.URL+"/api/v3/getEndpointData?host="+host+"&s=127.0.0.1", "", nil); r.status != 200 || r.json(t)["details"] == nil {
		t.Errorf("getEndpointData after a restart: %d %.200s", r.status, r.body)
	}
}

func TestV3Busy(t *testing.T) {
	// One slot; a name that resolves to a listener that never answers keeps
	// the first assessment running.
	block := make(chan struct{})
	ts, srv := newTestServer(t, Config{
		MaxConcurrentScans: 1,
		AllowPrivate:       true,
		Resolver:           blockingResolver{block},
	})
	defer close(block)
	r := do(t, "GET", ts.URL+"/api/v3/analyze?host=slow.example&startNew=on", testToken, nil)
	if r.status != 200 || r.json(t)["status"] != "DNS" {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	r = do(t, "GET", ts.URL+"/api/v3/analyze?host=other.example&startNew=on", testToken, nil)
	if r.status != http.StatusTooManyRequests {
		t.Errorf("second: %d %s", r.status, r.body)
	}
	if srv.work.current() != 1 {
		t.Errorf("current %d", srv.work.current())
	}
	r = do(t, "POST", ts.URL+"/api/v1/check", testToken, map[string]string{"host": "third.example"})
	if r.status != http.StatusTooManyRequests || errorCode(t, r) != "too_many" {
		t.Errorf("check when busy: %d %s", r.status, r.body)
	}
	// Asking again for the running one returns it, busy or not.
	r = do(t, "GET", ts.URL+"/api/v3/analyze?host=slow.example&startNew=on", testToken, nil)
	if r.status != 200 || r.json(t)["status"] != "DNS" {
		t.Errorf("again: %d %s", r.status, r.body)
	}
	if got := do(t, "GET", ts.URL+"/api/v3/info", "", nil).json(t)["currentAssessments"]; got != 1.0 {
		t.Errorf("currentAssessments %v", got)
	}
}
