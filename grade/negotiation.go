package grade

import (
	"slices"

	"padlock/registry"
)

// negotiated is one handshake a modern client completed.
type negotiated struct {
	client string
	proto  registry.Protocol
	suite  registry.Suite
	// offered are the suites the client offers, when its profile is known.
	offered []uint16
}

// clientLimited reports whether a client got no suite with the property
// good only because it offers none of the server's: the server accepts such
// suites, but not one the client could use. SSL Labs does not hold a
// client's own limits against the server (the 2018 forward secrecy and AEAD
// rules penalise servers that deny these to clients able to use them).
// Without the client's profile it cannot tell, and answers false.
func (e *evaluator) clientLimited(n negotiated, good func(registry.Suite) bool) bool {
	if n.offered == nil {
		return false
	}
	serverHasGood := false
	for _, ps := range e.f.Suites {
		for _, id := range ps.Suites {
			s, ok := registry.SuiteByID(id)
			if !ok || !good(s) {
				continue
			}
			serverHasGood = true
			if slices.Contains(n.offered, id) {
				return false
			}
		}
	}
	return serverHasGood
}

// negotiationView collects the handshakes the negotiation rules are judged
// by (decision 9): the reference clients' simulations when there are any
// that completed, otherwise the modern-browser hello.
func (e *evaluator) negotiationView() {
	if sims := e.f.Sims; sims != nil {
		for _, c := range sims.Clients {
			if !c.Reference || c.Failed {
				continue
			}
			if s, ok := registry.SuiteByID(c.Suite); ok && !s.SCSV {
				n := negotiated{client: c.Name, proto: c.Protocol, suite: s}
				if p, ok := registry.ClientProfileByID(c.ID); ok {
					n.offered = p.Suites
				}
				e.negos = append(e.negos, n)
			}
		}
		if len(e.negos) > 0 {
			e.judged = JudgedSimulation
			return
		}
	}
	if n := e.f.Negotiated; n != nil {
		if s, ok := registry.SuiteByID(n.Suite); ok && !s.SCSV {
			name := n.Client
			if name == "" {
				name = "modern browser hello"
			}
			e.negos = append(e.negos, negotiated{client: name, proto: n.Protocol, suite: s})
			e.judged = JudgedModernHello
		}
	}
}

// negotiationRule fires id when any of the judged handshakes is bad, or
// records it as not evaluated when there are none.
func (e *evaluator) negotiationRule(id RuleID, bad func(negotiated) bool, reason string) {
	if e.judged == JudgedNot {
		why := "no handshake simulation and no modern-browser handshake recorded"
		if e.f.Sims != nil {
			why = "no reference client completed a handshake in simulation, and no modern-browser handshake recorded"
		}
		e.pend(id, SourceSimulation, why)
		return
	}
	var ev Evidence
	var hits []string
	for _, n := range e.negos {
		if !bad(n) {
			continue
		}
		ev.Clients = append(ev.Clients, n.client)
		ev.Suites = append(ev.Suites, SuiteRef{Protocol: n.proto.String(), ID: uint32(n.suite.ID), Name: n.suite.Name})
		if !slices.Contains(ev.Protocols, n.proto.String()) {
			ev.Protocols = append(ev.Protocols, n.proto.String())
		}
		hits = append(hits, n.client+": "+n.suite.Name+" at "+n.proto.String())
	}
	if len(hits) == 0 {
		return
	}
	const shown = 3
	text := joinAnd(hits[:min(len(hits), shown)])
	if len(hits) > shown {
		text += " (and more)"
	}
	ev.Text = text + " (judged by " + e.judged.String() + ")"
	e.fire(id, reason, ev)
}

// Suite orders of a current Chromium-family browser's ClientHello, used by
// ModernHello: the TLS 1.3 suites, then the TLS 1.2 (and older) suites.
var (
	modernTLS13Suites = []uint16{0x1301, 0x1302, 0x1303}
	modernTLS12Suites = []uint16{
		0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, // ECDHE AEAD
		0xc013, 0xc014, // ECDHE_RSA AES-CBC-SHA
		0x009c, 0x009d, 0x002f, 0x0035, // RSA AES
	}
)

// ModernHello works out, from the suite enumeration alone, the handshake a
// current browser's ClientHello would get: the best protocol from TLS 1.0
// up, and the suite the server picks from the browser's list (by the
// server's order when it has one, by the browser's otherwise). It is the
// stand-in for Facts.Negotiated until the prober sends a real browser hello;
// it returns nil when the browser's list has no suite the server accepts
// at that protocol. Groups and signature algorithms are not considered.
func ModernHello(protocols []registry.Protocol, suites []ProtocolSuites) *Negotiation {
	supported := map[registry.Protocol]*ProtocolSuites{}
	for i := range suites {
		supported[suites[i].Protocol] = &suites[i]
	}
	var best registry.Protocol
	for _, p := range []registry.Protocol{registry.TLS10, registry.TLS11, registry.TLS12, registry.TLS13} {
		_, listed := supported[p]
		if listed || slices.Contains(protocols, p) {
			best = p
		}
	}
	ps := supported[best]
	if best == 0 || ps == nil {
		return nil
	}
	offer := modernTLS12Suites
	if best == registry.TLS13 {
		offer = modernTLS13Suites
	}
	var valid []uint16
	for _, id := range offer {
		if s, ok := registry.SuiteByID(id); ok && s.ValidFor(best) {
			valid = append(valid, id)
		}
	}
	pick := func(order, in []uint16) (uint16, bool) {
		for _, id := range order {
			if slices.Contains(in, id) {
				return id, true
			}
		}
		return 0, false
	}
	var id uint16
	var ok bool
	if ps.ServerPreference {
		id, ok = pick(ps.Suites, valid)
	} else {
		id, ok = pick(valid, ps.Suites)
	}
	if !ok {
		return nil
	}
	return &Negotiation{Protocol: best, Suite: id, Client: "modern browser hello (emulated from the suite enumeration)"}
}
