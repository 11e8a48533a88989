// Package handshake is a minimal TLS 1.0-1.2 endpoint for padlock's
// vulnerability checks: it completes full handshakes with RSA, DHE or ECDHE
// key exchange and CBC (AES, Camellia, ARIA, 3DES), RC4, GCM or
// ChaCha20-Poly1305 suites, and then gives the caller the
// record layer to send well-formed or deliberately malformed records (bad
// padding, bad MAC, early ChangeCipherSpec, renegotiation hellos...).
//
// It is a test instrument, not a secure TLS stack: it does not verify
// certificates or ServerKeyExchange signatures, its checks are not constant
// time, and it offers neither encrypt_then_mac nor extended_master_secret
// (the padding-oracle probes need MAC-then-encrypt and the classic master
// secret). The server side exists for the test emulators: RSA key exchange
// only.
package handshake

import (
	"errors"
	"fmt"
	"io"
	"net"

	"padlock/tlswire"
)

// MaxRead bounds what one connection reads from its peer.
const MaxRead = 1 << 20

// AlertError is a fatal (or unexpected warning) alert from the peer.
type AlertError struct{ Alert tlswire.Alert }

func (e *AlertError) Error() string { return "peer sent " + e.Alert.String() }

// ErrTooMuch is returned once a connection has read MaxRead bytes.
var ErrTooMuch = fmt.Errorf("handshake: peer sent more than %d bytes", MaxRead)

// Conn is one side of a TLS 1.0-1.2 connection.
type Conn struct {
	raw      net.Conn
	buf      []byte
	read     int
	isClient bool

	Version      uint16
	Suite        *Suite
	ClientRandom [32]byte
	ServerRandom [32]byte

	Hello        *tlswire.ClientHello
	ServerHello  *tlswire.ServerHello
	Certificates [][]byte
	// ServerKeyExchange is the raw ServerKeyExchange body, if one was sent.
	ServerKeyExchange []byte
	// CertificateRequested is set when the server asked for a client
	// certificate (the client answers with an empty one).
	CertificateRequested bool
	// Ticket is the session ticket from a NewSessionTicket, if any.
	Ticket []byte

	Master       []byte
	ClientVerify []byte // verify_data of the client's Finished
	ServerVerify []byte // verify_data of the server's Finished

	transcript []byte
	hs         tlswire.HandshakeReader
	in, out    *State
	pendingIn  *State
	pendingOut *State
}

// Raw is the underlying connection.
func (c *Conn) Raw() net.Conn { return c.raw }

// In and Out are the active record protection states (nil before
// ChangeCipherSpec).
func (c *Conn) In() *State  { return c.in }
func (c *Conn) Out() *State { return c.out }

// Transcript is every handshake message so far, headers included.
func (c *Conn) Transcript() []byte { return c.transcript }

// recordVersion is the version written in record headers.
func (c *Conn) recordVersion() uint16 {
	if c.Version != 0 {
		return c.Version
	}
	return VersionTLS10
}

// WriteRaw sends bytes as they are.
func (c *Conn) WriteRaw(b []byte) error {
	_, err := c.raw.Write(b)
	return err
}

// WriteRecord sends one record, protected if ChangeCipherSpec was sent.
func (c *Conn) WriteRecord(typ tlswire.ContentType, payload []byte) error {
	if c.out != nil {
		return c.WriteRaw(c.out.Seal(typ, payload))
	}
	var out []byte
	for _, r := range tlswire.Fragment(typ, c.recordVersion(), payload, 0) {
		out = append(out, r.Marshal()...)
	}
	return c.WriteRaw(out)
}

// writeHandshake sends a handshake message and adds it to the transcript.
func (c *Conn) writeHandshake(msg []byte) error {
	c.transcript = append(c.transcript, msg...)
	return c.WriteRecord(tlswire.TypeHandshake, msg)
}

// ReadRawRecord reads the next record as it is on the wire.
func (c *Conn) ReadRawRecord() (tlswire.Record, error) {
	for {
		rec, n, err := tlswire.ParseRecord(c.buf)
		if err == nil {
			c.buf = c.buf[n:]
			return rec, nil
		}
		if !errors.Is(err, tlswire.ErrIncomplete) {
			return rec, err
		}
		if c.read >= MaxRead {
			return rec, ErrTooMuch
		}
		var tmp [16 << 10]byte
		m, err := c.raw.Read(tmp[:min(len(tmp), MaxRead-c.read)])
		c.read += m
		c.buf = append(c.buf, tmp[:m]...)
		if m == 0 && err != nil {
			if len(c.buf) > 0 && err == io.EOF {
				return tlswire.Record{}, io.ErrUnexpectedEOF
			}
			return tlswire.Record{}, err
		}
	}
}

// Buffered returns bytes read from the peer but not yet parsed.
func (c *Conn) Buffered() []byte { return c.buf }

