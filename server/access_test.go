package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"padlock/lab"
)

// v3Err returns the first error of an SSL Labs errors answer.
func v3Err(t *testing.T, r response) map[string]any {
	t.Helper()
	errs, ok := r.json(t)["errors"].([]any)
	if !ok || len(errs) == 0 {
		t.Fatalf("no errors list (%d): %s", r.status, r.body)
	}
	return errs[0].(map[string]any)
}

func TestAnalyzeClosedByDefault(t *testing.T) {
	ts, _ := newTestServer(t, Config{Resolver: lab.Names{"public.example": {"192.0.2.1"}}})
	for _, v := range []string{"v3", "v4"} {
		r := do(t, "GET", ts.URL+"/api/"+v+"/analyze?host=public.example&startNew=on", "", nil)
		want := http.StatusUnauthorized
		if v == "v4" {
			want = http.StatusBadRequest // SSL Labs v4: field "email"
		}
		if r.status != want {
			t.Fatalf("%s: %d %s", v, r.status, r.body)
		}
		msg := v3Err(t, r)["message"].(string)
		if !strings.Contains(msg, "--anonymous-analyze") || !strings.Contains(msg, "Bearer TOKEN") {
			t.Errorf("%s: the refusal does not say how to open analyze: %s", v, msg)
		}
		if v == "v4" && !strings.Contains(msg, "--api-email") {
			t.Errorf("v4 refusal does not name the email option: %s", msg)
		}
	}
}

// TestAnalyzeAnonymous: with AnonymousAnalyze, an SSL Labs client with no
// credentials starts assessments, AnonymousPerHour per address; targets
// outside the public ranges stay refused, at once for address literals.
func TestAnalyzeAnonymous(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	ts, srv := newTestServer(t, Config{
		AnonymousAnalyze: true, AnonymousPerHour: 2, MaxConcurrentScans: 10,
		Resolver: blockingResolver{block}, dial: noDial(t),
	})
	info := do(t, "GET", ts.URL+"/api/v3/info", "", nil).json(t)
	if info["newAssessmentCoolOff"] != 1000.0 {
		t.Errorf("newAssessmentCoolOff %v", info["newAssessmentCoolOff"])
	}
	r := do(t, "GET", ts.URL+"/api/v3/analyze?host=10.0.0.1", "", nil)
	if r.status != http.StatusBadRequest || !strings.Contains(v3Err(t, r)["message"].(string), "not a public address") {
		t.Errorf("private literal: %d %s", r.status, r.body)
	}
	r = do(t, "GET", ts.URL+"/api/v3/analyze?host=one.example&startNew=true", "", nil)
	if r.status != 200 || r.json(t)["status"] != "DNS" {
		t.Fatalf("first anonymous start: %d %s", r.status, r.body)
	}
	// Within the cool-off: refused with Retry-After.
	r = do(t, "GET", ts.URL+"/api/v3/analyze?host=two.example", "", nil)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("within the cool-off: %d %s", r.status, r.body)
	}
	// Polling what runs needs no new start.
	if r := do(t, "GET", ts.URL+"/api/v3/analyze?host=one.example", "", nil); r.status != 200 {
		t.Errorf("poll: %d %s", r.status, r.body)
	}
	srv.anon.setClock(func() time.Time { return time.Now().Add(2 * time.Second) })
	if r := do(t, "GET", ts.URL+"/api/v3/analyze?host=two.example", "", nil); r.status != 200 {
		t.Fatalf("second: %d %s", r.status, r.body)
	}
	srv.anon.setClock(func() time.Time { return time.Now().Add(4 * time.Second) })
	r = do(t, "GET", ts.URL+"/api/v3/analyze?host=three.example", "", nil)
	if r.status != http.StatusTooManyRequests || !strings.Contains(v3Err(t, r)["message"].(string), "2 an hour") {
		t.Errorf("third in the hour: %d %s", r.status, r.body)
	}
	// The token is not counted.
	if r := do(t, "GET", ts.URL+"/api/v3/analyze?host=three.example", testToken, nil); r.status != 200 {
		t.Errorf("with the token: %d %s", r.status, r.body)
	}
	srv.anon.setClock(func() time.Time { return time.Now().Add(time.Hour + 5*time.Second) })
	if r := do(t, "GET", ts.URL+"/api/v3/analyze?host=four.example", "", nil); r.status != 200 {
		t.Errorf("an hour later: %d %s", r.status, r.body)
	}
}

