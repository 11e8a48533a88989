package handshake

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"slices"

	"padlock/tlswire"
)

// Config is what the client offers.
type Config struct {
	// Version is the highest version offered: VersionTLS10 to VersionTLS12.
	Version uint16
	// Suites are offered in order; each must be Supported for the
	// handshake to complete (ROBOT-style probes that stop after the server
	// flight may offer any).
	Suites []uint16
	// SCSVs are appended to the suites as they are (0x00ff, 0x5600).
	SCSVs []uint16
	// ServerName is sent as SNI when not empty.
	ServerName string
	// NoRenegotiationInfo leaves out the renegotiation_info extension
	// (RFC 5746), which is otherwise sent empty.
	NoRenegotiationInfo bool
	// SessionID is sent as the session id.
	SessionID []byte
	// Ticket, when OfferTicket is set, is sent in session_ticket (empty
	// asks for a new ticket).
	OfferTicket bool
	Ticket      []byte
	// Heartbeat offers the heartbeat extension (peer allowed to send).
	Heartbeat bool
	// Extra extensions, appended last.
	Extra []tlswire.Extension
}

// signatureSchemes offered at TLS 1.2: every common one, since the
// signature is not checked anyway.
var signatureSchemes = []uint16{
	0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806,
	0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0201, 0x0203, 0x0202,
}

// curves the client can compute ECDHE with, in preference order.
var curves = []uint16{0x001d, 0x0017, 0x0018, 0x0019}

// Client returns a client over conn; nothing is sent until SendHello.
func Client(conn net.Conn, cfg Config) *Conn {
	c := &Conn{raw: conn, isClient: true}
	c.Hello = buildHello(cfg)
	c.ClientRandom = c.Hello.Random
	return c
}

func buildHello(cfg Config) *tlswire.ClientHello {
	v := cfg.Version
	if v == 0 {
		v = VersionTLS12
	}
	m := &tlswire.ClientHello{
		Version:            v,
		SessionID:          cfg.SessionID,
		CipherSuites:       append(slices.Clone(cfg.Suites), cfg.SCSVs...),
		CompressionMethods: []uint8{0},
		Extensions:         []tlswire.Extension{},
	}
	_, _ = rand.Read(m.Random[:])
	ext := func(e tlswire.Extension) { m.Extensions = append(m.Extensions, e) }
	if cfg.ServerName != "" {
		ext(tlswire.ServerName(cfg.ServerName))
	}
	ext(tlswire.SupportedGroups(curves))
	ext(tlswire.ECPointFormats(0))
	if v >= VersionTLS12 {
		ext(tlswire.SignatureAlgorithms(signatureSchemes))
	}
	if !cfg.NoRenegotiationInfo {
		ext(tlswire.RenegotiationInfo(nil))
	}
	if cfg.OfferTicket {
		ext(tlswire.Extension{Type: tlswire.ExtSessionTicket, Data: slices.Clone(cfg.Ticket)})
	}
	if cfg.Heartbeat {
		ext(tlswire.Heartbeat(1))
	}
	m.Extensions = append(m.Extensions, cfg.Extra...)
	return m
}

// SendHello sends the ClientHello.
func (c *Conn) SendHello() error {
	msg, err := c.Hello.Marshal()
	if err != nil {
		return err
	}
	return c.writeHandshake(msg)
}

// ReadServerHello reads the ServerHello.
func (c *Conn) ReadServerHello() error {
	m, err := c.expect(tlswire.HandshakeServerHello)
	if err != nil {
		return err
	}
	sh, err := tlswire.ParseServerHello(m.Body)
	if err != nil {
		return err
	}
	c.transcript = append(c.transcript, m.Marshal()...)
	c.ServerHello = sh
	c.ServerRandom = sh.Random
	if sh.Version < VersionTLS10 || sh.Version > VersionTLS12 {
		return fmt.Errorf("handshake: server chose version 0x%04x", sh.Version)
	}
	c.Version = sh.Version
	if !slices.Contains(c.Hello.CipherSuites, sh.CipherSuite) {
		return fmt.Errorf("handshake: server chose suite 0x%04x, which was not offered", sh.CipherSuite)
	}
	if s, ok := SuiteByID(sh.CipherSuite); ok {
		c.Suite = s
	}
	return nil
}

// ReadFlight reads the rest of the server's first flight, up to
// ServerHelloDone.
func (c *Conn) ReadFlight() error {
	for {
		m, err := c.readHandshake()
		if err != nil {
			return err
		}
		c.transcript = append(c.transcript, m.Marshal()...)
		switch m.Type {
		case tlswire.HandshakeCertificate:
			cert, err := tlswire.ParseCertificate(m.Body)
			if err != nil {
				return err
			}
			c.Certificates = cert.Certificates
		case tlswire.HandshakeServerKeyExchange:
			c.ServerKeyExchange = m.Body
		case tlswire.HandshakeCertificateRequest:
			c.CertificateRequested = true
		case tlswire.HandshakeCertificateStatus:
		case tlswire.HandshakeServerHelloDone:
			return nil
		default:
			return fmt.Errorf("handshake: unexpected %v in the server's flight", m.Type)
		}
	}
}

// SendClientKeyExchange sends the (empty) client Certificate if one was
// requested, then a ClientKeyExchange with the given body.
func (c *Conn) SendClientKeyExchange(body []byte) error {
	if c.CertificateRequested {
		empty, _ := (&tlswire.Certificate{}).Marshal()
		if err := c.writeHandshake(empty); err != nil {
			return err
		}
	}
	return c.writeHandshake(tlswire.Handshake{Type: tlswire.HandshakeClientKeyExchange, Body: body}.Marshal())
}

