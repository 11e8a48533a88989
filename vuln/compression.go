package vuln

import (
	"context"

	"padlock/registry"
)

// TLS compression (CRIME): the prober offers DEFLATE and null compression
// in its SSL 3.0-TLS 1.2 hello; a server that picks DEFLATE compresses
// secrets together with attacker-controlled data. TLS 1.3 has no
// compression.
func checkCompression(_ context.Context, r *run) Finding {
	e := r.res.Extensions
	if e.Protocol == 0 {
		for _, p := range []registry.Protocol{registry.SSLv3, registry.TLS10, registry.TLS11, registry.TLS12} {
			if supported(r.res, p) {
				return finding(CheckCompression, Inconclusive, "%v is accepted but the prober recorded no ServerHello extensions", p)
			}
		}
		return finding(CheckCompression, NotApplicable, "no protocol with compression (SSL 3.0 to TLS 1.2) is accepted")
	}
	if e.Compression == 0 {
		f := finding(CheckCompression, NotVulnerable, "offered DEFLATE and null compression at %v, the server chose null", e.Protocol)
		f.add(note("compression method chosen", "0 (null)"))
		return f
	}
	name := "unknown"
	if e.Compression == 1 {
		name = "DEFLATE"
	}
	f := finding(CheckCompression, Vulnerable, "the server chose compression method %d (%s) at %v", e.Compression, name, e.Protocol)
	f.Severity = SeverityExploitable
	f.add(note("compression method chosen", "%d (%s)", e.Compression, name))
	return f
}
