package probe

import (
	"math/big"
	"testing"
)

// A wrong digit of π or e, or a wrong offset, would not give a safe prime.
func TestKnownGroupsAreSafePrimes(t *testing.T) {
	primes := knownPrimes()
	for i, g := range knownGroups {
		if testing.Short() && g.bits > 3072 {
			continue
		}
		p := primes[i]
		if uint(p.BitLen()) != g.bits {
			t.Errorf("%s: %d bits, want %d", g.name, p.BitLen(), g.bits)
			continue
		}
		q := new(big.Int).Rsh(p, 1)
		if !p.ProbablyPrime(2) || !q.ProbablyPrime(2) {
			t.Errorf("%s: not a safe prime", g.name)
		}
		if got := KnownDHGroup(p); got != g.name {
			t.Errorf("KnownDHGroup(%s) = %q", g.name, got)
		}
	}
}

func TestKnownGroupFFDHE2048Prefix(t *testing.T) {
	// RFC 7919 Appendix A.1 begins FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A.
	p := knownPrimes()[8]
	if got := p.Text(16)[:32]; got != "ffffffffffffffffadf85458a2bb4a9a" {
		t.Errorf("ffdhe2048 starts %s", got)
	}
	// RFC 3526 group 14 begins FFFFFFFF FFFFFFFF C90FDAA2 2168C234.
	if got := knownPrimes()[3].Text(16)[:32]; got != "ffffffffffffffffc90fdaa22168c234" {
		t.Errorf("MODP 2048 starts %s", got)
	}
}

// ffdheGroup names the RFC 7919 groups by their prime and nothing else.
func TestFFDHEGroup(t *testing.T) {
	want := map[uint]uint16{2048: 0x0100, 3072: 0x0101, 4096: 0x0102, 6144: 0x0103, 8192: 0x0104}
	for i, g := range knownGroups {
		id, ok := ffdheGroup(knownPrimes()[i].Bytes())
		switch {
		case g.fromPi && ok:
			t.Errorf("%s named as group 0x%04x", g.name, id)
		case !g.fromPi && (!ok || id != want[g.bits]):
			t.Errorf("%s: 0x%04x %v, want 0x%04x", g.name, id, ok, want[g.bits])
		}
	}
	if _, ok := ffdheGroup([]byte{0xff, 0xfb}); ok {
		t.Error("a 16-bit number named")
	}
}