// SendFinished derives the keys from preMaster, then sends
// ChangeCipherSpec and Finished.
func (c *Conn) SendFinished(preMaster []byte) error {
	if c.Suite == nil {
		return fmt.Errorf("handshake: no record protection for suite 0x%04x", c.ServerHello.CipherSuite)
	}
	if err := c.deriveKeys(preMaster); err != nil {
		return err
	}
	if err := c.SendChangeCipherSpec(); err != nil {
		return err
	}
	fin := c.finishedMsg(clientFinishedLabel)
	c.ClientVerify = fin[4:]
	return c.writeHandshake(fin)
}

// ReadFinished reads the server's NewSessionTicket (if any),
// ChangeCipherSpec and Finished, and checks the Finished.
func (c *Conn) ReadFinished() error {
	for {
		m, ccs, err := c.readTicket()
		if err != nil {
			return err
		}
		if ccs {
			if c.pendingIn == nil {
				return errors.New("handshake: change_cipher_spec before the keys are known")
			}
			c.in, c.pendingIn = c.pendingIn, nil
			break
		}
		c.transcript = append(c.transcript, m.Marshal()...)
	}
	want := c.finishedMsg(serverFinishedLabel)
	m, err := c.expect(tlswire.HandshakeFinished)
	if err != nil {
		return err
	}
	if string(m.Marshal()) != string(want) {
		return errors.New("handshake: the server's Finished does not verify")
	}
	c.ServerVerify = m.Body
	c.transcript = append(c.transcript, want...)
	return nil
}

// ReadResumedTicket reads, after a ServerHello that resumes a session,
// the NewSessionTicket the server may send before its ChangeCipherSpec
// (RFC 5077 §3.1, figure 2) into Ticket; a ChangeCipherSpec first leaves
// Ticket empty. The abbreviated handshake is not completed.
func (c *Conn) ReadResumedTicket() error {
	_, _, err := c.readTicket()
	return err
}

// readTicket reads the server's NewSessionTicket into Ticket and returns
// its message, or reports (ccs) that a ChangeCipherSpec came instead.
func (c *Conn) readTicket() (m tlswire.Handshake, ccs bool, err error) {
	m, err = c.readHandshake()
	if errors.Is(err, errCCS) {
		return m, true, nil
	}
	if err != nil {
		return m, false, err
	}
	if m.Type != tlswire.HandshakeNewSessionTicket {
		return m, false, fmt.Errorf("handshake: expected new_session_ticket or change_cipher_spec, got %v", m.Type)
	}
	t, err := ParseNewSessionTicket(m.Body)
	if err != nil {
		return m, false, err
	}
	c.Ticket = t
	return m, false, nil
}

// ParseNewSessionTicket parses a TLS 1.2 NewSessionTicket body (RFC 5077
// §3.3) and returns the ticket.
func ParseNewSessionTicket(body []byte) ([]byte, error) {
	if len(body) < 6 {
		return nil, errors.New("handshake: truncated new_session_ticket")
	}
	n := int(body[4])<<8 | int(body[5])
	if len(body) != 6+n {
		return nil, fmt.Errorf("handshake: new_session_ticket announces %d ticket bytes, has %d", n, len(body)-6)
	}
	return slices.Clone(body[6:]), nil
}

// Handshake runs a full client handshake.
func (c *Conn) Handshake() error {
	if err := c.SendHello(); err != nil {
		return err
	}
	if err := c.ReadServerHello(); err != nil {
		return err
	}
	return c.FinishFull()
}

// FinishFull completes a full handshake after ReadServerHello: the rest of
// the server's flight, the client's key exchange and Finished, the
// server's NewSessionTicket (if any) and Finished.
func (c *Conn) FinishFull() error {
	if c.Suite == nil {
		return fmt.Errorf("handshake: cannot complete a handshake with suite 0x%04x", c.ServerHello.CipherSuite)
	}
	if err := c.ReadFlight(); err != nil {
		return err
	}
	body, pms, err := c.KeyExchange()
	if err != nil {
		return err
	}
	if err := c.SendClientKeyExchange(body); err != nil {
		return err
	}
	if err := c.SendFinished(pms); err != nil {
		return err
	}
	return c.ReadFinished()
}

// Renegotiate sends a new ClientHello over the established connection
// (with renegotiation_info carrying the client's verify_data unless
// legacy is set) and reads the server's answer: its ServerHello if it
// renegotiates, an AlertError (typically no_renegotiation) or another
// error if it does not.
func (c *Conn) Renegotiate(cfg Config, legacy bool) (*tlswire.ServerHello, error) {
	cfg.NoRenegotiationInfo = true
	if !legacy {
		cfg.Extra = append([]tlswire.Extension{tlswire.RenegotiationInfo(c.ClientVerify)}, cfg.Extra...)
	}
	h := buildHello(cfg)
	msg, err := h.Marshal()
	if err != nil {
		return nil, err
	}
	if err := c.WriteRecord(tlswire.TypeHandshake, msg); err != nil {
		return nil, err
	}
	for {
		m, err := c.readHandshake()
		if err != nil {
			return nil, err
		}
		switch m.Type {
		case tlswire.HandshakeHelloRequest:
			continue
		case tlswire.HandshakeServerHello:
			return tlswire.ParseServerHello(m.Body)
		default:
			return nil, fmt.Errorf("handshake: answer to the renegotiation hello was %v", m.Type)
		}
	}
}
