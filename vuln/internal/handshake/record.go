package handshake

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"

	"padlock/tlswire"
)

// Record protection errors.
var (
	// ErrBadRecordMAC: the MAC, the CBC padding or the AEAD tag is wrong.
	ErrBadRecordMAC = errors.New("handshake: bad record MAC or padding")
	// ErrRecordLength: the protected record has an impossible length.
	ErrRecordLength = errors.New("handshake: protected record has an impossible length")
)

// State protects the records of one direction of a connection: MAC-then-
// encrypt (RFC 5246 §6.2.3.1-2), GCM (RFC 5246 §6.2.3.3, RFC 5288) or
// ChaCha20-Poly1305 (RFC 7905).
type State struct {
	Version uint16
	Suite   *Suite
	seq     uint64

	macKey []byte
	mac    hash.Hash

	block  cipher.Block
	iv     []byte // TLS 1.0: the last ciphertext block (CBC residue)
	stream cipher.Stream
	aead   cipher.AEAD
	fixed  []byte
	// xorNonce: the nonce is fixed XOR the sequence number and nothing
	// explicit travels (ChaCha20-Poly1305, RFC 7905 §2), instead of
	// fixed | explicit sequence number (GCM, RFC 5288 §3).
	xorNonce bool
}

// Seq is the sequence number the next record will use.
func (s *State) Seq() uint64 { return s.seq }

// MAC computes the record MAC of a plaintext fragment at sequence number
// seq (RFC 5246 §6.2.3.1).
func (s *State) MAC(seq uint64, typ tlswire.ContentType, fragment []byte) []byte {
	var hdr [13]byte
	binary.BigEndian.PutUint64(hdr[:8], seq)
	hdr[8] = byte(typ)
	binary.BigEndian.PutUint16(hdr[9:], s.Version)
	binary.BigEndian.PutUint16(hdr[11:], uint16(len(fragment)))
	s.mac.Reset()
	s.mac.Write(hdr[:])
	s.mac.Write(fragment)
	return s.mac.Sum(nil)
}

func (s *State) additionalData(seq uint64, typ tlswire.ContentType, n int) []byte {
	ad := make([]byte, 13)
	binary.BigEndian.PutUint64(ad[:8], seq)
	ad[8] = byte(typ)
	binary.BigEndian.PutUint16(ad[9:], s.Version)
	binary.BigEndian.PutUint16(ad[11:], uint16(n))
	return ad
}

func (s *State) nonce(seq uint64) (nonce, explicit []byte) {
	if s.xorNonce {
		nonce = append([]byte(nil), s.fixed...)
		for i := range 8 {
			nonce[len(nonce)-1-i] ^= byte(seq >> (8 * i))
		}
		return nonce, nil
	}
	explicit = binary.BigEndian.AppendUint64(nil, seq)
	return append(append([]byte(nil), s.fixed...), explicit...), explicit
}

func (s *State) record(typ tlswire.ContentType, fragment []byte) []byte {
	return tlswire.Record{Type: typ, Version: s.Version, Payload: fragment}.Marshal()
}

// Seal protects one plaintext fragment and returns the whole record.
func (s *State) Seal(typ tlswire.ContentType, payload []byte) []byte {
	seq := s.seq
	switch s.Suite.Kind {
	case KindAEAD:
		s.seq++
		nonce, explicit := s.nonce(seq)
		out := s.aead.Seal(explicit, nonce, payload, s.additionalData(seq, typ, len(payload)))
		return s.record(typ, out)
	case KindStream:
		s.seq++
		plain := append(append([]byte(nil), payload...), s.MAC(seq, typ, payload)...)
		s.stream.XORKeyStream(plain, plain)
		return s.record(typ, plain)
	}
	plain := append(append([]byte(nil), payload...), s.MAC(seq, typ, payload)...)
	plain = append(plain, Padding(len(plain), s.Suite.BlockSize(), 0)...)
	rec, _ := s.SealRaw(typ, plain) // cannot fail: plain is block-aligned
	return rec
}

// Padding returns TLS CBC padding for n bytes of data and MAC: extra whole
// blocks beyond the minimum (each block of padding bytes costs nothing but
// length), every byte equal to the padding length.
func Padding(n, blockSize, extraBlocks int) []byte {
	p := blockSize - n%blockSize + extraBlocks*blockSize // 1..blockSize(+extra) bytes
	pad := make([]byte, p)
	for i := range pad {
		pad[i] = byte(p - 1)
	}
	return pad
}

