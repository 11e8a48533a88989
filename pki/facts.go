package pki

import "slices"

// Facts is the summary of a chain (or, in Report.Facts, of every chain sent
// for the requested name) that the grading rules need (docs/grading.md A1-A13).
// A grader gives T when TrustProblem() is true, M when Mismatch is true, F
// for MD5OrMD2Leaf or InsecureKey, and caps at B for WeakKey or
// IncompleteChain.
type Facts struct {
	// ChainIDs are the chains summarised; LeafID is the first one's leaf.
	ChainIDs []string `json:"chainIds,omitempty"`
	LeafID   string   `json:"leafId,omitempty"`
	// NoCertificate is set when there was no chain, or no parsable leaf,
	// to judge: the certificate rules could not be evaluated.
	NoCertificate bool `json:"noCertificate,omitempty"`

	// Mismatch: the leaf is not valid for the host name (A1, RFC 6125).
	Mismatch bool `json:"mismatch"`
	// Trusted: a path from the leaf to a root of the trust store (the
	// embedded Mozilla store plus --ca-file roots) validates now, with the
	// certificates sent plus any fetched through AIA (A2).
	Trusted bool `json:"trusted"`
	// TrustErrors explain every trust problem found (one line each).
	TrustErrors []string `json:"trustErrors,omitempty"`
	Expired     bool     `json:"expired"`     // A4
	NotYetValid bool     `json:"notYetValid"` // A5
	// DaysLeft is the number of whole days until the leaf expires
	// (negative once it has).
	DaysLeft int `json:"daysLeft"`
	// SelfSigned: the leaf signs itself and is not a trusted root (A3).
	SelfSigned bool `json:"selfSigned"`
	// Revoked: a stapled OCSP response with a valid signature says so (A6).
	// No live CRL or OCSP queries are made.
	Revoked bool `json:"revoked"`
	// Distrusted: the chain is distrusted although it may validate: the
	// legacy Symantec PKI (A7), or a root whose distrust-after date in the
	// Mozilla store precedes the leaf's notBefore.
	Distrusted     bool     `json:"distrusted"`
	DistrustReason []string `json:"distrustReason,omitempty"`
	// DistrustedBy names the browsers ("Chrome", "Mozilla") that distrust
	// the chain at the judging time: the dated rules of registry.Distrusts
	// for CA, and Mozilla when its store's distrust-after date of the root
	// refused the path (StoreDistrusted). Distrusted is set when any does,
	// and DistrustReason then also says when Mozilla's store still trusts
	// the chain.
	DistrustedBy    []string `json:"distrustedBy,omitempty"`
	StoreDistrusted bool     `json:"storeDistrusted,omitempty"`
	// CA names the operator of the chain's root when browsers distrust it
	// by date ("Entrust", "Chunghwa Telecom", "NetLock", "Symantec"), so
	// that grading can apply the dated rules again at any date. CAByName:
	// only the root's name told (padlock holds no key for it).
	CA       string `json:"ca,omitempty"`
	CAByName bool   `json:"caByName,omitempty"`
	// EarliestSCT is the earliest timestamp among the leaf's SCTs, ms
	// since 1970 (0: none parsed): Chrome's distrusts are judged by it.
	EarliestSCT int64 `json:"earliestSct,omitempty"`
	// SHA1Leaf: the leaf is signed with SHA-1 (A9: T).
	SHA1Leaf bool `json:"sha1Leaf"`
	// MD5OrMD2Leaf: the leaf is signed with MD5 or MD2 (A8: F).
	MD5OrMD2Leaf bool `json:"md5OrMd2Leaf"`
	// LeafKey is the leaf's key (the weakest one over several chains).
	LeafKey Key `json:"leafKey"`
	// InsecureKey: RSA/DSA < 1024 bits, EC < 160 bits or RSA exponent 1
	// (A10, A12: F). WeakKey: otherwise below 2048 RSA-equivalent bits
	// (A11: cap B).
	InsecureKey bool `json:"insecureKey"`
	WeakKey     bool `json:"weakKey"`
	// IncompleteChain: the chain validates only with intermediates fetched
	// from AIA caIssuers URLs (A13: cap B).
	IncompleteChain bool `json:"incompleteChain"`
	// DebianWeak is always false and DebianWeakChecked says why: the Debian
	// weak-key (CVE-2008-0166) list is not implemented.
	DebianWeak        bool `json:"debianWeak"`
	DebianWeakChecked bool `json:"debianWeakChecked"`
	// StapledOCSP is SSL Labs' staplingRevocationStatus of the (first)
	// chain: 0 when nothing was stapled.
	StapledOCSP int `json:"stapledOcsp"`
	// NoOCSPURL: the leaf names no OCSP responder (AIA), so there is
	// nothing to staple (CAs such as Let's Encrypt dropped OCSP in 2025):
	// a missing staple is then no shortcoming.
	NoOCSPURL bool `json:"noOcspUrl,omitempty"`
}

