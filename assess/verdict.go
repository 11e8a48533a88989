package assess

import (
	"fmt"
	"strings"

	"padlock/registry"
)

// Level is how a listed protocol version or cipher suite is judged where
// it is shown, in the terminal and in the HTML report alike, to draw the
// eye; package grade does the rating.
type Level string

// The levels.
const (
	LevelGood     Level = "good"
	LevelWeak     Level = "weak"
	LevelInsecure Level = "insecure"
)

// Verdict is the judgement of one protocol version or suite: its Level,
// the Reasons for a weak or insecure one (for a suite: the insecure
// reasons, then the weak ones), and its Strengths (forward secrecy, AEAD).
// Every word a reader sees is written here once.
type Verdict struct {
	Level     Level
	Reasons   []string
	Strengths []string
}

// ProtocolVerdict judges an offered protocol version: SSL 2.0 and 3.0 are
// insecure; TLS 1.0 and 1.1 weak (deprecated by RFC 8996; they cap the
// grade at B); TLS 1.2 and 1.3 good.
func ProtocolVerdict(p registry.Protocol) Verdict {
	switch p {
	case registry.SSLv2, registry.SSLv3:
		return Verdict{Level: LevelInsecure}
	case registry.TLS10, registry.TLS11:
		return Verdict{Level: LevelWeak, Reasons: []string{"deprecated (RFC 8996)", "caps the grade at B"}}
	}
	return Verdict{Level: LevelGood}
}

// SuiteVerdict judges a suite accepted at protocol (a version id).
// Insecure: SSL 2.0, no encryption, anonymous, export, RC4, ciphers under
// 112 bits, key exchange under 1024 bits. Weak: 64-bit block ciphers
// (3DES), CBC mode, no forward secrecy, key exchange under 2048 bits
// RSA-equivalent. Good otherwise. A suite the registry does not know is
// judged only by its key exchange.
func SuiteVerdict(protocol int, s Suite) Verdict {
	var bad, weak, good []string
	var cipher registry.Cipher
	known := false
	switch {
	case ProtocolFromID(protocol) == registry.SSLv2:
		bad = append(bad, "SSL 2.0")
		if c, ok := registry.SSLv2CipherByID(s.ID); ok {
			cipher, known = c.Cipher, true
			if c.Export {
				bad = append(bad, "export")
			}
		}
	case s.ID <= 0xffff:
		if rs, ok := registry.SuiteByID(uint16(s.ID)); ok {
			cipher, known = rs.Cipher, true
			if rs.Anonymous() {
				bad = append(bad, "anonymous")
			}
			if rs.Export {
				bad = append(bad, "export")
			}
			switch {
			case rs.ForwardSecret() && !rs.Anonymous():
				good = append(good, "forward secrecy")
			case !rs.Anonymous():
				weak = append(weak, "no forward secrecy")
			}
			if rs.AEAD() {
				good = append(good, "AEAD")
			}
		}
	}
	if known {
		switch {
		case cipher == registry.CipherNull:
			bad = append(bad, "no encryption")
		case isRC4(cipher):
			bad = append(bad, "RC4")
		case s.CipherStrength < 112:
			bad = append(bad, fmt.Sprintf("%d-bit cipher", s.CipherStrength))
		}
		if cipher.BlockBits() == 64 {
			weak = append(weak, "64-bit block")
		}
		if cipher.CBC() {
			weak = append(weak, "CBC")
		}
	}
	switch {
	case s.KxStrength > 0 && s.KxStrength < 1024:
		bad = append(bad, fmt.Sprintf("%d-bit key exchange", s.KxStrength))
	case s.KxStrength > 0 && s.KxStrength < 2048:
		weak = append(weak, fmt.Sprintf("%d-bit key exchange", s.KxStrength))
	}
	v := Verdict{Level: LevelGood, Strengths: good}
	switch {
	case len(bad) > 0:
		v.Level, v.Reasons = LevelInsecure, append(bad, weak...)
	case len(weak) > 0:
		v.Level, v.Reasons = LevelWeak, weak
	}
	return v
}

// String is the verdict in words: "insecure", "weak: deprecated (RFC
// 8996), caps the grade at B", "insecure: RC4, CBC"; "" for good.
func (v Verdict) String() string {
	if v.Level == LevelGood || v.Level == "" {
		return ""
	}
	if len(v.Reasons) == 0 {
		return string(v.Level)
	}
	return string(v.Level) + ": " + strings.Join(v.Reasons, ", ")
}

// Note is what a suite's row says: its strengths, then the verdict in
// words ("forward secrecy, AEAD"; "forward secrecy; weak: CBC";
// "insecure: RC4"). An insecure suite's strengths are left out.
func (v Verdict) Note() string {
	strengths := strings.Join(v.Strengths, ", ")
	switch {
	case v.Level == LevelInsecure || strengths == "":
		return v.String()
	case v.String() == "":
		return strengths
	}
	return strengths + "; " + v.String()
}

// Stapling says whether an endpoint staples OCSP responses, in the words
// the terminal and the report both use: "yes", "no", or, when the
// certificate names no OCSP responder, "not applicable (the certificate
// names no OCSP responder)": a missing staple is then no shortcoming.
func Stapling(d *EndpointDetails) string {
	if d.OCSPStapling {
		return "yes"
	}
	if len(d.CertChains) > 0 && d.CertChains[0].Facts.NoOCSPURL {
		return "not applicable (the certificate names no OCSP responder)"
	}
	return "no"
}
