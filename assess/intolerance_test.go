package assess

import (
	"testing"

	"padlock/probe"
	"padlock/registry"
)

func TestClassicIntolerance(t *testing.T) {
	ps := func(p registry.Protocol, ok bool, neg registry.Protocol, inc string) probe.ProtocolSupport {
		return probe.ProtocolSupport{Protocol: p, Supported: ok, Negotiated: neg, Inconclusive: inc}
	}
	for _, c := range []struct {
		name string
		ps   []probe.ProtocolSupport
		want int
	}{
		{"tolerant: negotiates down", []probe.ProtocolSupport{ps(registry.TLS10, true, 0, ""), ps(registry.TLS11, false, registry.TLS10, ""), ps(registry.TLS12, false, registry.TLS10, "")}, 0},
		{"refuses TLS 1.2", []probe.ProtocolSupport{ps(registry.TLS10, true, 0, ""), ps(registry.TLS11, true, 0, ""), ps(registry.TLS12, false, 0, "")}, 4},
		{"refuses 1.1 and 1.2", []probe.ProtocolSupport{ps(registry.SSLv3, true, 0, ""), ps(registry.TLS10, true, 0, ""), ps(registry.TLS11, false, 0, ""), ps(registry.TLS12, false, 0, "")}, 2 | 4},
		{"inconclusive is not intolerance", []probe.ProtocolSupport{ps(registry.TLS10, true, 0, ""), ps(registry.TLS12, false, 0, "timeout")}, 0},
		{"below the best is not intolerance", []probe.ProtocolSupport{ps(registry.TLS10, false, 0, ""), ps(registry.TLS12, true, 0, ""), ps(registry.TLS13, true, 0, "")}, 0},
		{"TLS 1.3 only", []probe.ProtocolSupport{ps(registry.TLS12, false, 0, ""), ps(registry.TLS13, true, 0, "")}, 0},
	} {
		d := &EndpointDetails{}
		classicIntolerance(d, &probe.Result{Protocols: c.ps})
		if d.ProtocolIntolerance != c.want {
			t.Errorf("%s: %d, want %d (%v)", c.name, d.ProtocolIntolerance, c.want, d.PadlockIntolerance)
		}
	}
}
