package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"slices"
	"sync"
	"time"
)

// DemoSpec is one deliberately configured server of the demo catalogue.
type DemoSpec struct {
	// Name is short and unique ("modern", "rc4", ...).
	Name string
	// Description says in one line what is wrong or right about it.
	Description string
	// Build returns the server's configuration. ca is the issuing
	// (intermediate) CA of the demo PKI; ca.Root() is its trust anchor.
	Build func(ca *CA) (*tls.Config, error)
}

var (
	demoOnce sync.Once
	demoCA   *CA
	demoErr  error
)

// DemoCA returns the process-wide demo PKI: an RSA intermediate CA
// ("padlock lab demo intermediate") under the root "padlock lab demo root".
// Trust DemoCA().Pool() (or Root()) to verify the demo servers' chains.
func DemoCA() (*CA, error) {
	demoOnce.Do(func() {
		// Backdated, so that the expired demo leaf was issued while its
		// CA was valid: it is expired, and nothing else.
		now := time.Now()
		validity := CAValidity(now.AddDate(-1, 0, 0), now.AddDate(9, 0, 0))
		root, err := NewCA("padlock lab demo root", validity)
		if err != nil {
			demoErr = err
			return
		}
		demoCA, demoErr = root.Intermediate("padlock lab demo intermediate", validity)
	})
	return demoCA, demoErr
}

// ecdheAEAD are the TLS 1.2 suites a modern server offers (TLS 1.3 suites
// are not configurable in crypto/tls and always all enabled).
var ecdheAEADECDSA = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
}

// modernConfig is TLS 1.2–1.3 with ECDHE and AEAD only, serving leaf.
func modernConfig(leaf *Leaf) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS13,
		CipherSuites: ecdheAEADECDSA,
		Certificates: []tls.Certificate{leaf.TLSCertificate()},
	}
}

func issued(opts LeafOptions) func(*CA) (*tls.Config, error) {
	return func(ca *CA) (*tls.Config, error) {
		leaf, err := ca.Issue(opts)
		if err != nil {
			return nil, err
		}
		return modernConfig(leaf), nil
	}
}

// DemoServers returns the demo catalogue, in a stable order.
func DemoServers() []DemoSpec {
	return []DemoSpec{
		{
			Name:        "modern",
			Description: "what good looks like: TLS 1.2-1.3, ECDHE with AEAD ciphers only, P-256 certificate with a complete chain",
			Build:       issued(LeafOptions{KeyType: KeyP256}),
		},
		{
			Name:        "tls13-only",
			Description: "TLS 1.3 only: strong, but clients without TLS 1.3 cannot connect",
			Build: func(ca *CA) (*tls.Config, error) {
				leaf, err := ca.Issue(LeafOptions{KeyType: KeyP256})
				if err != nil {
					return nil, err
				}
				cfg := modernConfig(leaf)
				cfg.MinVersion = tls.VersionTLS13
				cfg.CipherSuites = nil
				return cfg, nil
			},
		},
		{
			Name:        "legacy",
			Description: "TLS 1.0-1.2 with static RSA key exchange, CBC and 3DES ciphers (no forward secrecy, Sweet32)",
			Build: func(ca *CA) (*tls.Config, error) {
				leaf, err := ca.Issue(LeafOptions{KeyType: KeyRSA2048})
				if err != nil {
					return nil, err
				}
				return &tls.Config{
					MinVersion: tls.VersionTLS10,
					MaxVersion: tls.VersionTLS12,
					CipherSuites: []uint16{
						tls.TLS_RSA_WITH_AES_128_CBC_SHA,
						tls.TLS_RSA_WITH_AES_256_CBC_SHA,
						tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
						tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
						tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
						tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
						tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
					},
					Certificates: []tls.Certificate{leaf.TLSCertificate()},
				}, nil
			},
		},
		{
			Name:        "rc4",
			Description: "TLS 1.0-1.2 accepting RC4 cipher suites (prohibited by RFC 7465) next to one AES-GCM suite",
			Build: func(ca *CA) (*tls.Config, error) {
				leaf, err := ca.Issue(LeafOptions{KeyType: KeyRSA2048})
				if err != nil {
					return nil, err
				}
				return &tls.Config{
					MinVersion: tls.VersionTLS10,
					MaxVersion: tls.VersionTLS12,
					CipherSuites: []uint16{
						tls.TLS_RSA_WITH_RC4_128_SHA,
						tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA,
						tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
					},
					Certificates: []tls.Certificate{leaf.TLSCertificate()},
				}, nil
			},
		},
		{
			Name:        "client-order",
			Description: "TLS 1.2 server that takes the client's cipher order instead of enforcing its own (CBC chosen if the client lists it first)",
			Build:       clientOrderConfig,
		},
		{
			Name:        "expired",
			Description: "certificate expired 30 days ago (otherwise modern)",
			Build: func(ca *CA) (*tls.Config, error) {
				now := time.Now()
				return issued(LeafOptions{
					KeyType:   KeyP256,
					NotBefore: now.AddDate(0, 0, -120),
					NotAfter:  now.AddDate(0, 0, -30),
				})(ca)
			},
		},
		{
			Name:        "self-signed",
			Description: "self-signed certificate that no client trusts (otherwise modern)",
			Build: func(*CA) (*tls.Config, error) {
				leaf, err := SelfSigned(LeafOptions{KeyType: KeyP256})
				if err != nil {
					return nil, err
				}
				return modernConfig(leaf), nil
			},
		},
		{
			Name:        "incomplete-chain",
			Description: "serves its certificate without the intermediate CA that issued it, which its AIA URL offers (otherwise modern)",
			Build: func(ca *CA) (*tls.Config, error) {
				// The leaf names where its issuer can be fetched (AIA), as
				// public CAs' leaves do: a browser, and padlock, complete
				// the chain from there, and it is judged incomplete (B),
				// not untrusted.
				url, err := ca.IssuerURL()
				if err != nil {
					return nil, err
				}
				leaf, err := ca.Issue(LeafOptions{KeyType: KeyP256, IssuerURL: url})
				if err != nil {
					return nil, err
				}
				leaf.Chain = leaf.Chain[:1]
				return modernConfig(leaf), nil
			},
		},
		{
			Name:        "wrong-name",
			Description: "certificate valid only for padlock-lab.invalid, not for localhost or 127.0.0.1 (otherwise modern)",
			Build:       issued(LeafOptions{KeyType: KeyP256, DNSNames: []string{"padlock-lab.invalid"}}),
		},
		{
			Name:        "weak-key",
			Description: "1024-bit RSA certificate key (otherwise TLS 1.2-1.3 with ECDHE and AEAD)",
			Build:       rsaModern(LeafOptions{KeyType: KeyRSA1024}),
		},
		{
			Name:        "sha1-signature",
			Description: "certificate signed with SHA-1 (sha1WithRSAEncryption) by the intermediate CA (otherwise modern)",
			Build:       rsaModern(LeafOptions{KeyType: KeyRSA2048, SignatureAlgorithm: x509.SHA1WithRSA}),
		},
	}
}

