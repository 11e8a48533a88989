package pki

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"padlock/registry"
)

// Bounds of one chain's analysis. crypto/x509 bounds its own path search
// (100 signature checks per Verify); these bound what padlock does around
// it, so that a hostile server cannot make a chain cost more than a few
// milliseconds: a "path-building bomb" of 1,200 certificates with one name,
// each signed by the one before, fits in a 256 KiB Certificate message.
const (
	// MaxChainCerts is how many certificates of a chain, in the order
	// sent, padlock analyses itself (describes, lints, links issuer to
	// issuer). Real chains have two to five. The rest are counted
	// (ChainReport.CertsNotAnalysed) and only offered to crypto/x509's
	// path validation as intermediates, whose own limits bound the work,
	// so that the trust verdict still covers everything sent.
	MaxChainCerts = 32
	// maxLinkChecks bounds the signature checks spent linking the sent
	// certificates issuer to issuer and picking issuers out of AIA
	// responses, per chain.
	maxLinkChecks = 256
)

// chainWork is one chain's analysis, built up step by step by chain.
type chainWork struct {
	a  *analyzer
	in Chain
	cr *ChainReport

	sent     []*certInfo         // the certificates analysed, in the order sent
	beyond   []*x509.Certificate // those sent after MaxChainCerts that parse
	seen     map[string]bool     // their ids
	leafInfo *certInfo
	leaf     *x509.Certificate
	// linked are the indices into sent of the leaf, its issuer, that
	// one's issuer… as far as the sent certificates go (linkSent); top is
	// the last of them.
	linked []int
	top    *x509.Certificate
	inter  *x509.CertPool // intermediates offered to path validation

	// paths and err are path validation now; anyPaths and anyErr the same
	// at a time within the leaf's validity period (equal to paths and err
	// when the chain validates now).
	paths, anyPaths [][]*x509.Certificate
	err, anyErr     error
	fetched         []*certInfo // issuers fetched through AIA

	checks  int  // signature checks spent by issuedBy
	stopped bool // issuedBy ran out of checks, or the context ended
}

// chain analyses one chain: it registers the certificates, judges the
// order they were sent in, validates paths to a trusted root (completing
// the chain through AIA when that is on), records the trust paths, the
// stapled OCSP response and the SCTs, and sums up the leaf's facts.
func (a *analyzer) chain(in Chain) *ChainReport {
	w := &chainWork{a: a, in: in, cr: &ChainReport{
		ID:         chainID(in.Certificates),
		CertIDs:    []string{},
		TrustPaths: []TrustPath{},
		NoSNI:      in.SNI == "",
		Protocol:   in.Protocol,
		SNI:        in.SNI,
	}}
	cr := w.cr
	defer func() { cr.IssueNames = issueNames(cr.Issues, chainIssueNames[:]) }()
	if !w.register() {
		return cr
	}
	w.judgeSentOrder()
	w.validate()
	w.recordTrustPaths()
	w.checkStaple()
	w.collectSCTs()
	w.leafFacts()
	return cr
}

// register adds the chain's certificates (at most MaxChainCerts) to the
// analysis. It reports whether there is a parsable leaf to judge; without
// one the chain "could not validate".
func (w *chainWork) register() bool {
	a, cr := w.a, w.cr
	ders := w.in.Certificates
	if len(ders) > MaxChainCerts {
		cr.CertsNotAnalysed = len(ders) - MaxChainCerts
		a.note(fmt.Sprintf("a chain of %d certificates was sent: only the first %d were analysed (all were offered to path validation)", len(ders), MaxChainCerts))
		for _, der := range ders[MaxChainCerts:] {
			if x, err := x509.ParseCertificate(der); err == nil {
				w.beyond = append(w.beyond, x)
			}
		}
		ders = ders[:MaxChainCerts]
	}
	for _, der := range ders {
		ci := a.cert(der, SourceSent)
		w.sent = append(w.sent, ci)
		cr.CertIDs = append(cr.CertIDs, ci.id)
	}
	cr.Facts = Facts{ChainIDs: []string{cr.ID}, NoCertificate: true}
	if len(w.sent) == 0 {
		w.couldNotValidate("no certificate sent")
		return false
	}
	w.leafInfo = w.sent[0]
	w.leafInfo.leaf = true
	w.leaf = w.leafInfo.x
	cr.Facts.LeafID = w.leafInfo.id
	if w.leaf == nil {
		w.couldNotValidate("the leaf certificate cannot be parsed: " + w.leafInfo.out.ParseError)
		return false
	}
	return true
}

