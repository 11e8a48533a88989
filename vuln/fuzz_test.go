package vuln

import (
	"bytes"
	"crypto/tls"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"padlock/tlswire"
)

// Fuzz targets for the parsers of this package. Seeds are in
// testdata/fuzz; TestWriteFuzzCorpus regenerates them
// (PADLOCK_WRITE_CORPUS=1).

var fuzzSecrets = map[string][]byte{
	"SERVER_HANDSHAKE_TRAFFIC_SECRET": bytes.Repeat([]byte{1}, 32),
	"SERVER_TRAFFIC_SECRET_0":         bytes.Repeat([]byte{2}, 32),
}

// nst13 builds a TLS 1.3 NewSessionTicket body.
func nst13(maxEarly uint32, withEarly bool) []byte {
	b := []byte{0, 0, 0x1c, 0x20, 1, 2, 3, 4, 1, 9, 0, 4, 't', 'k', 't', '!'}
	if !withEarly {
		return append(b, 0, 0)
	}
	return append(b, 0, 8, 0, 42, 0, 4, byte(maxEarly>>24), byte(maxEarly>>16), byte(maxEarly>>8), byte(maxEarly))
}

// seal13 protects one record the way a TLS 1.3 server does.
func seal13(k *tls13Keys, typ tlswire.ContentType, content []byte) []byte {
	inner := append(append([]byte(nil), content...), byte(typ))
	n := len(inner) + k.aead.Overhead()
	hdr := []byte{23, 3, 3, byte(n >> 8), byte(n)}
	nonce := append([]byte(nil), k.iv...)
	for i := 0; i < 8; i++ {
		nonce[4+i] ^= byte(k.seq >> (56 - 8*i))
	}
	k.seq++
	return append(hdr, k.aead.Seal(nil, nonce, inner, hdr)...)
}

// serverWire13 is a plausible server side of a TLS 1.3 connection: a
// plaintext ServerHello stand-in, a handshake-epoch record, then a
// NewSessionTicket in the application epoch.
func serverWire13(t testing.TB, ticket []byte) []byte {
	hs, err := newTLS13Keys(tls.TLS_AES_128_GCM_SHA256, fuzzSecrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"])
	if err != nil {
		t.Fatal(err)
	}
	app, err := newTLS13Keys(tls.TLS_AES_128_GCM_SHA256, fuzzSecrets["SERVER_TRAFFIC_SECRET_0"])
	if err != nil {
		t.Fatal(err)
	}
	w := tlswire.Record{Type: tlswire.TypeHandshake, Version: 0x0303, Payload: []byte{2, 0, 0, 0}}.Marshal()
	w = append(w, seal13(hs, tlswire.TypeHandshake, []byte{20, 0, 0, 1, 0})...)
	msg := tlswire.Handshake{Type: tlswire.HandshakeNewSessionTicket, Body: ticket}.Marshal()
	return append(w, seal13(app, tlswire.TypeHandshake, msg)...)
}

func TestServerTickets13(t *testing.T) {
	got, err := serverTickets13(serverWire13(t, nst13(16384, true)), tls.TLS_AES_128_GCM_SHA256, fuzzSecrets)
	if err != nil || len(got) != 1 || got[0].maxEarlyData != 16384 {
		t.Fatalf("%+v %v", got, err)
	}
	got, err = serverTickets13(serverWire13(t, nst13(0, false)), tls.TLS_AES_128_GCM_SHA256, fuzzSecrets)
	if err != nil || len(got) != 1 || got[0].maxEarlyData != 0 {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := serverTickets13(nil, 0x1304, fuzzSecrets); err == nil { // TLS_AES_128_CCM_SHA256
		t.Fatal("AES-CCM accepted")
	}
	if _, err := serverTickets13(nil, tls.TLS_AES_128_GCM_SHA256, nil); err == nil {
		t.Fatal("missing secrets accepted")
	}
}

func FuzzParseNewSessionTicket13(f *testing.F) {
	f.Add(nst13(16384, true))
	f.Add(nst13(0, false))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = parseNewSessionTicket13(body)
	})
}

