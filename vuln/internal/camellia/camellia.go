// Package camellia is the Camellia block cipher of RFC 3713 (128-bit
// blocks, 128-, 192- and 256-bit keys), so that padlock's vulnerability
// client can complete handshakes with the TLS Camellia CBC suites (RFC
// 5932) that no Go standard or x/ module provides.
//
// It is a test instrument like the client that uses it: correct (checked
// against RFC 3713's test vectors and OpenSSL), not constant time.
package camellia

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// BlockSize is Camellia's block size in bytes.
const BlockSize = 16

// sbox1 is SBOX1 of RFC 3713 §2.4.4. It is computed from the algebraic
// definition of the Camellia specification (Aoki et al., 2000, §3.3):
// s1(x) = h(g(f(x ^ 0xc5))) ^ 0x6e, with f and h fixed linear maps on the
// bits and g the inversion in GF((2^4)^2); the test checks it against the
// table's first row and the RFC's test vectors.
var sbox1 = func() (s [256]byte) {
	// GF(2^4) with α^4 + α + 1 = 0.
	mul4 := func(a, b byte) byte {
		var r byte
		for i := range 4 {
			if b>>i&1 == 1 {
				r ^= a << i
			}
		}
		for i := 7; i >= 4; i-- {
			if r>>i&1 == 1 {
				r ^= 0x13 << (i - 4)
			}
		}
		return r
	}
	// GF((2^4)^2) with β^2 + β + λ = 0, λ = α^3 + 1: element hi·β + lo.
	const lambda = 9
	mul8 := func(xh, xl, yh, yl byte) (byte, byte) {
		hh := mul4(xh, yh)
		return mul4(xh, yl) ^ mul4(xl, yh) ^ hh, mul4(xl, yl) ^ mul4(hh, lambda)
	}
	var inv [256]byte // index hi<<4|lo
	for x := 1; x < 256; x++ {
		for y := 1; y < 256; y++ {
			if h, l := mul8(byte(x>>4), byte(x&15), byte(y>>4), byte(y&15)); h == 0 && l == 1 {
				inv[x] = byte(y)
				break
			}
		}
	}
	bit := func(x byte, i int) byte { return x >> (8 - i) & 1 } // bit 1 is the most significant
	for x := range 256 {
		a := byte(x) ^ 0xc5
		b := [9]byte{0,
			bit(a, 6) ^ bit(a, 2), bit(a, 7) ^ bit(a, 1), bit(a, 8) ^ bit(a, 5) ^ bit(a, 3), bit(a, 8) ^ bit(a, 3),
			bit(a, 7) ^ bit(a, 4), bit(a, 5) ^ bit(a, 2), bit(a, 8) ^ bit(a, 1), bit(a, 6) ^ bit(a, 4)}
		var bb byte
		for i := 1; i <= 8; i++ {
			bb |= b[i] << (8 - i)
		}
		c := inv[bb]
		d := [8]byte{
			bit(c, 5) ^ bit(c, 6) ^ bit(c, 2), bit(c, 6) ^ bit(c, 2), bit(c, 7) ^ bit(c, 4), bit(c, 8) ^ bit(c, 2),
			bit(c, 7) ^ bit(c, 3), bit(c, 8) ^ bit(c, 1), bit(c, 5) ^ bit(c, 1), bit(c, 6) ^ bit(c, 3)}
		var dd byte
		for i, v := range d {
			dd |= v << (7 - i)
		}
		s[x] = dd ^ 0x6e
	}
	return s
}()

func sbox2(x byte) byte { return bits.RotateLeft8(sbox1[x], 1) }
func sbox3(x byte) byte { return bits.RotateLeft8(sbox1[x], 7) }
func sbox4(x byte) byte { return sbox1[bits.RotateLeft8(x, 1)] }

// The key schedule constants Σ1..Σ6 (RFC 3713 §2.2).
var sigma = [6]uint64{
	0xA09E667F3BCC908B, 0xB67AE8584CAA73B2, 0xC6EF372FE94F82BE,
	0x54FF53A5F1D36F1C, 0x10E527FADE682D1D, 0xB05688C2B3E6C1FD,
}

