package tlswire

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// Fuzz targets. Every target checks that parsing never panics and that
// whatever parses re-encodes to exactly the input (all parsers keep every
// byte they accept). Seed corpora live in testdata/fuzz; see
// TestWriteFuzzSeeds for how the captured ones were made.

// checkErr fails unless err is nil or one of the documented sentinels.
func checkErr(t *testing.T, err error, allowed ...error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, a := range allowed {
		if errors.Is(err, a) {
			return
		}
	}
	t.Fatalf("unexpected error class: %v", err)
}

func FuzzParseRecord(f *testing.F) {
	f.Add([]byte{21, 3, 3, 0, 2, 2, 40})
	f.Add([]byte("HTTP/1.1 200 OK\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, n, err := ParseRecord(data)
		checkErr(t, err, ErrIncomplete, ErrNotTLS, ErrMalformed)
		if err != nil {
			if n != 0 || r.Payload != nil {
				t.Fatal("result alongside an error")
			}
			return
		}
		if n != RecordHeaderLen+len(r.Payload) || n > len(data) || len(r.Payload) > MaxRecordPayload {
			t.Fatalf("n=%d payload=%d input=%d", n, len(r.Payload), len(data))
		}
		if !bytes.Equal(r.Marshal(), data[:n]) {
			t.Fatal("Marshal does not reproduce the record")
		}
		if !LooksLikeTLS(data) {
			t.Fatal("parsed record not LooksLikeTLS")
		}
		if LooksLikeSSLv2(data) {
			t.Fatal("parsed TLS record LooksLikeSSLv2")
		}
	})
}

func FuzzHandshakeReader(f *testing.F) {
	f.Add(Handshake{Type: HandshakeServerHelloDone}.Marshal(), uint8(0))
	f.Add([]byte{11, 0xff, 0xff, 0xff, 0}, uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		if len(data) > MaxHandshakeBuffered {
			return
		}
		type result struct {
			msgs     []Handshake
			err      error
			buffered int
		}
		run := func(size int) result {
			var h HandshakeReader
			var res result
			for rest := data; len(rest) > 0 && res.err == nil; {
				n := min(size, len(rest))
				h.Write(rest[:n])
				rest = rest[n:]
				for {
					m, err := h.Next()
					if errors.Is(err, ErrIncomplete) {
						break
					}
					if err != nil {
						res.err = err
						break
					}
					res.msgs = append(res.msgs, m)
				}
			}
			res.buffered = h.Buffered()
			return res
		}
		whole := run(len(data))
		pieces := run(int(chunk) + 1)
		checkErr(t, whole.err, ErrMalformed)
		if (whole.err == nil) != (pieces.err == nil) {
			t.Fatalf("one-shot error %v, chunked error %v", whole.err, pieces.err)
		}
		if len(whole.msgs) != len(pieces.msgs) {
			t.Fatalf("one-shot %d messages, chunked %d", len(whole.msgs), len(pieces.msgs))
		}
		var joined []byte
		for i, m := range whole.msgs {
			if m.Type != pieces.msgs[i].Type || !bytes.Equal(m.Body, pieces.msgs[i].Body) {
				t.Fatalf("message %d differs", i)
			}
			if len(m.Body) > MaxHandshakeMessage {
				t.Fatalf("message of %d bytes", len(m.Body))
			}
			joined = append(joined, m.Marshal()...)
		}
		if !bytes.HasPrefix(data, joined) {
			t.Fatal("messages do not re-marshal to the input")
		}
		if whole.err == nil && (whole.buffered != len(data)-len(joined) || pieces.buffered != whole.buffered) {
			t.Fatalf("buffered %d/%d, want %d", whole.buffered, pieces.buffered, len(data)-len(joined))
		}
	})
}

// roundTrip checks that a parsed message re-marshals to the handshake
// message holding body.
func roundTrip(t *testing.T, typ HandshakeType, body []byte, out []byte, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("Marshal of a parsed %s failed: %v", typ, err)
	}
	if want := (Handshake{Type: typ, Body: body}).Marshal(); !bytes.Equal(out, want) {
		t.Fatalf("%s round trip:\n got %x\nwant %x", typ, out, want)
	}
}

func FuzzParseClientHello(f *testing.F) {
	msg, _ := sampleClientHello().Marshal()
	f.Add(msg[HandshakeHeaderLen:])
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseClientHello(body)
		checkErr(t, err, ErrMalformed)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		roundTrip(t, HandshakeClientHello, body, out, err)
	})
}

