package pki

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/ocsp"
)

// SSL Labs' revocation status values (revocationStatus,
// staplingRevocationStatus).
const (
	RevocationNotChecked    = 0
	RevocationRevoked       = 1
	RevocationNotRevoked    = 2
	RevocationCheckError    = 3
	RevocationNoInformation = 4
	RevocationInternalError = 5
)

// ocspClockSkew is how far in the future a response's thisUpdate may be.
const ocspClockSkew = 5 * time.Minute

// Staple is a stapled OCSP response, checked against the leaf it was sent
// with and the leaf's issuer.
type Staple struct {
	// RevocationStatus is SSL Labs' staplingRevocationStatus: 1 revoked,
	// 2 not revoked, 3 check error (unparsable, bad signature, wrong
	// certificate, outside its validity window, responder error), 4 no
	// revocation information (status "unknown"). A response says "revoked"
	// here only if its signature verified.
	RevocationStatus int    `json:"staplingRevocationStatus"`
	ErrorMessage     string `json:"staplingRevocationErrorMessage,omitempty"`

	Status           string `json:"status,omitempty"`     // "good", "revoked" or "unknown"
	ProducedAt       int64  `json:"producedAt,omitempty"` // ms since 1970
	ThisUpdate       int64  `json:"thisUpdate,omitempty"`
	NextUpdate       int64  `json:"nextUpdate,omitempty"` // 0 when the response has none
	RevokedAt        int64  `json:"revokedAt,omitempty"`
	RevocationReason int    `json:"revocationReason,omitempty"` // RFC 5280 CRLReason
	// Fresh is true when thisUpdate ≤ now ≤ nextUpdate (a response without
	// nextUpdate is fresh once thisUpdate has passed).
	Fresh bool `json:"fresh"`
	// SerialMatches is true when the response is about the leaf (same
	// serial number).
	SerialMatches bool `json:"serialMatches"`
	// SignatureValid is true when the issuer, or a responder certificate
	// the issuer delegated OCSP signing to, signed the response.
	SignatureValid bool   `json:"signatureValid"`
	SignatureError string `json:"signatureError,omitempty"`
	// Responder is "issuer" when the issuer signed, else the subject of
	// the delegated responder certificate embedded in the response.
	Responder   string `json:"responder,omitempty"`
	ResponderID string `json:"responderCertId,omitempty"`
	SCTs        []SCT  `json:"scts,omitempty"`
}

// checkStaple parses and checks a stapled OCSP response. issuer may be nil
// when the leaf's issuer is unknown; the signature then stays unverified.
func checkStaple(der []byte, leaf, issuer *x509.Certificate, now time.Time) *Staple {
	s := &Staple{}
	resp, err := ocsp.ParseResponseForCert(der, nil, nil)
	if err != nil {
		s.RevocationStatus = RevocationCheckError
		var re ocsp.ResponseError
		if errors.As(err, &re) {
			s.ErrorMessage = "OCSP responder answered " + re.Status.String()
		} else {
			s.ErrorMessage = "unparsable OCSP response: " + err.Error()
		}
		return s
	}
	switch resp.Status {
	case ocsp.Good:
		s.Status = "good"
	case ocsp.Revoked:
		s.Status = "revoked"
		s.RevokedAt = resp.RevokedAt.UnixMilli()
		s.RevocationReason = resp.RevocationReason
	default:
		s.Status = "unknown"
	}
	s.ProducedAt = resp.ProducedAt.UnixMilli()
	s.ThisUpdate = resp.ThisUpdate.UnixMilli()
	if !resp.NextUpdate.IsZero() {
		s.NextUpdate = resp.NextUpdate.UnixMilli()
	}
	for _, e := range resp.Extensions {
		if e.Id.Equal(oidOCSPSCTList) {
			list, err := parseSCTExtension(e.Value)
			s.SCTs = append(s.SCTs, sctsWithSource(SCTFromOCSP, list, err)...)
		}
	}

	s.SerialMatches = leaf != nil && leaf.SerialNumber != nil && resp.SerialNumber != nil &&
		leaf.SerialNumber.Cmp(resp.SerialNumber) == 0

	windowErr := ""
	switch {
	case resp.ThisUpdate.After(now.Add(ocspClockSkew)):
		windowErr = fmt.Sprintf("response not yet valid (thisUpdate %s)", resp.ThisUpdate.UTC().Format(time.RFC3339))
	case !resp.NextUpdate.IsZero() && now.After(resp.NextUpdate):
		windowErr = fmt.Sprintf("response expired (nextUpdate %s)", resp.NextUpdate.UTC().Format(time.RFC3339))
	}
	s.Fresh = windowErr == ""

	s.SignatureValid, s.SignatureError = stapleSignature(s, resp, issuer, now)

	switch {
	case !s.SignatureValid:
		s.RevocationStatus = RevocationCheckError
		s.ErrorMessage = "OCSP signature not verified: " + s.SignatureError
	case !s.SerialMatches:
		s.RevocationStatus = RevocationCheckError
		s.ErrorMessage = "OCSP response is for another certificate (serial number differs)"
	case resp.Status == ocsp.Revoked:
		// Revocation is final: a stale "revoked" still counts.
		s.RevocationStatus = RevocationRevoked
	case !s.Fresh:
		s.RevocationStatus = RevocationCheckError
		s.ErrorMessage = windowErr
	case resp.Status == ocsp.Good:
		s.RevocationStatus = RevocationNotRevoked
	default:
		s.RevocationStatus = RevocationNoInformation
	}
	return s
}

// stapleSignature checks who signed the response.
func stapleSignature(s *Staple, resp *ocsp.Response, issuer *x509.Certificate, now time.Time) (bool, string) {
	if issuer == nil {
		return false, "the leaf's issuer certificate is not available"
	}
	rc := resp.Certificate
	if rc == nil || bytes.Equal(rc.Raw, issuer.Raw) {
		// Signed by the issuer itself (x/crypto/ocsp has already checked
		// an embedded copy of the issuer against its own key).
		s.Responder = "issuer"
		if err := checkSignature(issuer, resp.SignatureAlgorithm, resp.TBSResponseData, resp.Signature); err != nil {
			return false, err.Error()
		}
		return true, ""
	}
	// A delegated responder (RFC 6960 §4.2.2.2): x/crypto/ocsp has checked
	// that its key signed the response; it must itself be issued by the
	// leaf's issuer, be valid now and carry the OCSPSigning usage.
	s.Responder = rc.Subject.String()
	s.ResponderID = certID(rc.Raw)
	switch {
	case !issuedBy(rc, issuer):
		return false, "the responder certificate is not issued by the leaf's issuer"
	case !slices.Contains(rc.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning):
		return false, "the responder certificate lacks the OCSPSigning extended key usage"
	case now.Before(rc.NotBefore) || now.After(rc.NotAfter):
		return false, "the responder certificate is outside its validity period"
	}
	return true, ""
}
