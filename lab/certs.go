package lab

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Key types understood by NewKey, NewCA and LeafOptions.KeyType.
const (
	KeyRSA1024 = "rsa1024"
	KeyRSA2048 = "rsa2048"
	KeyRSA3072 = "rsa3072"
	KeyRSA4096 = "rsa4096"
	KeyP256    = "p256"
	KeyP384    = "p384"
	KeyP521    = "p521"
	KeyEd25519 = "ed25519"
)

// DefaultKeyType is used when no key type is given.
const DefaultKeyType = KeyRSA2048

// rsaPoolSize is how many distinct keys of one RSA size a process generates
// before it starts handing them out again.
const rsaPoolSize = 6

type keyPool struct {
	mu   sync.Mutex
	keys map[string][]crypto.Signer
	next map[string]int
}

var pool = keyPool{keys: map[string][]crypto.Signer{}, next: map[string]int{}}

// NewKey returns a private key of the given type ("" means DefaultKeyType).
//
// RSA keys come from a per-process pool: the first rsaPoolSize (6) requests
// for a size generate new keys, later ones reuse them in rotation, so two
// consecutive requests never get the same key (a CA and the leaf it issues
// next always differ). Elliptic-curve and Ed25519 keys are always fresh.
func NewKey(keyType string) (crypto.Signer, error) {
	if keyType == "" {
		keyType = DefaultKeyType
	}
	bits := 0
	switch keyType {
	case KeyRSA1024:
		bits = 1024
	case KeyRSA2048:
		bits = 2048
	case KeyRSA3072:
		bits = 3072
	case KeyRSA4096:
		bits = 4096
	case KeyP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case KeyP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case KeyP521:
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case KeyEd25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	default:
		return nil, fmt.Errorf("lab: unknown key type %q", keyType)
	}

	pool.mu.Lock()
	if n := len(pool.keys[keyType]); n >= rsaPoolSize {
		k := pool.keys[keyType][pool.next[keyType]%n]
		pool.next[keyType]++
		pool.mu.Unlock()
		return k, nil
	}
	pool.mu.Unlock()

	// Generate outside the lock; concurrent callers may both generate, which
	// only means the pool fills a little sooner.
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	pool.mu.Lock()
	if len(pool.keys[keyType]) < rsaPoolSize {
		pool.keys[keyType] = append(pool.keys[keyType], k)
		pool.next[keyType] = len(pool.keys[keyType])
	}
	pool.mu.Unlock()
	return k, nil
}

// keyTypeOf names the type of an existing key, for intermediates that inherit
// their parent's key type.
func keyTypeOf(k crypto.Signer) string {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		switch k.N.BitLen() {
		case 1024:
			return KeyRSA1024
		case 3072:
			return KeyRSA3072
		case 4096:
			return KeyRSA4096
		}
		return KeyRSA2048
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P384():
			return KeyP384
		case elliptic.P521():
			return KeyP521
		}
		return KeyP256
	case ed25519.PrivateKey:
		return KeyEd25519
	}
	return DefaultKeyType
}

func serialNumber() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

// CA is a certificate authority: a self-signed root (NewCA) or an
// intermediate (CA.Intermediate).
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	DER  []byte

	// served lists the DER of this CA and of the intermediates above it, up
	// to but excluding the root: what a server sends after its leaf. It is
	// empty for a root.
	served [][]byte
	root   *CA
}

// CAOption customises NewCA.
type CAOption func(*caConfig)

type caConfig struct {
	keyType             string
	key                 crypto.Signer
	notBefore, notAfter time.Time
	sigAlg              x509.SignatureAlgorithm
}

// CAKeyType sets the CA's key type (default DefaultKeyType, "rsa2048").
func CAKeyType(keyType string) CAOption { return func(c *caConfig) { c.keyType = keyType } }

// CAKey makes the CA use the given key instead of a (pooled) new one.
func CAKey(key crypto.Signer) CAOption { return func(c *caConfig) { c.key = key } }

// CAValidity sets the CA's validity period (default: one hour ago until ten
// years from now).
func CAValidity(notBefore, notAfter time.Time) CAOption {
	return func(c *caConfig) { c.notBefore, c.notAfter = notBefore, notAfter }
}

// CASignatureAlgorithm sets the algorithm the CA certificate is signed with
// (by itself for a root, by the parent for an intermediate).
func CASignatureAlgorithm(alg x509.SignatureAlgorithm) CAOption {
	return func(c *caConfig) { c.sigAlg = alg }
}