func FuzzParseServerHello(f *testing.F) {
	msg, _ := sampleServerHello().Marshal()
	f.Add(msg[HandshakeHeaderLen:])
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseServerHello(body)
		checkErr(t, err, ErrMalformed)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		roundTrip(t, HandshakeServerHello, body, out, err)
		m.SelectedVersion()
		m.DowngradeSentinel()
		hrr := m.IsHelloRetryRequest()
		seen := map[ExtensionType]bool{}
		for _, e := range m.Extensions {
			if seen[e.Type] {
				t.Fatalf("duplicate %s accepted", e.Type)
			}
			seen[e.Type] = true
			var err error
			switch e.Type {
			case ExtSupportedVersions:
				_, err = ParseSupportedVersionServer(e.Data)
			case ExtKeyShare:
				_, err = ParseKeyShareServer(e.Data, hrr)
			case ExtALPN:
				_, err = ParseALPNServer(e.Data)
			case ExtRenegotiationInfo:
				_, err = ParseRenegotiationInfo(e.Data)
			case ExtHeartbeat:
				_, err = ParseHeartbeat(e.Data)
			case ExtECPointFormats:
				_, err = ParseECPointFormats(e.Data)
			case ExtSCT:
				_, err = ParseSCTList(e.Data)
			}
			checkErr(t, err, ErrMalformed)
		}
	})
}

func FuzzParseCertificate(f *testing.F) {
	msg, _ := (&Certificate{Certificates: [][]byte{{0x30, 0}, {0x30, 1, 0}}}).Marshal()
	f.Add(msg[HandshakeHeaderLen:])
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseCertificate(body)
		checkErr(t, err, ErrMalformed)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		roundTrip(t, HandshakeCertificate, body, out, err)
	})
}

func FuzzParseCertificate13(f *testing.F) {
	msg, _ := (&Certificate13{Entries: []CertificateEntry{{Data: []byte{0x30, 0}, Extensions: []Extension{{Type: ExtSCT, Data: []byte{0, 3, 0, 1, 1}}}}}}).Marshal()
	f.Add(msg[HandshakeHeaderLen:])
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseCertificate13(body)
		checkErr(t, err, ErrMalformed)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		roundTrip(t, HandshakeCertificate, body, out, err)
	})
}

func FuzzParseCertificateStatus(f *testing.F) {
	f.Add([]byte{1, 0, 0, 2, 0x30, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseCertificateStatus(body)
		checkErr(t, err, ErrMalformed)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		roundTrip(t, HandshakeCertificateStatus, body, out, err)
	})
}

func FuzzParseServerKeyExchange(f *testing.F) {
	for _, c := range skeCases() {
		msg, _ := c.m.Marshal(c.kind, c.version)
		f.Add(uint8(c.kind), c.version, msg[HandshakeHeaderLen:])
	}
	f.Fuzz(func(t *testing.T, kind uint8, version uint16, body []byte) {
		k := KeyExchangeKind(kind)
		m, err := ParseServerKeyExchange(body, k, version)
		if !k.valid() {
			if err == nil {
				t.Fatal("unknown kind accepted")
			}
			return
		}
		checkErr(t, err, ErrMalformed, ErrExplicitCurve)
		if err != nil {
			return
		}
		if !bytes.HasPrefix(body, m.Signed) {
			t.Fatal("Signed is not a prefix of the body")
		}
		if (m.DH != nil) != k.hasDH() || (m.ECDH != nil) != k.hasECDH() || (m.RSA != nil) != (k == SKERSAExport) {
			t.Fatalf("%s parsed into %+v", k, m)
		}
		out, err := m.Marshal(k, version)
		roundTrip(t, HandshakeServerKeyExchange, body, out, err)
	})
}

func FuzzParseAlert(f *testing.F) {
	f.Add([]byte{2, 40})
	f.Fuzz(func(t *testing.T, payload []byte) {
		a, err := ParseAlert(payload)
		checkErr(t, err, ErrMalformed)
		if err != nil {
			return
		}
		_ = a.String()
		if !bytes.Equal(a.Marshal(), payload) {
			t.Fatal("alert round trip")
		}
	})
}

func FuzzSSLv2(f *testing.F) {
	rec, _ := (&SSLv2ServerHello{CertificateType: 1, Version: 2, Certificate: []byte{0x30, 0}, CipherSpecs: []uint32{0x010080}, ConnectionID: seq(16, 0)}).Marshal()
	f.Add(rec)
	f.Add([]byte{0x80, 3, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		// The message parsers on raw input, too.
		for _, msg := range [][]byte{data, nil} {
			if msg == nil {
				var n int
				var err error
				msg, n, err = ParseSSLv2Record(data)
				checkErr(t, err, ErrIncomplete, ErrMalformed, ErrNotSSLv2)
				if err != nil {
					return
				}
				if n > len(data) || len(msg) > n || len(msg) > MaxSSLv2Record {
					t.Fatalf("n=%d msg=%d input=%d", n, len(msg), len(data))
				}
			}
			sh, err := ParseSSLv2ServerHello(msg)
			var v2err SSLv2Error
			if !errors.As(err, &v2err) {
				checkErr(t, err, ErrMalformed)
			}
			if err == nil {
				rec, err := sh.Marshal()
				if err != nil {
					t.Fatalf("Marshal: %v", err)
				}
				msg2, n, err := ParseSSLv2Record(rec)
				if err != nil || n != len(rec) {
					t.Fatalf("re-parse record: %v", err)
				}
				if !bytes.Equal(msg2[2:], msg[2:]) {
					t.Fatal("SERVER-HELLO round trip")
				}
				sh2, err := ParseSSLv2ServerHello(msg2)
				if err != nil || !reflect.DeepEqual(sh, sh2) {
					t.Fatalf("SERVER-HELLO re-parse: %v", err)
				}
			}
			ch, err := ParseSSLv2ClientHello(msg)
			checkErr(t, err, ErrMalformed)
			if err == nil {
				rec, err := ch.Marshal()
				if err != nil || !bytes.Equal(rec[2:], msg) {
					t.Fatalf("CLIENT-HELLO round trip: %v", err)
				}
			}
		}
	})
}

