package grade

import "padlock/registry"

// protocolRules evaluates B1-B11 (docs/grading.md §2.B).
func (e *evaluator) protocolRules() {
	if e.has[registry.SSLv2] {
		ev := suiteEvidence("offered", e.v2)
		ev.Protocols = []string{registry.SSLv2.String()}
		reason := "SSL 2.0 is enabled; it is broken beyond repair"
		if len(e.v2) == 0 {
			ev.Text = "SSL 2.0 handshake accepted with no cipher specs"
			reason = "SSL 2.0 is enabled; even with no cipher specs it can be exploited (CVE-2015-3197)"
		}
		e.fire(RuleB1, reason, ev)
	}
	if e.has[registry.SSLv3] {
		e.fire(RuleB2, "SSL 3.0 is enabled; it is obsolete and insecure (POODLE)",
			Evidence{Text: "SSLv3 handshake accepted", Protocols: []string{registry.SSLv3.String()}})
	}
	if e.best() == registry.SSLv3 {
		e.fire(RuleB3, "SSL 3.0 is the best protocol the server offers",
			Evidence{Text: "no TLS version accepted", Protocols: protoNames(e.protos)})
	}
	if e.best() < registry.TLS12 {
		e.fire(RuleB4, "the best protocol is "+e.best().String()+"; TLS 1.2 is required for better than C",
			Evidence{Text: "best protocol " + e.best().String(), Protocols: protoNames(e.protos)})
	}
	var old []registry.Protocol
	for _, p := range []registry.Protocol{registry.TLS10, registry.TLS11} {
		if e.has[p] {
			old = append(old, p)
		}
	}
	if len(old) > 0 {
		e.fire(RuleB5, joinAnd(protoNames(old))+" "+plural(len(old), "is", "are")+" enabled; TLS 1.0 and 1.1 are deprecated (RFC 8996)",
			Evidence{Text: joinAnd(protoNames(old)) + " accepted", Protocols: protoNames(old)})
	}
	if !e.has[registry.TLS13] {
		e.fire(RuleB6, "TLS 1.3 is not supported",
			Evidence{Text: "best protocol " + e.best().String(), Protocols: protoNames(e.protos)})
	}

	legacy := e.legacy()
	versions := 0
	for _, p := range e.protos {
		if p != registry.SSLv2 {
			versions++
		}
	}
	switch {
	case versions < 2:
		e.na(RuleB7, "only one protocol version: there is nothing to fall back to")
	case e.f.Vulns == nil:
		e.pend(RuleB7, SourceVuln, "vulnerability checks have not run")
	default:
		e.check(RuleB7, e.f.Vulns.FallbackSCSV, SourceVuln,
			"TLS_FALLBACK_SCSV is not honoured (information only since 2009r)",
			Evidence{Protocols: protoNames(e.protos)})
	}

	if !legacy {
		e.na(RuleB8, "TLS 1.3 only: TLS 1.3 has no renegotiation")
		e.na(RuleB9, "TLS 1.3 only: TLS 1.3 has no renegotiation")
		e.na(RuleB10, "TLS 1.3 only: TLS 1.3 has no compression")
	} else {
		if e.f.Vulns == nil {
			e.pend(RuleB8, SourceVuln, "vulnerability checks have not run")
		} else {
			e.check(RuleB8, e.f.Vulns.InsecureRenegotiation, SourceVuln,
				"the server renegotiates at the client's request without RFC 5746 protection", Evidence{})
		}
		switch sr := e.f.SecureRenegotiation; {
		case sr == nil:
			e.pend(RuleB9, SourceProbe, "no TLS 1.2-or-older handshake recorded the renegotiation_info extension")
		case !*sr:
			e.fire(RuleB9, "secure renegotiation (RFC 5746) is not supported",
				Evidence{Text: "no renegotiation_info in the ServerHello"})
		}
		if e.f.Compression {
			e.fire(RuleB10, "the server compresses TLS records (DEFLATE), which CRIME exploits",
				Evidence{Text: "compression method DEFLATE chosen"})
		}
	}

	if beast := e.filter(func(a accepted) bool {
		return !a.v2 && a.cipher.CBC() && (a.proto == registry.SSLv3 || a.proto == registry.TLS10)
	}); len(beast) > 0 {
		e.fire(RuleB11, "CBC suites are accepted with SSL 3.0 / TLS 1.0 (BEAST; information only since 2009d)",
			suiteEvidence("accepted", beast))
	}
}
