// Package aria is the ARIA block cipher of RFC 5794 (128-bit blocks, 128-,
// 192- and 256-bit keys), so that padlock's vulnerability client can
// complete handshakes with the TLS ARIA CBC suites (RFC 6209) that no Go
// standard or x/ module provides.
//
// It is a test instrument like the client that uses it: correct (checked
// against RFC 5794's test vectors and OpenSSL), not constant time.
package aria

import (
	"crypto/cipher"
	"fmt"
)

// BlockSize is ARIA's block size in bytes.
const BlockSize = 16

// The four S-boxes of RFC 5794 §2.4.2, computed from their algebraic
// definition (ARIA specification, NSRI 2003): SB1 is AES's S-box
// (inversion in GF(2^8) mod x^8+x^4+x^3+x+1, then an affine map), SB2 is
// B·x^247 ^ 0xe2, SB3 and SB4 are the inverses of SB1 and SB2. The test
// checks them against the RFC's tables' first rows and test vectors.
var sb1, sb2, sb3, sb4 [256]byte

// b2cols are the columns of SB2's matrix B (column i is B·(1<<i)).
var b2cols = [8]byte{0xac, 0xc5, 0x12, 0xcf, 0x5b, 0x5f, 0x85, 0xee}

func gmul(a, b byte) byte {
	var r byte
	for b != 0 {
		if b&1 == 1 {
			r ^= a
		}
		hi := a & 0x80
		a <<= 1
		if hi != 0 {
			a ^= 0x1b
		}
		b >>= 1
	}
	return r
}

func gpow(x byte, e int) byte {
	r := byte(1)
	for ; e > 0; e >>= 1 {
		if e&1 == 1 {
			r = gmul(r, x)
		}
		x = gmul(x, x)
	}
	return r
}

func init() {
	rotl := func(x byte, n int) byte { return x<<n | x>>(8-n) }
	for x := range 256 {
		inv := byte(0)
		if x != 0 {
			inv = gpow(byte(x), 254)
		}
		sb1[x] = inv ^ rotl(inv, 1) ^ rotl(inv, 2) ^ rotl(inv, 3) ^ rotl(inv, 4) ^ 0x63
		y := byte(0)
		if x != 0 {
			p := gpow(byte(x), 247)
			for i := range 8 {
				if p>>i&1 == 1 {
					y ^= b2cols[i]
				}
			}
		}
		sb2[x] = y ^ 0xe2
	}
	for x := range 256 {
		sb3[sb1[x]] = byte(x)
		sb4[sb2[x]] = byte(x)
	}
}

type block = [16]byte

// sl1 and sl2 are the substitution layers of type 1 and 2 (RFC 5794 §2.4.2).
func sl1(x block) (y block) {
	for i := 0; i < 16; i += 4 {
		y[i], y[i+1], y[i+2], y[i+3] = sb1[x[i]], sb2[x[i+1]], sb3[x[i+2]], sb4[x[i+3]]
	}
	return y
}

func sl2(x block) (y block) {
	for i := 0; i < 16; i += 4 {
		y[i], y[i+1], y[i+2], y[i+3] = sb3[x[i]], sb4[x[i+1]], sb1[x[i+2]], sb2[x[i+3]]
	}
	return y
}

// diffusionRows lists, for each output byte of the diffusion layer A
// (RFC 5794 §2.4.3), the input bytes XORed into it.
var diffusionRows = [16][7]int{
	{3, 4, 6, 8, 9, 13, 14},
	{2, 5, 7, 8, 9, 12, 15},
	{1, 4, 6, 10, 11, 12, 15},
	{0, 5, 7, 10, 11, 13, 14},
	{0, 2, 5, 8, 11, 14, 15},
	{1, 3, 4, 9, 10, 14, 15},
	{0, 2, 7, 9, 10, 12, 13},
	{1, 3, 6, 8, 11, 12, 13},
	{0, 1, 4, 7, 10, 13, 15},
	{0, 1, 5, 6, 11, 12, 14},
	{2, 3, 5, 6, 8, 13, 15},
	{2, 3, 4, 7, 9, 12, 14},
	{1, 2, 6, 7, 9, 11, 12},
	{0, 3, 6, 7, 8, 10, 13},
	{0, 3, 4, 5, 9, 11, 14},
	{1, 2, 4, 5, 8, 10, 15},
}

func diffuse(x block) (y block) {
	for i, row := range diffusionRows {
		for _, j := range row {
			y[i] ^= x[j]
		}
	}
	return y
}

