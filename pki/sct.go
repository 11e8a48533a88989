package pki

import (
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Where an SCT was found.
const (
	SCTFromCertificate = "certificate" // embedded in the leaf (X.509v3 extension)
	SCTFromTLS         = "tls"         // signed_certificate_timestamp TLS extension
	SCTFromOCSP        = "ocsp"        // extension of the stapled OCSP response
)

// OIDs of the SCT list extensions (RFC 6962 §3.3).
var (
	oidSCTList     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2} // in a certificate
	oidOCSPSCTList = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 5} // in an OCSP SingleResponse
)

// SCT is one SignedCertificateTimestamp (RFC 6962 §3.2). Its signature is
// parsed but not verified (that needs the log's key and, for embedded SCTs,
// the rebuilt precertificate).
type SCT struct {
	Source  string `json:"source"`  // SCTFromCertificate, SCTFromTLS or SCTFromOCSP
	Version int    `json:"version"` // 0 is v1, the only version defined
	// LogID is the log's ID (SHA-256 of its key), base64 as in Google's log
	// list; LogName names the log when padlock knows it.
	LogID   string `json:"logId,omitempty"`
	LogName string `json:"logName,omitempty"`
	// Timestamp is when the log saw the certificate, ms since 1970.
	Timestamp int64 `json:"timestamp,omitempty"`
	// HashAlgorithm and SignatureAlgorithm name the algorithms of the
	// log's signature ("SHA256", "ECDSA").
	HashAlgorithm      string `json:"hashAlg,omitempty"`
	SignatureAlgorithm string `json:"sigAlg,omitempty"`
	ExtensionsLength   int    `json:"extensionsLength,omitempty"`
	SignatureLength    int    `json:"signatureLength,omitempty"`
	// Error is set when the SCT could not be parsed; the other fields are
	// then filled only as far as parsing got.
	Error string `json:"error,omitempty"`
}

// Time returns the SCT's timestamp.
func (s SCT) Time() time.Time { return time.UnixMilli(s.Timestamp).UTC() }

var (
	tlsHashNames = map[uint8]string{0: "none", 1: "MD5", 2: "SHA1", 3: "SHA224", 4: "SHA256", 5: "SHA384", 6: "SHA512"}
	tlsSigNames  = map[uint8]string{0: "anonymous", 1: "RSA", 2: "DSA", 3: "ECDSA"}
)

func algName(names map[uint8]string, v uint8) string {
	if n, ok := names[v]; ok {
		return n
	}
	return fmt.Sprintf("unknown(%d)", v)
}

// ParseSCT parses one serialized SCT (the content of a SerializedSCT, as
// crypto/tls reports the TLS extension's SCTs). An SCT of an unknown
// version is returned with its version and an error.
func ParseSCT(b []byte) (SCT, error) {
	var s SCT
	in := cryptobyte.String(b)
	var version uint8
	if !in.ReadUint8(&version) {
		return s, errors.New("pki: SCT: empty")
	}
	s.Version = int(version)
	if version != 0 {
		return s, fmt.Errorf("pki: SCT: unsupported version %d", version)
	}
	var logID []byte
	var ts uint64
	var exts, sig cryptobyte.String
	var hash, sigAlg uint8
	if !in.ReadBytes(&logID, 32) {
		return s, errors.New("pki: SCT: truncated log ID")
	}
	s.LogID = base64.StdEncoding.EncodeToString(logID)
	s.LogName = LogName(s.LogID)
	if !in.ReadUint64(&ts) {
		return s, errors.New("pki: SCT: truncated timestamp")
	}
	if ts > 1<<62 {
		return s, errors.New("pki: SCT: timestamp out of range")
	}
	s.Timestamp = int64(ts)
	if !in.ReadUint16LengthPrefixed(&exts) {
		return s, errors.New("pki: SCT: truncated extensions")
	}
	s.ExtensionsLength = len(exts)
	if !in.ReadUint8(&hash) || !in.ReadUint8(&sigAlg) {
		return s, errors.New("pki: SCT: truncated signature algorithm")
	}
	s.HashAlgorithm, s.SignatureAlgorithm = algName(tlsHashNames, hash), algName(tlsSigNames, sigAlg)
	if !in.ReadUint16LengthPrefixed(&sig) {
		return s, errors.New("pki: SCT: truncated signature")
	}
	s.SignatureLength = len(sig)
	if !in.Empty() {
		return s, errors.New("pki: SCT: trailing data")
	}
	return s, nil
}

// ParseSCTList parses a SignedCertificateTimestampList (RFC 6962 §3.3): the
// body of the TLS extension, or the content of the certificate and OCSP
// extensions' OCTET STRING. SCTs that do not parse are returned with Error
// set; the error is for a list whose framing is broken (what was read until
// then is returned with it).
func ParseSCTList(b []byte) ([]SCT, error) {
	in := cryptobyte.String(b)
	var list cryptobyte.String
	if !in.ReadUint16LengthPrefixed(&list) || !in.Empty() {
		return nil, errors.New("pki: SCT list: bad length")
	}
	if list.Empty() {
		return nil, errors.New("pki: SCT list: empty")
	}
	var out []SCT
	for !list.Empty() {
		var item cryptobyte.String
		if !list.ReadUint16LengthPrefixed(&item) {
			return out, errors.New("pki: SCT list: truncated entry")
		}
		s, err := ParseSCT(item)
		if err != nil {
			s.Error = err.Error()
		}
		out = append(out, s)
	}
	return out, nil
}

// parseSCTExtension parses the value of an SCT list extension (certificate
// or OCSP): an OCTET STRING holding a SignedCertificateTimestampList.
func parseSCTExtension(value []byte) ([]SCT, error) {
	in := cryptobyte.String(value)
	var inner cryptobyte.String
	if !in.ReadASN1(&inner, cbasn1.OCTET_STRING) || !in.Empty() {
		return nil, errors.New("pki: SCT extension: not an OCTET STRING")
	}
	return ParseSCTList(inner)
}

// sctsWithSource parses SCTs and labels them with where they came from. A
// list that does not parse at all yields one SCT carrying the error.
func sctsWithSource(source string, list []SCT, err error) []SCT {
	if err != nil && len(list) == 0 {
		return []SCT{{Source: source, Error: err.Error()}}
	}
	for i := range list {
		list[i].Source = source
	}
	if err != nil {
		list = append(list, SCT{Source: source, Error: err.Error()})
	}
	return list
}