func newCAConfig(opts []CAOption) (*caConfig, error) {
	c := &caConfig{}
	for _, o := range opts {
		o(c)
	}
	if c.key == nil {
		k, err := NewKey(c.keyType)
		if err != nil {
			return nil, err
		}
		c.key = k
	}
	if c.notBefore.IsZero() {
		c.notBefore = time.Now().Add(-time.Hour)
	}
	if c.notAfter.IsZero() {
		c.notAfter = c.notBefore.AddDate(10, 0, 0)
	}
	return c, nil
}

func caTemplate(name string, c *caConfig) (*x509.Certificate, error) {
	sn, err := serialNumber()
	if err != nil {
		return nil, err
	}
	return &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"padlock lab"}},
		NotBefore:             c.notBefore,
		NotAfter:              c.notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SignatureAlgorithm:    c.sigAlg,
	}, nil
}

// NewCA makes a self-signed root CA with the given common name.
func NewCA(name string, opts ...CAOption) (*CA, error) {
	c, err := newCAConfig(opts)
	if err != nil {
		return nil, err
	}
	tmpl, err := caTemplate(name, c)
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, c.key.Public(), c.key)
	if err != nil {
		return nil, fmt.Errorf("lab: creating CA %q: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	ca := &CA{Cert: cert, Key: c.key, DER: der}
	ca.root = ca
	return ca, nil
}

// Intermediate makes a CA certified by ca. Its key has the same type as ca's
// unless CAKeyType or CAKey says otherwise.
func (ca *CA) Intermediate(name string, opts ...CAOption) (*CA, error) {
	opts = append([]CAOption{CAKeyType(keyTypeOf(ca.Key))}, opts...)
	c, err := newCAConfig(opts)
	if err != nil {
		return nil, err
	}
	tmpl, err := caTemplate(name, c)
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, c.key.Public(), ca.Key)
	if err != nil {
		return nil, fmt.Errorf("lab: creating intermediate %q: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	served := append([][]byte{der}, ca.served...)
	return &CA{Cert: cert, Key: c.key, DER: der, served: served, root: ca.root}, nil
}

// Root returns the self-signed root above ca (ca itself for a root).
func (ca *CA) Root() *CA { return ca.root }

// Pool returns a certificate pool holding only the root above ca, for
// tls.Config.RootCAs.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.root.Cert)
	return p
}

// CertPEM returns ca's certificate in PEM form.
func (ca *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.DER})
}

// WriteRootPEM writes the root certificate above ca to dir/name.pem (for
// example for `openssl s_client -CAfile`) and returns the file's path.
func (ca *CA) WriteRootPEM(dir, name string) (string, error) {
	f := filepath.Join(dir, name+".pem")
	return f, os.WriteFile(f, ca.root.CertPEM(), 0o644)
}

// LeafOptions describes a server certificate.
type LeafOptions struct {
	// CommonName defaults to the first DNS name, or the first IP address.
	CommonName string
	// DNSNames and IPs are the subject alternative names. If both are empty
	// the certificate is for "localhost", 127.0.0.1 and ::1.
	DNSNames []string
	IPs      []net.IP
	// KeyType is one of the Key* constants ("rsa2048" if empty).
	KeyType string
	// Key, if set, is used instead of a new (pooled) key of KeyType.
	Key crypto.Signer
	// NotBefore defaults to one hour ago, NotAfter to NotBefore plus 90 days.
	NotBefore, NotAfter time.Time
	// SignatureAlgorithm is the algorithm the issuer signs with (zero: the
	// issuer key's default). x509.SHA1WithRSA needs an RSA issuer,
	// x509.ECDSAWithSHA1 an ECDSA one.
	SignatureAlgorithm x509.SignatureAlgorithm
	// SelfSigned makes the leaf sign itself; CA.Issue then ignores the CA.
	SelfSigned bool
	// IssuerURL, when set, is the leaf's AIA caIssuers URL: where a client
	// that was not sent the issuer may fetch it (see CA.IssuerURL).
	IssuerURL string
}

// Leaf is a server certificate and its key.
type Leaf struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	DER  []byte
	// Chain is what a server sends: the leaf first, then the
	// intermediates, never the root.
	Chain [][]byte
	// Issuer is the CA that signed the leaf (nil if self-signed).
	Issuer *CA
}

