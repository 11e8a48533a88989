package pki

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"padlock/netguard"
)

// Defaults and limits of AIA issuer fetching.
const (
	DefaultIssuerMaxBytes = 64 << 10         // largest issuer response read
	DefaultIssuerTimeout  = 10 * time.Second // per fetch, redirects included
	maxIssuerRedirects    = 3
	maxAIADepth           = 4 // certificates fetched one after another for one chain
	defaultMaxFetches     = 8 // fetches per Analyze call
)

// IssuerFetcher fetches the body of an AIA caIssuers URL.
type IssuerFetcher func(ctx context.Context, url string) ([]byte, error)

// HTTPIssuerFetcher returns a fetcher for AIA caIssuers URLs that uses
// client. A nil client connects only to public addresses: the URLs come
// from the scanned server's certificates, and must not reach loopback,
// private, link-local (cloud metadata) or other non-public addresses, nor
// redirect there (netguard.PublicOnly, checked after resolution and at the
// socket). To allow them (tests, the lab, a private PKI's own AIA server),
// pass a client built on a netguard.Guard with netguard.AllowPrivate. It
// refuses any URL that is not http or
// https (caIssuers may also be ldap:), follows at most three redirects, and
// only to http(s), gives up after timeout (0: DefaultIssuerTimeout) and
// refuses bodies over maxBytes (0: DefaultIssuerMaxBytes) or answers other
// than 200. client's own redirect policy, if any, still applies.
func HTTPIssuerFetcher(client *http.Client, maxBytes int64, timeout time.Duration) IssuerFetcher {
	if maxBytes <= 0 {
		maxBytes = DefaultIssuerMaxBytes
	}
	if timeout <= 0 {
		timeout = DefaultIssuerTimeout
	}
	var c http.Client
	if client != nil {
		c = *client
	} else {
		c.Transport = (&netguard.Guard{Hint: netguard.SiteHint}).Transport()
	}
	prev := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxIssuerRedirects {
			return fmt.Errorf("pki: more than %d redirects", maxIssuerRedirects)
		}
		if err := checkIssuerURL(req.URL); err != nil {
			return err
		}
		if prev != nil {
			return prev(req, via)
		}
		return nil
	}
	return func(ctx context.Context, raw string) ([]byte, error) {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("pki: bad issuer URL: %w", err)
		}
		if err := checkIssuerURL(u); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/pkix-cert, application/pkcs7-mime, */*")
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("pki: fetching %s: HTTP %s", u.Redacted(), resp.Status)
		}
		if resp.ContentLength > maxBytes {
			return nil, fmt.Errorf("pki: fetching %s: body of %d bytes exceeds %d", u.Redacted(), resp.ContentLength, maxBytes)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
		if err != nil {
			return nil, err
		}
		if int64(len(body)) > maxBytes {
			return nil, fmt.Errorf("pki: fetching %s: body exceeds %d bytes", u.Redacted(), maxBytes)
		}
		return body, nil
	}
}

func checkIssuerURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("pki: issuer URL scheme %q refused (only http and https)", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("pki: issuer URL has no host")
	}
	return nil
}

// ParseIssuerCerts reads what an AIA caIssuers URL served: one DER
// certificate (RFC 5280 §4.2.2.1), a DER "certs-only" PKCS#7/CMS
// SignedData bundle, concatenated DER certificates, or the same in PEM.
func ParseIssuerCerts(b []byte) ([]*x509.Certificate, error) {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("-----BEGIN")) {
		var out []*x509.Certificate
		rest := b
		for {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			certs, err := parseDERCerts(blk.Bytes)
			if err != nil {
				return out, err
			}
			out = append(out, certs...)
		}
		if len(out) == 0 {
			return nil, errors.New("pki: no certificate in PEM")
		}
		return out, nil
	}
	return parseDERCerts(b)
}

func parseDERCerts(b []byte) ([]*x509.Certificate, error) {
	if c, err := x509.ParseCertificate(b); err == nil {
		return []*x509.Certificate{c}, nil
	}
	if ders, err := ParsePKCS7Certs(b); err == nil {
		var out []*x509.Certificate
		for _, d := range ders {
			c, err := x509.ParseCertificate(d)
			if err != nil {
				return out, err
			}
			out = append(out, c)
		}
		if len(out) == 0 {
			return nil, errors.New("pki: PKCS#7 bundle holds no certificate")
		}
		return out, nil
	}
	certs, err := x509.ParseCertificates(b)
	if err != nil {
		return nil, fmt.Errorf("pki: not a certificate or PKCS#7 bundle: %w", err)
	}
	if len(certs) == 0 {
		return nil, errors.New("pki: empty issuer response")
	}
	return certs, nil
}

var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// ParsePKCS7Certs returns the DER certificates of a DER-encoded PKCS#7 /
// CMS ContentInfo holding SignedData (RFC 5652 §5.1), as CAs serve
// "certs-only" bundles (.p7c). Other CertificateChoices (attribute
// certificates) are skipped; BER (indefinite-length) encodings are refused.
func ParsePKCS7Certs(b []byte) ([][]byte, error) {
	in := cryptobyte.String(b)
	var ci, content, sd cryptobyte.String
	var ctype asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("pki: PKCS#7: not a DER SEQUENCE")
	}
	if !ci.ReadASN1ObjectIdentifier(&ctype) || !ctype.Equal(oidSignedData) {
		return nil, errors.New("pki: PKCS#7: not SignedData")
	}
	if !ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() {
		return nil, errors.New("pki: PKCS#7: bad content")
	}
	if !content.ReadASN1(&sd, cbasn1.SEQUENCE) || !content.Empty() {
		return nil, errors.New("pki: PKCS#7: bad SignedData")
	}
	var version int64
	if !sd.ReadASN1Integer(&version) ||
		!sd.SkipASN1(cbasn1.SET) || // digestAlgorithms
		!sd.SkipASN1(cbasn1.SEQUENCE) { // encapContentInfo
		return nil, errors.New("pki: PKCS#7: bad SignedData header")
	}
	var certs cryptobyte.String
	var present bool
	if !sd.ReadOptionalASN1(&certs, &present, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errors.New("pki: PKCS#7: bad certificates field")
	}
	var out [][]byte
	for !certs.Empty() {
		var elem cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&elem, &tag) {
			return nil, errors.New("pki: PKCS#7: truncated certificate")
		}
		if tag == cbasn1.SEQUENCE {
			out = append(out, []byte(elem))
		}
	}
	return out, nil
}
