package probe

import (
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/rand"
	"fmt"
	"sync"
)

// keyShares makes, once per prober, the public values padlock sends in TLS
// 1.3 key_share entries. The handshakes never complete, so one key per group
// serves every connection.
type keyShares struct {
	mu   sync.Mutex
	keys map[uint16][]byte
}

func (k *keyShares) public(group uint16) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if b, ok := k.keys[group]; ok {
		return b, nil
	}
	b, err := newShare(group)
	if err != nil {
		return nil, err
	}
	if k.keys == nil {
		k.keys = make(map[uint16][]byte)
	}
	k.keys[group] = b
	return b, nil
}

func newShare(group uint16) ([]byte, error) {
	ec := func(c ecdh.Curve) ([]byte, error) {
		key, err := c.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return key.PublicKey().Bytes(), nil
	}
	switch group {
	case 0x001d:
		return ec(ecdh.X25519())
	case 0x0017:
		return ec(ecdh.P256())
	case 0x0018:
		return ec(ecdh.P384())
	case 0x0019:
		return ec(ecdh.P521())
	case 0x11ec: // X25519MLKEM768: ML-KEM-768 encapsulation key, then X25519
		dk, err := mlkem.GenerateKey768()
		if err != nil {
			return nil, err
		}
		x, err := ec(ecdh.X25519())
		if err != nil {
			return nil, err
		}
		return append(dk.EncapsulationKey().Bytes(), x...), nil
	case 0x11eb: // SecP256r1MLKEM768: P-256 point, then ML-KEM-768
		dk, err := mlkem.GenerateKey768()
		if err != nil {
			return nil, err
		}
		p, err := ec(ecdh.P256())
		if err != nil {
			return nil, err
		}
		return append(p, dk.EncapsulationKey().Bytes()...), nil
	}
	return nil, fmt.Errorf("no key share generator for group 0x%04x", group)
}
