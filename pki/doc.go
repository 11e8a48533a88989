// Package pki judges the certificate chains a server sends: path building
// and trust against an embedded Mozilla root store plus user CAs, names,
// validity, key and signature strength, stapled OCSP, SCTs and lint
// findings.
//
// Analyze takes the raw chains the prober collected (DER certificates in the
// order sent, the server name asked for, the stapled OCSP response and the
// SCTs of the TLS extension) and returns a Report: SSL Labs v3 shaped
// certs[] and certChains[] (same JSON names, padlock's own additions
// prefixed "padlock"), and Facts, the summary the grading rules A1-A13 of
// docs/grading.md need.
//
// # Trust
//
// Paths are built by crypto/x509 from the sent intermediates to the roots of
// the Mozilla (NSS) store embedded through
// golang.org/x/crypto/x509roots/fallback/bundle, with each root's
// distrust-after constraint applied (a certificate issued after that date
// does not chain to it), plus the roots given in Options.ExtraRoots
// (--ca-file). The host's own trust store is never consulted. A chain that
// lacks an intermediate is completed, when Options.FetchIssuer is set, by
// following AIA caIssuers URLs (DER, PEM or PKCS#7 certs-only; bounded in
// depth and number); such a chain is reported as incomplete (chain issue bit
// 1, Facts.IncompleteChain: cap B) rather than untrusted. SHA-1 and MD5
// signed certificates never validate (crypto/x509 refuses them), but padlock
// checks those signatures itself to tell who issued what, so that chain
// order, sent roots and self-signed leaves are still recognised.
//
// caIssuers URLs come from the scanned server: HTTPIssuerFetcher's default
// client reaches only public addresses (package netguard, checked after
// resolution and at the socket, redirects included); callers that must
// fetch from loopback or a private network (tests, the lab) say so with an
// AllowPrivate client.
//
// # Bounds
//
// A server chooses what it sends, so the work is bounded per chain: the
// first MaxChainCerts (32) certificates are analysed and the rest counted;
// linking them issuer to issuer and picking issuers out of AIA responses
// spends at most 256 signature checks (crypto/x509 bounds its own path
// search to 100 per validation); Analyze stops when its context ends and
// says so (Report.Incomplete). A "path-building bomb" of 1,200 same-name
// certificates, each signed by the one before, costs milliseconds, not a
// minute of CPU.
//
// Distrust: the CA a chain leads to is recognised when browsers distrust it
// by date: the legacy Symantec PKI by the keys Chromium lists
// (symantec.go), Entrust (with AffirmTrust), Chunghwa Telecom and NetLock by
// their roots' keys, checked against the embedded store or Debian's copy of
// Mozilla's, or by the root's name when padlock does not hold the root
// (distrust.go). The dated rules themselves (which browser, by earliest SCT
// or notBefore, from when) are registry.Distrusts; Facts names the CA and
// the browsers that distrust the chain, and grading applies the same rules
// again at any date.
//
// # Names
//
// MatchesHost implements RFC 6125 as browsers do: dNSName SANs (the CN only
// when there is none), a wildcard only as the whole left-most label standing
// for exactly one label, iPAddress SANs for IP hosts, case-insensitive,
// ignoring a trailing dot.
//
// # Stapled OCSP and SCTs
//
// A stapled OCSP response (x/crypto/ocsp) is checked for its status, its
// thisUpdate/nextUpdate window, the serial number and its signature by the
// issuer or by a responder the issuer delegated to (OCSPSigning usage).
// SCTs are parsed (RFC 6962 §3.2) from the certificate extension, the TLS
// extension and the OCSP response extension, and their logs named from a
// small table of well-known logs (ctlogs.go); their signatures are not
// verified.
//
// # Not implemented
//
//   - Live revocation checks (CRL downloads, OCSP queries): only the stapled
//     response is judged.
//   - The Debian weak-key list (keyKnownDebianInsecure is always false).
//   - SSL Labs' "bad common name" and "blacklisted" certificate issues.
//   - Trust stores other than Mozilla's (Apple, Android, Java, Windows).
//   - Verifying SCT signatures, and OCSP responses signed with SHA-1 by a
//     delegated responder (x/crypto/ocsp refuses them: reported as errors).
//   - BER (indefinite-length) PKCS#7 bundles from caIssuers URLs.
package pki
