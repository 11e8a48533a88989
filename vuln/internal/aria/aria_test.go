package aria

import (
	"bytes"
	"crypto/cipher"
	"encoding/hex"
	"os/exec"
	"testing"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// The first rows of the S-box tables of RFC 5794 §2.4.2 (SB4, the
// inverse of SB2, is covered by the test vectors).
func TestSBoxes(t *testing.T) {
	for _, c := range []struct {
		name string
		box  *[256]byte
		row  string
	}{
		{"SB1", &sb1, "637c777bf26b6fc53001672bfed7ab76"},
		{"SB2", &sb2, "e24e54fc94c24acc620d6a463c4d8bd1"},
		{"SB3", &sb3, "52096ad53036a538bf40a39e81f3d7fb"},
	} {
		if got := hex.EncodeToString(c.box[:16]); got != c.row {
			t.Errorf("%s[0:16] = %s, want %s", c.name, got, c.row)
		}
	}
}

func TestDiffusionIsInvolution(t *testing.T) {
	var x block
	for i := range x {
		x[i] = byte(i*37 + 5)
	}
	if diffuse(diffuse(x)) != x {
		t.Error("A(A(x)) != x")
	}
}

// RFC 5794 Appendix A.1.
var vectors = []struct{ key, plain, cipher string }{
	{"000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff", "d718fbd6ab644c739da95f3be6451778"},
	{"000102030405060708090a0b0c0d0e0f1011121314151617", "00112233445566778899aabbccddeeff", "26449c1805dbe7aa25a468ce263a9e79"},
	{"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "00112233445566778899aabbccddeeff", "f92bd7c79fb72e2f2b8f80c1972d24fc"},
}

func TestRFC5794Vectors(t *testing.T) {
	for _, v := range vectors {
		c, err := NewCipher(unhex(v.key))
		if err != nil {
			t.Fatal(err)
		}
		out := make([]byte, BlockSize)
		c.Encrypt(out, unhex(v.plain))
		if hex.EncodeToString(out) != v.cipher {
			t.Errorf("key %s: encrypt = %x, want %s", v.key, out, v.cipher)
		}
		c.Decrypt(out, out)
		if hex.EncodeToString(out) != v.plain {
			t.Errorf("key %s: decrypt = %x, want %s", v.key, out, v.plain)
		}
	}
}

func TestBadKey(t *testing.T) {
	if _, err := NewCipher(make([]byte, 17)); err == nil {
		t.Error("17-byte key accepted")
	}
}

// TestAgainstOpenSSL encrypts the same CBC message with openssl enc (a
// real, independent implementation) when it is installed.
func TestAgainstOpenSSL(t *testing.T) {
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed")
	}
	plain := bytes.Repeat([]byte("padlock aria cbc"), 5)
	iv := unhex("000102030405060708090a0b0c0d0e0f")
	for _, key := range []string{"00112233445566778899aabbccddeeff", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"} {
		name := map[int]string{16: "-aria-128-cbc", 32: "-aria-256-cbc"}[len(key)/2]
		cmd := exec.Command(path, "enc", name, "-nopad", "-K", key, "-iv", hex.EncodeToString(iv))
		cmd.Stdin = bytes.NewReader(plain)
		want, err := cmd.Output()
		if err != nil {
			t.Fatalf("openssl %s: %v", name, err)
		}
		b, _ := NewCipher(unhex(key))
		got := make([]byte, len(plain))
		cipher.NewCBCEncrypter(b, iv).CryptBlocks(got, plain)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: %x, openssl %x", name, got, want)
		}
	}
}
