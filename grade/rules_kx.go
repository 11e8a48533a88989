package grade

import (
	"fmt"

	"padlock/registry"
)

// kxRules evaluates C1-C6 (docs/grading.md §2.C).
// fs reports a forward-secret, authenticated key exchange.
func fs(s registry.Suite) bool { return s.ForwardSecret() && !s.Anonymous() }

func (e *evaluator) kxRules() {
	if anon := e.filter(func(a accepted) bool { return !a.v2 && a.suite.Anonymous() }); len(anon) > 0 {
		e.fire(RuleC1, "anonymous suites are accepted: anyone in the middle can impersonate the server (key exchange scores 0)",
			suiteEvidence("accepted", anon))
	}

	exp := e.filter(func(a accepted) bool { return !a.v2 && a.export })
	var freak *Check
	if v := e.f.Vulns; v != nil && v.FREAK.State == Vulnerable {
		freak = &v.FREAK
	}
	if len(exp) > 0 || freak != nil {
		var ev Evidence
		if len(exp) > 0 {
			ev = suiteEvidence("accepted", exp)
		}
		if freak != nil {
			ev.Detail = "FREAK: " + orDefault(freak.Detail, "RSA_EXPORT accepted")
			if ev.Text == "" {
				ev.Text = ev.Detail
			}
		}
		e.fire(RuleC2, "export-grade key exchange (512-bit) is accepted (FREAK/Logjam)", ev)
	}

	var dhF, dhB []DHFacts
	for _, g := range e.f.DHGroups {
		switch {
		case g.Bits < insecureKeyBits:
			dhF = append(dhF, g)
		case g.Bits < weakKeyBits:
			dhB = append(dhB, g)
		}
	}
	var logjam *Check
	if v := e.f.Vulns; v != nil && v.Logjam.State == Vulnerable {
		logjam = &v.Logjam
	}
	if len(dhF) > 0 || logjam != nil {
		ev := dhEvidence(dhF)
		if logjam != nil {
			ev.Detail = "Logjam: " + orDefault(logjam.Detail, "DH below 1024 bits")
			if ev.Text == "" {
				ev.Text = ev.Detail
			}
		}
		e.fire(RuleC3, "Diffie-Hellman parameters below 1024 bits are used (Logjam)", ev)
	}
	if len(dhB) > 0 {
		e.fire(RuleC4, fmt.Sprintf("Diffie-Hellman parameters of %d bits are used; 2048 bits is the minimum for better than B", dhB[0].Bits),
			dhEvidence(dhB))
	}

	var weak []registry.Group
	worst := 0
	for _, id := range e.f.ECDHEGroups {
		g, ok := registry.GroupByID(id)
		if !ok || g.RSAEquivalent == 0 || g.RSAEquivalent >= weakKeyBits {
			continue
		}
		weak = append(weak, g)
		if worst == 0 || g.RSAEquivalent < worst {
			worst = g.RSAEquivalent
		}
	}
	if len(weak) > 0 {
		ev := Evidence{}
		var names []string
		for _, g := range weak {
			ev.Groups = append(ev.Groups, GroupRef{ID: g.ID, Name: g.Name, Bits: g.Bits, Strength: g.RSAEquivalent})
			names = append(names, groupDesc(g))
		}
		ev.Text = joinAnd(names) + " used in key exchange"
		if worst < insecureKeyBits {
			e.fireAs(RuleC5, EffectF, "an elliptic-curve group below 1024 bits RSA-equivalent is used in key exchange", ev)
		} else {
			e.fire(RuleC5, "an elliptic-curve group below 2048 bits RSA-equivalent is used in key exchange", ev)
		}
	}

	e.negotiationRule(RuleC6, func(n negotiated) bool { return !fs(n.suite) && !e.clientLimited(n, fs) },
		"modern clients negotiate a suite without forward secrecy")
}

func dhEvidence(gs []DHFacts) Evidence {
	ev := Evidence{}
	var names []string
	for _, g := range gs {
		ev.Groups = append(ev.Groups, GroupRef{Name: orDefault(g.Name, "DH"), Bits: g.Bits, Strength: g.Bits})
		names = append(names, dhDesc(g))
	}
	if len(names) > 0 {
		ev.Text = joinAnd(names) + " used in DHE key exchange"
	}
	return ev
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// cipherRules evaluates D1-D7 (docs/grading.md §2.D).
func (e *evaluator) cipherRules() {
	if null := e.filter(func(a accepted) bool { return a.bits == 0 }); len(null) > 0 {
		e.fire(RuleD1, "suites without encryption are accepted (cipher strength scores 0)", suiteEvidence("accepted", null))
	}
	if weak := e.filter(func(a accepted) bool { return a.bits > 0 && a.bits < minCipherBits }); len(weak) > 0 {
		e.fire(RuleD2, fmt.Sprintf("suites weaker than 112 bits are accepted (as weak as %d bits)", minBits(weak)),
			suiteEvidence("accepted", weak))
	}
	rc4 := e.filter(func(a accepted) bool { return isRC4(a.cipher) })
	if len(rc4) > 0 {
		e.fire(RuleD3, "RC4 suites are accepted; RC4 is broken (RFC 7465)", suiteEvidence("accepted", rc4))
	}
	e.negotiationRule(RuleD4, func(n negotiated) bool { return isRC4(n.suite.Cipher) && n.proto >= modernProtocol },
		"RC4 is negotiated with TLS 1.1 or later by modern clients")
	if all := e.all(); len(rc4) > 0 && len(rc4) == len(all) {
		e.fire(RuleD5, "RC4 is the only cipher the server offers", suiteEvidence("accepted", rc4))
	}
	e.negotiationRule(RuleD6, func(n negotiated) bool { return n.suite.Cipher.BlockBits() == 64 && n.proto >= modernProtocol },
		"a 64-bit block cipher (SWEET32) is negotiated with TLS 1.1 or later by modern clients")
	// A client that gets forward secrecy without AEAD (IE 11 on Windows 7
	// with an RSA certificate: no ECDHE_RSA GCM suite) is not held against
	// the server unless an AEAD suite that keeps forward secrecy was there
	// for it: trading FS for AEAD would fire C6 instead.
	e.negotiationRule(RuleD7, func(n negotiated) bool {
		better := func(s registry.Suite) bool { return s.AEAD() && (fs(s) || !fs(n.suite)) }
		return !n.suite.AEAD() && !e.clientLimited(n, better)
	},
		"modern clients negotiate a suite without authenticated encryption (AEAD)")
}

func isRC4(c registry.Cipher) bool {
	switch c {
	case registry.RC4_40, registry.RC4_56, registry.RC4_64, registry.RC4_128:
		return true
	}
	return false
}

func minBits(as []accepted) int {
	m := as[0].bits
	for _, a := range as[1:] {
		m = min(m, a.bits)
	}
	return m
}
