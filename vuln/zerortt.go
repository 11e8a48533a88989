package vuln

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/cryptobyte"

	"padlock/registry"
	"padlock/tlswire"
)

// TLS 1.3 0-RTT (early data, RFC 8446 §2.3): data a client sends with its
// first flight on resumption can be replayed; a server announces that it
// takes it by putting an early_data extension with a non-zero
// max_early_data_size in its NewSessionTicket (§4.6.1). Information only.
//
// Go's crypto/tls client completes the TLS 1.3 handshake but does not
// expose the tickets' early_data for TCP (only for QUIC), and it cannot
// send early data. So padlock lets crypto/tls handshake over a connection
// that keeps a copy of what the server sent, takes the traffic secrets
// from the key log, decrypts the server's records itself and reads the
// NewSessionTicket messages: a ticket allowing early data is "0-RTT
// enabled" (zeroRTTEnabled 1); tickets without it, or no ticket (no
// resumption, so no 0-RTT), are "not enabled" (0). padlock does not send
// early data, so it judges by the server's announcement, not by an
// accepted replay. Records are decrypted with AES-GCM or, when the server
// picks it, ChaCha20-Poly1305 (golang.org/x/crypto/chacha20poly1305).
func checkZeroRTT(ctx context.Context, r *run) Finding {
	for _, ps := range r.res.Protocols {
		if ps.Protocol == registry.TLS13 && ps.Inconclusive != "" {
			return finding(CheckZeroRTT, Inconclusive, "TLS 1.3 support is unknown: %s", ps.Inconclusive)
		}
	}
	if !supported(r.res, registry.TLS13) {
		return finding(CheckZeroRTT, NotApplicable, "TLS 1.3 is not accepted")
	}
	pc, err := r.dial(ctx)
	if err != nil {
		return inconclusive(CheckZeroRTT, err, "connecting")
	}
	defer pc.Close()
	tee := &teeConn{Conn: pc.NetConn()}
	var keylog bytes.Buffer
	var mu sync.Mutex
	cfg := &tls.Config{
		ServerName:         r.sni(),
		InsecureSkipVerify: true, // the certificate is judged elsewhere
		MinVersion:         tls.VersionTLS13,
		MaxVersion:         tls.VersionTLS13,
		KeyLogWriter:       lockedWriter{&mu, &keylog},
		ClientSessionCache: tls.NewLRUClientSessionCache(1),
	}
	if cfg.ServerName == "" {
		cfg.ServerName = r.httpHost()
	}
	tc := tls.Client(tee, cfg)
	hctx, cancel := context.WithTimeout(ctx, r.opts.Wait)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		return inconclusive(CheckZeroRTT, err, "TLS 1.3 handshake")
	}
	suite := tc.ConnectionState().CipherSuite
	// Tickets come right after the handshake; reading makes crypto/tls
	// take them in (and the tee keep them). A request with "Connection:
	// close" makes an HTTP server answer and close once the tickets are
	// out, so the read ends as soon as the server is done rather than
	// after the whole wait (which a server that does not speak HTTP
	// still gets).
	_ = tc.SetDeadline(time.Now().Add(min(r.opts.Wait, 2*time.Second)))
	_, _ = tc.Write([]byte("GET / HTTP/1.1\r\nHost: " + r.httpHost() + "\r\nConnection: close\r\n\r\n"))
	var buf [4096]byte
	for {
		if _, err := tc.Read(buf[:]); err != nil {
			break
		}
	}
	mu.Lock()
	secrets := parseKeyLog(keylog.String())
	mu.Unlock()
	tickets, err := serverTickets13(tee.bytes(), suite, secrets)
	if err != nil {
		return inconclusive(CheckZeroRTT, err, "reading the server's NewSessionTicket messages")
	}
	if len(tickets) == 0 {
		f := finding(CheckZeroRTT, NotVulnerable, "the server issued no TLS 1.3 session ticket, so no 0-RTT")
		f.add(note("NewSessionTicket messages", "none within %v of the handshake", min(r.opts.Wait, 2*time.Second)))
		return f
	}
	maxED := uint32(0)
	for _, t := range tickets {
		maxED = max(maxED, t.maxEarlyData)
	}
	if maxED == 0 {
		f := finding(CheckZeroRTT, NotVulnerable, "the server's %d TLS 1.3 ticket(s) do not allow early data", len(tickets))
		f.add(note("NewSessionTicket", "%d ticket(s), no early_data extension", len(tickets)))
		return f
	}
	f := finding(CheckZeroRTT, Vulnerable, "the server's TLS 1.3 tickets allow up to %d bytes of 0-RTT early data (information: replayable)", maxED)
	f.Severity = SeverityInfo
	f.add(note("NewSessionTicket", "%d ticket(s), early_data max_early_data_size %d", len(tickets), maxED))
	return f
}

// teeConn keeps a bounded copy of what is read.
type teeConn struct {
	net.Conn
	mu  sync.Mutex
	buf []byte
}

const maxTee = 256 << 10

func (t *teeConn) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	t.mu.Lock()
	if room := maxTee - len(t.buf); room > 0 {
		t.buf = append(t.buf, p[:min(n, room)]...)
	}
	t.mu.Unlock()
	return n, err
}

func (t *teeConn) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]byte(nil), t.buf...)
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// parseKeyLog reads NSS key log lines into label -> secret.
func parseKeyLog(s string) map[string][]byte {
	out := map[string][]byte{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			continue
		}
		if b, err := hex.DecodeString(f[2]); err == nil {
			out[f[0]] = b
		}
	}
	return out
}

