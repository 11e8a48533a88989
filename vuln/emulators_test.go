package vuln

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"math/big"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"padlock/lab"
	"padlock/registry"
	"padlock/tlswire"
	"padlock/vuln/internal/handshake"
)

// This file holds EMULATORS: mock TLS servers on 127.0.0.1 that reproduce
// on the wire the behaviour of vulnerable (and patched) implementations
// that no Debian package can be made to show — Heartbleed, CCS injection,
// ROBOT, Ticketbleed, CBC padding oracles, TLS compression, SSLv2 — as the
// advisories and papers cited in each check's file describe it. They are
// test instruments, not implementations of the bugs: each takes the
// handshake as far as the check needs (often only the first flight, with
// the minimal server of vuln/internal/handshake) and then answers the
// probe the way the vulnerable or fixed code did.

// emuConnDeadline bounds every emulator connection.
const emuConnDeadline = 20 * time.Second

// emulator serves every connection accepted on 127.0.0.1 with serve and
// returns the address. At test end the listener and every connection are
// closed and the goroutines waited for (at most five seconds).
func emulator(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(emuConnDeadline))
				serve(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("emulator goroutines still running after 5s")
		}
	})
	return ln.Addr().String()
}

var (
	emuLeafOnce sync.Once
	emuLeaf     *lab.Leaf
	emuLeafErr  error
)

// rsaLeaf is the RSA-2048 certificate every emulator serves.
func rsaLeaf(t *testing.T) (*lab.Leaf, *rsa.PrivateKey) {
	t.Helper()
	emuLeafOnce.Do(func() {
		var ca *lab.CA
		if ca, emuLeafErr = lab.NewCA("padlock vuln emulator root"); emuLeafErr == nil {
			emuLeaf, emuLeafErr = ca.Issue(lab.LeafOptions{KeyType: lab.KeyRSA2048})
		}
	})
	if emuLeafErr != nil {
		t.Fatal(emuLeafErr)
	}
	return emuLeaf, emuLeaf.Key.(*rsa.PrivateKey)
}

// emuSuites are the RSA key-exchange CBC suites the emulators serve.
var emuSuites = []uint16{0x002f, 0x0035, 0x003c}

// emuConfig describes an emulated server's first flight.
type emuConfig struct {
	heartbeat   bool   // echo the heartbeat extension
	compress    bool   // choose DEFLATE when offered
	ticket      []byte // issue this session ticket
	secureReneg bool   // echo renegotiation_info
	refuseSCSV  bool   // answer hellos carrying TLS_FALLBACK_SCSV with handshake_failure
}

func (e emuConfig) server(t *testing.T) *handshake.ServerConfig {
	l, key := rsaLeaf(t)
	return &handshake.ServerConfig{
		Certificates:        l.Chain,
		Key:                 key,
		Suites:              emuSuites,
		Ticket:              e.ticket,
		SecureRenegotiation: e.secureReneg,
		EditServerHello: func(ch *tlswire.ClientHello, sh *tlswire.ServerHello) {
			if _, ok := ch.Extension(tlswire.ExtHeartbeat); ok && e.heartbeat {
				sh.Extensions = append(sh.Extensions, tlswire.Heartbeat(1))
			}
			if e.compress && slices.Contains(ch.CompressionMethods, 1) {
				sh.CompressionMethod = 1
			}
		},
	}
}

// alert writes a fatal alert (protected if the write side has keys).
func alert(c *handshake.Conn, d tlswire.AlertDescription) {
	_ = c.WriteRecord(tlswire.TypeAlert, tlswire.Alert{Level: tlswire.AlertLevelFatal, Description: d}.Marshal())
}

// emuFlight reads the ClientHello and sends the first flight, or a
// handshake_failure alert when nothing offered is served.
func emuFlight(t *testing.T, c net.Conn, e emuConfig) (*handshake.Conn, bool) {
	srv := handshake.Server(c)
	if err := srv.ReadClientHello(); err != nil {
		return nil, false
	}
	if e.refuseSCSV && slices.Contains(srv.Hello.CipherSuites, registry.FallbackSCSV) {
		alert(srv, tlswire.AlertHandshakeFailure)
		return nil, false
	}
	if err := srv.SendFlight(e.server(t)); err != nil {
		if errors.Is(err, handshake.ErrNoCommon) {
			alert(srv, tlswire.AlertHandshakeFailure)
		}
		return nil, false
	}
	return srv, true
}

