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
		a.pool = opts.Roots.Clone()
		store = RootStore{Name: StoreCustom}
	} else {
		p, err := MozillaRoots()
		if err != nil {
			a.errors = append(a.errors, err.Error())
			p = x509.NewCertPool()
		}
		a.pool = p
	}
	for _, c := range opts.ExtraRoots {
		if c != nil {
			a.pool.AddCert(c)
			a.extra[certID(c.Raw)] = true
		}
	}

	r := &Report{Host: host, Time: a.now.UnixMilli(), RootStore: store, Chains: []*ChainReport{}}
	for _, c := range chains {
		r.Chains = append(r.Chains, a.chain(c))
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
	if !a.opts.SkipLint && source != SourceRoot {
		ci.out.Lint = lintCertificate(der)
	}
	a.certs[id] = ci
	a.order = append(a.order, ci)
	return ci
}

func (a *analyzer) certFor(x *x509.Certificate, source string) *certInfo {
	return a.cert(x.Raw, source)
}

// chain analyses one chain.
func (a *analyzer) chain(in Chain) *ChainReport {
	cr := &ChainReport{
		ID:         chainID(in.Certificates),
		CertIDs:    []string{},
		TrustPaths: []TrustPath{},
		NoSNI:      in.SNI == "",
		Protocol:   in.Protocol,
		SNI:        in.SNI,
	}
	defer func() { cr.IssueNames = issueNames(cr.Issues, chainIssueNames[:]) }()
	var sent []*certInfo
	for _, der := range in.Certificates {
		ci := a.cert(der, SourceSent)
		sent = append(sent, ci)
		cr.CertIDs = append(cr.CertIDs, ci.id)
	}
	cr.Facts = Facts{ChainIDs: []string{cr.ID}, NoCertificate: true}
	if len(sent) == 0 {
		cr.Issues |= ChainCouldNotValidate
		cr.TrustError = "no certificate sent"
		cr.Facts.TrustErrors = []string{cr.TrustError}
		return cr
	}
	leafInfo := sent[0]
	leafInfo.leaf = true
	leaf := leafInfo.x
	cr.Facts.LeafID = leafInfo.id
	if leaf == nil {
		cr.Issues |= ChainCouldNotValidate
		cr.TrustError = "the leaf certificate cannot be parsed: " + leafInfo.out.ParseError
		cr.Facts.TrustErrors = []string{cr.TrustError}
		return cr
	}

	// Duplicates, the issuer-linked order of what was sent, and sent roots.
	seen := map[string]bool{}
	for _, ci := range sent {
		if seen[ci.id] {
			cr.Issues |= ChainUnrelatedOrDuplicate
		}
		seen[ci.id] = true
	}
	linked := linkSent(sent)
	if !slices.IsSorted(linked) {
		cr.Issues |= ChainWrongOrder
	}
	for _, ci := range sent[1:] {
		if ci.x != nil && selfSigned(ci.x) {
			cr.Issues |= ChainSelfSignedRoot
		}
	}

	// Path validation: now, and if that fails, within the leaf's validity
	// period too, to tell a chain of trust from a validity problem.
	inter := x509.NewCertPool()
	for _, ci := range sent[1:] {
		if ci.x != nil {
			inter.AddCert(ci.x)
		}
	}
	verify := func(at time.Time) ([][]*x509.Certificate, error) {
		return leaf.Verify(x509.VerifyOptions{
			Roots:         a.pool,
			Intermediates: inter,
			CurrentTime:   at,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
	}
	// The times a chain of trust is looked for when it fails now: now moved
	// into the leaf's validity period, then the middle of that period.
	verifyAnyTime := func() ([][]*x509.Certificate, error) {
		at := a.now
		if at.Before(leaf.NotBefore) {
			at = leaf.NotBefore
		}
		if at.After(leaf.NotAfter) {
			at = leaf.NotAfter
		}
		p, err := verify(at)
		if err != nil {
			if p2, err2 := verify(leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)); err2 == nil {
				return p2, nil
			}
		}
		return p, err
	}
	paths, err := verify(a.now)
	anyPaths, anyErr := paths, err
	if err != nil {
		anyPaths, anyErr = verifyAnyTime()
	}
	top := sent[linked[len(linked)-1]].x
	var fetched []*certInfo
	if anyErr != nil && isUnknownAuthority(anyErr) && !selfSigned(top) && !a.issuedByRoot(top) {
		if a.opts.FetchIssuer != nil {
			fetched, cr.AIAErrors = a.completeChain(top)
			for _, f := range fetched {
				inter.AddCert(f.x)
				cr.AIAFetched = append(cr.AIAFetched, f.id)
			}
			if len(fetched) > 0 {
				cr.Issues |= ChainIncomplete
				paths, err = verify(a.now)
				anyPaths, anyErr = paths, err
				if err != nil {
					anyPaths, anyErr = verifyAnyTime()
				}
			}
		}
	}
	trusted := err == nil
	chainOfTrust := anyErr == nil
	if chainOfTrust {
		leafInfo.anyChainOfTrust = true
	}
	cr.Trusted = trusted
	if err != nil {
		cr.TrustError = err.Error()
	}

	// Trust paths.
	usedIDs := map[string]bool{}
	switch {
	case chainOfTrust:
		msg := ""
		if !trusted {
			msg = err.Error()
		}
		for _, p := range anyPaths {
			tp := TrustPath{Trust: []Trust{{RootStore: a.storeOf(p[len(p)-1]), IsTrusted: trusted, TrustErrorMessage: msg}}}
			for i, c := range p {
				src := SourceSent
				if i == len(p)-1 && !seen[certID(c.Raw)] {
					src = SourceRoot
				}
				ci := a.certFor(c, src)
				tp.CertIDs = append(tp.CertIDs, ci.id)
				usedIDs[ci.id] = true
			}
			cr.TrustPaths = append(cr.TrustPaths, tp)
		}
	default:
		tp := TrustPath{Trust: []Trust{{RootStore: a.storeLabel(), IsTrusted: false, TrustErrorMessage: err.Error()}}}
		for _, i := range linked {
			tp.CertIDs = append(tp.CertIDs, sent[i].id)
		}
		for _, f := range fetched {
			tp.CertIDs = append(tp.CertIDs, f.id)
		}
		cr.TrustPaths = append(cr.TrustPaths, tp)
	}
	for _, i := range linked {
		usedIDs[sent[i].id] = true
	}
	for _, ci := range sent {
		if !usedIDs[ci.id] {
			cr.Issues |= ChainUnrelatedOrDuplicate
		}
	}

	// The leaf's issuer, for the OCSP staple.
	var issuer *x509.Certificate
	switch {
	case len(anyPaths) > 0 && len(anyPaths[0]) > 1:
		issuer = anyPaths[0][1]
	case len(linked) > 1:
		issuer = sent[linked[1]].x
	case len(fetched) > 0:
		issuer = fetched[0].x
	}
	if len(in.OCSPResponse) > 0 {
		cr.OCSP = checkStaple(in.OCSPResponse, leaf, issuer, a.now)
		switch cr.OCSP.RevocationStatus {
		case RevocationRevoked, RevocationNotRevoked:
			leafInfo.out.RevocationStatus = cr.OCSP.RevocationStatus
		}
		if cr.OCSP.RevocationStatus == RevocationRevoked {
			leafInfo.out.setIssue(CertRevoked)
		}
	}

	// SCTs from all three sources.
	if len(leafInfo.out.EmbeddedSCTs) > 0 {
		cr.HasSCT |= 1
		cr.SCTs = append(cr.SCTs, leafInfo.out.EmbeddedSCTs...)
	}
	if cr.OCSP != nil && len(cr.OCSP.SCTs) > 0 {
		cr.HasSCT |= 2
		cr.SCTs = append(cr.SCTs, cr.OCSP.SCTs...)
	}
	for _, raw := range in.SCTs {
		cr.HasSCT |= 4
		s, err := ParseSCT(raw)
		if err != nil {
			s.Error = err.Error()
		}
		s.Source = SCTFromTLS
		cr.SCTs = append(cr.SCTs, s)
	}

	// Distrust: the legacy Symantec PKI (judged on the validated paths, or
	// on everything sent and fetched when there is none), and Mozilla
	// distrust-after dates.
	var symDistrusted bool
	var symReason string
	if len(anyPaths) > 0 {
		symDistrusted = true
		for _, p := range anyPaths {
			_, d, r := symantecDistrust(leaf, p, a.now)
			symDistrusted = symDistrusted && d
			symReason = r
		}
	} else {
		var all []*x509.Certificate
		for _, ci := range sent {
			if ci.x != nil {
				all = append(all, ci.x)
			}
		}
		for _, f := range fetched {
			all = append(all, f.x)
		}
		_, symDistrusted, symReason = symantecDistrust(leaf, all, a.now)
	}

	f := &cr.Facts
	f.NoCertificate = false
	f.Mismatch = a.host != "" && !MatchesHost(leaf, a.host)
	cr.NameMatch = !f.Mismatch
	if f.Mismatch {
		leafInfo.out.setIssue(CertHostnameMismatch)
	}
	f.Trusted = trusted
	f.Expired = a.now.After(leaf.NotAfter)
	f.NotYetValid = a.now.Before(leaf.NotBefore)
	f.DaysLeft = daysLeft(leaf.NotAfter, a.now)
	f.SelfSigned = selfSigned(leaf) && !chainOfTrust
	if f.SelfSigned {
		leafInfo.out.setIssue(CertSelfSigned)
	}
	f.Revoked = cr.OCSP != nil && cr.OCSP.RevocationStatus == RevocationRevoked
	if cr.OCSP != nil {
		f.StapledOCSP = cr.OCSP.RevocationStatus
	}
	if symDistrusted {
		f.Distrusted = true
		f.DistrustReason = append(f.DistrustReason, symReason)
	}
	if err != nil && strings.Contains(err.Error(), "distrust-after") {
		f.Distrusted = true
		f.DistrustReason = append(f.DistrustReason, "the root is distrusted in the Mozilla store for certificates issued after its distrust-after date")
	}
	if f.Distrusted {
		leafInfo.anyChainOfTrust = leafInfo.anyChainOfTrust && !symDistrusted
	}
	sigHash := leafInfo.out.SigHash
	f.SHA1Leaf = sigHash == "SHA1"
	f.MD5OrMD2Leaf = sigHash == "MD5" || sigHash == "MD2"
	f.LeafKey = keyOf(leaf)
	f.InsecureKey = insecureKey(f.LeafKey)
	f.WeakKey = !f.InsecureKey && f.LeafKey.Strength > 0 && f.LeafKey.Strength < weakKeyStrength
	f.IncompleteChain = trusted && len(fetched) > 0
	if leafInfo.out.EVPolicy && trusted && !f.Distrusted {
		leafInfo.out.ValidationType = "E"
	}
	f.TrustErrors = a.trustErrors(f, cr, err, top, fetched)
	return cr
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
	out = append(out, f.DistrustReason...)
	if err != nil && len(out) == 0 {
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

// linkSent follows issuers through the sent certificates, starting at the
// leaf: the indices (into sent) of the leaf, its issuer, that one's issuer…
// as far as the sent certificates go.
func linkSent(sent []*certInfo) []int {
	order := []int{0}
	used := map[int]bool{0: true}
	cur := sent[0].x
	for cur != nil && !selfSigned(cur) {
		next := -1
		for i, ci := range sent {
			if !used[i] && ci.x != nil && issuedBy(cur, ci.x) {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		order = append(order, next)
		used[next] = true
		cur = sent[next].x
	}
	return order
}

// completeChain follows AIA caIssuers URLs up from top (the last sent
// certificate on the leaf's path) until a certificate whose issuer is a
// trusted root, a self-signed one, or a limit is reached.
func (a *analyzer) completeChain(top *x509.Certificate) (fetched []*certInfo, errs []string) {
	cur := top
	for depth := 0; depth < maxAIADepth; depth++ {
		var next *x509.Certificate
		for _, u := range cur.IssuingCertificateURL {
			certs, err := a.fetch(u)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			for _, c := range certs {
				if issuedBy(cur, c) {
					next = c
					break
				}
			}
			if next != nil {
				break
			}
			errs = append(errs, fmt.Sprintf("%s: served no issuer of %q", u, cur.Subject.String()))
		}
		if next == nil {
			break
		}
		fetched = append(fetched, a.certFor(next, SourceAIA))
		if selfSigned(next) || a.issuedByRoot(next) {
			break
		}
		cur = next
	}
	return fetched, errs
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
