package camellia

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

// The first row of SBOX1 as RFC 3713 §2.4.4 prints it (decimal).
func TestSBOX1FirstRow(t *testing.T) {
	want := []byte{112, 130, 44, 236, 179, 39, 192, 229, 228, 133, 87, 53, 234, 12, 174, 65}
	if !bytes.Equal(sbox1[:16], want) {
		t.Errorf("SBOX1[0:16] = %v, want %v", sbox1[:16], want)
	}
	seen := map[byte]bool{}
	for _, v := range sbox1 {
		seen[v] = true
	}
	if len(seen) != 256 {
		t.Errorf("SBOX1 is not a permutation")
	}
}

// RFC 3713 Appendix A.
var vectors = []struct{ key, plain, cipher string }{
	{"0123456789abcdeffedcba9876543210", "0123456789abcdeffedcba9876543210", "67673138549669730857065648eabe43"},
	{"0123456789abcdeffedcba98765432100011223344556677", "0123456789abcdeffedcba9876543210", "b4993401b3e996f84ee5cee7d79b09b9"},
	{"0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff", "0123456789abcdeffedcba9876543210", "9acc237dff16d76c20ef7c919e3a7509"},
}

func TestRFC3713Vectors(t *testing.T) {
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
	if _, err := NewCipher(make([]byte, 15)); err == nil {
		t.Error("15-byte key accepted")
	}
}

// TestAgainstOpenSSL encrypts the same CBC message with openssl enc (a
// real, independent implementation) when it is installed.
func TestAgainstOpenSSL(t *testing.T) {
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed")
	}
	plain := bytes.Repeat([]byte("padlock camellia"), 5)
	iv := unhex("000102030405060708090a0b0c0d0e0f")
	for _, key := range []string{"00112233445566778899aabbccddeeff", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"} {
		name := map[int]string{16: "-camellia-128-cbc", 32: "-camellia-256-cbc"}[len(key)/2]
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