// rsaModern is modernConfig with an RSA leaf and ECDHE-RSA AEAD suites.
func rsaModern(opts LeafOptions) func(*CA) (*tls.Config, error) {
	return func(ca *CA) (*tls.Config, error) {
		leaf, err := ca.Issue(opts)
		if err != nil {
			return nil, err
		}
		cfg := modernConfig(leaf)
		cfg.CipherSuites = []uint16{
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		}
		return cfg, nil
	}
}

// clientOrderSuites are offered by the client-order server.
var clientOrderSuites = []uint16{
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
}

// clientOrderConfig emulates a server without a cipher preference. A Go
// server always picks by its own order (Config.PreferServerCipherSuites has
// been ignored since Go 1.17), so GetConfigForClient narrows the suite list
// to the first suite of the client's list that the server supports.
func clientOrderConfig(ca *CA) (*tls.Config, error) {
	leaf, err := ca.Issue(LeafOptions{KeyType: KeyRSA2048})
	if err != nil {
		return nil, err
	}
	base := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: clientOrderSuites,
		Certificates: []tls.Certificate{leaf.TLSCertificate()},
	}
	cfg := base.Clone()
	cfg.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		for _, id := range hello.CipherSuites {
			if slices.Contains(clientOrderSuites, id) {
				c := base.Clone()
				c.CipherSuites = []uint16{id}
				return c, nil
			}
		}
		return nil, nil // no common suite: the handshake fails as usual
	}
	return cfg, nil
}

// StartDemo starts every server of DemoServers on loopback, using DemoCA. On
// error the servers already started are closed. All servers stop when ctx is
// done or when closed.
func StartDemo(ctx context.Context) ([]*GoServer, error) {
	ca, err := DemoCA()
	if err != nil {
		return nil, err
	}
	return StartDemoWithCA(ctx, ca)
}

// StartDemoWithCA is StartDemo with another issuing CA.
func StartDemoWithCA(ctx context.Context, ca *CA) ([]*GoServer, error) {
	var servers []*GoServer
	fail := func(err error) ([]*GoServer, error) {
		for _, s := range servers {
			s.Close()
		}
		return nil, err
	}
	for _, spec := range DemoServers() {
		cfg, err := spec.Build(ca)
		if err != nil {
			return fail(fmt.Errorf("lab: demo %q: %w", spec.Name, err))
		}
		s, err := StartGo(ctx, spec.Name, cfg)
		if err != nil {
			return fail(fmt.Errorf("lab: demo %q: %w", spec.Name, err))
		}
		s.Description = spec.Description
		s.CA = ca.Root()
		servers = append(servers, s)
	}
	return servers, nil
}
