package vuln

import (
	"context"
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"padlock/probe"
)

// testWait is the reaction wait used against loopback servers.
const testWait = 1500 * time.Millisecond

// scanOpts tune scanAddr.
type scanOpts struct {
	// serial makes the checks' Dialer open one connection at a time, for
	// servers that serve one connection at a time (openssl s_server).
	serial bool
	checks []string
	wait   time.Duration
}

// scanAddr probes addr ("127.0.0.1:PORT") and runs the checks.
func scanAddr(t *testing.T, addr string, o scanOpts) (*probe.Result, *Report) {
	t.Helper()
	ap := netip.MustParseAddrPort(addr)
	ep := probe.Endpoint{Host: "localhost", IP: ap.Addr(), Port: ap.Port(), SNI: "localhost"}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	popts := probe.Options{Timeout: 5 * time.Second}
	if o.serial {
		popts.Concurrency = 1
	}
	res, err := probe.Run(ctx, ep, popts)
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	return res, checkResult(t, ctx, ep, res, popts, o)
}

// checkResult runs the checks with a given prober result.
func checkResult(t *testing.T, ctx context.Context, ep probe.Endpoint, res *probe.Result, popts probe.Options, o scanOpts) *Report {
	t.Helper()
	if o.wait == 0 {
		o.wait = testWait
	}
	d := probe.NewDialer(ep, popts)
	rep := Check(ctx, d, res, Options{Wait: o.wait, Checks: o.checks})
	if testing.Verbose() {
		dump(t, rep)
	}
	return rep
}

func dump(t *testing.T, rep *Report) {
	t.Helper()
	for _, f := range rep.PadlockFindings {
		t.Logf("%-28s %-15s %-16s %s", f.Check, f.State, f.Severity, f.Reason)
		for _, e := range f.Evidence {
			t.Logf("      %s: %s %s", e.Label, e.Value, e.Hex)
		}
	}
	b, _ := json.Marshal(rep)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	delete(m, "padlockFindings")
	b, _ = json.Marshal(m)
	t.Logf("report: %s", b)
}

// want is an expected state (and optionally severity / variant) per check.
type want struct {
	state    State
	severity Severity // checked when not SeverityNone
	variant  string   // checked when not ""
}

func expect(t *testing.T, rep *Report, wants map[string]want) {
	t.Helper()
	defer func() {
		if t.Failed() && !testing.Verbose() {
			dump(t, rep)
		}
	}()
	for id, w := range wants {
		f, ok := rep.Finding(id)
		if !ok {
			t.Errorf("%s: no finding", id)
			continue
		}
		if f.State != w.state {
			t.Errorf("%s: state %v, want %v (%s)", id, f.State, w.state, f.Reason)
			continue
		}
		if w.severity != SeverityNone && f.Severity != w.severity {
			t.Errorf("%s: severity %v, want %v (%s)", id, f.Severity, w.severity, f.Reason)
		}
		if w.variant != "" && f.Variant != w.variant {
			t.Errorf("%s: variant %q, want %q (%s)", id, f.Variant, w.variant, f.Reason)
		}
		if f.Reason == "" {
			t.Errorf("%s: no reason", id)
		}
		if f.State == Vulnerable || f.State == NotVulnerable {
			if len(f.Evidence) == 0 && !resultOnly[id] {
				t.Errorf("%s: %v without evidence", id, f.State)
			}
		}
	}
}

// resultOnly are checks decided from the prober's result alone, whose
// evidence may legitimately be a count.
var resultOnly = map[string]bool{}

var (
	nv = want{state: NotVulnerable}
	na = want{state: NotApplicable}
	ic = want{state: Inconclusive}
)

func vuln(s Severity) want              { return want{state: Vulnerable, severity: s} }
func vulnVariant(v string) want         { return want{state: Vulnerable, variant: v} }
func inconclusiveVariant(v string) want { return want{state: Inconclusive, variant: v} }