// f is the F-function (RFC 3713 §2.4.1).
func f(in, ke uint64) uint64 {
	x := in ^ ke
	t1 := sbox1[byte(x>>56)]
	t2 := sbox2(byte(x >> 48))
	t3 := sbox3(byte(x >> 40))
	t4 := sbox4(byte(x >> 32))
	t5 := sbox2(byte(x >> 24))
	t6 := sbox3(byte(x >> 16))
	t7 := sbox4(byte(x >> 8))
	t8 := sbox1[byte(x)]
	y1 := t1 ^ t3 ^ t4 ^ t6 ^ t7 ^ t8
	y2 := t1 ^ t2 ^ t4 ^ t5 ^ t7 ^ t8
	y3 := t1 ^ t2 ^ t3 ^ t5 ^ t6 ^ t8
	y4 := t2 ^ t3 ^ t4 ^ t5 ^ t6 ^ t7
	y5 := t1 ^ t2 ^ t6 ^ t7 ^ t8
	y6 := t2 ^ t3 ^ t5 ^ t7 ^ t8
	y7 := t3 ^ t4 ^ t5 ^ t6 ^ t8
	y8 := t1 ^ t4 ^ t5 ^ t6 ^ t7
	return uint64(y1)<<56 | uint64(y2)<<48 | uint64(y3)<<40 | uint64(y4)<<32 |
		uint64(y5)<<24 | uint64(y6)<<16 | uint64(y7)<<8 | uint64(y8)
}

// fl and flInv are FL and FL^-1 (RFC 3713 §2.4.2, §2.4.3).
func fl(in, ke uint64) uint64 {
	x1, x2 := uint32(in>>32), uint32(in)
	k1, k2 := uint32(ke>>32), uint32(ke)
	x2 ^= bits.RotateLeft32(x1&k1, 1)
	x1 ^= x2 | k2
	return uint64(x1)<<32 | uint64(x2)
}

func flInv(in, ke uint64) uint64 {
	y1, y2 := uint32(in>>32), uint32(in)
	k1, k2 := uint32(ke>>32), uint32(ke)
	y1 ^= y2 | k2
	y2 ^= bits.RotateLeft32(y1&k1, 1)
	return uint64(y1)<<32 | uint64(y2)
}

// u128 is a 128-bit value as (high, low).
type u128 struct{ hi, lo uint64 }

// rotl rotates left by n bits, 0 <= n < 128.
func (x u128) rotl(n uint) u128 {
	if n >= 64 {
		x = u128{x.lo, x.hi}
		n -= 64
	}
	if n == 0 {
		return x
	}
	return u128{x.hi<<n | x.lo>>(64-n), x.lo<<n | x.hi>>(64-n)}
}

// camelliaCipher holds the subkeys in the order encryption uses them.
type camelliaCipher struct {
	kw     [4]uint64
	k      []uint64 // 18 or 24
	ke     []uint64 // 4 or 6
	rounds int
}