// ---- Heartbleed ----

type heartbeatMode int

const (
	hbVulnerable    heartbeatMode = iota // answers with payload_length bytes, request or not (OpenSSL 1.0.1-1.0.1f)
	hbPatched                            // discards over-long requests silently, answers the others (RFC 6520)
	hbSilent                             // negotiates heartbeat, answers nothing, fails full handshakes
	hbNotNegotiated                      // no heartbeat extension, ignores heartbeat records
)

// heartbleedEmulator processes heartbeat requests after its first flight,
// as OpenSSL did.
func heartbleedEmulator(t *testing.T, mode heartbeatMode) string {
	memory := bytes.Repeat([]byte("SECRET-KEY-MATERIAL-"), 1000)
	return emulator(t, func(c net.Conn) {
		srv, ok := emuFlight(t, c, emuConfig{heartbeat: mode != hbNotNegotiated})
		if !ok {
			return
		}
		for {
			rec, err := srv.ReadRawRecord()
			if err != nil || rec.Type != tlswire.TypeHeartbeat {
				return
			}
			if len(rec.Payload) < 3 || rec.Payload[0] != tlswire.HeartbeatRequest {
				continue
			}
			claimed := int(rec.Payload[1])<<8 | int(rec.Payload[2])
			have := len(rec.Payload) - 3
			switch mode {
			case hbVulnerable:
				// memcpy(bp, pl, payload): read past the request.
				src := append(append([]byte(nil), rec.Payload[3:]...), memory...)
				resp := []byte{tlswire.HeartbeatResponse, byte(claimed >> 8), byte(claimed)}
				resp = append(resp, src[:claimed]...)
				resp = append(resp, make([]byte, 16)...)
				_ = srv.WriteRecord(tlswire.TypeHeartbeat, resp)
			case hbPatched:
				if claimed+16 > have {
					continue // RFC 6520 §4: discard silently
				}
				m := tlswire.HeartbeatMessage{Type: tlswire.HeartbeatResponse, PayloadLength: uint16(claimed), Payload: rec.Payload[3 : 3+claimed], Padding: make([]byte, 16)}
				_ = srv.WriteRecord(tlswire.TypeHeartbeat, m.Marshal())
			}
		}
	})
}

// ---- CCS injection ----

type ccsMode int

const (
	ccsPatched        ccsMode = iota // unexpected_message on an early CCS
	ccsExploitable                   // OpenSSL 1.0.1 before 1.0.1h: keys from an empty master secret
	ccsNotExploitable                // accepts the early CCS, but its keys are not derivable
	ccsBadMACOnly                    // accepts silently, then bad_record_mac to anything
)

func ccsEmulator(t *testing.T, mode ccsMode) string {
	return emulator(t, func(c net.Conn) {
		srv, ok := emuFlight(t, c, emuConfig{})
		if !ok {
			return
		}
		rec, err := srv.ReadRawRecord()
		if err != nil || rec.Type != tlswire.TypeChangeCipherSpec {
			return
		}
		switch mode {
		case ccsPatched:
			alert(srv, tlswire.AlertUnexpectedMessage)
			return
		case ccsExploitable:
			if srv.SetKeys(nil) != nil || srv.ReceiveChangeCipherSpec() != nil {
				return
			}
		case ccsNotExploitable:
			unknown := make([]byte, 48)
			_, _ = rand.Read(unknown)
			if srv.SetKeys(unknown) != nil || srv.ReceiveChangeCipherSpec() != nil {
				return
			}
		}
		rec, err = srv.ReadRawRecord()
		if err != nil {
			return
		}
		if mode == ccsBadMACOnly {
			alert(srv, tlswire.AlertBadRecordMAC)
			return
		}
		_, err = srv.In().Open(rec)
		switch {
		case errors.Is(err, handshake.ErrRecordLength):
			alert(srv, tlswire.AlertDecryptionFailed)
		case err != nil:
			alert(srv, tlswire.AlertBadRecordMAC)
		default:
			alert(srv, tlswire.AlertUnexpectedMessage) // decrypted: not the ClientKeyExchange it waits for
		}
	})
}

// ---- ROBOT ----

type robotMode int

const (
	robotPatched      robotMode = iota // same answer whatever the padding
	robotStrong                        // fails at once unless the block starts 00 02
	robotWeak                          // fails at once unless the block is fully well-formed
	robotInconsistent                  // a strong oracle for the first five key exchanges, then patched
)