// ReadRecord reads the next record and removes its protection.
func (c *Conn) ReadRecord() (tlswire.Record, error) {
	rec, err := c.ReadRawRecord()
	if err != nil {
		return rec, err
	}
	if c.in != nil && rec.Type != tlswire.TypeChangeCipherSpec {
		p, err := c.in.Open(rec)
		if err != nil {
			return rec, err
		}
		rec.Payload = p
	}
	return rec, nil
}

// errCCS is returned by readHandshake when a ChangeCipherSpec arrives.
var errCCS = errors.New("handshake: change_cipher_spec")

// readHandshake returns the next handshake message. Warning alerts are
// skipped except no_renegotiation, which is returned as an AlertError.
func (c *Conn) readHandshake() (tlswire.Handshake, error) {
	for {
		m, err := c.hs.Next()
		if err == nil {
			return m, nil
		}
		if !errors.Is(err, tlswire.ErrIncomplete) {
			return m, err
		}
		rec, err := c.ReadRecord()
		if err != nil {
			return tlswire.Handshake{}, err
		}
		switch rec.Type {
		case tlswire.TypeHandshake:
			c.hs.Write(rec.Payload)
		case tlswire.TypeAlert:
			a, err := tlswire.ParseAlert(rec.Payload)
			if err != nil {
				return tlswire.Handshake{}, err
			}
			if a.Level == tlswire.AlertLevelWarning && a.Description != tlswire.AlertNoRenegotiation && a.Description != tlswire.AlertCloseNotify {
				continue
			}
			return tlswire.Handshake{}, &AlertError{Alert: a}
		case tlswire.TypeChangeCipherSpec:
			if c.hs.Buffered() != 0 {
				return tlswire.Handshake{}, errors.New("handshake: change_cipher_spec inside a handshake message")
			}
			if len(rec.Payload) != 1 || rec.Payload[0] != 1 {
				return tlswire.Handshake{}, errors.New("handshake: malformed change_cipher_spec")
			}
			return tlswire.Handshake{}, errCCS
		default:
			return tlswire.Handshake{}, fmt.Errorf("handshake: unexpected %v record during the handshake", rec.Type)
		}
	}
}

// expect reads the next handshake message and checks its type.
func (c *Conn) expect(t tlswire.HandshakeType) (tlswire.Handshake, error) {
	m, err := c.readHandshake()
	if err != nil {
		return m, err
	}
	if m.Type != t {
		return m, fmt.Errorf("handshake: expected %v, got %v", t, m.Type)
	}
	return m, nil
}

// SendChangeCipherSpec sends ChangeCipherSpec and switches the write side
// to the pending state (if keys were derived).
func (c *Conn) SendChangeCipherSpec() error {
	if err := c.WriteRecord(tlswire.TypeChangeCipherSpec, []byte{1}); err != nil {
		return err
	}
	if c.pendingOut != nil {
		c.out, c.pendingOut = c.pendingOut, nil
	}
	return nil
}

// deriveKeys computes the master secret and both pending states.
func (c *Conn) deriveKeys(preMaster []byte) error {
	c.Master = MasterSecret(c.Version, c.Suite, preMaster, c.ClientRandom, c.ServerRandom)
	return c.SetKeys(c.Master)
}

// SetKeys installs pending read and write states expanded from master (of
// any length): the next ChangeCipherSpec sent or received switches to them.
func (c *Conn) SetKeys(master []byte) error {
	k := Keys(c.Version, c.Suite, master, c.ClientRandom, c.ServerRandom)
	cs, err := c.Suite.newState(c.Version, k.ClientMAC, k.ClientKey, k.ClientIV)
	if err != nil {
		return err
	}
	ss, err := c.Suite.newState(c.Version, k.ServerMAC, k.ServerKey, k.ServerIV)
	if err != nil {
		return err
	}
	if c.isClient {
		c.pendingOut, c.pendingIn = cs, ss
	} else {
		c.pendingOut, c.pendingIn = ss, cs
	}
	return nil
}

// ReceiveChangeCipherSpec switches the read side to the pending state,
// as receiving ChangeCipherSpec does (emulators use it to take an early
// one).
func (c *Conn) ReceiveChangeCipherSpec() error {
	if c.pendingIn == nil {
		return errors.New("handshake: no pending read keys")
	}
	c.in, c.pendingIn = c.pendingIn, nil
	return nil
}

// PendingOut is the write state the next ChangeCipherSpec will switch to.
func (c *Conn) PendingOut() *State { return c.pendingOut }

// finishedMsg builds a Finished message for the transcript so far.
func (c *Conn) finishedMsg(label string) []byte {
	vd := verifyData(c.Version, c.Suite, c.Master, label, c.transcript)
	return tlswire.Handshake{Type: tlswire.HandshakeFinished, Body: vd}.Marshal()
}

// Close closes the underlying connection.
func (c *Conn) Close() error { return c.raw.Close() }
