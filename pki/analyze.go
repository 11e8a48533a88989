package pki

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"padlock/registry"
)

// SSL Labs' certChains[].issues bits.
const (
	ChainIncomplete           = 1 << 1 // intermediates had to be fetched (AIA)
	ChainUnrelatedOrDuplicate = 1 << 2 // certificates not on the path, or sent twice
	ChainWrongOrder           = 1 << 3 // not sent leaf first, then each issuer in turn
	ChainSelfSignedRoot       = 1 << 4 // a self-signed (root) certificate was sent
	ChainCouldNotValidate     = 1 << 5 // no certificate, or an unparsable leaf
	chainIssueBits            = 6
)

var chainIssueNames = [chainIssueBits]string{
	"", "incomplete chain", "unrelated or duplicate certificates", "incorrect order",
	"contains a self-signed root", "could not validate",
}

// Chain is one certificate chain as a server sent it. It has the fields of
// probe.Chain, so a probe.Chain converts with pki.Chain(c) (pki does not
// import probe: it judges chains however they were collected).
type Chain struct {
	Protocol     registry.Protocol // version of the handshake it came from
	SNI          string            // server_name sent ("" for the default certificate)
	Certificates [][]byte          // DER, in the order sent, leaf first
	OCSPResponse []byte            // stapled OCSP response, if any
	SCTs         [][]byte          // SCTs from the TLS extension (each one SerializedSCT)
}

// Options tune Analyze. The zero value judges against the embedded Mozilla
// store, at the current time, without fetching anything.
type Options struct {
	// Roots replaces the embedded Mozilla root store (nil: use it).
	Roots *x509.CertPool
	// ExtraRoots are trusted in addition (--ca-file): private and test
	// PKIs. Paths ending in them are labelled with the store "Custom".
	ExtraRoots []*x509.Certificate
	// Now is the time certificates are judged at (zero: time.Now()).
	Now time.Time
	// FetchIssuer fetches AIA caIssuers URLs to complete a chain that lacks
	// intermediates; nil means offline (nothing is fetched). See
	// HTTPIssuerFetcher.
	FetchIssuer IssuerFetcher
	// MaxFetches bounds the issuer fetches of one Analyze call (default 8).
	MaxFetches int
	// SkipLint turns zlint off.
	SkipLint bool
}

// TrustPool returns the roots chains are judged against: Roots (a copy),
// or the embedded Mozilla store, plus ExtraRoots. The plain-HTTP side
// verifies its HTTPS hops with the same pool, so that one --ca-file means
// one trust. When the Mozilla store cannot be read, the pool holds the
// extra roots only, and the error says why.
func (o Options) TrustPool() (*x509.CertPool, error) {
	var pool *x509.CertPool
	var err error
	if o.Roots != nil {
		pool = o.Roots.Clone()
	} else if pool, err = MozillaRoots(); err != nil {
		pool = x509.NewCertPool()
	}
	for _, c := range o.ExtraRoots {
		if c != nil {
			pool.AddCert(c)
		}
	}
	return pool, err
}

// Report is the analysis of every chain an endpoint sent.
type Report struct {
	Host      string    `json:"host"`
	Time      int64     `json:"time"` // when judged, ms since 1970
	RootStore RootStore `json:"rootStore"`
	// Certs are all certificates involved, once each, in order: those
	// sent, then those fetched through AIA, then the roots that anchor
	// trust paths.
	Certs  []*Cert        `json:"certs"`
	Chains []*ChainReport `json:"certChains"`
	// Facts summarises the chains sent for the requested name (with SNI;
	// all chains when none was asked for with SNI): what grading uses.
	Facts Facts `json:"facts"`
	// Errors are problems of the analysis itself (not of the server).
	Errors []string `json:"errors,omitempty"`
	// Incomplete says why the analysis did not finish (its context ended
	// first): chains may be missing or judged from part of what was sent,
	// and its verdicts must not be graded.
	Incomplete string `json:"incomplete,omitempty"`
}