func robotEmulator(t *testing.T, mode robotMode) string {
	_, key := rsaLeaf(t)
	var exchanges atomic.Int32
	return emulator(t, func(c net.Conn) {
		srv, ok := emuFlight(t, c, emuConfig{})
		if !ok {
			return
		}
		enc, err := srv.ReadClientKeyExchange()
		if err != nil {
			return
		}
		k := key.Size()
		m := new(big.Int).Exp(new(big.Int).SetBytes(enc), key.D, key.N).FillBytes(make([]byte, k))
		header := m[0] == 0 && m[1] == 2
		sep := bytes.IndexByte(m[2:], 0) + 2
		valid := header && sep == k-49 && sep >= 10 &&
			m[sep+1] == byte(srv.Hello.Version>>8) && m[sep+2] == byte(srv.Hello.Version)
		good := true
		switch mode {
		case robotStrong:
			good = header
		case robotWeak:
			good = valid
		case robotInconsistent:
			n := exchanges.Add(1)
			good = header || n > int32(robotVectors)
		}
		if !good {
			alert(srv, tlswire.AlertHandshakeFailure)
			return
		}
		// As a fixed server: carry on with a random premaster secret, and
		// fail on the Finished.
		_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
		if rec, err := srv.ReadRawRecord(); err != nil || rec.Type != tlswire.TypeChangeCipherSpec {
			return
		}
		if _, err := srv.ReadRawRecord(); err != nil {
			return
		}
		alert(srv, tlswire.AlertBadRecordMAC)
	})
}

// ---- Ticketbleed ----

type ticketMode int

const (
	ticketPatched    ticketMode = iota // echoes the client's session ID on resumption
	ticketVulnerable                   // F5: echoes 32 bytes, the rest uninitialised memory
	ticketSimilar                      // echoes 32 bytes, the rest zeros
	ticketNoResume                     // never resumes from a ticket
)

func ticketbleedEmulator(t *testing.T, mode ticketMode) string {
	ticket := []byte("emulated-session-ticket-0123456789")
	cfg := emuConfig{ticket: ticket}.server(t)
	return emulator(t, func(c net.Conn) {
		srv := handshake.Server(c)
		if err := srv.ReadClientHello(); err != nil {
			return
		}
		offered, _ := srv.Hello.Extension(tlswire.ExtSessionTicket)
		if bytes.Equal(offered, ticket) && mode != ticketNoResume {
			sid := append([]byte(nil), srv.Hello.SessionID...)
			switch mode {
			case ticketVulnerable:
				junk := make([]byte, 32-len(sid))
				_, _ = rand.Read(junk)
				sid = append(sid, junk...)
			case ticketSimilar:
				sid = append(sid, make([]byte, 32-len(sid))...)
			}
			sh := &tlswire.ServerHello{Version: srv.Hello.Version, SessionID: sid, CipherSuite: emuSuites[0], Extensions: []tlswire.Extension{}}
			_, _ = rand.Read(sh.Random[:])
			msg, _ := sh.Marshal()
			_ = srv.WriteRecord(tlswire.TypeHandshake, msg)
			return
		}
		cfg := *cfg
		if len(srv.Hello.SessionID) > 0 {
			first := srv.Hello.SessionID[0]
			cfg.EditServerHello = func(_ *tlswire.ClientHello, sh *tlswire.ServerHello) { sh.SessionID[0] = ^first }
		}
		if err := srv.CompleteServerHandshake(&cfg); err != nil {
			return
		}
		_, _ = srv.ReadRecord()
	})
}

// ---- CBC padding oracles ----

type padMode int

const (
	padPatched      padMode = iota // bad_record_mac for every malformed record
	padPoodleTLS                   // checks only the padding length byte (F5, A10 in 2014)
	padZombie                      // valid MAC behind bad padding: closes without an alert
	padZombieQuiet                 // valid MAC behind bad padding: another (encrypted) alert
	padGolden                      // bad padding: closes without an alert; bad MAC: bad_record_mac
	padLuckyMinus20                // padding filling the record: record_overflow (CVE-2016-2107)
	padZeroLength                  // 0-length record with bad padding: closes without an alert
	padSleeping                    // padding length beyond the record: goes silent
	padHangOnPoodle                // valid MAC behind bad padding: goes silent
	padInconsistent                // GOLDENDOODLE for the first eight records, then patched
)

