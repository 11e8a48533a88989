package probe

import (
	"bytes"

	"padlock/registry"
)

// EphemeralKey is one ephemeral public value the server sent in a
// ServerKeyExchange (TLS 1.0–1.2), with the group it belongs to. Two
// values of the same kind and group from two handshakes tell whether the
// server reuses its key (SSL Labs' dhYsReuse and ecdhParameterReuse).
type EphemeralKey struct {
	Protocol registry.Protocol
	Kx       registry.KeyExchange // registry.KxDHE or registry.KxECDHE
	Group    uint16               // ECDHE: the named curve
	Prime    []byte               // DHE: the prime p
	Gen      []byte               // DHE: the generator g
	Public   []byte               // DH Ys, or the encoded EC point
}

// SameGroup reports whether k and o are of the same kind and group, so
// that their public values compare.
func (k EphemeralKey) SameGroup(o EphemeralKey) bool {
	return k.Kx == o.Kx && k.Group == o.Group && bytes.Equal(k.Prime, o.Prime) && bytes.Equal(k.Gen, o.Gen)
}

// maxEphemeralKeys bounds the values kept per protocol, kind and group:
// two answer the question; a few more show a key kept for a while.
const maxEphemeralKeys = 4

// recordEphemeral keeps the (EC)DHE public value of an answered TLS
// 1.0–1.2 flight. Anonymous and export key exchanges are left out, as
// the reuse check leaves them out.
func (p *prober) recordEphemeral(f *flight) {
	if f.version < registry.TLS10 || f.version > registry.TLS12 || f.keyExchange == nil {
		return
	}
	s, ok := registry.SuiteByID(f.hello.CipherSuite)
	if !ok || (s.Kx != registry.KxDHE && s.Kx != registry.KxECDHE) || s.Auth == registry.AuthNull {
		return
	}
	ske, err := f.suiteKeyExchange()
	if err != nil || ske == nil {
		return // accepted() reports the parse error
	}
	k := EphemeralKey{Protocol: f.version, Kx: s.Kx}
	switch {
	case s.Kx == registry.KxECDHE && ske.ECDH != nil && ske.ECDH.Group != 0:
		k.Group, k.Public = ske.ECDH.Group, bytes.Clone(ske.ECDH.Point)
	case s.Kx == registry.KxDHE && ske.DH != nil:
		k.Prime, k.Gen, k.Public = bytes.Clone(ske.DH.P), bytes.Clone(ske.DH.G), bytes.Clone(ske.DH.Y)
	default:
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, have := range p.res.EphemeralKeys {
		if have.Protocol == k.Protocol && have.SameGroup(k) {
			n++
		}
	}
	if n < maxEphemeralKeys {
		p.res.EphemeralKeys = append(p.res.EphemeralKeys, k)
	}
}
