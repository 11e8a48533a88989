package tlswire

import (
	"bytes"
	"errors"
	"runtime"
	"testing"
)

func TestHandshakeTypeString(t *testing.T) {
	for ht, want := range map[HandshakeType]string{
		HandshakeClientHello:       "client_hello",
		HandshakeServerHelloDone:   "server_hello_done",
		HandshakeCertificateStatus: "certificate_status",
		HandshakeMessageHash:       "message_hash",
		HandshakeType(99):          "HandshakeType(99)",
	} {
		if got := ht.String(); got != want {
			t.Errorf("%d: %q, want %q", uint8(ht), got, want)
		}
	}
}

// drain returns every complete message in h.
func drain(t *testing.T, h *HandshakeReader) []Handshake {
	t.Helper()
	var out []Handshake
	for {
		m, err := h.Next()
		if errors.Is(err, ErrIncomplete) {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, m)
	}
}

func TestHandshakeReader(t *testing.T) {
	sh := Handshake{Type: HandshakeServerHello, Body: bytes.Repeat([]byte{2}, 70)}
	cert := Handshake{Type: HandshakeCertificate, Body: bytes.Repeat([]byte{11}, 3000)}
	ske := Handshake{Type: HandshakeServerKeyExchange, Body: bytes.Repeat([]byte{12}, 300)}
	done := Handshake{Type: HandshakeServerHelloDone, Body: []byte{}}
	var flight []byte
	for _, m := range []Handshake{sh, cert, ske, done} {
		flight = append(flight, m.Marshal()...)
	}
	want := []Handshake{sh, cert, ske, done}

	check := func(t *testing.T, got []Handshake) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("got %d messages, want %d", len(got), len(want))
		}
		for i := range got {
			if got[i].Type != want[i].Type || !bytes.Equal(got[i].Body, want[i].Body) {
				t.Errorf("message %d: %s with %d bytes, want %s with %d", i, got[i].Type, len(got[i].Body), want[i].Type, len(want[i].Body))
			}
		}
	}

	t.Run("several messages in one record", func(t *testing.T) {
		var h HandshakeReader
		h.Write(flight)
		check(t, drain(t, &h))
		if h.Buffered() != 0 {
			t.Errorf("Buffered = %d", h.Buffered())
		}
	})
	t.Run("message split across three records", func(t *testing.T) {
		var h HandshakeReader
		certBytes := cert.Marshal()
		var got []Handshake
		h.Write(sh.Marshal())
		got = append(got, drain(t, &h)...)
		for _, part := range [][]byte{certBytes[:2], certBytes[2:1500], certBytes[1500:]} {
			if len(got) != 1 {
				t.Fatalf("certificate completed early")
			}
			h.Write(part)
			got = append(got, drain(t, &h)...)
		}
		h.Write(append(ske.Marshal(), done.Marshal()...))
		got = append(got, drain(t, &h)...)
		check(t, got)
	})
	t.Run("byte at a time", func(t *testing.T) {
		var h HandshakeReader
		var got []Handshake
		for i := range flight {
			h.Write(flight[i : i+1])
			got = append(got, drain(t, &h)...)
		}
		check(t, got)
	})
	t.Run("record boundaries from Fragment", func(t *testing.T) {
		var h HandshakeReader
		var got []Handshake
		for _, r := range Fragment(TypeHandshake, 0x0303, flight, 1000) {
			h.Write(r.Payload)
			got = append(got, drain(t, &h)...)
		}
		check(t, got)
	})
	t.Run("bodies are copies", func(t *testing.T) {
		var h HandshakeReader
		buf := append([]byte{}, sh.Marshal()...)
		h.Write(buf)
		buf[10] = 0xee
		m, err := h.Next()
		if err != nil || m.Body[6] != 2 {
			t.Errorf("body changed with the written buffer (err %v)", err)
		}
		h.Write(ske.Marshal())
		if m.Body[0] != 2 {
			t.Error("earlier body changed by a later Write")
		}
	})
}

func TestHandshakeReaderLimits(t *testing.T) {
	t.Run("16 MiB header", func(t *testing.T) {
		var h HandshakeReader
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		h.Write([]byte{byte(HandshakeCertificate), 0xff, 0xff, 0xff, 1, 2, 3})
		_, err := h.Next()
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("err = %v, want ErrMalformed", err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("rejecting a 16 MiB header allocated %d bytes", n)
		}
		// The error is sticky and nothing more is buffered.
		h.Write(Handshake{Type: HandshakeFinished, Body: []byte{1}}.Marshal())
		if _, err2 := h.Next(); err2 != err || h.Buffered() != 0 {
			t.Errorf("after error: %v, %d buffered", err2, h.Buffered())
		}
		h.Reset()
		h.Write(Handshake{Type: HandshakeFinished, Body: []byte{1}}.Marshal())
		if m, err := h.Next(); err != nil || m.Type != HandshakeFinished {
			t.Errorf("after Reset: %v, %v", m, err)
		}
	})
	t.Run("largest message", func(t *testing.T) {
		var h HandshakeReader
		body := make([]byte, MaxHandshakeMessage)
		for _, r := range Fragment(TypeHandshake, 0x0303, Handshake{Type: HandshakeCertificate, Body: body}.Marshal(), 0) {
			h.Write(r.Payload)
		}
		if m, err := h.Next(); err != nil || len(m.Body) != MaxHandshakeMessage {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("one byte too large", func(t *testing.T) {
		var h HandshakeReader
		n := MaxHandshakeMessage + 1
		h.Write([]byte{byte(HandshakeCertificate), byte(n >> 16), byte(n >> 8), byte(n)})
		if _, err := h.Next(); !errors.Is(err, ErrMalformed) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("undrained writes are bounded", func(t *testing.T) {
		var h HandshakeReader
		small := Handshake{Type: HandshakeFinished, Body: make([]byte, MaxPlaintext-4)}.Marshal()
		for i := 0; i < 100; i++ {
			h.Write(small)
		}
		if h.Buffered() > MaxHandshakeBuffered {
			t.Errorf("Buffered = %d", h.Buffered())
		}
		if _, err := h.Next(); !errors.Is(err, ErrMalformed) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestHandshakeMarshal(t *testing.T) {
	got := Handshake{Type: HandshakeFinished, Body: []byte{9, 8, 7}}.Marshal()
	if want := []byte{20, 0, 0, 3, 9, 8, 7}; !bytes.Equal(got, want) {
		t.Errorf("Marshal = %x, want %x", got, want)
	}
}
