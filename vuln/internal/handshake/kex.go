package handshake

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"

	"padlock/registry"
	"padlock/tlswire"
)

// KeyExchange computes the client's key exchange for the negotiated suite:
// the ClientKeyExchange body and the premaster secret.
func (c *Conn) KeyExchange() (body, preMaster []byte, err error) {
	if c.Suite == nil {
		return nil, nil, errors.New("handshake: no supported suite negotiated")
	}
	switch c.Suite.Kx {
	case registry.KxRSA:
		pub, err := c.RSAPublicKey()
		if err != nil {
			return nil, nil, err
		}
		preMaster = make([]byte, 48)
		if _, err := rand.Read(preMaster[2:]); err != nil {
			return nil, nil, err
		}
		preMaster[0], preMaster[1] = byte(c.Hello.Version>>8), byte(c.Hello.Version)
		//lint:ignore SA1019 RSA key exchange is what the checks of old servers speak
		enc, err := rsa.EncryptPKCS1v15(rand.Reader, pub, preMaster)
		if err != nil {
			return nil, nil, err
		}
		return RSAClientKeyExchange(enc), preMaster, nil
	case registry.KxDHE:
		ske, err := tlswire.ParseServerKeyExchange(c.ServerKeyExchange, tlswire.SKEDHE, c.Version)
		if err != nil {
			return nil, nil, err
		}
		return dhe(ske.DH)
	case registry.KxECDHE:
		ske, err := tlswire.ParseServerKeyExchange(c.ServerKeyExchange, tlswire.SKEECDHE, c.Version)
		if err != nil {
			return nil, nil, err
		}
		return ecdhe(ske.ECDH)
	}
	return nil, nil, fmt.Errorf("handshake: no key exchange for %s", c.Suite.Name)
}

// RSAClientKeyExchange is the TLS ClientKeyExchange body for an encrypted
// premaster secret (uint16-length-prefixed, RFC 5246 §7.4.7.1).
func RSAClientKeyExchange(encrypted []byte) []byte {
	return append([]byte{byte(len(encrypted) >> 8), byte(len(encrypted))}, encrypted...)
}

// RSAPublicKey is the RSA key of the server's leaf certificate.
func (c *Conn) RSAPublicKey() (*rsa.PublicKey, error) {
	if len(c.Certificates) == 0 {
		return nil, errors.New("handshake: the server sent no certificate")
	}
	cert, err := x509.ParseCertificate(c.Certificates[0])
	if err != nil {
		return nil, fmt.Errorf("handshake: parsing the server certificate: %w", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("handshake: the server key is %T, not RSA", cert.PublicKey)
	}
	return pub, nil
}

// RawRSAEncrypt computes m^e mod n for a message of exactly the modulus
// length: textbook RSA, for sending deliberately malformed PKCS #1
// messages.
func RawRSAEncrypt(pub *rsa.PublicKey, m []byte) ([]byte, error) {
	k := (pub.N.BitLen() + 7) / 8
	if len(m) != k {
		return nil, fmt.Errorf("handshake: message is %d bytes, modulus %d", len(m), k)
	}
	x := new(big.Int).SetBytes(m)
	if x.Cmp(pub.N) >= 0 {
		return nil, errors.New("handshake: message is not below the modulus")
	}
	y := new(big.Int).Exp(x, big.NewInt(int64(pub.E)), pub.N)
	return y.FillBytes(make([]byte, k)), nil
}

func dhe(p *tlswire.DHParams) (body, preMaster []byte, err error) {
	prime := new(big.Int).SetBytes(p.P)
	g := new(big.Int).SetBytes(p.G)
	ys := new(big.Int).SetBytes(p.Y)
	one := big.NewInt(1)
	if prime.BitLen() < 256 || g.Cmp(one) <= 0 || ys.Cmp(one) <= 0 || ys.Cmp(prime) >= 0 {
		return nil, nil, errors.New("handshake: unusable DH parameters")
	}
	x, err := rand.Int(rand.Reader, new(big.Int).Sub(prime, big.NewInt(2)))
	if err != nil {
		return nil, nil, err
	}
	x.Add(x, one)
	yc := new(big.Int).Exp(g, x, prime)
	z := new(big.Int).Exp(ys, x, prime)
	ycb := yc.Bytes()
	body = append([]byte{byte(len(ycb) >> 8), byte(len(ycb))}, ycb...)
	return body, z.Bytes(), nil // leading zeros stripped (RFC 5246 §8.1.2)
}

func ecdhe(p *tlswire.ECDHParams) (body, preMaster []byte, err error) {
	var curve ecdh.Curve
	switch p.Group {
	case 0x001d:
		curve = ecdh.X25519()
	case 0x0017:
		curve = ecdh.P256()
	case 0x0018:
		curve = ecdh.P384()
	case 0x0019:
		curve = ecdh.P521()
	default:
		return nil, nil, fmt.Errorf("handshake: no ECDHE for group 0x%04x", p.Group)
	}
	peer, err := curve.NewPublicKey(p.Point)
	if err != nil {
		return nil, nil, fmt.Errorf("handshake: server ECDHE point: %w", err)
	}
	priv, err := curve.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	shared, err := priv.ECDH(peer)
	if err != nil {
		return nil, nil, err
	}
	pub := priv.PublicKey().Bytes()
	return append([]byte{byte(len(pub))}, pub...), shared, nil
}