// ticket13 is what padlock reads from a TLS 1.3 NewSessionTicket.
type ticket13 struct {
	lifetime     uint32
	maxEarlyData uint32
}

// parseNewSessionTicket13 parses a TLS 1.3 NewSessionTicket body (RFC 8446
// §4.6.1).
func parseNewSessionTicket13(body []byte) (ticket13, error) {
	var t ticket13
	s := cryptobyte.String(body)
	var ageAdd uint32
	var nonce, tkt, exts cryptobyte.String
	if !s.ReadUint32(&t.lifetime) || !s.ReadUint32(&ageAdd) ||
		!s.ReadUint8LengthPrefixed(&nonce) || !s.ReadUint16LengthPrefixed(&tkt) || len(tkt) == 0 ||
		!s.ReadUint16LengthPrefixed(&exts) || !s.Empty() {
		return t, errors.New("malformed TLS 1.3 new_session_ticket")
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return t, errors.New("malformed new_session_ticket extensions")
		}
		if tlswire.ExtensionType(typ) == tlswire.ExtEarlyData {
			if !data.ReadUint32(&t.maxEarlyData) || !data.Empty() {
				return t, errors.New("malformed early_data extension in new_session_ticket")
			}
		}
	}
	return t, nil
}

// tls13Keys is one direction's traffic protection.
type tls13Keys struct {
	aead cipher.AEAD
	iv   []byte
	seq  uint64
}

func newTLS13Keys(suite uint16, secret []byte) (*tls13Keys, error) {
	var h func() hash.Hash
	var keyLen int
	switch suite {
	case tls.TLS_AES_128_GCM_SHA256:
		h, keyLen = sha256.New, 16
	case tls.TLS_AES_256_GCM_SHA384:
		h, keyLen = sha512.New384, 32
	case tls.TLS_CHACHA20_POLY1305_SHA256:
		h, keyLen = sha256.New, chacha20poly1305.KeySize
	default:
		return nil, fmt.Errorf("cannot decrypt TLS 1.3 records protected with suite 0x%04x", suite)
	}
	key, err := expandLabel(h, secret, "key", keyLen)
	if err != nil {
		return nil, err
	}
	iv, err := expandLabel(h, secret, "iv", 12)
	if err != nil {
		return nil, err
	}
	if suite == tls.TLS_CHACHA20_POLY1305_SHA256 {
		a, err := chacha20poly1305.New(key)
		if err != nil {
			return nil, err
		}
		return &tls13Keys{aead: a, iv: iv}, nil
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	a, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	return &tls13Keys{aead: a, iv: iv}, nil
}

// expandLabel is HKDF-Expand-Label (RFC 8446 §7.1) with an empty context.
func expandLabel(h func() hash.Hash, secret []byte, label string, n int) ([]byte, error) {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, byte(len(full)))
	info = append(info, full...)
	info = append(info, 0)
	return hkdf.Expand(h, secret, string(info), n)
}

// open decrypts one record; it returns the inner content type and content.
func (k *tls13Keys) open(rec tlswire.Record) (tlswire.ContentType, []byte, error) {
	nonce := append([]byte(nil), k.iv...)
	for i := 0; i < 8; i++ {
		nonce[4+i] ^= byte(k.seq >> (56 - 8*i))
	}
	hdr := []byte{byte(rec.Type), byte(rec.Version >> 8), byte(rec.Version), byte(len(rec.Payload) >> 8), byte(len(rec.Payload))}
	plain, err := k.aead.Open(nil, nonce, rec.Payload, hdr)
	if err != nil {
		return 0, nil, err
	}
	k.seq++
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 {
		return 0, nil, errors.New("TLS 1.3 record without a content type")
	}
	return tlswire.ContentType(plain[i]), plain[:i], nil
}

// serverTickets13 decrypts the server's side of a TLS 1.3 connection and
// returns its NewSessionTicket messages.
func serverTickets13(wire []byte, suite uint16, secrets map[string][]byte) ([]ticket13, error) {
	hsSecret, appSecret := secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], secrets["SERVER_TRAFFIC_SECRET_0"]
	if hsSecret == nil || appSecret == nil {
		return nil, errors.New("the key log lacks the server traffic secrets")
	}
	hsKeys, err := newTLS13Keys(suite, hsSecret)
	if err != nil {
		return nil, err
	}
	appKeys, err := newTLS13Keys(suite, appSecret)
	if err != nil {
		return nil, err
	}
	var out []ticket13
	var hs tlswire.HandshakeReader
	app := false
	for len(wire) > 0 {
		rec, n, err := tlswire.ParseRecord(wire)
		if errors.Is(err, tlswire.ErrIncomplete) {
			break // a record cut off by the end of the capture
		}
		if err != nil {
			return nil, err
		}
		wire = wire[n:]
		if rec.Type != tlswire.TypeApplicationData {
			continue // ServerHello, compatibility ChangeCipherSpec
		}
		var typ tlswire.ContentType
		var content []byte
		if !app {
			if typ, content, err = hsKeys.open(rec); err != nil {
				app = true
			}
		}
		if app {
			if typ, content, err = appKeys.open(rec); err != nil {
				return out, fmt.Errorf("decrypting a server record: %w", err)
			}
		}
		if typ != tlswire.TypeHandshake {
			continue
		}
		if app {
			hs.Write(content)
			for {
				m, err := hs.Next()
				if errors.Is(err, tlswire.ErrIncomplete) {
					break
				}
				if err != nil {
					return out, err
				}
				if m.Type == tlswire.HandshakeNewSessionTicket {
					t, err := parseNewSessionTicket13(m.Body)
					if err != nil {
						return out, err
					}
					out = append(out, t)
				}
			}
		}
	}
	return out, nil
}