// Cert returns the certificate with the given id, or nil.
func (r *Report) Cert(id string) *Cert {
	for _, c := range r.Certs {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// ChainReport is one chain: SSL Labs' v3 CertificateChain object (same JSON
// names) plus padlock's own fields.
type ChainReport struct {
	// ID is the SHA-256 (hex) of the chain's certificates' DER,
	// concatenated in the order sent.
	ID         string      `json:"id"`
	CertIDs    []string    `json:"certIds"`
	TrustPaths []TrustPath `json:"trustPaths"`
	Issues     int         `json:"issues"` // Chain* bits
	NoSNI      bool        `json:"noSni"`
	// CertsNotAnalysed counts the certificates sent beyond MaxChainCerts:
	// not analysed, and not in CertIDs (ID still covers them).
	CertsNotAnalysed int `json:"padlockCertsNotAnalysed,omitempty"`

	Protocol   registry.Protocol `json:"padlockProtocol"`
	SNI        string            `json:"padlockSni,omitempty"`
	IssueNames []string          `json:"padlockIssues,omitempty"`
	NameMatch  bool              `json:"padlockNameMatch"`
	Trusted    bool              `json:"padlockTrusted"`
	// TrustError is crypto/x509's path validation error, when untrusted.
	TrustError string `json:"padlockTrustError,omitempty"`
	// AIAFetched are the ids of certificates fetched to complete the
	// chain; AIAErrors what went wrong fetching.
	AIAFetched []string `json:"padlockAiaFetched,omitempty"`
	AIAErrors  []string `json:"padlockAiaErrors,omitempty"`
	OCSP       *Staple  `json:"padlockOcsp,omitempty"`
	// SCTs are all SCTs for the leaf: embedded, from the TLS extension and
	// from the stapled OCSP response. HasSCT is SSL Labs' hasSct bits:
	// 1 certificate, 2 stapled OCSP, 4 TLS extension.
	SCTs   []SCT `json:"padlockScts,omitempty"`
	HasSCT int   `json:"padlockHasSct"`
	Facts  Facts `json:"padlockFacts"`
}

// TrustPath is one path from the leaf to a root (SSL Labs' TrustPath).
type TrustPath struct {
	CertIDs []string `json:"certIds"`
	Trust   []Trust  `json:"trust"`
}

// Trust is a path's verdict for one root store.
type Trust struct {
	RootStore         string `json:"rootStore"` // "Mozilla" or "Custom"
	IsTrusted         bool   `json:"isTrusted"`
	TrustErrorMessage string `json:"trustErrorMessage,omitempty"`
}

// Root store labels.
const (
	StoreMozilla = "Mozilla"
	StoreCustom  = "Custom"
)

type certInfo struct {
	id   string
	der  []byte
	x    *x509.Certificate
	out  *Cert
	leaf bool // is the leaf of some chain
	// anyChainOfTrust: as a leaf, some chain reaches a trusted root.
	anyChainOfTrust bool
}

type fetchResult struct {
	certs []*x509.Certificate
	err   error
}

type analyzer struct {
	ctx     context.Context
	host    string
	opts    Options
	now     time.Time
	pool    *x509.CertPool
	extra   map[string]bool // ids of ExtraRoots
	certs   map[string]*certInfo
	order   []*certInfo
	fetched map[string]fetchResult
	fetches int
	errors  []string
}

// Analyze judges the chains one endpoint sent when asked for host (a DNS
// name or an IP address). It makes no network access unless
// opts.FetchIssuer is set, and never consults the host's trust store.
// Its work is bounded per chain (MaxChainCerts, a budget of signature
// checks, crypto/x509's own limits); when ctx ends it stops and says so in
// Report.Incomplete.
func Analyze(ctx context.Context, host string, chains []Chain, opts Options) *Report {
	a := &analyzer{
		ctx:     ctx,
		host:    host,
		opts:    opts,
		now:     opts.Now,
		extra:   map[string]bool{},
		certs:   map[string]*certInfo{},
		fetched: map[string]fetchResult{},
	}
	if a.now.IsZero() {
		a.now = time.Now()
	}
	if a.opts.MaxFetches <= 0 {
		a.opts.MaxFetches = defaultMaxFetches
	}
	store := MozillaStore()
	if opts.Roots != nil {
		store = RootStore{Name: StoreCustom}
	}
	pool, err := opts.TrustPool()
	if err != nil {
		a.errors = append(a.errors, err.Error())
	}
	a.pool = pool
	for _, c := range opts.ExtraRoots {
		if c != nil {
			a.extra[certID(c.Raw)] = true
		}
	}

	r := &Report{Host: host, Time: a.now.UnixMilli(), RootStore: store, Chains: []*ChainReport{}}
	for _, c := range chains {
		if ctx.Err() != nil {
			break
		}
		r.Chains = append(r.Chains, a.chain(c))
	}
	if err := ctx.Err(); err != nil {
		r.Incomplete = "the certificate analysis was stopped: " + err.Error()
	}
	for _, ci := range a.order {
		if ci.leaf && !ci.anyChainOfTrust {
			ci.out.setIssue(CertNoChainOfTrust)
		}
		ci.out.IssueNames = issueNames(ci.out.Issues, certIssueNames[:])
		r.Certs = append(r.Certs, ci.out)
	}
	if r.Certs == nil {
		r.Certs = []*Cert{}
	}

	var primary []Facts
	for _, cr := range r.Chains {
		if cr.SNI != "" {
			primary = append(primary, cr.Facts)
		}
	}
	if len(primary) == 0 {
		for _, cr := range r.Chains {
			primary = append(primary, cr.Facts)
		}
	}
	r.Facts = mergeFacts(primary)
	r.Errors = a.errors
	return r
}

// cert registers a certificate (once) and returns its record.
func (a *analyzer) cert(der []byte, source string) *certInfo {
	id := certID(der)
	if ci, ok := a.certs[id]; ok {
		return ci
	}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		x = nil
	}
	ci := &certInfo{id: id, der: der, x: x, out: describe(der, x, a.now)}
	if err != nil {
		ci.out.ParseError = err.Error()
	}
	ci.out.Source = source
	if x != nil {
		if a.now.Before(x.NotBefore) {
			ci.out.setIssue(CertNotYetValid)
		}
		if a.now.After(x.NotAfter) {
			ci.out.setIssue(CertExpired)
		}
	}
	if !a.opts.SkipLint && source != SourceRoot && a.ctx.Err() == nil {
		ci.out.Lint = lintCertificate(der)
	}
	a.certs[id] = ci
	a.order = append(a.order, ci)
	return ci
}

func (a *analyzer) certFor(x *x509.Certificate, source string) *certInfo {
	return a.cert(x.Raw, source)
}

// trustErrors explains, one line each, why a chain is not trusted.
func (a *analyzer) trustErrors(f *Facts, cr *ChainReport, err error, top *x509.Certificate, fetched []*certInfo) []string {
	var out []string
	leaf := a.certs[f.LeafID]
	if f.Expired {
		out = append(out, "the certificate expired on "+leaf.x.NotAfter.UTC().Format(time.DateOnly))
	}
	if f.NotYetValid {
		out = append(out, "the certificate is not valid before "+leaf.x.NotBefore.UTC().Format(time.DateOnly))
	}
	if f.SelfSigned {
		out = append(out, "the certificate is self-signed")
	}
	if f.SHA1Leaf {
		out = append(out, "the certificate is signed with SHA-1")
	}
	if f.Revoked {
		out = append(out, "the certificate is revoked (stapled OCSP response)")
	}
	// A distrust explains a failed path only when it is the store's own
	// (Mozilla's): Chrome's distrust of a chain Mozilla cannot build
	// either leaves the path error to say.
	explained := len(out) > 0 || slices.Contains(f.DistrustedBy, StoreMozilla)
	out = append(out, f.DistrustReason...)
	if err != nil && !explained {
		out = append(out, explainVerifyError(err))
		if isUnknownAuthority(err) && !selfSigned(top) && len(fetched) == 0 && !a.issuedByRoot(top) {
			switch {
			case a.opts.FetchIssuer == nil:
				out = append(out, fmt.Sprintf("the issuer of %q was not sent (incomplete chain?) and fetching issuers (AIA) is off", top.Subject.String()))
			case len(cr.AIAErrors) > 0:
				out = append(out, fmt.Sprintf("the issuer of %q was not sent and could not be fetched: %s", top.Subject.String(), cr.AIAErrors[0]))
			}
		}
	}
	return out
}

// explainVerifyError turns a crypto/x509 path validation error into one
// line a server administrator can act on.
func explainVerifyError(err error) string {
	var inv x509.CertificateInvalidError
	var ua x509.UnknownAuthorityError
	var ia x509.InsecureAlgorithmError
	switch {
	case errors.As(err, &inv):
		who := "a certificate in the chain"
		if inv.Cert != nil {
			who = fmt.Sprintf("%q", inv.Cert.Subject.String())
		}
		switch inv.Reason {
		case x509.Expired:
			return who + " is expired or not yet valid: " + inv.Detail
		case x509.NotAuthorizedToSign:
			return who + " is not a CA but issued a certificate in the chain"
		case x509.IncompatibleUsage:
			return "the chain is not valid for TLS server authentication (extended key usage)"
		case x509.CANotAuthorizedForThisName, x509.NameConstraintsWithoutSANs, x509.UnconstrainedName:
			return "a CA's name constraints do not allow the certificate's names: " + inv.Detail
		case x509.TooManyIntermediates:
			return "the chain is longer than a CA's path length constraint allows"
		}
		return err.Error()
	case errors.As(err, &ua):
		msg := "no path to a trusted root: unknown issuer"
		if ua.Cert != nil {
			msg = fmt.Sprintf("no path to a trusted root: the issuer of %q (%q) is not trusted", ua.Cert.Subject.String(), ua.Cert.Issuer.String())
		}
		if _, hint, ok := strings.Cut(ua.Error(), "possibly because of "); ok {
			msg += ", possibly because of " + strings.TrimSuffix(hint, ")")
		}
		return msg
	case errors.As(err, &ia):
		return "a certificate in the chain is signed with an insecure algorithm (" + x509.SignatureAlgorithm(ia).String() + ")"
	case strings.Contains(err.Error(), "signature check attempts limit reached"):
		return "path validation gave up: the chain offers too many candidate issuers (crypto/x509's limit of signature checks was reached), as browsers give up on such chains"
	}
	return err.Error()
}

func isUnknownAuthority(err error) bool {
	var ua x509.UnknownAuthorityError
	return errors.As(err, &ua)
}

// storeOf labels the root store a path's anchor belongs to.
func (a *analyzer) storeOf(root *x509.Certificate) string {
	if a.extra[certID(root.Raw)] {
		return StoreCustom
	}
	return a.storeLabel()
}

func (a *analyzer) storeLabel() string {
	if a.opts.Roots != nil {
		return StoreCustom
	}
	return StoreMozilla
}

// issuedByRoot reports whether a root of the trust store issued c (at any
// time in c's validity period: only the issuer relation matters here).
func (a *analyzer) issuedByRoot(c *x509.Certificate) bool {
	_, err := c.Verify(x509.VerifyOptions{
		Roots:       a.pool,
		CurrentTime: c.NotBefore.Add(c.NotAfter.Sub(c.NotBefore) / 2),
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err == nil
}

// fetch gets and parses one caIssuers URL, at most once per Analyze call and
// within the fetch budget.
func (a *analyzer) fetch(u string) ([]*x509.Certificate, error) {
	if r, ok := a.fetched[u]; ok {
		return r.certs, r.err
	}
	if a.fetches >= a.opts.MaxFetches {
		return nil, fmt.Errorf("%s: not fetched, the limit of %d issuer fetches is reached", u, a.opts.MaxFetches)
	}
	if err := a.ctx.Err(); err != nil {
		return nil, err
	}
	a.fetches++
	body, err := a.opts.FetchIssuer(a.ctx, u)
	var certs []*x509.Certificate
	if err == nil {
		certs, err = ParseIssuerCerts(body)
		if err != nil {
			err = fmt.Errorf("%s: %w", u, err)
		}
	} else if !strings.Contains(err.Error(), u) {
		err = fmt.Errorf("%s: %w", u, err)
	}
	a.fetched[u] = fetchResult{certs, err}
	return certs, err
}

// chainID is the SHA-256 (hex) of the certificates' DER concatenated.
func chainID(ders [][]byte) string {
	h := sha256.New()
	for _, d := range ders {
		h.Write(d)
	}
	return hex.EncodeToString(h.Sum(nil))
}
