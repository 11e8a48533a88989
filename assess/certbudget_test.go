package assess

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"padlock/netguard"
	"padlock/pki"
	"padlock/probe"
	"padlock/registry"
)

// TestCertificateAnalysisStopped: when the budget (or the caller) ends the
// certificate analysis, the endpoint is inconclusive with the reason, never
// graded from half a judgement (an untrusted chain would be a false T).
func TestCertificateAnalysisStopped(t *testing.T) {
	c := makeCert(t, "stopped.example", false)
	res := &probe.Result{
		Protocols: []probe.ProtocolSupport{{Protocol: registry.TLS12, Supported: true}},
		Chains:    []probe.Chain{{Protocol: registry.TLS12, SNI: "stopped.example", Certificates: [][]byte{c.der}}},
	}
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		failure string
	}{{"budget", expired, FailBudget}, {"cancelled", cancelled, FailCancelled}} {
		ep, rep := fromProbe(tc.ctx, res, nil, "stopped.example", pki.Options{})
		if rep == nil || rep.Incomplete == "" || ep.PadlockFailure != tc.failure {
			t.Errorf("%s: failure %q, report incomplete %q", tc.name, ep.PadlockFailure, rep.Incomplete)
		}
		f := evidence{probe: res, certs: rep, now: time.Now()}.facts("stopped.example")
		if f.Inconclusive == "" {
			t.Errorf("%s: graded facts from a stopped analysis: %+v", tc.name, f)
		}
	}
	// Not stopped: judged (self-signed, so a trust problem), not
	// inconclusive.
	ep, rep := fromProbe(context.Background(), res, nil, "stopped.example", pki.Options{})
	if rep.Incomplete != "" || ep.PadlockFailure != "" || !rep.Facts.TrustProblem() {
		t.Errorf("not stopped: failure %q, incomplete %q, facts %+v", ep.PadlockFailure, rep.Incomplete, rep.Facts)
	}
}

// TestSettingsGuardWhatSitesPointTo: by default the assessment options
// refuse what a site points to on non-public addresses (the AIA fetcher
// never reaches a loopback server; the plain-HTTP side's policy is
// PublicOnly); --allow-internal-fetches allows them.
func TestSettingsGuardWhatSitesPointTo(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		http.NotFound(w, nil)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	s := DefaultSettings()
	o, err := s.Options()
	if err != nil {
		t.Fatal(err)
	}
	if o.Web == nil || o.Web.Policy != netguard.PublicOnly {
		t.Errorf("default web policy %v", o.Web)
	}
	if _, err := o.PKI.FetchIssuer(ctx, srv.URL+"/inter.der"); err == nil || hits.Load() != 0 {
		t.Errorf("default AIA fetch of a loopback URL: %v, %d requests", err, hits.Load())
	}

	s.InternalFetches = true
	if o, err = s.Options(); err != nil {
		t.Fatal(err)
	}
	if o.Web.Policy != netguard.AllowPrivate {
		t.Errorf("allowed: web policy %v", o.Web.Policy)
	}
	if _, err := o.PKI.FetchIssuer(ctx, srv.URL+"/inter.der"); err == nil || hits.Load() != 1 {
		t.Errorf("allowed AIA fetch: %v (want the 404), %d requests", err, hits.Load())
	}
}
