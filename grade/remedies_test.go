package grade

import (
	"strings"
	"testing"
)

func TestEveryRuleHasARemedy(t *testing.T) {
	for _, s := range Rules() {
		r := RemedyFor(s.ID)
		if r.Summary == "" {
			t.Errorf("%s has no remedy", s.ID)
		}
		if strings.Contains(r.Summary, "\n") {
			t.Errorf("%s remedy summary is not one line", s.ID)
		}
	}
	if (RemedyFor("nope") != Remedy{}) {
		t.Error("remedy for an unknown rule")
	}
}

// The configuration lines a reader will paste must be exactly right.
func TestRemedyLines(t *testing.T) {
	cases := []struct {
		rule          RuleID
		nginx, apache string
		iisContains   string
	}{
		{RuleB5, "ssl_protocols TLSv1.2 TLSv1.3;", "SSLProtocol -all +TLSv1.2 +TLSv1.3", `Protocols\TLS 1.0\Server: Enabled=0`},
		{RuleB1, "ssl_protocols TLSv1.2 TLSv1.3;", "SSLProtocol -all +TLSv1.2 +TLSv1.3", `Protocols\SSL 2.0\Server`},
		{RuleB2, "ssl_protocols TLSv1.2 TLSv1.3;", "SSLProtocol -all +TLSv1.2 +TLSv1.3", `Protocols\SSL 3.0\Server`},
		{RuleF4, `add_header Strict-Transport-Security "max-age=63072000" always;`, `Header always set Strict-Transport-Security "max-age=63072000"`, "<hsts"},
		{RuleC4, "ssl_dhparam /path/to/ffdhe2048.pem;", `SSLOpenSSLConfCmd DHParameters "/path/to/ffdhe2048.pem"`, "ServerMinKeyBitLength"},
		{RuleB10, "", "SSLCompression off", ""},
		{RuleA13, "ssl_certificate /path/to/fullchain.pem;", "", "Intermediate Certification Authorities"},
	}
	for _, c := range cases {
		r := RemedyFor(c.rule)
		if r.Nginx != c.nginx {
			t.Errorf("%s nginx %q", c.rule, r.Nginx)
		}
		if c.apache != "" && r.Apache != c.apache {
			t.Errorf("%s apache %q", c.rule, r.Apache)
		}
		if !strings.Contains(r.IIS, c.iisContains) {
			t.Errorf("%s IIS %q", c.rule, r.IIS)
		}
	}
	// Cipher remedies list only ECDHE AEAD suites and leave the order to
	// the client.
	for _, id := range []RuleID{RuleC1, RuleC2, RuleC6, RuleD1, RuleD2, RuleD3, RuleD4, RuleD5, RuleD6, RuleD7, RuleE8} {
		r := RemedyFor(id)
		if !strings.HasPrefix(r.Nginx, "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:") || !strings.HasSuffix(r.Nginx, "ssl_prefer_server_ciphers off;") {
			t.Errorf("%s nginx %q", id, r.Nginx)
		}
		if !strings.HasPrefix(r.Apache, "SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:") || !strings.HasSuffix(r.Apache, "SSLHonorCipherOrder off") {
			t.Errorf("%s apache %q", id, r.Apache)
		}
		for _, bad := range []string{"RC4", "DES", "NULL", "EXP", "CBC", "SHA:"} {
			if strings.Contains(aeadCipherList, bad) {
				t.Errorf("cipher list contains %s", bad)
			}
		}
	}
}
