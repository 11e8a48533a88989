package tlswire

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSSLv2ClientHello(t *testing.T) {
	m := &SSLv2ClientHello{
		Version:     0x0002,
		CipherSpecs: []uint32{0x010080, 0x070Ac0, 0x000035},
		SessionID:   []byte{},
		Challenge:   seq(16, 0xa0),
	}
	rec, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x80, 34, // header: 9 + 9 + 16
		1, 0, 2, // CLIENT-HELLO, version 2
		0, 9, 0, 0, 0, 16,
		0x01, 0x00, 0x80, 0x07, 0x0a, 0xc0, 0x00, 0x00, 0x35,
	}
	want = append(want, seq(16, 0xa0)...)
	if !bytes.Equal(rec, want) {
		t.Fatalf("Marshal =\n%x\nwant\n%x", rec, want)
	}
	msg, n, err := ParseSSLv2Record(rec)
	if err != nil || n != len(rec) {
		t.Fatalf("ParseSSLv2Record: n=%d err=%v", n, err)
	}
	got, err := ParseSSLv2ClientHello(msg)
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Errorf("round trip: %+v, %v", got, err)
	}
	checkTruncations(t, msg, func(b []byte) error {
		_, err := ParseSSLv2ClientHello(b)
		return err
	})
	for name, bad := range map[string]*SSLv2ClientHello{
		"short challenge": {Challenge: seq(15, 0)},
		"long challenge":  {Challenge: seq(33, 0)},
		"8-byte session":  {SessionID: seq(8, 0), Challenge: seq(16, 0)},
	} {
		rec, err := bad.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseSSLv2ClientHello(rec[2:]); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := (&SSLv2ClientHello{CipherSpecs: []uint32{0x1000000}}).Marshal(); err == nil {
		t.Error("4-byte cipher spec marshaled")
	}
	if _, err := (&SSLv2ClientHello{Challenge: make([]byte, 32760)}).Marshal(); err == nil {
		t.Error("oversized record marshaled")
	}
}

func TestSSLv2ServerHello(t *testing.T) {
	m := &SSLv2ServerHello{
		SessionIDHit:    false,
		CertificateType: SSLv2CertificateTypeX509,
		Version:         0x0002,
		Certificate:     seq(500, 0x30),
		CipherSpecs:     []uint32{0x010080, 0x020080, 0x030080, 0x040080, 0x050080, 0x060040, 0x0700c0},
		ConnectionID:    seq(16, 1),
	}
	rec, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if rec[0] != 0x80|byte((len(rec)-2)>>8) || rec[1] != byte(len(rec)-2) || rec[2] != SSLv2MsgServerHello {
		t.Errorf("header %x", rec[:3])
	}
	if !LooksLikeSSLv2(rec) || LooksLikeTLS(rec) {
		t.Error("LooksLikeSSLv2/LooksLikeTLS misjudge an SSLv2 SERVER-HELLO")
	}
	// Followed by more data, as when the server sends a second record.
	msg, n, err := ParseSSLv2Record(append(bytes.Clone(rec), 0x80, 3))
	if err != nil || n != len(rec) {
		t.Fatalf("ParseSSLv2Record: n=%d err=%v", n, err)
	}
	got, err := ParseSSLv2ServerHello(msg)
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	checkTruncations(t, msg, func(b []byte) error {
		_, err := ParseSSLv2ServerHello(b)
		if errors.As(err, new(SSLv2Error)) {
			return nil // not expected here
		}
		return err
	})
	for i := range rec {
		if _, _, err := ParseSSLv2Record(rec[:i]); err != ErrIncomplete {
			t.Errorf("record prefix %d: err = %v", i, err)
		}
	}

	hit := *m
	hit.SessionIDHit = true
	hit.Certificate = []byte{}
	hit.CipherSpecs = []uint32{}
	rec, _ = hit.Marshal()
	if got, err := ParseSSLv2ServerHello(rec[2:]); err != nil || !reflect.DeepEqual(got, &hit) {
		t.Errorf("session hit: %+v, %v", got, err)
	}

	bad := bytes.Clone(msg)
	bad[9] = 0x02 // cipher specs length 0x0215: not a multiple of 3
	if _, err := ParseSSLv2ServerHello(bad); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad cipher specs length: err = %v", err)
	}
	if _, err := ParseSSLv2ServerHello([]byte{SSLv2MsgServerVerify, 1, 2}); !errors.Is(err, ErrMalformed) {
		t.Errorf("wrong message type: err = %v", err)
	}
}

