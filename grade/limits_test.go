package grade

import (
	"testing"

	"padlock/registry"
)

// A reference client that cannot use the server's forward-secret or AEAD
// suites is not held against the server; one that could, but got a weaker
// suite, is (SSL Labs' 2018 rules). Trading AEAD for forward secrecy is not
// an AEAD failure when no suite has both for that client.
func TestNegotiationRulesSpareClientLimits(t *testing.T) {
	tests := []struct {
		name   string
		server []uint16 // TLS 1.2 suites, in server order
		client SimClient
		fires  []RuleID
	}{
		// IE 11 on Windows 7 offers no ECDHE_RSA GCM suite: with only
		// ECDHE-RSA-GCM and RSA-CBC on the server, its RSA-CBC handshake
		// is its own limit.
		{"limited client", []uint16{0xc02f, 0x002f},
			SimClient{ID: "ie-11-win7", Name: "IE 11 / Win 7", Reference: true, Protocol: registry.TLS12, Suite: 0x002f}, nil},
		// IE 11 on Windows 10 offers 0xc02f: RSA-CBC is the server's doing.
		{"able client", []uint16{0xc02f, 0x002f},
			SimClient{ID: "ie-11-win10", Name: "IE 11 / Win 10", Reference: true, Protocol: registry.TLS12, Suite: 0x002f}, []RuleID{RuleC6, RuleD7}},
		// IE 11 on Windows 7 could have RSA-GCM (AEAD, no FS) but gets
		// ECDHE-RSA-CBC (FS, no AEAD): no suite gives it both.
		{"fs over aead", []uint16{0xc02f, 0xc028, 0x009c},
			SimClient{ID: "ie-11-win7", Name: "IE 11 / Win 7", Reference: true, Protocol: registry.TLS12, Suite: 0xc028}, nil},
		// Without a known profile the handshake counts as it is.
		{"unknown client", []uint16{0xc02f, 0x002f},
			SimClient{Name: "someone", Reference: true, Protocol: registry.TLS12, Suite: 0x002f}, []RuleID{RuleC6, RuleD7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Facts{
				Protocols: []registry.Protocol{registry.TLS12},
				Suites:    []ProtocolSuites{{Protocol: registry.TLS12, Suites: tt.server, ServerPreference: true}},
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