func xor(a, b block) (y block) {
	for i := range y {
		y[i] = a[i] ^ b[i]
	}
	return y
}

func fo(d, rk block) block { return diffuse(sl1(xor(d, rk))) }
func fe(d, rk block) block { return diffuse(sl2(xor(d, rk))) }

// rotr rotates a 128-bit value right by n bits.
func rotr(x block, n int) (y block) {
	n %= 128
	for i := range 128 {
		j := (i + n) % 128 // bit i of x lands at bit j
		if x[i/8]>>(7-i%8)&1 == 1 {
			y[j/8] |= 1 << (7 - j%8)
		}
	}
	return y
}

func rotl(x block, n int) block { return rotr(x, 128-n%128) }

// The key schedule constants: the first 384 bits of the fractional part
// of 1/π (RFC 5794 §2.2).
var ck = [3]block{
	{0x51, 0x7c, 0xc1, 0xb7, 0x27, 0x22, 0x0a, 0x94, 0xfe, 0x13, 0xab, 0xe8, 0xfa, 0x9a, 0x6e, 0xe0},
	{0x6d, 0xb1, 0x4a, 0xcc, 0x9e, 0x21, 0xc8, 0x20, 0xff, 0x28, 0xb1, 0xd5, 0xef, 0x5d, 0xe2, 0xb0},
	{0xdb, 0x92, 0x37, 0x1d, 0x21, 0x26, 0xe9, 0x70, 0x03, 0x24, 0x97, 0x75, 0x04, 0xe8, 0xc9, 0x0e},
}

type ariaCipher struct {
	ek, dk []block // rounds+1 each
}

// NewCipher returns ARIA with a 16-, 24- or 32-byte key.
func NewCipher(key []byte) (cipher.Block, error) {
	var rounds, first int
	switch len(key) {
	case 16:
		rounds, first = 12, 0
	case 24:
		rounds, first = 14, 1
	case 32:
		rounds, first = 16, 2
	default:
		return nil, fmt.Errorf("aria: invalid key size %d", len(key))
	}
	var kl, kr block
	copy(kl[:], key[:16])
	copy(kr[:], key[16:])
	ck1, ck2, ck3 := ck[first], ck[(first+1)%3], ck[(first+2)%3]
	w0 := kl
	w1 := xor(fo(w0, ck1), kr)
	w2 := xor(fe(w1, ck2), w0)
	w3 := xor(fo(w2, ck3), w1)
	all := []block{
		xor(w0, rotr(w1, 19)), xor(w1, rotr(w2, 19)), xor(w2, rotr(w3, 19)), xor(rotr(w0, 19), w3),
		xor(w0, rotr(w1, 31)), xor(w1, rotr(w2, 31)), xor(w2, rotr(w3, 31)), xor(rotr(w0, 31), w3),
		xor(w0, rotl(w1, 61)), xor(w1, rotl(w2, 61)), xor(w2, rotl(w3, 61)), xor(rotl(w0, 61), w3),
		xor(w0, rotl(w1, 31)), xor(w1, rotl(w2, 31)), xor(w2, rotl(w3, 31)), xor(rotl(w0, 31), w3),
		xor(w0, rotl(w1, 19)),
	}
	c := &ariaCipher{ek: all[:rounds+1], dk: make([]block, rounds+1)}
	c.dk[0] = c.ek[rounds]
	for i := 1; i < rounds; i++ {
		c.dk[i] = diffuse(c.ek[rounds-i])
	}
	c.dk[rounds] = c.ek[0]
	return c, nil
}

func (c *ariaCipher) BlockSize() int { return BlockSize }

// crypt is the ARIA round structure (RFC 5794 §2.3) with round keys rk;
// decryption is the same with the decryption keys.
func crypt(dst, src []byte, rk []block) {
	if len(src) < BlockSize || len(dst) < BlockSize {
		panic("aria: input not a full block")
	}
	var p block
	copy(p[:], src)
	n := len(rk) - 1
	for i := 0; i < n-1; i++ {
		if i%2 == 0 {
			p = fo(p, rk[i])
		} else {
			p = fe(p, rk[i])
		}
	}
	p = xor(sl2(xor(p, rk[n-1])), rk[n])
	copy(dst, p[:])
}

func (c *ariaCipher) Encrypt(dst, src []byte) { crypt(dst, src, c.ek) }
func (c *ariaCipher) Decrypt(dst, src []byte) { crypt(dst, src, c.dk) }
