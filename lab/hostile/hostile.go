// Package hostile runs hostile mock TLS servers on loopback for tests:
// peers that misbehave in ways no real TLS server can be configured to
// (closing or resetting at each step of the handshake, drip-feeding,
// tarpitting, oversized and endless records). They are mocks, named as
// such, and exist only because no real peer can do these things on demand.
//
// Every mock that answers speaks a TLS 1.2-only server: a ClientHello whose
// version is below TLS 1.2 gets a protocol_version alert (so the mock shows
// it speaks TLS), one at TLS 1.2 or above gets a TLS 1.2 ServerHello
// choosing the first offered of three suites (Suites), then whatever the
// behaviour does. A behaviour that stops before any byte sends no alert
// either: that server never says anything.
package hostile

import (
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"padlock/lab"
	"padlock/tlswire"
)

// Behaviour is what the mock does with one accepted connection.
type Behaviour func(c *Conn)

// Conn is one accepted connection with the helpers behaviours use.
type Conn struct {
	net.Conn
	leaf []byte
}

// Serve starts a hostile mock on 127.0.0.1 that runs b on every
// connection, and stops it (closing every connection) at the test's end.
func Serve(t testing.TB, b Behaviour) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	leaf := leafDER(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Go(func() {
				defer func() {
					c.Close()
					mu.Lock()
					delete(conns, c)
					mu.Unlock()
				}()
				b(&Conn{Conn: c, leaf: leaf})
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return netip.MustParseAddrPort(ln.Addr().String())
}

var (
	leafOnce sync.Once
	leafData []byte
	leafErr  error
)

func leafDER(t testing.TB) []byte {
	leafOnce.Do(func() {
		l, err := lab.SelfSigned(lab.LeafOptions{})
		if err != nil {
			leafErr = err
			return
		}
		leafData = l.TLSCertificate().Certificate[0]
	})
	if leafErr != nil {
		t.Fatal(leafErr)
	}
	return leafData
}

// Reset closes the connection with a TCP reset (SO_LINGER 0).
func (c *Conn) Reset() {
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Conn.Close()
}

// ReadHello reads the client's first record, bounded in time and size,
// and parses it as a ClientHello (nil if it is none).
func (c *Conn) ReadHello() *tlswire.ClientHello {
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer func() { _ = c.SetReadDeadline(time.Time{}) }()
	var buf []byte
	tmp := make([]byte, 4096)
	for len(buf) < 64<<10 {
		rec, _, err := tlswire.ParseRecord(buf)
		if err == nil {
			if rec.Type != tlswire.TypeHandshake || len(rec.Payload) < tlswire.HandshakeHeaderLen {
				return nil
			}
			var hs tlswire.HandshakeReader
			hs.Write(rec.Payload)
			m, err := hs.Next()
			if err != nil || m.Type != tlswire.HandshakeClientHello {
				return nil
			}
			ch, err := tlswire.ParseClientHello(m.Body)
			if err != nil {
				return nil
			}
			return ch
		}
		if !errors.Is(err, tlswire.ErrIncomplete) {
			return nil
		}
		n, err := c.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if err != nil {
			return nil
		}
	}
	return nil
}

// Suites are the cipher suites the mock accepts, in the client's order:
// ECDHE-RSA-AES128-GCM-SHA256, ECDHE-RSA-AES256-GCM-SHA384 and
// AES128-GCM-SHA256. Any other hello gets a handshake_failure alert.
var Suites = []uint16{0xc02f, 0xc030, 0x009c}

// Step is one stage of the TLS 1.2 first flight, in order.
type Step int

const (
	BeforeAnyByte Step = iota // nothing sent
	PartialHeader             // three bytes of a record header
	MidRecord                 // a record header and half the ServerHello
	AfterServerHello
	AfterCertificate
	AfterServerHelloDone
)

func (s Step) String() string {
	return [...]string{"before any byte", "after a partial record header", "mid-record",
		"after ServerHello", "after Certificate", "after ServerHelloDone"}[s]
}

// Answer reads the hello and answers as a TLS 1.2-only server up to step,
// then returns (the behaviour decides how the connection ends). It reports
// false when the hello was refused with an alert or could not be read.
func (c *Conn) Answer(step Step) bool {
	ch := c.ReadHello()
	if ch == nil || step == BeforeAnyByte {
		return false
	}
	flight, ok := c.flight(ch)
	if !ok {
		return false
	}
	var out []byte
	switch step {
	case BeforeAnyByte:
	case PartialHeader:
		out = flight[0][:3]
	case MidRecord:
		out = flight[0][:len(flight[0])/2]
	case AfterServerHello:
		out = flight[0]
	case AfterCertificate:
		out = slices.Concat(flight[0], flight[1])
	case AfterServerHelloDone:
		out = slices.Concat(flight...)
	}
	_, err := c.Write(out)
	return err == nil
}

// Flight reads the hello and returns the mock's whole first flight as
// records (ServerHello, Certificate, ServerHelloDone), having sent the
// alert itself when it refuses the hello; ok is false then.
func (c *Conn) Flight() ([][]byte, bool) {
	ch := c.ReadHello()
	if ch == nil {
		return nil, false
	}
	return c.flight(ch)
}

func (c *Conn) flight(ch *tlswire.ClientHello) ([][]byte, bool) {
	if ch.Version < 0x0303 {
		_, _ = c.Write(record(tlswire.TypeAlert, tlswire.Alert{Level: 2, Description: 70}.Marshal()))
		return nil, false
	}
	suite, ok := uint16(0), false
	for _, id := range ch.CipherSuites {
		if slices.Contains(Suites, id) {
			suite, ok = id, true
			break
		}
	}
	if !ok {
		_, _ = c.Write(record(tlswire.TypeAlert, tlswire.Alert{Level: 2, Description: 40}.Marshal()))
		return nil, false
	}
	sh := &tlswire.ServerHello{Version: 0x0303, CipherSuite: suite, Extensions: []tlswire.Extension{}}
	_, _ = rand.Read(sh.Random[:])
	shb, _ := sh.Marshal()
	cb, _ := (&tlswire.Certificate{Certificates: [][]byte{c.leaf}}).Marshal()
	done := tlswire.Handshake{Type: tlswire.HandshakeServerHelloDone}.Marshal()
	return [][]byte{record(tlswire.TypeHandshake, shb), record(tlswire.TypeHandshake, cb), record(tlswire.TypeHandshake, done)}, true
}

func record(t tlswire.ContentType, payload []byte) []byte {
	return tlswire.Record{Type: t, Version: 0x0303, Payload: payload}.Marshal()
}

// Behaviours.

// CloseAt answers up to step and closes the connection (FIN).
func CloseAt(step Step) Behaviour {
	return func(c *Conn) {
		c.Answer(step)
		_ = c.Close()
	}
}

// ResetAt answers up to step and resets the connection (RST).
func ResetAt(step Step) Behaviour {
	return func(c *Conn) {
		c.Answer(step)
		c.Reset()
	}
}

// ResetOnAccept resets every connection as soon as it is accepted, before
// reading anything.
func ResetOnAccept(c *Conn) { c.Reset() }

// Tarpit accepts and never answers (nor reads); the connection stays open
// until the client gives up or the mock stops.
func Tarpit(c *Conn) { _, _ = io.Copy(io.Discard, c) }

// DripFeed answers with the whole first flight, one byte every interval.
func DripFeed(interval time.Duration) Behaviour {
	return func(c *Conn) {
		flight, ok := c.Flight()
		if !ok {
			return
		}
		for _, b := range slices.Concat(flight...) {
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(interval)
		}
	}
}

// OversizedRecord answers with a handshake record header claiming 65535
// bytes (the limit is 2^14 + 2048) and then sends that many.
func OversizedRecord(c *Conn) {
	if c.ReadHello() == nil {
		return
	}
	_, _ = c.Write(append([]byte{0x16, 0x03, 0x03, 0xff, 0xff}, make([]byte, 0xffff)...))
}

// EndlessRecords answers with a valid ServerHello and then handshake
// records without end, carrying a handshake message that claims 16 MiB.
func EndlessRecords(c *Conn) {
	flight, ok := c.Flight()
	if !ok {
		return
	}
	if _, err := c.Write(flight[0]); err != nil {
		return
	}
	first := append([]byte{byte(tlswire.HandshakeCertificate), 0xff, 0xff, 0xff}, make([]byte, 16380)...)
	if _, err := c.Write(record(tlswire.TypeHandshake, first)); err != nil {
		return
	}
	junk := record(tlswire.TypeHandshake, make([]byte, 16384))
	for {
		if _, err := c.Write(junk); err != nil {
			return
		}
	}
}

// EndlessHandshake answers, before any ServerHello, with handshake records
// that never finish one message (a header claiming 16 MiB, then filler).
func EndlessHandshake(c *Conn) {
	if c.ReadHello() == nil {
		return
	}
	first := append([]byte{byte(tlswire.HandshakeServerHello), 0xff, 0xff, 0xff}, make([]byte, 16380)...)
	if _, err := c.Write(record(tlswire.TypeHandshake, first)); err != nil {
		return
	}
	junk := record(tlswire.TypeHandshake, make([]byte, 16384))
	for {
		if _, err := c.Write(junk); err != nil {
			return
		}
	}
}

// TLS13CloseAfterServerHello is a TLS 1.3-only server that answers with a
// ServerHello (X25519, TLS_AES_128_GCM_SHA256), or a HelloRetryRequest for
// X25519 when the hello carries no X25519 share, and closes right after:
// the rest of its flight, encrypted in TLS 1.3, never comes. A hello
// without TLS 1.3, X25519 or that suite gets a protocol_version or
// handshake_failure alert.
func TLS13CloseAfterServerHello(c *Conn) {
	ch := c.ReadHello()
	if ch == nil {
		return
	}
	alert := func(d uint8) {
		_, _ = c.Write(record(tlswire.TypeAlert, tlswire.Alert{Level: 2, Description: tlswire.AlertDescription(d)}.Marshal()))
	}
	versions, _ := ch.Extension(tlswire.ExtSupportedVersions)
	vs, err := tlswire.ParseSupportedVersionsClient(versions)
	if err != nil || !slices.Contains(vs, 0x0304) {
		alert(70)
		return
	}
	groupsData, _ := ch.Extension(tlswire.ExtSupportedGroups)
	groups, _ := tlswire.ParseSupportedGroups(groupsData)
	if !slices.Contains(ch.CipherSuites, 0x1301) || !slices.Contains(groups, 0x001d) {
		alert(40)
		return
	}
	sharesData, _ := ch.Extension(tlswire.ExtKeyShare)
	shares, _ := tlswire.ParseKeySharesClient(sharesData)
	sh := &tlswire.ServerHello{Version: 0x0303, SessionID: ch.SessionID, CipherSuite: 0x1301}
	_, _ = rand.Read(sh.Random[:])
	sv := tlswire.Extension{Type: tlswire.ExtSupportedVersions, Data: []byte{0x03, 0x04}}
	if slices.ContainsFunc(shares, func(k tlswire.KeyShare) bool { return k.Group == 0x001d }) {
		share := make([]byte, 4+32)
		share[1], share[3] = 0x1d, 32
		_, _ = rand.Read(share[4:])
		sh.Extensions = []tlswire.Extension{sv, {Type: tlswire.ExtKeyShare, Data: share}}
	} else {
		sh.Random = tlswire.HelloRetryRequestRandom
		sh.Extensions = []tlswire.Extension{sv, {Type: tlswire.ExtKeyShare, Data: []byte{0x00, 0x1d}}}
	}
	b, err := sh.Marshal()
	if err != nil {
		return
	}
	_, _ = c.Write(record(tlswire.TypeHandshake, b))
}

// ResetBelowTLS12 resets the connection (without a word) for any hello
// below TLS 1.2, as SChannel does for the versions it has disabled, and
// sends its whole first flight for the rest.
func ResetBelowTLS12(c *Conn) {
	ch := c.ReadHello()
	if ch == nil || ch.Version < 0x0303 {
		c.Reset()
		return
	}
	flight, ok := c.flight(ch)
	if !ok {
		return
	}
	_, _ = c.Write(slices.Concat(flight...))
}