func FuzzServerTickets13(f *testing.F) {
	f.Add(serverWire13(f, nst13(16384, true)))
	f.Fuzz(func(t *testing.T, wire []byte) {
		got, _ := serverTickets13(wire, tls.TLS_AES_128_GCM_SHA256, fuzzSecrets)
		if len(got) > len(wire) {
			t.Fatalf("%d tickets from %d bytes", len(got), len(wire))
		}
	})
}

func FuzzJudgeHeartbeat(f *testing.F) {
	evil, good := bytes.Repeat([]byte{0xe}, 16), bytes.Repeat([]byte{0x9}, 16)
	f.Add(append([]byte{2, 0, 16}, append(good, make([]byte, 16)...)...))
	f.Add(append([]byte{2, 0x10, 0}, evil...))
	f.Add([]byte{2})
	f.Fuzz(func(t *testing.T, payload []byte) {
		f := judgeHeartbeat(payload, evil, good, "fuzz")
		if f.State == Vulnerable && len(payload) <= 3+len(good)+16 && payload[0] == tlswire.HeartbeatResponse {
			claimed := int(payload[1])<<8 | int(payload[2])
			if claimed <= len(good) && !bytes.HasPrefix(payload[3:], evil) {
				t.Fatalf("vulnerable on a short, honest response: %x", payload)
			}
		}
		for _, e := range f.Evidence {
			if len(e.Hex) > 2*MaxEvidenceBytes {
				t.Fatalf("evidence of %d hex characters", len(e.Hex))
			}
		}
	})
}

func FuzzParseDHPrimes(f *testing.F) {
	f.Add(dhPrimesData)
	f.Add("name: a\nsource: b\n0f\n\nname: c\nsource: d\n11\n")
	f.Fuzz(func(t *testing.T, data string) {
		list, err := parseDHPrimes(data)
		if err != nil {
			return
		}
		for _, k := range list {
			if k.Name == "" || k.Source == "" || k.P == nil {
				t.Fatalf("incomplete entry %+v", k)
			}
		}
	})
}

func FuzzParseKeyLog(f *testing.F) {
	f.Add("CLIENT_RANDOM 00 11\nSERVER_TRAFFIC_SECRET_0 0102 a1b2\n")
	f.Fuzz(func(t *testing.T, s string) {
		for k, v := range parseKeyLog(s) {
			if k == "" || v == nil {
				t.Fatalf("empty entry %q", k)
			}
		}
	})
}

func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("PADLOCK_WRITE_CORPUS") == "" {
		t.Skip("set PADLOCK_WRITE_CORPUS=1 to regenerate testdata/fuzz")
	}
	q := func(b []byte) string { return "[]byte(" + strconv.Quote(string(b)) + ")" }
	write := func(target, name, arg string) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte("go test fuzz v1\n"+arg+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("FuzzParseNewSessionTicket13", "seed-early-data", q(nst13(16384, true)))
	write("FuzzParseNewSessionTicket13", "seed-no-early-data", q(nst13(0, false)))
	write("FuzzServerTickets13", "seed-ticket", q(serverWire13(t, nst13(4096, true))))
	good := bytes.Repeat([]byte{0x9}, 16)
	write("FuzzJudgeHeartbeat", "seed-echo", q(append([]byte{2, 0, 16}, append(good, make([]byte, 16)...)...)))
	write("FuzzJudgeHeartbeat", "seed-leak", q(append([]byte{2, 0x10, 0}, bytes.Repeat([]byte{0xe}, 64)...)))
	write("FuzzParseDHPrimes", "seed-data", "string("+strconv.Quote(dhPrimesData)+")")
	write("FuzzParseKeyLog", "seed-keylog", "string("+strconv.Quote("SERVER_HANDSHAKE_TRAFFIC_SECRET 00 0101\nSERVER_TRAFFIC_SECRET_0 00 0202\n")+")")
}
