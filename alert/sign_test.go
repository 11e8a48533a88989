package alert

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"padlock/lab/missing"
)

func TestSignVerify(t *testing.T) {
	secret := []byte("whsec-test")
	body := []byte(`{"type":"padlock.alert/1","id":1}`)
	at := time.Unix(1765000000, 0)
	sig := Sign(secret, at, body)
	if !strings.HasPrefix(sig, "t=1765000000,v1=") || len(sig) != len("t=1765000000,v1=")+64 {
		t.Fatalf("signature %q", sig)
	}
	other := Sign([]byte("old-secret"), at, body)
	v1Other := other[strings.Index(other, "v1="):]
	tests := []struct {
		name   string
		secret []byte
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"valid", secret, sig, body, at.Add(time.Minute), nil},
		{"valid, rotated secret listed second", secret, sig + "," + v1Other, body, at, nil},
		{"valid, spaces", secret, strings.ReplaceAll(sig, ",", ", "), body, at, nil},
		{"wrong secret", []byte("other"), sig, body, at, ErrBadSignature},
		{"body changed", secret, sig, append([]byte(nil), append(body, ' ')...), at, ErrBadSignature},
		{"replayed later", secret, sig, body, at.Add(10 * time.Minute), ErrStale},
		{"from the future", secret, sig, body, at.Add(-10 * time.Minute), ErrStale},
		{"timestamp changed", secret, strings.Replace(sig, "t=1765000000", "t=1765000001", 1), body, at, ErrBadSignature},
		{"no v1", secret, "t=1765000000", body, at, ErrNoSignature},
		{"no t", secret, sig[strings.Index(sig, "v1="):], body, at, ErrNoSignature},
		{"short v1", secret, "t=1765000000,v1=abcd", body, at, ErrNoSignature},
		{"empty", secret, "", body, at, ErrNoSignature},
		{"garbage", secret, "\x00,,==,t=,v1=zz", body, at, ErrNoSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secret, tt.header, tt.body, tt.now, 0)
			if !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// The signature is plain HMAC-SHA256 over "<t>.<body>": what
// docs/webhooks.md tells receivers to compute, here with openssl as a
// receiver without Go would.
func TestSignatureMatchesOpenSSL(t *testing.T) {
	secret := "whsec-openssl"
	body := `{"site":"a.example","changes":[]}`
	at := time.Unix(1765000000, 0)
	sig := Sign([]byte(secret), at, []byte(body))
	_, v1, _ := strings.Cut(sig, "v1=")

	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("1765000000." + body))
	if want := hex.EncodeToString(m.Sum(nil)); v1 != want {
		t.Fatalf("v1 %s, want %s", v1, want)
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		missing.Peer(t, "openssl not installed")
	}
	cmd := exec.Command("openssl", "dgst", "-sha256", "-hmac", secret, "-r")
	cmd.Stdin = strings.NewReader("1765000000." + body)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _ := strings.Cut(string(out), " "); got != v1 {
		t.Errorf("openssl says %s, padlock signed %s", got, v1)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add("t=1765000000,v1=" + strings.Repeat("ab", 32))
	f.Add("t=1,v1=00,v1=" + strings.Repeat("0", 64))
	f.Add(",,,=")
	f.Fuzz(func(t *testing.T, header string) {
		err := Verify([]byte("k"), header, []byte("{}"), time.Unix(1765000000, 0), 0)
		if err == nil {
			t.Fatalf("a forged header verified: %q", header)
		}
	})
}