func FuzzParseHeartbeatMessage(f *testing.F) {
	f.Add(HeartbeatMessage{Type: 1, PayloadLength: 2, Payload: []byte{1, 2}, Padding: seq(16, 0)}.Marshal())
	f.Add([]byte{1, 0x40, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseHeartbeatMessage(b)
		checkErr(t, err, ErrMalformed)
		if err != nil {
			return
		}
		if int(m.PayloadLength) != len(m.Payload) || !bytes.Equal(m.Marshal(), b) {
			t.Fatal("heartbeat round trip")
		}
	})
}

// serverExtParsers are the extension parsers FuzzExtensionParsers drives.
// Each re-encodes a successful result so the target can compare it with the
// input.
var serverExtParsers = []func(data []byte) ([]byte, error){
	func(d []byte) ([]byte, error) {
		v, err := ParseSupportedVersionServer(d)
		return []byte{byte(v >> 8), byte(v)}, err
	},
	func(d []byte) ([]byte, error) {
		ks, err := ParseKeyShareServer(d, false)
		b := []byte{byte(ks.Group >> 8), byte(ks.Group), byte(len(ks.Data) >> 8), byte(len(ks.Data))}
		return append(b, ks.Data...), err
	},
	func(d []byte) ([]byte, error) {
		ks, err := ParseKeyShareServer(d, true)
		return []byte{byte(ks.Group >> 8), byte(ks.Group)}, err
	},
	func(d []byte) ([]byte, error) {
		p, err := ParseALPNServer(d)
		if err != nil {
			return nil, err
		}
		return ALPN([]string{p}).Data, nil
	},
	func(d []byte) ([]byte, error) {
		v, err := ParseRenegotiationInfo(d)
		if err != nil {
			return nil, err
		}
		return RenegotiationInfo(v).Data, nil
	},
	func(d []byte) ([]byte, error) {
		m, err := ParseHeartbeat(d)
		return Heartbeat(m).Data, err
	},
	func(d []byte) ([]byte, error) {
		v, err := ParseECPointFormats(d)
		if err != nil {
			return nil, err
		}
		return ECPointFormats(v...).Data, nil
	},
	func(d []byte) ([]byte, error) {
		v, err := ParseSupportedGroups(d)
		if err != nil {
			return nil, err
		}
		return SupportedGroups(v).Data, nil
	},
	func(d []byte) ([]byte, error) {
		scts, err := ParseSCTList(d)
		if err != nil {
			return nil, err
		}
		var b cryptobyte.Builder
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, s := range scts {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s) })
			}
		})
		return b.Bytes()
	},
	func(d []byte) ([]byte, error) {
		exts, err := ParseExtensions(d)
		if err != nil {
			return nil, err
		}
		var b cryptobyte.Builder
		addExtensions(&b, exts)
		return b.Bytes()
	},
	func(d []byte) ([]byte, error) {
		ks, err := ParseKeySharesClient(d)
		if err != nil {
			return nil, err
		}
		return KeyShares(ks).Data, nil
	},
	func(d []byte) ([]byte, error) {
		ps, err := ParseALPNClient(d)
		if err != nil {
			return nil, err
		}
		return ALPN(ps).Data, nil
	},
	func(d []byte) ([]byte, error) {
		vs, err := ParseSupportedVersionsClient(d)
		if err != nil {
			return nil, err
		}
		return SupportedVersions(vs).Data, nil
	},
	func(d []byte) ([]byte, error) {
		vs, err := ParseSignatureAlgorithms(d)
		if err != nil {
			return nil, err
		}
		return SignatureAlgorithms(vs).Data, nil
	},
	func(d []byte) ([]byte, error) {
		// server_name may hold several entries; only the host survives.
		h, err := ParseServerName(d)
		if err != nil {
			return nil, err
		}
		if h2, err := ParseServerName(ServerName(h).Data); err != nil || h2 != h {
			return nil, errors.New("server_name does not round-trip")
		}
		return d, nil
	},
}

func FuzzExtensionParsers(f *testing.F) {
	f.Add(uint8(0), []byte{3, 4})
	f.Add(uint8(3), []byte{0, 3, 2, 'h', '2'})
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		parse := serverExtParsers[int(which)%len(serverExtParsers)]
		out, err := parse(slices.Clip(data))
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("parser %d: %v", int(which)%len(serverExtParsers), err)
			}
			return
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("parser %d round trip:\n got %x\nwant %x", int(which)%len(serverExtParsers), out, data)
		}
	})
}
