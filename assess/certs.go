package assess

import (
	"crypto/dsa" // deprecated, but DSA keys still turn up in old certificates
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"

	"padlock/probe"
)

// AddCerts adds the certificates of the chains to h.Certs, in the order
// seen, skipping those already there (certificates are identified by the
// SHA-256 of their DER).
func (h *Host) AddCerts(chains ...probe.Chain) {
	seen := make(map[string]bool, len(h.Certs))
	for _, c := range h.Certs {
		seen[c.ID] = true
	}
	for _, ch := range chains {
		for _, der := range ch.Certificates {
			id := certID(der)
			if seen[id] {
				continue
			}
			seen[id] = true
			h.Certs = append(h.Certs, NewCert(der))
		}
	}
}

// Cert returns the certificate with the given id from h.Certs.
func (h *Host) Cert(id string) (Cert, bool) {
	for _, c := range h.Certs {
		if c.ID == id {
			return c, true
		}
	}
	return Cert{}, false
}

func certID(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// NewCert describes one DER certificate. A certificate crypto/x509 cannot
// parse keeps its id, hashes and PEM, with the parser's complaint in
// PadlockParseError.
func NewCert(der []byte) Cert {
	s1 := sha1.Sum(der)
	c := Cert{
		ID:         certID(der),
		SHA1Hash:   hex.EncodeToString(s1[:]),
		SHA256Hash: certID(der),
		Raw:        string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
	}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		c.PadlockParseError = err.Error()
		return c
	}
	c.Subject = formatName(x.RawSubject, x.Subject)
	c.IssuerSubject = formatName(x.RawIssuer, x.Issuer)
	if x.SerialNumber != nil {
		c.SerialNumber = hex.EncodeToString(x.SerialNumber.Bytes())
		if x.SerialNumber.Sign() == 0 {
			c.SerialNumber = "00"
		}
	}
	for _, atv := range x.Subject.Names {
		if atv.Type.Equal(oidCommonName) {
			c.CommonNames = append(c.CommonNames, fmt.Sprint(atv.Value))
		}
	}
	c.AltNames = append(c.AltNames, x.DNSNames...)
	for _, ip := range x.IPAddresses {
		c.AltNames = append(c.AltNames, ip.String())
	}
	c.NotBefore = x.NotBefore.UnixMilli()
	c.NotAfter = x.NotAfter.UnixMilli()
	c.SigAlg = sigAlgName(x)
	if len(x.CRLDistributionPoints) > 0 {
		c.RevocationInfo |= 1
		c.CRLURIs = x.CRLDistributionPoints
	}
	if len(x.OCSPServer) > 0 {
		c.RevocationInfo |= 2
		c.OCSPURIs = x.OCSPServer
	}
	c.KeyAlg, c.KeySize, c.KeyStrength = keyInfo(x)
	spki := sha256.Sum256(x.RawSubjectPublicKeyInfo)
	c.PinSHA256 = base64.StdEncoding.EncodeToString(spki[:])
	return c
}

// keyInfo returns the algorithm, size and RSA-equivalent strength of the
// certificate's public key.
func keyInfo(x *x509.Certificate) (alg string, size, strength int) {
	switch k := x.PublicKey.(type) {
	case *rsa.PublicKey:
		n := k.N.BitLen()
		return "RSA", n, n
	case *ecdsa.PublicKey:
		n := k.Curve.Params().BitSize
		return "EC", n, ecRSAEquivalent(n)
	case ed25519.PublicKey:
		return "Ed25519", 256, 3072
	case *dsa.PublicKey:
		n := k.P.BitLen()
		return "DSA", n, n
	}
	return x.PublicKeyAlgorithm.String(), 0, 0
}

// ecRSAEquivalent maps an elliptic-curve key size to the RSA size of
// comparable strength (NIST SP 800-57 Part 1, table 2), as SSL Labs does.
func ecRSAEquivalent(bits int) int {
	switch {
	case bits >= 512:
		return 15360
	case bits >= 384:
		return 7680
	case bits >= 256:
		return 3072
	case bits >= 224:
		return 2048
	case bits >= 160:
		return 1024
	}
	return 0
}

