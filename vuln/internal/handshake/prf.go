package handshake

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
)

// The pseudo-random functions of TLS 1.0-1.2 (RFC 2246 §5, RFC 5246 §5).

// pHash is P_hash(secret, seed) of RFC 5246 §5, filling out.
func pHash(out, secret, seed []byte, h func() hash.Hash) {
	mac := hmac.New(h, secret)
	mac.Write(seed)
	a := mac.Sum(nil) // A(1)
	for len(out) > 0 {
		mac.Reset()
		mac.Write(a)
		mac.Write(seed)
		n := copy(out, mac.Sum(nil))
		out = out[n:]
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(nil)
	}
}

// prf10 is the TLS 1.0 and 1.1 PRF: P_MD5 over the first half of the
// secret XOR P_SHA-1 over the second half (the halves share a byte when
// the length is odd).
func prf10(out, secret []byte, label string, seed []byte) {
	ls := append([]byte(label), seed...)
	half := (len(secret) + 1) / 2
	s1, s2 := secret[:half], secret[len(secret)-half:]
	pHash(out, s1, ls, md5.New)
	tmp := make([]byte, len(out))
	pHash(tmp, s2, ls, sha1.New)
	for i := range out {
		out[i] ^= tmp[i]
	}
}

// prf12 returns the TLS 1.2 PRF with the given hash.
func prf12(h func() hash.Hash) func(out, secret []byte, label string, seed []byte) {
	return func(out, secret []byte, label string, seed []byte) {
		pHash(out, secret, append([]byte(label), seed...), h)
	}
}

// prfFor returns the PRF for a version and, at TLS 1.2, the suite's hash.
func prfFor(version uint16, s *Suite) func(out, secret []byte, label string, seed []byte) {
	if version >= VersionTLS12 {
		return prf12(s.prfHash())
	}
	return prf10
}

// transcriptHash hashes the handshake messages for Finished: MD5 || SHA-1
// before TLS 1.2, the suite's PRF hash at TLS 1.2.
func transcriptHash(version uint16, s *Suite, msgs []byte) []byte {
	if version >= VersionTLS12 {
		h := s.prfHash()()
		h.Write(msgs)
		return h.Sum(nil)
	}
	m := md5.Sum(msgs)
	sh := sha1.Sum(msgs)
	return append(m[:], sh[:]...)
}

func (s *Suite) prfHash() func() hash.Hash {
	if s.SHA384PRF {
		return sha512.New384
	}
	return sha256.New
}

// MasterSecret derives the 48-byte master secret (RFC 5246 §8.1).
func MasterSecret(version uint16, s *Suite, preMaster []byte, clientRandom, serverRandom [32]byte) []byte {
	out := make([]byte, 48)
	seed := append(clientRandom[:], serverRandom[:]...)
	prfFor(version, s)(out, preMaster, "master secret", seed)
	return out
}

// KeyBlock is the partitioned key_block of RFC 5246 §6.3.
type KeyBlock struct {
	ClientMAC, ServerMAC []byte
	ClientKey, ServerKey []byte
	ClientIV, ServerIV   []byte
}

// Keys expands a master secret into the keys of suite s. The master secret
// may be of any length, including zero (which is what a server vulnerable
// to CVE-2014-0224 uses when it takes an early ChangeCipherSpec).
func Keys(version uint16, s *Suite, master []byte, clientRandom, serverRandom [32]byte) KeyBlock {
	macLen, keyLen, ivLen := s.macLen(), s.keyLen(), s.ivLen()
	n := 2 * (macLen + keyLen + ivLen)
	b := make([]byte, n)
	seed := append(serverRandom[:], clientRandom[:]...)
	prfFor(version, s)(b, master, "key expansion", seed)
	var k KeyBlock
	take := func(n int) []byte {
		out := b[:n:n]
		b = b[n:]
		return out
	}
	k.ClientMAC, k.ServerMAC = take(macLen), take(macLen)
	k.ClientKey, k.ServerKey = take(keyLen), take(keyLen)
	k.ClientIV, k.ServerIV = take(ivLen), take(ivLen)
	return k
}

// Finished labels.
const (
	clientFinishedLabel = "client finished"
	serverFinishedLabel = "server finished"
)

// verifyData computes Finished.verify_data over the transcript.
func verifyData(version uint16, s *Suite, master []byte, label string, transcript []byte) []byte {
	out := make([]byte, 12)
	prfFor(version, s)(out, master, label, transcriptHash(version, s, transcript))
	return out
}
