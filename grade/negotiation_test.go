package grade

import (
	"testing"

	"padlock/registry"
)

func TestModernHello(t *testing.T) {
	cases := []struct {
		name  string
		ps    []registry.Protocol
		ss    []ProtocolSuites
		want  *Negotiation
		proto registry.Protocol
		suite uint16
	}{
		{"TLS 1.3 wins, browser order", []registry.Protocol{registry.TLS12, registry.TLS13},
			[]ProtocolSuites{
				{Protocol: registry.TLS12, Suites: []uint16{0x009c, 0xc02f}, ServerPreference: true},
				{Protocol: registry.TLS13, Suites: []uint16{0x1302, 0x1301}},
			}, &Negotiation{}, registry.TLS13, 0x1301},
		{"TLS 1.3 server order", nil,
			[]ProtocolSuites{{Protocol: registry.TLS13, Suites: []uint16{0x1303, 0x1301}, ServerPreference: true}},
			&Negotiation{}, registry.TLS13, 0x1303},
		{"server prefers RSA key exchange", []registry.Protocol{registry.TLS12},
			[]ProtocolSuites{{Protocol: registry.TLS12, Suites: []uint16{0x009c, 0xc02f}, ServerPreference: true}},
			&Negotiation{}, registry.TLS12, 0x009c},
		{"client order picks ECDHE-GCM", []registry.Protocol{registry.TLS12},
			[]ProtocolSuites{{Protocol: registry.TLS12, Suites: []uint16{0x009c, 0xc02f}}},
			&Negotiation{}, registry.TLS12, 0xc02f},
		{"3DES first in server order is skipped: browsers no longer offer it", []registry.Protocol{registry.TLS12},
			[]ProtocolSuites{{Protocol: registry.TLS12, Suites: []uint16{0x000a, 0xc013}, ServerPreference: true}},
			&Negotiation{}, registry.TLS12, 0xc013},
		{"TLS 1.0 only: GCM not valid there", []registry.Protocol{registry.TLS10},
			[]ProtocolSuites{{Protocol: registry.TLS10, Suites: []uint16{0xc014, 0x002f}, ServerPreference: true}},
			&Negotiation{}, registry.TLS10, 0xc014},
		{"nothing a browser offers", []registry.Protocol{registry.TLS12},
			[]ProtocolSuites{{Protocol: registry.TLS12, Suites: []uint16{0x000a, 0x0005}}}, nil, 0, 0},
		{"SSL 3.0 only", []registry.Protocol{registry.SSLv3},
			[]ProtocolSuites{{Protocol: registry.SSLv3, Suites: []uint16{0x002f}}}, nil, 0, 0},
		{"protocol listed without suites", []registry.Protocol{registry.TLS12}, nil, nil, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ModernHello(c.ps, c.ss)
			if (got == nil) != (c.want == nil) {
				t.Fatalf("got %+v", got)
			}
			if got != nil && (got.Protocol != c.proto || got.Suite != c.suite || got.Client == "") {
				t.Fatalf("got %v 0x%04x, want %v 0x%04x", got.Protocol, got.Suite, c.proto, c.suite)
			}
		})
	}
}

// ModernHello feeds Facts.Negotiated: a server that prefers RSA key
// exchange at TLS 1.2 loses forward secrecy with browsers (C6, cap B).
func TestModernHelloFeedsC6(t *testing.T) {
	f := modern()
	dropProtocol(&f, registry.TLS13)
	setSuites(&f, registry.TLS12, 0x009c, 0xc02f)
	f.Suites[0].ServerPreference = true
	f.Sims = nil
	f.Negotiated = ModernHello(f.Protocols, f.Suites)
	r := Evaluate(f)
	if _, ok := findingFor(r, RuleC6); !ok || r.Grade != "B" || r.NegotiationJudgedBy != JudgedModernHello {
		t.Fatalf("grade %s findings %v judged %v", r.Grade, ruleIDs(r.Findings), r.NegotiationJudgedBy)
	}
}
