package grade

import (
	"crypto/x509"
	"fmt"
	"strings"
)

// The small enumerations of this file marshal to JSON as lower-case words
// (MarshalText) so that stored facts and results read well and survive a
// reordering of the constants.

func enumString(v uint8, names []string, kind string) string {
	if int(v) < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", kind, v)
}

func enumMarshal(v uint8, names []string, kind string) ([]byte, error) {
	if int(v) < len(names) {
		return []byte(names[v]), nil
	}
	return nil, fmt.Errorf("grade: invalid %s %d", kind, v)
}

func enumUnmarshal(b []byte, names []string, kind string) (uint8, error) {
	s := string(b)
	for i, n := range names {
		if strings.EqualFold(n, s) {
			return uint8(i), nil
		}
	}
	return 0, fmt.Errorf("grade: unknown %s %q", kind, s)
}

// State is the outcome of a check that may not have run.
type State uint8

// States of a check. "Vulnerable" means the condition the rule penalises
// is present (the server is vulnerable, the certificate is revoked, the
// key is on the Debian weak-key list...).
const (
	Unknown       State = iota // not tested (yet): the rule is "not evaluated"
	NotVulnerable              // tested: the condition is absent
	Vulnerable                 // tested: the condition is present
	NotApplicable              // the test cannot apply to this server (e.g. a CBC oracle without CBC suites)
	Inconclusive               // tested without a definite answer: the rule is "not evaluated"
)

var stateNames = []string{"unknown", "not-vulnerable", "vulnerable", "not-applicable", "inconclusive"}

func (s State) String() string { return enumString(uint8(s), stateNames, "State") }

// MarshalText implements encoding.TextMarshaler.
func (s State) MarshalText() ([]byte, error) { return enumMarshal(uint8(s), stateNames, "State") }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *State) UnmarshalText(b []byte) error {
	v, err := enumUnmarshal(b, stateNames, "State")
	*s = State(v)
	return err
}

// known reports whether the check gave a definite answer.
func (s State) known() bool { return s == NotVulnerable || s == Vulnerable || s == NotApplicable }

// Check is the outcome of one test together with what was observed, which
// becomes the evidence of the finding when the rule fires.
type Check struct {
	State State `json:"state"`
	// Detail says what was seen, e.g. "strong oracle (TLS 1.2,
	// TLS_RSA_WITH_AES_128_GCM_SHA256)" or "alert decryption_failed (21)
	// after early ChangeCipherSpec". Optional.
	Detail string `json:"detail,omitempty"`
}

// Effect is what a rule does to the grade when it fires.
type Effect uint8

// Rule effects, from the mildest.
const (
	EffectInfo    Effect = iota // reported only; no effect on the grade
	EffectScore                 // the numeric score alone sets the letter (the "score" finding)
	EffectNoAPlus               // an A+ requirement is not met: an A stays A
	EffectWarning               // a warning: an A becomes A-
	EffectCapA                  // grade capped at A: neither A+ nor A- (docs/grading.md §3)
	EffectCapB                  // grade capped at B
	EffectCapC                  // grade capped at C
	EffectF                     // grade F
	EffectT                     // grade T: certificate not trusted
	EffectM                     // grade M: certificate name mismatch
	EffectU                     // grade U: no secure connection (padlock, decision 1)
)

var effectNames = []string{"info", "score", "no-a-plus", "warning", "cap-a", "cap-b", "cap-c", "f", "t", "m", "u"}

var effectLabels = []string{"info", "score", "no A+", "warning (A-)", "cap A", "cap B", "cap C", "F", "T", "M", "U"}

// String returns the JSON word: "cap-b", "warning", "f" ...
func (e Effect) String() string { return enumString(uint8(e), effectNames, "Effect") }

// Label returns a short human form: "cap B", "warning (A-)", "F" ...
func (e Effect) Label() string { return enumString(uint8(e), effectLabels, "Effect") }

// MarshalText implements encoding.TextMarshaler.
func (e Effect) MarshalText() ([]byte, error) { return enumMarshal(uint8(e), effectNames, "Effect") }

// UnmarshalText implements encoding.TextUnmarshaler.
func (e *Effect) UnmarshalText(b []byte) error {
	v, err := enumUnmarshal(b, effectNames, "Effect")
	*e = Effect(v)
	return err
}

// KeyAlg is the algorithm of the server's certificate key.
type KeyAlg uint8

// Certificate key algorithms.
const (
	KeyUnknown KeyAlg = iota
	KeyRSA
	KeyECDSA
	KeyEdDSA // Ed25519, Ed448
	KeyDSA
)

var keyAlgNames = []string{"unknown", "RSA", "ECDSA", "EdDSA", "DSA"}

func (k KeyAlg) String() string { return enumString(uint8(k), keyAlgNames, "KeyAlg") }

// MarshalText implements encoding.TextMarshaler.
func (k KeyAlg) MarshalText() ([]byte, error) { return enumMarshal(uint8(k), keyAlgNames, "KeyAlg") }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *KeyAlg) UnmarshalText(b []byte) error {
	v, err := enumUnmarshal(b, keyAlgNames, "KeyAlg")
	*k = KeyAlg(v)
	return err
}

// HashAlg is the hash of the leaf certificate's signature.
type HashAlg uint8

// Signature hashes. HashIntrinsic is for signature schemes with a built-in
// hash (Ed25519, Ed448).
const (
	HashUnknown HashAlg = iota
	HashMD2
	HashMD4
	HashMD5
	HashSHA1
	HashSHA224
	HashSHA256
	HashSHA384
	HashSHA512
	HashIntrinsic
)

