package lab

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDemoSites(t *testing.T) {
	ca, err := DemoCA()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := &http.Client{
		Timeout:       5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Root().Pool(), ServerName: "localhost"}},
	}
	get := func(url string) (int, string, http.Header) {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, string(b), resp.Header
	}
	for _, spec := range DemoSites() {
		s, err := StartSite(ctx, spec, ca)
		if err != nil {
			t.Fatal(err)
		}
		httpURL := "http://127.0.0.1:" + strconv.Itoa(s.HTTPPort) + "/"
		status, body, _ := get(httpURL)
		switch {
		case spec.TLS != nil && spec.Redirect:
			if status != http.StatusMovedPermanently {
				t.Errorf("%s: HTTP answered %d, want a redirect", spec.Name, status)
			}
		case status != http.StatusOK || !strings.Contains(body, "Search this site"):
			t.Errorf("%s: HTTP home page %d %q", spec.Name, status, body)
		}
		if spec.TLS != nil {
			status, body, h := get("https://127.0.0.1:" + strconv.Itoa(s.HTTPSPort) + "/report-a-crime")
			if status != http.StatusOK || !strings.Contains(body, "Date of birth") {
				t.Errorf("%s: HTTPS form page %d", spec.Name, status)
			}
			if got := h.Get("Strict-Transport-Security"); got != spec.HSTS {
				t.Errorf("%s: HSTS %q, want %q", spec.Name, got, spec.HSTS)
			}
			if spec.FormToHTTP && !strings.Contains(body, `action="http://`) {
				t.Errorf("%s: the form does not post to http://", spec.Name)
			}
		}
		s.Close()
	}

	r, err := StartRedirector(ctx, "r", 4443)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	status, _, h := get("http://127.0.0.1:" + strconv.Itoa(r.HTTPPort) + "/x?y=1")
	if status != http.StatusMovedPermanently || h.Get("Location") != "https://localhost:4443/x?y=1" {
		t.Errorf("redirector: %d %q", status, h.Get("Location"))
	}
}
