package grade

import (
	"testing"

	"padlock/registry"
)

// A reference client that cannot use the server's forward-secret or AEAD
// suites is not held against the server; one that could, but got a weaker
// suite, is (SSL Labs' 2018 rules).
func TestNegotiationRulesSpareClientLimits(t *testing.T) {
	// The server: ECDHE-RSA-AES128-GCM and RSA-AES128-CBC at TLS 1.2.
	server := []ProtocolSuites{{Protocol: registry.TLS12, Suites: []uint16{0xc02f, 0x002f}, ServerPreference: true}}
	tests := []struct {
		name   string
		client SimClient
		fires  []RuleID
	}{
		// IE 11 on Windows 7 offers no ECDHE_RSA GCM suite: its RSA-CBC
		// handshake is its own limit.
		{"limited client", SimClient{ID: "ie-11-win7", Name: "IE 11 / Win 7", Reference: true, Protocol: registry.TLS12, Suite: 0x002f}, nil},
		// IE 11 on Windows 10 offers 0xc02f; getting RSA-CBC is the server's doing.
		{"able client", SimClient{ID: "ie-11-win10", Name: "IE 11 / Win 10", Reference: true, Protocol: registry.TLS12, Suite: 0x002f}, []RuleID{RuleC6, RuleD7}},
		// Without a known profile the handshake counts as it is.
		{"unknown client", SimClient{Name: "someone", Reference: true, Protocol: registry.TLS12, Suite: 0x002f}, []RuleID{RuleC6, RuleD7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Facts{
				Protocols: []registry.Protocol{registry.TLS12},
				Suites:    server,
				LeafKey:   &KeyFacts{Alg: KeyRSA, Bits: 2048, Exponent: 65537},
				Sims:      &SimFacts{Clients: []SimClient{tt.client}},
			}
			r := Evaluate(f)
			for _, id := range []RuleID{RuleC6, RuleD7} {
				fired := false
				for _, fd := range r.Findings {
					if fd.Rule == id {
						fired = true
					}
				}
				want := false
				for _, w := range tt.fires {
					want = want || w == id
				}
				if fired != want {
					t.Errorf("%s fired = %v, want %v", id, fired, want)
				}
			}
		})
	}
}
