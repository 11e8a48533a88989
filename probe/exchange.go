package probe

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"syscall"

	"padlock/registry"
	"padlock/tlswire"
)

// flight is what the server answered to one hello, up to ServerHelloDone (TLS
// 1.2 and older), or just the ServerHello or HelloRetryRequest (TLS 1.3,
// whose later messages are encrypted).
type flight struct {
	hello       *tlswire.ServerHello
	version     registry.Protocol // negotiated version
	certificate *tlswire.Certificate
	keyExchange []byte // ServerKeyExchange body, parsed later with the suite's kind
	status      *tlswire.CertificateStatus
	done        bool   // ServerHelloDone received
	last        string // the last handshake message read, for errors
}

// alertError is a fatal alert the server sent instead of (or in the middle
// of) its answer: a definite refusal.
type alertError struct{ alert tlswire.Alert }

func (e *alertError) Error() string { return "server sent alert " + e.alert.String() }

// lostError is the server's answer broken off after its ServerHello: the
// connection closed, reset or timed out, the read bound was hit, or a later
// message was malformed. The server accepted the hello: this is never a
// refusal. What the ServerHello said stays valid; what should have followed
// is unknown.
type lostError struct {
	after string // the last handshake message read
	err   error
}

func (e *lostError) Error() string {
	return fmt.Sprintf("the server's answer broke off after its %s: %v", e.after, e.err)
}
func (e *lostError) Unwrap() error { return e.err }

// lost reports whether err is an answer broken off after the ServerHello.
func lost(err error) bool { return errors.As(err, new(*lostError)) }

// refused reports whether err is the server declining the hello (an alert,
// or closing the connection) rather than a failure to learn anything. A
// connection lost after the ServerHello is not a refusal.
func refused(err error) bool {
	if lost(err) {
		return false
	}
	var ae *alertError
	return errors.As(err, &ae) || errors.Is(err, errClosed)
}

// reset reports whether err is a reset (or a connect attempt reset), with
// no reply from the server: a refusal only from a server known to speak
// TLS.
func reset(err error) bool {
	return !lost(err) && (errors.Is(err, errReset) || errors.Is(err, syscall.ECONNRESET))
}

// answered reports whether the server accepted the hello with a
// ServerHello: the exchange completed, or was lost after the ServerHello.
func answered(f *flight, err error) bool {
	return f != nil && f.hello != nil && (err == nil || lost(err))
}

// exchange sends one hello and reads the server's first flight.
func (p *prober) exchange(ctx context.Context, h hello) (*flight, error) {
	h.minimal = h.minimal || p.minimal.Load()
	msg, err := h.marshal(p.keys)
	if err != nil {
		return nil, fmt.Errorf("building hello: %w", err)
	}
	c, err := p.dialer.dial(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.write(msg); err != nil {
		return nil, err
	}
	f, err := readFlight(c)
	if !answered(f, err) {
		return f, err
	}
	if !slices.Contains(h.suites, f.hello.CipherSuite) {
		return f, fmt.Errorf("server chose cipher suite 0x%04x, which was not offered", f.hello.CipherSuite)
	}
	p.recordEphemeral(f)
	if err != nil {
		p.noteLost(err)
	} else {
		p.mu.Lock()
		p.res.Complete++
		p.mu.Unlock()
	}
	return f, err
}

// readFlight reads the server's first flight. Once a ServerHello is in,
// any failure but an alert (a closed or reset connection, a timeout, the
// read bound, a broken message) is a lostError: the server accepted.
func readFlight(c *conn) (*flight, error) {
	f := &flight{}
	err := f.read(c)
	if err != nil && f.hello != nil && !errors.As(err, new(*alertError)) {
		err = &lostError{after: f.last, err: err}
	}
	return f, err
}

func (f *flight) read(c *conn) error {
	var hs tlswire.HandshakeReader
	for {
		rec, err := c.readRecord()
		if err != nil {
			return err
		}
		switch rec.Type {
		case tlswire.TypeAlert:
			a, err := tlswire.ParseAlert(rec.Payload)
			if err != nil {
				return fmt.Errorf("reading alert: %w", err)
			}
			if a.Level == 1 && a.Description != 0 && f.hello == nil {
				continue // a warning (e.g. unrecognized_name) before the hello
			}
			return &alertError{alert: a}
		case tlswire.TypeChangeCipherSpec:
			continue
		case tlswire.TypeHandshake:
			hs.Write(rec.Payload)
		default:
			return fmt.Errorf("unexpected %v record during the handshake", rec.Type)
		}
		for {
			m, err := hs.Next()
			if errors.Is(err, tlswire.ErrIncomplete) {
				break
			}
			if err != nil {
				return fmt.Errorf("reading handshake: %w", err)
			}
			finished, err := f.add(m)
			if err != nil || finished {
				return err
			}
		}
	}
}

// add takes one handshake message; finished is true once the flight is
// complete as far as padlock needs it.
func (f *flight) add(m tlswire.Handshake) (finished bool, err error) {
	defer func() {
		if err == nil {
			f.last = m.Type.String()
		}
	}()
	if f.hello == nil {
		if m.Type != tlswire.HandshakeServerHello {
			return false, fmt.Errorf("expected ServerHello, got %v", m.Type)
		}
		sh, err := tlswire.ParseServerHello(m.Body)
		if err != nil {
			return false, err
		}
		f.hello = sh
		f.version = registry.Protocol(sh.SelectedVersion())
		return sh.IsHelloRetryRequest() || f.version >= registry.TLS13, nil
	}
	switch m.Type {
	case tlswire.HandshakeCertificate:
		c, err := tlswire.ParseCertificate(m.Body)
		if err != nil {
			return false, err
		}
		f.certificate = c
	case tlswire.HandshakeServerKeyExchange:
		f.keyExchange = m.Body
	case tlswire.HandshakeCertificateStatus:
		s, err := tlswire.ParseCertificateStatus(m.Body)
		if err != nil {
			return false, err
		}
		f.status = s
	case tlswire.HandshakeCertificateRequest:
	case tlswire.HandshakeServerHelloDone:
		f.done = true
		return true, nil
	default:
		return false, fmt.Errorf("unexpected %v in the server's first flight", m.Type)
	}
	return false, nil
}

// suiteKeyExchange parses the flight's ServerKeyExchange for the chosen suite.
// It returns nil, nil when the suite sends none.
func (f *flight) suiteKeyExchange() (*tlswire.ServerKeyExchange, error) {
	if f.keyExchange == nil || f.hello == nil {
		return nil, nil
	}
	s, ok := registry.SuiteByID(f.hello.CipherSuite)
	if !ok {
		return nil, nil
	}
	var kind tlswire.KeyExchangeKind
	anon := s.Auth == registry.AuthNull
	switch {
	case s.Kx == registry.KxECDHE || (s.Kx == registry.KxECDH && anon):
		kind = tlswire.SKEECDHE
		if anon {
			kind = tlswire.SKEECDHAnon
		}
	case s.Kx == registry.KxDHE || (s.Kx == registry.KxDH && anon):
		kind = tlswire.SKEDHE
		if anon {
			kind = tlswire.SKEDHAnon
		}
	case s.Kx == registry.KxRSA && s.Export:
		kind = tlswire.SKERSAExport
	default:
		return nil, nil
	}
	ske, err := tlswire.ParseServerKeyExchange(f.keyExchange, kind, uint16(f.version))
	if err != nil {
		return nil, fmt.Errorf("parsing ServerKeyExchange for %s: %w", s.Name, err)
	}
	return ske, nil
}
