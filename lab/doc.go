// Package lab starts deliberately (mis)configured TLS servers on loopback, for
// padlock's tests and its demo.
//
// # Certificates
//
// NewCA makes a self-signed root; CA.Intermediate makes a subordinate CA; and
// CA.Issue or SelfSigned make server (leaf) certificates valid for the names
// and addresses in LeafOptions (by default "localhost", 127.0.0.1 and ::1).
// Everything is built with crypto/x509 from the standard library. A Leaf
// carries the chain exactly as a server would send it (leaf first, then the
// intermediates, never the root) and can be turned into a tls.Certificate or
// written out as PEM files for external servers (see package lab/peer).
//
//	ca, _ := lab.NewCA("padlock test root")
//	leaf, _ := ca.Issue(lab.LeafOptions{KeyType: "p256"})
//	cfg := &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}}
//
// Key types are "rsa1024", "rsa2048", "rsa3072", "rsa4096", "p256", "p384",
// "p521" and "ed25519". RSA keys are slow to generate, so NewKey keeps a small
// per-process pool for each RSA size: the first few requests generate fresh
// keys, later requests hand the pooled keys out again in rotation (never the
// same key to two consecutive requests). Test certificates may therefore share
// a key with another certificate made earlier in the same process; set
// LeafOptions.Key when a test needs a key of its own. Elliptic-curve and
// Ed25519 keys are cheap and always fresh.
//
// Certificates signed with SHA-1 (LeafOptions.SignatureAlgorithm =
// x509.SHA1WithRSA or x509.ECDSAWithSHA1) are produced directly by
// x509.CreateCertificate: Go 1.26 still signs with SHA-1, it only refuses to
// verify such signatures in chains. MD5 signing is refused by crypto/x509.
//
// # In-process servers
//
// StartGo serves HTTPS with crypto/tls on 127.0.0.1 and an ephemeral port.
// DemoServers lists a catalogue of deliberately different configurations, and
// StartDemo starts all of them (used by `padlock demo` and by tests).
//
// What crypto/tls in Go 1.26 can and cannot be made to do (established by
// this package's tests, without any GODEBUG setting):
//
//   - TLS 1.0 and 1.1 are served when Config.MinVersion is set explicitly
//     (the GODEBUG tls10server only matters when MinVersion is zero).
//   - RSA key exchange and 3DES suites are served when they are listed
//     explicitly in Config.CipherSuites (GODEBUG tlsrsakex/tls3des only
//     affect the default list).
//   - RC4 suites (TLS_RSA_WITH_RC4_128_SHA, TLS_ECDHE_RSA_WITH_RC4_128_SHA,
//     TLS_ECDHE_ECDSA_WITH_RC4_128_SHA) are also still accepted in
//     Config.CipherSuites and negotiated when the client offers only them.
//   - Config.PreferServerCipherSuites is ignored (since Go 1.17). A Go server
//     always chooses by its own fixed preference order, restricted to
//     Config.CipherSuites; the only thing it takes from the client is whether
//     the client seems to prefer ChaCha20 over AES-GCM (no AES hardware), in
//     which case it ranks ChaCha20 first. The order of Config.CipherSuites is
//     irrelevant. The "client-order" demo server emulates a server that
//     honours the client's order with GetConfigForClient.
//   - No SSLv2/SSLv3, export suites, DHE key exchange, anonymous suites or
//     TLS 1.3 cipher suite selection: use lab/peer (OpenSSL, GnuTLS, nginx)
//     and the separate lab/legacy module (zcrypto) for those.
package lab