// NewCipher returns Camellia with a 16-, 24- or 32-byte key.
func NewCipher(key []byte) (cipher.Block, error) {
	var kl, kr u128
	switch len(key) {
	case 16:
		kl = u128{binary.BigEndian.Uint64(key), binary.BigEndian.Uint64(key[8:])}
	case 24:
		kl = u128{binary.BigEndian.Uint64(key), binary.BigEndian.Uint64(key[8:])}
		r := binary.BigEndian.Uint64(key[16:])
		kr = u128{r, ^r}
	case 32:
		kl = u128{binary.BigEndian.Uint64(key), binary.BigEndian.Uint64(key[8:])}
		kr = u128{binary.BigEndian.Uint64(key[16:]), binary.BigEndian.Uint64(key[24:])}
	default:
		return nil, fmt.Errorf("camellia: invalid key size %d", len(key))
	}
	// KA and KB (RFC 3713 §2.2).
	d1, d2 := kl.hi^kr.hi, kl.lo^kr.lo
	d2 ^= f(d1, sigma[0])
	d1 ^= f(d2, sigma[1])
	d1 ^= kl.hi
	d2 ^= kl.lo
	d2 ^= f(d1, sigma[2])
	d1 ^= f(d2, sigma[3])
	ka := u128{d1, d2}
	c := &camelliaCipher{}
	pair := func(x u128, n uint) (uint64, uint64) { r := x.rotl(n); return r.hi, r.lo }
	if len(key) == 16 {
		c.rounds = 18
		c.k = make([]uint64, 18)
		c.ke = make([]uint64, 4)
		c.kw[0], c.kw[1] = pair(kl, 0)
		c.k[0], c.k[1] = pair(ka, 0)
		c.k[2], c.k[3] = pair(kl, 15)
		c.k[4], c.k[5] = pair(ka, 15)
		c.ke[0], c.ke[1] = pair(ka, 30)
		c.k[6], c.k[7] = pair(kl, 45)
		c.k[8], _ = pair(ka, 45)
		_, c.k[9] = pair(kl, 60)
		c.k[10], c.k[11] = pair(ka, 60)
		c.ke[2], c.ke[3] = pair(kl, 77)
		c.k[12], c.k[13] = pair(kl, 94)
		c.k[14], c.k[15] = pair(ka, 94)
		c.k[16], c.k[17] = pair(kl, 111)
		c.kw[2], c.kw[3] = pair(ka, 111)
		return c, nil
	}
	d1, d2 = ka.hi^kr.hi, ka.lo^kr.lo
	d2 ^= f(d1, sigma[4])
	d1 ^= f(d2, sigma[5])
	kb := u128{d1, d2}
	c.rounds = 24
	c.k = make([]uint64, 24)
	c.ke = make([]uint64, 6)
	c.kw[0], c.kw[1] = pair(kl, 0)
	c.k[0], c.k[1] = pair(kb, 0)
	c.k[2], c.k[3] = pair(kr, 15)
	c.k[4], c.k[5] = pair(ka, 15)
	c.ke[0], c.ke[1] = pair(kr, 30)
	c.k[6], c.k[7] = pair(kb, 30)
	c.k[8], c.k[9] = pair(kl, 45)
	c.k[10], c.k[11] = pair(ka, 45)
	c.ke[2], c.ke[3] = pair(kl, 60)
	c.k[12], c.k[13] = pair(kr, 60)
	c.k[14], c.k[15] = pair(kb, 60)
	c.k[16], c.k[17] = pair(kl, 77)
	c.ke[4], c.ke[5] = pair(ka, 77)
	c.k[18], c.k[19] = pair(kr, 94)
	c.k[20], c.k[21] = pair(ka, 94)
	c.k[22], c.k[23] = pair(kl, 111)
	c.kw[2], c.kw[3] = pair(kb, 111)
	return c, nil
}

func (c *camelliaCipher) BlockSize() int { return BlockSize }

// crypt runs the data randomizing part with the subkeys given in order
// (RFC 3713 §2.3); decryption passes them reversed.
func (c *camelliaCipher) crypt(dst, src []byte, kw [4]uint64, k, ke []uint64) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("camellia: input not a full block")
	}
	d1 := binary.BigEndian.Uint64(src) ^ kw[0]
	d2 := binary.BigEndian.Uint64(src[8:]) ^ kw[1]
	for i := 0; i < len(k); i += 2 {
		if i > 0 && i%6 == 0 {
			j := i/6 - 1
			d1 = fl(d1, ke[2*j])
			d2 = flInv(d2, ke[2*j+1])
		}
		d2 ^= f(d1, k[i])
		d1 ^= f(d2, k[i+1])
	}
	d2 ^= kw[2]
	d1 ^= kw[3]
	binary.BigEndian.PutUint64(dst, d2)
	binary.BigEndian.PutUint64(dst[8:], d1)
}

func (c *camelliaCipher) Encrypt(dst, src []byte) { c.crypt(dst, src, c.kw, c.k, c.ke) }

func (c *camelliaCipher) Decrypt(dst, src []byte) {
	kw := [4]uint64{c.kw[2], c.kw[3], c.kw[0], c.kw[1]}
	k := make([]uint64, len(c.k))
	for i := range k {
		k[i] = c.k[len(k)-1-i]
	}
	ke := make([]uint64, len(c.ke))
	for i := range ke {
		ke[i] = c.ke[len(ke)-1-i]
	}
	c.crypt(dst, src, kw, k, ke)
}
