package probe

import (
	"context"
	"errors"
	"net"

	"padlock/registry"
	"padlock/tlswire"
)

// This file is the prober's toolkit for checks that go past the first
// flight (package vuln): bounded, counted connections to one endpoint, the
// same hellos the prober sends, and the first-flight reader.

// Dialer opens bounded, counted connections to one endpoint, at most
// Options.Concurrency at a time.
type Dialer struct {
	d    *dialer
	keys *keyShares
}

// NewDialer returns a Dialer for ep with the bounds in opts.
func NewDialer(ep Endpoint, opts Options) *Dialer {
	opts = opts.withDefaults()
	d := newDialer(ep, opts.Timeout, opts.Concurrency)
	if opts.Dial != nil {
		d.netDial = opts.Dial
	}
	return &Dialer{d: d, keys: &keyShares{}}
}

// Connections is the number of connections opened so far.
func (d *Dialer) Connections() int { return int(d.d.count.Load()) }

// Endpoint is the endpoint the Dialer connects to.
func (d *Dialer) Endpoint() Endpoint { return d.d.endpoint }

// Dial opens a connection. Its deadline is Options.Timeout from now and it
// reads at most 512 KiB; Close releases its concurrency slot.
func (d *Dialer) Dial(ctx context.Context) (*Conn, error) {
	c, err := d.d.dial(ctx)
	if err != nil {
		return nil, err
	}
	return &Conn{c: c}, nil
}

// Conn is one bounded connection.
type Conn struct{ c *conn }

// Write sends b.
func (c *Conn) Write(b []byte) error { return c.c.write(b) }

// ReadRecord reads the next TLS record.
func (c *Conn) ReadRecord() (tlswire.Record, error) { return c.c.readRecord() }

// ReadSSLv2 reads the next SSLv2 message.
func (c *Conn) ReadSSLv2() ([]byte, error) { return c.c.readSSLv2() }

// ReadFlight reads the server's first flight: up to ServerHelloDone, or just
// the ServerHello (or HelloRetryRequest) in TLS 1.3.
func (c *Conn) ReadFlight() (*Flight, error) {
	f, err := readFlight(c.c)
	return f.export(), err
}

// NetConn is the underlying connection, for running crypto/tls over it.
// Its deadline and the read bound of ReadRecord do not apply to reads
// made directly on it, except the deadline.
func (c *Conn) NetConn() net.Conn { return c.c.c }

// Close closes the connection and frees its slot.
func (c *Conn) Close() error { return c.c.Close() }

// Hello is a ClientHello as the prober sends it: every extension a modern
// client offers, with the given version, suites and groups.
type Hello struct {
	Version registry.Protocol
	Suites  []uint16
	SNI     string
	// Groups for supported_groups; nil: every group valid for Version.
	Groups []uint16
	// KeyShares for TLS 1.3; nil: X25519 and P-256; empty: none.
	KeyShares []uint16
	// LegacyVersion, when set, is sent as the version field with no
	// supported_versions extension.
	LegacyVersion uint16
	// NoCompression offers only the null compression method.
	NoCompression bool
}

// Marshal encodes the hello as handshake records ready to send.
func (d *Dialer) Marshal(h Hello) ([]byte, error) {
	in := hello{
		version: h.Version, suites: h.Suites, sni: h.SNI, groups: h.Groups,
		keyShares: h.KeyShares, legacyVersion: h.LegacyVersion, noCompression: h.NoCompression,
	}
	return in.marshal(d.keys)
}

// Flight is the server's first flight.
type Flight struct {
	ServerHello *tlswire.ServerHello
	Version     registry.Protocol // negotiated
	Certificate *tlswire.Certificate
	// ServerKeyExchange is the raw message body; KeyExchange parses it
	// for the chosen suite.
	ServerKeyExchange []byte
	Status            *tlswire.CertificateStatus
	Done              bool // ServerHelloDone received
}

// KeyExchange parses the ServerKeyExchange for the chosen suite; nil, nil
// when the suite sends none.
func (f *Flight) KeyExchange() (*tlswire.ServerKeyExchange, error) {
	return (&flight{hello: f.ServerHello, version: f.Version, keyExchange: f.ServerKeyExchange}).suiteKeyExchange()
}

func (f *flight) export() *Flight {
	if f == nil {
		return nil
	}
	return &Flight{
		ServerHello: f.hello, Version: f.version, Certificate: f.certificate,
		ServerKeyExchange: f.keyExchange, Status: f.status, Done: f.done,
	}
}

// Refused reports whether err is the server declining (a fatal alert, or
// closing the connection), as opposed to a failure to learn anything
// (timeout, unreachable, garbage).
func Refused(err error) bool { return refused(err) }

// AlertOf returns the alert the server sent, if err is one.
func AlertOf(err error) (tlswire.Alert, bool) {
	var ae *alertError
	if errors.As(err, &ae) {
		return ae.alert, true
	}
	return tlswire.Alert{}, false
}

// OfferOrder is the order the prober offers suites at version v in.
func OfferOrder(v registry.Protocol) []uint16 { return offerOrder(v) }