// TrustProblem reports whether the facts call for grade T (rules A2-A7
// and A9): untrusted, expired, not yet valid, self-signed, revoked,
// distrusted or SHA-1 signed.
func (f Facts) TrustProblem() bool {
	return !f.NoCertificate && (!f.Trusted || f.Expired || f.NotYetValid || f.SelfSigned || f.Revoked || f.Distrusted || f.SHA1Leaf)
}

// mergeFacts combines the facts of several chains served for the same
// name: a problem in any of them is a problem of the whole.
func mergeFacts(fs []Facts) Facts {
	if len(fs) == 0 {
		return Facts{NoCertificate: true}
	}
	out := fs[0]
	out.ChainIDs = nil
	out.TrustErrors = nil
	out.DistrustReason = nil
	out.DistrustedBy = slices.Clone(out.DistrustedBy)
	for _, f := range fs {
		out.ChainIDs = append(out.ChainIDs, f.ChainIDs...)
		if f.NoCertificate {
			continue
		}
		if out.NoCertificate {
			// The first chain had nothing to judge: start from this one.
			ids := out.ChainIDs
			out = f
			out.ChainIDs, out.TrustErrors, out.DistrustReason = ids, nil, nil
		}
		out.Mismatch = out.Mismatch || f.Mismatch
		out.Trusted = out.Trusted && f.Trusted
		out.Expired = out.Expired || f.Expired
		out.NotYetValid = out.NotYetValid || f.NotYetValid
		out.DaysLeft = min(out.DaysLeft, f.DaysLeft)
		out.SelfSigned = out.SelfSigned || f.SelfSigned
		out.Revoked = out.Revoked || f.Revoked
		out.Distrusted = out.Distrusted || f.Distrusted
		out.StoreDistrusted = out.StoreDistrusted || f.StoreDistrusted
		for _, b := range f.DistrustedBy {
			if !slices.Contains(out.DistrustedBy, b) {
				out.DistrustedBy = append(out.DistrustedBy, b)
			}
		}
		if out.CA == "" {
			out.CA, out.CAByName, out.EarliestSCT = f.CA, f.CAByName, f.EarliestSCT
		}
		out.SHA1Leaf = out.SHA1Leaf || f.SHA1Leaf
		out.MD5OrMD2Leaf = out.MD5OrMD2Leaf || f.MD5OrMD2Leaf
		out.InsecureKey = out.InsecureKey || f.InsecureKey
		out.WeakKey = out.WeakKey || f.WeakKey
		out.IncompleteChain = out.IncompleteChain || f.IncompleteChain
		out.NoOCSPURL = out.NoOCSPURL && f.NoOCSPURL
		if weaker(f.LeafKey, out.LeafKey) {
			out.LeafKey = f.LeafKey
		}
		for _, e := range f.TrustErrors {
			if !slices.Contains(out.TrustErrors, e) {
				out.TrustErrors = append(out.TrustErrors, e)
			}
		}
		for _, e := range f.DistrustReason {
			if !slices.Contains(out.DistrustReason, e) {
				out.DistrustReason = append(out.DistrustReason, e)
			}
		}
	}
	if out.InsecureKey {
		out.WeakKey = false
	}
	return out
}

// weaker reports whether key a is weaker than b for grading.
func weaker(a, b Key) bool {
	if insecureKey(a) != insecureKey(b) {
		return insecureKey(a)
	}
	return a.Strength < b.Strength
}
