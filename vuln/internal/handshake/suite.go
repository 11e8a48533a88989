package handshake

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"

	"padlock/registry"
	"padlock/vuln/internal/aria"
	"padlock/vuln/internal/camellia"
)

// Protocol versions this package speaks.
const (
	VersionTLS10 uint16 = 0x0301
	VersionTLS11 uint16 = 0x0302
	VersionTLS12 uint16 = 0x0303
)

// Kind is how a suite protects records.
type Kind uint8

// Record protection kinds.
const (
	KindCBC    Kind = iota + 1 // MAC-then-encrypt with a block cipher in CBC mode
	KindStream                 // MAC-then-encrypt with RC4
	KindAEAD                   // AES-, Camellia- or ARIA-GCM, ChaCha20-Poly1305
)

// Suite is a cipher suite this package can complete a handshake with and
// protect records for: RSA, DHE or ECDHE key exchange (any authentication,
// since signatures are not checked) with AES, Camellia or ARIA in CBC mode
// or GCM, 3DES-CBC, RC4 or ChaCha20-Poly1305, and HMAC-MD5, -SHA1,
// -SHA256 or -SHA384.
type Suite struct {
	registry.Suite
	Kind      Kind
	SHA384PRF bool // TLS 1.2 PRF and Finished hash is SHA-384
}

// SuiteByID returns the suite with the given id if this package supports it.
func SuiteByID(id uint16) (*Suite, bool) {
	rs, ok := registry.SuiteByID(id)
	if !ok || rs.SCSV || rs.Export {
		return nil, false
	}
	switch rs.Kx {
	case registry.KxRSA, registry.KxDHE, registry.KxECDHE:
	default:
		return nil, false
	}
	if rs.Auth == registry.AuthPSK || rs.Auth == registry.AuthSRP {
		return nil, false
	}
	s := &Suite{Suite: rs, SHA384PRF: strings.HasSuffix(rs.Name, "_SHA384")}
	switch rs.Cipher {
	case registry.AES128, registry.AES256, registry.TripleDES,
		registry.Camellia128, registry.Camellia256, registry.ARIA128, registry.ARIA256:
		s.Kind = KindCBC
	case registry.RC4_128:
		s.Kind = KindStream
	case registry.AES128GCM, registry.AES256GCM, registry.Camellia128GCM, registry.Camellia256GCM,
		registry.ARIA128GCM, registry.ARIA256GCM, registry.ChaCha20Poly1305:
		s.Kind = KindAEAD
	default:
		return nil, false
	}
	if s.Kind != KindAEAD {
		switch rs.MAC {
		case registry.MD5, registry.SHA1, registry.SHA256, registry.SHA384:
		default:
			return nil, false
		}
	}
	return s, true
}

// Supported reports whether this package can handshake with suite id.
func Supported(id uint16) bool {
	_, ok := SuiteByID(id)
	return ok
}

func (s *Suite) macLen() int {
	switch s.MAC {
	case registry.MD5:
		return md5.Size
	case registry.SHA1:
		return sha1.Size
	case registry.SHA256:
		return sha256.Size
	case registry.SHA384:
		return sha512.Size384
	}
	return 0
}

// MACLen is the length of the record MAC (0 for AEAD suites).
func (s *Suite) MACLen() int {
	if s.Kind == KindAEAD {
		return 0
	}
	return s.macLen()
}

func (s *Suite) macHash() func() hash.Hash {
	switch s.MAC {
	case registry.MD5:
		return md5.New
	case registry.SHA1:
		return sha1.New
	case registry.SHA256:
		return sha256.New
	case registry.SHA384:
		return sha512.New384
	}
	return nil
}

func (s *Suite) keyLen() int {
	switch s.Cipher {
	case registry.AES128, registry.AES128GCM, registry.RC4_128, registry.Camellia128, registry.Camellia128GCM,
		registry.ARIA128, registry.ARIA128GCM:
		return 16
	case registry.TripleDES:
		return 24
	case registry.AES256, registry.AES256GCM, registry.Camellia256, registry.Camellia256GCM,
		registry.ARIA256, registry.ARIA256GCM, registry.ChaCha20Poly1305:
		return 32
	}
	return 0
}

// ivLen is the IV length taken from the key block: the block size for
// CBC (used only by TLS 1.0), the 4-byte salt for GCM (RFC 5288), the
// 12-byte nonce mask for ChaCha20-Poly1305 (RFC 7905).
func (s *Suite) ivLen() int {
	switch s.Cipher {
	case registry.AES128, registry.AES256, registry.Camellia128, registry.Camellia256, registry.ARIA128, registry.ARIA256:
		return aes.BlockSize
	case registry.TripleDES:
		return des.BlockSize
	case registry.AES128GCM, registry.AES256GCM, registry.Camellia128GCM, registry.Camellia256GCM,
		registry.ARIA128GCM, registry.ARIA256GCM:
		return 4
	case registry.ChaCha20Poly1305:
		return chacha20poly1305.NonceSize
	}
	return 0
}

// newBlock is the block cipher of a CBC or GCM suite.
func (s *Suite) newBlock(key []byte) (cipher.Block, error) {
	switch s.Cipher {
	case registry.TripleDES:
		return des.NewTripleDESCipher(key)
	case registry.AES128, registry.AES256, registry.AES128GCM, registry.AES256GCM:
		return aes.NewCipher(key)
	case registry.Camellia128, registry.Camellia256, registry.Camellia128GCM, registry.Camellia256GCM:
		return camellia.NewCipher(key)
	case registry.ARIA128, registry.ARIA256, registry.ARIA128GCM, registry.ARIA256GCM:
		return aria.NewCipher(key)
	}
	return nil, fmt.Errorf("handshake: no block cipher for %s", s.Name)
}

// BlockSize is the cipher's block size for CBC suites, 0 otherwise.
func (s *Suite) BlockSize() int {
	if s.Kind != KindCBC {
		return 0
	}
	return s.ivLen()
}

// newState builds the protection state for one direction.
func (s *Suite) newState(version uint16, macKey, key, iv []byte) (*State, error) {
	st := &State{Version: version, Suite: s}
	if s.Kind != KindAEAD {
		st.macKey = macKey
		st.mac = hmac.New(s.macHash(), macKey)
	}
	switch {
	case s.Kind == KindCBC:
		b, err := s.newBlock(key)
		if err != nil {
			return nil, err
		}
		st.block = b
		st.iv = append([]byte(nil), iv...)
	case s.Cipher == registry.RC4_128:
		c, err := rc4.NewCipher(key)
		if err != nil {
			return nil, err
		}
		st.stream = c
	case s.Cipher == registry.ChaCha20Poly1305:
		a, err := chacha20poly1305.New(key)
		if err != nil {
			return nil, err
		}
		st.aead = a
		st.fixed = append([]byte(nil), iv...)
		st.xorNonce = true
	case s.Kind == KindAEAD:
		b, err := s.newBlock(key)
		if err != nil {
			return nil, err
		}
		a, err := cipher.NewGCM(b)
		if err != nil {
			return nil, err
		}
		st.aead = a
		st.fixed = append([]byte(nil), iv...)
	default:
		return nil, fmt.Errorf("handshake: no record protection for %s", s.Name)
	}
	return st, nil
}
