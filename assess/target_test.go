package assess

import (
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		in      string
		host    string
		port    uint16
		sni     string
		wantErr string // substring of the error; "" means success
	}{
		{in: "example.com", host: "example.com", port: 443, sni: "example.com"},
		{in: "  Example.COM.  ", host: "example.com", port: 443, sni: "example.com"},
		{in: "example.com:8443", host: "example.com", port: 8443, sni: "example.com"},
		{in: "example.com/some/path", host: "example.com", port: 443, sni: "example.com"},
		{in: "https://example.com", host: "example.com", port: 443, sni: "example.com"},
		{in: "HTTPS://example.com:444/x?y=z#f", host: "example.com", port: 444, sni: "example.com"},
		{in: "https://[2001:db8::1]:8443/", host: "2001:db8::1", port: 8443, sni: ""},
		{in: "192.0.2.7", host: "192.0.2.7", port: 443, sni: ""},
		{in: "192.0.2.7:10443", host: "192.0.2.7", port: 10443, sni: ""},
		{in: "[2001:db8::1]:443", host: "2001:db8::1", port: 443, sni: ""},
		{in: "[2001:db8::1]", host: "2001:db8::1", port: 443, sni: ""},
		{in: "2001:db8::1", host: "2001:db8::1", port: 443, sni: ""},
		{in: "[::ffff:192.0.2.1]:443", host: "192.0.2.1", port: 443, sni: ""},
		{in: "_dmarc.example.com", host: "_dmarc.example.com", port: 443, sni: "_dmarc.example.com"},
		{in: "xn--bcher-kva.example", host: "xn--bcher-kva.example", port: 443, sni: "xn--bcher-kva.example"},
		{in: long63 + ".example", host: long63 + ".example", port: 443, sni: long63 + ".example"},

		{in: "", wantErr: "empty target"},
		{in: "   ", wantErr: "empty target"},
		{in: "http://example.com", wantErr: "unsupported scheme"},
		{in: "ftp://example.com", wantErr: "unsupported scheme"},
		{in: "https://", wantErr: "no host"},
		{in: "https://user:pw@example.com", wantErr: "credentials"},
		{in: "example.com:0", wantErr: "bad port"},
		{in: "example.com:65536", wantErr: "bad port"},
		{in: "example.com:https", wantErr: "bad port"},
		{in: "example.com:", wantErr: "empty port"},
		{in: "2001:db8::1:443x", wantErr: "need brackets"},
		{in: "[2001:db8::1", wantErr: "missing ']'"},
		{in: "[example.com]:443", wantErr: "not an IPv6 address"},
		{in: "[2001:db8::1]x", wantErr: "unexpected"},
		{in: "[fe80::1%eth0]:443", wantErr: "scoped"},
		{in: "exa mple.com", wantErr: "not allowed"},
		{in: "-bad.example", wantErr: "starts or ends"},
		{in: "a..b", wantErr: "empty label"},
		{in: "bücher.example", wantErr: "xn--"},
		{in: strings.Repeat("a", 64) + ".example", wantErr: "longer than 63"},
		{in: strings.Repeat(long63+".", 4) + "com", wantErr: "longer than DNS allows"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTarget(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseTarget(%q) = %+v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTarget(%q): %v", tt.in, err)
			}
			if got.Host != tt.host || got.Port != tt.port || got.sni() != tt.sni {
				t.Errorf("ParseTarget(%q) = host %q port %d sni %q; want %q %d %q", tt.in, got.Host, got.Port, got.sni(), tt.host, tt.port, tt.sni)
			}
		})
	}
}

func TestTargetDefaults(t *testing.T) {
	tg := Target{Host: "example.com", SNI: "other.example"}
	if tg.sni() != "other.example" {
		t.Errorf("explicit SNI not kept: %q", tg.sni())
	}
	if tg.port() != 443 || tg.String() != "example.com:443" {
		t.Errorf("default port: %d %q", tg.port(), tg.String())
	}
	v6 := Target{Host: "2001:db8::1", Port: 8443}
	if v6.String() != "[2001:db8::1]:8443" {
		t.Errorf("String() = %q", v6.String())
	}
}