// rsaKeyBits returns the size of the certificate's RSA key, or 0 when it
// is not an RSA certificate or cannot be parsed.
func rsaKeyBits(der []byte) int {
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return 0
	}
	if k, ok := x.PublicKey.(*rsa.PublicKey); ok {
		return k.N.BitLen()
	}
	return 0
}

var sigAlgNames = map[x509.SignatureAlgorithm]string{
	x509.MD2WithRSA:       "MD2withRSA",
	x509.MD5WithRSA:       "MD5withRSA",
	x509.SHA1WithRSA:      "SHA1withRSA",
	x509.SHA256WithRSA:    "SHA256withRSA",
	x509.SHA384WithRSA:    "SHA384withRSA",
	x509.SHA512WithRSA:    "SHA512withRSA",
	x509.DSAWithSHA1:      "SHA1withDSA",
	x509.DSAWithSHA256:    "SHA256withDSA",
	x509.ECDSAWithSHA1:    "SHA1withECDSA",
	x509.ECDSAWithSHA256:  "SHA256withECDSA",
	x509.ECDSAWithSHA384:  "SHA384withECDSA",
	x509.ECDSAWithSHA512:  "SHA512withECDSA",
	x509.SHA256WithRSAPSS: "SHA256withRSA/PSS",
	x509.SHA384WithRSAPSS: "SHA384withRSA/PSS",
	x509.SHA512WithRSAPSS: "SHA512withRSA/PSS",
	x509.PureEd25519:      "Ed25519",
}

// sigAlgName names the certificate's signature algorithm the way SSL Labs
// does (Java's names: "SHA256withRSA"); an algorithm crypto/x509 does not
// know is given as its OID.
func sigAlgName(x *x509.Certificate) string {
	if n, ok := sigAlgNames[x.SignatureAlgorithm]; ok {
		return n
	}
	var outer struct {
		TBS       asn1.RawValue
		Algorithm pkix.AlgorithmIdentifier
		Signature asn1.BitString
	}
	if _, err := asn1.Unmarshal(x.Raw, &outer); err == nil && len(outer.Algorithm.Algorithm) > 0 {
		return outer.Algorithm.Algorithm.String()
	}
	return x.SignatureAlgorithm.String()
}

var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

// Short names for distinguished-name attributes (RFC 4514 §3, plus the
// e-mail address attribute certificates still carry).
var attrNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "SERIALNUMBER",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "STREET",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "T",
	"2.5.4.17":                   "postalCode",
	"2.5.4.42":                   "GN",
	"2.5.4.97":                   "organizationIdentifier",
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.25": "DC",
	"1.2.840.113549.1.9.1":       "emailAddress",
	"1.3.6.1.4.1.311.60.2.1.1":   "jurisdictionL",
	"1.3.6.1.4.1.311.60.2.1.2":   "jurisdictionST",
	"1.3.6.1.4.1.311.60.2.1.3":   "jurisdictionC",
	"2.5.4.15":                   "businessCategory",
}

// formatName writes a distinguished name most specific first, the
// attributes separated by ", " ("CN=example.com, O=Example, C=US"), as SSL
// Labs shows subjects.
func formatName(raw []byte, parsed pkix.Name) string {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &rdns); err != nil || len(rest) > 0 {
		return parsed.String()
	}
	var parts []string
	for i := len(rdns) - 1; i >= 0; i-- {
		var multi []string
		for _, atv := range rdns[i] {
			key := atv.Type.String()
			if n, ok := attrNames[key]; ok {
				key = n
			}
			multi = append(multi, key+"="+escapeDNValue(fmt.Sprint(atv.Value)))
		}
		parts = append(parts, strings.Join(multi, " + "))
	}
	return strings.Join(parts, ", ")
}

// escapeDNValue escapes the characters RFC 4514 reserves.
func escapeDNValue(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune(`,+"\<>;`, r),
			i == 0 && (r == '#' || r == ' '),
			i == len(s)-1 && r == ' ':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
