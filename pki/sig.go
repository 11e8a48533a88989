package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"errors"
)

// errUnverifiable is returned for signature algorithms padlock cannot check
// (MD2, DSA, unknown ones).
var errUnverifiable = errors.New("pki: signature algorithm cannot be checked")

// checkSignature verifies that signer's key made sig over signed. Unlike
// crypto/x509 it also checks SHA-1 and MD5 signatures: padlock needs to
// know who signed a certificate even when the algorithm is no longer
// trusted (whether it is trusted is decided by path validation).
func checkSignature(signer *x509.Certificate, alg x509.SignatureAlgorithm, signed, sig []byte) error {
	switch alg {
	case x509.SHA1WithRSA, x509.MD5WithRSA:
		pub, ok := signer.PublicKey.(*rsa.PublicKey)
		if !ok {
			return errors.New("pki: signature algorithm does not match the signer's key")
		}
		h, d := crypto.SHA1, sha1Sum(signed)
		if alg == x509.MD5WithRSA {
			s := md5.Sum(signed)
			h, d = crypto.MD5, s[:]
		}
		return rsa.VerifyPKCS1v15(pub, h, d, sig)
	case x509.ECDSAWithSHA1:
		pub, ok := signer.PublicKey.(*ecdsa.PublicKey)
		if !ok {
			return errors.New("pki: signature algorithm does not match the signer's key")
		}
		if !ecdsa.VerifyASN1(pub, sha1Sum(signed), sig) {
			return errors.New("pki: ECDSA signature verification failed")
		}
		return nil
	case x509.MD2WithRSA, x509.DSAWithSHA1, x509.DSAWithSHA256, x509.UnknownSignatureAlgorithm:
		return errUnverifiable
	}
	return signer.CheckSignature(alg, signed, sig)
}

func sha1Sum(b []byte) []byte {
	s := sha1.Sum(b)
	return s[:]
}

// issuedBy reports whether parent issued child: child's issuer name is
// parent's subject, their key identifiers (when both present) agree, and
// parent's key verifies child's signature (or the signature cannot be
// checked at all, when the names and key identifiers have to do).
func issuedBy(child, parent *x509.Certificate) bool {
	if child == nil || parent == nil || !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return false
	}
	if len(child.AuthorityKeyId) > 0 && len(parent.SubjectKeyId) > 0 && !bytes.Equal(child.AuthorityKeyId, parent.SubjectKeyId) {
		return false
	}
	err := checkSignature(parent, child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	return err == nil || errors.Is(err, errUnverifiable)
}

// selfSigned reports whether c is signed by its own key under its own name.
func selfSigned(c *x509.Certificate) bool { return issuedBy(c, c) }