// Issue makes a leaf certificate signed by ca (or self-signed, if
// opts.SelfSigned; ca may then be nil).
func (ca *CA) Issue(opts LeafOptions) (*Leaf, error) {
	if !opts.SelfSigned && ca == nil {
		return nil, errors.New("lab: Issue on a nil CA without SelfSigned")
	}
	key := opts.Key
	if key == nil {
		k, err := NewKey(opts.KeyType)
		if err != nil {
			return nil, err
		}
		key = k
	}
	dns, ips := opts.DNSNames, opts.IPs
	if len(dns) == 0 && len(ips) == 0 {
		dns = []string{"localhost"}
		ips = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	cn := opts.CommonName
	if cn == "" {
		if len(dns) > 0 {
			cn = dns[0]
		} else {
			cn = ips[0].String()
		}
	}
	nb, na := opts.NotBefore, opts.NotAfter
	if nb.IsZero() {
		nb = time.Now().Add(-time.Hour)
	}
	if na.IsZero() {
		na = nb.AddDate(0, 0, 90)
	}
	sn, err := serialNumber()
	if err != nil {
		return nil, err
	}
	ku := x509.KeyUsageDigitalSignature
	if _, ok := key.(*rsa.PrivateKey); ok {
		// RSA key exchange encrypts to the certificate key.
		ku |= x509.KeyUsageKeyEncipherment
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"padlock lab"}},
		DNSNames:              dns,
		IPAddresses:           ips,
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              ku,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		SignatureAlgorithm:    opts.SignatureAlgorithm,
	}
	if opts.IssuerURL != "" {
		tmpl.IssuingCertificateURL = []string{opts.IssuerURL}
	}
	parent, signer := tmpl, key
	var chain [][]byte
	var issuer *CA
	if !opts.SelfSigned {
		parent, signer, issuer = ca.Cert, ca.Key, ca
		chain = ca.served
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("lab: issuing %q: %w", cn, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Leaf{
		Cert:   cert,
		Key:    key,
		DER:    der,
		Chain:  append([][]byte{der}, chain...),
		Issuer: issuer,
	}, nil
}

// SelfSigned makes a self-signed leaf certificate.
func SelfSigned(opts LeafOptions) (*Leaf, error) {
	opts.SelfSigned = true
	return (*CA)(nil).Issue(opts)
}

// TLSCertificate returns the leaf, its chain and key for tls.Config.
func (l *Leaf) TLSCertificate() tls.Certificate {
	return tls.Certificate{Certificate: l.Chain, PrivateKey: l.Key, Leaf: l.Cert}
}

// ChainPEM returns the served chain (leaf first) in PEM form.
func (l *Leaf) ChainPEM() []byte {
	var out []byte
	for _, der := range l.Chain {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	return out
}

// KeyPEM returns the private key as PEM-encoded PKCS#8.
func (l *Leaf) KeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(l.Key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// WritePEM writes the served chain (leaf first) to dir/name.crt and the
// PKCS#8 private key to dir/name.key (mode 0600), and returns both paths.
func (l *Leaf) WritePEM(dir, name string) (certFile, keyFile string, err error) {
	keyPEM, err := l.KeyPEM()
	if err != nil {
		return "", "", err
	}
	certFile = filepath.Join(dir, name+".crt")
	keyFile = filepath.Join(dir, name+".key")
	if err := os.WriteFile(certFile, l.ChainPEM(), 0o644); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		return "", "", err
	}
	return certFile, keyFile, nil
}

// issuerServers are the HTTP servers of CA.IssuerURL, one per CA, kept for
// the life of the process (the certificates naming them may outlive any
// one lab server).
var issuerServers struct {
	sync.Mutex
	urls map[*CA]string
}

// IssuerURL returns an http:// URL on 127.0.0.1 where c's certificate is
// served (DER, application/pkix-cert), for the AIA caIssuers extension of
// the leaves it issues. The first call for c starts the server; it runs
// until the process ends.
func (c *CA) IssuerURL() (string, error) {
	issuerServers.Lock()
	defer issuerServers.Unlock()
	if u, ok := issuerServers.urls[c]; ok {
		return u, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("lab: issuer server: %w", err)
	}
	der := c.DER
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pkix-cert")
			w.Write(der)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() { _ = srv.Serve(ln) }()
	u := "http://" + ln.Addr().String() + "/issuer.cer"
	if issuerServers.urls == nil {
		issuerServers.urls = map[*CA]string{}
	}
	issuerServers.urls[c] = u
	return u, nil
}