func TestSSLv2Error(t *testing.T) {
	rec := []byte{0x80, 3, SSLv2MsgError, 0, 1}
	if !LooksLikeSSLv2(rec) {
		t.Error("LooksLikeSSLv2(ERROR) = false")
	}
	msg, _, err := ParseSSLv2Record(rec)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseSSLv2ServerHello(msg)
	var e SSLv2Error
	if !errors.As(err, &e) || e.Code != SSLv2NoCipherError {
		t.Fatalf("err = %v, want SSLv2Error{1}", err)
	}
	var pe *SSLv2Error
	if !errors.As(err, &pe) || pe.Code != SSLv2NoCipherError {
		t.Fatalf("errors.As with a *SSLv2Error target failed on %v", err)
	}
	if errors.As(errors.New("x"), &pe) || errors.As(ErrMalformed, &e) {
		t.Fatal("errors.As matched an unrelated error")
	}
	if !strings.Contains(err.Error(), "NO-CIPHER-ERROR") {
		t.Errorf("message %q", err)
	}
	if _, err := ParseSSLv2ServerHello([]byte{0, 1}); !errors.Is(err, ErrMalformed) {
		t.Errorf("short ERROR: err = %v", err)
	}
	if s := (SSLv2Error{Code: 0x99}).Error(); !strings.Contains(s, "0x0099") {
		t.Errorf("unknown code: %q", s)
	}
}

func TestParseSSLv2Record(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		msg     []byte
		n       int
		wantErr error
	}{
		{"two-byte header", []byte{0x80, 3, 4, 5, 6, 7}, []byte{4, 5, 6}, 5, nil},
		{"three-byte header with padding", []byte{0x00, 5, 2, 4, 5, 6, 0, 0}, []byte{4, 5, 6}, 8, nil},
		{"three-byte escape header", []byte{0x40, 2, 0, 4, 5}, []byte{4, 5}, 5, nil},
		{"largest", append([]byte{0xff, 0xff}, make([]byte, MaxSSLv2Record)...), make([]byte, MaxSSLv2Record), 2 + MaxSSLv2Record, nil},
		{"empty input", nil, nil, 0, ErrIncomplete},
		{"one byte", []byte{0x80}, nil, 0, ErrIncomplete},
		{"short three-byte header", []byte{0x00, 5}, nil, 0, ErrIncomplete},
		{"short body", []byte{0x80, 5, 4, 0}, nil, 0, ErrIncomplete},
		{"padding exceeds length", []byte{0x00, 2, 3, 1, 2}, nil, 0, ErrMalformed},
		{"empty record", []byte{0x80, 0}, nil, 0, ErrMalformed},
		{"TLS alert", []byte{21, 3, 1, 0, 2, 2, 40}, nil, 0, ErrNotSSLv2},
		{"TLS handshake", []byte{22, 3, 3, 0, 0x4a}, nil, 0, ErrNotSSLv2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, n, err := ParseSSLv2Record(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || n != tt.n || !bytes.Equal(msg, tt.msg) {
				t.Errorf("got %x n=%d err=%v", msg, n, err)
			}
		})
	}
}

func TestLooksLikeSSLv2(t *testing.T) {
	for _, tt := range []struct {
		in   []byte
		want bool
	}{
		{[]byte{0x80, 3, 0}, true},
		{[]byte{0x81, 0x20, 4}, true},
		{[]byte{0x80, 3}, true},
		{[]byte{0x80}, true},
		{nil, false},
		{[]byte{0x80, 0}, false},
		{[]byte{0x80, 0, 0}, false},
		{[]byte{0x80, 3, 9}, false},
		{[]byte{22, 3, 1}, false},
		{[]byte("HTTP/1.1"), false},
	} {
		if got := LooksLikeSSLv2(tt.in); got != tt.want {
			t.Errorf("LooksLikeSSLv2(%x) = %v", tt.in, got)
		}
	}
}
