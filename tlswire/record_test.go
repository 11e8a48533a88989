package tlswire

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestContentTypeString(t *testing.T) {
	for ct, want := range map[ContentType]string{
		TypeChangeCipherSpec: "change_cipher_spec",
		TypeAlert:            "alert",
		TypeHandshake:        "handshake",
		TypeApplicationData:  "application_data",
		TypeHeartbeat:        "heartbeat",
		99:                   "ContentType(99)",
	} {
		if got := ct.String(); got != want {
			t.Errorf("ContentType(%d).String() = %q, want %q", uint8(ct), got, want)
		}
	}
}

func TestParseRecord(t *testing.T) {
	big := bytes.Repeat([]byte{0xab}, MaxRecordPayload)
	tests := []struct {
		name    string
		in      []byte
		want    Record
		n       int
		wantErr error
		errText string
	}{
		{name: "alert", in: []byte{21, 3, 3, 0, 2, 2, 40},
			want: Record{Type: TypeAlert, Version: 0x0303, Payload: []byte{2, 40}}, n: 7},
		{name: "trailing data kept", in: []byte{22, 3, 1, 0, 1, 14, 23, 3, 3},
			want: Record{Type: TypeHandshake, Version: 0x0301, Payload: []byte{14}}, n: 6},
		{name: "empty payload", in: []byte{23, 3, 3, 0, 0},
			want: Record{Type: TypeApplicationData, Version: 0x0303, Payload: []byte{}}, n: 5},
		{name: "SSLv3", in: []byte{20, 3, 0, 0, 1, 1},
			want: Record{Type: TypeChangeCipherSpec, Version: 0x0300, Payload: []byte{1}}, n: 6},
		{name: "largest", in: append([]byte{23, 3, 3, 0x48, 0x00}, big...),
			want: Record{Type: TypeApplicationData, Version: 0x0303, Payload: big}, n: 5 + MaxRecordPayload},
		{name: "empty input", in: nil, wantErr: ErrIncomplete},
		{name: "partial header", in: []byte{22, 3, 1, 0}, wantErr: ErrIncomplete},
		{name: "partial payload", in: []byte{22, 3, 1, 0, 4, 1, 2, 3}, wantErr: ErrIncomplete},
		{name: "overflow", in: []byte{23, 3, 3, 0x48, 0x01}, wantErr: ErrMalformed, errText: "18433"},
		{name: "max length field", in: []byte{22, 3, 3, 0xff, 0xff}, wantErr: ErrMalformed},
		{name: "HTTP", in: []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), wantErr: ErrNotTLS, errText: `"HTTP/1.1 400 Bad"...`},
		{name: "SSH", in: []byte("SSH-2.0-OpenSSH_9.6\r\n"), wantErr: ErrNotTLS, errText: "SSH-2.0"},
		{name: "one byte", in: []byte{'<'}, wantErr: ErrNotTLS},
		{name: "bad major version", in: []byte{22, 2, 0, 0, 1, 0}, wantErr: ErrNotTLS},
		{name: "bad zero-major version", in: []byte{21, 0, 2, 0, 2, 2, 40}, wantErr: ErrNotTLS},
		{name: "version 0x0000 alert", in: []byte{21, 0, 0, 0, 2, 2, 70},
			want: Record{Type: TypeAlert, Version: 0, Payload: []byte{2, 70}}, n: 7},
		{name: "SSLv2 answer", in: []byte{0x80, 0x03, 0x00, 0x00, 0x01}, wantErr: ErrNotTLS, errText: "SSLv2"},
		{name: "unknown type 25", in: []byte{25, 3, 3, 0, 0}, wantErr: ErrNotTLS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, n, err := ParseRecord(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.errText) {
					t.Errorf("error %q does not contain %q", err, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.n || r.Type != tt.want.Type || r.Version != tt.want.Version || !bytes.Equal(r.Payload, tt.want.Payload) {
				t.Errorf("got %v %#04x %x n=%d, want %+v n=%d", r.Type, r.Version, r.Payload, n, tt.want, tt.n)
			}
			if !bytes.Equal(r.Marshal(), tt.in[:n]) {
				t.Error("Marshal does not reproduce the input")
			}
			// The payload is a copy.
			if len(r.Payload) > 0 {
				tt.in[5] ^= 0xff
				if r.Payload[0] == tt.in[5] {
					t.Error("payload aliases the input")
				}
				tt.in[5] ^= 0xff
			}
		})
	}
}

func TestParseRecordTruncated(t *testing.T) {
	rec := Record{Type: TypeHandshake, Version: 0x0301, Payload: []byte{1, 0, 0, 3, 1, 2, 3}}.Marshal()
	for i := range rec {
		if _, _, err := ParseRecord(rec[:i]); err != ErrIncomplete {
			t.Errorf("prefix %d: err = %v, want ErrIncomplete", i, err)
		}
	}
}

func TestLooksLikeTLS(t *testing.T) {
	for _, tt := range []struct {
		in   []byte
		want bool
	}{
		{[]byte{22, 3, 1}, true},
		{[]byte{21, 3, 3, 0, 2}, true},
		{[]byte{22, 3}, true},
		{[]byte{22}, true},
		{[]byte{22, 2}, false},
		{[]byte{22, 3, 3, 0xff, 0xff}, false},
		{[]byte{21, 0, 0, 0, 2}, true},
		{[]byte{21, 0, 1, 0, 2}, false},
		{[]byte("HTTP/1.0"), false},
		{[]byte{0x80, 0x2e, 0x01}, false},
		{nil, false},
	} {
		if got := LooksLikeTLS(tt.in); got != tt.want {
			t.Errorf("LooksLikeTLS(%x) = %v", tt.in, got)
		}
	}
}

func TestFragment(t *testing.T) {
	payload := make([]byte, 40000)
	for i := range payload {
		payload[i] = byte(i)
	}
	tests := []struct {
		name    string
		payload []byte
		max     int
		sizes   []int
	}{
		{"default max", payload, 0, []int{16384, 16384, 7232}},
		{"negative max", payload[:100], -1, []int{100}},
		{"exact multiple", payload[:30], 10, []int{10, 10, 10}},
		{"remainder", payload[:31], 10, []int{10, 10, 10, 1}},
		{"one byte records", payload[:3], 1, []int{1, 1, 1}},
		{"empty", nil, 0, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := Fragment(TypeHandshake, 0x0303, tt.payload, tt.max)
			if len(recs) != len(tt.sizes) {
				t.Fatalf("%d records, want %d", len(recs), len(tt.sizes))
			}
			var joined []byte
			for i, r := range recs {
				if len(r.Payload) != tt.sizes[i] || r.Type != TypeHandshake || r.Version != 0x0303 {
					t.Errorf("record %d: %v %#04x %d bytes", i, r.Type, r.Version, len(r.Payload))
				}
				joined = append(joined, r.Payload...)
			}
			if !bytes.Equal(joined, tt.payload) {
				t.Error("records do not reassemble to the payload")
			}
		})
	}
}
