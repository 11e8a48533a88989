package grade

import (
	"fmt"
	"strings"

	"padlock/registry"
)

// kxCandidate is one asymmetric parameter scored in key exchange.
type kxCandidate struct {
	score float64
	what  string
}

// score computes the three categories and the total (docs/grading.md §1).
func (e *evaluator) score() {
	s := &e.scores

	// Protocol support: best + worst over 2 (§1.2).
	bp, _ := protocolScore(e.best())
	wp, _ := protocolScore(e.worst())
	s.Protocol = (bp + wp) / 2
	if e.best() == e.worst() {
		s.ProtocolBasis = fmt.Sprintf("only %s (%s)", e.best(), formatScore(bp))
	} else {
		s.ProtocolBasis = fmt.Sprintf("best %s (%s) and worst %s (%s), averaged", e.best(), formatScore(bp), e.worst(), formatScore(wp))
	}

	// Key exchange: the weakest parameter (§1.3).
	var cands []kxCandidate
	if k := e.f.LeafKey; k != nil {
		if k.DebianWeak.State == Vulnerable {
			cands = append(cands, kxCandidate{kxScoreDebianWeak, "certificate key on the Debian weak-key list"})
		} else if st, ok := keyStrength(k); ok {
			cands = append(cands, kxCandidate{kxScore(st), keyDesc(k, st) + " certificate key"})
		}
	}
	if as := e.filter(func(a accepted) bool { return !a.v2 && a.suite.Anonymous() }); len(as) > 0 {
		cands = append(cands, kxCandidate{kxScoreAnonymous, "anonymous key exchange (" + as[0].name + ")"})
	}
	if as := e.filter(func(a accepted) bool { return !a.v2 && a.export }); len(as) > 0 {
		cands = append(cands, kxCandidate{kxScoreExport, "export key exchange (" + as[0].name + ")"})
	}
	for _, g := range e.f.DHGroups {
		cands = append(cands, kxCandidate{kxScore(g.Bits), dhDesc(g)})
	}
	for _, id := range e.f.ECDHEGroups {
		if g, ok := registry.GroupByID(id); ok && g.RSAEquivalent > 0 {
			cands = append(cands, kxCandidate{kxScore(g.RSAEquivalent), groupDesc(g)})
		}
	}
	if len(cands) > 0 {
		e.kxKnown = true
		w := cands[0]
		for _, c := range cands[1:] {
			if c.score < w.score {
				w = c
			}
		}
		s.KeyExchange = w.score
		s.KeyExchangeBasis = fmt.Sprintf("weakest: %s (%s)", w.what, formatScore(w.score))
	}

	// Cipher strength: strongest + weakest over 2 (§1.4), 3DES as 168.
	all := e.all()
	if len(all) > 0 {
		e.cipherKnown = true
		strong, weak := all[0], all[0]
		for _, a := range all[1:] {
			if scoringBits(a.cipher, a.bits) > scoringBits(strong.cipher, strong.bits) {
				strong = a
			}
			if scoringBits(a.cipher, a.bits) < scoringBits(weak.cipher, weak.bits) {
				weak = a
			}
		}
		sb, wb := scoringBits(strong.cipher, strong.bits), scoringBits(weak.cipher, weak.bits)
		s.Cipher = (cipherScore(sb) + cipherScore(wb)) / 2
		s.CipherBasis = fmt.Sprintf("strongest %d bits (%s, %s) and weakest %d bits (%s, %s), averaged",
			sb, strong.cipher, formatScore(cipherScore(sb)), wb, weak.cipher, formatScore(cipherScore(wb)))
	}

	// Combination (§1.5), exact (decision 14). The weighted sum of
	// half-point scores with integer weights is exact in float64.
	if e.kxKnown && e.cipherKnown {
		if s.Protocol == 0 || s.KeyExchange == 0 || s.Cipher == 0 {
			s.Total = 0
		} else {
			s.Total = (weightProtocol*s.Protocol + weightKeyExchange*s.KeyExchange + weightCipher*s.Cipher) / 100
		}
	}
}

// scoreFinding explains a letter below A that the numeric score gives.
func (e *evaluator) scoreFinding(l letter) {
	s := e.scores
	ev := Evidence{Text: fmt.Sprintf("protocol %s, key exchange %s, cipher %s → total %s",
		formatScore(s.Protocol), formatScore(s.KeyExchange), formatScore(s.Cipher), formatScore(s.Total))}
	var reason string
	if s.Total == 0 {
		var zero []string
		if s.Protocol == 0 {
			zero = append(zero, "protocol support ("+s.ProtocolBasis+")")
		}
		if s.KeyExchange == 0 {
			zero = append(zero, "key exchange ("+s.KeyExchangeBasis+")")
		}
		if s.Cipher == 0 {
			zero = append(zero, "cipher strength ("+s.CipherBasis+")")
		}
		reason = "the " + strings.Join(zero, " and the ") + " scored 0, so the total is 0 (F)"
	} else {
		name, basis, low := "protocol support", s.ProtocolBasis, s.Protocol
		if s.KeyExchange < low {
			name, basis, low = "key exchange", s.KeyExchangeBasis, s.KeyExchange
		}
		if s.Cipher < low {
			name, basis = "cipher strength", s.CipherBasis
		}
		reason = fmt.Sprintf("the weighted score %s gives %s (A needs 80); weakest category: %s, %s",
			formatScore(s.Total), l, name, basis)
	}
	e.fireAs(RuleScore, EffectScore, reason, ev)
}

// keyStrength is the RSA-equivalent strength of the certificate key; ok
// is false when it cannot be told.
func keyStrength(k *KeyFacts) (int, bool) {
	if k.Strength > 0 {
		return k.Strength, true
	}
	if k.Bits <= 0 {
		return 0, false
	}
	switch k.Alg {
	case KeyRSA, KeyDSA:
		return k.Bits, true
	case KeyECDSA:
		return registry.ECRSAEquivalent(k.Bits), true
	case KeyEdDSA:
		return eddsaStrength(k.Bits), true
	}
	return 0, false
}

func keyDesc(k *KeyFacts, strength int) string {
	d := fmt.Sprintf("%d-bit %s", k.Bits, k.Alg)
	if k.Curve != "" {
		d = k.Curve + " " + k.Alg.String()
	}
	if k.Alg != KeyRSA && k.Alg != KeyDSA {
		d += fmt.Sprintf(" (RSA-equivalent %d)", strength)
	}
	return d
}

func dhDesc(g DHFacts) string {
	d := fmt.Sprintf("%d-bit DH group", g.Bits)
	if g.Name != "" {
		d += " (" + g.Name + ")"
	}
	return d
}

func groupDesc(g registry.Group) string {
	if g.Kind == registry.GroupFFDHE {
		return fmt.Sprintf("%s group (%d bits)", g.Name, g.Bits)
	}
	return fmt.Sprintf("%s group (RSA-equivalent %d)", g.Name, g.RSAEquivalent)
}

// filter returns the accepted suites (and SSL 2.0 specs) matching keep.
func (e *evaluator) filter(keep func(accepted) bool) []accepted {
	var out []accepted
	for _, a := range e.all() {
		if keep(a) {
			out = append(out, a)
		}
	}
	return out
}
