package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"padlock/assess"
	"padlock/lab"
	"padlock/store"
	"padlock/stored"
)

// verdict is what a league table and a site owner read of one assessment:
// the site's grade, each endpoint's grade and the findings that fired
// (rule, effect and reason).
type verdict struct {
	Site      string
	Endpoints []string
	Findings  []string
}

func verdictOf(h *assess.Host) verdict {
	v := verdict{Site: h.PadlockSite.Display}
	for _, ep := range h.Endpoints {
		v.Endpoints = append(v.Endpoints, ep.IPAddress+" "+ep.Grade)
		if ep.PadlockGrade == nil {
			continue
		}
		for _, f := range ep.PadlockGrade.Findings {
			v.Findings = append(v.Findings, fmt.Sprintf("%s %s %s: %s", ep.IPAddress, f.Rule, f.Effect, f.Reason))
		}
	}
	slices.Sort(v.Findings)
	return v
}

// TestCheckScanServeAgree: padlock check, a fleet scan and the served
// scanner, each with its default assessment settings, give every demo
// server the same grade and the same findings. A site owner who checks
// their own site gets what the published table says.
func TestCheckScanServeAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("assesses every demo server three times")
	}
	ctx := context.Background()
	servers, err := lab.StartDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, s := range servers {
			s.Close()
		}
	})
	ca, err := lab.DemoCA()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	caFile, err := ca.WriteRootPEM(dir, "lab-ca")
	if err != nil {
		t.Fatal(err)
	}
	// The demo servers have no plain-HTTP side: --no-web everywhere, so
	// that nothing else on this machine's port 80 is consulted. The lab
	// serves the intermediate its incomplete-chain server leaves out on
	// loopback: check and scan are told they may fetch from there
	// (--allow-internal-fetches), the served scanner that it may reach
	// loopback at all (--allow-internal-targets), as the lab needs.
	common := []string{"--ca-file", caFile, "--no-web"}
	operator := append([]string{"--allow-internal-fetches"}, common...)
	target := func(s *lab.GoServer) string { return fmt.Sprintf("127.0.0.1:%d", s.Port) }

	// check, one process per server, a few at a time.
	checked := make([]verdict, len(servers))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, s := range servers {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out, errOut, code := padlock(t, append(append([]string{"check", "--json"}, operator...), target(s))...)
			if code != 0 {
				t.Errorf("check %s: exit %d\n%s", s.Name, code, errOut)
				return
			}
			var h assess.Host
			if err := json.Unmarshal([]byte(out), &h); err != nil {
				t.Errorf("check %s: %v", s.Name, err)
				return
			}
			checked[i] = verdictOf(&h)
		})
	}

	// scan: the servers as a fleet.
	rows := []string{"organisation,url"}
	for _, s := range servers {
		rows = append(rows, fmt.Sprintf("%s,https://%s/", s.Name, target(s)))
	}
	csv := filepath.Join(dir, "demo.csv")
	if err := os.WriteFile(csv, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "scan.db")
	scanned := make([]verdict, len(servers))
	wg.Go(func() {
		args := append(append([]string{"scan", "--db", db, "--quiet", "--rate", "-1"}, operator...), csv)
		if _, errOut, code := padlock(t, args...); code != 0 {
			t.Errorf("scan: exit %d\n%s", code, errOut)
			return
		}
		st := openDB(t, db)
		scans, err := st.Scans(ctx)
		if err != nil || len(scans) != 1 {
			t.Errorf("scans: %v, %v", scans, err)
			return
		}
		as, err := st.Assessments(ctx, scans[0].ID)
		if err != nil {
			t.Error(err)
			return
		}
		for _, a := range as {
			r, err := stored.Decode(a.Result)
			if err != nil || r.Host == nil {
				t.Errorf("%s: %v", a.Organisation, err)
				continue
			}
			i := slices.IndexFunc(servers, func(s *lab.GoServer) bool { return s.Name == a.Organisation })
			scanned[i] = verdictOf(r.Host)
		}
	})

	// serve: the served scanner's API, told it may assess loopback.
	base, _, stop := startServe(t, append([]string{"--allow-internal-targets", "--token", "consistency-test-token"}, common...)...)
	served := make([]verdict, len(servers))
	for i, s := range servers {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			code, _, body := serveRequest(t, "POST", base+"/api/v1/check", "consistency-test-token", fmt.Sprintf(`{"host":%q}`, target(s)))
			if code != 202 {
				t.Errorf("serve %s: POST /api/v1/check: %d %s", s.Name, code, body)
				return
			}
			deadline := time.Now().Add(5 * time.Minute)
			for time.Now().Before(deadline) {
				// Poll the SSL Labs API until done, then read padlock's own
				// result (the API's objects are SSL Labs' shape) from the
				// store, where the served scanner keeps it.
				code, _, body = serveRequest(t, "GET", base+"/api/v3/analyze?host="+target(s), "", "")
				var h struct{ Status string }
				if code != 200 || json.Unmarshal([]byte(body), &h) != nil {
					t.Errorf("serve %s: analyze: %d %s", s.Name, code, body)
					return
				}
				if h.Status == assess.StatusReady || h.Status == assess.StatusError {
					code, _, body = serveRequest(t, "GET", base+"/api/v1/sites/"+url.PathEscape(store.SiteKey(target(s))), "", "")
					var site struct{ Result json.RawMessage }
					if code != 200 || json.Unmarshal([]byte(body), &site) != nil {
						t.Errorf("serve %s: site: %d %.300s", s.Name, code, body)
						return
					}
					r, err := stored.Decode(site.Result)
					if err != nil || r.Host == nil {
						t.Errorf("serve %s: stored result: %v", s.Name, err)
						return
					}
					served[i] = verdictOf(r.Host)
					return
				}
				time.Sleep(200 * time.Millisecond)
			}
			t.Errorf("serve %s: not done in 5 minutes", s.Name)
		})
	}
	wg.Wait()
	if err := stop(); err != nil {
		t.Errorf("serve: %v", err)
	}

	for i, s := range servers {
		c, sc, sv := checked[i], scanned[i], served[i]
		if c.Site == "" {
			t.Errorf("%s: check gave no grade: %+v", s.Name, c)
		}
		t.Logf("%s: %s", s.Name, c.Site)
		// AIA fetching is on by default everywhere: the intermediate the
		// server leaves out is fetched, and the chain is graded
		// incomplete (capped at B), as SSL Labs does, not untrusted.
		if s.Name == "incomplete-chain" && c.Site != "B" {
			t.Errorf("incomplete-chain: %s, want B (chain completed through AIA)", c.Site)
		}
		if !equalVerdict(c, sc) {
			t.Errorf("%s: check and scan disagree:\ncheck: %+v\nscan:  %+v", s.Name, c, sc)
		}
		if !equalVerdict(c, sv) {
			t.Errorf("%s: check and serve disagree:\ncheck: %+v\nserve: %+v", s.Name, c, sv)
		}
	}
}

func equalVerdict(a, b verdict) bool {
	return a.Site == b.Site && slices.Equal(a.Endpoints, b.Endpoints) && slices.Equal(a.Findings, b.Findings)
}
