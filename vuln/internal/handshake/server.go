package handshake

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"slices"

	"padlock/registry"
	"padlock/tlswire"
)

// ServerConfig configures the minimal server used by test emulators: RSA
// key exchange, a single certificate, no client authentication.
type ServerConfig struct {
	Certificates [][]byte // DER, leaf first
	Key          *rsa.PrivateKey
	// MinVersion and MaxVersion bound the version; defaults TLS 1.0 and
	// TLS 1.2.
	MinVersion, MaxVersion uint16
	// Suites in the server's order; each must use RSA key exchange.
	Suites []uint16
	// Ticket is sent in a NewSessionTicket when the client offered the
	// session_ticket extension and Ticket is not nil.
	Ticket []byte
	// SecureRenegotiation echoes renegotiation_info when the client
	// signals RFC 5746.
	SecureRenegotiation bool
	// EditServerHello, when set, may change the ServerHello before it is
	// sent.
	EditServerHello func(ch *tlswire.ClientHello, sh *tlswire.ServerHello)
}

// Server returns a server over conn.
func Server(conn net.Conn) *Conn {
	return &Conn{raw: conn}
}

// ReadClientHello reads and parses the ClientHello.
func (c *Conn) ReadClientHello() error {
	m, err := c.expect(tlswire.HandshakeClientHello)
	if err != nil {
		return err
	}
	ch, err := tlswire.ParseClientHello(m.Body)
	if err != nil {
		return err
	}
	c.transcript = append(c.transcript, m.Marshal()...)
	c.Hello = ch
	c.ClientRandom = ch.Random
	return nil
}

// ErrNoCommon is returned when the client offers nothing the server takes.
var ErrNoCommon = errors.New("handshake: no common version or cipher suite")

// SendFlight chooses the version and suite and sends ServerHello,
// Certificate and ServerHelloDone.
func (c *Conn) SendFlight(cfg *ServerConfig) error {
	lo, hi := cfg.MinVersion, cfg.MaxVersion
	if lo == 0 {
		lo = VersionTLS10
	}
	if hi == 0 {
		hi = VersionTLS12
	}
	v := min(c.Hello.Version, hi)
	if v < lo {
		return ErrNoCommon
	}
	c.Version = v
	for _, id := range cfg.Suites {
		if !slices.Contains(c.Hello.CipherSuites, id) {
			continue
		}
		s, ok := SuiteByID(id)
		if !ok || s.Kx != registry.KxRSA || (s.Min > registry.Protocol(v)) {
			continue
		}
		c.Suite = s
		break
	}
	if c.Suite == nil {
		return ErrNoCommon
	}
	sh := &tlswire.ServerHello{
		Version:     v,
		SessionID:   make([]byte, 32),
		CipherSuite: c.Suite.ID,
		Extensions:  []tlswire.Extension{},
	}
	_, _ = rand.Read(sh.Random[:])
	_, _ = rand.Read(sh.SessionID)
	_, ri := c.Hello.Extension(tlswire.ExtRenegotiationInfo)
	if cfg.SecureRenegotiation && (ri || slices.Contains(c.Hello.CipherSuites, registry.EmptyRenegotiationInfoSCSV)) {
		sh.Extensions = append(sh.Extensions, tlswire.RenegotiationInfo(nil))
	}
	if _, ok := c.Hello.Extension(tlswire.ExtSessionTicket); ok && cfg.Ticket != nil {
		sh.Extensions = append(sh.Extensions, tlswire.Empty(tlswire.ExtSessionTicket))
	}
	if cfg.EditServerHello != nil {
		cfg.EditServerHello(c.Hello, sh)
	}
	c.ServerHello = sh
	c.ServerRandom = sh.Random
	shm, err := sh.Marshal()
	if err != nil {
		return err
	}
	cert, err := (&tlswire.Certificate{Certificates: cfg.Certificates}).Marshal()
	if err != nil {
		return err
	}
	done := tlswire.Handshake{Type: tlswire.HandshakeServerHelloDone}.Marshal()
	flight := append(append(append([]byte(nil), shm...), cert...), done...)
	return c.writeHandshake(flight)
}

// ReadClientKeyExchange reads the ClientKeyExchange and returns the
// encrypted premaster secret.
func (c *Conn) ReadClientKeyExchange() ([]byte, error) {
	m, err := c.expect(tlswire.HandshakeClientKeyExchange)
	if err != nil {
		return nil, err
	}
	c.transcript = append(c.transcript, m.Marshal()...)
	if len(m.Body) < 2 || int(m.Body[0])<<8|int(m.Body[1]) != len(m.Body)-2 {
		return nil, errors.New("handshake: malformed client_key_exchange")
	}
	return m.Body[2:], nil
}

// ServerHandshake runs a full server handshake.
func (c *Conn) ServerHandshake(cfg *ServerConfig) error {
	if err := c.ReadClientHello(); err != nil {
		return err
	}
	return c.CompleteServerHandshake(cfg)
}

// CompleteServerHandshake runs the rest of a full server handshake once
// the ClientHello is read.
func (c *Conn) CompleteServerHandshake(cfg *ServerConfig) error {
	if err := c.SendFlight(cfg); err != nil {
		return err
	}
	enc, err := c.ReadClientKeyExchange()
	if err != nil {
		return err
	}
	// A wrong premaster secret silently becomes a random one (RFC 5246
	// §7.4.7.1), so the Finished check fails instead.
	pms := make([]byte, 48)
	if _, err := rand.Read(pms); err != nil {
		return err
	}
	//lint:ignore SA1019 the test server speaks RSA key exchange to be checked
	if err := rsa.DecryptPKCS1v15SessionKey(nil, cfg.Key, enc, pms); err != nil {
		return err
	}
	if err := c.deriveKeys(pms); err != nil {
		return err
	}
	if _, err := c.readHandshake(); !errors.Is(err, errCCS) {
		if err == nil {
			err = errors.New("handshake: expected change_cipher_spec")
		}
		return err
	}
	c.in, c.pendingIn = c.pendingIn, nil
	want := c.finishedMsg(clientFinishedLabel)
	m, err := c.expect(tlswire.HandshakeFinished)
	if err != nil {
		return err
	}
	if string(m.Marshal()) != string(want) {
		return fmt.Errorf("handshake: the client's Finished does not verify")
	}
	c.ClientVerify = m.Body
	c.transcript = append(c.transcript, want...)
	if _, ok := c.ServerHello.Extension(tlswire.ExtSessionTicket); ok {
		body := append([]byte{0, 0, 0x1c, 0x20, byte(len(cfg.Ticket) >> 8), byte(len(cfg.Ticket))}, cfg.Ticket...)
		if err := c.writeHandshake(tlswire.Handshake{Type: tlswire.HandshakeNewSessionTicket, Body: body}.Marshal()); err != nil {
			return err
		}
	}
	if err := c.SendChangeCipherSpec(); err != nil {
		return err
	}
	fin := c.finishedMsg(serverFinishedLabel)
	c.ServerVerify = fin[4:]
	return c.writeHandshake(fin)
}