// note records a problem of the analysis once (the same chain often comes
// in several handshakes).
func (a *analyzer) note(msg string) {
	if !slices.Contains(a.errors, msg) {
		a.errors = append(a.errors, msg)
	}
}

func (w *chainWork) couldNotValidate(why string) {
	w.cr.Issues |= ChainCouldNotValidate
	w.cr.TrustError = why
	w.cr.Facts.TrustErrors = []string{why}
}

// judgeSentOrder flags duplicates, an order that is not leaf first and
// then each issuer in turn, and self-signed (root) certificates sent.
func (w *chainWork) judgeSentOrder() {
	cr := w.cr
	w.seen = map[string]bool{}
	for _, ci := range w.sent {
		if w.seen[ci.id] {
			cr.Issues |= ChainUnrelatedOrDuplicate
		}
		w.seen[ci.id] = true
	}
	w.linked = w.linkSent()
	w.top = w.sent[w.linked[len(w.linked)-1]].x
	if !slices.IsSorted(w.linked) {
		cr.Issues |= ChainWrongOrder
	}
	for _, ci := range w.sent[1:] {
		if ci.x != nil && selfSigned(ci.x) {
			cr.Issues |= ChainSelfSignedRoot
		}
	}
}

// linkSent follows issuers through the sent certificates, starting at the
// leaf: the indices (into sent) of the leaf, its issuer, that one's
// issuer… as far as the sent certificates (and the budget of signature
// checks) go.
func (w *chainWork) linkSent() []int {
	sent := w.sent
	order := []int{0}
	used := map[int]bool{0: true}
	cur := sent[0].x
	for cur != nil && !selfSigned(cur) {
		next := -1
		for i, ci := range sent {
			if !used[i] && ci.x != nil && w.issuedBy(cur, ci.x) {
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

// issuedBy is issuedBy within the chain's budget of signature checks and
// the analysis's context. Once either is spent it answers false, and the
// report says that the chain was linked only as far as it was checked.
func (w *chainWork) issuedBy(child, parent *x509.Certificate) bool {
	if child == nil || parent == nil || !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return false // no signature check needed
	}
	if w.checks >= maxLinkChecks || w.a.ctx.Err() != nil {
		if !w.stopped {
			w.stopped = true
			why := fmt.Sprintf("the limit of %d signature checks was reached", maxLinkChecks)
			if err := w.a.ctx.Err(); err != nil {
				why = "the analysis was stopped (" + err.Error() + ")"
			}
			w.a.note("linking the chain's certificates issuer to issuer stopped: " + why + "; its order and unrelated certificates are judged from what was linked")
		}
		return false
	}
	w.checks++
	return issuedBy(child, parent)
}

// validate checks paths to a trusted root with crypto/x509, now and, if
// that fails, within the leaf's validity period (to tell a chain of trust
// from a validity problem). A chain lacking its issuer is completed
// through AIA when fetching is on, then validated again.
func (w *chainWork) validate() {
	a := w.a
	w.inter = x509.NewCertPool()
	for _, ci := range w.sent[1:] {
		if ci.x != nil {
			w.inter.AddCert(ci.x)
		}
	}
	for _, x := range w.beyond {
		w.inter.AddCert(x)
	}
	w.verifyNowAndAnyTime()
	if w.anyErr != nil && isUnknownAuthority(w.anyErr) && a.opts.FetchIssuer != nil &&
		!selfSigned(w.top) && !a.issuedByRoot(w.top) {
		w.completeFromAIA()
	}
	w.cr.Trusted = w.err == nil
	if w.err != nil {
		w.cr.TrustError = w.err.Error()
	}
	if w.anyErr == nil {
		w.leafInfo.anyChainOfTrust = true
	}
}

func (w *chainWork) verifyNowAndAnyTime() {
	w.paths, w.err = w.verify(w.a.now)
	w.anyPaths, w.anyErr = w.paths, w.err
	if w.err != nil {
		w.anyPaths, w.anyErr = w.verifyAnyTime()
	}
}

func (w *chainWork) verify(at time.Time) ([][]*x509.Certificate, error) {
	return w.leaf.Verify(x509.VerifyOptions{
		Roots:         w.a.pool,
		Intermediates: w.inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
}

// verifyAnyTime looks for a chain of trust at the times it is looked for
// when the chain fails now: now moved into the leaf's validity period,
// then the middle of that period.
func (w *chainWork) verifyAnyTime() ([][]*x509.Certificate, error) {
	leaf := w.leaf
	at := w.a.now
	if at.Before(leaf.NotBefore) {
		at = leaf.NotBefore
	}
	if at.After(leaf.NotAfter) {
		at = leaf.NotAfter
	}
	p, err := w.verify(at)
	if err != nil {
		if p2, err2 := w.verify(leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)); err2 == nil {
			return p2, nil
		}
	}
	return p, err
}

// completeFromAIA fetches the missing issuers and, if any came, validates
// again with them: the chain is then "incomplete".
func (w *chainWork) completeFromAIA() {
	cr := w.cr
	w.fetched, cr.AIAErrors = w.completeChain(w.top)
	for _, f := range w.fetched {
		w.inter.AddCert(f.x)
		cr.AIAFetched = append(cr.AIAFetched, f.id)
	}
	if len(w.fetched) > 0 {
		cr.Issues |= ChainIncomplete
		w.verifyNowAndAnyTime()
	}
}

// completeChain follows AIA caIssuers URLs up from top (the last sent
// certificate on the leaf's path) until a certificate whose issuer is a
// trusted root, a self-signed one, or a limit is reached.
func (w *chainWork) completeChain(top *x509.Certificate) (fetched []*certInfo, errs []string) {
	a := w.a
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
				if w.issuedBy(cur, c) {
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

// recordTrustPaths lists the validated paths (without any: the sent
// certificates as linked, then those fetched) and flags sent certificates
// that are on none of them.
func (w *chainWork) recordTrustPaths() {
	cr := w.cr
	used := map[string]bool{}
	if w.anyErr == nil {
		msg := ""
		if w.err != nil {
			msg = w.err.Error()
		}
		for _, p := range w.anyPaths {
			cr.TrustPaths = append(cr.TrustPaths, w.trustPath(p, msg, used))
		}
	} else {
		tp := TrustPath{Trust: []Trust{{RootStore: w.a.storeLabel(), IsTrusted: false, TrustErrorMessage: w.err.Error()}}}
		for _, i := range w.linked {
			tp.CertIDs = append(tp.CertIDs, w.sent[i].id)
		}
		for _, f := range w.fetched {
			tp.CertIDs = append(tp.CertIDs, f.id)
		}
		cr.TrustPaths = append(cr.TrustPaths, tp)
	}
	for _, i := range w.linked {
		used[w.sent[i].id] = true
	}
	for _, ci := range w.sent {
		if !used[ci.id] {
			cr.Issues |= ChainUnrelatedOrDuplicate
		}
	}
}

// trustPath is one validated path, its certificates registered (the
// anchor as a root unless it was sent) and marked used.
func (w *chainWork) trustPath(p []*x509.Certificate, msg string, used map[string]bool) TrustPath {
	tp := TrustPath{Trust: []Trust{{RootStore: w.a.storeOf(p[len(p)-1]), IsTrusted: w.err == nil, TrustErrorMessage: msg}}}
	for i, c := range p {
		src := SourceSent
		if i == len(p)-1 && !w.seen[certID(c.Raw)] {
			src = SourceRoot
		}
		ci := w.a.certFor(c, src)
		tp.CertIDs = append(tp.CertIDs, ci.id)
		used[ci.id] = true
	}
	return tp
}

// leafIssuer is the leaf's issuer, for the OCSP staple: from the first
// validated path, else the sent certificates as linked, else the first
// one fetched.
func (w *chainWork) leafIssuer() *x509.Certificate {
	switch {
	case len(w.anyPaths) > 0 && len(w.anyPaths[0]) > 1:
		return w.anyPaths[0][1]
	case len(w.linked) > 1:
		return w.sent[w.linked[1]].x
	case len(w.fetched) > 0:
		return w.fetched[0].x
	}
	return nil
}

// checkStaple judges the stapled OCSP response, if any, and records a
// definite revocation status on the leaf.
func (w *chainWork) checkStaple() {
	if len(w.in.OCSPResponse) == 0 {
		return
	}
	cr, out := w.cr, w.leafInfo.out
	cr.OCSP = checkStaple(w.in.OCSPResponse, w.leaf, w.leafIssuer(), w.a.now)
	switch cr.OCSP.RevocationStatus {
	case RevocationRevoked, RevocationNotRevoked:
		out.RevocationStatus = cr.OCSP.RevocationStatus
	}
	if cr.OCSP.RevocationStatus == RevocationRevoked {
		out.setIssue(CertRevoked)
	}
}

// collectSCTs gathers the leaf's SCTs from all three sources: embedded,
// the stapled OCSP response and the TLS extension.
func (w *chainWork) collectSCTs() {
	cr, out := w.cr, w.leafInfo.out
	if len(out.EmbeddedSCTs) > 0 {
		cr.HasSCT |= 1
		cr.SCTs = append(cr.SCTs, out.EmbeddedSCTs...)
	}
	if cr.OCSP != nil && len(cr.OCSP.SCTs) > 0 {
		cr.HasSCT |= 2
		cr.SCTs = append(cr.SCTs, cr.OCSP.SCTs...)
	}
	for _, raw := range w.in.SCTs {
		cr.HasSCT |= 4
		s, err := ParseSCT(raw)
		if err != nil {
			s.Error = err.Error()
		}
		s.Source = SCTFromTLS
		cr.SCTs = append(cr.SCTs, s)
	}
}

// leafFacts sums the chain up for grading: name, validity, trust,
// distrust, the leaf's signature and key, completeness, and why it is not
// trusted.
func (w *chainWork) leafFacts() {
	f := &w.cr.Facts
	f.NoCertificate = false
	w.nameAndValidityFacts(f)
	w.distrustFacts(f)
	w.keyFacts(f)
	f.IncompleteChain = f.Trusted && len(w.fetched) > 0
	if w.leafInfo.out.EVPolicy && f.Trusted && !f.Distrusted {
		w.leafInfo.out.ValidationType = "E"
	}
	f.TrustErrors = w.a.trustErrors(f, w.cr, w.err, w.top, w.fetched)
}

func (w *chainWork) nameAndValidityFacts(f *Facts) {
	a, cr, leaf, out := w.a, w.cr, w.leaf, w.leafInfo.out
	f.Mismatch = a.host != "" && !MatchesHost(leaf, a.host)
	cr.NameMatch = !f.Mismatch
	if f.Mismatch {
		out.setIssue(CertHostnameMismatch)
	}
	f.Trusted = w.err == nil
	f.Expired = a.now.After(leaf.NotAfter)
	f.NotYetValid = a.now.Before(leaf.NotBefore)
	f.DaysLeft = daysLeft(leaf.NotAfter, a.now)
	f.SelfSigned = selfSigned(leaf) && w.anyErr != nil
	if f.SelfSigned {
		out.setIssue(CertSelfSigned)
	}
	f.Revoked = cr.OCSP != nil && cr.OCSP.RevocationStatus == RevocationRevoked
	f.NoOCSPURL = len(leaf.OCSPServer) == 0
	if cr.OCSP != nil {
		f.StapledOCSP = cr.OCSP.RevocationStatus
	}
}

// distrustFacts: the dated browser distrusts of registry.Distrusts for
// the CA the chain leads to (Symantec, Entrust, Chunghwa Telecom,
// NetLock), and the Mozilla store's distrust-after dates of other roots.
func (w *chainWork) distrustFacts(f *Facts) {
	f.CA, f.CAByName = w.identifyCA()
	sct := earliestSCT(w.cr.SCTs)
	if !sct.IsZero() {
		f.EarliestSCT = sct.UnixMilli()
	}
	if f.CA != "" {
		by, why := registry.DistrustedBy(f.CA, w.leaf.NotBefore, sct, w.a.now)
		for _, b := range by {
			f.DistrustedBy = append(f.DistrustedBy, string(b))
		}
		f.DistrustReason = append(f.DistrustReason, why...)
	}
	if w.err != nil && strings.Contains(w.err.Error(), "distrust-after") && !slices.Contains(f.DistrustedBy, StoreMozilla) {
		f.StoreDistrusted = true
		f.DistrustedBy = append(f.DistrustedBy, StoreMozilla)
		f.DistrustReason = append(f.DistrustReason, "Mozilla's root store distrusts the root for certificates issued after its distrust-after date")
	}
	f.Distrusted = len(f.DistrustedBy) > 0
	if f.Distrusted {
		if f.Trusted && !slices.Contains(f.DistrustedBy, StoreMozilla) && len(w.paths) > 0 {
			root := w.paths[0][len(w.paths[0])-1]
			f.DistrustReason = append(f.DistrustReason, "the "+w.a.storeOf(root)+" root store still trusts it")
		}
		w.leafInfo.anyChainOfTrust = false
	}
}

func (w *chainWork) keyFacts(f *Facts) {
	sigHash := w.leafInfo.out.SigHash
	f.SHA1Leaf = sigHash == "SHA1"
	f.MD5OrMD2Leaf = sigHash == "MD5" || sigHash == "MD2"
	f.LeafKey = keyOf(w.leaf)
	f.InsecureKey = insecureKey(f.LeafKey)
	f.WeakKey = !f.InsecureKey && f.LeafKey.Strength > 0 && f.LeafKey.Strength < weakKeyStrength
}