// SealRaw CBC-encrypts a plaintext that already holds data, MAC and
// padding, laid out however the caller wants (padding-oracle probes build
// malformed ones), and returns the record. The plaintext must be a whole
// number of blocks. It uses the next sequence number.
func (s *State) SealRaw(typ tlswire.ContentType, plain []byte) ([]byte, error) {
	if s.Suite.Kind != KindCBC {
		return nil, fmt.Errorf("handshake: SealRaw needs a CBC suite, not %s", s.Suite.Name)
	}
	bs := s.block.BlockSize()
	if len(plain) == 0 || len(plain)%bs != 0 {
		return nil, fmt.Errorf("handshake: %d bytes is not a whole number of %d-byte blocks", len(plain), bs)
	}
	s.seq++
	var iv, out []byte
	if s.Version >= VersionTLS11 {
		iv = make([]byte, bs)
		if _, err := rand.Read(iv); err != nil {
			return nil, err
		}
		out = append(out, iv...)
	} else {
		iv = s.iv
	}
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(s.block, iv).CryptBlocks(ct, plain)
	if s.Version < VersionTLS11 {
		s.iv = append(s.iv[:0], ct[len(ct)-bs:]...)
	}
	return s.record(typ, append(out, ct...)), nil
}

// Open verifies and removes the protection of one record and returns the
// plaintext fragment.
func (s *State) Open(rec tlswire.Record) ([]byte, error) {
	switch s.Suite.Kind {
	case KindAEAD:
		seq := s.seq
		s.seq++
		nonce, explicit := s.nonce(seq)
		in := rec.Payload
		if len(in) < len(explicit)+s.aead.Overhead() {
			return nil, ErrRecordLength
		}
		if !s.xorNonce {
			nonce = append(nonce[:len(s.fixed)], in[:8]...)
			in = in[8:]
		}
		out, err := s.aead.Open(nil, nonce, in, s.additionalData(seq, rec.Type, len(in)-s.aead.Overhead()))
		if err != nil {
			return nil, ErrBadRecordMAC
		}
		return out, nil
	case KindStream:
		seq := s.seq
		s.seq++
		ml := s.Suite.MACLen()
		if len(rec.Payload) < ml {
			return nil, ErrRecordLength
		}
		plain := make([]byte, len(rec.Payload))
		s.stream.XORKeyStream(plain, rec.Payload)
		data, mac := plain[:len(plain)-ml], plain[len(plain)-ml:]
		if !hmac.Equal(mac, s.MAC(seq, rec.Type, data)) {
			return nil, ErrBadRecordMAC
		}
		return data, nil
	}
	plain, seq, err := s.OpenRaw(rec)
	if err != nil {
		return nil, err
	}
	data, ok := s.CheckCBC(seq, rec.Type, plain)
	if !ok {
		return nil, ErrBadRecordMAC
	}
	return data, nil
}

// OpenRaw CBC-decrypts one record without checking padding or MAC, and
// returns the plaintext (data, MAC and padding) with the sequence number it
// was sent under.
func (s *State) OpenRaw(rec tlswire.Record) (plain []byte, seq uint64, err error) {
	if s.Suite.Kind != KindCBC {
		return nil, 0, fmt.Errorf("handshake: OpenRaw needs a CBC suite, not %s", s.Suite.Name)
	}
	seq = s.seq
	s.seq++
	bs := s.block.BlockSize()
	in := rec.Payload
	iv := s.iv
	if s.Version >= VersionTLS11 {
		if len(in) < bs {
			return nil, seq, ErrRecordLength
		}
		iv, in = in[:bs], in[bs:]
	}
	if len(in) == 0 || len(in)%bs != 0 {
		return nil, seq, ErrRecordLength
	}
	plain = make([]byte, len(in))
	cipher.NewCBCDecrypter(s.block, iv).CryptBlocks(plain, in)
	if s.Version < VersionTLS11 {
		s.iv = append(s.iv[:0], in[len(in)-bs:]...)
	}
	return plain, seq, nil
}

// CheckCBC checks the TLS padding (every padding byte equal to the length)
// and the MAC of a decrypted CBC plaintext, and returns the data.
func (s *State) CheckCBC(seq uint64, typ tlswire.ContentType, plain []byte) ([]byte, bool) {
	ml := s.Suite.MACLen()
	if len(plain) == 0 {
		return nil, false
	}
	p := int(plain[len(plain)-1])
	if p+1+ml > len(plain) {
		return nil, false
	}
	ok := true
	for _, b := range plain[len(plain)-1-p:] {
		if int(b) != p {
			ok = false
		}
	}
	n := len(plain) - 1 - p - ml
	data, mac := plain[:n], plain[n:n+ml]
	if !hmac.Equal(mac, s.MAC(seq, typ, data)) {
		ok = false
	}
	return data, ok
}