// paddingEmulator completes the handshake (RSA, AES-CBC), then judges the
// first application-data record as the emulated implementation did, and
// answers an accepted one with an HTTP response.
func paddingEmulator(t *testing.T, mode padMode) string {
	cfg := emuConfig{}.server(t)
	var records atomic.Int32
	return emulator(t, func(c net.Conn) {
		srv := handshake.Server(c)
		if err := srv.ServerHandshake(cfg); err != nil {
			return
		}
		rec, err := srv.ReadRawRecord()
		if err != nil {
			return
		}
		in := srv.In()
		plain, seq, err := in.OpenRaw(rec)
		if err != nil {
			alert(srv, tlswire.AlertBadRecordMAC)
			return
		}
		ml := in.Suite.MACLen()
		n := len(plain)
		p := int(plain[n-1])
		lengthOK := p+1 <= n
		padOK := lengthOK
		for i := n - 1 - p; lengthOK && i < n; i++ {
			padOK = padOK && int(plain[i]) == p
		}
		macRoom := lengthOK && n-p-1 >= ml
		macOK := false
		if macRoom {
			d := n - p - 1 - ml
			macOK = hmac.Equal(plain[d:d+ml], in.MAC(seq, rec.Type, plain[:d]))
		}
		accept := padOK && macOK
		hang := func() { _, _ = io.Copy(io.Discard, c) }
		switch mode {
		case padPoodleTLS:
			accept = macOK
		case padZombie:
			if macOK && !padOK {
				return
			}
		case padZombieQuiet:
			if macOK && !padOK {
				alert(srv, tlswire.AlertDecryptionFailed)
				return
			}
		case padGolden:
			if !padOK {
				return
			}
		case padLuckyMinus20:
			if padOK && !macRoom {
				alert(srv, tlswire.AlertRecordOverflow)
				return
			}
		case padZeroLength:
			if lengthOK && n-p-1 == ml && !padOK {
				return
			}
		case padSleeping:
			if !lengthOK {
				hang()
				return
			}
		case padHangOnPoodle:
			if macOK && !padOK {
				hang()
				return
			}
		case padInconsistent:
			if records.Add(1) <= int32(padVectors) && !padOK {
				return
			}
		}
		if !accept {
			alert(srv, tlswire.AlertBadRecordMAC)
			return
		}
		_ = srv.WriteRecord(tlswire.TypeApplicationData, []byte("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"))
		_ = srv.WriteRecord(tlswire.TypeAlert, tlswire.Alert{Level: tlswire.AlertLevelWarning, Description: tlswire.AlertCloseNotify}.Marshal())
	})
}

// ---- First-flight-only emulators ----

// flightEmulator answers every hello with its first flight and closes.
func flightEmulator(t *testing.T, e emuConfig) string {
	return emulator(t, func(c net.Conn) {
		if _, ok := emuFlight(t, c, e); ok {
			_, _ = io.Copy(io.Discard, c)
		}
	})
}

// sslv2Emulator speaks only SSLv2: it answers an SSLv2 CLIENT-HELLO with a
// SERVER-HELLO offering two cipher specs, and closes on anything else.
func sslv2Emulator(t *testing.T) string {
	l, _ := rsaLeaf(t)
	return emulator(t, func(c net.Conn) {
		var first [2]byte
		if _, err := io.ReadFull(c, first[:]); err != nil || first[0]&0x80 == 0 {
			return
		}
		sh := &tlswire.SSLv2ServerHello{
			CertificateType: 1,
			Version:         0x0002,
			Certificate:     l.Chain[0],
			CipherSpecs:     []uint32{0x010080, 0x0700c0},
			ConnectionID:    bytes.Repeat([]byte{7}, 16),
		}
		msg, err := sh.Marshal()
		if err != nil {
			return
		}
		_, _ = c.Write(msg)
		_, _ = io.Copy(io.Discard, c)
	})
}

// renegotiationEmulator completes a handshake with secure renegotiation,
// then answers a renegotiation hello with application data.
func renegotiationEmulator(t *testing.T) string {
	cfg := emuConfig{secureReneg: true}.server(t)
	return emulator(t, func(c net.Conn) {
		srv := handshake.Server(c)
		if err := srv.ServerHandshake(cfg); err != nil {
			return
		}
		if _, err := srv.ReadRecord(); err != nil {
			return
		}
		_ = srv.WriteRecord(tlswire.TypeApplicationData, []byte("unexpected"))
		_, _ = io.Copy(io.Discard, c)
	})
}