func TestAnalyzeV4Email(t *testing.T) {
	if _, err := New(Config{Store: openStore(t), APIEmails: []string{"not an address"}}); err == nil {
		t.Error("a bad registered email was accepted")
	}
	block := make(chan struct{})
	defer close(block)
	ts, _ := newTestServer(t, Config{APIEmails: []string{"Ops@Example.org"}, Resolver: blockingResolver{block}, dial: noDial(t)})
	for _, c := range []struct {
		path, email string
		status      int
	}{
		{"/api/v4/analyze?host=a.example", "ops@example.org", 200},
		{"/api/v4/analyze?host=b.example", "other@example.org", 400},
		{"/api/v4/analyze?host=c.example", "", 400},
		// v3 clients send no email: the header means nothing there.
		{"/api/v3/analyze?host=d.example", "ops@example.org", 401},
	} {
		req, _ := http.NewRequest("GET", ts.URL+c.path, nil)
		if c.email != "" {
			req.Header.Set("email", c.email)
		}
		r := send(t, req)
		if r.status != c.status {
			t.Errorf("%s email %q: %d, want %d: %s", c.path, c.email, r.status, c.status, r.body)
		}
		if r.status == 400 && v3Err(t, r)["field"] != "email" {
			t.Errorf("%s email %q: %s", c.path, c.email, r.body)
		}
	}
}

// TestV3SwitchValues: the values clients send for on/off parameters.
func TestV3SwitchValues(t *testing.T) {
	for _, c := range []struct {
		v, want string
		ok      bool
	}{
		{"on", "on", true}, {"true", "on", true}, {"TRUE", "on", true}, {"yes", "on", true}, {"1", "on", true},
		{"off", "off", true}, {"false", "off", true}, {"No", "off", true}, {"0", "off", true}, {"", "off", true},
		{"done", "", false}, {"maybe", "", false},
	} {
		got, err := v3Bool(map[string][]string{"fromCache": {c.v}}, "fromCache")
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("%q: %q %v", c.v, got, err)
		}
	}
	if got, err := v3Bool(map[string][]string{"all": {"done"}}, "all", "done"); err != nil || got != "done" {
		t.Errorf("all=done: %q %v", got, err)
	}
}

func TestRootCertsRaw(t *testing.T) {
	ts, _ := newTestServer(t, Config{})
	for _, v := range []string{"v3", "v4"} {
		r := do(t, "GET", ts.URL+"/api/"+v+"/getRootCertsRaw?trustStore=1", "", nil)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") ||
			strings.Count(string(r.body), "-----BEGIN CERTIFICATE-----") < 100 || !strings.Contains(string(r.body), "# SHA256 Fingerprint: ") {
			t.Errorf("%s: %d %.300s", v, r.status, r.body)
		}
	}
	if r := do(t, "GET", ts.URL+"/api/v3/getRootCertsRaw?trustStore=2", "", nil); r.status != 400 || v3Err(t, r)["field"] != "trustStore" {
		t.Errorf("trustStore=2: %d %s", r.status, r.body)
	}
}

func TestV4Register(t *testing.T) {
	ts, _ := newTestServer(t, Config{})
	r := do(t, "POST", ts.URL+"/api/v4/register", "", map[string]string{"email": "a@example.org"})
	if r.status != 400 || !strings.Contains(v3Err(t, r)["message"].(string), "--api-email") {
		t.Errorf("register: %d %s", r.status, r.body)
	}
}

func TestLabsUnknownCall(t *testing.T) {
	ts, _ := newTestServer(t, Config{})
	for _, path := range []string{"/api/v3/nothing", "/api/v4/analyze/extra", "/api/v4/getEndpointData/"} {
		r := do(t, "GET", ts.URL+path, "", nil)
		if r.status != http.StatusNotFound || !strings.Contains(v3Err(t, r)["message"].(string), "no such API call") {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
}
