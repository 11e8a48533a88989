package probe

import (
	"math/big"
	"sync"
)

// The well-known finite-field groups are defined by formula from the binary
// expansions of π (RFC 2409 §6.1-6.2, RFC 3526) and e (RFC 7919 Appendix A),
// so padlock derives them instead of carrying hex blobs:
//
//	MODP:  p = 2^n - 2^(n-64) - 1 + 2^64·(⌊2^(n-130)·π⌋ + k)
//	FFDHE: p = 2^n - 2^(n-64) - 1 + 2^64·(⌊2^(n-130)·e⌋ + X)
//
// Tests check each is a safe prime, which a wrong constant would not give.
type knownGroup struct {
	name   string
	bits   uint
	fromPi bool  // π (MODP) or e (FFDHE)
	offset int64 // k or X from the RFC
}

var knownGroups = []knownGroup{
	{"RFC 2409 Oakley group 1 (768-bit MODP)", 768, true, 149686},
	{"RFC 2409 Oakley group 2 (1024-bit MODP)", 1024, true, 129093},
	{"RFC 3526 group 5 (1536-bit MODP)", 1536, true, 741804},
	{"RFC 3526 group 14 (2048-bit MODP)", 2048, true, 124476},
	{"RFC 3526 group 15 (3072-bit MODP)", 3072, true, 1690314},
	{"RFC 3526 group 16 (4096-bit MODP)", 4096, true, 240904},
	{"RFC 3526 group 17 (6144-bit MODP)", 6144, true, 929484},
	{"RFC 3526 group 18 (8192-bit MODP)", 8192, true, 4743158},
	{"RFC 7919 ffdhe2048", 2048, false, 560316},
	{"RFC 7919 ffdhe3072", 3072, false, 2625351},
	{"RFC 7919 ffdhe4096", 4096, false, 5736041},
	{"RFC 7919 ffdhe6144", 6144, false, 15705020},
	{"RFC 7919 ffdhe8192", 8192, false, 10965728},
}

// KnownDHGroup names the standard group whose prime is p, or returns "".
func KnownDHGroup(p *big.Int) string {
	for i, g := range knownGroups {
		if uint(p.BitLen()) == g.bits && p.Cmp(knownPrimes()[i]) == 0 {
			return g.name
		}
	}
	return ""
}

var knownPrimes = sync.OnceValue(func() []*big.Int {
	const precision = 8192 + 64 // enough fraction bits for the largest group
	pi, e := fixedPi(precision), fixedE(precision)
	out := make([]*big.Int, len(knownGroups))
	for i, g := range knownGroups {
		c := e
		if g.fromPi {
			c = pi
		}
		// ⌊2^(n-130)·c⌋ from the fixed-point value c·2^precision.
		frac := new(big.Int).Rsh(c, precision-(g.bits-130))
		frac.Add(frac, big.NewInt(g.offset))
		p := new(big.Int).Lsh(frac, 64)
		p.Add(p, new(big.Int).Lsh(big.NewInt(1), g.bits))
		p.Sub(p, new(big.Int).Lsh(big.NewInt(1), g.bits-64))
		p.Sub(p, big.NewInt(1))
		out[i] = p
	}
	return out
})

// fixedPi returns ⌊π·2^bits⌋ (a little below, by at most a few units in the
// last place, well under the precision used) by Machin's formula
// π = 16·atan(1/5) - 4·atan(1/239).
func fixedPi(bits uint) *big.Int {
	const guard = 32
	a := fixedAtanInv(5, bits+guard)
	b := fixedAtanInv(239, bits+guard)
	pi := new(big.Int).Sub(a.Lsh(a, 4), b.Lsh(b, 2))
	return pi.Rsh(pi, guard)
}

// fixedAtanInv returns atan(1/x)·2^bits by its Taylor series.
func fixedAtanInv(x int64, bits uint) *big.Int {
	one := new(big.Int).Lsh(big.NewInt(1), bits)
	bx := big.NewInt(x)
	x2 := big.NewInt(x * x)
	power := new(big.Int).Quo(one, bx) // 1/x^(2k+1)
	sum := new(big.Int).Set(power)
	term := new(big.Int)
	for k := int64(1); power.Sign() != 0; k++ {
		power.Quo(power, x2)
		term.Quo(power, big.NewInt(2*k+1))
		if k%2 == 1 {
			sum.Sub(sum, term)
		} else {
			sum.Add(sum, term)
		}
	}
	return sum
}

// fixedE returns ⌊e·2^bits⌋ (within a few units) as Σ 1/k!.
func fixedE(bits uint) *big.Int {
	const guard = 32
	term := new(big.Int).Lsh(big.NewInt(1), bits+guard)
	sum := new(big.Int).Set(term)
	for k := int64(1); term.Sign() != 0; k++ {
		term.Quo(term, big.NewInt(k))
		sum.Add(sum, term)
	}
	return sum.Rsh(sum, guard)
}