var hashNames = []string{"unknown", "MD2", "MD4", "MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "intrinsic"}

func (h HashAlg) String() string { return enumString(uint8(h), hashNames, "HashAlg") }

// MarshalText implements encoding.TextMarshaler.
func (h HashAlg) MarshalText() ([]byte, error) { return enumMarshal(uint8(h), hashNames, "HashAlg") }

// UnmarshalText implements encoding.TextUnmarshaler.
func (h *HashAlg) UnmarshalText(b []byte) error {
	v, err := enumUnmarshal(b, hashNames, "HashAlg")
	*h = HashAlg(v)
	return err
}

// HashOf returns the hash of a crypto/x509 signature algorithm (HashUnknown
// for one it does not recognise). It is a convenience for filling
// CertFacts.SigHash.
func HashOf(a x509.SignatureAlgorithm) HashAlg {
	switch a {
	case x509.MD2WithRSA:
		return HashMD2
	case x509.MD5WithRSA:
		return HashMD5
	case x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return HashSHA1
	case x509.SHA256WithRSA, x509.DSAWithSHA256, x509.ECDSAWithSHA256, x509.SHA256WithRSAPSS:
		return HashSHA256
	case x509.SHA384WithRSA, x509.ECDSAWithSHA384, x509.SHA384WithRSAPSS:
		return HashSHA384
	case x509.SHA512WithRSA, x509.ECDSAWithSHA512, x509.SHA512WithRSAPSS:
		return HashSHA512
	case x509.PureEd25519:
		return HashIntrinsic
	}
	return HashUnknown
}

// HSTSStatus is the state of the Strict-Transport-Security policy, as SSL
// Labs' hstsPolicy.status.
type HSTSStatus uint8

// HSTS policy states.
const (
	HSTSUnknown  HSTSStatus = iota // the header could not be fetched: F1-F4 are not evaluated
	HSTSAbsent                     // no header
	HSTSPresent                    // a valid header with max-age > 0
	HSTSInvalid                    // a header that does not parse (or several that disagree)
	HSTSDisabled                   // a valid header with max-age=0
)

var hstsNames = []string{"unknown", "absent", "present", "invalid", "disabled"}

func (s HSTSStatus) String() string { return enumString(uint8(s), hstsNames, "HSTSStatus") }

// MarshalText implements encoding.TextMarshaler.
func (s HSTSStatus) MarshalText() ([]byte, error) {
	return enumMarshal(uint8(s), hstsNames, "HSTSStatus")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *HSTSStatus) UnmarshalText(b []byte) error {
	v, err := enumUnmarshal(b, hstsNames, "HSTSStatus")
	*s = HSTSStatus(v)
	return err
}

// HPKPStatus is the state of the Public-Key-Pins policy.
type HPKPStatus uint8

// HPKP policy states. Invalid, NoMatch and NoBackup are the problems of
// rule F5.
const (
	HPKPUnknown  HPKPStatus = iota // not fetched: F5 is not evaluated
	HPKPAbsent                     // no header
	HPKPValid                      // pins match the chain and a backup pin is present
	HPKPDisabled                   // max-age=0
	HPKPInvalid                    // does not parse, or several headers
	HPKPNoMatch                    // no pin matches a key of the served chain
	HPKPNoBackup                   // every pin is in the served chain: no backup pin
)

var hpkpNames = []string{"unknown", "absent", "valid", "disabled", "invalid", "no-match", "no-backup"}

func (s HPKPStatus) String() string { return enumString(uint8(s), hpkpNames, "HPKPStatus") }

// MarshalText implements encoding.TextMarshaler.
func (s HPKPStatus) MarshalText() ([]byte, error) {
	return enumMarshal(uint8(s), hpkpNames, "HPKPStatus")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *HPKPStatus) UnmarshalText(b []byte) error {
	v, err := enumUnmarshal(b, hpkpNames, "HPKPStatus")
	*s = HPKPStatus(v)
	return err
}

// Judgement says how the negotiation rules (C6, D4, D6, D7) were judged
// (decision 9).
type Judgement uint8

// Ways of judging the negotiation rules.
const (
	JudgedNot         Judgement = iota // neither simulation nor a modern hello was available
	JudgedSimulation                   // handshake simulation with the reference clients
	JudgedModernHello                  // the handshake a modern browser's ClientHello gets
)

var judgementNames = []string{"", "simulation", "modern-hello"}

func (j Judgement) String() string { return enumString(uint8(j), judgementNames, "Judgement") }

// MarshalText implements encoding.TextMarshaler.
func (j Judgement) MarshalText() ([]byte, error) {
	return enumMarshal(uint8(j), judgementNames, "Judgement")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (j *Judgement) UnmarshalText(b []byte) error {
	v, err := enumUnmarshal(b, judgementNames, "Judgement")
	*j = Judgement(v)
	return err
}

// Source names the part of padlock whose facts a rule waits for.
type Source string

// Sources of facts.
const (
	SourceProbe      Source = "probe"      // the wire prober (protocols, suites, extensions)
	SourcePKI        Source = "pki"        // certificate analysis: names, trust, validity, revocation
	SourceVuln       Source = "vuln"       // vulnerability checks
	SourceWeb        Source = "web"        // the HTTP response headers (HSTS, HPKP)
	SourceSimulation Source = "simulation" // handshake simulation (or a modern-browser hello)
	SourceFleet      Source = "fleet"      // checks across other endpoints (DROWN key sharing)
	SourceClock      Source = "clock"      // the evaluation time (Facts.Now)
)
