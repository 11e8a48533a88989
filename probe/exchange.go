package probe

import (
	"context"
	"errors"
	"fmt"
	"slices"

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
	done        bool // ServerHelloDone received
}

// alertError is a fatal alert the server sent instead of (or in the middle
// of) its answer: a definite refusal.
type alertError struct{ alert tlswire.Alert }

func (e *alertError) Error() string { return "server sent alert " + e.alert.String() }

// refused reports whether err is the server declining the hello (an alert,
// or closing the connection) rather than a failure to learn anything.
func refused(err error) bool {
	var ae *alertError
	return errors.As(err, &ae) || errors.Is(err, errClosed)
}

// exchange sends one hello and reads the server's first flight.
func (p *prober) exchange(ctx context.Context, h hello) (*flight, error) {
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
	if err != nil {
		return f, err
	}
	if !slices.Contains(h.suites, f.hello.CipherSuite) {
		return f, fmt.Errorf("server chose cipher suite 0x%04x, which was not offered", f.hello.CipherSuite)
	}
	return f, nil
}

func readFlight(c *conn) (*flight, error) {
	f := &flight{}
	var hs tlswire.HandshakeReader
	for {
		rec, err := c.readRecord()
		if err != nil {
			if f.hello == nil {
				return f, err
			}
			return f, fmt.Errorf("reading the server's handshake after its hello: %w", err)
		}
		switch rec.Type {
		case tlswire.TypeAlert:
			a, err := tlswire.ParseAlert(rec.Payload)
			if err != nil {
				return f, fmt.Errorf("reading alert: %w", err)
			}
			if a.Level == 1 && a.Description != 0 && f.hello == nil {
				continue // a warning (e.g. unrecognized_name) before the hello
			}
			return f, &alertError{alert: a}
		case tlswire.TypeChangeCipherSpec:
			continue
		case tlswire.TypeHandshake:
			hs.Write(rec.Payload)
		default:
			return f, fmt.Errorf("unexpected %v record during the handshake", rec.Type)
		}
		for {
			m, err := hs.Next()
			if errors.Is(err, tlswire.ErrIncomplete) {
				break
			}
			if err != nil {
				return f, fmt.Errorf("reading handshake: %w", err)
			}
			finished, err := f.add(m)
			if err != nil || finished {
				return f, err
			}
		}
	}
}

// add takes one handshake message; finished is true once the flight is
// complete as far as padlock needs it.
func (f *flight) add(m tlswire.Handshake) (finished bool, err error) {
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
