package assess

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestReadHead(t *testing.T) {
	for _, c := range []struct {
		in      string
		status  int
		headers int
		err     string
	}{
		{"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\n\r\nbody", 200, 2, ""},
		{"HTTP/1.0 301 Moved\nLocation: https://other.example/\n\n", 301, 1, ""},
		{"HTTP/1.1 200 OK\r\nX-Bad: a\x00b\r\n\r\n", 200, 0, "control character"},
		{"SSH-2.0-OpenSSH\r\n", 0, 0, "not an HTTP status line"},
		{"HTTP/1.1 200 OK\r\nServer: x\r\n", 200, 1, "ended early"},
		{"HTTP/1.1 200 OK\r\n" + strings.Repeat("A: b\r\n", 200) + "\r\n", 200, httpGetMaxHeaders, "more than"},
		{"HTTP/1.1 200 OK\r\nBig: " + strings.Repeat("x", 70<<10) + "\r\n\r\n", 200, 0, "64 KiB"},
	} {
		var tx HTTPTransaction
		err := readHead(strings.NewReader(c.in), &tx)
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%.40q: err %v, want %q", c.in, err, c.err)
		}
		if tx.StatusCode != c.status || len(tx.ResponseHeaders) != c.headers {
			t.Errorf("%.40q: status %d headers %d", c.in, tx.StatusCode, len(tx.ResponseHeaders))
		}
	}
}

// FuzzReadHead: any bytes give a bounded result or an error, never a
// panic, and never a control character in what is kept.
func FuzzReadHead(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 302 Found\r\nLocation: https://x.example/\r\nSet-Cookie: a=b\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 999\r\n\r\n"))
	f.Add([]byte("\x16\x03\x01\x00\x05hello"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var tx HTTPTransaction
		_ = readHead(strings.NewReader(string(b)), &tx)
		if len(tx.ResponseHeadersRaw) > httpGetMaxHeaders {
			t.Fatalf("%d headers kept", len(tx.ResponseHeadersRaw))
		}
		for _, l := range append(tx.ResponseHeadersRaw, tx.ResponseLine) {
			for _, r := range l {
				if (r < 0x20 && r != '\t') || r == 0x7f {
					t.Fatalf("control character kept: %q", l)
				}
			}
		}
		if utf8.ValidString(tx.ResponseLine) && !utf8.ValidString(clipText(tx.ResponseLine, 80)) {
			t.Fatalf("clipping broke UTF-8: %q", tx.ResponseLine)
		}
	})
}
