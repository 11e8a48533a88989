package alert

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"padlock/store"
)

func TestBodyIsStable(t *testing.T) {
	a := store.Alert{ID: 7, ScheduleID: 2, ScanID: 12, PrevScanID: 11, Site: "a.example", From: "A", To: "F",
		Created: time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC), Changes: json.RawMessage(`[{"kind":"grade-down"}]`)}
	sc := store.Schedule{ID: 2, Name: "weekly", WebhookSecret: "not in the body"}
	b1, err := Body(a, sc)
	if err != nil {
		t.Fatal(err)
	}
	a.Attempts, a.LastError = 3, "503" // delivery state is not in the body
	b2, _ := Body(a, sc)
	if string(b1) != string(b2) {
		t.Errorf("body changed between attempts:\n%s\n%s", b1, b2)
	}
	if strings.Contains(string(b1), "not in the body") {
		t.Errorf("the secret is in the body: %s", b1)
	}
	want := `{"type":"padlock.alert/1","id":7,"created":"2026-12-06T20:00:00Z","schedule":{"id":2,"name":"weekly"},"scan":12,"previousScan":11,"site":"a.example","from":"A","to":"F","changes":[{"kind":"grade-down"}]}`
	if string(b1) != want {
		t.Errorf("body\n%s\nwant\n%s", b1, want)
	}
}

func TestDeliver(t *testing.T) {
	secret := []byte("deliver-test-secret")
	body := []byte(`{"id":1}`)
	var got atomic.Value
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := Verify(secret, r.Header.Get(SignatureHeader), b, time.Now(), 0); err != nil || r.Header.Get("Padlock-Alert") != "1" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		got.Store(string(b))
		io.WriteString(w, strings.Repeat("x", 1<<20)) // a long answer is not read to its end
	}))
	defer ok.Close()
	if err := Deliver(context.Background(), nil, ok.URL, secret, 1, body, time.Now()); err != nil || got.Load() != `{"id":1}` {
		t.Errorf("Deliver: %v, received %v", err, got.Load())
	}

	var followed atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { followed.Store(true) }))
	defer elsewhere.Close()
	redirect := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusTemporaryRedirect))
	defer redirect.Close()
	if err := Deliver(context.Background(), nil, redirect.URL, secret, 1, body, time.Now()); err == nil || followed.Load() {
		t.Errorf("a redirect: err %v, followed %v; want an error and no request elsewhere", err, followed.Load())
	}

	fail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }))
	defer fail.Close()
	if err := Deliver(context.Background(), nil, fail.URL, secret, 1, body, time.Now()); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("503: %v", err)
	}

	// A receiver that never answers (a hostile mock: it holds the request)
	// is given up at the context's deadline.
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // then the server notices the client going
		<-r.Context().Done()
	}))
	defer hang.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := Deliver(ctx, nil, hang.URL, secret, 1, body, time.Now()); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("hanging receiver: %v after %s", err, time.Since(start))
	}

	for _, bad := range []string{"ftp://x/", "/relative", "https://user:pw@hooks.example/", "https://"} {
		if err := Deliver(context.Background(), nil, bad, secret, 1, body, time.Now()); err == nil {
			t.Errorf("Deliver to %q accepted", bad)
		}
	}
}
