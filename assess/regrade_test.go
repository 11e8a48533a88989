package assess

import (
	"encoding/json"
	"testing"
	"time"

	"padlock/grade"
	"padlock/registry"
)

// Stored facts re-grade to the same answer after a JSON round trip, and a
// fact learned later (another endpoint of the fleet shares the key and
// speaks SSLv2) changes the grade through Regrade.
func TestRegradeFromStoredFacts(t *testing.T) {
	f := grade.Facts{
		Host:      "example.org",
		Protocols: []registry.Protocol{registry.TLS12, registry.TLS13},
		Suites: []grade.ProtocolSuites{
			{Protocol: registry.TLS12, Suites: []uint16{0xc02f}, ServerPreference: true},
			{Protocol: registry.TLS13, Suites: []uint16{0x1301}},
		},
		LeafKey:     &grade.KeyFacts{Alg: grade.KeyRSA, Bits: 2048, Exponent: 65537},
		ECDHEGroups: []uint16{0x001d},
	}
	h := &Host{Endpoints: []Endpoint{{IPAddress: "192.0.2.1", StatusMessage: MsgReady}}}
	ep := &h.Endpoints[0]
	ep.PadlockFacts = &f
	setGrade(ep, grade.Evaluate(f))
	before := ep.Grade

	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var back Host
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	Regrade(&back, nil)
	if got := back.Endpoints[0].Grade; got != before {
		t.Fatalf("regraded %q, was %q", got, before)
	}

	Regrade(&back, func(_ *Endpoint, f *grade.Facts) {
		f.DROWN = &grade.DROWNFacts{Hosts: []string{"mail.example.org:443"}}
	})
	if got := back.Endpoints[0].Grade; got != "F" {
		t.Errorf("with a DROWN-vulnerable twin the grade is %q, want F", got)
	}
	if back.PadlockSite.Grade != "F" {
		t.Errorf("site %+v", back.PadlockSite)
	}
}

// A stored result whose CA browsers distrust from a later date carries the
// future grade, and re-grading it after that date gives it as the grade:
// the dated rules are applied from the stored facts, not from the scan.
func TestRegradeAtADate(t *testing.T) {
	at := time.Date(2018, 5, 1, 0, 0, 0, 0, time.UTC)
	f := grade.Facts{
		Host:      "example.org",
		Protocols: []registry.Protocol{registry.TLS12},
		Suites:    []grade.ProtocolSuites{{Protocol: registry.TLS12, Suites: []uint16{0xc02f}, ServerPreference: true}},
		LeafKey:   &grade.KeyFacts{Alg: grade.KeyRSA, Bits: 2048, Exponent: 65537},
		Cert: &grade.CertFacts{
			Subject: "CN=example.org", CA: registry.CASymantec,
			NotBefore: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
			SigHash: grade.HashSHA256, Distrusted: grade.Check{State: grade.NotVulnerable},
		},
		ECDHEGroups: []uint16{0x001d},
		Now:         at,
	}
	h := &Host{Endpoints: []Endpoint{{IPAddress: "192.0.2.1", StatusMessage: MsgReady}}}
	ep := &h.Endpoints[0]
	ep.PadlockFacts = &f
	setGrade(ep, grade.Evaluate(f))
	if ep.Grade == "T" || ep.FutureGrade != "T" {
		t.Fatalf("grade %s future %s", ep.Grade, ep.FutureGrade)
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var back Host
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	Regrade(&back, func(_ *Endpoint, f *grade.Facts) { f.Now = time.Date(2018, 11, 1, 0, 0, 0, 0, time.UTC) })
	if got := back.Endpoints[0]; got.Grade != "T" || got.FutureGrade != "" {
		t.Fatalf("re-graded after Chrome 70: grade %s future %s", got.Grade, got.FutureGrade)
	}
}
