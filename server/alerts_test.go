package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"padlock/store"
)

func TestAlertsPageAndAPI(t *testing.T) {
	ctx := context.Background()
	st := seeded(t)
	w := st.(store.Watcher)
	scans, err := st.Scans(ctx)
	if err != nil || len(scans) == 0 {
		t.Fatal(scans, err)
	}
	id, err := w.AddSchedule(ctx, store.Schedule{Name: "weekly", Every: 168 * time.Hour, FleetScan: scans[0].ID,
		WebhookURL: "https://hooks.example/services/T0/B0/tokenpath?key=zzz", WebhookSecret: "never-shown-secret"})
	if err != nil {
		t.Fatal(err)
	}
	// A hostile site name and reason: they must come out escaped.
	evil := `<script>alert(1)</script>`
	change := map[string]any{"kind": "grade-down", "summary": "grade A → F", "reasons": []string{"+ " + evil}, "key": "k1"}
	b, _ := json.Marshal(change)
	if _, _, err := w.RecordAlert(ctx, store.Alert{ScheduleID: id, ScanID: scans[0].ID, Site: "evil.example", Organisation: evil, From: "A", To: "F"},
		[]store.KeyedChange{{Key: "k1", JSON: b}}); err != nil {
		t.Fatal(err)
	}

	ts, _ := newTestServer(t, Config{Store: st})
	page := do(t, "GET", ts.URL+"/alerts", "", nil)
	if page.status != 200 || !strings.Contains(string(page.body), "grade A → F") || !strings.Contains(string(page.body), "evil.example") {
		t.Fatalf("alerts page %d:\n%s", page.status, page.body)
	}
	if strings.Contains(string(page.body), evil) || !strings.Contains(string(page.body), "&lt;script&gt;") {
		t.Errorf("a scanned site's text is not escaped:\n%s", page.body)
	}
	if csp := page.header.Get("Content-Security-Policy"); csp == "" {
		t.Errorf("no CSP on the alerts page")
	}

	api := do(t, "GET", ts.URL+"/api/v1/alerts?limit=10", "", nil)
	var got struct {
		Alerts []struct {
			Site    string `json:"site"`
			Status  string `json:"status"`
			Changes []struct {
				Kind string `json:"kind"`
			} `json:"changes"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal(api.body, &got); err != nil || api.status != 200 || len(got.Alerts) != 1 ||
		got.Alerts[0].Site != "evil.example" || got.Alerts[0].Status != "pending" || got.Alerts[0].Changes[0].Kind != "grade-down" {
		t.Errorf("api %d %s (%v)", api.status, api.body, err)
	}
	if r := do(t, "GET", ts.URL+"/api/v1/alerts?limit=0", "", nil); r.status != 400 {
		t.Errorf("limit=0: %d", r.status)
	}

	sch := do(t, "GET", ts.URL+"/api/v1/schedules", "", nil)
	if sch.status != 200 || !strings.Contains(string(sch.body), `"webhook": "https://hooks.example"`) {
		t.Errorf("schedules %d %s", sch.status, sch.body)
	}
	for _, secret := range []string{"never-shown-secret", "tokenpath", "zzz"} {
		if strings.Contains(string(sch.body), secret) {
			t.Errorf("the schedules API shows %q:\n%s", secret, sch.body)
		}
	}
}

func TestAlertsPrivate(t *testing.T) {
	ts, _ := newTestServer(t, Config{Private: true})
	for _, p := range []string{"/alerts", "/api/v1/alerts", "/api/v1/schedules"} {
		if r := do(t, "GET", ts.URL+p, "", nil); r.status != 401 {
			t.Errorf("%s without the token on a private server: %d", p, r.status)
		}
		if r := do(t, "GET", ts.URL+p, testToken, nil); r.status != 200 {
			t.Errorf("%s with the token: %d %s", p, r.status, r.body)
		}
	}
}
